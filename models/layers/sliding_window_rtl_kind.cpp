// The swg_rtl stage kind: the sliding window timed from FINN's RTL template
// ConvolutionInputGenerator_rtl (sliding_window_rtl.h); placed and computed
// as the HLS `swg`. Its style is FINN's: select_impl_style
// (convolutioninputgenerator_rtl.py) takes the parallel style for a 1x1
// kernel or when parallel_window = 1, which set_folding.py sets for a VVAU
// of SIMD > 1 and for a window whose SIMD is all its channels yet too slow,
// that is (Vine's SIMD being the consumer's) an MVAU of SIMD K x K x C.
#include <map>
#include <mutex>
#include <tuple>

#include "models/layers/sliding_window_rtl.h"
#include "models/layers/stage_kinds.h"

namespace vine::kinds {

namespace {

models::WindowGeometry window_geometry(const ir::StagePlan& s, int elem_bits) {
  models::WindowGeometry g;
  g.in_h = s.ifm_h;
  g.in_w = s.ifm_w;
  g.out_h = s.ofm_h;
  g.out_w = s.ofm_w;
  g.kernel_h = s.kernel_h;
  g.kernel_w = s.kernel_w;
  g.stride_h = s.stride_h;
  g.stride_w = s.stride_w;
  g.lanes = s.in_stream_bits / elem_bits;
  g.channel_folds = s.channels / g.lanes;
  g.depthwise = s.depthwise;
  g.positions_per_beat = s.out_stream_bits / s.in_stream_bits;
  return g;
}

// A whole window a beat, or a 1x1 kernel: the parallel style.
models::RtlWindowStyle style_of(const ir::StagePlan& s) {
  return (s.kernel_h == 1 && s.kernel_w == 1) || s.out_stream_bits > s.in_stream_bits ? models::RtlWindowStyle::kParallel
                                                               : models::RtlWindowStyle::kDefault;
}

models::RtlWindowSchedule schedule_of(const ir::StagePlan& s, int elem_bits) {
  const models::WindowGeometry g = window_geometry(s, elem_bits);
  return style_of(s) == models::RtlWindowStyle::kParallel ? models::rtl_parallel_window_schedule(g)
                                                          : models::rtl_window_schedule(g);
}

// A frame's cycles, replayed once per geometry and style: the folding search
// estimates every option of every layer, and a MobileNet window's schedule
// runs over a 224 x 224 frame.
int64_t period_of(const ir::StagePlan& s, int elem_bits) {
  const models::WindowGeometry g = window_geometry(s, elem_bits);
  const auto key = std::make_tuple(g.in_h, g.in_w, g.out_h, g.out_w, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w,
                                   g.channel_folds, g.lanes, g.depthwise, g.positions_per_beat, int(style_of(s)));
  static std::mutex m;
  static std::map<decltype(key), int64_t> periods;
  {
    std::lock_guard<std::mutex> lock(m);
    if (auto it = periods.find(key); it != periods.end()) return it->second;
  }
  const int64_t p = schedule_of(s, elem_bits).period;
  std::lock_guard<std::mutex> lock(m);
  periods.emplace(key, p);
  return p;
}

}  // namespace

void register_sliding_window_rtl_kinds(StageKindRegistry& r) {
  StageKindEntry k = r.at("swg");
  k.name = "swg_rtl";
  k.hls_kind = "swg";
  k.summary =
      "Sliding-window generator timed from FINN's RTL template (finn-rtllib swg_template_default.sv): reads into a "
      "cyclic buffer while it writes window beats out of it, each side one beat per cycle; one flat loop, the "
      "controller's schedule frame after frame. For a 1x1 kernel, a VVAU of SIMD K x K or an MVAU of SIMD K x K x C "
      "its parallel style (swg_template_parallel.sv): a shift register whose taps are a window, a whole window a "
      "beat, one read per cycle.";
  k.refuses = [](const ir::Layer& l, const ir::LayerFolding& f) -> std::string {
    // set_folding.py sets parallel_window for a VVAU of SIMD > 1: the window
    // writes K x K x PE a beat, and FINN's InsertDWC narrows it to a VVAU of
    // fewer positions, a converter inside the layer Vine does not build.
    const int kk = int(l.kernel_positions());
    if (l.kind == ir::LayerKind::kDwConv && f.simd > 1 && f.simd != kk)
      return "simd 1 or KH x KW = " + std::to_string(kk) + " on the depthwise layer " + l.name +
             " (FINN's RTL window of a VVAU with SIMD > 1 is its parallel style, a whole window a beat; FINN "
             "narrows it to SIMD " + std::to_string(f.simd) + " with a width converter Vine does not put inside a "
             "layer: keep the HLS window, swg: hls)";
    return "";
  };
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    return std::make_unique<models::SlidingWindowRtl>(s.name, b.timing, b.frames,
                                                      window_geometry(s, b.layer().in_type.bits), style_of(s));
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) {
    // A fetch (window_buffer_read_enable) registers the beat in the buffer's
    // `Out`, and Write_cmd raises out_V_V_TVALID in the next cycle: 1 cycle.
    // The parallel style writes its taps, unregistered, the cycle after the
    // read of the window's last beat: 1 cycle too. Its loop runs on across
    // frames (the counters reset in the last write's cycle): no re-entry.
    return models::PipelineTiming{1, -1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    const int elem_bits = d.network.layers.at(size_t(s.layer)).in_type.bits;
    return period_of(s, elem_bits);
  };
  r.add(std::move(k));
}

}  // namespace vine::kinds
