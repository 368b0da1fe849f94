// A conv layer's sliding window narrower or wider than its MVAU's SIMD
// (`window_simd:`), with FINN's StreamingDataWidthConverter between the two
// (docs/finn-configs.md, docs/stage-kinds.md): the plan puts the converter
// and a stream on each side of it, the outputs stay bit-exact, the steady
// interval is the closed form derived by hand below, FINN's graph has the
// converter and both FIFOs, export then apply gives the design back, and a
// bad window_simd is refused naming the file, line, field and value.
#include <gtest/gtest.h>

#include <filesystem>
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

// A 3x3 conv over a 6x6x3 frame (4x4 outputs, 4 channels, PE 2), as
// MobileNet-V1's first layer has 3 input channels, with `folding` as its
// layer entry.
struct Case : DesignCase {
  Case(const std::string& name, const std::string& folding, const std::string& fifos = "")
      : DesignCase(name,
                   "input: {shape: [6, 6, 3], type: unsigned, bits: 4}\nlayers:\n"
                   "  - {name: conv, kind: conv, kernel: 3, out_channels: 4, weights: {arithmetic: fixed, bits: 4}, "
                   "output: {kind: threshold, type: unsigned, bits: 4}}\n",
                   "  conv: " + folding + "\n" + fifos) {}
};

}  // namespace

// The streams on both sides of the converter 32 deep, so that neither side
// waits on the other: with 2 (the default) the MVAU's bursts (SF beats
// read, then NF - 1 folds replayed from its buffer) and the window's (its
// first K rows read before any write) stall each other, as they do without
// a converter (`vine run`'s `why` names the stream; the same layer with
// window and MVAU at SIMD 1 and no converter needs 27 on its window stream).
const std::string kDeepDwcFifos =
    "fifos:\n  - {stream: conv.swg->conv.dwc, depth: 32}\n  - {stream: conv.dwc->conv.mvau, depth: 32}\n";

// Window SIMD 1 into an MVAU of SIMD 3 (MobileNet-V1 ZCU104's conv0). By
// hand: the window moves one channel a beat, cf = 3; it reads K rows, 6 x 3
// x 3 = 54 cycles, then per output row max(4 x 9 x 3, 1 x 6 x 3) = 108, 4
// rows, and re-enters its loop (depth 2 + 1): 54 + 432 + 3 = 489. The
// converter widens 432 window beats into 144 MVAU beats: max(432, 144) =
// 432. The MVAU: 16 pixels x SF 9 x NF 2 = 288. The window is the
// bottleneck: 489 cycles a frame.
TEST(WindowDwc, NarrowWindowIntoWiderMvau) {
  const Case c("window-dwc-up", "{simd: 3, pe: 2, window_simd: 1}", kDeepDwcFifos);
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  const ir::StagePlan* dwc = planned(plan, "conv.dwc");
  ASSERT_NE(dwc, nullptr);
  EXPECT_EQ(dwc->in_stream_bits, 4);
  EXPECT_EQ(dwc->out_stream_bits, 12);
  EXPECT_EQ(planned(plan, "conv.swg")->simd, 1);
  // A stream (FINN's FIFO) on each side of the converter.
  int sides = 0;
  for (const auto& s : plan.streams) sides += s.name == "conv.swg->conv.dwc" || s.name == "conv.dwc->conv.mvau";
  EXPECT_EQ(sides, 2);
  EXPECT_EQ(estimated_cycles(d, "conv.swg"), 489);
  EXPECT_EQ(estimated_cycles(d, "conv.dwc"), 432);
  EXPECT_EQ(estimated_cycles(d, "conv.mvau"), 288);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 489);
  expect_steady(run_bit_exact(d, 12), 489);
}

// Window SIMD 3 into an MVAU of SIMD 1: the converter narrows. By hand: the
// window, cf = 1: 6 x 3 + 4 x max(4 x 9, 6) + 3 = 165; the converter
// max(144, 432) = 432; the MVAU 16 x 27 x 2 = 864, the bottleneck.
TEST(WindowDwc, WideWindowIntoNarrowerMvau) {
  const Case c("window-dwc-down", "{simd: 1, pe: 2, window_simd: 3}", kDeepDwcFifos);
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "conv.swg"), 165);
  EXPECT_EQ(estimated_cycles(d, "conv.dwc"), 432);
  EXPECT_EQ(estimated_cycles(d, "conv.mvau"), 864);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 864);
  expect_steady(run_bit_exact(d, 12), 864);
}

// The same outputs as the layer without a converter: the window's element
// order does not depend on its SIMD.
TEST(WindowDwc, WithoutWindowSimdThereIsNoConverter) {
  const Case c("window-dwc-none", "{simd: 3, pe: 2}");
  const ir::Design d = c.load();
  EXPECT_EQ(planned(ir::plan_process_network(d), "conv.dwc"), nullptr);
  const Case same("window-dwc-same", "{simd: 3, pe: 2, window_simd: 3}");
  EXPECT_EQ(planned(ir::plan_process_network(same.load()), "conv.dwc"), nullptr);
}

// FINN's graph: the window, its FIFO, the converter, its FIFO, the MVAU; the
// export writes the window's SIMD, and applying the export to the design
// without window_simd gives the design back. The layer is timed as FINN
// builds it: SpecializeLayers (specialize_layers.py) makes a window with no
// preferred_impl_style ConvolutionInputGenerator_rtl (square, stride 1: its
// HLS variant would do, but RTL is the default), a converter from 4 to 12
// bits (one width divides the other) StreamingDataWidthConverter_rtl, and an
// MVAU with its thresholds inside MVAU_hls (_mvu_rtl_possible wants
// noActivation). So the window is timed from the RTL template (impl_style),
// which the export names _rtl and which applying that _rtl node sets. (The
// converter is named _rtl by its widths, as FINN picks it; the export lists
// no entry for it, nothing to fold, so its template is not carried and it
// keeps Vine's HLS timing here.)
TEST(WindowDwc, FinnExportRoundTrip) {
  const Case c("window-dwc-finn", "{simd: 3, pe: 2, window_simd: 1, impl_style: {swg: rtl}}");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(std::string(ir::to_string(planned(plan, "conv.swg")->kind)), "swg_rtl");
  EXPECT_EQ(vine_test::finn_graph_order(d), (std::vector<std::string>{"input->conv", "ConvolutionInputGenerator_rtl_0", "conv.swg->conv.dwc",
                                             "StreamingDataWidthConverter_rtl_0", "conv.dwc->conv.mvau", "MVAU_hls_0",
                                             "conv->output"}));
  const auto cfg = finn::finn_folding_config(d);
  EXPECT_EQ(cfg["ConvolutionInputGenerator_rtl_0"]["SIMD"], 1);
  EXPECT_EQ(cfg["MVAU_hls_0"]["SIMD"], 3);
  EXPECT_EQ(cfg["MVAU_hls_0"]["PE"], 2);

  const Case bare("window-dwc-bare", "{simd: 1, pe: 1}");
  const finn::AppliedConfig a = finn::apply_finn_config(bare.load(), cfg, "cfg.json");
  EXPECT_EQ(a.design.folding[0].window_simd, 1);
  EXPECT_EQ(a.design.folding[0].simd, 3);
  vine_test::expect_same_design(a.design, d, "applied");
  EXPECT_EQ(finn::finn_folding_config(a.design), cfg);

  // A window whose SIMD is the MVAU's needs no window_simd (that build has
  // no converter, and so other FIFO indices: the config lists none here).
  Json same;
  for (const auto& [name, v] : cfg.items())
    if (name.rfind("StreamingFIFO", 0) != 0) same[name] = v;
  same["ConvolutionInputGenerator_rtl_0"]["SIMD"] = 3;
  EXPECT_EQ(finn::apply_finn_config(d, same, "cfg.json").design.folding[0].window_simd, 0);

  // The layer with its window timed from the HLS template (FINN's build with
  // preferred_impl_style hls on it): the export names the window as its
  // timing, ConvolutionInputGenerator_hls, and applying it gives the HLS
  // window back.
  const Case hls("window-dwc-finn-hls", "{simd: 3, pe: 2, window_simd: 1}");
  const ir::Design h = hls.load();
  EXPECT_EQ(std::string(ir::to_string(planned(ir::plan_process_network(h), "conv.swg")->kind)), "swg");
  const auto hcfg = finn::finn_folding_config(h);
  EXPECT_TRUE(hcfg.contains("ConvolutionInputGenerator_hls_0")) << hcfg.dump();
  EXPECT_FALSE(hcfg.contains("ConvolutionInputGenerator_rtl_0")) << hcfg.dump();
  vine_test::expect_same_design(finn::apply_finn_config(bare.load(), hcfg, "cfg.json").design, h, "applied hls");
}

TEST(WindowDwc, BadWindowSimdIsRefused) {
  const Case two("window-dwc-bad", "{simd: 3, pe: 2, window_simd: 2}");
  const std::string e = error_of([&] { two.load(); });
  EXPECT_NE(e.find(two.design.path.string()), std::string::npos) << e;
  EXPECT_NE(e.find("window_simd"), std::string::npos) << e;
  EXPECT_NE(e.find("a divisor of the input channels of conv = 3"), std::string::npos) << e;

  const TempConfig net("window-dwc-1x1-net",
                       "network: n\ninput: {shape: [4, 4, 4], type: unsigned, bits: 4}\nlayers:\n"
                       "  - {name: pw, kind: conv, kernel: 1, out_channels: 4, weights: {arithmetic: fixed, bits: 4}, "
                       "output: {kind: threshold, type: unsigned, bits: 4}}\n");
  const TempConfig pw("window-dwc-1x1", "design: d\nnetwork: " + net.path.string() + "\ndevice: " + kDevice +
                                            "\nclock_mhz: 100\nlayers:\n  pw: {simd: 4, pe: 2, window_simd: 2}\n");
  const std::string e1 = error_of([&] { config::load_design(pw.path.string()); });
  EXPECT_NE(e1.find("a 1x1 stride-1 conv has no sliding window"), std::string::npos) << e1;

  const TempConfig dnet("window-dwc-dw-net",
                        "network: n\ninput: {shape: [6, 6, 4], type: unsigned, bits: 4}\nlayers:\n"
                        "  - {name: dw, kind: dwconv, kernel: 3, weights: {arithmetic: fixed, bits: 4}, "
                        "output: {kind: threshold, type: unsigned, bits: 4}}\n");
  const TempConfig dw("window-dwc-dw", "design: d\nnetwork: " + dnet.path.string() + "\ndevice: " + kDevice +
                                           "\nclock_mhz: 100\nlayers:\n  dw: {pe: 2, window_simd: 1}\n");
  const std::string e2 = error_of([&] { config::load_design(dw.path.string()); });
  EXPECT_NE(e2.find("no window_simd on the dwconv layer dw"), std::string::npos) << e2;
}
