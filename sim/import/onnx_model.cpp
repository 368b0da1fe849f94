#include "sim/import/onnx_model.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/import/import_error.h"

namespace vine::import {

namespace {

template <typename T>
std::vector<double> from_raw(const std::string& raw, int64_t n, const std::string& what) {
  if (int64_t(raw.size()) != n * int64_t(sizeof(T)))
    throw ImportError(what + ": raw_data of " + std::to_string(raw.size()) + " bytes, expected " +
                      std::to_string(n * int64_t(sizeof(T))) + " for its shape");
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    T x;
    std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));  // ONNX stores raw data little-endian, as this machine
    v[size_t(i)] = double(x);
  }
  return v;
}

template <typename Field>
std::vector<double> from_field(const Field& f, int64_t n, const std::string& what) {
  if (f.size() != n)
    throw ImportError(what + ": " + std::to_string(f.size()) + " values, expected " + std::to_string(n) +
                      " for its shape");
  return std::vector<double>(f.begin(), f.end());
}

OnnxTensor to_tensor(const onnx::TensorProto& t, const std::string& file) {
  const std::string what = file + ": initializer '" + t.name() + "'";
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw ImportError(what + ": data stored outside the model file; supported: data inside the .onnx file");
  OnnxTensor out;
  out.shape.assign(t.dims().begin(), t.dims().end());
  const int64_t n = out.elements();
  const bool raw = t.has_raw_data();
  using TP = onnx::TensorProto;
  switch (t.data_type()) {
    case TP::FLOAT: out.values = raw ? from_raw<float>(t.raw_data(), n, what) : from_field(t.float_data(), n, what); break;
    case TP::DOUBLE: out.values = raw ? from_raw<double>(t.raw_data(), n, what) : from_field(t.double_data(), n, what); break;
    case TP::INT64: out.values = raw ? from_raw<int64_t>(t.raw_data(), n, what) : from_field(t.int64_data(), n, what); break;
    case TP::INT32: out.values = raw ? from_raw<int32_t>(t.raw_data(), n, what) : from_field(t.int32_data(), n, what); break;
    // Narrow integer types: int32_data holds one element per entry.
    case TP::INT16: out.values = raw ? from_raw<int16_t>(t.raw_data(), n, what) : from_field(t.int32_data(), n, what); break;
    case TP::INT8: out.values = raw ? from_raw<int8_t>(t.raw_data(), n, what) : from_field(t.int32_data(), n, what); break;
    case TP::UINT8: out.values = raw ? from_raw<uint8_t>(t.raw_data(), n, what) : from_field(t.int32_data(), n, what); break;
    default:
      throw ImportError(what + ": element type " + std::to_string(t.data_type()) +
                        " (onnx.TensorProto.DataType); supported: FLOAT, DOUBLE, INT8, UINT8, INT16, INT32, INT64");
  }
  return out;
}

OnnxAttribute to_attribute(const onnx::AttributeProto& a) {
  OnnxAttribute out;
  using AP = onnx::AttributeProto;
  switch (a.type()) {
    case AP::INT: out.kind = OnnxAttribute::Kind::kInt; out.i = a.i(); break;
    case AP::INTS: out.kind = OnnxAttribute::Kind::kInts; out.ints.assign(a.ints().begin(), a.ints().end()); break;
    case AP::STRING: out.kind = OnnxAttribute::Kind::kString; out.s = a.s(); break;
    case AP::FLOAT: out.kind = OnnxAttribute::Kind::kFloat; out.f = a.f(); break;
    case AP::FLOATS: out.kind = OnnxAttribute::Kind::kFloats; out.floats.assign(a.floats().begin(), a.floats().end()); break;
    default: out.kind = OnnxAttribute::Kind::kOther; break;
  }
  return out;
}

std::vector<int64_t> shape_of(const onnx::ValueInfoProto& v) {
  std::vector<int64_t> s;
  if (!v.type().has_tensor_type()) return s;
  for (const auto& d : v.type().tensor_type().shape().dim()) s.push_back(d.has_dim_value() ? d.dim_value() : -1);
  return s;
}

}  // namespace

std::string OnnxAttribute::text() const {
  std::ostringstream o;
  switch (kind) {
    case Kind::kInt: o << i; break;
    case Kind::kString: o << '"' << s << '"'; break;
    case Kind::kFloat: o << f; break;
    case Kind::kInts:
      o << '[';
      for (size_t k = 0; k < ints.size(); ++k) o << (k ? ", " : "") << ints[k];
      o << ']';
      break;
    case Kind::kFloats:
      o << '[';
      for (size_t k = 0; k < floats.size(); ++k) o << (k ? ", " : "") << floats[k];
      o << ']';
      break;
    case Kind::kOther: o << "(a graph, tensor or other attribute type)"; break;
  }
  return o.str();
}

int64_t OnnxTensor::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

OnnxModel read_onnx_model(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ImportError(path + ": cannot open the ONNX model");
  onnx::ModelProto proto;
  if (!proto.ParseFromIstream(&f)) throw ImportError(path + ": not an ONNX model (the protobuf does not parse)");
  OnnxModel m;
  m.path = path;
  const auto& g = proto.graph();
  m.graph_name = g.name();
  for (const auto& t : g.initializer()) m.initializers[t.name()] = to_tensor(t, path);
  for (const auto& v : g.input())
    if (!m.initializers.count(v.name())) m.inputs.push_back({v.name(), shape_of(v)});
  for (const auto& v : g.output()) m.outputs.push_back({v.name(), shape_of(v)});
  for (const auto& qa : g.quantization_annotation())
    for (const auto& kv : qa.quant_parameter_tensor_names())
      if (kv.key() == "finn_datatype") m.finn_datatypes[qa.tensor_name()] = kv.value();
  std::set<std::string> names;
  std::map<std::string, int> unnamed;  // per op_type
  for (int k = 0; k < g.node_size(); ++k) {
    const auto& n = g.node(k);
    OnnxNode node;
    // ONNX allows unnamed nodes (cybsec_PE_SIMD.onnx has them): named as
    // FINN's GiveUniqueNodeNames names them, op_type and a count per op_type
    // in graph order, which is how FINN's folding configs key them.
    node.name = n.name().empty() ? n.op_type() + "_" + std::to_string(unnamed[n.op_type()]++) : n.name();
    if (!names.insert(node.name).second) throw ImportError(path + ": two nodes named '" + node.name + "'");
    node.op_type = n.op_type();
    node.domain = n.domain();
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    for (const auto& a : n.attribute()) node.attributes[a.name()] = to_attribute(a);
    m.nodes.push_back(std::move(node));
  }
  return m;
}

}  // namespace vine::import
