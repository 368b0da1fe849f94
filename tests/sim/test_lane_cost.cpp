// The lane cost model fitted to rtl/synth/units.csv (every table row within
// the error docs/estimate.md states), the configure-time translation of the
// table (bad content names its line), and the estimate of channel groups: one
// lanes unit per weight arithmetic, weight memory per group at its own width,
// cycles unchanged. Also the shipped resnet18-mixed design's estimate.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>  // getpid

#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/estimate/lane_cost.h"
#include "vine_rtl_synth.h"

namespace fs = std::filesystem;
using namespace vine;
using estimate::LaneArithmetic;

namespace {

// The largest relative LUT error of each fit on its own rows, as
// docs/estimate.md states it (to 0.1%), plus half the last digit. The FF
// fits are exact.
double documented_lut_error(LaneArithmetic a, bool dsp) {
  switch (a) {
    case LaneArithmetic::kFixed: return dsp ? 0.0185 : 0.1515;
    case LaneArithmetic::kPow2: return 0.0705;
    case LaneArithmetic::kXnor: return 0.0115;
    case LaneArithmetic::kSignSelect: return 0.0385;
    case LaneArithmetic::kBitSerial: return 0.0955;
  }
  return 0;
}
constexpr double kDocumentedFfError = 1e-6;

const estimate::LaneFit& fit_of(LaneArithmetic a, bool dsp) {
  for (const auto& f : estimate::lane_fits())
    if (f.arithmetic == a && f.dsp == dsp) return f;
  throw std::runtime_error(std::string("no fit for ") + estimate::to_string(a));
}

}  // namespace

TEST(LaneCost, EveryArithmeticHasAFit) {
  for (auto a : {LaneArithmetic::kFixed, LaneArithmetic::kPow2, LaneArithmetic::kXnor, LaneArithmetic::kSignSelect,
                 LaneArithmetic::kBitSerial}) {
    const auto& f = fit_of(a, false);
    // More rows than terms: the fit is a fit, not an interpolation.
    EXPECT_GT(f.points.size(), f.lut_terms.size()) << estimate::to_string(a);
    EXPECT_GT(f.points.size(), f.ff_terms.size()) << estimate::to_string(a);
  }
  EXPECT_GT(fit_of(LaneArithmetic::kFixed, true).points.size(), fit_of(LaneArithmetic::kFixed, true).lut_terms.size());
}

TEST(LaneCost, FitReproducesEveryTableRowWithinTheDocumentedError) {
  for (const auto& f : estimate::lane_fits()) {
    const double bound = documented_lut_error(f.arithmetic, f.dsp);
    EXPECT_LE(f.max_rel_lut, bound) << estimate::to_string(f.arithmetic) << (f.dsp ? " dsp" : "");
    for (const auto& p : f.points) {
      SCOPED_TRACE("rtl/synth/units.csv:" + std::to_string(p.line) + " " + p.unit + " " + p.params);
      EXPECT_LE(std::abs(p.fit_lut - p.lut), bound * p.lut);
      EXPECT_LE(std::abs(p.fit_ff - p.ff), kDocumentedFfError * p.ff);
      // The fit is evaluated through the public cost function.
      const auto c = estimate::lane_unit_cost(p.lanes);
      EXPECT_DOUBLE_EQ(c.lut, p.fit_lut);
      EXPECT_DOUBLE_EQ(c.ff, p.fit_ff);
    }
  }
}

// Every lanes row of the table is in exactly one fit (DSP-mode rows where
// Yosys inferred no DSP48 are not lanes units the estimate costs).
TEST(LaneCost, EveryLaneRowOfTheTableIsFitted) {
  std::map<int, int> used;
  for (const auto& f : estimate::lane_fits())
    for (const auto& p : f.points) ++used[p.line];
  int lane_rows = 0;
  for (const auto& r : rtl::synth::kUnitRows) {
    const std::string u = r.unit;
    const bool lanes = u == "mvau_lanes_fixed" || u == "mvau_lanes_pow2" || u == "mvau_lanes_binary" ||
                       u == "mvau_lanes_ternary" || u == "mvau_lanes_bitserial";
    if (!lanes || (r.dsp_mode && r.dsp48 == 0)) continue;
    ++lane_rows;
    EXPECT_EQ(used[r.line], 1) << "rtl/synth/units.csv:" << r.line;
  }
  EXPECT_EQ(int(used.size()), lane_rows);
  EXPECT_GE(lane_rows, 40);  // the sweep of scripts/synth-units
}

// The terms were chosen so that every coefficient is positive (each is a
// hardware quantity: LUTs per partial product, per adder bit, ...).
TEST(LaneCost, CoefficientsArePositive) {
  for (const auto& f : estimate::lane_fits()) {
    for (double c : f.lut_coef) EXPECT_GT(c, 0) << estimate::to_string(f.arithmetic);
    for (double c : f.ff_coef) EXPECT_GT(c, 0) << estimate::to_string(f.arithmetic);
  }
}

TEST(LaneCost, AdderTreeWidthsFollowTheRtlTree) {
  // 4 XNOR lanes: two 2-bit adders (0..2), one 3-bit adder (0..4); one
  // register stage after level 2.
  EXPECT_EQ(estimate::tree_adder_bits(0, 1, 4), 2 * 2 + 3);
  EXPECT_EQ(estimate::tree_register_bits(0, 1, 4), 3);
  // 5 lanes: an odd node passes through each level: 2x2 + 1x3 + 1x3 bits.
  EXPECT_EQ(estimate::tree_adder_bits(0, 1, 5), 2 * 2 + 3 + 3);
  // Registers after level 2 (2 nodes of 3 bits) and the last level (3 bits).
  EXPECT_EQ(estimate::tree_register_bits(0, 1, 5), 2 * 3 + 3);
  EXPECT_EQ(estimate::tree_adder_bits(-8, 7, 1), 0);  // one lane: no adder
}

TEST(LaneCost, CostGrowsWithLanesAndWidths) {
  const ir::ActivationType a4{ir::ActivationKind::kUnsigned, 4};
  const ir::ActivationType bip{ir::ActivationKind::kBipolar, 1};
  ir::WeightType fixed4{ir::WeightArithmetic::kFixed, 4};
  ir::WeightType fixed2{ir::WeightArithmetic::kFixed, 2};
  ir::WeightType pow2_2{ir::WeightArithmetic::kPow2, 4, 2};
  ir::WeightType pow2_3{ir::WeightArithmetic::kPow2, 5, 3};
  ir::WeightType binary{ir::WeightArithmetic::kBinary, 1};
  ir::WeightType ternary{ir::WeightArithmetic::kTernary, 2};
  auto cost = [](const ir::WeightType& w, const ir::ActivationType& a, int simd) {
    return estimate::lane_unit_cost(estimate::lane_unit(w, a, simd, 16, false));
  };
  EXPECT_GT(cost(fixed4, a4, 32).lut, cost(fixed4, a4, 16).lut);
  EXPECT_GT(cost(fixed4, a4, 16).lut, cost(fixed2, a4, 16).lut);
  EXPECT_GT(cost(fixed4, a4, 16).ff, cost(fixed2, a4, 16).ff);
  EXPECT_GT(cost(pow2_3, a4, 16).lut, cost(pow2_2, a4, 16).lut);
  // XNOR lanes are the cheapest, sign-select ones cheaper than multipliers.
  EXPECT_LT(cost(binary, bip, 16).lut, cost(binary, a4, 16).lut);
  EXPECT_LT(cost(ternary, a4, 16).lut, cost(fixed4, a4, 16).lut);
  EXPECT_EQ(estimate::lane_arithmetic(binary, bip), LaneArithmetic::kXnor);
  EXPECT_EQ(estimate::lane_arithmetic(binary, a4), LaneArithmetic::kSignSelect);
  EXPECT_EQ(estimate::lane_arithmetic(ternary, a4), LaneArithmetic::kSignSelect);
  // DSP lanes keep only the tree and accumulator in LUTs.
  ir::WeightType fixed8{ir::WeightArithmetic::kFixed, 8};
  const auto lut8 = estimate::lane_unit_cost(estimate::lane_unit(fixed8, a4, 16, 20, false));
  const auto dsp8 = estimate::lane_unit_cost(estimate::lane_unit(fixed8, a4, 16, 20, true));
  EXPECT_LT(dsp8.lut, lut8.lut / 4);
  EXPECT_LT(dsp8.ff, lut8.ff);
}

// ------------------------------------------------ configure-time translation

namespace {

const fs::path kTable = fs::path(VINE_SOURCE_DIR) / "rtl" / "synth" / "units.csv";

// Runs rtl/cmake/VineRtlSynth.cmake in script mode on `csv`; returns its
// exit status and puts its output in `out`.
int translate(const std::string& csv, std::string& out) {
  const fs::path dir = fs::temp_directory_path() / ("vine_synth_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path in = dir / "units.csv";
  std::ofstream(in) << csv;
  const std::string cmd = std::string("\"") + VINE_CMAKE_COMMAND + "\" -DCSV=" + in.string() +
                          " -DOUT=" + (dir / "out.h").string() +
                          " -P \"" VINE_SOURCE_DIR "/rtl/cmake/VineRtlSynth.cmake\" 2>&1";
  out.clear();
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), int(buf.size()), p)) out += buf.data();
  const int status = pclose(p);
  fs::remove_all(dir);
  return status;
}

std::string shipped_table() {
  std::ifstream f(kTable);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The shipped table with line `line` (1-based) replaced.
std::string with_line(int line, const std::string& text) {
  std::istringstream in(shipped_table());
  std::string l, out;
  for (int n = 1; std::getline(in, l); ++n) out += (n == line ? text : l) + "\n";
  return out;
}

}  // namespace

TEST(LaneCostTable, ShippedTableTranslates) {
  std::string out;
  EXPECT_EQ(translate(shipped_table(), out), 0) << out;
}

TEST(LaneCostTable, BadContentIsAConfigureErrorNamingTheLine) {
  struct Case {
    int line;
    std::string text, says;
  };
  const Case cases[] = {
      {3, "mvau_lanes_fixed,SIMD=16 W=2 A=2 A_SIGNED=0 MW=256,nodsp,17x,118,29,0,220", "LUT: got `17x`"},
      {4, "mvau_lanes_fixed,SIMD=64 W=2 A=2,nodsp,671,421,111,0", "expected 8 comma-separated fields"},
      {5, "mvau_lanes_fixed,SIMD=4 W=4 A=4 A_SIGNED=0 MW=64,lut,161,63,15,0,183", "mode: got `lut`"},
      {6, "mvau_lanes_fixed,SIMD=16 W=4 W=4 A=4 MW=256,nodsp,548,206,51,0,713", "W given twice"},
      {7, "mvau_lanes_fixed,SIMD=64 W=4 A=4 A_SIGNED=0 MW=1024,nodsp,2143,765,197,3,2827",
       "DSP48: got 3 in a nodsp run"},
      {1, "unit,params,mode,LUT,FF", "header must be"},
  };
  for (const auto& c : cases) {
    std::string out;
    EXPECT_NE(translate(with_line(c.line, c.text), out), 0) << c.text;
    EXPECT_NE(out.find("units.csv:" + std::to_string(c.line) + ":"), std::string::npos) << out;
    EXPECT_NE(out.find(c.says), std::string::npos) << out;
  }
}

// ---------------------------------------------------------- channel groups

namespace {

// A one-conv network (8x8x64 4-bit input, 3x3 conv to 128 channels) and a
// design whose conv may override weights / channel groups / output.
class ChannelGroups : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vine_groups_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "net.yaml") << "network: groups\n"
                                        "input: {shape: [8, 8, 64], type: unsigned, bits: 4}\n"
                                        "layers:\n"
                                        "  - {name: conv, kind: conv, kernel: 3, padding: 1, out_channels: 128,\n"
                                        "     weights: {arithmetic: fixed, bits: 4}, output: {kind: accumulator}}\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The conv's MVAU with `conv_fields` added to its design entry.
  estimate::StageEstimate mvau(const std::string& conv_fields, const std::string& memory = "lutram") {
    const fs::path p = dir_ / "design.yaml";
    std::ofstream(p) << "design: groups\nnetwork: net.yaml\ndevice: " VINE_SOURCE_DIR
                        "/configs/devices/alveo-u250.yaml\nlayers:\n  conv: {simd: 8, pe: 8, weight_memory: "
                     << memory << (conv_fields.empty() ? "" : ", ") << conv_fields << "}\n";
    const auto e = estimate::estimate_design(config::load_design(p.string()));
    for (const auto& l : e.layers)
      for (const auto& s : l.stages)
        if (s.plan.name == "conv.mvau") return s;
    throw std::runtime_error("no conv.mvau");
  }

  fs::path dir_;
};

const char* kGroups42 =
    "channel_groups: [{channels: 64, weights: {arithmetic: fixed, bits: 4}},"
    " {channels: 64, weights: {arithmetic: fixed, bits: 2}}]";

}  // namespace

TEST_F(ChannelGroups, WeightMemoryIsChargedPerGroupAtItsOwnWidth) {
  // Weight memory in LUTRAM costs width x ceil(depth / 64) LUTs; with DDR
  // weights there is none, so the difference is the weight memory alone.
  auto wmem = [&](const std::string& fields) {
    return mvau(fields, "lutram").resources.lut - mvau(fields, "ddr").resources.lut;
  };
  const double all4 = wmem("");
  const double all2 = wmem("weights: {arithmetic: fixed, bits: 2}");
  const double mixed = wmem(kGroups42);
  // MW = 576, 64 lanes: all 4-bit: 256 bits x 1152 words; groups: 256 bits x
  // 576 words + 128 bits x 576 words; all 2-bit: 128 bits x 1152 words.
  EXPECT_DOUBLE_EQ(all4, 256.0 * 18);
  EXPECT_DOUBLE_EQ(mixed, 256.0 * 9 + 128.0 * 9);
  EXPECT_DOUBLE_EQ(all2, 128.0 * 18);
  EXPECT_LT(mixed, all4);
  EXPECT_GT(mixed, all2);
  // The same in BRAM: 24, 15 + 8 and 12 RAMB18 by aspect ratio.
  EXPECT_DOUBLE_EQ(mvau("", "bram").resources.bram18, 24);
  EXPECT_DOUBLE_EQ(mvau(kGroups42, "bram").resources.bram18, 15 + 8);
  EXPECT_DOUBLE_EQ(mvau("weights: {arithmetic: fixed, bits: 2}", "bram").resources.bram18, 12);
}

TEST_F(ChannelGroups, OneLanesUnitPerArithmeticSizedForItsWidestGroup) {
  const auto all4 = mvau("", "ddr");
  const auto all2 = mvau("weights: {arithmetic: fixed, bits: 2}", "ddr");
  // Fixed 4- and 2-bit groups share one fixed-point unit built for 4 bits.
  EXPECT_DOUBLE_EQ(mvau(kGroups42, "ddr").resources.lut, all4.resources.lut);
  EXPECT_DOUBLE_EQ(mvau(kGroups42, "ddr").resources.ff, all4.resources.ff);
  EXPECT_GT(all4.resources.lut, all2.resources.lut);

  // Fixed and pow2 groups: two units per PE, each from its own fit, plus a
  // select of their accumulators; the accumulator is the layer's.
  const auto mixed = mvau(
      "channel_groups: [{channels: 64, weights: {arithmetic: fixed, bits: 4}},"
      " {channels: 64, weights: {arithmetic: pow2, exponent_bits: 2, exponent_bias: 0}}]",
      "ddr");
  const ir::ActivationType a4{ir::ActivationKind::kUnsigned, 4};
  const ir::WeightType fixed4{ir::WeightArithmetic::kFixed, 4};
  const ir::WeightType pow2{ir::WeightArithmetic::kPow2, 4, 2};
  // The layer's accumulator bounds both groups: 576 products in [-120, 105]
  // (fixed) or [-120, 120] (pow2, weights up to +-2^3).
  const int acc = arith::accumulator_range(-8 * 15, 8 * 15, 576).bits();
  const auto cf = estimate::lane_unit_cost(estimate::lane_unit(fixed4, a4, 8, acc, false));
  const auto cp = estimate::lane_unit_cost(estimate::lane_unit(pow2, a4, 8, acc, false));
  EXPECT_NEAR(mixed.resources.lut, 300 + 8 * (cf.lut + cp.lut + acc), 1e-6);
  EXPECT_NEAR(mixed.resources.ff, 8 * (cf.ff + cp.ff) + mixed.plan.in_stream_bits + mixed.plan.out_stream_bits, 1e-6);
  EXPECT_GT(mixed.resources.lut, all4.resources.lut);

  // An 8-bit group makes the fixed unit a DSP unit: DSPs for PE x SIMD lanes.
  const auto wide = mvau(
      "channel_groups: [{channels: 64, weights: {arithmetic: fixed, bits: 8}},"
      " {channels: 64, weights: {arithmetic: pow2, exponent_bits: 2, exponent_bias: 0}}]",
      "ddr");
  EXPECT_DOUBLE_EQ(wide.resources.dsp, 8 * 8);
  EXPECT_DOUBLE_EQ(mixed.resources.dsp, 0);
}

TEST_F(ChannelGroups, CyclesDoNotChange) {
  EXPECT_EQ(mvau(kGroups42).cycles, mvau("").cycles);
  EXPECT_EQ(mvau(kGroups42).cycles, (128 / 8) * (576 / 8) * 64);
}

// -------------------------------------------------------- resnet18-mixed

TEST(Resnet18Mixed, ShippedDesignValidatesAndFitsTheU250) {
  const auto d =
      config::load_design((fs::path(VINE_SOURCE_DIR) / "configs/designs/resnet18/resnet18-mixed-u250.yaml").string());
  const auto e = estimate::estimate_design(d);
  EXPECT_TRUE(e.fits);
  EXPECT_LE(e.resources.lut, e.device.lut);
  EXPECT_LE(e.resources.bram18, e.device.bram18);
  EXPECT_LE(e.resources.uram, e.device.uram);
  EXPECT_LE(e.resources.dsp, e.device.dsp);
  // conv1 (SIMD <= 3 input channels) sets the pace; every other layer is
  // folded to keep within it.
  EXPECT_EQ(e.bottleneck, "conv1");
  for (const auto& l : e.layers) EXPECT_LE(l.cycles, e.interval_cycles) << l.name;
  EXPECT_GT(e.fps, 500.0);
  // Stage 3-4 convs carry 4/2-bit channel groups; their weights are cheaper
  // than the same layer all 4-bit (here: in URAM).
  const auto* mixed = &e.layers[0];
  for (const auto& l : e.layers)
    if (l.name == "s4b0_conv_b") mixed = &l;
  ASSERT_EQ(mixed->name, "s4b0_conv_b");
  auto all4 = d;
  for (auto& l : all4.network.layers)
    if (l.name == "s4b0_conv_b") l.channel_groups.clear();
  const auto e4 = estimate::estimate_design(all4);
  const auto it = std::find_if(e4.layers.begin(), e4.layers.end(),
                               [](const estimate::LayerEstimate& l) { return l.name == "s4b0_conv_b"; });
  ASSERT_NE(it, e4.layers.end());
  EXPECT_LT(mixed->resources.uram, it->resources.uram);
}
