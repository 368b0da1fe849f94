// The DownSampler stage kind (FINN's DownSampler): the input generator of a
// strided 1 x 1 conv, which FINN builds instead of a sliding window
// (InferConvInpGen, convert_to_hw_layers.py); a design lists it in the
// layer's `stages:` ([downsampler, mvau]).
#include "models/layers/down_sampler.h"
#include "models/layers/stage_kinds.h"
#include "sim/config/config_error.h"

namespace vine::kinds {

void register_down_sampler_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "downsampler";
  k.role = "downsampler";
  k.summary =
      "DownSampler (FINN's DownSampler, finn-hlslib ConvolutionInputGenerator_2D_kernel1): a strided 1x1 "
      "conv's input, read one beat a cycle, every stride-th pixel of every stride-th row written on, SIMD "
      "channels per beat.";
  k.params = {
      {"ifm_h", &ir::StagePlan::ifm_h, "rows it reads"},
      {"ifm_w", &ir::StagePlan::ifm_w, "columns it reads"},
      {"ofm_h", &ir::StagePlan::ofm_h, "rows it writes: (ifm_h - 1) / stride_h + 1"},
      {"ofm_w", &ir::StagePlan::ofm_w, "columns it writes: (ifm_w - 1) / stride_w + 1"},
      {"channels", &ir::StagePlan::channels, "channels per pixel, C"},
      {"stride_h", &ir::StagePlan::stride_h, "rows between the rows it keeps"},
      {"stride_w", &ir::StagePlan::stride_w, "columns between the pixels it keeps"},
      {"simd", &ir::StagePlan::simd, "channels per beat (the conv's window_simd, else its MVAU's SIMD)"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.forwards_elements = true;
  k.from_layer = [](const LayerSite& site, ir::StagePlan& s) {
    const ir::Layer& l = site.layer;
    const ir::LayerFolding& f = site.folding;
    const ir::SourceLocation& where = f.stages_where.line ? f.stages_where : f.where;
    // Only a 1x1 window can skip pixels without a line buffer; a wider one
    // needs the sliding window (swg).
    if (l.kind != ir::LayerKind::kConv || l.kernel_h != 1 || l.kernel_w != 1)
      throw config::ConfigError(where, "'downsampler' in the stages of " + l.name,
                                "a downsampler only in a 1x1 conv's stages (" + l.name + " is a " +
                                    ir::to_string(l.kind) + " of kernel " + ir::window_text(l.kernel_h, l.kernel_w) +
                                    "; a larger window needs swg)");
    const int lanes = site.input_lanes();
    if (site.prev) {  // what the padding writes
      s.ifm_h = site.prev->ofm_h;
      s.ifm_w = site.prev->ofm_w;
    }
    s.pe = s.simd = lanes;
    // The kept pixels must be the layer's outputs: a stage list that leaves
    // out a padded layer's padding would keep the wrong ones.
    const int kept_h = (s.ifm_h - 1) / s.stride_h + 1, kept_w = (s.ifm_w - 1) / s.stride_w + 1;
    if (kept_h != s.ofm_h || kept_w != s.ofm_w)
      throw config::ConfigError(where, "'downsampler' in the stages of " + l.name,
                                "stages whose downsampler keeps the layer's outputs: it reads " +
                                    std::to_string(s.ifm_h) + "x" + std::to_string(s.ifm_w) + " at stride " +
                                    ir::window_text(s.stride_h, s.stride_w) + ", which keeps " +
                                    std::to_string(kept_h) + "x" + std::to_string(kept_w) + " pixels, but " + l.name +
                                    " has " + std::to_string(s.ofm_h) + "x" + std::to_string(s.ofm_w) +
                                    " outputs (a padded layer needs its padding stage, fmpadding, before it)");
    s.in_stream_bits = s.out_stream_bits = lanes * l.in_type.bits;
    s.in_words = int64_t{s.ifm_h} * s.ifm_w * s.channels / lanes;
    s.out_words = int64_t{s.ofm_h} * s.ofm_w * s.channels / lanes;
  };
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    models::DownSamplerGeometry g;
    g.in_h = s.ifm_h;
    g.in_w = s.ifm_w;
    g.stride_h = s.stride_h;
    g.stride_w = s.stride_w;
    g.lanes = s.in_stream_bits / b.layer().in_type.bits;
    g.channel_folds = s.channels / g.lanes;
    return std::make_unique<models::DownSampler>(s.name, b.timing, b.frames, g);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) {
    // One flat pipelined loop (finn-hlslib's `pipeline style=flp`), read to
    // write in one cycle.
    return models::PipelineTiming{1, -1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design&) {
    // Every input beat read, one a cycle: FINN's get_exp_cycles (downsampler.py),
    // NumChannels / SIMD x ImgDim^2.
    return int64_t{s.ifm_h} * s.ifm_w * (s.channels / s.simd);
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design&) {
    // No buffer: two stride counters and the output register, as FMPadding's
    // counters and register (FINN gives DownSampler no resource estimate).
    ir::Resources res;
    res.lut = 50 + double(s.out_stream_bits);
    res.ff = 50 + double(s.out_stream_bits);
    return res;
  };
  r.add(std::move(k));
}

}  // namespace vine::kinds
