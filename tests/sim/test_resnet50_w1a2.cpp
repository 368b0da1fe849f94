// ResNet-50 W1A2 as finn-examples' U250 build makes it (networks/
// resnet50-w1a2.yaml, docs/finn-configs.md), at test size
// (tests/sim/data/resnet50-w1a2-mini.yaml: the same layer kinds, two stages
// of two bottleneck blocks): bit-exact against the golden reference with the
// U250 build's kinds of folding (a DuplicateStreams narrower than its
// producer, a strided projection through a DownSampler of its own SIMD,
// Thresholding and ChannelwiseOp nodes); its FINN graph named as FINN names
// it (the padded 3 x 3 / 2 max pool a window and a Pool, the branches of a
// block sorted level by level as qonnx's SortGraph sorts them); export then
// apply gives the design back; bad `duplicate_pe` values are refused. And
// the shipped U250 design with the config's own FIFO depths: the deadlock
// Vine reports for it, stages and FIFOs named.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/config/loaders.h"
#include "sim/finn_config/finn_apply.h"
#include "sim/finn_config/finn_export.h"
#include "sim/run/simulation.h"
#include "tests/sim/finn_config_helpers.h"
#include "tests/sim/one_layer_checks.h"
#include "tests/sim/temp_config.h"

using namespace vine;
using testing_support::error_of;
using testing_support::run_bit_exact;

namespace {

namespace fs = std::filesystem;
const fs::path kData = fs::path(VINE_SOURCE_DIR) / "tests/sim/data";

// The reduced network folded as the U250 build folds ResNet-50: the stem's
// MVAU wide, its padding, window and Pool at PE 2 into a DuplicateStreams of
// PE 1 (a converter before it), the blocks' MVAUs narrower, the strided
// projection's DownSampler at SIMD 4 into an MVAU of SIMD 8 (a converter
// between them; another before each of stage 2's first block's branches,
// as in the U250 build), every shortcut FIFO a frame's worth deep.
std::string mini_design(const std::string& extra_layers = "", int shortcut_depth = 1024, const std::string& top = "") {
  const std::string layers =
      "  conv1: {simd: 3, pe: 4}\n"
      "  pool1_pad: {pe: 2}\n"
      "  pool1: {pe: 2, duplicate_pe: 1}\n"
      "  s1b0_conv_a: {simd: 4, pe: 2}\n"
      "  s1b0_proj: {simd: 2, pe: 2}\n"
      "  s1b0_conv_b: {simd: 4, pe: 1}\n"
      "  s1b0_conv_c: {simd: 2, pe: 2}\n"
      "  s1b0_add: {pe: 2}\n"
      "  s1b0_out: {pe: 2}\n"
      "  s1b1_in_a: {pe: 2}\n"
      "  s1b1_in_s: {pe: 2}\n"
      "  s1_scale: {pe: 2}\n"
      "  s2_in: {pe: 2}\n"
      "  s2b0_conv_a: {simd: 8, pe: 2}\n"
      "  s2b0_proj: {simd: 8, pe: 2, window_simd: 4, stages: [downsampler, mvau]}\n"
      "  s2b0_add: {pe: 2}\n"
      "  scale: {pe: 4}\n"
      "  pool: {pe: 4}\n"
      "  fc: {simd: 8, pe: 2}\n" +
      extra_layers;
  return "design: resnet50-w1a2-mini\nnetwork: " + (kData / "resnet50-w1a2-mini.yaml").string() +
         "\ndevice: " + (fs::path(VINE_SOURCE_DIR) / "configs/devices/alveo-u250.yaml").string() +
         "\nclock_mhz: 250\nfifo_depth: 2\n" + top + "layers:\n" + layers +
         "fifos:\n"
         "  - {from: pool1, to: s1b0_proj, depth: 1024}\n"
         "  - {from: s1b0_proj, to: s1b0_add, depth: 1024}\n"
         "  - {from: s1b1_in_s, to: s1b1_add, depth: " + std::to_string(shortcut_depth) + "}\n"
         "  - {from: s2_in, to: s2b0_proj, depth: 1024}\n"
         "  - {from: s2b0_proj, to: s2b0_add, depth: 1024}\n"
         "  - {from: s2b1_in_s, to: s2b1_add, depth: 1024}\n";
}

ir::Design load_mini() {
  testing_support::TempConfig f("resnet50-mini", mini_design());
  return config::load_design(f.path.string());
}

std::vector<std::string> compute_nodes(const ir::Design& d) {
  std::vector<std::string> out;
  for (const auto& n : finn::finn_graph(d, ir::plan_process_network(d), {}))
    if (!n.fifo) out.push_back(n.name);
  return out;
}

size_t position(const std::vector<std::string>& v, const std::string& name) {
  const auto it = std::find(v.begin(), v.end(), name);
  EXPECT_NE(it, v.end()) << name;
  return size_t(it - v.begin());
}

}  // namespace

// Every frame's outputs are the golden reference's, through the converter
// before the DuplicateStreams, the DownSampler and the Pool of the max pool.
TEST(ResNet50W1A2, ReducedNetworkIsBitExact) {
  const ir::Design d = load_mini();
  const auto plan = ir::plan_process_network(d);
  const auto* dup = testing_support::planned(plan, "pool1.dup");
  ASSERT_NE(dup, nullptr);
  EXPECT_EQ(dup->pe, 1);
  ASSERT_NE(testing_support::planned(plan, "pool1.dwc_dup"), nullptr);
  ASSERT_NE(testing_support::planned(plan, "s2b0_proj.downsampler"), nullptr);
  run_bit_exact(d, 3);
}

// FINN's names: the max pool (3 x 3 / 2) a window and Pool_hls_0 before the
// average pool's Pool_hls_1; a converter between the Pool and the narrower
// DuplicateStreams; four DuplicateStreams and four AddStreams; nine
// Thresholding nodes (one after each add, one on each branch of the identity
// blocks, one more ahead of stage 2); the two ChannelwiseOps. The branches
// of stage 2's projection block sorted level by level, as in the U250
// config (DuplicateStreams_hls_3, MVAU_hls_11, DownSampler_hls_0,
// MVAU_hls_12, FMPadding_rtl_5): conv a's MVAU and the DownSampler at one
// level, the projection's MVAU and conv b's padding at the next.
TEST(ResNet50W1A2, FinnGraphNamesAndSortsAsFinn) {
  const ir::Design d = load_mini();
  const auto plan = ir::plan_process_network(d);
  const auto g = finn::finn_graph(d, plan, {});
  const auto names = compute_nodes(d);
  auto count = [&](const std::string& prefix) {
    return std::count_if(names.begin(), names.end(), [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
  };
  EXPECT_EQ(count("StreamingMaxPool"), 0);
  EXPECT_EQ(count("Pool_hls_"), 2);
  EXPECT_EQ(count("DuplicateStreams_hls_"), 4);
  EXPECT_EQ(count("AddStreams_hls_"), 4);
  EXPECT_EQ(count("Thresholding_hls_"), 9);  // timed from HLS: FINN's HLS nodes
  EXPECT_EQ(count("ChannelwiseOp_hls_"), 2);
  EXPECT_EQ(count("DownSampler_hls_"), 1);
  const auto* pool = vine_test::node_named(g, "Pool_hls_0");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(plan.stages[size_t(pool->stage)].name, "pool1.pool");
  // Pool_hls_0, its FIFO, the converter, its FIFO, DuplicateStreams_hls_0.
  const size_t p = position(names, "Pool_hls_0");
  EXPECT_EQ(names[p + 1].rfind("StreamingDataWidthConverter_rtl_", 0), 0u) << names[p + 1];
  EXPECT_EQ(names[p + 2], "DuplicateStreams_hls_0");
  const auto stage_of = [&](const std::string& name) {
    const auto* n = vine_test::node_named(g, name);
    return n ? plan.stages[size_t(n->stage)].name : std::string("(none)");
  };
  const size_t dup = position(names, "DuplicateStreams_hls_2");
  EXPECT_EQ(stage_of("DuplicateStreams_hls_2"), "s2_in.dup");
  std::vector<std::string> after;
  for (size_t k = dup + 1; k < names.size() && after.size() < 4; ++k)
    if (names[k].rfind("StreamingDataWidthConverter", 0) != 0) after.push_back(stage_of(names[k]));
  EXPECT_EQ(after, (std::vector<std::string>{"s2b0_conv_a.mvau", "s2b0_proj.downsampler", "s2b0_proj.mvau",
                                             "s2b0_conv_b.pad"}));
  // The FIFOs follow their levels too: the shortcut's FIFO out of the
  // projection's MVAU comes after conv b's padding (both one level on).
  std::vector<std::string> order;
  std::string padding;
  for (const auto& n : g) {
    order.push_back(n.fifo ? (n.stream >= 0 ? plan.streams[size_t(n.stream)].name : "-") : n.name);
    if (!n.fifo && n.stage >= 0 && plan.stages[size_t(n.stage)].name == "s2b0_conv_b.pad") padding = n.name;
  }
  EXPECT_LT(position(order, padding), position(order, "s2b0_proj->s2b0_add"));
}

// Export then apply gives the design back, duplicate_pe included; the
// export writes the DuplicateStreams' PE, 1, and the Pool's, 2.
TEST(ResNet50W1A2, ExportThenApplyIsTheIdentity) {
  const ir::Design d = load_mini();
  const auto cfg = finn::finn_folding_config(d, {});
  EXPECT_EQ(cfg.at("DuplicateStreams_hls_0").at("PE"), 1);
  EXPECT_EQ(cfg.at("Pool_hls_0").at("PE"), 2);
  EXPECT_EQ(cfg.at("ConvolutionInputGenerator_hls_1").at("SIMD"), 2);  // the max pool's window
  EXPECT_EQ(cfg.at("DownSampler_hls_0").at("SIMD"), 4);
  ir::Design bare = d;
  for (auto& f : bare.folding) {
    f.pe = f.simd = 1;
    f.window_simd = f.duplicate_pe = 0;
  }
  const auto a = finn::apply_finn_config(bare, cfg, "mini.json");
  vine_test::expect_same_design(a.design, d, "applied");
  EXPECT_EQ(a.design.folding[2].duplicate_pe, 1);
  // Applied again to the design it came from: nothing changes, and a
  // DuplicateStreams of its producer's width gets no duplicate_pe.
  const auto again = finn::apply_finn_config(d, cfg, "mini.json");
  vine_test::expect_same_design(again.design, d, "again");
  for (size_t i = 0; i < d.folding.size(); ++i)
    if (i != 2) {
      EXPECT_EQ(again.design.folding[i].duplicate_pe, 0) << d.network.layers[i].name;
    }
}

// A FIFO Vine has no stream for (between the max pool's window and its
// Pool) is accepted at FINN's minimum depth, 2, and reported; any other
// depth is refused naming the node and what it is.
TEST(ResNet50W1A2, FifoVineHasNoStreamForIsReportedAt2AndRefusedDeeper) {
  const ir::Design d = load_mini();
  const auto g = finn::finn_graph(d, ir::plan_process_network(d), {});
  std::string inside;
  for (size_t k = 0; k + 1 < g.size(); ++k)
    if (g[k].name == "ConvolutionInputGenerator_hls_1") inside = g[k + 1].name;
  ASSERT_EQ(inside.rfind("StreamingFIFO_rtl_", 0), 0u) << inside;
  nlohmann::ordered_json cfg = finn::finn_folding_config(d, {});
  cfg[inside] = {{"depth", 2}, {"impl_style", "rtl"}, {"ram_style", "auto"}};
  const auto a = finn::apply_finn_config(d, cfg, "mini.json");
  bool reported = false;
  for (const auto& n : a.not_applied) reported = reported || (n.node == inside && n.field == "depth");
  EXPECT_TRUE(reported);
  cfg[inside]["depth"] = 3;
  std::string e = "(no error)";
  try {
    finn::apply_finn_config(d, cfg, "mini.json");
  } catch (const finn::FinnConfigError& x) {
    e = x.what();
  }
  EXPECT_NE(e.find("mini.json: " + inside + ": depth: got 3, expected 2 (FINN's minimum) on a FIFO Vine has no stream for"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("between the sliding window and the Pool"), std::string::npos) << e;
}

// duplicate_pe: on a layer several layers read, a divisor of its channels.
TEST(ResNet50W1A2, BadDuplicatePeIsRefused) {
  auto error = [](const std::string& layer) {
    testing_support::TempConfig f("resnet50-mini-bad", mini_design(layer));
    return error_of([&] { config::load_design(f.path.string()); });
  };
  std::string e = error("  s1b1_conv_a: {duplicate_pe: 1}\n");
  EXPECT_NE(e.find("no duplicate_pe on s1b1_conv_a (a layer that several layers read only: 1 reads it"),
            std::string::npos)
      << e;
  e = error("  s2b0_out: {duplicate_pe: 3}\n");
  EXPECT_NE(e.find("got 3, expected a divisor of the output channels of s2b0_out = 32"), std::string::npos) << e;
}

// The shipped U250 design has the config's own FIFO depths, its _rtl nodes
// timed from FINN's RTL templates and flushing pipelines (as finn-hlslib's
// templates and FINN's RTL MVU are): its frame runs through. Built of stall
// pipelines instead, it deadlocks in frame 0 (docs/finn-configs.md):
// conv2_x's second block's shortcut FIFO (FINN's StreamingFIFO_rtl_27, 7666
// deep) is full while the block's residual branch waits for input the
// DuplicateStreams cannot send. Its conv a has read the 59th pixel of the
// block's input whole (8 beats of 32 channels each, and 7 of the 60th) but
// written 31 of that pixel's 32 output beats: the last waits in its
// pipeline, which a stall pipeline holds until its next read.
TEST(ResNet50W1A2, U250DesignRunsWithTheConfigsDepthsOnFlushingPipelines) {
  ir::Design d = config::load_design(
      (fs::path(VINE_SOURCE_DIR) / "configs/designs/finn-examples/resnet50-w1a2-u250.yaml").string());
  ASSERT_TRUE(d.pipeline_flush);
  {
    sim::RunOptions o;
    o.frames = 1;
    o.timing_only = true;
    o.steady_state = false;
    sim::Simulation s(d, o);
    const sim::RunReport& r = s.run();
    EXPECT_TRUE(r.finished) << r.deadlock;
  }
  d.pipeline_flush = false;
  sim::RunOptions o;
  o.frames = 1;
  o.timing_only = true;
  sim::Simulation s(d, o);
  const sim::RunReport& r = s.run();
  ASSERT_FALSE(r.finished);
  for (const char* wait : {"s1b0_out.dup waits for a slot in s1b0_out->s1b1_in_s (2/2)",
                           "s1b1_in_s.threshold waits for a slot in s1b1_in_s->s1b1_add (7666/7666)",
                           "s1b1_add.add waits for a beat on s1b1_conv_c->s1b1_add",
                           "s1b1_conv_a.mvau waits for a beat on s1b1_conv_a.dwc_in->s1b1_conv_a.mvau"})
    EXPECT_NE(r.deadlock.find(wait), std::string::npos) << wait << "\n" << r.deadlock;
  auto beats = [&](const std::string& name) {
    for (const auto& f : r.fifos)
      if (f.name == name) return f.words_written;
    ADD_FAILURE() << "no FIFO " << name;
    return int64_t{-1};
  };
  EXPECT_EQ(beats("s1b1_conv_a.dwc_in->s1b1_conv_a.mvau"), 59 * 8 + 7);  // SIMD 32 of 256 channels
  EXPECT_EQ(beats("s1b1_conv_a->s1b1_conv_b"), 58 * 32 + 31);            // PE 2 of 64 channels
  for (const auto& f : r.fifos)
    if (f.name == "s1b1_in_s->s1b1_add") {
      EXPECT_EQ(f.occupancy, 7666);
    }
}

// The two causes of that deadlock, on the reduced network's stage-1 identity
// block (8 x 8 pixels, its shortcut 16 4-bit channels at PE 2: 8 beats a
// pixel). Its 3 x 3 conv b's window needs (K - 1) rows and K pixels of its
// padded 10-wide input, 10 input pixels (80 beats), before the first window
// in FINN's RTL template; finn-hlslib's HLS template, Vine's default timing,
// reads K whole rows first. With the shortcut 96 deep (12 pixels) the HLS
// window deadlocks (it needs 192); the RTL window, whose read side goes on
// filling its buffer while its fetches wait, needs 85 beats on stall
// pipelines (84 deadlocks, as every stage of the branch holds its last
// pipeline_depth outputs until its next read), and with no output held in
// flight (pipeline_depth 0 everywhere) 84 runs. (The least depths, found by
// running every depth from 2 up: HLS 192, RTL 85, RTL without outputs in
// flight 77; before the RTL window's sides were timed apart, RTL 100 and 85.)
TEST(ResNet50W1A2, ShortcutDepthTheResidualBranchNeeds) {
  const std::string rtl = "  s1b1_conv_b: {simd: 1, pe: 1, impl_style: {swg: rtl}}\n";
  const std::string drained =
      "pipeline_depth: {mvau: 0, threshold: 0, addstreams: 0, channelwise: 0, swg_rtl: 0, swg: 0, dwc: 0, "
      "fmpadding: 0, duplicate: 0, maxpool: 0, avgpool: 0, downsampler: 0}\n";
  auto finished = [](const std::string& text, bool data) {
    testing_support::TempConfig f("resnet50-mini-shortcut", text);
    const ir::Design d = config::load_design(f.path.string());
    sim::RunOptions o;
    o.frames = 2;
    o.timing_only = !data;
    o.fast_forward = false;
    sim::Simulation s(d, o);
    const sim::RunReport& r = s.run();
    if (!r.finished) {
      EXPECT_NE(r.deadlock.find("s1b1_in_s.threshold waits for a slot in s1b1_in_s->s1b1_add ("), std::string::npos)
          << r.deadlock;
    }
    if (r.finished && data) {
      EXPECT_TRUE(r.outputs_match_reference.has_value() && *r.outputs_match_reference);
    }
    return r.finished;
  };
  EXPECT_FALSE(finished(mini_design("", 96), false));
  EXPECT_FALSE(finished(mini_design(rtl, 84), false));
  EXPECT_TRUE(finished(mini_design(rtl, 84, drained), false));
  EXPECT_TRUE(finished(mini_design(rtl, 85), true));
  // Flushing pipelines (pipeline_style: flush, as finn-hlslib's templates
  // and FINN's RTL MVU are) write what is in flight while their reads wait:
  // with the RTL window the branch needs 74 beats of shortcut (82 before the
  // window's sides were timed apart), one fewer deadlocks; with the HLS
  // window, whose first windows wait for K whole rows, 96 still deadlocks
  // (it needs 186).
  const std::string flush = "pipeline_style: flush\n";
  EXPECT_TRUE(finished(mini_design(rtl, 74, flush), true));
  EXPECT_FALSE(finished(mini_design(rtl, 73, flush), false));
  EXPECT_FALSE(finished(mini_design("", 96, flush), false));
}
