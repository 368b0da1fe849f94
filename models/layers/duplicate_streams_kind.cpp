// The duplicate stage kind (DuplicateStreams): the plan builder puts one
// after a layer (or the input) that several layers read.
#include "models/layers/duplicate_streams.h"
#include "models/layers/stage_kinds.h"

namespace vine::kinds {

void register_duplicate_streams_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "duplicate";
  k.role = "dup";
  k.summary = "DuplicateStreams: copies every beat to each of its outputs, one beat per cycle.";
  k.params = {{"pe", &ir::StagePlan::pe, "elements per beat"},
              {"ofm_h", &ir::StagePlan::ofm_h, "rows of the feature map it copies"},
              {"ofm_w", &ir::StagePlan::ofm_w, "columns"},
              {"channels", &ir::StagePlan::channels, "channels"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.forwards_elements = true;
  k.on_stream = [](const StreamSite& site, ir::StagePlan& s) {
    s.pe = site.in_bits / site.elem_bits;
    s.ifm_h = s.ofm_h = site.h;
    s.ifm_w = s.ofm_w = site.w;
    s.channels = int(site.elements / (int64_t{site.h} * site.w));
    s.in_stream_bits = s.out_stream_bits = site.in_bits;
    s.in_words = s.out_words = site.elements * site.elem_bits / site.in_bits;
  };
  k.make = [](const StageBuild& b) {
    return std::make_unique<models::DuplicateStreams>(b.plan.name, b.timing, b.frames,
                                                      b.plan.in_words);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) { return models::PipelineTiming{1, -1}; };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    // Its layer's output channels per pixel. The network input's duplicator
    // is filed under layer 0, so for it this counts the first layer's output
    // channels, not the input's: a known discrepancy, kept until the
    // estimate may change.
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    return int64_t{s.ofm_h} * s.ofm_w * (l.out_shape.c / s.pe);
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design&) {
    ir::Resources res;
    res.lut = 50 + double(s.out_stream_bits);
    res.ff = 50 + double(s.out_stream_bits);
    return res;
  };
  r.add(std::move(k), ir::StageKind::kDuplicate);
}

}  // namespace vine::kinds
