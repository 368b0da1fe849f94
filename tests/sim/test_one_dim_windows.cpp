// One-dimensional (non-square) kernels, windows and pools (docs/configs.md):
// `kernel: [KH, KW]` and `stride: [SH, SW]` through the stage plan, the
// sliding-window stages (HLS and RTL), the pools and the estimate. Each
// window stage runs at its closed form frame after frame, the closed form
// written out by hand here; the outputs stay bit-exact against the golden
// reference; bad kernels and strides are refused naming file, line, field,
// value and what was expected.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "models/layers/sliding_window_rtl.h"
#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/run/process_network.h"
#include "sim/run/simulation.h"
#include "tests/sim/design_case.h"
#include "tests/sim/one_layer_checks.h"
#include "tests/sim/temp_config.h"

namespace fs = std::filesystem;
using namespace vine;
using testing_support::error_of;
using testing_support::estimated_cycles;
using testing_support::planned;
using testing_support::DesignCase;
using testing_support::TempConfig;

namespace {

const fs::path kSource(VINE_SOURCE_DIR);
const std::string kDevice = (kSource / "configs/devices/zcu104.yaml").string();

using Case = DesignCase;

// Busy cycles per frame of the stage `name`: those of 3 frames minus 2's.
int64_t busy_per_frame(const ir::Design& d, const std::string& name) {
  std::map<int, int64_t> busy;
  for (int n : {2, 3}) {
    sim::ProcessNetwork pn(d, {n, true, false}, nullptr, {}, {});
    EXPECT_TRUE(pn.run());
    for (const auto& s : pn.stages())
      if (s->name() == name) busy[n] = s->stats().busy;
  }
  return busy[3] - busy[2];
}

// A VGG10-like block along the width of a 1 x 32 map: a [1, 3] conv padded
// by one column each side, a [1, 2] max pool, a [1, 3] conv at stride 2.
const std::string kWidthNet =
    "input: {shape: [1, 32, 4], type: signed, bits: 4}\nclasses: 3\nlayers:\n"
    "  - {name: c1, kind: conv, kernel: [1, 3], padding: [0, 1, 0, 1], out_channels: 8, "
    "weights: {arithmetic: fixed, bits: 4}, output: {kind: threshold, type: unsigned, bits: 4}}\n"
    "  - {name: mp, kind: maxpool, kernel: [1, 2]}\n"
    "  - {name: c2, kind: conv, kernel: [1, 3], stride: [1, 2], out_channels: 4, "
    "weights: {arithmetic: fixed, bits: 4}, output: {kind: threshold, type: unsigned, bits: 4}}\n"
    "  - {name: fc, kind: fc, out_features: 3, weights: {arithmetic: fixed, bits: 4}, output: {kind: accumulator}}\n";

// The same along the height of a 32 x 1 map.
const std::string kHeightNet =
    "input: {shape: [32, 1, 4], type: signed, bits: 4}\nclasses: 3\nlayers:\n"
    "  - {name: c1, kind: conv, kernel: [3, 1], padding: [1, 0, 1, 0], out_channels: 8, "
    "weights: {arithmetic: fixed, bits: 4}, output: {kind: threshold, type: unsigned, bits: 4}}\n"
    "  - {name: mp, kind: maxpool, kernel: [2, 1]}\n"
    "  - {name: c2, kind: conv, kernel: [3, 1], stride: [2, 1], out_channels: 4, "
    "weights: {arithmetic: fixed, bits: 4}, output: {kind: threshold, type: unsigned, bits: 4}}\n"
    "  - {name: fc, kind: fc, out_features: 3, weights: {arithmetic: fixed, bits: 4}, output: {kind: accumulator}}\n";

const std::string kFolding =
    "  c1: {simd: 2, pe: 2}\n  mp: {pe: 2}\n  c2: {simd: 4, pe: 1}\n  fc: {simd: 4, pe: 1}\n";
const std::string kFoldingRtl =
    "  c1: {simd: 2, pe: 2, impl_style: {swg: rtl}}\n  mp: {pe: 2}\n  c2: {simd: 4, pe: 1, impl_style: {swg: rtl}}\n"
    "  fc: {simd: 4, pe: 1}\n";

}  // namespace

// The HLS generator over a [1, 3] window, its closed form by hand:
// IFM_w*KH*cf + OFM_h * max(OFM_w*KH*KW*cf, SH*IFM_w*cf) + 3 (drain and
// re-entry). c1 reads the padded 1 x 34 map, cf = 4 / 2 = 2:
// 34*1*2 + 1 * max(32*3*2, 1*34*2) + 3 = 68 + 192 + 3 = 263. c2 reads the
// pooled 1 x 16 map of 8 channels, cf = 2, 7 windows at stride 2:
// 16*1*2 + max(7*3*2, 16*2) + 3 = 32 + 42 + 3 = 77. The pool reads each of
// its 1 x 32 x 8 elements once, PE 2: 128. The frames leave at the MVAU's
// 768 once the streams inside the layers hold a window row's 192 beats (at
// 2 deep the window's burst and the MVAU's reads stall each other: 873).
TEST(OneDimWindows, HlsWindowAlongTheWidthTakesItsClosedForm) {
  const Case c("one-dim-hls", kWidthNet, kFolding + "internal_fifo_depth: 256\n");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  const ir::StagePlan* swg = planned(plan, "c1.swg");
  ASSERT_NE(swg, nullptr);
  EXPECT_EQ(swg->kernel_h, 1);
  EXPECT_EQ(swg->kernel_w, 3);
  EXPECT_EQ(swg->ifm_h, 1);
  EXPECT_EQ(swg->ifm_w, 34);
  EXPECT_EQ(estimated_cycles(d, "c1.swg"), 263);
  EXPECT_EQ(busy_per_frame(d, "c1.swg"), 263);
  EXPECT_EQ(estimated_cycles(d, "c2.swg"), 77);
  EXPECT_EQ(busy_per_frame(d, "c2.swg"), 77);
  EXPECT_EQ(estimated_cycles(d, "mp.pool"), 128);
  EXPECT_EQ(busy_per_frame(d, "mp.pool"), 128);
  // The MVAU: 32 pixels x MW 12 / SIMD 2 x MH 8 / PE 2 = 768, the bottleneck.
  EXPECT_EQ(estimated_cycles(d, "c1.mvau"), 32 * 6 * 4);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 768);
  testing_support::expect_steady(testing_support::run_bit_exact(d, 12), 768);
}

// Along the height the HLS generator's rows are one pixel wide: KH rows are
// read first (3*1*2 = 6), then each of 32 output rows costs
// max(1*3*1*2, 1*1*2) = 6: 6 + 192 + 3 = 201. c2: 16 rows in, 7 out at
// stride 2: 1*3*2 + 7 * max(6, 2*1*2) + 3 = 6 + 42 + 3 = 51.
TEST(OneDimWindows, HlsWindowAlongTheHeightTakesItsClosedForm) {
  const Case c("one-dim-hls-h", kHeightNet, kFolding);
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "c1.swg"), 201);
  EXPECT_EQ(busy_per_frame(d, "c1.swg"), 201);
  EXPECT_EQ(estimated_cycles(d, "c2.swg"), 51);
  EXPECT_EQ(busy_per_frame(d, "c2.swg"), 51);
  EXPECT_EQ(estimated_cycles(d, "mp.pool"), 128);
  testing_support::expect_steady(testing_support::run_bit_exact(d, 12), 768);
}

// FINN's RTL generator runs the real [H, W] and [KH, KW]: a [1, K] window
// over 1 x W and a [K, 1] window over H x 1 read the same beats in the same
// order into the same buffer, so the controller's schedule is the same one.
// Its buffer is (KW - 1 + 1) * cf = 3 * 2 beats (get_buffer_depth), and with
// one window's beats fetched per KW*cf = 6 cycles while a beat is read per
// output pixel's cf = 2, the fetches set the pace: 32 * 6 = 192 fetches, the
// 68 reads running beside them.
TEST(OneDimWindows, RtlWindowScheduleIsTheSameAlongEitherSide) {
  models::WindowGeometry w;
  w.in_h = 1, w.in_w = 34, w.out_h = 1, w.out_w = 32;
  w.kernel_h = 1, w.kernel_w = 3;
  w.channel_folds = 2;
  models::WindowGeometry h = w;
  h.in_h = 34, h.in_w = 1, h.out_h = 32, h.out_w = 1;
  h.kernel_h = 3, h.kernel_w = 1;
  const models::RtlWindowSchedule sw = models::rtl_window_schedule(w), sh = models::rtl_window_schedule(h);
  EXPECT_EQ(sw.buffer_beats, 6);
  EXPECT_EQ(sh.buffer_beats, 6);
  EXPECT_EQ(sw.period, sh.period);
  EXPECT_EQ(sw.cycle, sh.cycle);
  EXPECT_EQ(sw.what, sh.what);
  int64_t reads = 0, fetches = 0;
  for (uint8_t what : sw.what) reads += what & 1, fetches += (what >> 1) & 1;
  EXPECT_EQ(reads, 34 * 2);
  EXPECT_EQ(fetches, 32 * 3 * 2);
  // At least one cycle per fetch, and the reads hide behind them but for
  // the first window's fill and the last write.
  EXPECT_GE(sw.period, 192);
  EXPECT_LE(sw.period, 192 + 6 + 2);
}

// The RTL windows in the layers: the estimate's cycles are the schedule's
// period, the stage takes them frame after frame, and the data stay exact.
TEST(OneDimWindows, RtlWindowTakesItsScheduleFrameAfterFrame) {
  for (const std::string* net : {&kWidthNet, &kHeightNet}) {
    SCOPED_TRACE(net == &kWidthNet ? "width" : "height");
    const Case c("one-dim-rtl", *net, kFoldingRtl);
    const ir::Design d = c.load();
    const ir::StreamingPlan plan = ir::plan_process_network(d);
    EXPECT_EQ(ir::to_string(planned(plan, "c1.swg")->kind), std::string("swg_rtl"));
    for (const char* stage : {"c1.swg", "c2.swg"}) {
      const ir::StagePlan* s = planned(plan, stage);
      models::WindowGeometry g;
      g.in_h = s->ifm_h, g.in_w = s->ifm_w, g.out_h = s->ofm_h, g.out_w = s->ofm_w;
      g.kernel_h = s->kernel_h, g.kernel_w = s->kernel_w, g.stride_h = s->stride_h, g.stride_w = s->stride_w;
      g.channel_folds = s->channels / s->simd;
      const int64_t period = models::rtl_window_schedule(g).period;
      EXPECT_EQ(estimated_cycles(d, stage), period) << stage;
      EXPECT_EQ(busy_per_frame(d, stage), period) << stage;
    }
    testing_support::expect_steady(testing_support::run_bit_exact(d, 12), 768);
  }
}

// A depthwise [1, 3] window at stride [1, 2] and an average pool [1, 3]
// (stride [1, 2]): both bit-exact, the VVAU's MW KH x KW = 3.
TEST(OneDimWindows, DepthwiseAndAveragePoolAreExact) {
  const Case c("one-dim-dw",
               "input: {shape: [1, 19, 4], type: unsigned, bits: 3}\nclasses: 4\nlayers:\n"
               "  - {name: dw, kind: dwconv, kernel: [1, 3], stride: [1, 2], padding: [0, 1, 0, 1], "
               "weights: {arithmetic: fixed, bits: 3}, output: {kind: threshold, type: unsigned, bits: 3}}\n"
               "  - {name: ap, kind: avgpool, kernel: [1, 3], stride: [1, 2]}\n"
               "  - {name: fc, kind: fc, out_features: 4, weights: {arithmetic: fixed, bits: 3}, "
               "output: {kind: accumulator}}\n",
               "  dw: {simd: 3, pe: 2}\n  ap: {pe: 4}\n  fc: {simd: 4, pe: 2}\n");
  const ir::Design d = c.load();
  EXPECT_EQ(d.network.layers[0].out_shape, (ir::Shape{1, 10, 4}));
  EXPECT_EQ(d.network.layers[0].matrix_width(), 3);
  EXPECT_EQ(d.network.layers[1].out_shape, (ir::Shape{1, 4, 4}));
  testing_support::run_bit_exact(d, 3);
}

// Bad kernels and strides: the file, line and column, the field, the value
// and what was expected.
TEST(OneDimWindows, BadKernelsAndStridesAreRefused) {
  auto error = [](const std::string& layer) {
    const TempConfig net("one-dim-bad", "network: bad\ninput: {shape: [1, 16, 2], type: unsigned, bits: 2}\n"
                                        "layers:\n" + layer);
    return error_of([&] { config::load_network(net.path.string()); });
  };
  const std::string conv = "  - {name: c, kind: conv, out_channels: 2, weights: {arithmetic: fixed, bits: 2}, ";
  std::string e = error(conv + "kernel: [1, 3, 3]}\n");
  EXPECT_NE(e.find("vine-test-one-dim-bad.yaml:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("kernel: got [1, 3, 3], expected an integer in [1, 15], or a list [height, width] of two"),
            std::string::npos)
      << e;
  e = error(conv + "kernel: [0, 3]}\n");
  EXPECT_NE(e.find("kernel[0]: got '0', expected an integer in [1, 15]"), std::string::npos) << e;
  e = error(conv + "kernel: [1, 16]}\n");
  EXPECT_NE(e.find("kernel[1]: got '16', expected an integer in [1, 15]"), std::string::npos) << e;
  e = error(conv + "kernel: {h: 1, w: 3}}\n");
  EXPECT_NE(e.find("kernel: got a map, expected an integer in [1, 15], or a list [height, width] of two"),
            std::string::npos)
      << e;
  e = error(conv + "kernel: [1, 3], stride: [2]}\n");
  EXPECT_NE(e.find("stride: got [2], expected an integer in [1, 15], or a list [height, width] of two"),
            std::string::npos)
      << e;
  // Larger than the map along one side: [3, 1] down a 1 x 16 map.
  e = error(conv + "kernel: [3, 1]}\n");
  EXPECT_NE(e.find("kernel: got [3, 1], expected a kernel no larger than the padded input 1x16"), std::string::npos)
      << e;
  e = error("  - {name: p, kind: maxpool, kernel: [2, 1]}\n");
  EXPECT_NE(e.find("kernel: got [2, 1], expected a window no larger than the input 1x16"), std::string::npos) << e;
  // A square kernel still reads as one integer, and its errors are unchanged.
  e = error(conv + "kernel: 3}\n");
  EXPECT_NE(e.find("kernel: got 3, expected a kernel no larger than the padded input 1x16"), std::string::npos) << e;
}

// The compute engine's layer descriptor holds one kernel side and one
// stride: a non-square window is refused on template: engine, by layer.
TEST(OneDimWindows, EngineTemplateRefusesNonSquareWindows) {
  const TempConfig net("one-dim-engine-net",
                       "network: one-dim-engine\ninput: {shape: [1, 16, 2], type: unsigned, bits: 4}\nlayers:\n"
                       "  - {name: c, kind: conv, kernel: [1, 3], out_channels: 4, weights: {arithmetic: fixed, bits: 4}, "
                       "output: {kind: threshold, type: unsigned, bits: 4}}\n");
  const TempConfig design("one-dim-engine", "design: one-dim-engine\nnetwork: " + net.path.string() +
                                                "\ndevice: " + kDevice + "\ntemplate: engine\n");
  const std::string e = error_of([&] { config::load_design(design.path.string()); });
  EXPECT_NE(e.find("vine-test-one-dim-engine-net.yaml:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("got c's kernel [1, 3], stride 1, expected a square kernel and stride on the engine template"),
            std::string::npos)
      << e;
}
