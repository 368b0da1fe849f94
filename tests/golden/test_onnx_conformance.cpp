// The golden kernels against ONNX's own backend conformance vectors (Debian's
// libonnx-testdata, ONNX 1.12): every case directory of the operators below is
// either run here or listed as out of scope with its reason, and the inventory
// tests fail if a listed directory disappears or an unlisted one appears.
//
// ONNX tensors are NCHW; each batch item is converted to Vine's HWC layout and
// back. Integer results must match exactly; so must float Conv and MaxPool.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/golden/kernels.h"

namespace {

namespace fs = std::filesystem;
using namespace vine::golden;

const fs::path kNodeDir = VINE_ONNX_NODE_DATA;

// The operators this test covers, and the directory-name prefixes of their
// cases (ConvTranspose's directories share Conv's prefix and are listed).
const std::set<std::string> kOperators = {
    "Conv",          "ConvInteger", "QLinearConv", "MatMulInteger",
    "QLinearMatMul", "MaxPool",     "AveragePool", "Add"};
const std::vector<std::string> kPrefixes = {
    "test_add",     "test_averagepool",   "test_basic_conv",  "test_conv",
    "test_maxpool", "test_matmulinteger", "test_qlinearconv", "test_qlinearmatmul"};

const std::vector<std::string> kRunCases = {
    "test_add",
    "test_add_bcast",
    "test_add_uint8",
    "test_averagepool_1d_default",
    "test_averagepool_2d_ceil",
    "test_averagepool_2d_default",
    "test_averagepool_2d_pads",
    "test_averagepool_2d_pads_count_include_pad",
    "test_averagepool_2d_precomputed_pads",
    "test_averagepool_2d_precomputed_pads_count_include_pad",
    "test_averagepool_2d_precomputed_same_upper",
    "test_averagepool_2d_precomputed_strides",
    "test_averagepool_2d_same_lower",
    "test_averagepool_2d_same_upper",
    "test_averagepool_2d_strides",
    "test_basic_conv_with_padding",
    "test_basic_conv_without_padding",
    "test_basic_convinteger",
    "test_conv_with_autopad_same",
    "test_conv_with_strides_and_asymmetric_padding",
    "test_conv_with_strides_no_padding",
    "test_conv_with_strides_padding",
    "test_convinteger_with_padding",
    "test_convinteger_without_padding",
    "test_matmulinteger",
    "test_maxpool_1d_default",
    "test_maxpool_2d_ceil",
    "test_maxpool_2d_default",
    "test_maxpool_2d_dilations",
    "test_maxpool_2d_pads",
    "test_maxpool_2d_precomputed_pads",
    "test_maxpool_2d_precomputed_same_upper",
    "test_maxpool_2d_precomputed_strides",
    "test_maxpool_2d_same_lower",
    "test_maxpool_2d_same_upper",
    "test_maxpool_2d_strides",
    "test_maxpool_2d_uint8",
    "test_qlinearconv",
    "test_qlinearmatmul_2D",
    "test_qlinearmatmul_3D",
};

struct OutOfScope {
  const char* name;
  const char* reason;
};

// Names the case in ctest's test list instead of a byte dump.
void PrintTo(const OutOfScope& o, std::ostream* os) {
  *os << o.name;
}

const char* const kThreeD = "3-D pooling (N, C, D, H, W): every Vine layer is 2-D over HWC frames";
const char* const kArgmax =
    "second output Indices (flattened argmax, storage_order): Vine's max-pool streams values only";
const char* const kTransposed =
    "ConvTranspose (transposed/fractionally strided conv): no Vine layer kind";

const std::vector<OutOfScope> kOutOfScope = {
    {"test_averagepool_3d_default", kThreeD},
    {"test_maxpool_3d_default", kThreeD},
    {"test_maxpool_with_argmax_2d_precomputed_pads", kArgmax},
    {"test_maxpool_with_argmax_2d_precomputed_strides", kArgmax},
    {"test_convtranspose", kTransposed},
    {"test_convtranspose_1d", kTransposed},
    {"test_convtranspose_3d", kTransposed},
    {"test_convtranspose_autopad_same", kTransposed},
    {"test_convtranspose_dilations", kTransposed},
    {"test_convtranspose_kernel_shape", kTransposed},
    {"test_convtranspose_output_shape", kTransposed},
    {"test_convtranspose_pad", kTransposed},
    {"test_convtranspose_pads", kTransposed},
    {"test_convtranspose_with_kernel", kTransposed},
};

// ---------------------------------------------------------------------------
// Reading ONNX protobufs

template <typename Proto>
Proto read_proto(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path.string());
  Proto proto;
  if (!proto.ParseFromIstream(&f)) throw std::runtime_error("cannot parse " + path.string());
  return proto;
}

// One ONNX tensor with its values widened: floats to float (exactly as
// stored), every integer type to int64.
struct Blob {
  int elem_type = 0;
  std::vector<int64_t> dims;
  std::vector<float> f;
  std::vector<int64_t> i;
  bool is_float() const { return elem_type == onnx::TensorProto::FLOAT; }
  int64_t numel() const {
    int64_t n = 1;
    for (const int64_t d : dims) n *= d;
    return n;
  }
  double at(int64_t k) const {
    return is_float() ? double(f.at(size_t(k))) : double(i.at(size_t(k)));
  }
};

template <typename T>
std::vector<int64_t> read_raw_ints(const std::string& raw) {
  std::vector<int64_t> out(raw.size() / sizeof(T));
  for (size_t k = 0; k < out.size(); ++k) {
    T v;
    std::memcpy(&v, raw.data() + k * sizeof(T), sizeof(T));
    out[k] = v;
  }
  return out;
}

Blob to_blob(const onnx::TensorProto& t) {
  Blob b;
  b.elem_type = t.data_type();
  b.dims.assign(t.dims().begin(), t.dims().end());
  const std::string& raw = t.raw_data();
  using TP = onnx::TensorProto;
  switch (t.data_type()) {
    case TP::FLOAT:
      if (!raw.empty()) {
        b.f.resize(raw.size() / 4);
        std::memcpy(b.f.data(), raw.data(), b.f.size() * 4);
      } else {
        b.f.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    case TP::UINT8:
      b.i = raw.empty() ? std::vector<int64_t>() : read_raw_ints<uint8_t>(raw);
      break;
    case TP::INT8:
      b.i = raw.empty() ? std::vector<int64_t>() : read_raw_ints<int8_t>(raw);
      break;
    case TP::UINT16:
      b.i = raw.empty() ? std::vector<int64_t>() : read_raw_ints<uint16_t>(raw);
      break;
    case TP::INT16:
      b.i = raw.empty() ? std::vector<int64_t>() : read_raw_ints<int16_t>(raw);
      break;
    case TP::INT32:
      b.i = raw.empty() ? std::vector<int64_t>() : read_raw_ints<int32_t>(raw);
      break;
    case TP::INT64:
      b.i = raw.empty() ? std::vector<int64_t>(t.int64_data().begin(), t.int64_data().end())
                        : read_raw_ints<int64_t>(raw);
      break;
    default:
      throw std::runtime_error("unsupported ONNX element type " + std::to_string(t.data_type()));
  }
  // Narrow integer types without raw_data live in int32_data.
  if (!b.is_float() && raw.empty() && t.data_type() != TP::INT64)
    b.i.assign(t.int32_data().begin(), t.int32_data().end());
  if (int64_t(b.is_float() ? b.f.size() : b.i.size()) != b.numel())
    throw std::runtime_error("tensor " + t.name() + ": value count does not match its dims");
  return b;
}

// The range an ONNX integer output saturates to (QLinear*) or must stay in.
std::pair<int32_t, int32_t> type_range(int elem_type) {
  using TP = onnx::TensorProto;
  switch (elem_type) {
    case TP::UINT8:
      return {0, 255};
    case TP::INT8:
      return {-128, 127};
    case TP::INT32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default:
      throw std::runtime_error("no integer range for element type " + std::to_string(elem_type));
  }
}

struct DataSet {
  std::map<std::string, Blob> inputs;  // by graph input name
  std::vector<Blob> outputs;           // in node output order
};

struct Case {
  std::string name;
  onnx::NodeProto node;
  std::vector<DataSet> data_sets;

  const Blob* input(const DataSet& ds, int k) const {
    if (k >= node.input_size() || node.input(k).empty()) return nullptr;
    auto it = ds.inputs.find(node.input(k));
    if (it == ds.inputs.end())
      throw std::runtime_error(name + ": no data for input " + node.input(k));
    return &it->second;
  }
  const onnx::AttributeProto* attr(const std::string& a) const {
    for (const auto& at : node.attribute())
      if (at.name() == a) return &at;
    return nullptr;
  }
  int64_t attr_int(const std::string& a, int64_t fallback) const {
    const auto* at = attr(a);
    return at ? at->i() : fallback;
  }
  std::vector<int64_t> attr_ints(const std::string& a) const {
    const auto* at = attr(a);
    return at ? std::vector<int64_t>(at->ints().begin(), at->ints().end()) : std::vector<int64_t>();
  }
  std::string attr_string(const std::string& a, const std::string& fallback) const {
    const auto* at = attr(a);
    return at ? at->s() : fallback;
  }
};

Case load_case(const std::string& name) {
  const fs::path dir = kNodeDir / name;
  if (!fs::is_directory(dir)) throw std::runtime_error("case directory missing: " + dir.string());
  Case c;
  c.name = name;
  const auto model = read_proto<onnx::ModelProto>(dir / "model.onnx");
  if (model.graph().node_size() != 1)
    throw std::runtime_error(name + ": expected a single-node graph");
  c.node = model.graph().node(0);
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) throw std::runtime_error(name + ": no test_data_set_*");
  for (const auto& s : sets) {
    DataSet ds;
    for (int k = 0; fs::exists(s / ("input_" + std::to_string(k) + ".pb")); ++k) {
      const auto t = read_proto<onnx::TensorProto>(s / ("input_" + std::to_string(k) + ".pb"));
      // Older vectors may leave the name empty; graph inputs are in order.
      const std::string key = t.name().empty() ? model.graph().input(k).name() : t.name();
      ds.inputs[key] = to_blob(t);
    }
    for (int k = 0; fs::exists(s / ("output_" + std::to_string(k) + ".pb")); ++k)
      ds.outputs.push_back(
          to_blob(read_proto<onnx::TensorProto>(s / ("output_" + std::to_string(k) + ".pb"))));
    if (ds.outputs.empty()) throw std::runtime_error(s.string() + ": no outputs");
    c.data_sets.push_back(std::move(ds));
  }
  return c;
}

// ---------------------------------------------------------------------------
// Layout: ONNX (N, C, H, W) or (N, C, W) <-> one HWC frame per batch item

struct Nchw {
  int n = 1, c = 1, h = 1, w = 1;
};

Nchw nchw_of(const Blob& b) {
  const auto& d = b.dims;
  if (d.size() == 4) return {int(d[0]), int(d[1]), int(d[2]), int(d[3])};
  if (d.size() == 3) return {int(d[0]), int(d[1]), 1, int(d[2])};  // 1-D: a frame of height 1
  throw std::runtime_error("expected an (N, C, W) or (N, C, H, W) tensor, got rank " +
                           std::to_string(d.size()));
}

template <typename T>
Tensor<T> frame(const Blob& b, int item) {
  const Nchw s = nchw_of(b);
  Tensor<T> t(s.h, s.w, s.c);
  for (int c = 0; c < s.c; ++c)
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x) {
        const int64_t k = ((int64_t(item) * s.c + c) * s.h + y) * s.w + x;
        t.at(y, x, c) =
            b.is_float() ? static_cast<T>(b.f[size_t(k)]) : static_cast<T>(b.i[size_t(k)]);
      }
  return t;
}

template <typename T>
std::string show(T v) {
  std::ostringstream s;
  s.precision(9);
  s << v;
  return s.str();
}

// Compares one HWC frame against batch item `item` of the expected NCHW
// output. `tolerance` < 0 means exact; otherwise |got - want| <= tolerance.
template <typename T>
void expect_frame(const Tensor<T>& got, const Blob& want, int item, double tolerance = -1) {
  const Nchw s = nchw_of(want);
  ASSERT_EQ(got.h, s.h) << "output height";
  ASSERT_EQ(got.w, s.w) << "output width";
  ASSERT_EQ(got.c, s.c) << "output channels";
  int mismatches = 0;
  double worst = 0;
  std::string first;
  for (int c = 0; c < s.c; ++c)
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x) {
        const int64_t k = ((int64_t(item) * s.c + c) * s.h + y) * s.w + x;
        const double g = double(got.at(y, x, c)), w = want.at(k);
        const double err = std::fabs(g - w);
        worst = std::max(worst, err);
        const bool bad = tolerance < 0 ? g != w : !(err <= tolerance);
        if (bad && mismatches++ == 0)
          first = "(n=" + std::to_string(item) + ", c=" + std::to_string(c) +
                  ", y=" + std::to_string(y) + ", x=" + std::to_string(x) + "): got " +
                  show(got.at(y, x, c)) + ", want " + show(w);
      }
  EXPECT_EQ(mismatches, 0) << mismatches << " of " << got.size() << " values differ, first at "
                           << first << "; largest difference " << worst;
}

// ---------------------------------------------------------------------------
// Window attributes (Conv, MaxPool, AveragePool)

struct WindowAttrs {
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Pads pads;
};

// Reads kernel_shape (or `kernel` when the op infers it from W), strides,
// dilations, pads and auto_pad for a 1-D or 2-D op; a 1-D op becomes a 2-D
// window of height 1.
WindowAttrs window_attrs(const Case& c, const Nchw& in, int spatial, std::vector<int64_t> kernel) {
  if (spatial != 1 && spatial != 2)
    throw std::runtime_error(c.name + ": only 1-D and 2-D windows are supported");
  if (c.attr("kernel_shape")) kernel = c.attr_ints("kernel_shape");
  auto list = [&](const std::string& a, int64_t fallback, size_t n) {
    std::vector<int64_t> v = c.attr_ints(a);
    if (v.empty()) v.assign(n, fallback);
    if (v.size() != n)
      throw std::runtime_error(c.name + ": attribute " + a + " has the wrong length");
    return v;
  };
  const auto s = list("strides", 1, spatial), d = list("dilations", 1, spatial);
  if (int(kernel.size()) != spatial)
    throw std::runtime_error(c.name + ": kernel_shape has the wrong length");
  const std::vector<int64_t> sizes =
      spatial == 1 ? std::vector<int64_t>{in.w} : std::vector<int64_t>{in.h, in.w};
  std::vector<int64_t> begin(spatial), end(spatial);
  const std::string auto_pad = c.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    const auto pads =
        list("pads", 0, 2 * spatial);  // [x1_begin, x2_begin, ..., x1_end, x2_end, ...]
    for (int a = 0; a < spatial; ++a) begin[a] = pads[a], end[a] = pads[a + spatial];
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // ONNX: output = ceil(in / stride); the odd pad goes at the end (UPPER)
    // or the beginning (LOWER).
    for (int a = 0; a < spatial; ++a) {
      const int64_t out = (sizes[a] + s[a] - 1) / s[a];
      const int64_t total =
          std::max<int64_t>(0, (out - 1) * s[a] + (kernel[a] - 1) * d[a] + 1 - sizes[a]);
      begin[a] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end[a] = total - begin[a];
    }
  } else if (auto_pad != "VALID") {
    throw std::runtime_error(c.name + ": unknown auto_pad " + auto_pad);
  }
  WindowAttrs w;
  const int a = spatial - 1;  // the W axis
  w.kernel_w = int(kernel[a]), w.stride_w = int(s[a]), w.dilation_w = int(d[a]);
  w.pads.left = int(begin[a]), w.pads.right = int(end[a]);
  if (spatial == 2) {
    w.kernel_h = int(kernel[0]), w.stride_h = int(s[0]), w.dilation_h = int(d[0]);
    w.pads.top = int(begin[0]), w.pads.bottom = int(end[0]);
  }
  return w;
}

Pool2dParams pool_params(const Case& c, const Blob& x) {
  const WindowAttrs w = window_attrs(c, nchw_of(x), int(x.dims.size()) - 2, {});
  Pool2dParams p;
  p.kernel_h = w.kernel_h, p.kernel_w = w.kernel_w, p.stride_h = w.stride_h,
  p.stride_w = w.stride_w;
  p.dilation_h = w.dilation_h, p.dilation_w = w.dilation_w, p.pads = w.pads;
  p.ceil_mode = c.attr_int("ceil_mode", 0) != 0;
  return p;
}

// Conv weights (M, C/group, kH, kW) or (M, C/group, kW) as Vine's
// [oc][kh][kw][ic] rows.
template <typename T>
std::vector<T> weight_rows(const Blob& w) {
  const Nchw s = nchw_of(w);  // n = M, c = C/group
  std::vector<T> rows(size_t(w.numel()));
  for (int m = 0; m < s.n; ++m)
    for (int ic = 0; ic < s.c; ++ic)
      for (int y = 0; y < s.h; ++y)
        for (int x = 0; x < s.w; ++x) {
          const int64_t k = ((int64_t(m) * s.c + ic) * s.h + y) * s.w + x;
          rows[((size_t(m) * s.h + y) * s.w + x) * s.c + ic] =
              w.is_float() ? static_cast<T>(w.f[size_t(k)]) : static_cast<T>(w.i[size_t(k)]);
        }
  return rows;
}

Conv2dParams conv_params(const Case& c, const Blob& x, const Blob& w) {
  const Nchw ws = nchw_of(w);
  const int spatial = int(x.dims.size()) - 2;
  std::vector<int64_t> kernel(w.dims.begin() + 2, w.dims.end());
  const WindowAttrs a = window_attrs(c, nchw_of(x), spatial, kernel);
  Conv2dParams p;
  p.out_channels = ws.n;
  p.kernel_h = a.kernel_h, p.kernel_w = a.kernel_w, p.stride_h = a.stride_h,
  p.stride_w = a.stride_w;
  p.dilation_h = a.dilation_h, p.dilation_w = a.dilation_w, p.pads = a.pads;
  p.groups = int(c.attr_int("group", 1));
  return p;
}

int32_t scalar_int(const Blob* b, int32_t fallback = 0) {
  if (!b) return fallback;
  if (b->numel() != 1) throw std::runtime_error("expected a scalar zero point");
  return int32_t(b->i.at(0));
}

std::vector<int32_t> int_list(const Blob* b) {
  return b ? std::vector<int32_t>(b->i.begin(), b->i.end()) : std::vector<int32_t>();
}

// ONNX QLinear* requantisation, y = saturate(round_half_even(acc * x_scale *
// w_scale / y_scale) + y_zp), as an integer multiplier-shift requantiser. The
// scale ratio is formed in float32 arithmetic, the scales' own type; a 31-bit
// multiplier holds any float32 exactly, so the integer result is the exactly
// rounded product of the accumulator with that float32 ratio. (These vectors
// hold no exact ties and would also pass with the ratio formed in double.)
FixedPointScale qlinear_scale(float in_scale, float w_scale, float out_scale) {
  const float ratio = in_scale * w_scale / out_scale;
  return fixed_point_scale(ratio, 31);
}

// ---------------------------------------------------------------------------
// Operator runners: one per ONNX op, over every data set and batch item

void run_conv(const Case& c, const DataSet& ds) {
  const Blob &x = *c.input(ds, 0), &w = *c.input(ds, 1);
  ASSERT_EQ(c.input(ds, 2), nullptr) << "Conv bias is not exercised by these vectors";
  ASSERT_TRUE(x.is_float() && w.is_float());
  const Conv2dParams p = conv_params(c, x, w);
  const std::vector<float> rows = weight_rows<float>(w);
  // Exact: every vector here has integer-valued data and small sums, so float
  // accumulation is exact in any order.
  for (int n = 0; n < nchw_of(x).n; ++n)
    expect_frame(conv2d(frame<float>(x, n), rows, p), ds.outputs.at(0), n);
}

void run_conv_integer(const Case& c, const DataSet& ds) {
  const Blob &x = *c.input(ds, 0), &w = *c.input(ds, 1);
  Conv2dParams p = conv_params(c, x, w);
  p.zero_points.input = scalar_int(c.input(ds, 2));
  p.zero_points.weight = int_list(c.input(ds, 3));
  p.pad_value = p.zero_points.input;  // ONNX pads the quantised input with its zero point
  const std::vector<int32_t> rows = weight_rows<int32_t>(w);
  for (int n = 0; n < nchw_of(x).n; ++n)
    expect_frame(conv2d(frame<int32_t>(x, n), rows, p), ds.outputs.at(0), n);
}

void run_qlinear_conv(const Case& c, const DataSet& ds) {
  const Blob &x = *c.input(ds, 0), &x_scale = *c.input(ds, 1), &w = *c.input(ds, 3),
             &w_scale = *c.input(ds, 4);
  const Blob &y_scale = *c.input(ds, 6), *bias = c.input(ds, 8);
  const Blob& y = ds.outputs.at(0);
  Conv2dParams p = conv_params(c, x, w);
  p.zero_points.input = scalar_int(c.input(ds, 2));
  p.zero_points.weight = int_list(c.input(ds, 5));
  p.pad_value = p.zero_points.input;
  Requantizer r;
  for (int oc = 0; oc < p.out_channels; ++oc) {
    const float ws = w_scale.f.at(w_scale.f.size() == 1 ? 0 : size_t(oc));
    const FixedPointScale s = qlinear_scale(x_scale.f.at(0), ws, y_scale.f.at(0));
    r.multiplier.push_back(s.multiplier);
    r.shift.push_back(s.shift);
  }
  r.zero_point = scalar_int(c.input(ds, 7));
  std::tie(r.lo, r.hi) = type_range(y.elem_type);
  r.rounding = vine::arith::Rounding::kHalfEven;
  const std::vector<int32_t> rows = weight_rows<int32_t>(w);
  for (int n = 0; n < nchw_of(x).n; ++n) {
    Tensor<int64_t> acc = conv2d<int32_t, int64_t>(frame<int32_t>(x, n), rows, p);
    if (bias)
      for (size_t k = 0; k < acc.size(); ++k) acc.data[k] += bias->i.at(k % size_t(acc.c));
    expect_frame(requantize(acc, r), y, n);
  }
}

// Batched (..., M, K) x (..., K, N) with equal batch dims (the only form in
// these vectors); returns the batch count.
int64_t matmul_batches(const Blob& a, const Blob& b) {
  if (a.dims.size() < 2 || a.dims.size() != b.dims.size())
    throw std::runtime_error("matmul: only equal-rank operands of rank >= 2");
  int64_t batches = 1;
  for (size_t k = 0; k + 2 < a.dims.size(); ++k) {
    if (a.dims[k] != b.dims[k])
      throw std::runtime_error("matmul: batch broadcasting is not exercised");
    batches *= a.dims[k];
  }
  return batches;
}

Matrix<int32_t> matrix(const Blob& b, int64_t batch) {
  const int rows = int(b.dims[b.dims.size() - 2]), cols = int(b.dims.back());
  Matrix<int32_t> m(rows, cols);
  for (size_t k = 0; k < m.data.size(); ++k)
    m.data[k] = int32_t(b.i.at(size_t(batch) * m.data.size() + k));
  return m;
}

template <typename T>
void expect_matrix(const Matrix<T>& got, const Blob& want, int64_t batch) {
  ASSERT_EQ(got.rows, want.dims[want.dims.size() - 2]);
  ASSERT_EQ(got.cols, want.dims.back());
  int mismatches = 0;
  std::string first;
  for (size_t k = 0; k < got.data.size(); ++k) {
    const int64_t w = want.i.at(size_t(batch) * got.data.size() + k);
    if (got.data[k] != w && mismatches++ == 0)
      first = "(batch " + std::to_string(batch) + ", element " + std::to_string(k) + "): got " +
              std::to_string(got.data[k]) + ", want " + std::to_string(w);
  }
  EXPECT_EQ(mismatches, 0) << mismatches << " values differ, first at " << first;
}

void run_matmul_integer(const Case& c, const DataSet& ds) {
  const Blob &a = *c.input(ds, 0), &b = *c.input(ds, 1);
  for (int64_t n = 0; n < matmul_batches(a, b); ++n)
    expect_matrix(
        matmul(matrix(a, n), matrix(b, n), int_list(c.input(ds, 2)), int_list(c.input(ds, 3))),
        ds.outputs.at(0), n);
}

void run_qlinear_matmul(const Case& c, const DataSet& ds) {
  const Blob &a = *c.input(ds, 0), &a_scale = *c.input(ds, 1), &b = *c.input(ds, 3),
             &b_scale = *c.input(ds, 4);
  const Blob& y_scale = *c.input(ds, 6);
  const Blob& y = ds.outputs.at(0);
  ASSERT_EQ(b_scale.numel(), 1) << "per-column b_scale is not exercised";
  const FixedPointScale s = qlinear_scale(a_scale.f.at(0), b_scale.f.at(0), y_scale.f.at(0));
  Requantizer r;
  r.multiplier = {s.multiplier};
  r.shift = {s.shift};
  r.zero_point = scalar_int(c.input(ds, 7));
  std::tie(r.lo, r.hi) = type_range(y.elem_type);
  r.rounding = vine::arith::Rounding::kHalfEven;
  for (int64_t n = 0; n < matmul_batches(a, b); ++n) {
    Matrix<int64_t> acc = matmul<int32_t, int64_t>(
        matrix(a, n), matrix(b, n), int_list(c.input(ds, 2)), int_list(c.input(ds, 5)));
    Tensor<int64_t> t;  // a matrix is a 1 x M frame of N channels
    t.h = 1, t.w = acc.rows, t.c = acc.cols;
    t.data = acc.data;
    const Tensor<int32_t> q = requantize(t, r);
    Matrix<int32_t> out(acc.rows, acc.cols);
    out.data = q.data;
    expect_matrix(out, y, n);
  }
}

void run_maxpool(const Case& c, const DataSet& ds) {
  const Blob& x = *c.input(ds, 0);
  ASSERT_EQ(c.node.output_size(), 1) << "the Indices output is out of scope";
  const Pool2dParams p = pool_params(c, x);
  for (int n = 0; n < nchw_of(x).n; ++n) {
    if (x.is_float()) {
      expect_frame(maxpool2d(frame<float>(x, n), p), ds.outputs.at(0), n);  // a max is exact
    } else {
      expect_frame(maxpool2d(frame<int32_t>(x, n), p), ds.outputs.at(0), n);
    }
  }
}

// ONNX's reference AveragePool (onnx/backend/test/case/node/pool_op_common.py)
// averages each window with numpy: a float32 pairwise sum of the taps, then a
// division. Vine sums in double and rounds once, so the two differ by the
// reference's float32 summation error only (re-summing the windows in numpy's
// order reproduces every expected value bit for bit; about a third of them
// are 1 ulp away from the correctly rounded average). That error is at most
// (taps - 1) * 2^-24 * sum|x| / count, plus 2^-24 * |avg| for each side's
// final rounding, so (taps + 1) * 2^-24 * max|x| bounds the difference; a
// wrong window or divisor is off by orders of magnitude more. Integer-valued
// inputs (the *_precomputed_* vectors) sum exactly in any order and must
// match exactly.
double avgpool_tolerance(const Blob& x, const Pool2dParams& p) {
  const int taps = p.kernel_h * p.kernel_w;
  double max_abs = 0;
  bool integers = true;
  for (const float v : x.f) {
    max_abs = std::max(max_abs, double(std::fabs(v)));
    integers &= v == std::trunc(v);
  }
  if (integers && max_abs * taps < 0x1p24) return -1;
  return (taps + 1) * std::ldexp(max_abs, -24);
}

void run_avgpool(const Case& c, const DataSet& ds) {
  const Blob& x = *c.input(ds, 0);
  ASSERT_TRUE(x.is_float());
  const Pool2dParams p = pool_params(c, x);
  const AvgPoolDivisor d = c.attr_int("count_include_pad", 0) ? AvgPoolDivisor::kIncludePad
                                                              : AvgPoolDivisor::kExcludePad;
  for (int n = 0; n < nchw_of(x).n; ++n)
    expect_frame(avgpool2d(frame<float>(x, n), p, d), ds.outputs.at(0), n, avgpool_tolerance(x, p));
}

// numpy broadcasting of `b` to `shape` (trailing axes aligned), done here so
// that the kernel sees two equally shaped streams, as the hardware add does.
Blob broadcast_to(const Blob& b, const std::vector<int64_t>& shape) {
  Blob out = b;
  out.dims = shape;
  int64_t total = 1;
  for (const int64_t d : shape) total *= d;
  out.f.assign(b.is_float() ? size_t(total) : 0, 0.f);
  out.i.assign(b.is_float() ? 0 : size_t(total), 0);
  const size_t lead = shape.size() - b.dims.size();
  for (int64_t k = 0; k < total; ++k) {
    int64_t rem = k, src = 0, stride = 1;
    for (size_t a = shape.size(); a-- > 0;) {
      const int64_t idx = rem % shape[a];
      rem /= shape[a];
      if (a >= lead) {
        const int64_t bd = b.dims[a - lead];
        if (bd != 1 && bd != shape[a]) throw std::runtime_error("add: shapes do not broadcast");
        src += (bd == 1 ? 0 : idx) * stride;
        stride *= bd;
      }
    }
    if (b.is_float())
      out.f[size_t(k)] = b.f.at(size_t(src));
    else
      out.i[size_t(k)] = b.i.at(size_t(src));
  }
  return out;
}

// Elementwise, so any rank is read as (1, C, H, W) with the leading axes
// folded into C.
Blob as_frame(Blob b) {
  while (b.dims.size() < 3) b.dims.insert(b.dims.begin(), 1);
  int64_t c = 1;
  for (size_t k = 0; k + 2 < b.dims.size(); ++k) c *= b.dims[k];
  b.dims = {1, c, b.dims[b.dims.size() - 2], b.dims.back()};
  return b;
}

void run_add(const Case& c, const DataSet& ds) {
  const Blob& y = ds.outputs.at(0);
  const Blob a = as_frame(broadcast_to(*c.input(ds, 0), y.dims));
  const Blob b = as_frame(broadcast_to(*c.input(ds, 1), y.dims));
  const Blob want = as_frame(y);
  if (a.is_float()) {
    // One float32 addition per element, as in ONNX: exact.
    expect_frame(add(frame<float>(a, 0), frame<float>(b, 0)), want, 0);
  } else {
    // Vine's add does not wrap; ONNX's uint8 add would, so a wrapped expected
    // value would show up here as a mismatch rather than pass silently.
    expect_frame(add(frame<int32_t>(a, 0), frame<int32_t>(b, 0)), want, 0);
  }
}

using Runner = void (*)(const Case&, const DataSet&);
const std::map<std::string, Runner> kRunners = {
    {"Conv", run_conv},
    {"ConvInteger", run_conv_integer},
    {"QLinearConv", run_qlinear_conv},
    {"MatMulInteger", run_matmul_integer},
    {"QLinearMatMul", run_qlinear_matmul},
    {"MaxPool", run_maxpool},
    {"AveragePool", run_avgpool},
    {"Add", run_add},
};

// ---------------------------------------------------------------------------
// Tests

class OnnxNode : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxNode, MatchesReference) {
  Case c;
  try {
    c = load_case(GetParam());
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  auto it = kRunners.find(c.node.op_type());
  ASSERT_NE(it, kRunners.end()) << "no runner for op " << c.node.op_type();
  for (size_t k = 0; k < c.data_sets.size(); ++k) {
    SCOPED_TRACE(c.name + " test_data_set_" + std::to_string(k) + " (" + c.node.op_type() + ")");
    try {
      it->second(c, c.data_sets[k]);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

INSTANTIATE_TEST_SUITE_P(Run, OnnxNode, ::testing::ValuesIn(kRunCases), case_name);

class OnnxNodeOutOfScope : public ::testing::TestWithParam<OutOfScope> {};

TEST_P(OnnxNodeOutOfScope, IsListedWithReason) {
  const fs::path dir = kNodeDir / GetParam().name;
  ASSERT_TRUE(fs::is_directory(dir)) << "listed case directory missing: " << dir;
  ASSERT_TRUE(fs::exists(dir / "model.onnx")) << dir;
  // Listed, present and given a reason: recorded in the test report, not skipped.
  EXPECT_FALSE(std::string(GetParam().reason).empty()) << GetParam().name;
  RecordProperty("out_of_scope", GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(OutOfScope, OnnxNodeOutOfScope, ::testing::ValuesIn(kOutOfScope),
                         [](const ::testing::TestParamInfo<OutOfScope>& info) {
                           return std::string(info.param.name);
                         });

std::set<std::string> listed_cases() {
  std::set<std::string> listed(kRunCases.begin(), kRunCases.end());
  for (const auto& o : kOutOfScope) listed.insert(o.name);
  return listed;
}

TEST(OnnxInventory, ListsHaveNoDuplicates) {
  EXPECT_EQ(listed_cases().size(), kRunCases.size() + kOutOfScope.size());
}

TEST(OnnxInventory, EveryOperatorCaseIsRunOrListed) {
  ASSERT_TRUE(fs::is_directory(kNodeDir)) << kNodeDir << " (install libonnx-testdata)";
  const std::set<std::string> listed = listed_cases();
  std::set<std::string> found;
  for (const auto& e : fs::directory_iterator(kNodeDir)) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    bool ours = std::any_of(kPrefixes.begin(), kPrefixes.end(),
                            [&](const std::string& p) { return name.rfind(p, 0) == 0; });
    if (!ours && fs::exists(e.path() / "model.onnx")) {
      // Any single-node model of a covered op counts too, whatever its name.
      const auto model = read_proto<onnx::ModelProto>(e.path() / "model.onnx");
      ours = model.graph().node_size() == 1 && kOperators.count(model.graph().node(0).op_type());
    }
    if (!ours) continue;
    found.insert(name);
    EXPECT_TRUE(listed.count(name))
        << name << " is a case of a covered operator but is neither run nor listed "
        << "as out of scope";
  }
  for (const auto& name : listed)
    EXPECT_TRUE(found.count(name)) << name << " is listed but its directory is not in " << kNodeDir;
}

}  // namespace
