// The VVAU stage kind: the vector-vector-activation unit of depthwise conv
// layers, thresholds or requantiser embedded.
#include "models/layers/stage_kinds.h"
#include "models/layers/vvau.h"
#include "models/pe/pe_timing.h"
#include "sim/estimate/resource_model.h"

namespace vine::kinds {

void register_vvau_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "vvau";
  k.role = "vvau";
  k.summary =
      "Vector-vector-activation unit (finn-hlslib Vector_Vector_Activate_Batch): PE channels at "
      "once, SIMD kernel positions per beat, output unit embedded.";
  k.params = {{"pe", &ir::StagePlan::pe, "PE: channels computed at once"},
              {"simd", &ir::StagePlan::simd,
               "SIMD: kernel positions per beat, a divisor of K x K"},
              {"channels", &ir::StagePlan::channels, "channels, C"},
              {"kernel_h", &ir::StagePlan::kernel_h, "kernel rows, KH"},
              {"kernel_w", &ir::StagePlan::kernel_w, "kernel columns, KW"},
              {"ofm_h", &ir::StagePlan::ofm_h, "output rows"},
              {"ofm_w", &ir::StagePlan::ofm_w, "output columns"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.from_layer = [](const LayerSite& site, ir::StagePlan& s) {
    const ir::Layer& l = site.layer;
    const ir::LayerFolding& f = site.folding;
    // A beat of SIMD kernel positions of PE channels (FINN's folded input
    // shape: SF x NF beats of SIMD x PE per pixel).
    s.in_stream_bits = f.simd * f.pe * l.in_type.bits;
    // Thresholds a stage of their own: the VVAU writes accumulators.
    s.out_stream_bits = f.pe * (f.separate_thresholds() ? ir::accumulator_bits(l) : l.out_type.bits);
    s.in_words = l.output_pixels() * l.kernel_positions() * l.in_shape.c / (int64_t{f.pe} * f.simd);
    s.out_words = l.output_pixels() * l.in_shape.c / f.pe;
  };
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    const ir::Layer& l = b.layer();
    if (b.weights_streamed())  // weights from DDR on input 1
      return std::make_unique<models::Vvau>(
          s.name, b.timing, b.frames, l.in_shape.c, int(l.kernel_positions()), s.pe, l.output_pixels(),
          b.weight_lanes(), b.output_unit());
    models::PipelineTiming t = b.timing;
    if (auto rtl = b.rtl_pe_array ? b.rtl_pe_array(t) : nullptr)
      return std::make_unique<models::Vvau>(s.name, t, b.frames, l.in_shape.c, int(l.kernel_positions()), s.pe, l.output_pixels(),
                                            std::move(rtl), b.output_unit());
    auto rows = b.pe_rows(t);
    return std::make_unique<models::Vvau>(s.name, t, b.frames, l.in_shape.c, int(l.kernel_positions()),
                                          s.pe, s.simd, l.output_pixels(), std::move(rows),
                                          b.output_unit());
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design& d) {
    // SIMD kernel positions per cycle: the MVAU's lanes of SIMD, one per PE
    // Thresholds a stage of their own: no output unit in the VVAU's pipeline.
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    const ir::LayerFolding& f = d.folding_of(s.layer);
    return models::PipelineTiming{models::pe_array_latency(l, s.simd) + models::weight_decoder_latency(f) -
                                      (f.separate_thresholds() ? models::output_unit_latency(l) : 0),
                                  -1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    return int64_t{s.channels} * s.kernel_h * s.kernel_w / (int64_t{s.pe} * s.simd) * l.output_pixels();
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design& d) {
    return estimate::compute_unit_resources(s, d);
  };
  r.add(std::move(k), ir::StageKind::kVvau);
}

}  // namespace vine::kinds
