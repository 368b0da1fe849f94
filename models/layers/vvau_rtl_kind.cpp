// The vvau_rtl stage kind: the depthwise VVAU timed from FINN's RTL template
// VVAU_rtl (finn-rtllib/mvu/mvu_vvu_axi.sv with IS_MVU = 0 and its only VVU
// compute core, mvu_vvu_8sx9_dsp58.sv); placed and computed as the HLS
// `vvau`, without an embedded output unit, as FINN builds it.
//
// The VVU's replay buffer is instantiated with REP = 1 (replay_buffer.sv:
// a wire, irdy = ordy): every beat of PE channels at one kernel position
// goes straight into the core, one per cycle, so the loop is the HLS unit's
// (vvau.h: C/PE x K*K/SIMD beats per output pixel, a write on the last beat
// of a channel fold) and only the pipeline depth differs.
#include <algorithm>
#include <cmath>

#include "models/layers/stage_kinds.h"
#include "models/layers/vvau.h"
#include "models/pe/pe_timing.h"

namespace vine::kinds {

namespace {

// mvu_vvu_8sx9_dsp58.sv: the `last` flag runs through L[0:1+MAX_PIPELINE_STAGES]
// to vld = L[0], that is 2 + MAX_PIPELINE_STAGES registers (the DSP's A/B
// input register, its M and P registers, and the chain's pipeline
// registers), with MAX_PIPELINE_STAGES = ceil(CHAINLEN / SEGLEN), CHAINLEN =
// ceil(SIMD / 3) DSPs per PE (three 9-bit lanes each) and SEGLEN the DSPs
// between pipeline registers. FINN sets SEGLEN from the clock target
// (_resolve_segment_len in vectorvectoractivation_rtl.py): as many DSPs as
// fit the period at 0.741 ns for the first and 0.605 ns for each further
// one, at most the chain. With SIMD 1 to 3 the chain is one DSP: 3 cycles.
int dsp58_core_latency(int simd, double clock_mhz) {
  const int chain = (simd + 2) / 3;
  const double period_ns = 1000.0 / clock_mhz;  // clock_mhz <= 1000: above the 0.741 ns FINN asserts
  const int fit = int(std::floor((period_ns - 0.741) / 0.605 + 1));
  const int segment = std::min(std::max(fit, 1), chain);
  return 2 + (chain + segment - 1) / segment;
}

}  // namespace

void register_vvau_rtl_kinds(StageKindRegistry& r) {
  StageKindEntry k = r.at("vvau");
  k.name = "vvau_rtl";
  k.hls_kind = "vvau";
  k.summary =
      "Vector-vector unit timed from FINN's RTL template (finn-rtllib mvu_vvu_axi.sv with the DSP58 VVU core): one "
      "beat of SIMD kernel positions of PE channels per cycle as the HLS unit, no replay buffer, 2 + ceil(chain / "
      "segment) + 1 cycles from a channel fold's last beat to its PE results (a chain of ceil(SIMD / 3) DSP58s per "
      "PE); no embedded output unit (FINN's VVAU_rtl writes accumulators).";
  k.refuses = [](const ir::Layer& l, const ir::LayerFolding& f) -> std::string {
    // specialize_layers.py, _vvu_rtl_possible, and mvu_vvu_axi.sv's checks.
    if (l.output.kind != ir::OutputKind::kAccumulator && !f.separate_thresholds())
      return "an accumulator output on " + l.name +
             " (FINN's RTL VVU has no embedded thresholds: put a threshold layer after it, or give the layer "
             "thresholds: {pe: N}, a threshold stage of its own)";
    if (l.weights && l.weights->arithmetic == ir::WeightArithmetic::kBinary)
      return "integer weights on " + l.name + " (FINN's RTL VVU multiplies signed integers on DSP58s)";
    if (l.max_weight_bits() > 8) return "weights of at most 8 bits on " + l.name + " (the DSP58 core's limit)";
    if (l.in_type.kind == ir::ActivationKind::kBipolar ||
        (l.in_type.bits > 8 && !(l.in_type.bits == 9 && l.in_type.kind == ir::ActivationKind::kSigned)))
      return "integer activations of at most 8 bits, or signed 9 bits, on " + l.name + " (the DSP58 core's limit)";
    if (f.weight_memory == ir::MemoryStyle::kDdr)
      return "on-chip weights on " + l.name + " (Vine models FINN's RTL VVU with its internal weight memory only)";
    if (f.backend == ir::PeBackend::kRtl)
      return "the C++ PE back-end on " + l.name + " (the co-simulated lanes belong to the HLS unit)";
    return "";
  };
  const auto hls_make = k.make;
  k.make = [hls_make](const StageBuild& b) {
    auto stage = hls_make(b);
    static_cast<models::Vvau&>(*stage).set_kind("vvau_rtl");
    return stage;
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design& d) {
    return models::PipelineTiming{
        dsp58_core_latency(s.simd, d.clock_mhz) + models::kMvuVvuOutputRegister +
            models::weight_decoder_latency(d.folding_of(s.layer)),
        -1};
  };
  // FINN's dsp_estimation: PE chains of ceil(SIMD / 3) DSP58s, in place of
  // the HLS lanes' DSPs; the rest (weight memory, control) is the HLS kind's.
  const auto hls_resources = k.resources;
  k.resources = [hls_resources](const ir::StagePlan& s, const ir::Design& d) {
    ir::Resources r = hls_resources(s, d);
    r.dsp = double(int64_t{s.pe} * ((s.simd + 2) / 3));
    return r;
  };
  // cycles: the HLS unit's C/PE x K*K/SIMD per output pixel, one beat per cycle, kept.
  r.add(std::move(k));
}

}  // namespace vine::kinds
