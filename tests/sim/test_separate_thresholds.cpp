// A conv layer whose thresholds are a stage of their own (`thresholds: {pe:
// N}`): FINN's MVAU with noActivation writing accumulators into a
// Thresholding node of its own PE (docs/finn-configs.md, docs/stage-kinds.md).
// The plan puts `<layer>.threshold` after the MVAU with streams of
// accumulator beats between them (and FINN's width converter where their PEs
// differ), the outputs stay bit-exact against the
// golden reference, the steady interval is the closed form derived by hand
// below, FINN's graph has the Thresholding node, export then apply gives the
// design back, and a bad field is refused naming the file, line, field and
// value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/estimate/estimate.h"
#include "sim/finn_config/finn_apply.h"
#include "sim/finn_config/finn_export.h"
#include "sim/run/simulation.h"
#include "tests/sim/design_case.h"
#include "tests/sim/finn_config_helpers.h"
#include "tests/sim/one_layer_checks.h"
#include "tests/sim/temp_config.h"

namespace fs = std::filesystem;
using namespace vine;
using Json = nlohmann::ordered_json;
using testing_support::error_of;
using testing_support::DesignCase;
using testing_support::TempConfig;
using testing_support::estimated_cycles;
using testing_support::expect_steady;
using testing_support::planned;
using testing_support::run_bit_exact;

namespace {

const fs::path kSource(VINE_SOURCE_DIR);
const std::string kDevice = (kSource / "configs/devices/zcu104.yaml").string();

// One conv layer with 4-bit thresholds (15 per channel), 4-bit fixed
// weights over 4-bit unsigned inputs; `folding` is its layer entry.
struct Case : DesignCase {
  Case(const std::string& name, const std::string& layer, const std::string& input, const std::string& folding,
       const std::string& extra = "")
      : DesignCase(name,
                   "input: {shape: " + input + ", type: unsigned, bits: 4}\nlayers:\n"
                   "  - {name: conv, kind: conv, " + layer + ", weights: {arithmetic: fixed, bits: 4}, "
                   "output: {kind: threshold, type: unsigned, bits: 4}}\n",
                   "  conv: " + folding + "\n" + extra) {}
};

// A pointwise conv (MobileNet's), 4 x 4 pixels, 4 -> 16 channels.
Case pointwise(const std::string& name, const std::string& folding, const std::string& extra = "") {
  return Case(name, "kernel: 1, out_channels: 16", "[4, 4, 4]", folding, extra);
}

}  // namespace

// MVAU PE 4, SIMD 4, threshold stage PE 1. By hand: the MVAU takes 16 pixels
// x SF 1 x NF 4 = 64 cycles a frame and writes 4 accumulators a beat; the
// converter splits its 64 beats into 256; the threshold stage takes one
// channel a cycle, 16 pixels x 16 channels = 256: the bottleneck, with the
// converter. The accumulators: 4 inputs of [0, 15] times weights of [-8, 7],
// 4 terms: [-480, 420], 10 signed bits.
TEST(SeparateThresholds, SlowThresholdStageBoundsTheInterval) {
  const Case c = pointwise("thr-pe1", "{simd: 4, pe: 4, thresholds: {pe: 1}}");
  const ir::Design d = c.load();
  EXPECT_EQ(ir::accumulator_bits(d.network.layers[0]), 10);
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  const ir::StagePlan* mvau = planned(plan, "conv.mvau");
  const ir::StagePlan* thr = planned(plan, "conv.threshold");
  ASSERT_NE(mvau, nullptr);
  ASSERT_NE(thr, nullptr);
  EXPECT_EQ(mvau->out_stream_bits, 4 * 10);
  EXPECT_EQ(thr->pe, 1);
  EXPECT_EQ(thr->in_stream_bits, 10);
  EXPECT_EQ(thr->out_stream_bits, 4);
  EXPECT_EQ(thr->in_words, 256);
  const ir::StagePlan* dwc = planned(plan, "conv.dwc_threshold");
  ASSERT_NE(dwc, nullptr);
  EXPECT_EQ(dwc->in_stream_bits, 40);
  EXPECT_EQ(dwc->out_stream_bits, 10);
  int between = 0;
  for (const auto& s : plan.streams)
    between += (s.name == "conv.mvau->conv.dwc_threshold" && s.bits == 40) ||
               (s.name == "conv.dwc_threshold->conv.threshold" && s.bits == 10);
  EXPECT_EQ(between, 2);
  EXPECT_EQ(estimated_cycles(d, "conv.mvau"), 64);
  EXPECT_EQ(estimated_cycles(d, "conv.dwc_threshold"), 256);
  EXPECT_EQ(estimated_cycles(d, "conv.threshold"), 256);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 256);
  expect_steady(run_bit_exact(d, 12), 256);
}

// The same layer with the thresholds inside the MVAU: 64 cycles a frame, and
// the same outputs (both runs match the one golden reference).
TEST(SeparateThresholds, FusedLayerIsTheMvausInterval) {
  const Case c = pointwise("thr-fused", "{simd: 4, pe: 4}");
  const ir::Design d = c.load();
  EXPECT_EQ(planned(ir::plan_process_network(d), "conv.threshold"), nullptr);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 64);
  expect_steady(run_bit_exact(d, 12), 64);
}

// A 3x3 conv over 6x6x4 (4 x 4 outputs), MVAU SIMD 4, PE 4 and threshold PE
// 2, as FINN builds MobileNet-V1's first layers for the ZCU104 (RTL MVAU and
// thresholding). By hand: the MVAU 16 x SF 9 x NF 4 = 576, the bottleneck;
// the threshold stage 16 x 16 / 2 = 128.
TEST(SeparateThresholds, RtlMvauAndRtlThresholdingAtTheMvausInterval) {
  const Case c("thr-rtl", "kernel: 3, out_channels: 16", "[6, 6, 4]",
               "{simd: 4, pe: 4, thresholds: {pe: 2}, impl_style: {mvau: rtl, threshold: rtl}}");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(std::string(ir::to_string(planned(plan, "conv.mvau")->kind)), "mvau_rtl");
  EXPECT_EQ(std::string(ir::to_string(planned(plan, "conv.threshold")->kind)), "threshold_rtl");
  EXPECT_EQ(estimated_cycles(d, "conv.mvau"), 576);
  EXPECT_EQ(estimated_cycles(d, "conv.threshold"), 128);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 576);
  expect_steady(run_bit_exact(d, 12), 576);
}

// The thresholds' memory and comparators move from the MVAU to the threshold
// stage: the MVAU costs less than the fused one, the threshold stage more
// than nothing.
TEST(SeparateThresholds, ThresholdMemoryMovesToItsStage) {
  const ir::Design fused = pointwise("thr-res-fused", "{simd: 4, pe: 4}").load();
  const ir::Design apart = pointwise("thr-res-apart", "{simd: 4, pe: 4, thresholds: {pe: 1}}").load();
  const auto stage = [](const ir::Design& d, const std::string& name) {
    for (const auto& l : estimate::estimate_design(d).layers)
      for (const auto& s : l.stages)
        if (s.plan.name == name) return s.resources;
    ADD_FAILURE() << "no stage " << name;
    return ir::Resources{};
  };
  EXPECT_LT(stage(apart, "conv.mvau").lut, stage(fused, "conv.mvau").lut);
  EXPECT_GT(stage(apart, "conv.threshold").lut, 0);
}

// FINN's graph: the MVAU, the FIFOs of accumulators around the converter
// (PE 4 to 1), the Thresholding node;
// the export writes the threshold stage's PE on it, and applying the export
// to the design with other PEs gives the design back. The layer is timed as
// FINN builds it: SpecializeLayers (specialize_layers.py) makes this MVAU
// (noActivation, 4-bit signed weights, 4-bit inputs, a DSP48E2 part)
// MVAU_rtl, the converter from 40 to 10 bits StreamingDataWidthConverter_rtl
// and the Thresholding node, with no preferred_impl_style, Thresholding_rtl.
// So the MVAU and the thresholds are timed from the RTL templates
// (impl_style), which the export names _rtl and which applying those _rtl
// nodes sets. (The converter is named _rtl by its widths, as FINN picks it;
// the export lists no entry for it, so it keeps Vine's HLS timing here.)
TEST(SeparateThresholds, FinnExportRoundTrip) {
  const std::string rtl = "impl_style: {mvau: rtl, threshold: rtl}";
  const Case c = pointwise("thr-finn", "{simd: 4, pe: 4, thresholds: {pe: 1}, " + rtl + "}");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(std::string(ir::to_string(planned(plan, "conv.mvau")->kind)), "mvau_rtl");
  EXPECT_EQ(std::string(ir::to_string(planned(plan, "conv.threshold")->kind)), "threshold_rtl");
  EXPECT_EQ(vine_test::finn_graph_order(d), (std::vector<std::string>{"input->conv", "MVAU_rtl_0", "conv.mvau->conv.dwc_threshold",
                                             "StreamingDataWidthConverter_rtl_0", "conv.dwc_threshold->conv.threshold",
                                             "Thresholding_rtl_0", "conv->output"}));
  const auto cfg = finn::finn_folding_config(d);
  EXPECT_EQ(cfg["MVAU_rtl_0"]["PE"], 4);
  EXPECT_EQ(cfg["Thresholding_rtl_0"]["PE"], 1);

  const Case bare = pointwise("thr-finn-bare", "{simd: 1, pe: 1, thresholds: {pe: 16}}");
  const finn::AppliedConfig a = finn::apply_finn_config(bare.load(), cfg, "cfg.json");
  EXPECT_EQ(a.design.folding[0].threshold_pe, 1);
  vine_test::expect_same_design(a.design, d, "applied");
  EXPECT_EQ(finn::finn_folding_config(a.design), cfg);

  // A Thresholding PE that does not divide the channels is refused, naming the node.
  Json bad = cfg;
  bad["Thresholding_rtl_0"]["PE"] = 3;
  try {
    finn::apply_finn_config(bare.load(), bad, "cfg.json");
    ADD_FAILURE() << "applied";
  } catch (const finn::FinnConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Thresholding_rtl_0: PE: got 3, expected a divisor of conv's channels (16)"),
              std::string::npos)
        << e.what();
  }

  // The same config applied to the fused design: its one Thresholding node
  // is the layer's thresholds, which become a stage of their own.
  const Case fused = pointwise("thr-finn-fused", "{simd: 1, pe: 1}");
  vine_test::expect_same_design(finn::apply_finn_config(fused.load(), cfg, "cfg.json").design, d, "from fused");
}

// The design file round trip: `thresholds:` is written back as read.
TEST(SeparateThresholds, WrittenDesignKeepsTheField) {
  const Case c = pointwise("thr-write", "{simd: 4, pe: 4, thresholds: {pe: 2}}");
  const ir::Design d = c.load();
  const fs::path out = c.design.path.string() + ".written.yaml";
  {
    std::ofstream f(out);
    config::write_design_with_finn_config(d, out.string(), "written", f);
  }
  vine_test::expect_same_design(config::load_design(out.string()), d, "written");
  fs::remove(out);
}

TEST(SeparateThresholds, BadFieldsAreRefused) {
  const Case three = pointwise("thr-bad-pe", "{simd: 4, pe: 4, thresholds: {pe: 3}}");
  const std::string e = error_of([&] { three.load(); });
  EXPECT_NE(e.find(three.design.path.string()), std::string::npos) << e;
  EXPECT_NE(e.find("a divisor of the output channels of conv = 16"), std::string::npos) << e;

  const Case scalar = pointwise("thr-bad-scalar", "{simd: 4, pe: 4, thresholds: separate}");
  const std::string e1 = error_of([&] { scalar.load(); });
  EXPECT_NE(e1.find("thresholds"), std::string::npos) << e1;
  EXPECT_NE(e1.find("{pe: N}"), std::string::npos) << e1;

  const Case unknown = pointwise("thr-bad-key", "{simd: 4, pe: 4, thresholds: {pe: 1, simd: 2}}");
  EXPECT_NE(error_of([&] { unknown.load(); }).find("simd"), std::string::npos);

  const Case rtl = pointwise("thr-bad-backend", "{simd: 4, pe: 4, backend: rtl, thresholds: {pe: 1}}");
  EXPECT_NE(error_of([&] { rtl.load(); }).find("backend: cpp on conv"), std::string::npos);

  const TempConfig net("thr-acc-net",
                       "network: n\ninput: {shape: [4, 4, 4], type: unsigned, bits: 4}\nlayers:\n"
                       "  - {name: pw, kind: conv, kernel: 1, out_channels: 4, weights: {arithmetic: fixed, bits: 4}, "
                       "output: {kind: accumulator}}\n");
  const TempConfig acc("thr-acc", "design: d\nnetwork: " + net.path.string() + "\ndevice: " + kDevice +
                                      "\nclock_mhz: 100\nlayers:\n  pw: {simd: 4, pe: 2, thresholds: {pe: 1}}\n");
  const std::string e2 = error_of([&] { config::load_design(acc.path.string()); });
  EXPECT_NE(e2.find("no thresholds stage on pw"), std::string::npos) << e2;

  const Case listed = pointwise("thr-bad-listed", "{simd: 4, pe: 4, stages: [mvau, threshold]}");
  EXPECT_NE(error_of([&] { listed.load(); }).find("thresholds: {pe: N} on conv"), std::string::npos);
}

// The shipped MobileNet-V1 ZCU104 design (finn-examples' ZCU104 config
// applied, docs/finn-configs.md): each of its 27 layers with thresholds has a
// threshold stage of its own, with FINN's converter before it where the PEs
// differ, its FINN graph names them Thresholding_rtl_0 to _26, and its
// estimate is bounded by conv0's threshold stage at PE 1: 111 x 111 pixels
// x 32 channels = 394272 cycles a frame (its MVAU, PE 16: 111 x 111 x SF 9
// x NF 2 = 221778).
TEST(SeparateThresholds, ShippedMobileNetZcu104) {
  const ir::Design d =
      config::load_design((kSource / "configs/designs/finn-examples/mobilenet-v1-w4a4-zcu104.yaml").string());
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  int thresholds = 0, converters = 0;
  for (const auto& s : plan.stages) {
    const std::string name = s.name;
    thresholds += name.size() > 10 && name.substr(name.size() - 10) == ".threshold";
    converters += name.find(".dwc_threshold") != std::string::npos;
  }
  EXPECT_EQ(thresholds, 27);
  EXPECT_EQ(converters, 26);  // all but dw12's: its VVAU and threshold stage both have PE 1
  const auto g = finn::finn_graph(d, plan, {});
  int named = 0;
  for (const auto& n : g) named += n.op == "Thresholding" && n.style == "rtl";
  EXPECT_EQ(named, 27);
  EXPECT_NE(vine_test::node_named(g, "Thresholding_rtl_26"), nullptr);
  EXPECT_EQ(estimated_cycles(d, "conv0.threshold"), 111 * 111 * 32);
  EXPECT_EQ(estimated_cycles(d, "conv0.mvau"), 111 * 111 * 9 * 2);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 394272);
}
