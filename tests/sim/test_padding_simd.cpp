// A padded layer's FMPadding narrower or wider than its sliding window
// (`padding_simd:`), with FINN's StreamingDataWidthConverter between the two
// (docs/finn-configs.md, docs/stage-kinds.md): the plan puts the converter
// and a stream on each side of it, the outputs stay bit-exact, the steady
// interval is the closed form, FINN's graph has the converter and both
// FIFOs, export then apply gives the design back, and a bad padding_simd is
// refused naming the file, line, field and value.
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

// A 3x3 depthwise conv with padding 1 over 6x6x8 (6x6 outputs), as
// MobileNet-V1's depthwise layers, with `folding` as its layer entry.
struct Case : DesignCase {
  Case(const std::string& name, const std::string& folding, const std::string& fifos = "",
       const std::string& layer = "kind: dwconv, kernel: 3, padding: 1")
      : DesignCase(name,
                   "input: {shape: [6, 6, 8], type: unsigned, bits: 4}\nlayers:\n"
                   "  - {name: dw, " + layer + ", weights: {arithmetic: fixed, bits: 4}, "
                   "output: {kind: threshold, type: unsigned, bits: 4}}\n",
                   "  dw: " + folding + "\n" + fifos) {}
};

const std::string kDeepDwcFifos =
    "fifos:\n  - {stream: dw.pad->dw.dwc_swg, depth: 32}\n  - {stream: dw.dwc_swg->dw.swg, depth: 32}\n";

}  // namespace

// Padding SIMD 1 into a window and VVAU of PE 8. By hand: the padding writes
// 8 x 8 padded pixels x 8 channel folds = 512 beats, one a cycle, the
// bottleneck; the converter widens 512 beats into 64: 512; the VVAU 36
// pixels x 9 kernel positions x 1 channel fold = 324.
TEST(PaddingSimd, NarrowPaddingBoundsTheInterval) {
  const Case c("pad-simd-1", "{pe: 8, padding_simd: 1}", kDeepDwcFifos);
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  const ir::StagePlan* dwc = planned(plan, "dw.dwc_swg");
  ASSERT_NE(dwc, nullptr);
  EXPECT_EQ(dwc->in_stream_bits, 4);
  EXPECT_EQ(dwc->out_stream_bits, 32);
  EXPECT_EQ(planned(plan, "dw.pad")->pe, 1);
  EXPECT_EQ(planned(plan, "dw.swg")->pe, 8);
  EXPECT_EQ(plan.streams.front().bits, 4);  // the input DMA writes the padding's width
  int sides = 0;
  for (const auto& s : plan.streams) sides += s.name == "dw.pad->dw.dwc_swg" || s.name == "dw.dwc_swg->dw.swg";
  EXPECT_EQ(sides, 2);
  EXPECT_EQ(estimated_cycles(d, "dw.pad"), 512);
  EXPECT_EQ(estimated_cycles(d, "dw.dwc_swg"), 512);
  EXPECT_EQ(estimated_cycles(d, "dw.vvau"), 324);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 512);
  expect_steady(run_bit_exact(d, 12), 512);
}

// Padding SIMD 2 into PE 8 (MobileNet-V1 ZCU104's FMPadding_rtl_0 SIMD 2
// before a window of SIMD 16): the padding 8 x 8 x 4 = 256 and the converter
// 256 no longer bound it; the window does, at its closed form.
TEST(PaddingSimd, WiderPaddingLeavesTheWindowTheBottleneck) {
  const Case c("pad-simd-2", "{pe: 8, padding_simd: 2}", kDeepDwcFifos);
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "dw.pad"), 256);
  EXPECT_EQ(estimated_cycles(d, "dw.dwc_swg"), 256);
  const int64_t window = estimated_cycles(d, "dw.swg");
  EXPECT_GT(window, 324);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, window);
  expect_steady(run_bit_exact(d, 12), window);
}

// A conv's padding of SIMD 2 before its window and MVAU of SIMD 8
// (`window_simd` unset): the same re-beating, bit-exact. By hand: the MVAU,
// 36 pixels x SF 9 x NF 2 = 648, the bottleneck; the padding 8 x 8 x 4 =
// 256. The window's stream is 32 deep too: at 2 the window and the MVAU
// stall each other (666 cycles, as the layer without padding_simd; `vine
// run`'s `why` names dw.swg->dw.mvau).
TEST(PaddingSimd, ConvPaddingIsReBeatedToo) {
  const Case c("pad-simd-conv", "{simd: 8, pe: 4, padding_simd: 2}",
               kDeepDwcFifos + "  - {stream: dw.swg->dw.mvau, depth: 32}\n",
               "kind: conv, kernel: 3, padding: 1, out_channels: 8");
  const ir::Design d = c.load();
  ASSERT_NE(planned(ir::plan_process_network(d), "dw.dwc_swg"), nullptr);
  EXPECT_EQ(estimated_cycles(d, "dw.pad"), 256);
  EXPECT_EQ(estimated_cycles(d, "dw.mvau"), 648);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 648);
  expect_steady(run_bit_exact(d, 12), 648);
}

TEST(PaddingSimd, WithoutPaddingSimdThereIsNoConverter) {
  EXPECT_EQ(planned(ir::plan_process_network(Case("pad-simd-none", "{pe: 8}").load()), "dw.dwc_swg"), nullptr);
  EXPECT_EQ(planned(ir::plan_process_network(Case("pad-simd-same", "{pe: 8, padding_simd: 8}").load()), "dw.dwc_swg"),
            nullptr);
}

// FINN's graph: the padding, its FIFO, the converter, its FIFO, the window;
// the export writes the padding's SIMD, and applying the export to the
// design without padding_simd gives the design back. The layer is timed as
// FINN builds it: SpecializeLayers (specialize_layers.py) makes FMPadding
// and ConvolutionInputGenerator with no preferred_impl_style their RTL
// variants, a converter from 8 to 32 bits (one width divides the other)
// StreamingDataWidthConverter_rtl, and the VVAU VVAU_hls (_vvu_rtl_possible
// wants a Versal part and noActivation). So the padding and the window
// (SIMD 1 VVAU: the default style) are timed from the RTL templates, which
// the export names _rtl and which applying those _rtl nodes sets. (The
// converter is named _rtl by its widths, as FINN picks it; the export lists
// no entry for it, so it keeps Vine's HLS timing here.)
TEST(PaddingSimd, FinnExportRoundTrip) {
  const Case c("pad-simd-finn", "{pe: 8, padding_simd: 2, impl_style: {fmpadding: rtl, swg: rtl}}");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(std::string(ir::to_string(planned(plan, "dw.pad")->kind)), "fmpadding_rtl");
  EXPECT_EQ(std::string(ir::to_string(planned(plan, "dw.swg")->kind)), "swg_rtl");
  EXPECT_EQ(vine_test::finn_graph_order(d), (std::vector<std::string>{"input->dw", "FMPadding_rtl_0", "dw.pad->dw.dwc_swg",
                                             "StreamingDataWidthConverter_rtl_0", "dw.dwc_swg->dw.swg",
                                             "ConvolutionInputGenerator_rtl_0", "dw.swg->dw.vvau", "VVAU_hls_0",
                                             "dw->output"}));
  const auto cfg = finn::finn_folding_config(d);
  EXPECT_EQ(cfg["FMPadding_rtl_0"]["SIMD"], 2);
  EXPECT_EQ(cfg["ConvolutionInputGenerator_rtl_0"]["SIMD"], 8);
  EXPECT_EQ(cfg["VVAU_hls_0"]["PE"], 8);

  const Case bare("pad-simd-bare", "{pe: 1, padding_simd: 1}");
  const finn::AppliedConfig a = finn::apply_finn_config(bare.load(), cfg, "cfg.json");
  EXPECT_EQ(a.design.folding[0].padding_simd, 2);
  EXPECT_EQ(a.design.folding[0].pe, 8);
  vine_test::expect_same_design(a.design, d, "applied");
  EXPECT_EQ(finn::finn_folding_config(a.design), cfg);

  // A padding whose SIMD is the window's needs no padding_simd.
  Json same;
  for (const auto& [name, v] : cfg.items())
    if (name.rfind("StreamingFIFO", 0) != 0) same[name] = v;
  same["FMPadding_rtl_0"]["SIMD"] = 8;
  EXPECT_EQ(finn::apply_finn_config(d, same, "cfg.json").design.folding[0].padding_simd, 0);

  // The layer with its padding and window timed from the HLS templates
  // (FINN's build with preferred_impl_style hls on them): the export names
  // them as their timing, FMPadding_hls and ConvolutionInputGenerator_hls,
  // and applying it gives the HLS timing back.
  const Case hls("pad-simd-finn-hls", "{pe: 8, padding_simd: 2}");
  const ir::Design h = hls.load();
  EXPECT_EQ(vine_test::finn_graph_order(h), (std::vector<std::string>{"input->dw", "FMPadding_hls_0", "dw.pad->dw.dwc_swg",
                                             "StreamingDataWidthConverter_rtl_0", "dw.dwc_swg->dw.swg",
                                             "ConvolutionInputGenerator_hls_0", "dw.swg->dw.vvau", "VVAU_hls_0",
                                             "dw->output"}));
  vine_test::expect_same_design(finn::apply_finn_config(bare.load(), finn::finn_folding_config(h), "cfg.json").design, h,
                                "applied hls");
}

TEST(PaddingSimd, BadPaddingSimdIsRefused) {
  const Case three("pad-simd-bad", "{pe: 8, padding_simd: 3}");
  const std::string e = error_of([&] { three.load(); });
  EXPECT_NE(e.find(three.design.path.string()), std::string::npos) << e;
  EXPECT_NE(e.find("padding_simd"), std::string::npos) << e;
  EXPECT_NE(e.find("a divisor of the input channels of dw = 8"), std::string::npos) << e;

  const Case unpadded("pad-simd-unpadded", "{pe: 8, padding_simd: 2}", "", "kind: dwconv, kernel: 3");
  const std::string e1 = error_of([&] { unpadded.load(); });
  EXPECT_NE(e1.find("dw has no FMPadding"), std::string::npos) << e1;
}
