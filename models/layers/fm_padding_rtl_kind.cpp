// The fmpadding_rtl stage kind: FMPadding timed from FINN's RTL template
// FMPadding_rtl (finn-rtllib/fmpadding/hdl/fmpadding.sv); placed and
// computed as the HLS `fmpadding`.
#include "models/layers/fm_padding.h"
#include "models/layers/stage_kinds.h"

namespace vine::kinds {

void register_fm_padding_rtl_kinds(StageKindRegistry& r) {
  StageKindEntry k = r.at("fmpadding");
  k.name = "fmpadding_rtl";
  k.hls_kind = "fmpadding";
  k.summary =
      "FMPadding timed from FINN's RTL template (finn-rtllib fmpadding.sv): S, X and Y counters write one beat per "
      "cycle through output register B, and wrap from frame to frame; the same timing as the HLS unit's.";
  const auto hls_make = k.make;
  k.make = [hls_make](const StageBuild& b) {
    auto stage = hls_make(b);
    static_cast<models::FmPadding&>(*stage).set_kind("fmpadding_rtl");
    return stage;
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) {
    // An input beat (or the pad code) is loaded into register B, which drives
    // m_axis_tvalid in the next cycle: 1. The counters chain (sen, xen, yen)
    // wraps at the frame's end with no idle cycle: one flat loop.
    return models::PipelineTiming{1, -1};
  };
  // cycles: one output beat per cycle, as the HLS unit, kept.
  r.add(std::move(k));
}

}  // namespace vine::kinds
