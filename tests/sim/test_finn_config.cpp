// FINN folding configs in and out (sim/finn_config/, docs/finn-configs.md):
// FINN's node names of a Vine design, `vine export finn`, applying a config,
// on the shipped designs and on configs made here. The real finn-examples
// configs are tested in test_finn_data.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <tuple>

#include "sim/config/config_error.h"

#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/finn_config/finn_apply.h"
#include "sim/finn_config/finn_export.h"
#include "sim/finn_config/finn_op_types.h"
#include "tests/sim/finn_config_helpers.h"
#include "tests/sim/run_vine.h"
#include "tests/sim/temp_config.h"

namespace {

using namespace vine;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const fs::path kDesigns = fs::path(VINE_SOURCE_DIR) / "configs/designs";

ir::Design load(const std::string& rel) { return config::load_design((kDesigns / rel).string()); }

std::vector<finn::FinnNode> graph_of(const ir::Design& d, const finn::FinnOnlyNodes& extra = {}) {
  return finn::finn_graph(d, ir::plan_process_network(d), extra);
}

// The message of the FinnConfigError applying `cfg` throws ("" if none).
std::string apply_error(const ir::Design& d, const Json& cfg) {
  try {
    finn::apply_finn_config(d, cfg, "cfg.json");
  } catch (const finn::FinnConfigError& e) {
    return e.what();
  }
  return "";
}

// Each op type numbered 0, 1, 2, ... in graph order, FIFOs over all FIFOs.
TEST(FinnNaming, EveryOpTypeCountsFromZeroInGraphOrder) {
  const auto g = graph_of(load("bnn-pynq/cnv-w1a1-pynq-z1.yaml"));
  std::map<std::string, int> next;
  for (const auto& n : g) {
    const std::string op = n.op + "_" + n.style;
    EXPECT_EQ(n.name, op + "_" + std::to_string(next[op]++));
  }
  EXPECT_EQ(next["MVAU_hls"], 9);
  // Its windows are timed from FINN's HLS template, so named as that node.
  EXPECT_EQ(next["ConvolutionInputGenerator_hls"], 6);
  EXPECT_EQ(next["StreamingMaxPool_hls"], 2);
  // BNN-PYNQ's converter pairs around its 64-bit streams are one FINN converter per edge.
  // Nine of its eleven layer edges change width (fc7 -> fc8 is 1 bit on both
  // sides, through BNN-PYNQ's 64-bit stream in Vine; fc8 -> output is the graph's end).
  EXPECT_EQ(next["StreamingDataWidthConverter_rtl"] + next["StreamingDataWidthConverter_hls"], 9);
  EXPECT_EQ(g.front().name, "StreamingFIFO_rtl_0");  // the graph input's FIFO comes first
  EXPECT_TRUE(g.back().fifo);                        // and the graph output's last
}

// The MVAUs are the weight layers in order; a node's FIFOs follow it.
TEST(FinnNaming, NodesAreTheStagesInOrderWithTheirFifosAfterThem) {
  const ir::Design d = load("bnn-pynq/cnv-w1a1-pynq-z1.yaml");
  const auto plan = ir::plan_process_network(d);
  const auto g = finn::finn_graph(d, plan, {});
  const char* weights[] = {"conv0", "conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"};
  for (int k = 0; k < 9; ++k) {
    const auto* n = vine_test::node_named(g, "MVAU_hls_" + std::to_string(k));
    ASSERT_NE(n, nullptr) << k;
    EXPECT_EQ(plan.stages[size_t(n->stage)].name, std::string(weights[k]) + ".mvau");
  }
  for (size_t i = 1; i < g.size(); ++i) {
    if (!g[i].fifo || g[i].stream < 0 || g[i - 1].fifo) continue;
    // A FIFO right after a node is one of that node's outputs: back through
    // Vine's converters, the node's stage (a FINN converter: one of them).
    std::vector<int> back{plan.streams[size_t(g[i].stream)].producer};
    while (ir::to_string(plan.stages[size_t(back.back())].kind) == std::string("dwc"))
      back.push_back(plan.streams[size_t(plan.stages[size_t(back.back())].inputs.at(0))].producer);
    if (g[i - 1].op == "StreamingDataWidthConverter")
      EXPECT_NE(std::find(back.begin(), back.end() - 1, g[i - 1].stage), back.end() - 1) << g[i].name;
    else
      EXPECT_EQ(back.back(), g[i - 1].stage) << g[i].name << " after " << g[i - 1].name;
  }
}

TEST(FinnNaming, StylesComeFromTheDesignAndItsLayers) {
  ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  EXPECT_NE(vine_test::node_named(graph_of(d), "MVAU_hls_3"), nullptr);
  d.folding[2].finn_impl["mvau"] = "rtl";  // fc2
  auto g = graph_of(d);
  EXPECT_NE(vine_test::node_named(g, "MVAU_hls_2"), nullptr);  // fc3 is now the third HLS one
  EXPECT_EQ(vine_test::node_named(g, "MVAU_hls_3"), nullptr);
  const auto* rtl = vine_test::node_named(g, "MVAU_rtl_0");
  ASSERT_NE(rtl, nullptr);
  EXPECT_EQ(ir::plan_process_network(d).stages[size_t(rtl->stage)].name, "fc2.mvau");
  d.finn_impl["mvau"] = "rtl";
  EXPECT_NE(vine_test::node_named(graph_of(d), "MVAU_rtl_3"), nullptr);
  EXPECT_EQ(finn::finn_dwc_style(16, 64), "rtl");
  EXPECT_EQ(finn::finn_dwc_style(24, 64), "hls");
}

// An RTL VVAU (the VVU template, impl_style) is FINN's VVAU_rtl, at the
// dwconv's vvau stage; the threshold layer after it is Thresholding_rtl.
TEST(FinnNaming, AnRtlVvauIsVvauRtl) {
  const ir::Design d = config::load_design(
      (fs::path(VINE_SOURCE_DIR) / "tests/finn/handwritten/dw-rtl-block.design.yaml").string());
  const auto g = graph_of(d);
  const auto* v = vine_test::node_named(g, "VVAU_rtl_0");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(vine_test::node_named(g, "VVAU_hls_0"), nullptr);
  EXPECT_EQ(ir::plan_process_network(d).stages[size_t(v->stage)].name, "dw0.vvau");
  EXPECT_EQ(finn::finn_folding_config(d)["VVAU_rtl_0"]["PE"], 2);
}

// The RTL window's parallel style goes to FINN as parallel_window = 1 (its
// select_impl_style takes the style only so), the default style as 0; the
// HLS window has no such attribute. In the parallel style the window's SIMD
// is the channels and the MVAU's the whole window; a VVAU's SIMD goes as its
// own.
TEST(FinnNaming, AParallelWindowSaysSo) {
  const std::string dev = (fs::path(VINE_SOURCE_DIR) / "configs/devices/zcu104.yaml").string();
  testing_support::TempConfig net(
      "pw-net",
      "network: pw\ninput: {shape: [6, 6, 2], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: conv, kind: conv, kernel: 3, out_channels: 4, weights: {arithmetic: fixed, bits: 4}, "
      "output: {kind: threshold, type: unsigned, bits: 2}}\n"
      "  - {name: dw, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: fixed, bits: 4}, "
      "output: {kind: threshold, type: unsigned, bits: 2}}\n");
  auto design = [&](const std::string& name, const std::string& dw) {
    return "design: " + name + "\nnetwork: " + net.path.string() + "\ndevice: " + dev +
           "\nclock_mhz: 100\nlayers:\n  conv: {simd: 18, pe: 4, impl_style: {swg: rtl}}\n  dw: " + dw + "\n";
  };
  testing_support::TempConfig des("pw", design("pw", "{simd: 3, pe: 4}"));
  const auto j = finn::finn_folding_config(config::load_design(des.path.string()));
  EXPECT_EQ(j["ConvolutionInputGenerator_rtl_0"]["SIMD"], 2);
  EXPECT_EQ(j["ConvolutionInputGenerator_rtl_0"]["parallel_window"], 1);
  EXPECT_EQ(j["MVAU_hls_0"]["SIMD"], 18);
  EXPECT_EQ(j["ConvolutionInputGenerator_hls_0"].count("parallel_window"), 0u);  // dw's HLS window
  EXPECT_EQ(j["VVAU_hls_0"]["SIMD"], 3);
  // dw's window on RTL in the default style (its VVAU's SIMD 1) says 0.
  testing_support::TempConfig def("pw-default", design("pw-default", "{simd: 1, pe: 4, impl_style: {swg: rtl}}"));
  const auto k = finn::finn_folding_config(config::load_design(def.path.string()));
  EXPECT_EQ(k["ConvolutionInputGenerator_rtl_0"]["parallel_window"], 1);
  EXPECT_EQ(k["ConvolutionInputGenerator_rtl_1"]["parallel_window"], 0);
}

// FINN's input quantiser comes before everything: the Thresholding takes
// index 0 and the graph input's FIFO is FINN's alone.
TEST(FinnNaming, AnInputQuantiserShiftsTheFifoIndices) {
  const ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  const auto plain = graph_of(d);
  const auto g = graph_of(d, {"rtl", {"LabelSelect_hls"}});
  ASSERT_GE(g.size(), 3u);
  EXPECT_EQ(g[0].name, "StreamingFIFO_rtl_0");
  EXPECT_EQ(g[0].stream, -1);
  EXPECT_EQ(g[1].name, "Thresholding_rtl_0");
  EXPECT_FALSE(g[1].finn_only.empty());
  EXPECT_EQ(g[2].name, "StreamingFIFO_rtl_1");
  EXPECT_EQ(g[2].stream, plain[0].stream);  // Vine's input stream
  EXPECT_EQ(vine_test::node_named(g, "LabelSelect_hls_0")->stage, -1);
}

// A pool is FINN's sliding window and Pool, with a FIFO Vine has no stream for.
TEST(FinnNaming, AnAveragePoolIsAWindowAndAPool) {
  const ir::Design d = load("finn-examples/mobilenet-v1-w4a4-u250.yaml");
  const auto g = graph_of(d);
  const auto* w = vine_test::node_named(g, "ConvolutionInputGenerator_rtl_14");
  const auto* p = vine_test::node_named(g, "Pool_hls_0");
  ASSERT_TRUE(w && p);
  EXPECT_TRUE(w->pool_window);
  EXPECT_EQ(w->stage, p->stage);
  EXPECT_TRUE((w + 1)->fifo);
  EXPECT_EQ((w + 1)->stream, -1);
  EXPECT_EQ(vine_test::node_named(g, "MVAU_rtl_0")->stage, p->stage + 1);  // fc, FINN's RTL MVAU
}

TEST(FinnExport, WritesTheDesignsValuesUnderFinnsNames) {
  const ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  const Json j = finn::finn_folding_config(d);
  EXPECT_EQ(j.begin().key(), "Defaults");
  EXPECT_EQ(j["MVAU_hls_0"]["PE"], 16);
  EXPECT_EQ(j["MVAU_hls_0"]["SIMD"], 49);
  EXPECT_EQ(j["MVAU_hls_3"]["PE"], 10);
  EXPECT_EQ(j["MVAU_hls_3"]["ram_style"], "block");
  EXPECT_EQ(j["MVAU_hls_3"]["mem_mode"], "internal_decoupled");
  EXPECT_EQ(j["StreamingFIFO_rtl_0"]["depth"], 2);
  EXPECT_EQ(j["StreamingFIFO_rtl_0"]["impl_style"], "rtl");
  // MobileNet: its deep FIFOs are Vivado's, its pool a window and a Pool.
  const Json m = finn::finn_folding_config(load("finn-examples/mobilenet-v1-w4a4-u250.yaml"));
  EXPECT_EQ(m["StreamingFIFO_rtl_0"]["depth"], 512);
  EXPECT_EQ(m["StreamingFIFO_rtl_0"]["impl_style"], "vivado");
  EXPECT_EQ(m["StreamingFIFO_rtl_0"]["ram_style"], "ultra");
  EXPECT_EQ(m["ConvolutionInputGenerator_rtl_14"]["SIMD"], 4);
  EXPECT_EQ(m["Pool_hls_0"]["PE"], 4);
  EXPECT_EQ(m["VVAU_hls_0"]["PE"], 32);
  EXPECT_EQ(m["FMPadding_rtl_0"]["SIMD"], 32);
  EXPECT_FALSE(m.contains("StreamingFIFO_rtl_74"));  // inside the pool: no Vine stream
}

// Weights in DDR are FINN's external weight input: mem_mode external, and no
// node or FIFO for the weight streamer, so the graph's names stay those of the
// design with on-chip weights. FINN has no row or frame schedule: refused.
TEST(FinnExport, DdrWeightsAreExternalAndTheirSchedulesAreRefused) {
  const ir::Design chip = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  ir::Design d = chip;
  d.folding[1].weight_memory = ir::MemoryStyle::kDdr;
  const Json j = finn::finn_folding_config(d);
  EXPECT_EQ(j["MVAU_hls_1"]["mem_mode"], "external");
  EXPECT_EQ(j["MVAU_hls_0"]["mem_mode"], "internal_decoupled");
  const Json c = finn::finn_folding_config(chip);
  ASSERT_EQ(j.size(), c.size());
  for (auto it = c.begin(); it != c.end(); ++it) EXPECT_TRUE(j.contains(it.key())) << it.key();

  ir::Design cnv = load("bnn-pynq/cnv-w2a2-pynq-z1.yaml");
  cnv.folding[3].weight_memory = ir::MemoryStyle::kDdr;
  cnv.folding[3].weight_schedule = ir::WeightSchedule::kRow;
  try {
    finn::finn_folding_config(cnv);
    ADD_FAILURE() << "a row schedule was exported to FINN";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("expected the vector schedule on conv2 for a FINN export"),
              std::string::npos)
        << e.what();
  }
}

// A FINN config that keeps a layer's weights on chip, applied to a design
// that streamed them from DDR under a row schedule, leaves no schedule behind:
// the written design loads (a schedule without DDR is an error at the field).
TEST(FinnApply, MovingALayerOnChipDropsItsSchedule) {
  const ir::Design chip = load("bnn-pynq/cnv-w2a2-pynq-z1.yaml");
  ir::Design ddr = chip;
  ddr.folding[3].weight_memory = ir::MemoryStyle::kDdr;
  ddr.folding[3].weight_schedule = ir::WeightSchedule::kRow;
  const finn::AppliedConfig a = finn::apply_finn_config(ddr, finn::finn_folding_config(chip), "chip.json");
  EXPECT_EQ(a.design.folding[3].weight_memory, ir::MemoryStyle::kBram);
  EXPECT_EQ(a.design.folding[3].weight_schedule, ir::WeightSchedule::kVector);
}

// Export then apply gives the design back, and its export again, on every
// shipped design; the applied design also survives being written and read.
TEST(FinnRoundTrip, ExportThenApplyIsTheIdentityOnEveryShippedDesign) {
  int designs = 0;
  for (const auto& e : fs::recursive_directory_iterator(kDesigns)) {
    if (e.path().extension() != ".yaml") continue;
    const ir::Design d = config::load_design(e.path().string());
    const Json j = finn::finn_folding_config(d);
    const finn::AppliedConfig a = finn::apply_finn_config(d, j, "exported.json");
    vine_test::expect_same_design(d, a.design, e.path().string());
    EXPECT_EQ(finn::finn_folding_config(a.design), j) << e.path();
    EXPECT_EQ(a.fifos_defaulted, 0) << e.path();
    const fs::path out = fs::temp_directory_path() / ("vine-finn-roundtrip-" + std::to_string(::getpid()) + ".yaml");
    {
      std::ofstream f(out);
      config::write_design_with_finn_config(a.design, out.string(), "round trip", f);
    }
    vine_test::expect_same_design(d, config::load_design(out.string()), e.path().string() + " written");
    fs::remove(out);
    ++designs;
  }
  EXPECT_GE(designs, 11);
}

TEST(FinnApply, SetsFoldingStylesAndFifos) {
  const ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  const Json cfg = Json::parse(R"({"Defaults": {}, "MVAU_hls_0": {"PE": 8, "SIMD": 16, "ram_style": "ultra"},
      "StreamingFIFO_rtl_0": {"depth": 300, "impl_style": "rtl"}, "MVAU_rtl_0": {"PE": 4}})");
  // MVAU_rtl_0 with MVAU_hls_0: styles mixed, so every MVAU must be listed.
  EXPECT_NE(apply_error(d, cfg).find("every MVAU node listed"), std::string::npos) << apply_error(d, cfg);
  Json one = cfg;
  one.erase("MVAU_rtl_0");
  const auto a = finn::apply_finn_config(d, one, "cfg.json");
  EXPECT_EQ(a.design.folding[0].pe, 8);
  EXPECT_EQ(a.design.folding[0].simd, 16);
  EXPECT_EQ(a.design.folding[0].weight_memory, ir::MemoryStyle::kUram);
  EXPECT_EQ(a.design.fifos[0].depth, 300);
  EXPECT_EQ(a.design.fifos[0].finn_impl_style, "rtl");  // FINN would have chosen vivado at 300
  // A config that lists FIFOs: the others take InsertFIFO's default depth.
  EXPECT_GT(a.fifos_defaulted, 0);
  for (size_t i = 1; i < a.design.fifos.size(); ++i) EXPECT_EQ(a.design.fifos[i].depth, 2);
  // The listed node's style, on its layer: FINN's RTL MVU cannot take
  // TFC's XNOR weights, so fc3 keeps its HLS timing and is named _rtl by
  // its finn_impl; the MVAUs the config does not list keep their names.
  const Json rtl = Json::parse(R"({"MVAU_rtl_3": {"PE": 5}})");
  const auto r = finn::apply_finn_config(d, rtl, "cfg.json");
  EXPECT_TRUE(r.design.finn_impl.empty());
  EXPECT_EQ(r.design.folding[3].finn_impl.at("mvau"), "rtl");
  EXPECT_TRUE(r.design.folding[2].finn_impl.empty());
  EXPECT_EQ(r.design.folding[3].pe, 5);
  EXPECT_EQ(finn::finn_folding_config(r.design).contains("MVAU_hls_2"), true);
}

// The kind that times layer `layer`'s stage of HLS kind `family` ("" if none).
std::string timed_kind(const ir::Design& d, int layer, const std::string& family) {
  for (const ir::StagePlan& s : ir::plan_process_network(d).stages)
    if (s.layer == layer && ir::family_name(s.kind) == family) return ir::to_string(s.kind);
  return "";
}

// A node's op_type picks its stage's template: an _rtl window is timed as
// swg_rtl, an _hls one as swg; an _rtl node Vine's variant refuses keeps
// the HLS timing and is reported.
TEST(FinnApply, ANodesStyleTimesItsStage) {
  const ir::Design d = load("bnn-pynq/cnv-w1a1-pynq-z1.yaml");
  ASSERT_EQ(timed_kind(d, 0, "swg"), "swg");
  const int simd = d.folding[0].simd;
  const auto rtl =
      finn::apply_finn_config(d, Json{{"ConvolutionInputGenerator_rtl_0", {{"SIMD", simd}}}}, "cfg.json");
  EXPECT_EQ(timed_kind(rtl.design, 0, "swg"), "swg_rtl");
  EXPECT_EQ(timed_kind(rtl.design, 1, "swg"), "swg");  // conv1's window is not in the config
  // Its export names conv0's window _rtl and conv1's as before, and reads back the same.
  const Json exported = finn::finn_folding_config(rtl.design);
  EXPECT_TRUE(exported.contains("ConvolutionInputGenerator_rtl_0")) << exported.dump();
  EXPECT_TRUE(exported.contains("ConvolutionInputGenerator_hls_0")) << exported.dump();
  vine_test::expect_same_design(rtl.design, finn::apply_finn_config(rtl.design, exported, "x.json").design, "rtl");

  const auto hls =
      finn::apply_finn_config(rtl.design, Json{{"ConvolutionInputGenerator_hls_0", {{"SIMD", simd}}}}, "cfg.json");
  EXPECT_EQ(timed_kind(hls.design, 0, "swg"), "swg");

  // CNV-W1A1's MVAUs hold XNOR weights, which FINN's RTL MVU cannot.
  const auto mvau = finn::apply_finn_config(d, Json{{"MVAU_rtl_0", {{"PE", d.folding[0].pe}}}}, "cfg.json");
  EXPECT_EQ(timed_kind(mvau.design, 0, "mvau"), "mvau");
  bool reported = false;
  for (const auto& n : mvau.not_applied)
    reported = reported || (n.node == "MVAU_rtl_0" && n.field == "op_type" && n.why.find("mvau_rtl") != std::string::npos);
  EXPECT_TRUE(reported);
  EXPECT_EQ(mvau.design.folding[0].finn_impl.at("mvau"), "rtl");  // still named as FINN built it
}

// A config names FINN v0.10's nodes, whose templates flush, but the
// pipeline style stays the design's (an export and apply gives the design
// back): a design that states none is reported as such; the design writer
// writes the style the design holds.
TEST(FinnApply, TheDesignKeepsItsPipelineStyleAndAnUnstatedOneIsReported) {
  const Json cfg = Json::parse(R"({"MVAU_hls_1": {"PE": 4}})");
  const std::string top = "design: t\nnetwork: " + (kDesigns.parent_path() / "networks/tfc-w1a1.yaml").string() +
                          "\ndevice: " + (kDesigns.parent_path() / "devices/pynq-z1.yaml").string() +
                          "\ntemplate: streaming\n";
  const std::string layers = "layers:\n  fc0: {simd: 49, pe: 16}\n  fc1: {simd: 8, pe: 8}\n  fc2: {simd: 8, pe: 8}\n"
                             "  fc3: {simd: 8, pe: 10}\n";
  testing_support::TempConfig bare("finn-style-none", top + layers);
  const finn::AppliedConfig a = finn::apply_finn_config(config::load_design(bare.path.string()), cfg, "cfg.json");
  EXPECT_TRUE(a.style_unstated);
  EXPECT_FALSE(a.design.pipeline_flush);
  ir::Design flushing = a.design;
  flushing.pipeline_flush = true;
  const fs::path out = bare.path.parent_path() / ("vine-finn-style-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream f(out);
    config::write_design_with_finn_config(flushing, out.string(), "styled", f);
  }
  const ir::Design back = config::load_design(out.string());
  EXPECT_TRUE(back.pipeline_flush);
  EXPECT_GT(back.pipeline_style_where.line, 0);
  fs::remove(out);
  for (const char* stated : {"pipeline_style: stall\n", "pipeline_style: {mvau: flush}\n"}) {
    testing_support::TempConfig s("finn-style-stated", top + stated + layers);
    const ir::Design d = config::load_design(s.path.string());
    const finn::AppliedConfig k = finn::apply_finn_config(d, cfg, "cfg.json");
    EXPECT_FALSE(k.style_unstated) << stated;
    EXPECT_EQ(k.design.pipeline_flush, d.pipeline_flush) << stated;
    EXPECT_EQ(k.design.pipeline_flush_kind, d.pipeline_flush_kind) << stated;
  }
}

// A config without FIFOs (a build that sized them itself) leaves the design's.
TEST(FinnApply, AConfigWithoutFifosKeepsTheDesignsFifos) {
  const ir::Design d = load("bnn-pynq/cnv-w1a1-pynq-z1.yaml");
  const auto a = finn::apply_finn_config(d, Json::parse(R"({"MVAU_hls_1": {"PE": 16}})"), "cfg.json");
  EXPECT_EQ(a.design.folding[1].pe, 16);
  for (size_t i = 0; i < d.fifos.size(); ++i) EXPECT_EQ(a.design.fifos[i].depth, d.fifos[i].depth);
}

TEST(FinnApply, ABadNodeIsAnErrorNamingNodeFieldAndValue) {
  const ir::Design tfc = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  const ir::Design cnv = load("bnn-pynq/cnv-w1a1-pynq-z1.yaml");
  const ir::Design mn = load("finn-examples/mobilenet-v1-w4a4-u250.yaml");
  struct Case {
    const ir::Design* d;
    const char* cfg;
    std::string want;
  };
  for (const Case& c : {
           Case{&tfc, R"({"MVAU_hls_0": {"PE": 7}})", "cfg.json: MVAU_hls_0: PE: got 7, expected a divisor of fc0's matrix height (64)"},
           Case{&tfc, R"({"MVAU_hls_0": {"SIMD": 0}})", "MVAU_hls_0: SIMD: got 0, expected a positive integer"},
           Case{&tfc, R"({"MVAU_hls_4": {"PE": 1}})", "MVAU_hls_4: expected a node of design tfc-w1a1-pynq-z1's FINN graph, which has 4 MVAU_hls nodes (MVAU_hls_0 to MVAU_hls_3)"},
           Case{&tfc, R"({"VVAU_hls_0": {"PE": 1}})", "which has no VVAU_hls node"},
           Case{&tfc, R"({"MVAU_hls_0": {"PE": 16, "noActivation": 1}})", "MVAU_hls_0: noActivation: got 1, expected a FINN folding attribute"},
           Case{&tfc, R"({"MVAU_hls_0": {"ram_style": "fast"}})", "MVAU_hls_0: ram_style: got \"fast\", expected one of auto, block, distributed, ultra"},
           Case{&tfc, R"({"mvau0": {"PE": 1}})", "mvau0: expected a FINN node name"},
           Case{&tfc, R"({"Defaults": {"PE": [2, ["MVAU_hls"]]}})", "Defaults: got {\"PE\":[2,[\"MVAU_hls\"]]}, expected {}"},
           Case{&tfc, R"({"StreamingFIFO_rtl_1": {"depth": 8, "width": 3}})", "StreamingFIFO_rtl_1: width: got 3"},
           Case{&tfc, R"({"StreamingFIFO_rtl_1": {"impl_style": "rtl"}})", "StreamingFIFO_rtl_1: depth: got nothing, expected the FIFO's depth"},
           // conv1's window and MVAU disagree on its SIMD.
           // A window and its MVAU may differ (window_simd, a converter
           // between them: test_window_dwc.cpp), and a padding and its window
           // (padding_simd: test_padding_simd.cpp); the padding's SIMD
           // divides the channels.
           Case{&mn, R"({"FMPadding_rtl_0": {"SIMD": 5}, "ConvolutionInputGenerator_rtl_1": {"SIMD": 16}})",
                "FMPadding_rtl_0: SIMD: got 5, expected a divisor of dw1's input channels (32)"},
           // A padding SIMD of its own puts a converter between the padding
           // and the window: the design's FIFO on the stream it replaces is
           // refused by name.
           Case{&mn, R"({"FMPadding_rtl_0": {"SIMD": 2}, "ConvolutionInputGenerator_rtl_1": {"SIMD": 16}})",
                "got stream 'dw1.pad->dw1.swg', expected a stream inside a layer"},
           Case{&cnv, R"({"ConvolutionInputGenerator_rtl_1": {"SIMD": 48}, "MVAU_hls_1": {"SIMD": 32}})",
                "ConvolutionInputGenerator_rtl_1: SIMD: got 48, expected a divisor of conv1's input channels (64)"},
           Case{&cnv, R"({"StreamingMaxPool_hls_0": {"SIMD": 4}})", "StreamingMaxPool_hls_0: SIMD: got 4, expected no SIMD"},
           Case{&mn, R"({"VVAU_hls_0": {"PE": 32, "SIMD": 2}})", "VVAU_hls_0: SIMD: got 2, expected a divisor of"},
           // The FIFO inside FINN's pool: Vine has no stream for it (at
           // FINN's minimum depth, 2, it is reported, not applied).
           Case{&mn, R"({"StreamingFIFO_rtl_74": {"depth": 8}})",
                "StreamingFIFO_rtl_74: depth: got 8, expected 2 (FINN's minimum) on a FIFO Vine has no stream for"},
       }) {
    const std::string got = apply_error(*c.d, Json::parse(c.cfg));
    EXPECT_NE(got.find(c.want), std::string::npos) << c.cfg << "\n got: " << got;
  }
}

// The design fields the configs carry: finn_impl (design-wide and per
// layer) and a FIFO's impl_style and ram_style, read and checked.
TEST(FinnDesignFields, FinnImplAndFifoStylesAreReadAndChecked) {
  const fs::path dir = fs::temp_directory_path() / ("vine-finn-fields-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& top, const std::string& fc1, const std::string& fifo) {
    const fs::path p = dir / "d.yaml";
    std::ofstream(p) << "design: t\nnetwork: " << (kDesigns / "../networks/tfc-w1a1.yaml").string()
                     << "\ndevice: " << (kDesigns / "../devices/pynq-z1.yaml").string() << "\n"
                     << top << "layers:\n  fc0: {simd: 49, pe: 16}\n  fc1: {simd: 8, pe: 8" << fc1 << "}\n"
                     << "fifos:\n  - {from: fc0, to: fc1, depth: 512" << fifo << "}\n";
    return p.string();
  };
  const ir::Design d = config::load_design(
      write("finn_impl: {mvau: rtl, swg: hls}\n", ", finn_impl: {mvau: hls}", ", impl_style: rtl, ram_style: ultra"));
  EXPECT_EQ(d.finn_impl.at("mvau"), "rtl");
  EXPECT_EQ(d.folding[1].finn_impl.at("mvau"), "hls");
  EXPECT_EQ(d.fifos[1].finn_impl_style, "rtl");
  EXPECT_EQ(d.fifos[1].finn_ram_style, "ultra");
  const auto g = graph_of(d);
  EXPECT_NE(vine_test::node_named(g, "MVAU_hls_0"), nullptr);  // fc1
  EXPECT_NE(vine_test::node_named(g, "MVAU_rtl_2"), nullptr);  // fc0, fc2, fc3
  for (const auto& [top, fc1, fifo, want] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"finn_impl: {maxpool: rtl}\n", "", "", "a stage kind FINN builds both as HLS and RTL"},
           {"finn_impl: {mvau: verilog}\n", "", "", "verilog"},
           {"", ", finn_impl: {dwc: rtl}", "", "no 'dwc'"},
           {"", "", ", impl_style: hls", "impl_style"},
           {"", "", ", ram_style: lutram", "ram_style"}}) {
    try {
      config::load_design(write(top, fc1, fifo));
      ADD_FAILURE() << top << fc1 << fifo << " accepted";
    } catch (const config::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  }
  fs::remove_all(dir);
}

// Through the command line: exit 1 with the message; the design written loads.
TEST(FinnCli, ExportAndImportFinnConfig) {
  const fs::path dir = fs::temp_directory_path() / ("vine-finn-cli-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string tfc = (kDesigns / "finn-examples/tfc-w1a1-pynq-z1.yaml").string();
  const std::string json = (dir / "tfc.json").string(), out = (dir / "tfc.yaml").string();
  auto r = vine_test::run_vine("-q export finn " + tfc + " -o " + json);
  ASSERT_EQ(r.code, 0) << r.output;
  Json j = Json::parse(std::ifstream(json));
  EXPECT_EQ(j["MVAU_hls_0"]["SIMD"], 49);
  j["MVAU_hls_1"]["PE"] = 4;
  std::ofstream(json) << j.dump(2);
  r = vine_test::run_vine("-q import finn-config " + json + " " + tfc + " -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("fc1: pe 8 -> 4"), std::string::npos) << r.output;
  EXPECT_EQ(config::load_design(out).folding[1].pe, 4);
  j["MVAU_hls_1"]["PE"] = 3;
  std::ofstream(json) << j.dump(2);
  r = vine_test::run_vine("-q import finn-config " + json + " " + tfc + " -o " + out);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("MVAU_hls_1: PE: got 3"), std::string::npos) << r.output;
  r = vine_test::run_vine("import nothing");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("finn-config"), std::string::npos) << r.output;
  r = vine_test::run_vine("export onnx " + tfc);
  EXPECT_EQ(r.code, 1);
  fs::remove_all(dir);
}

}  // namespace
