// The dwc stage kind (StreamingDataWidthConverter): the plan builder puts
// one wherever a stream's width differs from what its consumer reads.
#include <algorithm>

#include "models/layers/stage_kinds.h"
#include "models/layers/width_converter.h"

namespace vine::kinds {

void register_width_converter_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "dwc";
  k.role = "dwc";
  k.summary =
      "StreamingDataWidthConverter: re-packs whole elements from one beat width to another that "
      "divides it or "
      "that it divides; narrowing reads when its word runs short, widening writes when a beat is "
      "whole.";
  k.params = input_stream_params();
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.forwards_elements = true;
  k.on_stream = [](const StreamSite& site, ir::StagePlan& s) {
    s.in_stream_bits = site.in_bits;
    s.out_stream_bits = site.out_bits;
    s.in_words = site.elements * site.elem_bits / site.in_bits;
    s.out_words = site.elements * site.elem_bits / site.out_bits;
  };
  k.make = [](const StageBuild& b) {
    const ir::StreamPlan& in = b.input(0);
    return std::make_unique<models::WidthConverter>(
        b.plan.name, b.timing, b.frames, in.words * in.elements_per_word(),
        b.plan.in_stream_bits / in.elem_bits, b.plan.out_stream_bits / in.elem_bits);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) {
    return models::PipelineTiming{1,
                                  -1};  // read-to-write distance 1 in HLS-generated RTL (finn-hlslib)
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design&) {
    return std::max(s.in_words, s.out_words);
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design&) {
    ir::Resources res;
    res.lut = 50 + double(std::max(s.in_stream_bits, s.out_stream_bits));
    res.ff = 50 + double(s.in_stream_bits + s.out_stream_bits);
    return res;
  };
  r.add(std::move(k), ir::StageKind::kWidthConverter);
}

}  // namespace vine::kinds
