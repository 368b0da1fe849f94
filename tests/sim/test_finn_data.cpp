// The real FINN folding configs (../shared/data/finn/, read-only: finn-examples'
// published builds and FINN's CNV notebook) applied to the shipped Vine
// designs of the same networks (docs/finn-configs.md). Registered only where
// that folder exists; ctest label finn-data.
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/config/loaders.h"
#include "sim/finn_config/finn_apply.h"
#include "sim/finn_config/finn_export.h"
#include "tests/sim/finn_config_helpers.h"
#include "tests/sim/run_vine.h"

namespace {

using namespace vine;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const fs::path kDesigns = fs::path(VINE_SOURCE_DIR) / "configs/designs";
const fs::path kFolding = fs::path(VINE_FINN_DATA) / "finn-examples-folding";

ir::Design load(const std::string& rel) { return config::load_design((kDesigns / rel).string()); }
Json config_file(const fs::path& p) { return finn::read_finn_config(p.string()); }

// TFC: finn-examples' folding is the shipped design's, node for node. The
// input quantiser and LabelSelect are FINN's alone. fc3's weights are in
// LUTRAM in FINN's build (ram_style distributed), in BRAM in the design.
TEST(FinnExamples, TfcConfigsGiveTheShippedFolding) {
  const ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  for (const char* c : {"tfc-w1a1", "tfc-w1a2", "tfc-w2a2"}) {
    const auto a = finn::apply_finn_config(d, config_file(kFolding / ("bnn-pynq__" + std::string(c) + "_folding_config.json")), c);
    for (size_t i = 0; i < d.folding.size(); ++i) {
      EXPECT_EQ(a.design.folding[i].pe, d.folding[i].pe) << c << " layer " << i;
      EXPECT_EQ(a.design.folding[i].simd, d.folding[i].simd) << c << " layer " << i;
    }
    EXPECT_EQ(a.finn_only.input_thresholding, "rtl") << c;
    EXPECT_EQ(a.finn_only.tail, std::vector<std::string>{"LabelSelect_hls"}) << c;
    EXPECT_EQ(a.design.folding[0].weight_memory, ir::MemoryStyle::kBram) << c;
    EXPECT_EQ(a.design.folding[3].weight_memory, ir::MemoryStyle::kLutram) << c;
    EXPECT_EQ(a.nodes, 6) << c;
  }
}

// CNV: finn-examples' folding is BNN-PYNQ's on every layer but the last:
// FINN's fc8 has the 10 classes (PE 5), BNN-PYNQ's (and Vine's network) 64,
// padded. That node is refused by name; without it the rest is the shipped
// folding exactly, with one difference more: finn-examples folds CNV-W1A2 as
// CNV-W2A2 (half CNV-W1A1's PE and SIMD), BNN-PYNQ as CNV-W1A1; and in
// finn-examples' CNV-W1A2 and CNV-W2A2 fc6's weights are in LUTRAM
// (ram_style distributed), in BRAM in BNN-PYNQ's. FINN's
// notebook folds CNV-W2A2 otherwise: applied, its values are its own.
TEST(FinnExamples, CnvConfigsGiveTheShippedFoldingButTheLastLayer) {
  for (const char* c : {"cnv-w1a1", "cnv-w1a2", "cnv-w2a2"}) {
    const ir::Design d = load("bnn-pynq/" + std::string(c) + "-pynq-z1.yaml");
    Json cfg = config_file(kFolding / ("bnn-pynq__" + std::string(c) + "_folding_config.json"));
    try {
      finn::apply_finn_config(d, cfg, c);
      ADD_FAILURE() << c << ": fc8 PE 5 accepted";
    } catch (const finn::FinnConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("MVAU_hls_8: PE: got 5, expected a divisor of fc8's matrix height (64)"),
                std::string::npos)
          << e.what();
    }
    cfg.erase("MVAU_hls_8");
    const auto a = finn::apply_finn_config(d, cfg, c);
    ir::Design want = d;
    if (std::string(c) != "cnv-w1a1") want.folding[8].weight_memory = ir::MemoryStyle::kLutram;  // fc6
    // The config's ConvolutionInputGenerator_rtl nodes: each conv's window timed from FINN's RTL template.
    for (size_t i = 0; i < want.folding.size(); ++i)
      if (want.network.layers[i].kind == ir::LayerKind::kConv) {
        want.folding[i].impl_style = ir::LayerFolding::ImplStyle::kPerKind;
        want.folding[i].rtl_kinds = {"swg"};
      }
    if (std::string(c) != "cnv-w1a2") {
      vine_test::expect_same_design(want, a.design, c);  // no FIFOs listed: the design's stay
    } else {
      const ir::Design w2a2 = load("bnn-pynq/cnv-w2a2-pynq-z1.yaml");
      for (size_t i = 0; i + 1 < d.folding.size(); ++i) {
        EXPECT_EQ(a.design.folding[i].pe, w2a2.folding[i].pe) << i;
        EXPECT_EQ(a.design.folding[i].simd, w2a2.folding[i].simd) << i;
      }
      EXPECT_NE(a.design.folding[0].pe, d.folding[0].pe);  // 8, BNN-PYNQ's 16
    }
    EXPECT_EQ(a.finn_only.input_thresholding, "rtl") << c;
  }
  const ir::Design w2a2 = load("bnn-pynq/cnv-w2a2-pynq-z1.yaml");
  Json nb = finn::read_finn_config((fs::path(VINE_FINN_DATA) / "finn-notebook-cnv-w2a2_folding_config.json").string());
  nb.erase("MVAU_hls_8");
  const auto a = finn::apply_finn_config(w2a2, nb, "notebook");
  EXPECT_EQ(a.finn_only.input_thresholding, "hls");
  const int pe[] = {8, 16, 0, 8, 8, 0, 4, 1, 1, 2}, simd[] = {3, 16, 0, 16, 16, 0, 8, 8, 2, 2};
  for (int i = 0; i < 10; ++i) {
    if (!pe[i]) continue;  // the pools: not in the notebook's config
    EXPECT_EQ(a.design.folding[size_t(i)].pe, pe[i]) << i;
    EXPECT_EQ(a.design.folding[size_t(i)].simd, simd[i]) << i;
  }
}

// CNV with FINN's 10 classes (networks/cnv-*-10.yaml): each finn-examples
// config applies node for node to the shipped finn-examples design of the
// same network, fc8's PE 5 included, and gives that design from one with
// every conv and fc layer unfolded (PE = SIMD = 1) and its weights in BRAM;
// applying it again changes nothing. As TFC, the input quantiser and
// LabelSelect are FINN's alone.
TEST(FinnExamples, CnvConfigsApplyToTheTenClassDesigns) {
  for (const char* c : {"cnv-w1a1", "cnv-w1a2", "cnv-w2a2"}) {
    const ir::Design shipped = load("finn-examples/" + std::string(c) + "-pynq-z1.yaml");
    const Json cfg = config_file(kFolding / ("bnn-pynq__" + std::string(c) + "_folding_config.json"));
    ir::Design bare = shipped;
    for (size_t i = 0; i < bare.folding.size(); ++i)
      if (bare.network.layers[i].has_weights()) {
        bare.folding[i].pe = bare.folding[i].simd = 1;
        bare.folding[i].weight_memory = ir::MemoryStyle::kBram;
      }
    const auto a = finn::apply_finn_config(bare, cfg, c);
    vine_test::expect_same_design(a.design, shipped, c);
    EXPECT_EQ(a.design.folding[10].pe, 5) << c;  // fc8: 10 classes, 2 neuron folds
    EXPECT_EQ(a.finn_only.input_thresholding, "rtl") << c;
    EXPECT_EQ(a.finn_only.tail, std::vector<std::string>{"LabelSelect_hls"}) << c;
    EXPECT_EQ(a.nodes, 17) << c;  // 6 windows, 9 MVAUs, the quantiser and LabelSelect
    vine_test::expect_same_design(finn::apply_finn_config(shipped, cfg, c).design, shipped, c);
  }
}

// GTSRB (networks/cnv-w1a1-gtsrb.yaml: CNV-W1A1 with 44 outputs): finn-examples'
// config applies node for node to the shipped design, fc8's PE 4 included
// (44 scores, 11 neuron folds), and gives it from the design with every conv
// and fc layer unfolded and its weights in BRAM; applying it again changes
// nothing. As CNV's, the input quantiser and LabelSelect are FINN's alone.
TEST(FinnExamples, GtsrbConfigGivesTheShippedDesign) {
  const ir::Design shipped = load("finn-examples/cnv-w1a1-gtsrb-pynq-z1.yaml");
  ASSERT_EQ(shipped.network.layers[10].out_channels, 44);
  const Json cfg = config_file(kFolding / "gtsrb__gtsrb_folding_config.json");
  ir::Design bare = shipped;
  for (size_t i = 0; i < bare.folding.size(); ++i)
    if (bare.network.layers[i].has_weights()) {
      bare.folding[i].pe = bare.folding[i].simd = 1;
      bare.folding[i].weight_memory = ir::MemoryStyle::kBram;
    }
  const auto a = finn::apply_finn_config(bare, cfg, "gtsrb");
  vine_test::expect_same_design(a.design, shipped, "gtsrb");
  EXPECT_EQ(a.design.folding[10].pe, 4);
  EXPECT_EQ(a.finn_only.input_thresholding, "rtl");
  EXPECT_EQ(a.finn_only.tail, std::vector<std::string>{"LabelSelect_hls"});
  EXPECT_EQ(a.nodes, 17);  // 6 windows, 9 MVAUs, the quantiser and LabelSelect
  vine_test::expect_same_design(finn::apply_finn_config(shipped, cfg, "gtsrb").design, shipped, "gtsrb");
}

// KWS (networks/kws-mlp-w3a3.yaml: 490 INT8 features, three hidden layers of
// 256, 12 scores): finn-examples' config applies node for node to the
// shipped design and gives it from the unfolded one; applying it again
// changes nothing. Its graph has no input quantiser (the features come as
// INT8 codes); its LabelSelect is FINN's alone.
TEST(FinnExamples, KwsConfigGivesTheShippedDesign) {
  const ir::Design shipped = load("finn-examples/kws-mlp-w3a3-pynq-z1.yaml");
  const Json cfg = config_file(kFolding / "kws__kws_folding_config.json");
  ir::Design bare = shipped;
  for (auto& f : bare.folding) f.pe = f.simd = 1;
  const auto a = finn::apply_finn_config(bare, cfg, "kws");
  vine_test::expect_same_design(a.design, shipped, "kws");
  EXPECT_EQ(a.design.folding[0].simd, 10);  // 490 features in 49 beats
  EXPECT_EQ(a.design.folding[3].pe, 1);     // the 12 scores one a cycle
  EXPECT_EQ(a.finn_only.input_thresholding, "");
  EXPECT_EQ(a.finn_only.tail, std::vector<std::string>{"LabelSelect_hls"});
  EXPECT_EQ(a.nodes, 5);  // 4 MVAUs and LabelSelect
  vine_test::expect_same_design(finn::apply_finn_config(shipped, cfg, "kws").design, shipped, "kws");
}

// The shipped MobileNet-V1 U250 design is the depth-2 one with finn-examples'
// U250 config applied, and applying it again changes nothing.
TEST(FinnExamples, MobileNetU250ConfigGivesTheShippedDesign) {
  const Json cfg = config_file(kFolding / "mobilenet-v1__U250_folding_config.json");
  const ir::Design shipped = load("finn-examples/mobilenet-v1-w4a4-u250.yaml");
  const auto from_depth2 = finn::apply_finn_config(load("finn-examples/mobilenet-v1-w4a4-u250-depth2.yaml"), cfg, "U250");
  vine_test::expect_same_design(shipped, from_depth2.design, "from depth2");
  EXPECT_EQ(from_depth2.fifos, 34);
  EXPECT_EQ(from_depth2.design.folding[27].pe, 4);  // the pool: FINN's Pool_hls_0 PE 4 (the depth-2 design has 1)
  const auto again = finn::apply_finn_config(shipped, cfg, "U250");
  vine_test::expect_same_design(shipped, again.design, "again");
  EXPECT_EQ(again.finn_only.tail, (std::vector<std::string>{"ChannelwiseOp_hls", "LabelSelect_hls"}));
}

// Each listed StreamingFIFO_rtl_N sits, in the config's graph order, between
// the nodes its Vine stream joins: the compute node listed before it is the
// stream's producer (through a converter FINN put there, which the config
// does not list) and the one after it the consumer.
TEST(FinnExamples, MobileNetU250FifosSitBetweenTheirStreamsNodes) {
  const Json cfg = config_file(kFolding / "mobilenet-v1__U250_folding_config.json");
  const ir::Design d = load("finn-examples/mobilenet-v1-w4a4-u250.yaml");
  const auto plan = ir::plan_process_network(d);
  const auto g = finn::finn_graph(d, plan, {"", {"ChannelwiseOp_hls", "LabelSelect_hls"}});
  std::vector<std::string> names;
  for (const auto& [k, v] : cfg.items())
    if (k != "Defaults") names.push_back(k);
  auto stage_of = [&](const std::string& name) {
    const auto* n = vine_test::node_named(g, name);
    return n ? n->stage : -2;
  };
  // Through Vine's converters to the stage that is a FINN compute node.
  auto producer_of = [&](int stream) {
    int p = plan.streams[size_t(stream)].producer;
    while (ir::to_string(plan.stages[size_t(p)].kind) == std::string("dwc"))
      p = plan.streams[size_t(plan.stages[size_t(p)].inputs.at(0))].producer;
    return p;
  };
  auto consumer_of = [&](int stream) {
    int c = plan.streams[size_t(stream)].consumer;
    while (ir::to_string(plan.stages[size_t(c)].kind) == std::string("dwc"))
      c = plan.streams[size_t(plan.stages[size_t(c)].outputs.at(0))].consumer;
    return c;
  };
  int fifos = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].rfind("StreamingFIFO", 0) != 0) continue;
    ++fifos;
    const auto* f = vine_test::node_named(g, names[i]);
    ASSERT_NE(f, nullptr) << names[i];
    ASSERT_GE(f->stream, 0) << names[i];
    size_t before = i, after = i + 1;
    while (before > 0 && names[before - 1].rfind("StreamingFIFO", 0) == 0) --before;
    if (before > 0)
      EXPECT_EQ(stage_of(names[before - 1]), producer_of(f->stream)) << names[i] << " after " << names[before - 1];
    else
      EXPECT_EQ(ir::to_string(plan.stages[size_t(producer_of(f->stream))].kind), std::string("input_dma")) << names[i];
    while (after < names.size() && names[after].rfind("StreamingFIFO", 0) == 0) ++after;
    ASSERT_LT(after, names.size()) << names[i];
    EXPECT_EQ(stage_of(names[after]), consumer_of(f->stream)) << names[i] << " before " << names[after];
  }
  EXPECT_EQ(fifos, 34);
}

// MobileNet-V1 ZCU102 and ZCU104: FINN builds them with RTL MVAUs and VVAUs
// writing accumulators into Thresholding nodes of their own PE, windows
// narrower than their MVAU and paddings narrower than their window. Applied
// to the U250 depth-2 design (thresholds inside the MVAUs), the config's 27
// Thresholding nodes give each of its 27 layers with thresholds a threshold
// stage of its own, and every listed node and FIFO applies: the ZCU104
// config gives the shipped ZCU104 design, and applying it again changes
// nothing. The ZCU102 config folds alike and lists the same depths; its
// memory styles differ (block RAM for URAM, the ZCU102 has none).
TEST(FinnExamples, MobileNetZcuConfigsGiveTheShippedZcu104Design) {
  const ir::Design depth2 = load("finn-examples/mobilenet-v1-w4a4-u250-depth2.yaml");
  const ir::Design shipped = load("finn-examples/mobilenet-v1-w4a4-zcu104.yaml");
  const Json cfg = config_file(kFolding / "mobilenet-v1__ZCU104_folding_config.json");
  const auto a = finn::apply_finn_config(depth2, cfg, "ZCU104");
  vine_test::expect_same_design(a.design, shipped, "ZCU104");
  EXPECT_EQ(a.fifos, 41);
  EXPECT_EQ(a.design.folding[0].threshold_pe, 1);  // conv0: Thresholding_rtl_0 PE 1 after MVAU_rtl_0 PE 16
  EXPECT_EQ(a.design.folding[0].window_simd, 1);   // ConvolutionInputGenerator_rtl_0 SIMD 1 into SIMD 3
  EXPECT_EQ(a.design.folding[1].padding_simd, 2);  // dw1: FMPadding_rtl_0 SIMD 2 before a window of 16
  vine_test::expect_same_design(finn::apply_finn_config(shipped, cfg, "ZCU104").design, shipped, "again");

  const auto z102 = finn::apply_finn_config(depth2, config_file(kFolding / "mobilenet-v1__ZCU102_folding_config.json"), "ZCU102");
  EXPECT_EQ(z102.fifos, 41);
  for (size_t i = 0; i < shipped.folding.size(); ++i) {
    const auto &x = z102.design.folding[i], &y = shipped.folding[i];
    EXPECT_EQ(x.pe, y.pe) << i;
    EXPECT_EQ(x.simd, y.simd) << i;
    EXPECT_EQ(x.window_simd, y.window_simd) << i;
    EXPECT_EQ(x.padding_simd, y.padding_simd) << i;
    EXPECT_EQ(x.threshold_pe, y.threshold_pe) << i;
  }
  const auto p102 = ir::plan_process_network(z102.design), p104 = ir::plan_process_network(shipped);
  ASSERT_EQ(p102.streams.size(), p104.streams.size());
  for (size_t i = 0; i < p104.streams.size(); ++i)
    EXPECT_EQ(p102.streams[i].depth, p104.streams[i].depth) << p104.streams[i].name;
}

// VGG10-RadioML (networks/vgg10-radioml-w4a4.yaml: [3, 1] convolutions and
// [2, 1] max pools down 1024 x 1 I/Q frames): finn-examples' ZCU104 config
// applies node for node and gives the shipped design from the one with every
// layer unfolded and no converter or threshold stage; applying it again
// changes nothing. Its windows are narrower than their MVAUs (SIMD 2 into
// MVAU_rtl_0's 6 = 3 x 1 x 2, then 32 into 96), its paddings narrower than
// their windows (FMPadding_rtl_1 SIMD 16 before a window of 32), and every
// MVAU but the last writes into a Thresholding_rtl node of its own PE. The
// config lists no StreamingMaxPool (FINN's 1-D pool keeps its PE 1) and no
// FIFOs; ChannelwiseOp (the last layer's bias) and LabelSelect come after
// the last layer.
TEST(FinnExamples, Vgg10ConfigGivesTheShippedDesign) {
  const ir::Design shipped = load("finn-examples/vgg10-radioml-w4a4-zcu104.yaml");
  const Json cfg = config_file(kFolding / "vgg10-radioml__ZCU104_folding_config.json");
  ASSERT_EQ(shipped.network.layers[0].kernel_h, 3);
  ASSERT_EQ(shipped.network.layers[0].kernel_w, 1);
  ir::Design bare = shipped;
  for (auto& f : bare.folding) {
    f.pe = f.simd = 1;
    f.window_simd = f.padding_simd = f.threshold_pe = 0;
    f.impl_style = ir::LayerFolding::ImplStyle::kHls;  // the config's nodes give the timing back
    f.rtl_kinds.clear();
  }
  const auto a = finn::apply_finn_config(bare, cfg, "ZCU104");
  vine_test::expect_same_design(a.design, shipped, "ZCU104");
  EXPECT_EQ(a.design.folding[0].simd, 6);         // MVAU_rtl_0: the whole 3 x 1 x 2 window a beat
  EXPECT_EQ(a.design.folding[0].window_simd, 2);  // ConvolutionInputGenerator_rtl_0
  EXPECT_EQ(a.design.folding[0].threshold_pe, 32);
  EXPECT_EQ(a.design.folding[2].padding_simd, 16);  // conv1: FMPadding_rtl_1
  EXPECT_EQ(a.design.folding[2].window_simd, 32);
  EXPECT_EQ(a.design.folding[1].pe, 1);  // pool0: not in the config
  EXPECT_EQ(a.finn_only.input_thresholding, "");
  EXPECT_EQ(a.finn_only.tail, (std::vector<std::string>{"ChannelwiseOp_hls", "LabelSelect_hls"}));
  EXPECT_EQ(a.nodes, 35);  // 7 paddings, 7 windows, 10 MVAUs, 9 Thresholding nodes, ChannelwiseOp, LabelSelect
  vine_test::expect_same_design(finn::apply_finn_config(shipped, cfg, "ZCU104").design, shipped, "again");
}

// ResNet-50 W1A2 U250 (networks/resnet50-w1a2.yaml): the config's 515
// nodes are the design's FINN graph, in the config's order (qonnx's
// SortGraph, level by level across each block's branches), and every one
// applies: from the design with every layer unfolded
// (examples/finn-examples/resnet50-w1a2-u250-unfolded.yaml) it gives the
// shipped design, and applied again it changes nothing. The FINN-only nodes
// are the tail (ChannelwiseOp_hls_2, LabelSelect_hls_0) and the FIFOs Vine
// has no stream for (between each pool's window and its Pool, after the
// tail's nodes), all at depth 2, reported. Exported back, every PE, SIMD
// and FIFO depth is the config's.
TEST(FinnExamples, ResNet50U250ConfigAppliesNodeForNode) {
  const Json cfg = config_file(kFolding / "resnet50__U250_folding_config.json");
  const ir::Design shipped = load("finn-examples/resnet50-w1a2-u250.yaml");
  const ir::Design unfolded =
      config::load_design((fs::path(VINE_SOURCE_DIR) / "examples/finn-examples/resnet50-w1a2-u250-unfolded.yaml").string());
  const auto a = finn::apply_finn_config(unfolded, cfg, "U250");
  vine_test::expect_same_design(a.design, shipped, "from unfolded");
  EXPECT_EQ(a.nodes, 515);
  EXPECT_EQ(a.fifos, 266);
  EXPECT_EQ(a.fifos_defaulted, 0);
  EXPECT_EQ(a.finn_only.input_thresholding, "");
  EXPECT_EQ(a.finn_only.tail, (std::vector<std::string>{"ChannelwiseOp_hls", "LabelSelect_hls"}));
  std::vector<std::string> fifo_not_applied;
  for (const auto& n : a.not_applied)
    if (n.field == "depth") {
      fifo_not_applied.push_back(n.node);
      EXPECT_EQ(n.value, "2") << n.node;
    }
  EXPECT_EQ(fifo_not_applied, (std::vector<std::string>{"StreamingFIFO_rtl_6", "StreamingFIFO_rtl_261",
                                                        "StreamingFIFO_rtl_264", "StreamingFIFO_rtl_265"}));
  vine_test::expect_same_design(finn::apply_finn_config(shipped, cfg, "U250").design, shipped, "again");

  // Names in order.
  const auto g = finn::finn_graph(shipped, ir::plan_process_network(shipped), a.finn_only);
  std::vector<std::string> want, got;
  for (const auto& [k, v] : cfg.items())
    if (k != "Defaults") want.push_back(k);
  for (const auto& n : g) got.push_back(n.name);
  EXPECT_EQ(got, want);

  // Values exported back: every PE, SIMD and depth the config gives.
  const Json out = finn::finn_folding_config(shipped, a.finn_only);
  int compared = 0;
  for (const auto& [k, v] : cfg.items())
    for (const char* key : {"PE", "SIMD", "depth"}) {
      if (!v.contains(key)) continue;
      if (!out.contains(k)) {
        // FINN-only: the tail's nodes and the FIFOs Vine has no stream for.
        EXPECT_TRUE(k.rfind("ChannelwiseOp_hls_2", 0) == 0 || k.rfind("LabelSelect", 0) == 0 ||
                    std::find(fifo_not_applied.begin(), fifo_not_applied.end(), k) != fifo_not_applied.end())
            << k;
        continue;
      }
      EXPECT_EQ(out[k].value(key, Json()), v[key]) << k << " " << key;
      ++compared;
    }
  // 262 FIFOs (266 but the 4 FINN-only), 173 compute nodes (175 but the
  // tail's 2), the 54 MVAUs' SIMD besides their PE.
  EXPECT_EQ(compared, 262 + 173 + 54);
}

TEST(FinnExamples, ImportFinnConfigThroughTheCommandLine) {
  const fs::path out = fs::temp_directory_path() / ("vine-finn-data-" + std::to_string(::getpid()) + ".yaml");
  const auto r = vine_test::run_vine("-q import finn-config " + (kFolding / "mobilenet-v1__U250_folding_config.json").string() +
                                     " " + (kDesigns / "finn-examples/mobilenet-v1-w4a4-u250-depth2.yaml").string() +
                                     " -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("93 nodes (34 FIFOs)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("42 FIFOs it does not list at FINN's default depth 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pool: pe 1 -> 4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not applied: resType on 27 nodes"), std::string::npos) << r.output;
  vine_test::expect_same_design(load("finn-examples/mobilenet-v1-w4a4-u250.yaml"), config::load_design(out.string()),
                                "written");
  fs::remove(out);
}

}  // namespace
