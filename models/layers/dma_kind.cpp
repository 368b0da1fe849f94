// The input_dma and output_dma stage kinds: the memory ends of the pipeline,
// one beat per cycle from an ideal memory, or in AXI bursts on the board's
// DDR channels with `dma_memory: ddr` (frame_buffers.h). They belong to the
// shell: no layer, no resources.
#include <algorithm>

#include "models/layers/dma.h"
#include "models/layers/stage_kinds.h"

namespace vine::kinds {

namespace {

bool in_ddr(const ir::Design& d) { return d.dma_memory == ir::DmaMemory::kDdr; }

// The DMA's frame in DDR, its buffers laid out with the other DMA's.
models::FrameChunks frame_chunks(const StageBuild& b, bool write) {
  if (!in_ddr(b.design)) return {};
  const models::FrameBuffers fb = models::plan_frame_buffers(b.design, b.network);
  return write ? models::FrameChunks(b.plan.in_words, fb.output) : models::FrameChunks(b.plan.out_words, fb.input);
}

// Where the buffers lie changes no cycle count (frame_buffers.h): a transfer
// from address 0 gives them.
models::FrameTransfer transfer_of(const ir::StagePlan& s, const ir::Design& d) {
  const bool write = s.kind == ir::StageKind::kOutputDma;
  return models::plan_frame_transfer(d, write, write ? s.in_stream_bits : s.out_stream_bits,
                                     write ? s.in_words : s.out_words, 0);
}

int64_t dma_cycles(const ir::StagePlan& s, const ir::Design& d) {
  if (in_ddr(d)) return transfer_of(s, d).cycles_per_frame();
  return std::max(s.in_words, s.out_words);  // one beat per cycle
}

// An ideal memory answers at once; DDR one latency after the request (the
// input DMA's beats are written that much later).
models::PipelineTiming dma_pipeline(const ir::StagePlan& s, const ir::Design& d) {
  if (in_ddr(d) && s.kind == ir::StageKind::kInputDma) return {transfer_of(s, d).latency_cycles, -1};
  return {0, -1};
}

}  // namespace

void register_dma_kinds(StageKindRegistry& r) {
  StageKindEntry in;
  in.name = "input_dma";
  in.role = "input_dma";
  in.summary =
      "Input DMA: streams each frame from memory, one beat per cycle (dma_memory: ideal) or in AXI "
      "bursts on the board's DDR channels (dma_memory: ddr).";
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
    return std::make_unique<models::InputDma>(b.plan.name, b.timing, b.frames, b.plan.out_words, *b.source,
                                              frame_chunks(b, false));
  };
  in.timing = dma_pipeline;
  in.cycles = dma_cycles;
  r.add(std::move(in), ir::StageKind::kInputDma);

  StageKindEntry out;
  out.name = "output_dma";
  out.role = "output_dma";
  out.summary =
      "Output DMA: stores each frame to memory, one beat per cycle (dma_memory: ideal) or in AXI "
      "bursts on the board's DDR channels (dma_memory: ddr), noting its first and last beat.";
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
    return std::make_unique<models::OutputDma>(b.plan.name, b.timing, b.frames, b.plan.in_words, *b.sink,
                                               frame_chunks(b, true));
  };
  out.timing = dma_pipeline;
  out.cycles = dma_cycles;
  r.add(std::move(out), ir::StageKind::kOutputDma);
}

}  // namespace vine::kinds
