// Config loading: every shipped config is valid, and every kind of mistake is
// reported with file, line, column, field, value and expectation.
#include <gtest/gtest.h>

#include <memory>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/engine/engine_estimate.h"
#include "sim/estimate/bram_fit.h"
#include "sim/estimate/estimate.h"
#include "sim/ir/layer_sums.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/simulation.h"
#include "tests/sim/temp_config.h"

namespace fs = std::filesystem;
using namespace vine;
using testing_support::error_of;
using testing_support::TempConfig;

namespace {

const fs::path kConfigs = fs::path(VINE_SOURCE_DIR) / "configs";

std::string design_text(const std::string& layers, const std::string& extra = "") {
  return "design: t\nnetwork: " + (kConfigs / "networks/cnv-w1a1.yaml").string() +
         "\ndevice: " + (kConfigs / "devices/pynq-z1.yaml").string() + "\nclock_mhz: 100\n" + extra +
         "layers:\n" + layers;
}

}  // namespace

TEST(Config, EveryShippedConfigLoads) {
  int networks = 0, devices = 0, designs = 0, clusters = 0;
  for (const auto& e : fs::recursive_directory_iterator(kConfigs)) {
    if (e.path().extension() != ".yaml") continue;
    SCOPED_TRACE(e.path().string());
    switch (config::detect_kind(e.path().string())) {
      case config::ConfigKind::kNetwork: EXPECT_NO_THROW(config::load_network(e.path().string())); ++networks; break;
      case config::ConfigKind::kDevice: EXPECT_NO_THROW(config::load_device(e.path().string())); ++devices; break;
      case config::ConfigKind::kDesign: EXPECT_NO_THROW(config::load_design(e.path().string())); ++designs; break;
      case config::ConfigKind::kCluster: EXPECT_NO_THROW(config::load_cluster(e.path().string())); ++clusters; break;
    }
  }
  EXPECT_GE(clusters, 2);
  EXPECT_GE(networks, 12);
  EXPECT_GE(devices, 7);
  EXPECT_GE(designs, 8);
}

TEST(Config, CnvShapesFollowDomainFacts) {
  const auto net = config::load_network((kConfigs / "networks/cnv-w1a1.yaml").string());
  // spatial 32->30->28->14->12->10->5->3->1
  const std::vector<std::pair<std::string, int>> spatial = {{"conv0", 30}, {"conv1", 28}, {"pool0", 14},
                                                            {"conv2", 12}, {"conv3", 10}, {"pool1", 5},
                                                            {"conv4", 3},  {"conv5", 1}};
  for (const auto& [name, hw] : spatial) EXPECT_EQ(net.layers[net.find_layer(name)].out_shape.h, hw) << name;
  const auto& fc6 = net.layers[net.find_layer("fc6")];
  EXPECT_EQ(fc6.matrix_width(), 256);
  EXPECT_EQ(fc6.matrix_height(), 512);
  // XNOR-popcount accumulators count agreements: 0 .. MW
  EXPECT_EQ(fc6.acc_range.lo, 0);
  EXPECT_EQ(fc6.acc_range.hi, 256);
}

TEST(Config, MobileNetSpatialSizes) {
  const auto net = config::load_network((kConfigs / "networks/mobilenet-v1-w4a4.yaml").string());
  const int expect[] = {111, 111, 56, 56, 28, 28, 14, 14, 14, 14, 14, 14, 7, 7};
  EXPECT_EQ(net.layers[0].out_shape.h, 111);
  for (int b = 1; b <= 13; ++b) EXPECT_EQ(net.layers[net.find_layer("pw" + std::to_string(b))].out_shape.h, expect[b]);
  EXPECT_EQ(net.output_layer().out_shape.c, 1000);
}

TEST(Config, ResNetUsesChannelGroupsAndBothShortcuts) {
  const auto net = config::load_network((kConfigs / "networks/resnet18-mixed.yaml").string());
  int identity = 0, projection = 0;
  std::set<std::string> grouped;
  for (const auto& l : net.layers) {
    if (!l.channel_groups.empty()) grouped.insert(l.name);
    if (l.kind == ir::LayerKind::kAdd) (l.inputs[1].find("_proj") != std::string::npos ? projection : identity)++;
  }
  // The layers the file gives channel groups, read from the raw YAML: the
  // loader must keep every one of them, and no other layer may get any.
  std::set<std::string> in_file;
  for (const auto& l :
       YAML::LoadFile((kConfigs / "networks/resnet18-mixed.yaml").string())["layers"])
    if (l["channel_groups"]) in_file.insert(l["name"].as<std::string>());
  EXPECT_EQ(grouped, in_file);
  // Stages 3 and 4 carry them: two blocks of two 3x3 convs each.
  EXPECT_EQ(grouped.size(), 8u);
  for (const auto& name : grouped)
    EXPECT_TRUE(name.rfind("s3", 0) == 0 || name.rfind("s4", 0) == 0) << name;
  EXPECT_EQ(projection, 3);
  EXPECT_EQ(identity, 5);
}

// The example designs outside configs/designs (too slow for the per-design
// regression) load, fit their device and pass the checks `vine run` makes.
TEST(Config, ExampleDesignsLoadAndFit) {
  int designs = 0;
  for (const auto& e : fs::recursive_directory_iterator(kConfigs.parent_path() / "examples")) {
    if (e.path().extension() != ".yaml") continue;
    if (config::detect_kind(e.path().string()) == config::ConfigKind::kNetwork) {  // a network the designs beside it use
      EXPECT_NO_THROW(config::load_network(e.path().string())) << e.path();
      continue;
    }
    if (config::detect_kind(e.path().string()) == config::ConfigKind::kCluster) {  // the cluster a split design uses
      EXPECT_NO_THROW(config::load_cluster(e.path().string())) << e.path();
      continue;
    }
    const ir::Design d = config::load_design(e.path().string());
    if (d.hw_template == ir::Template::kEngine) {  // a compute engine: its closed form (tests/sim/test_engine.cpp)
      EXPECT_GT(engine::estimate_engine(d).cycles, 0) << e.path();
      ++designs;
      continue;
    }
    EXPECT_NO_THROW(sim::check_simulatable(d)) << e.path();
    // A design split over a cluster's boards fits board by board (what
    // validate checks); the estimate's fit is the whole design on its device.
    const estimate::Estimate est = estimate::estimate_design(d);
    if (d.placement.placed())
      EXPECT_NO_THROW(estimate::check_weights_fit_bram(d, est)) << e.path();
    else
      EXPECT_TRUE(est.fits) << e.path();
    ++designs;
  }
  EXPECT_GE(designs, 3);
}

TEST(ConfigErrors, FoldingNotADivisorPointsAtTheField) {
  TempConfig t("pe", design_text("  conv0: {simd: 3, pe: 7}\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find(t.path.string() + ":6:24: layers.conv0.pe: got 7, expected a divisor of MH"), std::string::npos) << e;
}

TEST(ConfigErrors, SimdMustDivideInputChannels) {
  TempConfig t("simd", design_text("  conv1: {simd: 24, pe: 8}\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find("layers.conv1.simd: got 24, expected a divisor of input channels of conv1 = 64"), std::string::npos)
      << e;
}

TEST(ConfigErrors, UnknownKeyIsAnError) {
  TempConfig t("unknown", design_text("  conv0: {simd: 3, pe: 16, fold: 2}\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find(":6:28: layers.conv0.fold: got unknown field 'fold', expected one of:"), std::string::npos) << e;
}

// A row or frame weight schedule needs a conv layer whose weights are in DDR
// (the design-wide default counts); vector is FINN's and needs nothing.
TEST(ConfigErrors, WeightScheduleNeedsAConvLayerWithWeightsInDdr) {
  TempConfig ok("schedule", design_text("  conv1: {simd: 32, pe: 32, weight_schedule: row}\n", "weight_memory: ddr\n"));
  const ir::Design d = config::load_design(ok.path.string());
  EXPECT_EQ(d.folding[1].weight_schedule, ir::WeightSchedule::kRow);
  EXPECT_EQ(d.folding[0].weight_schedule, ir::WeightSchedule::kVector);
  TempConfig chip("schedule-chip", design_text("  conv1: {simd: 32, pe: 32, weight_schedule: frame}\n"));
  std::string e = error_of([&] { config::load_design(chip.path.string()); });
  EXPECT_NE(e.find(chip.path.string() + ":6:46: layers.conv1.weight_schedule: got 'frame', expected a row or frame "
                   "schedule only with weight_memory: ddr on conv1"),
            std::string::npos)
      << e;
  TempConfig fc("schedule-fc", design_text("  fc6: {weight_memory: ddr, weight_schedule: row}\n"));
  e = error_of([&] { config::load_design(fc.path.string()); });
  EXPECT_NE(e.find("layers.fc6.weight_schedule: got 'row', expected a row or frame schedule on a conv layer only "
                   "(fc6 is fc"),
            std::string::npos)
      << e;
  TempConfig bad("schedule-bad", design_text("  conv1: {weight_memory: ddr, weight_schedule: tile}\n"));
  e = error_of([&] { config::load_design(bad.path.string()); });
  EXPECT_NE(e.find("layers.conv1.weight_schedule: got 'tile', expected one of: vector, row, frame"), std::string::npos)
      << e;
}

// `dma_memory`: ideal (the default) or ddr, which needs a device with a DDR;
// the design writers keep it.
TEST(ConfigErrors, DmaMemoryIsIdealOrDdrOnADeviceWithDdr) {
  TempConfig plain("dma-default", design_text("  conv0: {simd: 3, pe: 16}\n"));
  EXPECT_EQ(config::load_design(plain.path.string()).dma_memory, ir::DmaMemory::kIdeal);
  TempConfig ok("dma-ddr", design_text("  conv0: {simd: 3, pe: 16}\n", "dma_memory: ddr\n"));
  const ir::Design d = config::load_design(ok.path.string());
  EXPECT_EQ(d.dma_memory, ir::DmaMemory::kDdr);
  EXPECT_EQ(d.dma_memory_where.line, 5);
  TempConfig ideal("dma-ideal", design_text("  conv0: {simd: 3, pe: 16}\n", "dma_memory: ideal\n"));
  EXPECT_EQ(config::load_design(ideal.path.string()).dma_memory, ir::DmaMemory::kIdeal);

  TempConfig bad("dma-bad", design_text("  conv0: {simd: 3, pe: 16}\n", "dma_memory: sram\n"));
  std::string e = error_of([&] { config::load_design(bad.path.string()); });
  EXPECT_NE(e.find(bad.path.string() + ":5:13: dma_memory: got 'sram', expected one of: ideal, ddr"), std::string::npos)
      << e;

  // PYNQ-Z1 with no DDR (a board without one says `ddr: {channels: 0, ...}`).
  std::ifstream pynq(kConfigs / "devices/pynq-z1.yaml");
  std::string device, line;
  bool in_ddr = false;
  while (std::getline(pynq, line)) {
    if (line.rfind("ddr:", 0) == 0) {
      in_ddr = true;
      device += "ddr: {channels: 0, bandwidth_gbytes_per_s: 0}\n";
    } else if (in_ddr && line.rfind("  ", 0) != 0) {
      in_ddr = false;
    }
    if (!in_ddr) device += line + "\n";
  }
  TempConfig no_ddr_device("dma-no-ddr-device", device);
  std::string text = design_text("  conv0: {simd: 3, pe: 16}\n", "dma_memory: ddr\n");
  text.replace(text.find((kConfigs / "devices/pynq-z1.yaml").string()), (kConfigs / "devices/pynq-z1.yaml").string().size(),
               no_ddr_device.path.string());
  TempConfig no_ddr("dma-no-ddr", text);
  e = error_of([&] { config::load_design(no_ddr.path.string()); });
  EXPECT_NE(e.find(no_ddr.path.string() + ":5:13: dma_memory: got 'ddr', expected 'ideal' on device pynq-z1, which "
                   "has no DDR"),
            std::string::npos)
      << e;

  // Written back by the design writers when not the default, dropped when it is.
  const fs::path out = fs::temp_directory_path() / "vine-test-dma-written.yaml";
  {
    std::ofstream f(out);
    config::write_design_with_folding(d, out.string(), "dma", f);
  }
  EXPECT_EQ(config::load_design(out.string()).dma_memory, ir::DmaMemory::kDdr);
  ir::Design back = d;
  back.dma_memory = ir::DmaMemory::kIdeal;
  {
    std::ofstream f(out);
    config::write_design_with_folding(back, out.string(), "dma", f);
  }
  EXPECT_EQ(config::load_design(out.string()).dma_memory, ir::DmaMemory::kIdeal);
  std::ifstream written(out);
  const std::string yaml((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  EXPECT_EQ(yaml.find("dma_memory"), std::string::npos) << yaml;
  fs::remove(out);
}

// A stage list that leaves out a padded layer's padding: the window unit
// would read the unpadded frame and wait for rows that never come (the run
// reported it as a deadlock). Refused at the field, with the numbers.
TEST(ConfigErrors, AStageListWithoutTheLayersPaddingIsRefused) {
  const std::string head = "design: t\nnetwork: " + (kConfigs / "networks/mixed-pow2-fixed.yaml").string() +
                           "\ndevice: " + (kConfigs / "devices/zcu104.yaml").string() + "\nlayers:\n";
  TempConfig ok("stages-pad", head + "  dw1: {pe: 4, stages: [fmpadding, swg, vvau]}\n");
  EXPECT_NO_THROW(config::load_design(ok.path.string()));
  TempConfig bad("stages-no-pad", head + "  dw1: {pe: 4, stages: [swg, vvau]}\n");
  const std::string e = error_of([&] { config::load_design(bad.path.string()); });
  EXPECT_NE(e.find(bad.path.string() + ":5:"), std::string::npos) << e;
  EXPECT_NE(e.find("layers.dw1.stages: got [swg, vvau], expected stages whose window unit sees the frame the "
                   "layer's windows span: it reads 16x16, which gives 14x14 windows of 3x3 at stride 1, but dw1 "
                   "has 16x16 outputs"),
            std::string::npos)
      << e;
}

TEST(ConfigErrors, PeBackendIsCppOrRtlOnLayersWithWeights) {
  TempConfig ok("backend", design_text("  conv0: {simd: 3, pe: 16, backend: rtl}\n"));
  const ir::Design d = config::load_design(ok.path.string());
  EXPECT_EQ(d.folding[0].backend, ir::PeBackend::kRtl);
  EXPECT_EQ(d.folding[1].backend, ir::PeBackend::kCpp);
  TempConfig bad("backend-bad", design_text("  conv0: {simd: 3, pe: 16, backend: verilog}\n"));
  std::string e = error_of([&] { config::load_design(bad.path.string()); });
  EXPECT_NE(e.find("layers.conv0.backend: got 'verilog', expected one of: cpp, rtl"), std::string::npos) << e;
  TempConfig pool("backend-pool", design_text("  pool0: {backend: rtl}\n"));
  e = error_of([&] { config::load_design(pool.path.string()); });
  EXPECT_NE(e.find("layers.pool0.backend"), std::string::npos) << e;
  EXPECT_NE(e.find("no PE backend on a layer without weights"), std::string::npos) << e;
}

TEST(ConfigErrors, UnknownLayerNamed) {
  TempConfig t("layer", design_text("  conv9: {simd: 3}\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find("layers.conv9"), std::string::npos) << e;
  EXPECT_NE(e.find("no layer 'conv9'"), std::string::npos) << e;
}

TEST(ConfigErrors, StreamWidthLimit) {
  TempConfig t("width", design_text("  conv0: {simd: 3, pe: 16}\n", "max_stream_bits: 16\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find("a 24-bit stream, expected streams of at most max_stream_bits = 16 bits"), std::string::npos) << e;
}

TEST(ConfigErrors, BadTypeAndRange) {
  TempConfig a("type", design_text("  conv0: {simd: three}\n"));
  EXPECT_NE(error_of([&] { config::load_design(a.path.string()); }).find("got 'three', expected a decimal integer"),
            std::string::npos);
  std::string text = design_text("  conv0: {simd: 3}\n");
  text.replace(text.find("clock_mhz: 100"), 14, "clock_mhz: 0");
  TempConfig b("clock", text);
  EXPECT_NE(error_of([&] { config::load_design(b.path.string()); }).find("clock_mhz: got '0', expected a number in [1, 1000]"),
            std::string::npos);
}

TEST(ConfigErrors, FifoEdgeMustExist) {
  TempConfig t("fifo", design_text("  conv0: {simd: 3}\n") + "fifos:\n  - {from: conv0, to: fc8, depth: 4}\n");
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find("fifos[0]"), std::string::npos) << e;
  EXPECT_NE(e.find("'conv0' -> 'fc8' is not one"), std::string::npos) << e;
}

// A stream inside a layer gets its own depth (what `vine fifo-size` writes);
// a name that is no such stream is refused with the layer's streams listed.
TEST(ConfigErrors, StreamFifosNameStreamsInsideLayers) {
  int n = 0;
  auto design = [&n](const std::string& fifos) {
    return std::make_unique<TempConfig>("streams" + std::to_string(n++), design_text("  conv0: {simd: 3, pe: 16}\n") + "fifos:\n" + fifos);
  };
  auto t = design("  - {stream: conv1.swg->conv1.mvau, depth: 7, style: memory}\n");
  const ir::Design d = config::load_design(t->path.string());
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  int found = 0;
  for (const auto& sp : plan.streams) {
    if (sp.name == "conv1.swg->conv1.mvau") {
      EXPECT_EQ(sp.depth, 7);
      EXPECT_TRUE(sp.memory_style);
      ++found;
    } else if (!sp.graph_edge) {
      EXPECT_EQ(sp.depth, d.internal_fifo_depth) << sp.name;  // the others keep the default
    }
  }
  EXPECT_EQ(found, 1);
  auto typo = design("  - {stream: conv1.swg->conv1.mvu, depth: 7}\n");
  std::string e = error_of([&] { config::load_design(typo->path.string()); });
  EXPECT_NE(e.find("fifos[0]: got stream 'conv1.swg->conv1.mvu', expected a stream inside a layer"), std::string::npos) << e;
  EXPECT_NE(e.find("the streams inside 'conv1': "), std::string::npos) << e;
  EXPECT_NE(e.find("conv1.swg->conv1.mvau"), std::string::npos) << e;
  auto edge = design("  - {stream: conv0->conv1, depth: 7}\n");
  e = error_of([&] { config::load_design(edge->path.string()); });
  EXPECT_NE(e.find("is an edge of the layer graph: give it as {from: conv0, to: conv1}"), std::string::npos) << e;
  auto both = design("  - {stream: conv1.swg->conv1.mvau, from: conv0, to: conv1, depth: 7}\n");
  e = error_of([&] { config::load_design(both->path.string()); });
  EXPECT_NE(e.find("not both"), std::string::npos) << e;
  auto twice = design("  - {stream: conv1.swg->conv1.mvau, depth: 7}\n  - {stream: conv1.swg->conv1.mvau, depth: 8}\n");
  e = error_of([&] { config::load_design(twice->path.string()); });
  EXPECT_NE(e.find("one entry per stream"), std::string::npos) << e;
}

TEST(ConfigErrors, NetworkMistakes) {
  const std::string head = "network: n\ninput: {shape: [8, 8, 4], type: unsigned, bits: 4}\nlayers:\n";
  TempConfig dup("dup", head + "  - {name: a, kind: maxpool, kernel: 2}\n  - {name: a, kind: maxpool, kernel: 2}\n");
  EXPECT_NE(error_of([&] { config::load_network(dup.path.string()); }).find("duplicate"), std::string::npos);
  TempConfig big("big", head + "  - {name: a, kind: conv, kernel: 9, out_channels: 4, weights: {arithmetic: fixed, bits: 4}, output: {kind: accumulator}}\n");
  EXPECT_NE(error_of([&] { config::load_network(big.path.string()); }).find("a kernel no larger than the padded input"),
            std::string::npos);
  TempConfig arith("arith", head + "  - {name: a, kind: fc, out_features: 4, weights: {arithmetic: float}, output: {kind: accumulator}}\n");
  const std::string e = error_of([&] { config::load_network(arith.path.string()); });
  EXPECT_NE(e.find(":4:64: layers[0].weights.arithmetic: got 'float', expected one of: fixed, pow2, binary, ternary"),
            std::string::npos) << e;
  TempConfig groups("groups", head + "  - {name: a, kind: fc, out_features: 4, channel_groups: [{channels: 3, weights: {arithmetic: binary}}], output: {kind: accumulator}}\n");
  EXPECT_NE(error_of([&] { config::load_network(groups.path.string()); }).find("groups covering all 4 output channels"),
            std::string::npos);
  TempConfig add("add", head + "  - {name: a, kind: maxpool, kernel: 2}\n  - {name: b, kind: add, inputs: [a, input], output: {kind: accumulator}}\n");
  EXPECT_NE(error_of([&] { config::load_network(add.path.string()); }).find("expected the shape of 'a': 4x4x4"),
            std::string::npos);
  TempConfig missing("missing", "network: n\nlayers: []\n");
  EXPECT_NE(error_of([&] { config::load_network(missing.path.string()); }).find("required field 'input'"),
            std::string::npos);
}

// A layer whose output nobody reads would leave its stream without a
// consumer (vine run crashed on it): the network is refused where the layer
// is named, whichever layer it is.
TEST(ConfigErrors, ALayerWhoseOutputNoLayerReads) {
  const std::string head = "network: n\ninput: {shape: [1, 1, 64], type: bipolar}\nlayers:\n";
  const std::string fc = "kind: fc, out_features: 16, weights: {arithmetic: binary}, output: {kind: threshold, type: bipolar}";
  TempConfig side("dangling", head + "  - {name: a, inputs: [input], " + fc + "}\n  - {name: b, inputs: [input], " + fc +
                                  "}\n");
  std::string e = error_of([&] { config::load_network(side.path.string()); });
  EXPECT_NE(e.find(":4:5: layers[0](a).name: got 'a', whose output no layer reads, expected every layer but the last "
                   "(the network's output, 'b') to feed a later layer"),
            std::string::npos)
      << e;
  TempConfig middle("dangling2", head + "  - {name: a, " + fc + "}\n  - {name: b, " + fc + "}\n  - {name: c, inputs: [a], " +
                                     fc + "}\n");
  e = error_of([&] { config::load_network(middle.path.string()); });
  EXPECT_NE(e.find(":5:5: layers[1](b).name: got 'b', whose output no layer reads"), std::string::npos) << e;
}

// A frame that is not whole beats on some stream left the stages on either
// side waiting for each other (reported as a deadlock): refused at the field.
TEST(ConfigErrors, EveryStreamCarriesAFrameInWholeBeats) {
  const std::string tfc = "design: t\nnetwork: " + (kConfigs / "networks/tfc-w1a1.yaml").string() +
                          "\ndevice: " + (kConfigs / "devices/pynq-z1.yaml").string() +
                          "\nclock_mhz: 100\nlayers:\n  fc0: {simd: 49, pe: 16}\n  fc1: {simd: 8, pe: 8}\n"
                          "  fc2: {simd: 8, pe: 8}\n  fc3: {simd: 8, pe: 10}\n";
  TempConfig dma("dma-beats", tfc + "dma_bits: 64\n");
  std::string e = error_of([&] { config::load_design(dma.path.string()); });
  EXPECT_NE(e.find(":10:11: dma_bits: got '64', expected a width that divides the input frame's 784 bits into whole "
                   "beats"),
            std::string::npos)
      << e;
  TempConfig ok("dma-beats-ok", tfc + "dma_bits: 16\n");  // 784 = 49 x 16
  EXPECT_EQ(error_of([&] { config::load_design(ok.path.string()); }), "(no error)");
  TempConfig edge("edge-beats", tfc + "fifos:\n  - {from: fc0, to: fc1, bits: 48, depth: 2}\n");
  e = error_of([&] { config::load_design(edge.path.string()); });
  EXPECT_NE(e.find("fifos[0].bits: got '48', expected a width that divides the 64-bit frame 'fc0' streams into whole "
                   "beats"),
            std::string::npos)
      << e;
}

// Input mistakes are config errors (exit 1), never internal errors, hangs or
// silently dropped values.
TEST(ConfigErrors, FilesKeysAndNumbersThatAreNotWhatTheyLookLike) {
  const fs::path dir = fs::temp_directory_path() / ("vine-test-files-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_NE(error_of([&] { config::load_network(dir.string()); }).find("got a directory, expected a regular YAML file"),
            std::string::npos);
  const fs::path pipe = dir / "pipe.yaml";
  ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
  EXPECT_NE(error_of([&] { config::load_network(pipe.string()); }).find("a special file"), std::string::npos);
  fs::create_symlink(dir / "b.yaml", dir / "a.yaml");
  fs::create_symlink(dir / "a.yaml", dir / "b.yaml");
  EXPECT_NE(error_of([&] { config::load_network((dir / "a.yaml").string()); }).find("symbolic links"),
            std::string::npos);
  fs::remove_all(dir);

  const std::string layer = "  - {name: a, kind: fc, out_features: 8, weights: {arithmetic: binary}, output: {kind: accumulator}}\n";
  TempConfig twice("twice", "network: n\nnetwork: m\ninput: {shape: [1, 1, 8], type: bipolar}\nlayers:\n" + layer);
  EXPECT_NE(error_of([&] { config::load_network(twice.path.string()); })
                .find(":2:1: network: got 'network', expected each key once in a map ('network' is given twice)"),
            std::string::npos);
  TempConfig inner("twice-inner", "network: n\ninput: {shape: [1, 1, 8], type: bipolar, type: unsigned}\nlayers:\n" + layer);
  EXPECT_NE(error_of([&] { config::load_network(inner.path.string()); }).find("input.type: got 'type', expected each key once"),
            std::string::npos);
  TempConfig octal("octal", "network: n\ninput: {shape: [1, 1, 8], type: bipolar}\nlayers:\n"
                            "  - {name: a, kind: fc, out_features: 010, weights: {arithmetic: binary}, output: {kind: accumulator}}\n");
  EXPECT_NE(error_of([&] { config::load_network(octal.path.string()); })
                .find("layers[0].out_features: got '010', expected a decimal integer in [1, 1048576] (no leading zeros)"),
            std::string::npos);
}

// What validate accepts, every command runs: what no command can run is
// refused at load time, where the field is.
TEST(ConfigErrors, WhatNoCommandCanRunIsRefusedAtLoad) {
  // The compute engine multiplies integers: CNV's binary layers are not its.
  TempConfig engine("engine", "design: t\nnetwork: " + (kConfigs / "networks/cnv-w1a1.yaml").string() +
                                  "\ndevice: " + (kConfigs / "devices/pynq-z1.yaml").string() +
                                  "\ntemplate: engine\n");
  EXPECT_NE(error_of([&] { config::load_design(engine.path.string()); })
                .find("cnv-w1a1.yaml:8:5: layers[0](conv0): got binary weights on conv0, expected fixed, pow2 or ternary weights: the compute "
                      "engine's array multiplies integers"),
            std::string::npos)
      << error_of([&] { config::load_design(engine.path.string()); });
  // And a streaming design's fields are not an engine design's.
  TempConfig engine_layers("engine-layers", design_text("  conv0: {simd: 3, pe: 16}\n", "template: engine\n"));
  EXPECT_NE(error_of([&] { config::load_design(engine_layers.path.string()); })
                .find(":6:1: layers: got unknown field 'layers', expected one of: clock_mhz, design, device, engine, "
                      "network, template"),
            std::string::npos)
      << error_of([&] { config::load_design(engine_layers.path.string()); });
  const std::string mnv = "design: t\nnetwork: " + (kConfigs / "networks/mobilenet-v1-w4a4.yaml").string() +
                          "\ndevice: " + (kConfigs / "devices/alveo-u250.yaml").string() + "\nclock_mhz: 300\nlayers:\n";
  TempConfig dw("dw-simd", mnv + "  dw1: {simd: 2, pe: 32}\n");
  EXPECT_NE(error_of([&] { config::load_design(dw.path.string()); })
                .find("dw1.simd: got 2, expected a divisor of KH x KW (kernel positions) of the depthwise layer dw1 = 9"),
            std::string::npos)
      << error_of([&] { config::load_design(dw.path.string()); });
  TempConfig dw_ok("dw-simd-ok", mnv + "  dw1: {simd: 9, pe: 32}\n");
  EXPECT_EQ(error_of([&] { config::load_design(dw_ok.path.string()); }), "(no error)");
  const std::string head = "network: n\ninput: {shape: [4, 4, 2], type: unsigned, bits: 4}\nlayers:\n";
  TempConfig pad("pad-value", head + "  - {name: p, kind: pad, padding: 1, pad_value: 16}\n");
  EXPECT_NE(error_of([&] { config::load_network(pad.path.string()); })
                .find("(p).pad_value: got 16, expected a code of the padded stream's type, in [0, 15]"),
            std::string::npos);
  TempConfig pad_ok("pad-value-ok", head + "  - {name: p, kind: pad, padding: 1, pad_value: 15}\n");
  EXPECT_EQ(error_of([&] { config::load_network(pad_ok.path.string()); }), "(no error)");
}

// Two stream widths neither of which divides the other go through their
// least common multiple, computed in 64 bits and bounded by max_stream_bits
// at load time (it wrapped in int and gave negative resource estimates).
TEST(ConfigErrors, ConverterWidthsThroughTheirLeastCommonMultiple) {
  TempConfig net("lcm-net", "network: lcm\ninput: {shape: [1, 1, 210], type: bipolar}\nlayers:\n"
                            "  - {name: a, kind: fc, out_features: 210, weights: {arithmetic: binary}, output: {kind: threshold, type: bipolar}}\n"
                            "  - {name: b, kind: fc, out_features: 10, weights: {arithmetic: binary}, output: {kind: accumulator}}\n");
  auto design = [&](int max_bits) {
    return "design: lcm\nnetwork: " + net.path.string() + "\ndevice: " + (kConfigs / "devices/pynq-z1.yaml").string() +
           "\nclock_mhz: 100\nmax_stream_bits: " + std::to_string(max_bits) + "\nlayers:\n  a: {simd: 10, pe: 14}\n  b: {simd: 15, pe: 5}\n";
  };
  TempConfig narrow("lcm-narrow", design(100));
  EXPECT_NE(error_of([&] { config::load_design(narrow.path.string()); })
                .find("got widths 14 and 15 bits, converted through 210 bits, expected stream widths on the edge a -> b "
                      "whose least common multiple is at most max_stream_bits (100)"),
            std::string::npos);
  TempConfig wide("lcm-wide", design(256));
  EXPECT_EQ(error_of([&] { config::load_design(wide.path.string()); }), "(no error)");
}

// An accumulator output travels as a 32-bit code; wider sums wrapped into a
// 1-bit stream and an estimate of 10^18 cycles.
// Sums travel as 32-bit codes on an accumulator output, and the streaming
// models hold a layer's sums in 32 bits: such a layer is refused at load (16-bit
// inputs and weights were accepted, then the reference failed with an internal
// error). Behind a threshold or requant output the golden reference and the
// compute engine hold them in 64 bits (ir::wide_sums).
TEST(ConfigErrors, AccumulatorOutputsFitTheCodesActivationsTravelAs) {
  const std::string head = "network: wide\ninput: {shape: [1, 1, 4096], type: unsigned, bits: 16}\nlayers:\n";
  TempConfig wide("acc-wide", head + "  - {name: a, kind: fc, out_features: 64, weights: {arithmetic: fixed, bits: 16}, "
                                     "output: {kind: accumulator}}\n");
  EXPECT_NE(error_of([&] { config::load_network(wide.path.string()); })
                .find("layers[0](a).weights: got sums from -8795958804480 to 8795690373120 (4096 products per "
                      "output), expected sums that fit 32-bit signed integers on an accumulator output"),
            std::string::npos)
      << error_of([&] { config::load_network(wide.path.string()); });
  TempConfig conv16("acc-conv16",
                    "network: w16\ninput: {shape: [8, 8, 4], type: signed, bits: 16}\nlayers:\n"
                    "  - {name: c, kind: conv, out_channels: 8, kernel: 3, stride: 1, padding: 1, "
                    "weights: {arithmetic: fixed, bits: 16}, output: {kind: requant, type: signed, bits: 16}}\n");
  EXPECT_EQ(error_of([&] { config::load_network(conv16.path.string()); }), "(no error)");
  EXPECT_TRUE(ir::wide_sums(config::load_network(conv16.path.string()).layers[0]));
  auto design = [&](const std::string& extra) {
    return "design: w16\nnetwork: " + conv16.path.string() + "\ndevice: " + (kConfigs / "devices/zcu104.yaml").string() +
           "\nclock_mhz: 200\n" + extra;
  };
  TempConfig streaming("acc-conv16-stream", design(""));
  EXPECT_NE(error_of([&] { config::load_design(streaming.path.string()); })
                .find("layers[0](c).weights: got sums from -38653526016 to 38654705664 (36 products per output) in a "
                      "streaming design, expected sums that fit 32-bit signed integers, which the streaming models "
                      "hold them in"),
            std::string::npos)
      << error_of([&] { config::load_design(streaming.path.string()); });
  TempConfig engine("acc-conv16-engine", design("template: engine\n"));
  EXPECT_EQ(error_of([&] { config::load_design(engine.path.string()); }), "(no error)");
  TempConfig ok("acc-ok", "network: ok\ninput: {shape: [1, 1, 64], type: unsigned, bits: 4}\nlayers:\n"
                          "  - {name: a, kind: fc, out_features: 8, weights: {arithmetic: fixed, bits: 4}, output: {kind: accumulator}}\n");
  EXPECT_EQ(error_of([&] { config::load_network(ok.path.string()); }), "(no error)");
}

// The sums' bound, MW x max|w| x max|x|, must fit the 64 bits they are held
// in: 4096 x 4096 x 512 = 2^33 products of up to (-2^15)^2 = 2^30 reach 2^63.
// One input channel fewer halves the bound to 2^62, which fits (and is then
// refused for its 64 GiB of weights, a later check).
TEST(ConfigErrors, SumsBeyond64BitsAreRefused) {
  auto net = [](int channels) {
    return "network: huge\ninput: {shape: [4096, 4096, " + std::to_string(channels) +
           "], type: signed, bits: 16}\nlayers:\n  - {name: a, kind: fc, out_features: 2, weights: {arithmetic: "
           "fixed, bits: 16}, output: {kind: requant, type: signed, bits: 16}}\n";
  };
  TempConfig over("sums-64", net(512));
  EXPECT_NE(error_of([&] { config::load_network(over.path.string()); })
                .find("layers[0](a).weights: got an accumulator range beyond 64 bits (8589934592 products of up to "
                      "1073741824), expected a layer whose sums fit 64 bits"),
            std::string::npos)
      << error_of([&] { config::load_network(over.path.string()); });
  TempConfig under("sums-63", net(256));
  EXPECT_EQ(error_of([&] { config::load_network(under.path.string()); }).find("beyond 64 bits"), std::string::npos);
}

// Names end up in JSON reports, which must be UTF-8: a name that is not is
// refused at load (it validated, then every --json failed after the run).
TEST(ConfigErrors, NamesAreUtf8) {
  const std::string layer = "  - {name: a, kind: fc, out_features: 8, weights: {arithmetic: binary}, output: {kind: accumulator}}\n";
  TempConfig bad("utf8-bad", "network: n\xff\ninput: {shape: [1, 1, 8], type: bipolar}\nlayers:\n" + layer);
  EXPECT_NE(error_of([&] { config::load_network(bad.path.string()); }).find("expected a string in UTF-8"),
            std::string::npos);
  TempConfig good("utf8-good", "network: r\xc3\xa9seau\ninput: {shape: [1, 1, 8], type: bipolar}\nlayers:\n" + layer);
  EXPECT_EQ(error_of([&] { config::load_network(good.path.string()); }), "(no error)");
}

// A legal network whose weights would not fit in memory is refused at load,
// with what it needs, instead of being attempted.
TEST(ConfigErrors, ParameterMemoryIsBoundedBeforeAllocation) {
  const std::string head = "network: huge\ninput: {shape: [1, 1, 65536], type: unsigned, bits: 4}\nlayers:\n";
  TempConfig huge("params-huge", head + "  - {name: a, kind: fc, out_features: 16384, weights: {arithmetic: fixed, bits: 4}, "
                                        "output: {kind: threshold, type: unsigned, bits: 4}}\n");
  EXPECT_NE(error_of([&] { config::load_network(huge.path.string()); })
                .find("layers: got weights and thresholds needing 8193 MiB, expected at most 4096 MiB of parameters"),
            std::string::npos);
  TempConfig fits("params-fit", head + "  - {name: a, kind: fc, out_features: 4096, weights: {arithmetic: fixed, bits: 4}, "
                                       "output: {kind: threshold, type: unsigned, bits: 4}}\n");
  EXPECT_EQ(error_of([&] { config::load_network(fits.path.string()); }), "(no error)");
}

TEST(ConfigErrors, YamlSyntaxAndMissingFile) {
  TempConfig t("syntax", "network: n\n  layers: [\n");
  const std::string e = error_of([&] { config::load_network(t.path.string()); });
  EXPECT_TRUE(std::regex_search(e, std::regex(":[0-9]+:[0-9]+: expected valid YAML"))) << e;
  EXPECT_NE(error_of([] { config::load_network("/no/such/file.yaml"); }).find("cannot open"), std::string::npos);
}

// The simulation's design knobs: DMA width, edge stream widths and styles,
// pipeline depths per stage kind.
TEST(ConfigErrors, SimulationKnobs) {
  auto load = [](const std::string& extra, const std::string& fifos = "") {
    TempConfig t("knobs", design_text("  conv0: {simd: 3, pe: 16}\n", extra) + fifos);
    return error_of([&] { config::load_design(t.path.string()); });
  };
  EXPECT_NE(load("dma_bits: 60\n").find("dma_bits: got '60', expected a multiple of the network's 8-bit input"),
            std::string::npos);
  EXPECT_NE(load("pipeline_depth: {mvu: 3}\n").find("pipeline_depth.mvu: got unknown field 'mvu'"), std::string::npos);
  EXPECT_NE(load("pipeline_depth: {mvau: -1}\n").find("pipeline_depth.mvau: got '-1', expected an integer in [0, 1024]"),
            std::string::npos);
  EXPECT_NE(load("internal_fifo_depth: 0\n").find("internal_fifo_depth: got '0'"), std::string::npos);
  EXPECT_NE(load("", "fifos:\n  - {from: conv0, to: conv1, depth: 4, style: sram}\n")
                .find("style: got 'sram', expected one of: shift, memory"),
            std::string::npos);
  EXPECT_NE(load("", "fifos:\n  - {from: fc8, to: output, depth: 4, bits: 64}\n")
                .find("bits: got '64', expected a multiple of the 10-bit elements 'fc8' streams"),
            std::string::npos);
  EXPECT_EQ(load("dma_bits: 64\npipeline_depth: {mvau: 7, swg: 0}\n",
                 "fifos:\n  - {from: conv0, to: conv1, depth: 4, bits: 64, style: memory}\n"),
            "(no error)");
}

// The DDR figures of a device (docs/ddr.md): each is typed and ranged, the
// quoted peak must agree with bus width x transfer rate, and a board without
// DDR needs none of them.
TEST(ConfigErrors, DeviceDdrFields) {
  const std::string head =
      "device: x\nboard: b\npart: p\nfamily: zynq7\n"
      "resources: {lut: 1, ff: 1, bram36: 0, uram: 0, dsp: 0}\nclock_mhz: 100\nddr:\n";
  const std::string good =
      "  channels: 1\n  bandwidth_gbytes_per_s: 2.1\n  data_bits: 16\n"
      "  transfer_rate_mts: 1050\n  capacity_mbytes: 512\n";
  auto load = [&](const std::string& ddr) {
    TempConfig t("ddr", head + ddr);
    std::string e = error_of([&] { config::load_device(t.path.string()); });
    if (e.rfind(t.path.string(), 0) == 0) e = e.substr(t.path.string().size());  // keep :line:col
    return e;
  };
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_EQ(load(good), "(no error)");
  {
    TempConfig t("ddr-defaults", head + good);
    const ir::Device d = config::load_device(t.path.string());
    EXPECT_EQ(d.ddr_burst_bytes, 16);  // BL8 x 2 bytes
    EXPECT_DOUBLE_EQ(d.ddr_latency_ns, 100);
    EXPECT_DOUBLE_EQ(d.ddr_efficiency, 0.8);
    EXPECT_EQ(d.ddr_interleave_bytes, 0);
    EXPECT_EQ(d.ddr_capacity_mbytes, 512);
  }
  EXPECT_EQ(load(with("2.1", "3")),
            ":9:27: ddr.bandwidth_gbytes_per_s: got '3', expected data_bits / 8 x "
            "transfer_rate_mts / 1000 = 2.1 GB/s (within 1%)");
  EXPECT_EQ(load(with("data_bits: 16", "data_bits: 24")),
            ":10:14: ddr.data_bits: got '24', expected a power of two in [8, 1024]");
  EXPECT_EQ(load(with("capacity_mbytes: 512", "capacity_mbytes: 0")),
            ":12:20: ddr.capacity_mbytes: got '0', expected an integer in [1, 1073741824]");
  EXPECT_EQ(load(with("  capacity_mbytes: 512\n", "")),
            ":8:3: ddr.capacity_mbytes: got nothing, expected required field 'capacity_mbytes'");
  EXPECT_EQ(load(good + "  efficiency: 0\n"),
            ":13:15: ddr.efficiency: got '0', expected a number in [1e-06, 1]");
  EXPECT_EQ(load(good + "  efficiency: 1.2\n"),
            ":13:15: ddr.efficiency: got '1.2', expected a number in [1e-06, 1]");
  EXPECT_EQ(load(good + "  latency_ns: -5\n"),
            ":13:15: ddr.latency_ns: got '-5', expected a number in [0, 100000]");
  EXPECT_EQ(load(good + "  burst_bytes: 24\n"),
            ":13:16: ddr.burst_bytes: got '24', expected a power of two, a multiple of data_bits / 8 "
            "= 2 bytes");
  EXPECT_EQ(load(good + "  interleave_bytes: 8\n"),
            ":13:21: ddr.interleave_bytes: got '8', expected 0 (contiguous channels) or a power of "
            "two, a multiple of burst_bytes = 16, at most the channel capacity");
  EXPECT_EQ(load(good + "  latency: 5\n"),
            ":13:3: ddr.latency: got unknown field 'latency', expected one of: "
            "bandwidth_gbytes_per_s, burst_bytes, capacity_mbytes, channels, data_bits, "
            "efficiency, interleave_bytes, latency_ns, transfer_rate_mts");
  // No DDR: nothing else is needed.
  EXPECT_EQ(load("  channels: 0\n  bandwidth_gbytes_per_s: 0\n"), "(no error)");
}

TEST(Config, ClusterErrorsNameTheField) {
  const std::string dev = (kConfigs / "devices/pynq-z1.yaml").string();
  auto cluster = [&](const std::string& links, const std::string& extra = "") {
    return "cluster: c\n" + extra + "boards:\n  - {name: a, device: " + dev + "}\n  - {name: b, device: " + dev +
           "}\nlinks:\n" + links;
  };
  {
    TempConfig t("cluster-ok", cluster("  - {from: a, to: b, lanes: 2}\n"));
    const ir::Cluster c = config::load_cluster(t.path.string());
    ASSERT_EQ(c.links.size(), 1u);
    EXPECT_EQ(c.links[0].config.lanes, 2);
    EXPECT_EQ(c.links[0].from_board, 0);
    EXPECT_EQ(c.links[0].to_board, 1);
    EXPECT_EQ(c.links[0].config.xoff_words, c.links[0].config.rx_fifo_words / 2);  // finn-plus's default
    EXPECT_EQ(config::detect_kind(t.path.string()), config::ConfigKind::kCluster);
  }
  struct Case {
    std::string text, want;
  };
  const std::vector<Case> cases{
      {cluster("  - {from: a, to: z}\n"), "links[0].to: got 'z', expected the name of a board of this cluster (a, b)"},
      {cluster("  - {from: a, to: a}\n"), "links[0].to: got 'a', expected another board than 'from'"},
      {cluster("  - {from: a, to: b, lanes: 17}\n"), "links[0].lanes: got '17', expected an integer in [1, 16]"},
      {cluster("  - {from: a, to: b, lane: 2}\n"), "links[0].lane"},
      {cluster("  - {from: a, to: b, xon_words: 900, xoff_words: 800}\n"),
       "0 <= xon_words < xoff_words <= rx_fifo_words"},
      {cluster("  - {from: a, to: b}\n  - {from: a, to: b}\n"), "links[1].to"},
      {cluster("", "utilisation_max: 1.5\n"), "utilisation_max: got '1.5'"},
  };
  for (const Case& c : cases) {
    TempConfig t("cluster-bad", c.text);
    const std::string e = error_of([&] { config::load_cluster(t.path.string()); });
    EXPECT_NE(e.find(t.path.string()), std::string::npos) << e;
    EXPECT_NE(e.find(c.want), std::string::npos) << e;
  }
}
