#include "sim/engine/engine_tiling.h"

#include <algorithm>

#include "sim/config/config_error.h"
#include "sim/golden/ovsf_size.h"

namespace vine::engine {

namespace {

using ir::LayerKind;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// Each region of the DDR image starts on a 4 KiB boundary (choice: a page, so
// that no region shares a burst with another).
constexpr uint64_t kRegionAlign = 4096;
uint64_t align_up(uint64_t a) {
  return (a + kRegionAlign - 1) / kRegionAlign * kRegionAlign;
}

[[noreturn]] void too_small(const ir::SourceLocation& where, const std::string& field, int64_t have,
                            int64_t need, const std::string& what) {
  ir::SourceLocation w = where;
  w.field = "engine." + field;
  throw config::ConfigError(w, std::to_string(have),
                            "at least " + std::to_string(need) + " bytes per half: " + what);
}

// The input rows a row tile of output rows [r0, r1) reads, inside the input.
std::pair<int, int> input_rows(const ir::Layer& l, int r0, int r1) {
  const bool windowed = l.kind == LayerKind::kConv || l.kind == LayerKind::kDwConv ||
                        l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kAvgPool;
  if (l.kind == LayerKind::kPad)  // output row y is input row y - top, or padding
    return {std::clamp(r0 - l.pad.top, 0, l.in_shape.h),
            std::clamp(r1 - l.pad.top, 0, l.in_shape.h)};
  if (!windowed) return {r0, r1};
  const int first = r0 * l.stride_h - l.pad.top;
  const int last = (r1 - 1) * l.stride_h - l.pad.top + l.kernel_h;  // exclusive
  return {std::clamp(first, 0, l.in_shape.h), std::clamp(last, 0, l.in_shape.h)};
}

}  // namespace

EnginePlan plan_engine(const ir::Design& d) {
  const ir::EngineConfig& e = d.engine;
  const ir::Network& net = d.network;
  EnginePlan plan;
  uint64_t next = 0;
  auto region = [&](uint64_t bytes) {
    const uint64_t at = next;
    next = align_up(next + std::max<uint64_t>(bytes, 1));
    return at;
  };
  plan.input_address =
      region(uint64_t(net.input_shape.elements() * element_bytes(net.input_type.bits)));
  // Weights and coefficients first, then the activations, in layer order.
  std::vector<uint64_t> weight_address(net.layers.size()), output_address(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const ir::Layer& l = net.layers[i];
    if (!l.has_weights()) continue;
    if (l.generated_weights) {
      const int code_length = golden::ovsf_code_length(l.matrix_width());
      const int kept = golden::ovsf_kept_codes(code_length, l.generated_weights->kept_ratio);
      weight_address[i] = region(uint64_t(
          l.matrix_height() * kept * element_bytes(l.generated_weights->coeff_bits) + kept * 4));
    } else {
      weight_address[i] = region(
          uint64_t(l.matrix_height() * l.matrix_width() * element_bytes(l.max_weight_bits())));
    }
  }
  for (size_t i = 0; i < net.layers.size(); ++i)
    output_address[i] = region(
        uint64_t(net.layers[i].out_shape.elements() * element_bytes(net.layers[i].out_type.bits)));
  plan.ddr_bytes = next;

  for (size_t i = 0; i < net.layers.size(); ++i) {
    const ir::Layer& l = net.layers[i];
    EngineLayerPlan lp;
    lp.layer = int(i);
    lp.name = l.name;
    lp.output_address = output_address[i];
    switch (l.kind) {
      case LayerKind::kConv:
      case LayerKind::kDwConv:
      case LayerKind::kFc:
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
      case LayerKind::kAdd:
      case LayerKind::kPad:
      case LayerKind::kThreshold:
      case LayerKind::kRequant:
        break;
      default:
        throw config::ConfigError(
            l.where, std::string("a ") + ir::to_string(l.kind) + " layer",
            "a layer kind the compute engine runs (conv, dwconv, fc, maxpool, avgpool, add, "
            "pad, threshold, requant); the engine template does not run " +
                std::string(ir::to_string(l.kind)) + " layers yet (docs/engine.md)");
    }
    if (l.has_weights()) {
      // The array multiplies integers: XNOR-popcount layers are not engine layers.
      if (l.in_type.kind == ir::ActivationKind::kBipolar)
        throw config::ConfigError(
            l.where, "bipolar input on " + l.name,
            "integer activations: the compute engine's array multiplies integers "
            "(binary XNOR-popcount layers run on streaming designs only)");
      for (int ch = 0; ch < int(l.matrix_height()); ++ch)
        if (l.weight_type_of_channel(ch).arithmetic == ir::WeightArithmetic::kBinary)
          throw config::ConfigError(
              l.where, "binary weights on " + l.name,
              "fixed, pow2 or ternary weights: the compute engine's array multiplies "
              "integers (binary XNOR-popcount layers run on streaming designs only)");
    }
    const int in_b = int(element_bytes(l.in_type.bits)),
              out_b = int(element_bytes(l.out_type.bits));
    const int ho = l.out_shape.h, wo = l.out_shape.w, co = l.out_shape.c;
    const int wi = l.in_shape.w, ci = l.in_shape.c;
    const int inputs = int(l.input_index.size());
    // Weights: one group of T_out filters (a conv's or fc's), or all of a
    // depthwise layer's channels in one group.
    lp.groups = 1;
    int64_t group_weights = 0;  // weights of the largest group
    if (l.has_weights()) {
      lp.filter_len = l.matrix_width();
      if (l.kind == LayerKind::kDwConv) {
        group_weights = l.matrix_height() * l.matrix_width();
      } else {
        lp.groups = int(ceil_div(l.matrix_height(), e.t_out));
        group_weights = std::min<int64_t>(e.t_out, l.matrix_height()) * l.matrix_width();
      }
      lp.weight_tile_bytes = group_weights * element_bytes(l.max_weight_bits());
      if (l.generated_weights) {
        lp.generated = true;
        lp.code_length = golden::ovsf_code_length(l.matrix_width());
        lp.kept = golden::ovsf_kept_codes(lp.code_length, l.generated_weights->kept_ratio);
        lp.generator_lanes = std::min(e.generator_lanes, lp.code_length);
        lp.coefficient_bytes =
            l.matrix_height() * lp.kept * element_bytes(l.generated_weights->coeff_bits) +
            lp.kept * 4;
        if (lp.coefficient_bytes > e.coefficient_buffer_bytes)
          too_small(e.coefficient_buffer_where, "coefficient_buffer_bytes",
                    e.coefficient_buffer_bytes, lp.coefficient_bytes,
                    l.name + "'s OVSF coefficients (" + std::to_string(l.matrix_height()) +
                        " filters x " + std::to_string(lp.kept) + " kept codes x " +
                        std::to_string(element_bytes(l.generated_weights->coeff_bits)) +
                        " bytes, and " + std::to_string(lp.kept) + " code indices x 4 bytes)");
        lp.coefficient_loads.push_back({weight_address[i], uint64_t(lp.coefficient_bytes)});
      }
      if (lp.weight_tile_bytes > e.weight_buffer_bytes)
        too_small(e.weight_buffer_where, "weight_buffer_bytes", e.weight_buffer_bytes,
                  lp.weight_tile_bytes,
                  l.name + "'s weight tile (" + std::to_string(group_weights / l.matrix_width()) +
                      " filters x " + std::to_string(l.matrix_width()) + " weights x " +
                      std::to_string(element_bytes(l.max_weight_bits())) + " bytes)");
    }
    // Rows per tile: the most output rows whose input rows and output rows
    // fit a half of their buffers (a fully connected layer reads its whole
    // input as one row tile).
    auto in_bytes = [&](int rows_out) {
      if (l.kind == LayerKind::kFc) return l.in_shape.elements() * in_b;
      // The tallest row tile of this height (a tile at the top or bottom
      // reads fewer rows where the padding is).
      int64_t rows_in = 0;
      for (int r0 = 0; r0 < ho; r0 += rows_out) {
        const auto [a, b] = input_rows(l, r0, std::min(ho, r0 + rows_out));
        rows_in = std::max<int64_t>(rows_in, b - a);
      }
      return int64_t{inputs} * rows_in * wi * ci * in_b;
    };
    auto out_bytes = [&](int rows_out) { return int64_t{rows_out} * wo * co * out_b; };
    int rows = l.kind == LayerKind::kFc ? ho : 0;
    if (!rows)
      for (int r = ho; r >= 1; --r)
        if (in_bytes(r) <= e.input_buffer_bytes && out_bytes(r) <= e.output_buffer_bytes) {
          rows = r;
          break;
        }
    if (!rows || in_bytes(rows) > e.input_buffer_bytes) {
      const int r = rows ? rows : 1;
      if (in_bytes(r) > e.input_buffer_bytes)
        too_small(e.input_buffer_where, "input_buffer_bytes", e.input_buffer_bytes, in_bytes(r),
                  l.name + "'s input for one output row (" + std::to_string(inputs) +
                      " input(s), " + std::to_string(wi) + " columns x " + std::to_string(ci) +
                      " channels x " + std::to_string(in_b) + " bytes per row read)");
    }
    if (!rows || out_bytes(rows) > e.output_buffer_bytes)
      too_small(e.output_buffer_where, "output_buffer_bytes", e.output_buffer_bytes, out_bytes(1),
                l.name + "'s output row (" + std::to_string(wo) + " columns x " +
                    std::to_string(co) + " channels x " + std::to_string(out_b) + " bytes)");
    lp.rows_per_tile = rows;
    lp.row_tiles = int(ceil_div(ho, rows));
    lp.input_tile_bytes = in_bytes(rows);
    lp.output_tile_bytes = out_bytes(rows);

    for (int rt = 0; rt < lp.row_tiles; ++rt)
      for (int g = 0; g < lp.groups; ++g) {
        EngineTile t;
        t.row_tile = rt;
        t.group = g;
        t.row_begin = rt * rows;
        t.row_end = std::min(ho, t.row_begin + rows);
        std::tie(t.in_row_begin, t.in_row_end) = l.kind == LayerKind::kFc
                                                     ? std::pair<int, int>{0, l.in_shape.h}
                                                     : input_rows(l, t.row_begin, t.row_end);
        const bool grouped = l.has_weights() && l.kind != LayerKind::kDwConv;
        t.oc_begin = grouped ? g * e.t_out : 0;
        t.oc_end = grouped ? std::min<int>(co, t.oc_begin + e.t_out) : co;
        t.loads_inputs = g == 0;
        t.loads_weights = l.has_weights() && (lp.tiles.empty() || lp.groups > 1);
        t.stores_outputs = g == lp.groups - 1;
        const int filters = t.oc_end - t.oc_begin;
        if (t.loads_weights) {
          if (lp.generated)
            t.generated_weights = int64_t{filters} * l.matrix_width();
          else
            t.weight_loads.push_back(
                {weight_address[i] + uint64_t(int64_t{t.oc_begin} * l.matrix_width() *
                                              element_bytes(l.max_weight_bits())),
                 uint64_t(int64_t{filters} * l.matrix_width() *
                          element_bytes(l.max_weight_bits()))});
        }
        if (t.loads_inputs)
          for (int in : l.input_index) {
            const uint64_t base = in < 0 ? plan.input_address : output_address[size_t(in)];
            const int64_t row_bytes = int64_t{wi} * ci * in_b;
            // A tile made only of padding rows (a pad layer's) reads nothing:
            // no transfer is issued.
            if (t.in_row_end > t.in_row_begin)
              t.input_loads.push_back({base + uint64_t(t.in_row_begin * row_bytes),
                                       uint64_t((t.in_row_end - t.in_row_begin) * row_bytes)});
          }
        if (t.stores_outputs) {
          const int64_t row_bytes = int64_t{wo} * co * out_b;
          t.output_store = {output_address[i] + uint64_t(t.row_begin * row_bytes),
                            uint64_t((t.row_end - t.row_begin) * row_bytes)};
        }
        const int64_t pixels = int64_t{t.row_end - t.row_begin} * wo;
        const int64_t kk = l.kernel_positions();
        switch (l.kind) {
          case LayerKind::kConv: {
            // Wired lanes: each kernel position a cycle per T_in input
            // channels, so ci < T_in leaves T_in - ci lanes idle. Selective
            // lanes: the window's kk x ci words, T_in of them a cycle.
            const int64_t window = e.input_selective_pes ? ceil_div(kk * ci, e.t_in)
                                                         : kk * ceil_div(ci, e.t_in);
            // Selective dot products: a group of fewer than T_out filters
            // leaves T_out - filters dot products idle, so they take the
            // next pixels' windows, floor(T_out / filters) pixels at once
            // (dot product j: pixel j / filters, filter j % filters), the
            // tile's pixels in raster order, a set running on into the next
            // row. The last set is counted whole: its idle dot products wait
            // for the set's window as in the wired array.
            if (e.input_selective_pes && filters < e.t_out)
              t.pixels_per_set = int(std::min<int64_t>(e.t_out / filters, pixels));
            t.mac_cycles = ceil_div(pixels, t.pixels_per_set) * window;
            t.macs = pixels * kk * ci * filters;
            break;
          }
          case LayerKind::kFc:
            t.mac_cycles = ceil_div(l.matrix_width(), e.t_in);
            t.macs = l.matrix_width() * filters;
            break;
          case LayerKind::kDwConv:
            // Wired lanes: one input channel per dot product, so T_in - 1 of
            // its lanes idle. Selective lanes: the channel's kk window words,
            // T_in of them a cycle.
            t.mac_cycles = (e.input_selective_pes ? pixels * ceil_div(kk, e.t_in) : pixels * kk) *
                           ceil_div(co, e.t_out);
            t.macs = pixels * kk * co;
            break;
          case LayerKind::kMaxPool:
          case LayerKind::kAvgPool:  // T_out channels of one window position per cycle
            t.mac_cycles = pixels * kk * ceil_div(co, e.t_out);
            break;
          default:  // add, pad, threshold, requant: T_out channels of one pixel per cycle
            t.mac_cycles = pixels * ceil_div(co, e.t_out);
            break;
        }
        lp.tiles.push_back(std::move(t));
      }
    plan.layers.push_back(std::move(lp));
  }
  return plan;
}

}  // namespace vine::engine
