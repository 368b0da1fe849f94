// The swg_rtl stage kind: the sliding window timed from FINN's RTL template
// ConvolutionInputGenerator_rtl, default style (sliding_window_rtl.h); placed
// and computed as the HLS `swg`.
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
  g.kernel = s.kernel;
  g.stride = s.stride;
  g.lanes = s.in_stream_bits / elem_bits;
  g.channel_folds = s.channels / g.lanes;
  g.depthwise = s.depthwise;
  return g;
}

}  // namespace

void register_sliding_window_rtl_kinds(StageKindRegistry& r) {
  StageKindEntry k = r.at("swg");
  k.name = "swg_rtl";
  k.hls_kind = "swg";
  k.summary =
      "Sliding-window generator timed from FINN's RTL template (finn-rtllib swg_template_default.sv): reads into a "
      "cyclic buffer while it writes window beats out of it, each side one beat per cycle; one flat loop, the "
      "controller's schedule frame after frame.";
  k.refuses = [](const ir::Layer& l, const ir::LayerFolding& f) -> std::string {
    // convolutioninputgenerator_rtl.py, select_impl_style: a 1x1 kernel
    // takes the parallel style, whose output beat is the whole window.
    if (l.kernel == 1)
      return "a kernel larger than 1x1 (FINN builds a 1x1 window with the RTL generator's parallel style, which "
             "Vine does not model)";
    // set_folding.py: a VVAU of SIMD > 1 sets its window's parallel_window.
    if (l.kind == ir::LayerKind::kDwConv && f.simd > 1)
      return "simd 1 on the depthwise layer " + l.name +
             " (FINN builds the window of a VVAU with SIMD > 1 in the RTL generator's parallel style, which Vine "
             "does not model)";
    return "";
  };
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    return std::make_unique<models::SlidingWindowRtl>(s.name, b.timing, b.frames,
                                                      window_geometry(s, b.layer().in_type.bits));
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) {
    // A fetch (window_buffer_read_enable) registers the beat in the buffer's
    // `Out`, and Write_cmd raises out_V_V_TVALID in the next cycle: 1 cycle.
    // Its loop runs on across frames (the counters reset in the last write's
    // cycle): no re-entry.
    return models::PipelineTiming{1, -1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    const int elem_bits = d.network.layers.at(size_t(s.layer)).in_type.bits;
    return models::rtl_window_schedule(window_geometry(s, elem_bits)).period;
  };
  r.add(std::move(k));
}

}  // namespace vine::kinds
