// The threshold_rtl stage kind: a threshold layer timed from FINN's RTL
// template Thresholding_rtl (finn-rtllib/thresholding/hdl/thresholding.sv):
// a binary search over the 2^N - 1 thresholds, one pipeline stage per output
// bit, one beat per cycle; placed and computed as the HLS `threshold`.
#include "models/layers/stage_kinds.h"
#include "models/layers/thresholding.h"

namespace vine::kinds {

namespace {

// thresholding_rtl.py's deep_pipeline attribute, 1 by default: each of the N
// search stages registers its operand (P) and its result (Pf).
constexpr int kRegistersPerStage = 2;
// blkStreamOutput: a result enters the output queue ADat, then register B
// drives ovld.
constexpr int kOutputQueueAndRegister = 2;

}  // namespace

void register_thresholding_rtl_kinds(StageKindRegistry& r) {
  StageKindEntry k = r.at("threshold");
  k.name = "threshold_rtl";
  k.hls_kind = "threshold";
  k.summary =
      "Multi-threshold unit timed from FINN's RTL template (finn-rtllib thresholding.sv, deep pipeline): a binary "
      "search, two registers per output bit N, then the output queue and register: 2N + 2 cycles, one beat per "
      "cycle.";
  k.refuses = [](const ir::Layer& l, const ir::LayerFolding&) -> std::string {
    if (l.output.kind != ir::OutputKind::kThreshold)
      return "a threshold output on " + l.name + " (FINN's RTL thresholding compares against thresholds; it has "
             "no requantiser)";
    return "";
  };
  const auto hls_make = k.make;
  k.make = [hls_make](const StageBuild& b) {
    auto stage = hls_make(b);
    static_cast<models::Thresholding&>(*stage).set_kind("threshold_rtl");
    return stage;
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design& d) {
    // N = the output's bits (the count of thresholds reached); bipolar: 1.
    const int n = d.network.layers.at(size_t(s.layer)).out_type.bits;
    return models::PipelineTiming{kRegistersPerStage * n + kOutputQueueAndRegister, -1};
  };
  // cycles: one beat per cycle, as the HLS unit, kept.
  r.add(std::move(k));
}

}  // namespace vine::kinds
