// FINN's DownSampler (`stages: [downsampler, mvau]` on a strided 1x1 conv,
// docs/stage-kinds.md): the outputs stay bit-exact against the golden
// reference (the conv's), the stage's cycles are FINN's closed form (every
// input beat read, one a cycle) and the steady interval the one derived by
// hand below, FINN's graph names it DownSampler_hls, export then apply gives
// the design back, and bad stage lists are refused naming the file and value.
#include <gtest/gtest.h>

#include <string>

#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/finn_config/finn_apply.h"
#include "sim/finn_config/finn_export.h"
#include "sim/run/simulation.h"
#include "tests/sim/design_case.h"
#include "tests/sim/finn_config_helpers.h"
#include "tests/sim/one_layer_checks.h"
#include "tests/sim/temp_config.h"

using namespace vine;
using Json = nlohmann::ordered_json;
using testing_support::error_of;
using testing_support::DesignCase;
using testing_support::estimated_cycles;
using testing_support::expect_steady;
using testing_support::planned;
using testing_support::run_bit_exact;

namespace {

// A 1x1 conv of stride 2 over a 7x7x4 frame (an odd side: the last row and
// column are kept), 4x4 outputs of 4 channels, with `folding` as its layer
// entry; `layer` overrides the conv's kernel, stride and padding.
struct Case : DesignCase {
  Case(const std::string& name, const std::string& folding,
       const std::string& layer = "kernel: 1, stride: 2", const std::string& fifos = "")
      : DesignCase(name,
                   "input: {shape: [7, 7, 4], type: unsigned, bits: 2}\nlayers:\n"
                   "  - {name: conv, kind: conv, " + layer + ", out_channels: 4, weights: {arithmetic: binary}, "
                   "output: {kind: threshold, type: unsigned, bits: 2}}\n",
                   "  conv: " + folding + "\n" + fifos) {}
};

}  // namespace

// SIMD 2, PE 2. By hand: the DownSampler reads 7 x 7 pixels of cf = 4 / 2 =
// 2 beats, one a cycle: 98 cycles. The MVAU: 16 pixels x SF 2 x NF 2 = 64.
// The DownSampler is the bottleneck: 98 cycles a frame.
TEST(DownSampler, StridedPointwiseConvIsBitExactAtItsClosedForm) {
  const Case c("downsampler", "{simd: 2, pe: 2, stages: [downsampler, mvau]}");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  const ir::StagePlan* ds = planned(plan, "conv.downsampler");
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(planned(plan, "conv.swg"), nullptr);
  EXPECT_EQ(ds->in_words, 98);
  EXPECT_EQ(ds->out_words, 32);
  EXPECT_EQ(ds->in_stream_bits, 4);
  EXPECT_EQ(estimated_cycles(d, "conv.downsampler"), 98);
  EXPECT_EQ(estimated_cycles(d, "conv.mvau"), 64);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 98);
  expect_steady(run_bit_exact(d, 12), 98);
}

// Its own SIMD (window_simd 1, FINN's DownSampler folded apart from its
// MVAU) with a width converter before the MVAU: 7 x 7 x 4 = 196 cycles.
TEST(DownSampler, OwnSimdGetsAConverter) {
  const Case c("downsampler-dwc", "{simd: 4, pe: 4, window_simd: 1, stages: [downsampler, mvau]}");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  ASSERT_NE(planned(plan, "conv.dwc"), nullptr);
  EXPECT_EQ(planned(plan, "conv.downsampler")->simd, 1);
  EXPECT_EQ(estimated_cycles(d, "conv.downsampler"), 196);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 196);
  expect_steady(run_bit_exact(d, 12), 196);
}

// A padded strided 1x1 conv: FINN's FMPadding then DownSampler. Padding 1
// on each side: 9 x 9 read, 5 x 5 kept; cf = 1 at SIMD 4: 81 cycles.
TEST(DownSampler, AfterPadding) {
  const Case c("downsampler-pad", "{simd: 4, pe: 1, stages: [fmpadding, downsampler, mvau]}",
               "kernel: 1, stride: 2, padding: 1");
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "conv.downsampler"), 81);
  run_bit_exact(d, 3);
}

// FINN's graph: DownSampler_hls, its FIFO, the MVAU; the export writes the
// DownSampler's SIMD, and applying it to the design at SIMD 1 gives it back.
TEST(DownSampler, FinnExportRoundTrip) {
  const Case c("downsampler-finn", "{simd: 4, pe: 2, window_simd: 2, stages: [downsampler, mvau]}");
  const ir::Design d = c.load();
  EXPECT_EQ(vine_test::finn_graph_order(d),
            (std::vector<std::string>{"input->conv", "DownSampler_hls_0", "conv.downsampler->conv.dwc",
                                      "StreamingDataWidthConverter_rtl_0", "conv.dwc->conv.mvau", "MVAU_hls_0",
                                      "conv->output"}));
  const auto cfg = finn::finn_folding_config(d);
  EXPECT_EQ(cfg["DownSampler_hls_0"]["SIMD"], 2);
  EXPECT_EQ(cfg["MVAU_hls_0"]["SIMD"], 4);
  const Case bare("downsampler-bare", "{simd: 1, pe: 1, stages: [downsampler, mvau]}");
  const finn::AppliedConfig a = finn::apply_finn_config(bare.load(), cfg, "cfg.json");
  EXPECT_EQ(a.design.folding[0].window_simd, 2);
  vine_test::expect_same_design(a.design, d, "applied");
  EXPECT_EQ(finn::finn_folding_config(a.design), cfg);
  // A DownSampler has no PE.
  Json bad = cfg;
  bad["DownSampler_hls_0"]["PE"] = 2;
  bool refused = false;
  try {
    finn::apply_finn_config(bare.load(), bad, "cfg.json");
  } catch (const std::exception& e) {
    refused = std::string(e.what()).find("DownSampler_hls_0") != std::string::npos;
  }
  EXPECT_TRUE(refused);
  // The same config on the conv with its default sliding window: no
  // DownSampler node, and the error says how to get one.
  const Case swg("downsampler-swg", "{simd: 1, pe: 1}");
  std::string e;
  try {
    finn::apply_finn_config(swg.load(), cfg, "cfg.json");
  } catch (const std::exception& x) {
    e = x.what();
  }
  EXPECT_NE(e.find("DownSampler_hls_0"), std::string::npos) << e;
  EXPECT_NE(e.find("has no DownSampler_hls node"), std::string::npos) << e;
  EXPECT_NE(e.find("stages: [downsampler, mvau]"), std::string::npos) << e;
}

TEST(DownSampler, BadStagesAreRefused) {
  const Case wide("downsampler-3x3", "{simd: 4, pe: 2, stages: [downsampler, mvau]}", "kernel: 3, stride: 2");
  const std::string e = error_of([&] { ir::plan_process_network(wide.load()); });
  EXPECT_NE(e.find(wide.design.path.string()), std::string::npos) << e;
  EXPECT_NE(e.find("a downsampler only in a 1x1 conv's stages"), std::string::npos) << e;
  EXPECT_NE(e.find("kernel 3"), std::string::npos) << e;

  const Case unpadded("downsampler-nopad", "{simd: 4, pe: 2, stages: [downsampler, mvau]}",
                      "kernel: 1, stride: 2, padding: 1");
  const std::string e2 = error_of([&] { ir::plan_process_network(unpadded.load()); });
  EXPECT_NE(e2.find(unpadded.design.path.string()), std::string::npos) << e2;
  EXPECT_NE(e2.find("keeps 4x4 pixels, but conv has 5x5 outputs"), std::string::npos) << e2;
}
