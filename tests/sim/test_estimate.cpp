// The analytic estimate: per-layer MVAU cycles of the BNN-PYNQ designs pinned
// to NF * SF * vectors with the folding table of DOMAIN.md section 3, the
// sliding-window formula, memory aspect ratios, and the JSON contract.
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/estimate/resource_model.h"

namespace fs = std::filesystem;
using namespace vine;

namespace {

const fs::path kDesigns = fs::path(VINE_SOURCE_DIR) / "configs" / "designs";

struct MvauRow {
  const char* layer;
  int64_t mw, mh, vectors;
  int simd, pe;
};

// DOMAIN.md section 3 (BNN-PYNQ config.h), typed in from the table, not
// derived from the configs under test.
const MvauRow kCnvW1[] = {{"conv0", 27, 64, 900, 3, 16},    {"conv1", 576, 64, 784, 32, 32},
                          {"conv2", 576, 128, 144, 32, 16}, {"conv3", 1152, 128, 100, 32, 16},
                          {"conv4", 1152, 256, 9, 32, 4},   {"conv5", 2304, 256, 1, 32, 1},
                          {"fc6", 256, 512, 1, 4, 1},       {"fc7", 512, 512, 1, 8, 1},
                          {"fc8", 512, 64, 1, 1, 4}};
const MvauRow kCnvW2[] = {{"conv0", 27, 64, 900, 3, 8},    {"conv1", 576, 64, 784, 16, 16},
                          {"conv2", 576, 128, 144, 16, 8}, {"conv3", 1152, 128, 100, 16, 8},
                          {"conv4", 1152, 256, 9, 8, 4},   {"conv5", 2304, 256, 1, 8, 1},
                          {"fc6", 256, 512, 1, 2, 1},      {"fc7", 512, 512, 1, 2, 2},
                          {"fc8", 512, 64, 1, 1, 4}};
const MvauRow kLfc[] = {{"fc0", 832, 1024, 1, 64, 32},
                        {"fc1", 1024, 1024, 1, 32, 64},
                        {"fc2", 1024, 1024, 1, 64, 32},
                        {"fc3", 1024, 64, 1, 8, 16}};

const estimate::StageEstimate* find_stage(const estimate::Estimate& e, const std::string& name) {
  for (const auto& l : e.layers)
    for (const auto& s : l.stages)
      if (s.plan.name == name) return &s;
  return nullptr;
}

template <size_t N>
void expect_mvau_cycles(const std::string& design, const MvauRow (&rows)[N]) {
  const auto d = config::load_design((kDesigns / design).string());
  const auto e = estimate::estimate_design(d);
  int64_t interval = 0;
  for (const auto& r : rows) {
    SCOPED_TRACE(design + " " + r.layer);
    const auto* s = find_stage(e, std::string(r.layer) + ".mvau");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->plan.simd, r.simd);
    EXPECT_EQ(s->plan.pe, r.pe);
    const int64_t want = (r.mh / r.pe) * (r.mw / r.simd) * r.vectors;
    EXPECT_EQ(s->cycles, want);
    interval = std::max(interval, want);
  }
  EXPECT_EQ(e.interval_cycles, interval);
  EXPECT_DOUBLE_EQ(e.fps, d.clock_mhz * 1e6 / double(interval));
}

}  // namespace

TEST(Estimate, CnvW1A1MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/cnv-w1a1-pynq-z1.yaml", kCnvW1); }
TEST(Estimate, CnvW1A2MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/cnv-w1a2-pynq-z1.yaml", kCnvW1); }
TEST(Estimate, CnvW2A2MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/cnv-w2a2-pynq-z1.yaml", kCnvW2); }
TEST(Estimate, LfcW1A1MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/lfc-w1a1-pynq-z1.yaml", kLfc); }
TEST(Estimate, LfcW1A2MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/lfc-w1a2-pynq-z1.yaml", kLfc); }

TEST(Estimate, CnvBottleneckAndFps) {
  const auto e = estimate::estimate_design(config::load_design((kDesigns / "default.yaml").string()));
  EXPECT_EQ(e.interval_cycles, 32768);  // fc6 and fc7: 512 * 64
  EXPECT_EQ(e.bottleneck, "fc6");
  EXPECT_NEAR(e.fps, 3051.76, 0.01);
  EXPECT_TRUE(e.fits);
}

TEST(Estimate, SlidingWindowFormula) {
  const auto e = estimate::estimate_design(config::load_design((kDesigns / "default.yaml").string()));
  // conv0: IFM 32, K 3, C 3, SIMD 3 -> cf 1: 32*3 + 30*max(30*9, 32)
  // FINN's formula plus the re-entry of the per-frame loop (depth 2 + 1 entry cycle)
  EXPECT_EQ(find_stage(e, "conv0.swg")->cycles, 32 * 3 + 30 * 270 + 3);
  // conv1: IFM 30, C 64, SIMD 32 -> cf 2: 30*3*2 + 28*max(28*9*2, 30*2)
  EXPECT_EQ(find_stage(e, "conv1.swg")->cycles, 30 * 3 * 2 + 28 * 28 * 9 * 2 + 3);
}

TEST(Estimate, MobileNetDepthwiseAndPadding) {
  const auto e =
      estimate::estimate_design(config::load_design((kDesigns / "finn-examples/mobilenet-v1-w4a4-u250.yaml").string()));
  // dw1: C 32, k 3, PE 32 over 111x111 outputs
  EXPECT_EQ(find_stage(e, "dw1.vvau")->cycles, 32 * 9 / 32 * 111 * 111);
  // dw1 pads 111 -> 113 with one channel per... PE 32 channels per beat
  EXPECT_EQ(find_stage(e, "dw1.pad")->cycles, 113 * 113 * (32 / 32));
  // pw13: MW 1024 / SIMD 16, MH 1024 / PE 32, 7x7 vectors
  EXPECT_EQ(find_stage(e, "pw13.mvau")->cycles, 64 * 32 * 49);
  EXPECT_EQ(find_stage(e, "pw1.swg"), nullptr);  // 1x1 stride 1 reads pixels directly
}

TEST(ResourceModel, Ramb18AspectRatios) {
  EXPECT_EQ(estimate::bram18_for(1, 16384), 1);
  EXPECT_EQ(estimate::bram18_for(36, 512), 1);
  EXPECT_EQ(estimate::bram18_for(37, 512), 2);
  EXPECT_EQ(estimate::bram18_for(32, 18432), 36);  // CNV conv5 weights: 32 bits x 18432
  EXPECT_EQ(estimate::bram18_for(0, 10), 0);
  EXPECT_EQ(estimate::uram_for(72, 4096), 1);
  EXPECT_EQ(estimate::uram_for(73, 4097), 4);
  EXPECT_EQ(estimate::lutram_for(8, 64), 8);
}

TEST(Estimate, JsonCarriesTheContractFields) {
  const auto j = estimate::to_json(estimate::estimate_design(config::load_design((kDesigns / "default.yaml").string())));
  for (const char* k : {"design", "clock_mhz", "interval_cycles", "fps", "bottleneck", "resources", "device", "fits",
                        "layers"})
    EXPECT_TRUE(j.contains(k)) << k;
  ASSERT_EQ(j["layers"].size(), 11u);
  for (const auto& l : j["layers"])
    for (const char* k : {"name", "kind", "cycles", "resources"}) EXPECT_TRUE(l.contains(k)) << k;
  for (const char* k : {"lut", "ff", "bram18", "uram", "dsp"}) EXPECT_TRUE(j["resources"].contains(k)) << k;
}

TEST(Estimate, ResourcesExceedingTheDeviceDoNotFit) {
  // MobileNet's folding on a PYNQ-Z1 cannot fit.
  auto d = config::load_design((kDesigns / "finn-examples/mobilenet-v1-w4a4-u250.yaml").string());
  d.device = config::load_device((fs::path(VINE_SOURCE_DIR) / "configs/devices/pynq-z1.yaml").string());
  EXPECT_FALSE(estimate::estimate_design(d).fits);
}
