#include "models/engine/compute_engine.h"

#include <algorithm>
#include <stdexcept>

#include "models/engine/engine_ddr_image.h"
#include "models/memory/ddr_config.h"
#include "models/memory/ddr_memory.h"
#include "models/memory/payload.h"
#include "models/pe/rtl_timing_error.h"
#include "sim/engine/engine_estimate.h"
#include "sim/golden/ovsf.h"

namespace vine::models {

using golden::IntTensor;
using ir::LayerKind;

namespace {

// The engine's initiator id on a DDR it owns (one master, the only one).
constexpr int kEngineInitiator = 0;

void debug_write(DdrMemory& ddr, uint64_t address, std::vector<uint8_t>& bytes,
                 const std::string& what) {
  tlm::tlm_generic_payload p;
  prepare_payload(p, tlm::TLM_WRITE_COMMAND, address, bytes.data(), unsigned(bytes.size()));
  if (ddr.transport_dbg(kEngineInitiator, p) != bytes.size())
    throw EngineDmaError("engine: " + what + " (" + std::to_string(bytes.size()) +
                         " bytes at " + std::to_string(address) + ") does not fit the DDR's " +
                         std::to_string(ddr.store().capacity()) + " bytes");
}

golden::AccTensor widen(const IntTensor& t) {
  golden::AccTensor w(t.h, t.w, t.c);
  std::copy(t.data.begin(), t.data.end(), w.data.begin());
  return w;
}

IntTensor narrow_codes(const golden::AccTensor& t) {
  IntTensor n(t.h, t.w, t.c);
  std::copy(t.data.begin(), t.data.end(), n.data.begin());  // a unit's codes: 32-bit already
  return n;
}

}  // namespace

ComputeEngine::ComputeEngine(const ir::Design& d, const golden::NetworkParams& params,
                             DdrTransport ddr)
    : design_(d),
      params_(params),
      reference_(d.network, params),
      plan_(engine::plan_engine(d)),
      clock_(engine::engine_clock_period(d.clock_mhz)),
      dma_(std::move(ddr), clock_) {}

ComputeEngine::ComputeEngine(const ir::Design& d, const golden::NetworkParams& params)
    : ComputeEngine(d, params, nullptr) {
  owned_ddr_ = std::make_unique<DdrMemory>(sc_core::sc_gen_unique_name("engine_ddr"),
                                           DdrConfig::from_device(d.device));
  DdrMemory* m = owned_ddr_.get();
  dma_ = EngineDma(
      [m](tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
        m->b_transport(kEngineInitiator, p, delay);
      },
      clock_);
  for (DdrRegion& r : parameter_image(d, plan_, params)) debug_write(*m, r.address, r.bytes, r.what);
}

ComputeEngine::~ComputeEngine() = default;

IntTensor ComputeEngine::run_frame(const IntTensor& input, int64_t start,
                                   engine::EngineFigures& figures) {
  if (!owned_ddr_) throw std::logic_error("engine: run_frame needs the engine's own DDR");
  DdrRegion in = input_image(design_, plan_, input);
  debug_write(*owned_ddr_, in.address, in.bytes, in.what);
  run(start, figures);
  const engine::Transfer o = output_region(design_, plan_);
  std::vector<uint8_t> bytes(size_t(o.bytes));
  tlm::tlm_generic_payload p;
  prepare_payload(p, tlm::TLM_READ_COMMAND, o.address, bytes.data(), unsigned(bytes.size()));
  owned_ddr_->transport_dbg(kEngineInitiator, p);
  return decode_output(design_, bytes);
}

// The array's work on one tile, from the buffer halves it reads: a
// convolution's output rows [row_begin, row_end) of its group's channels, a
// fully connected layer's group of outputs, or a pooling, add or
// re-quantisation unit's rows (these through the layer's output stage).
golden::AccTensor ComputeEngine::compute_tile(const engine::EngineLayerPlan& lp,
                                      const engine::EngineTile& t, const std::vector<IntTensor>& in,
                                      const std::vector<int32_t>& w) const {
  const ir::Layer& l = design_.network.layers[size_t(lp.layer)];
  const int filters = t.oc_end - t.oc_begin;
  switch (l.kind) {
    case LayerKind::kConv:
    case LayerKind::kDwConv: {
      // The window rows the tile needs, the padding rows filled in.
      const int first = t.row_begin * l.stride_h - l.pad.top;
      const int rows = (t.row_end - 1 - t.row_begin) * l.stride_h + l.kernel_h;
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
      p.kernel_h = l.kernel_h, p.kernel_w = l.kernel_w;
      p.stride_h = l.stride_h, p.stride_w = l.stride_w;
      p.pads = {0, l.pad.left, 0, l.pad.right};
      p.pad_value = arith::activation_value(l.in_type.kind, l.pad_value);
      p.out_channels = l.kind == LayerKind::kDwConv ? l.in_shape.c : filters;
      p.groups = l.kind == LayerKind::kDwConv ? l.in_shape.c : 1;
      return golden::conv2d<int32_t, int64_t>(window, w, p);
    }
    case LayerKind::kFc:
      return golden::fully_connected<int32_t, int64_t>(in[0], w, filters);
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
      return widen(out);
    }
    default: {
      std::vector<const IntTensor*> ptrs;
      for (const auto& x : in) ptrs.push_back(&x);
      return widen(reference_.run_layer(size_t(lp.layer), ptrs));
    }
  }
}

int64_t ComputeEngine::run(int64_t start, engine::EngineFigures& figures,
                           const engine::EnginePlan& placed) {
  const ir::Network& net = design_.network;
  figures = {};
  figures.design = design_.name;
  figures.clock_mhz = design_.clock_mhz;
  figures.t_in = design_.engine.t_in;
  figures.t_out = design_.engine.t_out;
  figures.input_selective_pes = design_.engine.input_selective_pes;
  int64_t cycle = start;
  for (const engine::EngineLayerPlan& lp : placed.layers) {
    const ir::Layer& l = net.layers[size_t(lp.layer)];
    engine::EngineLayerFigures lf = engine::layer_figures(design_, lp);
    const std::vector<engine::EngineTile>& tiles = lp.tiles;
    const size_t n = tiles.size();
    const int64_t layer_start = cycle;
    // The buffers: two halves each.
    std::vector<IntTensor> input_half[2];
    std::vector<int32_t> weight_half[2];
    golden::AccTensor output_half[2];  // the array's sums, or a unit's codes
    IntTensor stored_half[2];          // the output stage's codes, as they go to DDR
    int weight_loads = 0;                          // which weight half the next load fills
    std::vector<int32_t> coefficients, codes;      // the coefficient buffer
    const bool produces_codes = !l.has_weights();  // the unit applied the output stage already
    const int weight_bytes = l.has_weights() ? int(engine::element_bytes(l.max_weight_bits())) : 0;

    if (!lp.coefficient_loads.empty()) {
      // The coefficients [filter][kept], then the kept codes (engine_ddr_image.h).
      int64_t t = cycle;
      std::vector<uint8_t> loaded;
      for (const auto& x : lp.coefficient_loads) {
        t = dma_.read(x, t, bytes_, "the coefficients of " + l.name);
        loaded.insert(loaded.end(), bytes_.begin(), bytes_.end());
        lf.ddr_read_bytes += int64_t(x.bytes);
        lf.weight_ddr_bytes += int64_t(x.bytes);
      }
      const int cb = int(engine::element_bytes(l.generated_weights->coeff_bits));
      const size_t ncoeffs = size_t(l.matrix_height()) * size_t(lp.kept);
      if (loaded.size() != ncoeffs * size_t(cb) + size_t(lp.kept) * 4)
        throw std::logic_error("engine: " + l.name + "'s coefficient load has " +
                               std::to_string(loaded.size()) + " bytes");
      coefficients = decode_elements(loaded.data(), ncoeffs, cb, true);
      codes = decode_elements(loaded.data() + ncoeffs * size_t(cb), size_t(lp.kept), 4, false);
      cycle += engine::account_phase(lf, 0, 0, t - cycle, 0);
    }
    int64_t weight_half_of_tile[2] = {0, 0};  // the half each of the last two tiles computes with
    for (size_t q = 0; q <= n + 1; ++q) {
      int64_t compute = 0, acts = 0, weights = 0, gen = 0;
      // The array: tile q - 1 from the halves its loads filled.
      if (q >= 1 && q <= n) {
        const engine::EngineTile& t = tiles[q - 1];
        compute = t.mac_cycles + design_.engine.tile_overhead_cycles;
        lf.macs += t.macs;
        const golden::AccTensor r = compute_tile(lp, t, input_half[t.row_tile % 2],
                                                 weight_half[weight_half_of_tile[(q - 1) % 2]]);
        golden::AccTensor& out = output_half[t.row_tile % 2];
        if (t.group == 0) out = golden::AccTensor(t.row_end - t.row_begin, l.out_shape.w, l.out_shape.c);
        for (int y = 0; y < r.h; ++y)
          for (int x = 0; x < r.w; ++x)
            for (int c = 0; c < r.c; ++c) out.at(y, x, t.oc_begin + c) = r.at(y, x, c);
        if (t.stores_outputs)
          stored_half[t.row_tile % 2] =
              produces_codes ? narrow_codes(out) : reference_.layer_output(size_t(lp.layer), out);
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
          } else {
            // The group's filters (a depthwise layer's: all of them) from DDR.
            wh.clear();
            for (const auto& x : t.weight_loads) {
              at = dma_.read(x, at, bytes_, "the weights of " + l.name);
              const std::vector<int32_t> v =
                  decode_elements(bytes_.data(), bytes_.size() / size_t(weight_bytes), weight_bytes, true);
              wh.insert(wh.end(), v.begin(), v.end());
              lf.ddr_read_bytes += int64_t(x.bytes);
              lf.weight_ddr_bytes += int64_t(x.bytes);
            }
            const int64_t expected = l.kind == LayerKind::kDwConv ? l.matrix_height() * len : count;
            if (int64_t(wh.size()) != expected)
              throw std::logic_error("engine: " + l.name + "'s weight load has " +
                                     std::to_string(wh.size()) + " weights, the group " +
                                     std::to_string(expected) + " (first " + std::to_string(first) + ")");
          }
          weights += at - cycle;  // the weights go first in the phase
          weight_half_of_tile[q % 2] = half;
        } else {
          weight_half_of_tile[q % 2] = weight_half_of_tile[(q + 1) % 2];  // the same group stays
        }
        if (t.loads_inputs) {
          // Each input's rows from its producer's region (a tile of padding
          // rows only reads nothing).
          std::vector<IntTensor>& ih = input_half[t.row_tile % 2];
          ih.clear();
          const int64_t before = at;
          size_t k = 0;
          for (int idx : l.input_index) {
            const ir::ActivationType& type = idx < 0 ? net.input_type : net.layers[size_t(idx)].out_type;
            const int eb = int(engine::element_bytes(type.bits));
            IntTensor rows(t.in_row_end - t.in_row_begin, l.in_shape.w, l.in_shape.c);
            if (rows.h > 0) {
              const engine::Transfer& x = t.input_loads.at(k++);
              at = dma_.read(x, at, bytes_, "the input rows of " + l.name);
              if (bytes_.size() != rows.size() * size_t(eb))
                throw std::logic_error("engine: " + l.name + "'s input load has " +
                                       std::to_string(bytes_.size()) + " bytes, its rows " +
                                       std::to_string(rows.size() * size_t(eb)));
              rows.data = decode_elements(bytes_.data(), rows.size(), eb,
                                          type.kind == ir::ActivationKind::kSigned);
              lf.ddr_read_bytes += int64_t(x.bytes);
            }
            ih.push_back(std::move(rows));
          }
          acts += at - before;
        }
      }
      if (q >= 2 && tiles[q - 2].stores_outputs) {
        const engine::EngineTile& t = tiles[q - 2];
        const IntTensor& out = stored_half[t.row_tile % 2];
        bytes_ = encode_elements(out.data.data(), out.size(),
                                 int(engine::element_bytes(l.out_type.bits)),
                                 "the output rows of " + l.name);
        const int64_t before = at;
        at = dma_.write(t.output_store, at, bytes_, "the output rows of " + l.name);
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
  return cycle;
}

}  // namespace vine::models
