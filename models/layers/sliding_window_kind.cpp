// The SWG stage kind (finn-hlslib ConvolutionInputGenerator): the window
// generator between a conv's input stream and its MVAU or VVAU.
#include <algorithm>

#include "models/layers/sliding_window.h"
#include "models/layers/stage_kinds.h"
#include "sim/config/config_error.h"
#include "sim/estimate/resource_model.h"

namespace vine::kinds {

void register_sliding_window_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "swg";
  k.role = "swg";
  k.summary =
      "Sliding-window generator (finn-hlslib ConvolutionInputGenerator, HLS 2D): buffers KH rows "
      "and writes each "
      "output pixel's KH x KW window, SIMD channels per beat; its loop is re-entered per frame.";
  k.params = {
      {"ifm_h", &ir::StagePlan::ifm_h, "rows it reads (padded, when an FMPadding precedes it)"},
      {"ifm_w", &ir::StagePlan::ifm_w, "columns it reads"},
      {"ofm_h", &ir::StagePlan::ofm_h, "output rows (windows down)"},
      {"ofm_w", &ir::StagePlan::ofm_w, "output columns (windows across)"},
      {"channels", &ir::StagePlan::channels, "channels per pixel, C"},
      {"kernel_h", &ir::StagePlan::kernel_h, "window rows, KH"},
      {"kernel_w", &ir::StagePlan::kernel_w, "window columns, KW"},
      {"stride_h", &ir::StagePlan::stride_h, "rows between windows, SH"},
      {"stride_w", &ir::StagePlan::stride_w, "columns between windows, SW"},
      {"simd", &ir::StagePlan::simd,
       "channels per beat (the MVAU's SIMD, the VVAU's PE); cf = C / SIMD"},
      {"depthwise", &ir::StagePlan::depthwise,
       "feeds a VVAU: channel folds outside the kernel positions, not inside"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.forwards_elements = true;
  // A 1x1 stride-1 conv reads pixels straight from the stream: no window unit.
  k.needed = [](const LayerSite& site) {
    return !site.layer.pointwise();
  };
  k.from_layer = [](const LayerSite& site, ir::StagePlan& s) {
    const ir::Layer& l = site.layer;
    const int lanes = site.input_lanes();
    if (site.prev) {  // what the padding writes
      s.ifm_h = site.prev->ofm_h;
      s.ifm_w = site.prev->ofm_w;
    }
    s.pe = s.simd = lanes;
    s.depthwise = l.kind == ir::LayerKind::kDwConv;
    // Depthwise, the VVAU's SIMD kernel positions leave in one beat; an
    // MVAU of SIMD KH x KW x C (the RTL parallel-window style) takes a whole
    // window, unless a window SIMD of its own puts a converter between them.
    const bool whole_window = site.folding.simd > l.in_shape.c && site.folding.window_simd == 0;
    const int positions = s.depthwise ? site.folding.simd : whole_window ? int(l.kernel_positions()) : 1;
    s.in_stream_bits = lanes * l.in_type.bits;
    s.out_stream_bits = positions * lanes * l.in_type.bits;
    s.in_words = int64_t{s.ifm_h} * s.ifm_w * l.in_shape.c / lanes;
    s.out_words = l.output_pixels() * l.kernel_positions() * l.in_shape.c / (int64_t{lanes} * positions);
    // The windows must tile the frame it reads: a stage list that leaves out
    // a padded layer's padding would read fewer rows than its windows span.
    const int across = ir::windows_along(s.ifm_w, s.kernel_w, s.stride_w);
    const int down = ir::windows_along(s.ifm_h, s.kernel_h, s.stride_h);
    if (down != s.ofm_h || across != s.ofm_w) {
      const ir::LayerFolding& f = site.folding;
      std::string stages;
      for (const auto& st : f.stages) stages += (stages.empty() ? "" : ", ") + st;
      throw config::ConfigError(
          f.stages_where.line ? f.stages_where : f.where, "[" + stages + "]",
          "stages whose window unit sees the frame the layer's windows span: it reads " + std::to_string(s.ifm_h) +
              "x" + std::to_string(s.ifm_w) + ", which gives " + std::to_string(down) + "x" +
              std::to_string(across) + " windows of " + std::to_string(s.kernel_h) + "x" +
              std::to_string(s.kernel_w) + " at stride " + ir::window_text(s.stride_h, s.stride_w) + ", but " +
              l.name + " has " +
              std::to_string(s.ofm_h) + "x" + std::to_string(s.ofm_w) +
              " outputs (a padded layer needs its padding stage, fmpadding, before the window)");
    }
  };
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    models::WindowGeometry g;
    g.in_h = s.ifm_h;
    g.in_w = s.ifm_w;
    g.out_h = s.ofm_h;
    g.out_w = s.ofm_w;
    g.kernel_h = s.kernel_h;
    g.kernel_w = s.kernel_w;
    g.stride_h = s.stride_h;
    g.stride_w = s.stride_w;
    g.lanes = s.in_stream_bits / b.layer().in_type.bits;
    g.channel_folds = s.channels / g.lanes;
    g.depthwise = s.depthwise;
    g.positions_per_beat = s.out_stream_bits / s.in_stream_bits;
    return std::make_unique<models::SlidingWindow>(s.name, b.timing, b.frames, g);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) {
    // finn-hlslib's generator loop is re-entered per frame: drain plus one entry cycle.
    return models::PipelineTiming{2, 1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    // The first KH rows are read before the first window leaves, then each
    // output row costs the larger of writing its KH x KW windows and reading
    // the next SH rows. The loop is re-entered per frame: its pipeline
    // drains and it pays its entry cycles before the next frame (finn-hlslib's
    // ConvolutionInputGenerator, slidingwindow.h).
    const int64_t cf = s.channels / s.simd;
    const models::PipelineTiming t = pipeline_timing(s, d);
    const int64_t reentry = t.reentry_cycles >= 0 ? t.depth + t.reentry_cycles : 0;
    return int64_t{s.ifm_w} * s.kernel_h * cf +
           int64_t{s.ofm_h} *
               std::max(int64_t{s.ofm_w} * s.kernel_h * s.kernel_w * cf, int64_t{s.stride_h} * s.ifm_w * cf) +
           reentry;
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design&) {
    // Line buffer of (KH-1) rows plus KW pixels (FINN's RTL SWG), SIMD channels per word.
    const int64_t word = s.in_stream_bits;
    const int64_t depth = (int64_t{s.kernel_h - 1} * s.ifm_w + s.kernel_w) * (s.channels / s.simd);
    ir::Resources res = estimate::buffer_resources(word, depth);
    res.lut += 300 + 2.0 * word;  // address counters and the output multiplexer
    res.ff += 200 + 2.0 * word;
    return res;
  };
  r.add(std::move(k), ir::StageKind::kSlidingWindow);
}

}  // namespace vine::kinds
