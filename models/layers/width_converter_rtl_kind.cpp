// The dwc_rtl stage kind: a width converter timed from FINN's RTL template
// StreamingDataWidthConverter_rtl (finn-rtllib/dwc/hdl/dwc.sv); placed and
// computed as the HLS `dwc`.
#include "models/layers/stage_kinds.h"
#include "models/layers/width_converter.h"

namespace vine::kinds {

void register_width_converter_rtl_kinds(StageKindRegistry& r) {
  StageKindEntry k = r.at("dwc");
  k.name = "dwc_rtl";
  k.hls_kind = "dwc";
  k.summary =
      "Width converter timed from FINN's RTL template (finn-rtllib dwc.sv): widening shifts beats into register A "
      "and writes it the cycle after the last (1 cycle); narrowing loads A, then writes its parts through register "
      "C (2 cycles), taking the next beat as the last part leaves.";
  const auto hls_make = k.make;
  k.make = [hls_make](const StageBuild& b) {
    auto stage = hls_make(b);
    static_cast<models::WidthConverter&>(*stage).set_kind("dwc_rtl");
    return stage;
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design&) {
    // genUp: ovld is ACnt's sign, set at the edge that shifts the K-th beat
    // in: 1. genDown: ADat at the input's edge, CDat at the next: 2.
    return models::PipelineTiming{s.out_stream_bits < s.in_stream_bits ? 2 : 1, -1};
  };
  // cycles: max(in beats, out beats), as the HLS unit, kept.
  r.add(std::move(k));
}

}  // namespace vine::kinds
