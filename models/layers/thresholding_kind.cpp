// The threshold stage kind: a standalone multi-threshold or requantiser
// layer, or the thresholds of a conv, dwconv or fc layer given a stage of
// their own (`thresholds: {pe: N}`; otherwise they live inside the
// MVAU/VVAU).
#include <algorithm>

#include "models/layers/stage_kinds.h"
#include "models/layers/thresholding.h"
#include "models/pe/pe_timing.h"
#include "sim/estimate/resource_model.h"

namespace vine::kinds {

void register_thresholding_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "threshold";
  k.role = "threshold";
  k.summary =
      "Multi-threshold or requantiser unit (finn-hlslib Thresholding_Batch) of a threshold or "
      "requant layer, or after the MVAU or VVAU of a layer whose thresholds are a stage of their own, reading its "
      "accumulators: PE channels per beat, one beat per cycle.";
  k.params = {{"pe", &ir::StagePlan::pe, "PE: channels per beat"},
              {"ofm_h", &ir::StagePlan::ofm_h, "rows"},
              {"ofm_w", &ir::StagePlan::ofm_w, "columns"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.from_layer = [](const LayerSite& site, ir::StagePlan& s) {
    if (!site.layer.has_weights()) return plan_pe_streams(site, s);
    // A conv, dwconv or fc layer's thresholds as a stage of their own
    // (`thresholds: {pe: N}`): N accumulators a beat from its MVAU or VVAU.
    const ir::Layer& l = site.layer;
    s.pe = site.folding.threshold_pe;
    s.simd = 1;
    s.in_stream_bits = s.pe * site.in_elem_bits;
    s.out_stream_bits = s.pe * l.out_type.bits;
    s.in_words = s.out_words = l.out_shape.elements() / s.pe;
  };
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    models::PipelineTiming t = b.timing;
    if (auto rtl = b.rtl_output_array ? b.rtl_output_array(t) : nullptr)
      return std::make_unique<models::Thresholding>(s.name, t, b.frames, s.in_words, b.layer().out_shape.c, s.pe,
                                                    b.output_unit(), std::move(rtl));
    return std::make_unique<models::Thresholding>(s.name, b.timing, b.frames, s.in_words,
                                                  b.layer().out_shape.c, s.pe, b.output_unit());
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design& d) {
    return models::PipelineTiming{
        std::max(1, models::output_unit_latency(d.network.layers.at(size_t(s.layer)))), -1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    return int64_t{s.ofm_h} * s.ofm_w * (l.out_shape.c / s.pe);
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    const int64_t thr = estimate::thresholds_per_channel(l);
    // The comparators' width: the accumulators' after an MVAU or VVAU.
    const int in_bits = l.has_weights() ? ir::accumulator_bits(l) : l.in_type.bits;
    ir::Resources res;
    res.lut = 100 + double(s.pe) * std::max<int64_t>(thr, 1) * in_bits;
    res.ff = 100 + double(s.in_stream_bits + s.out_stream_bits);
    if (thr) res += estimate::buffer_resources(int64_t{s.pe} * thr * in_bits, l.out_shape.c / s.pe);
    return res;
  };
  r.add(std::move(k), ir::StageKind::kThreshold);
}

}  // namespace vine::kinds
