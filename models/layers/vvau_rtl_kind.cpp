// The vvau_rtl stage kind: the depthwise VVAU timed from FINN's RTL template
// VVAU_rtl (finn-rtllib/mvu/mvu_vvu_axi.sv with IS_MVU = 0 and its only VVU
// compute core, mvu_vvu_8sx9_dsp58.sv); placed and computed as the HLS
// `vvau`, without an embedded output unit, as FINN builds it.
//
// The VVU's replay buffer is instantiated with REP = 1 (replay_buffer.sv:
// a wire, irdy = ordy): every beat of PE channels at one kernel position
// goes straight into the core, one per cycle, so the loop is the HLS unit's
// (vvau.h: C/PE x K*K beats per output pixel, a write on the last kernel
// position) and only the pipeline depth differs.
#include "models/layers/stage_kinds.h"
#include "models/layers/vvau.h"
#include "models/pe/pe_timing.h"

namespace vine::kinds {

namespace {

// mvu_vvu_8sx9_dsp58.sv: the `last` flag runs through L[0:1+MAX_PIPELINE_STAGES]
// to vld = L[0], that is 2 + MAX_PIPELINE_STAGES registers (the DSP's A/B
// input register, its M and P registers, and the chain's pipeline
// registers), with MAX_PIPELINE_STAGES = ceil(CHAINLEN / SEGLEN) and CHAINLEN
// = ceil(SIMD / 3) DSPs per PE. Vine's VVAU reads SIMD 1 (the HLS kind's
// make refuses more): a chain of one DSP, one stage whatever segment length
// the clock gives (_resolve_segment_len in vectorvectoractivation_rtl.py):
// 2 + 1 = 3 cycles.
constexpr int kDsp58CoreLatency = 3;
// mvu_vvu_axi.sv's output register slice: register B drives tvalid, 1 cycle.
constexpr int kOutputRegister = 1;

}  // namespace

void register_vvau_rtl_kinds(StageKindRegistry& r) {
  StageKindEntry k = r.at("vvau");
  k.name = "vvau_rtl";
  k.hls_kind = "vvau";
  k.summary =
      "Vector-vector unit timed from FINN's RTL template (finn-rtllib mvu_vvu_axi.sv with the DSP58 VVU core): one "
      "beat of PE channels per cycle as the HLS unit, no replay buffer, 3 + 1 cycles from a channel fold's last "
      "beat to its PE results; no embedded output unit (FINN's VVAU_rtl writes accumulators).";
  k.refuses = [](const ir::Layer& l, const ir::LayerFolding& f) -> std::string {
    // specialize_layers.py, _vvu_rtl_possible, and mvu_vvu_axi.sv's checks.
    if (l.output.kind != ir::OutputKind::kAccumulator)
      return "an accumulator output on " + l.name +
             " (FINN's RTL VVU has no embedded thresholds: put a threshold layer after it)";
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
        kDsp58CoreLatency + kOutputRegister + models::weight_decoder_latency(d.folding_of(s.layer)), -1};
  };
  // cycles: the HLS unit's C/PE x K*K per output pixel, one beat per cycle, kept.
  r.add(std::move(k));
}

}  // namespace vine::kinds
