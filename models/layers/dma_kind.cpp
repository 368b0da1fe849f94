// The input_dma and output_dma stage kinds: the memory ends of the pipeline,
// one beat per cycle. They belong to the shell: no layer, no resources.
#include <algorithm>

#include "models/layers/dma.h"
#include "models/layers/stage_kinds.h"

namespace vine::kinds {

namespace {

int64_t one_beat_per_cycle(const ir::StagePlan& s, const ir::Design&) {
  return std::max(s.in_words, s.out_words);
}

models::PipelineTiming no_pipeline(const ir::StagePlan&, const ir::Design&) {
  return {0, -1};
}

}  // namespace

void register_dma_kinds(StageKindRegistry& r) {
  StageKindEntry in;
  in.name = "input_dma";
  in.role = "input_dma";
  in.summary = "Input DMA: streams each frame from memory, one beat per cycle.";
  in.params = {{"ofm_h", &ir::StagePlan::ofm_h, "rows of the input frame"},
               {"ofm_w", &ir::StagePlan::ofm_w, "columns"},
               {"channels", &ir::StagePlan::channels, "channels"}};
  for (auto& p : output_stream_params()) in.params.push_back(p);
  in.forwards_elements = true;
  in.on_stream = [](const StreamSite& site, ir::StagePlan& s) {
    // At the design's memory-interface width, or at the width its (first) consumer reads.
    s.out_stream_bits = site.design.dma_bits ? site.design.dma_bits : site.out_bits;
    s.ofm_h = site.h;
    s.ofm_w = site.w;
    s.channels = int(site.elements / (int64_t{site.h} * site.w));
    s.out_words = site.elements * site.elem_bits / s.out_stream_bits;
  };
  in.make = [](const StageBuild& b) {
    return std::make_unique<models::InputDma>(b.plan.name, b.timing, b.frames, b.plan.out_words,
                                              *b.source);
  };
  in.timing = no_pipeline;
  in.cycles = one_beat_per_cycle;
  r.add(std::move(in), ir::StageKind::kInputDma);

  StageKindEntry out;
  out.name = "output_dma";
  out.role = "output_dma";
  out.summary =
      "Output DMA: stores each frame to memory, one beat per cycle, noting its first and last "
      "beat.";
  out.params = {{"ifm_h", &ir::StagePlan::ifm_h, "rows of the output frame"},
                {"ifm_w", &ir::StagePlan::ifm_w, "columns"},
                {"channels", &ir::StagePlan::channels, "channels"}};
  for (auto& p : input_stream_params()) out.params.push_back(p);
  out.forwards_elements = true;
  out.on_stream = [](const StreamSite& site, ir::StagePlan& s) {
    // It packs whole elements: at the design's DMA width when the elements
    // fit it exactly, else at the last layer's width.
    const int dma = site.design.dma_bits;
    s.in_stream_bits = dma && dma % site.elem_bits == 0 ? dma : site.in_bits;
    s.ifm_h = site.h;
    s.ifm_w = site.w;
    s.channels = int(site.elements / (int64_t{site.h} * site.w));
    s.in_words = site.elements * site.elem_bits / s.in_stream_bits;
  };
  out.make = [](const StageBuild& b) {
    return std::make_unique<models::OutputDma>(b.plan.name, b.timing, b.frames, b.plan.in_words,
                                               *b.sink);
  };
  out.timing = no_pipeline;
  out.cycles = one_beat_per_cycle;
  r.add(std::move(out), ir::StageKind::kOutputDma);
}

}  // namespace vine::kinds
