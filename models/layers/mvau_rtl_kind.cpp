// The mvau_rtl stage kind: the MVAU timed from FINN's RTL template MVAU_rtl
// (mvau_rtl.h); placed and computed as the HLS `mvau`, without an embedded
// output unit, as FINN builds it.
#include "models/layers/mvau_rtl.h"
#include "models/layers/stage_kinds.h"
#include "models/pe/pe_timing.h"

namespace vine::kinds {

namespace {

// The MVU's pipeline from the core's last beat of a neuron fold to the
// output handshake: mvu_8sx8u_dsp48.sv and mvu_4sx4u.sv both delay `last`
// through L[1:5] to `vld` (5 cycles); mvu_vvu_axi.sv's output register B
// adds 1 (models::kMvuVvuOutputRegister). Every shipped device is a DSP48
// part (zynq7, virtex7: DSP48E1; zynqmp, virtexup, alveo: DSP48E2); the DSP58 core of Versal parts
// (mvu_vvu_8sx9_dsp58.sv, 2 + its chain's pipeline stages) has none here.
constexpr int kDsp48CoreLatency = 5;

}  // namespace

void register_mvau_rtl_kinds(StageKindRegistry& r) {
  StageKindEntry k = r.at("mvau");
  k.name = "mvau_rtl";
  k.hls_kind = "mvau";
  k.summary =
      "Matrix-vector unit timed from FINN's RTL template (finn-rtllib mvu_vvu_axi.sv, DSP48 cores): NF x SF folds "
      "per input vector as the HLS unit, the input decoupled by the replay buffer, 2 + 5 + 1 cycles from an "
      "accepted beat to its PE results; no embedded output unit (FINN's MVAU_rtl writes accumulators).";
  k.refuses = [](const ir::Layer& l, const ir::LayerFolding& f) -> std::string {
    // specialize_layers.py, _mvu_rtl_possible, and mvu_vvu_axi.sv's checks.
    if (l.output.kind != ir::OutputKind::kAccumulator && !f.separate_thresholds())
      return "an accumulator output on " + l.name +
             " (FINN's RTL MVU has no embedded thresholds: put a threshold layer after it, or give the layer "
             "thresholds: {pe: N}, a threshold stage of its own)";
    if (l.weights && l.weights->arithmetic == ir::WeightArithmetic::kBinary)
      return "integer weights on " + l.name + " (FINN's RTL MVU has no binary XNOR mode)";
    if (l.max_weight_bits() > 8) return "weights of at most 8 bits on " + l.name + " (the DSP48 cores' limit)";
    if (l.in_type.bits > 8 || l.in_type.kind == ir::ActivationKind::kBipolar)
      return "integer activations of at most 8 bits on " + l.name + " (the DSP48 cores' limit)";
    if (f.weight_memory == ir::MemoryStyle::kDdr)
      return "on-chip weights on " + l.name + " (Vine models FINN's RTL MVU with its internal weight memory only)";
    if (f.backend == ir::PeBackend::kRtl)
      return "the C++ PE back-end on " + l.name + " (the co-simulated lanes follow the HLS unit's loop)";
    return "";
  };
  k.make = [](const StageBuild& b) -> std::unique_ptr<models::Stage> {
    const ir::StagePlan& s = b.plan;
    const ir::Layer& l = b.layer();
    const models::MatrixGeometry g{l.matrix_width(), l.matrix_height(), s.simd, s.pe, l.output_pixels()};
    models::PipelineTiming t = b.timing;
    auto rows = b.pe_rows ? b.pe_rows(t) : std::vector<models::RowBlock>{};
    return std::make_unique<models::MvauRtl>(s.name, t, b.frames, g, std::move(rows), b.output_unit());
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design& d) {
    // Read-to-write from the slot the core takes a fold's last beat (the
    // replay buffer's 2 cycles are in the loop's slots, mvau_rtl.h).
    return models::PipelineTiming{
        kDsp48CoreLatency + models::kMvuVvuOutputRegister + models::weight_decoder_latency(d.folding_of(s.layer)), -1};
  };
  // cycles: the HLS unit's NF x SF per vector, one fold per cycle, kept.
  r.add(std::move(k));
}

}  // namespace vine::kinds
