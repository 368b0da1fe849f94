// The concat stage kind: joins its inputs' channels, pixel by pixel.
#include "models/layers/concat.h"
#include "models/layers/stage_kinds.h"

namespace vine::kinds {

void register_concat_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "concat";
  k.role = "concat";
  k.summary =
      "StreamingConcat: for each pixel, copies C_k / PE beats from input k in turn; one beat per "
      "cycle.";
  k.params = {{"pe", &ir::StagePlan::pe, "PE: channels per beat, on every input"},
              {"ofm_h", &ir::StagePlan::ofm_h, "rows"},
              {"ofm_w", &ir::StagePlan::ofm_w, "columns"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.from_layer = plan_pe_streams;
  k.reads_every_input = true;
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    const ir::Layer& l = b.layer();
    std::vector<int> per_pixel;
    for (int idx : l.input_index) {
      const int c = idx < 0 ? b.design.network.input_shape.c
                            : b.design.network.layers[size_t(idx)].out_shape.c;
      per_pixel.push_back(c / s.pe);
    }
    return std::make_unique<models::Concat>(s.name, b.timing, b.frames, l.output_pixels(),
                                            per_pixel);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) { return models::PipelineTiming{1, -1}; };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    return int64_t{s.ofm_h} * s.ofm_w * (l.out_shape.c / s.pe);
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design&) {
    ir::Resources res;
    res.lut = 50 + double(s.out_stream_bits);
    res.ff = 50 + double(s.out_stream_bits);
    return res;
  };
  r.add(std::move(k), ir::StageKind::kConcat);
}

}  // namespace vine::kinds
