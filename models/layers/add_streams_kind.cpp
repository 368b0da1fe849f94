// The addstreams stage kind: a residual add of two streams, with its output
// re-quantisation.
#include "models/layers/add_streams.h"
#include "models/layers/stage_kinds.h"
#include "models/pe/pe_timing.h"
#include "sim/estimate/resource_model.h"

namespace vine::kinds {

void register_add_streams_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "addstreams";
  k.role = "add";
  k.summary =
      "AddStreams: adds two streams element by element, then its output unit; PE channels per "
      "beat, one beat of "
      "each input per cycle.";
  k.params = {{"pe", &ir::StagePlan::pe, "PE: channels per beat"},
              {"ofm_h", &ir::StagePlan::ofm_h, "rows"},
              {"ofm_w", &ir::StagePlan::ofm_w, "columns"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.from_layer = plan_pe_streams;
  k.reads_every_input = true;
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    models::PipelineTiming t = b.timing;
    if (auto rtl = b.rtl_output_array ? b.rtl_output_array(t) : nullptr)  // the output unit on RTL
      return std::make_unique<models::AddStreams>(s.name, t, b.frames, s.out_words, b.layer().out_shape.c,
                                                  b.output_unit(), std::move(rtl));
    return std::make_unique<models::AddStreams>(s.name, b.timing, b.frames, s.out_words,
                                                b.layer().out_shape.c, b.output_unit());
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design& d) {
    return models::PipelineTiming{
        1 + models::output_unit_latency(d.network.layers.at(size_t(s.layer))), -1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    return int64_t{s.ofm_h} * s.ofm_w * (l.out_shape.c / s.pe);
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    const int64_t thr = estimate::thresholds_per_channel(l);
    const int sum_bits = l.acc_range.bits();
    ir::Resources res;
    res.lut = 100 + double(s.pe) * (sum_bits + double(thr) * sum_bits);
    res.ff = 100 + 2.0 * s.in_stream_bits + s.out_stream_bits;
    if (thr)
      res += estimate::buffer_resources(int64_t{s.pe} * thr * sum_bits, l.out_shape.c / s.pe);
    return res;
  };
  r.add(std::move(k), ir::StageKind::kAddStreams);
}

}  // namespace vine::kinds
