// Bit-serial lanes in designs (`bit_serial: true`, docs/bit-serial.md): a
// fold of w-bit weights takes w cycles, so channel groups of narrower weights
// finish sooner; the simulation, the closed form and the resource model
// agree, and the outputs stay bit-exact.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/estimate/lane_cost.h"
#include "sim/finn_config/finn_export.h"
#include "sim/run/pe_backend.h"
#include "sim/run/simulation.h"
#include "tests/sim/temp_config.h"
#include "vine_rtl_timing.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
using testing_support::error_of;
using testing_support::TempConfig;
const fs::path kConfigs = fs::path(VINE_SOURCE_DIR) / "configs";

// conv1: a 3x3 conv of 3-bit weights over a 4x4 map, 4 output channels;
// fc0: MW = 4 x 4 x 4 = 64 inputs, MH = 8 outputs in two channel groups,
// 6-bit weights on outputs 0..3 and 2-bit weights on 4..7.
const char* kNetwork = R"(
network: bit-serial-tiny
input: {shape: [4, 4, 1], type: unsigned, bits: 4}
classes: 8
layers:
  - {name: conv1, kind: conv, kernel: 3, padding: 1, out_channels: 4, weights: {arithmetic: fixed, bits: 3},
     output: {kind: requant, type: unsigned, bits: 4}}
  - {name: fc0, kind: fc, out_features: 8, output: {kind: accumulator},
     channel_groups: [{channels: 4, weights: {arithmetic: fixed, bits: 6}},
                      {channels: 4, weights: {arithmetic: fixed, bits: 2}}]}
)";

std::string design_text(const fs::path& net, const std::string& fc0, const std::string& conv1 = "{simd: 1, pe: 2}") {
  return "design: bit-serial-tiny\nnetwork: " + net.string() + "\ndevice: " +
         (kConfigs / "devices" / "pynq-z1.yaml").string() +
         "\ntemplate: streaming\nclock_mhz: 100\nfifo_depth: 64\nlayers:\n  conv1: " + conv1 + "\n  fc0: " + fc0 + "\n";
}

// The running test's name: ctest runs the tests in parallel processes, so
// each writes its configs under names of its own.
std::string test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

struct Tiny {
  TempConfig net{"bit-serial-net-" + test_name(), kNetwork};
  ir::Design load(const std::string& fc0, const std::string& conv1 = "{simd: 1, pe: 2}") {
    TempConfig d("bit-serial-design-" + test_name(), design_text(net.path, fc0, conv1));
    return config::load_design(d.path.string());
  }
};

const sim::StageReport& stage(const sim::RunReport& r, const std::string& name) {
  for (const auto& s : r.stages)
    if (s.name == name) return s;
  throw std::runtime_error("no stage " + name);
}

int64_t layer_cycles(const estimate::Estimate& e, const std::string& layer) {
  for (const auto& l : e.layers)
    if (l.name == layer) return l.cycles;
  throw std::runtime_error("no layer " + layer);
}

sim::RunReport run(const ir::Design& d, int frames, bool timing_only) {
  sim::RunOptions o;
  o.frames = frames;
  o.timing_only = timing_only;
  sim::Simulation s(d, o);
  return s.run();
}

}  // namespace

// fc0 at SIMD 4, PE 2: SF = 16 folds of each of NF = 4 output folds. Bit-
// parallel that is 64 cycles a vector; bit-serial the two 6-bit folds take
// 16 x 6 cycles each and the two 2-bit folds 16 x 2: 96 + 96 + 32 + 32 = 256.
// conv1 (9 inputs at SIMD 1: SF = 9; 4 outputs at PE 2: NF = 2; 16 pixels)
// takes 288 cycles bit-parallel, 3 x 288 = 864 on bit-serial lanes.
TEST(BitSerial, AChannelGroupsFoldTakesItsWeightBitsInCycles) {
  Tiny t;
  const ir::Design parallel = t.load("{simd: 4, pe: 2}");
  const ir::Design serial = t.load("{simd: 4, pe: 2, bit_serial: true}");
  EXPECT_EQ(layer_cycles(estimate::estimate_design(parallel), "fc0"), 64);
  EXPECT_EQ(layer_cycles(estimate::estimate_design(serial), "fc0"), 256);
  EXPECT_EQ(layer_cycles(estimate::estimate_design(parallel), "conv1"), 288);
  // fc0 at PE 1 (NF = 8: four 6-bit folds, four 2-bit): 16 x 32 = 512, the
  // bottleneck; and conv1 bit-serial too, 864, the bottleneck.
  const ir::Design fc_bound = t.load("{simd: 4, pe: 1, bit_serial: true}");
  const ir::Design conv_bound = t.load("{simd: 4, pe: 2, bit_serial: true}", "{simd: 1, pe: 2, bit_serial: true}");
  EXPECT_EQ(layer_cycles(estimate::estimate_design(fc_bound), "fc0"), 512);
  EXPECT_EQ(layer_cycles(estimate::estimate_design(conv_bound), "conv1"), 864);
  // Where a bit-serial layer is the bottleneck, the simulation's steady
  // interval is its closed form exactly.
  for (const auto& [d, interval] : {std::pair{&fc_bound, 512.0}, std::pair{&conv_bound, 864.0}}) {
    EXPECT_EQ(double(estimate::estimate_design(*d).interval_cycles), interval);
    const sim::RunReport r = run(*d, 24, true);
    ASSERT_TRUE(r.steady.reached);
    EXPECT_EQ(r.interval_cycles, interval);
  }
}

// Where the first output beat leaves. fc0 waits for conv1's beats (one
// pixel's 4 channels about every 18 cycles, slower than even a 6-bit fold),
// so in both designs its last fold begins when the last beat arrives, in
// the same cycle. From there bit-parallel lanes write pipeline depth 1 +
// mvau_lanes_fixed_latency(4) = 1 + 3 = 4 cycles later; bit-serial lanes
// (the fold of output channels 0..1: 6-bit weights) 1 + mvau_lanes_bitserial_
// latency(4, 6) = 1 + 9 = 10 cycles later: 6 cycles more.
TEST(BitSerial, TheFirstBeatLeavesWhenTheRtlUnitHasItsResult) {
  ASSERT_EQ(rtl::mvau_lanes_fixed_latency(4), 3);
  ASSERT_EQ(rtl::mvau_lanes_bitserial_latency(4, 6), 9);
  Tiny t;
  const sim::RunReport p = run(t.load("{simd: 4, pe: 2}"), 1, true);
  const sim::RunReport s = run(t.load("{simd: 4, pe: 2, bit_serial: true}"), 1, true);
  EXPECT_EQ(stage(s, "fc0.mvau").first_out_cycle - stage(p, "fc0.mvau").first_out_cycle, 6);
  EXPECT_EQ(stage(s, "conv1.mvau").first_out_cycle, stage(p, "conv1.mvau").first_out_cycle);
}

TEST(BitSerial, OutputsStayBitExact) {
  Tiny t;
  const sim::RunReport r = run(t.load("{simd: 4, pe: 2, bit_serial: true}", "{simd: 1, pe: 2, bit_serial: true}"), 3, false);
  EXPECT_TRUE(r.finished);
  EXPECT_TRUE(r.outputs_match_reference.value_or(false));
}

// One bit-serial unit per PE, fitted to its own Yosys rows, replaces the PE's
// bit-parallel unit of each group. With fc0's groups at 4 and 2 bits (no DSPs
// either way: FINN's rule puts fixed point on DSPs only above 4 bits) the
// bit-serial PEs take fewer LUTs, at SIMD 4 and 16.
TEST(BitSerial, TheResourceModelCostsTheBitSerialUnit) {
  Tiny t;
  const std::string groups =
      "channel_groups: [{channels: 4, weights: {arithmetic: fixed, bits: 4}},"
      " {channels: 4, weights: {arithmetic: fixed, bits: 2}}]";
  auto fc0 = [&](int simd, bool serial) {
    const std::string f = "{simd: " + std::to_string(simd) + ", pe: 2, " + groups +
                          (serial ? ", bit_serial: true}" : "}");
    for (const auto& l : estimate::estimate_design(t.load(f)).layers)
      if (l.name == "fc0") return l.resources;
    return ir::Resources{};
  };
  EXPECT_EQ(fc0(16, false).dsp, 0);
  EXPECT_EQ(fc0(16, true).dsp, 0);
  EXPECT_LT(fc0(16, true).lut, fc0(16, false).lut);
  EXPECT_LT(fc0(4, true).lut, fc0(4, false).lut);
  bool fitted = false;
  for (const auto& f : estimate::lane_fits())
    if (f.arithmetic == estimate::LaneArithmetic::kBitSerial) {
      fitted = true;
      EXPECT_GE(f.points.size(), 10u);
    }
  EXPECT_TRUE(fitted);
}

TEST(BitSerial, WhereItDoesNotApplyTheFieldIsRefused) {
  Tiny t;
  const std::string pow2 =
      error_of([&] { t.load("{simd: 4, pe: 2, bit_serial: true, weights: {arithmetic: pow2, exponent_bits: 2}}"); });
  EXPECT_NE(pow2.find("fc0.bit_serial: got pow2 weights on fc0, expected fixed-point weights"), std::string::npos)
      << pow2;
  const std::string ddr = error_of([&] { t.load("{simd: 4, pe: 2, bit_serial: true, weight_memory: ddr}"); });
  EXPECT_NE(ddr.find("expected on-chip weights under bit_serial"), std::string::npos) << ddr;
  const std::string not_bool = error_of([&] { t.load("{simd: 4, pe: 2, bit_serial: maybe}"); });
  EXPECT_NE(not_bool.find("fc0.bit_serial: got 'maybe', expected true or false"), std::string::npos) << not_bool;
  // FINN has no bit-serial MVAU: its folding config cannot say it.
  const std::string finn = error_of([&] { finn::finn_folding_config(t.load("{simd: 4, pe: 2, bit_serial: true}")); });
  EXPECT_NE(finn.find("expected bit-parallel lanes on fc0 for a FINN export"), std::string::npos) << finn;
}

// On the RTL back-end (a layer's `backend: rtl`, or every layer's) a
// bit-serial layer's PEs run mvau_lanes_bitserial, one unit sized for the
// widest channel group (fc0: 6 bits); its bit-parallel units are not used.
// The co-simulation itself is tested in tests/cosim (CosimBitSerial).
TEST(BitSerial, OnTheRtlBackEndItsPesRunTheBitSerialUnit) {
  Tiny t;
  const ir::Design d = t.load("{simd: 4, pe: 2, bit_serial: true, backend: rtl}", "{simd: 1, pe: 2, bit_serial: true}");
  std::vector<std::string> lanes;
  for (const auto& u : sim::rtl_lanes_of(d, sim::BackendChoice::kDesign))
    if (!models::is_output_unit(u.config.unit)) lanes.push_back(u.layer + ": " + u.config.key());
  EXPECT_EQ(lanes, (std::vector<std::string>{"fc0: mvau_lanes_bitserial SIMD=4 W_MAX=6 A=4 A_SIGNED=0 MW=64"}));
  lanes.clear();
  for (const auto& u : sim::rtl_lanes_of(d, sim::BackendChoice::kRtl))
    if (!models::is_output_unit(u.config.unit)) lanes.push_back(u.layer + ": " + u.config.key());
  EXPECT_EQ(lanes, (std::vector<std::string>{"conv1: mvau_lanes_bitserial SIMD=1 W_MAX=3 A=4 A_SIGNED=0 MW=9",
                                             "fc0: mvau_lanes_bitserial SIMD=4 W_MAX=6 A=4 A_SIGNED=0 MW=64"}));
  EXPECT_EQ(sim::rtl_units_problem(d, sim::BackendChoice::kRtl).find("bit-serial"), std::string::npos);
}

}  // namespace vine
