#include "models/engine/compute_engine.h"

#include <algorithm>
#include <stdexcept>

#include "models/memory/ddr_config.h"
#include "models/pe/rtl_timing_error.h"
#include "sim/engine/engine_estimate.h"
#include "sim/golden/ovsf.h"

namespace vine::models {

using golden::IntTensor;
using ir::LayerKind;

ComputeEngine::ComputeEngine(const ir::Design& d, const golden::NetworkParams& params)
    : design_(d),
      params_(params),
      reference_(d.network, params),
      plan_(engine::plan_engine(d)),
      ddr_(DdrConfig::from_device(d.device)),
      clock_(engine::engine_clock_period(d.clock_mhz)) {}

int64_t ComputeEngine::dma(const engine::Transfer& t, int64_t at) {
  const DdrTiming::Access a = ddr_.schedule(t.address, t.bytes, clock_ * double(at));
  return engine::engine_cycles(a.completion, clock_);
}

namespace {

// Rows [begin, end) of a tensor, as the DMA copies them into a buffer half.
IntTensor rows_of(const IntTensor& t, int begin, int end) {
  IntTensor r(end - begin, t.w, t.c);
  std::copy(t.data.begin() + int64_t(begin) * t.w * t.c, t.data.begin() + int64_t(end) * t.w * t.c,
            r.data.begin());
  return r;
}

}  // namespace

// The array's work on one tile, from the buffer halves it reads: a
// convolution's output rows [row_begin, row_end) of its group's channels, a
// fully connected layer's group of outputs, or a pooling, add or
// re-quantisation unit's rows (these through the layer's output stage).
IntTensor ComputeEngine::compute_tile(const engine::EngineLayerPlan& lp,
                                      const engine::EngineTile& t, const std::vector<IntTensor>& in,
                                      const std::vector<int32_t>& w) const {
  const ir::Layer& l = design_.network.layers[size_t(lp.layer)];
  const int filters = t.oc_end - t.oc_begin;
  switch (l.kind) {
    case LayerKind::kConv:
    case LayerKind::kDwConv: {
      // The window rows the tile needs, the padding rows filled in.
      const int first = t.row_begin * l.stride - l.pad.top;
      const int rows = (t.row_end - 1 - t.row_begin) * l.stride + l.kernel;
      const IntTensor& half = in[0];
      IntTensor window(rows, half.w, half.c, int32_t(l.pad_value));
      for (int r = 0; r < rows; ++r) {
        const int iy = first + r;
        if (iy < 0 || iy >= l.in_shape.h) continue;  // a padding row
        if (iy < t.in_row_begin || iy >= t.in_row_end)
          throw std::logic_error("engine: " + l.name + " needs input row " + std::to_string(iy) +
                                 ", which its tile did not load");
        std::copy(half.data.begin() + int64_t(iy - t.in_row_begin) * half.w * half.c,
                  half.data.begin() + int64_t(iy - t.in_row_begin + 1) * half.w * half.c,
                  window.data.begin() + int64_t(r) * half.w * half.c);
      }
      golden::Conv2dParams p;
      p.kernel_h = p.kernel_w = l.kernel;
      p.stride_h = p.stride_w = l.stride;
      p.pads = {0, l.pad.left, 0, l.pad.right};
      p.pad_value = arith::activation_value(l.in_type.kind, l.pad_value);
      p.out_channels = l.kind == LayerKind::kDwConv ? l.in_shape.c : filters;
      p.groups = l.kind == LayerKind::kDwConv ? l.in_shape.c : 1;
      return golden::conv2d<int32_t, int32_t>(window, w, p);
    }
    case LayerKind::kFc:
      return golden::fully_connected<int32_t, int32_t>(in[0], w, filters);
    case LayerKind::kPad: {
      // The tile's output rows: input rows moved right by the left padding,
      // or padding rows.
      IntTensor out(t.row_end - t.row_begin, l.out_shape.w, l.out_shape.c, int32_t(l.pad_value));
      for (int y = t.row_begin; y < t.row_end; ++y) {
        const int iy = y - l.pad.top;
        if (iy < 0 || iy >= l.in_shape.h) continue;
        if (iy < t.in_row_begin || iy >= t.in_row_end)
          throw std::logic_error("engine: " + l.name + " needs input row " + std::to_string(iy) +
                                 ", which its tile did not load");
        for (int x = 0; x < l.in_shape.w; ++x)
          for (int c = 0; c < l.in_shape.c; ++c)
            out.at(y - t.row_begin, x + l.pad.left, c) = in[0].at(iy - t.in_row_begin, x, c);
      }
      return out;
    }
    default: {
      std::vector<const IntTensor*> ptrs;
      for (const auto& x : in) ptrs.push_back(&x);
      return reference_.run_layer(size_t(lp.layer), ptrs);
    }
  }
}

IntTensor ComputeEngine::run_frame(const IntTensor& input, int64_t start,
                                   engine::EngineFigures& figures) {
  const ir::Network& net = design_.network;
  figures = {};
  figures.design = design_.name;
  figures.clock_mhz = design_.clock_mhz;
  figures.t_in = design_.engine.t_in;
  figures.t_out = design_.engine.t_out;
  figures.input_selective_pes = design_.engine.input_selective_pes;
  std::vector<IntTensor> ddr_out(net.layers.size());  // every layer's output region
  int64_t cycle = start;
  for (const engine::EngineLayerPlan& lp : plan_.layers) {
    const ir::Layer& l = net.layers[size_t(lp.layer)];
    const golden::LayerParams& params = params_.layers[size_t(lp.layer)];
    engine::EngineLayerFigures lf = engine::layer_figures(design_, lp);
    const std::vector<engine::EngineTile>& tiles = lp.tiles;
    const size_t n = tiles.size();
    const int64_t layer_start = cycle;
    // The buffers: two halves each.
    std::vector<IntTensor> input_half[2];
    std::vector<int32_t> weight_half[2];
    IntTensor output_half[2];
    int weight_loads = 0;                          // which weight half the next load fills
    std::vector<int32_t> coefficients, codes;      // the coefficient buffer
    const bool produces_codes = !l.has_weights();  // the unit applied the output stage already
    ddr_out[size_t(lp.layer)] = IntTensor(l.out_shape.h, l.out_shape.w, l.out_shape.c);

    // Runs the DMA's transfers one after another from `at`; returns its cycles.
    auto transfers = [&](const std::vector<engine::Transfer>& ts, int64_t at, int64_t& bytes) {
      int64_t t = at;
      for (const auto& x : ts) {
        t = dma(x, t);
        bytes += int64_t(x.bytes);
      }
      return t - at;
    };
    if (!lp.coefficient_loads.empty()) {
      int64_t bytes = 0;
      const int64_t w = transfers(lp.coefficient_loads, cycle, bytes);
      lf.ddr_read_bytes += bytes;
      lf.weight_ddr_bytes += bytes;
      coefficients = params.ovsf->coeffs;
      codes = params.ovsf->codes;
      cycle += engine::account_phase(lf, 0, 0, w, 0);
    }
    int64_t weight_half_of_tile[2] = {0, 0};  // the half each of the last two tiles computes with
    for (size_t q = 0; q <= n + 1; ++q) {
      int64_t compute = 0, acts = 0, weights = 0, gen = 0;
      // The array: tile q - 1 from the halves its loads filled.
      if (q >= 1 && q <= n) {
        const engine::EngineTile& t = tiles[q - 1];
        compute = t.mac_cycles + design_.engine.tile_overhead_cycles;
        lf.macs += t.macs;
        const IntTensor r = compute_tile(lp, t, input_half[t.row_tile % 2],
                                         weight_half[weight_half_of_tile[(q - 1) % 2]]);
        IntTensor& out = output_half[t.row_tile % 2];
        if (t.group == 0) out = IntTensor(t.row_end - t.row_begin, l.out_shape.w, l.out_shape.c);
        for (int y = 0; y < r.h; ++y)
          for (int x = 0; x < r.w; ++x)
            for (int c = 0; c < r.c; ++c) out.at(y, x, t.oc_begin + c) = r.at(y, x, c);
        if (t.stores_outputs && !produces_codes)
          out = reference_.layer_output(size_t(lp.layer), out);
      }
      // The DMA: tile q's weights and inputs, then tile q - 2's output rows.
      int64_t at = cycle;
      if (q < n) {
        const engine::EngineTile& t = tiles[q];
        if (t.loads_weights) {
          const int half = weight_loads++ % 2;
          std::vector<int32_t>& wh = weight_half[half];
          const int64_t len = lp.filter_len;
          const int64_t first = int64_t(t.oc_begin) * len,
                        count = int64_t(t.oc_end - t.oc_begin) * len;
          if (l.kind == LayerKind::kDwConv) wh = params.weight_values;
          if (lp.generated) {
            // The generator: each filter of the group from its coefficients.
            gen = engine::generator_cycles(lp, t.oc_end - t.oc_begin);
            lf.generated_weights += t.generated_weights;
            const int kept = lp.kept;
            if (l.kind != LayerKind::kDwConv)
              wh.assign(size_t(count), 0);
            else
              wh.assign(size_t(l.matrix_height() * len), 0);
            const int f0 = l.kind == LayerKind::kDwConv ? 0 : t.oc_begin;
            const golden::OvsfCodeBank bank(codes.data(), kept, lp.code_length);
            for (int64_t f = 0; f < int64_t(wh.size()) / len; ++f)
              for (int64_t j = 0; j < len; ++j)
                wh[size_t(f * len + j)] = int32_t(
                    bank.weight(coefficients.data() + (f0 + f) * kept, int(j), l.weights->bits));
            if (const auto g = rtl_generators_.find(lp.layer); g != rtl_generators_.end()) {
              // The same filters out of the Verilated generator, checked group by group.
              const int64_t rtl = g->second->generate(l.name, cycle, coefficients, codes, f0,
                                                      int64_t(wh.size()) / len, len, wh);
              if (rtl != gen)
                throw RtlTimingError("layer " + l.name + ", weights generator '" + g->second->config().key() +
                                     "': tile " + std::to_string(q) + " generated in " + std::to_string(rtl) +
                                     " cycles on RTL, " + std::to_string(gen) + " in the model");
            }
          } else if (l.kind != LayerKind::kDwConv) {
            wh.assign(params.weight_values.begin() + first,
                      params.weight_values.begin() + first + count);
          }
          int64_t bytes = 0;
          const int64_t before = at;
          at += transfers(t.weight_loads, at, bytes);
          weights += at - before;
          lf.ddr_read_bytes += bytes;
          lf.weight_ddr_bytes += bytes;
          weight_half_of_tile[q % 2] = half;
        } else {
          weight_half_of_tile[q % 2] = weight_half_of_tile[(q + 1) % 2];  // the same group stays
        }
        if (t.loads_inputs) {
          std::vector<IntTensor>& ih = input_half[t.row_tile % 2];
          ih.clear();
          for (int idx : l.input_index) {
            const IntTensor& src = idx < 0 ? input : ddr_out[size_t(idx)];
            ih.push_back(rows_of(src, t.in_row_begin, t.in_row_end));
          }
          int64_t bytes = 0;
          const int64_t before = at;
          at += transfers(t.input_loads, at, bytes);
          acts += at - before;
          lf.ddr_read_bytes += bytes;
        }
      }
      if (q >= 2 && tiles[q - 2].stores_outputs) {
        const engine::EngineTile& t = tiles[q - 2];
        const IntTensor& out = output_half[t.row_tile % 2];
        IntTensor& dst = ddr_out[size_t(lp.layer)];
        std::copy(out.data.begin(), out.data.end(),
                  dst.data.begin() + int64_t(t.row_begin) * dst.w * dst.c);
        const int64_t before = at;
        at = dma(t.output_store, at);
        acts += at - before;
        lf.ddr_write_bytes += int64_t(t.output_store.bytes);
      }
      cycle += engine::account_phase(lf, compute, acts, weights, gen);
    }
    if (cycle - layer_start != lf.cycles)
      throw std::logic_error("engine: phase accounting out of step");
    figures.layers.push_back(std::move(lf));
  }
  figures.cycles = cycle - start;
  return std::move(ddr_out.back());
}

}  // namespace vine::models
