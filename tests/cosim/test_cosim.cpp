// The RTL co-simulation regression: designs run with every PE on the
// Verilated lanes units must produce the golden reference's outputs and the
// C++ back-end's cycles, stage by stage (first and last output beat); a unit
// with one pipeline stage more than vine_rtl_timing.h says must make that
// comparison fail; and a unit whose timing changes when its stage stalls must
// stop the run at the beat it gets wrong.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <vector>

#include "Vmvau_lanes_binary_one.h"
#include "Vmvau_lanes_binary_one___024root.h"  // tick() sets its clock edge record
#include "Vmvau_lanes_binary_plus1_pes.h"
#include "Vmvau_lanes_binary_plus1_pes___024root.h"  // tick() sets its clock edge record
#include "Vmvau_lanes_binary_three.h"
#include "Vmvau_lanes_binary_three___024root.h"  // tick() sets its clock edge record
#include "Vmvau_lanes_binary_valid_noen_pes.h"
#include "Vmvau_lanes_binary_valid_noen_pes___024root.h"  // tick() sets its clock edge record
#include "Vmvau_lanes_bitserial_valid_noen.h"
#include "Vmvau_lanes_bitserial_valid_noen___024root.h"  // tick() sets its clock edge record
#include "Vmultithreshold_gt.h"
#include "Vmultithreshold_gt___024root.h"  // tick() sets its clock edge record
#include "Vovsf_generator_plus1.h"
#include "Vovsf_generator_plus1___024root.h"  // tick() sets its clock edge record
#include "Vovsf_generator_sign.h"
#include "Vovsf_generator_sign___024root.h"  // tick() sets its clock edge record
#include "Vmultithreshold_valid_noen.h"
#include "Vmultithreshold_valid_noen___024root.h"  // tick() sets its clock edge record
#include "models/pe/pe_timing.h"
#include "models/pe/rtl_pe_array.h"
#include "models/pe/rtl_timing_error.h"
#include "rtl/cosim/lanes_registry.h"
#include "rtl/cosim/verilated_generator.h"
#include "rtl/cosim/verilated_lanes.h"
#include "rtl/cosim/verilated_output.h"
#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/engine/engine_run.h"
#include "sim/estimate/stage_timing.h"
#include "sim/run/pe_backend.h"
#include "sim/run/run_metrics.h"
#include "sim/run/simulation.h"
#include "tests/sim/run_vine.h"
#include "vine_rtl_timing.h"

// tick()'s evaluation function of each model clocked here (verilated_lanes.h).
VINE_COSIM_ROOT_EVAL(Vmvau_lanes_binary_one)
VINE_COSIM_ROOT_EVAL(Vmvau_lanes_binary_plus1_pes)
VINE_COSIM_ROOT_EVAL(Vmvau_lanes_binary_three)
VINE_COSIM_ROOT_EVAL(Vmvau_lanes_binary_valid_noen_pes)
VINE_COSIM_ROOT_EVAL(Vmvau_lanes_bitserial_valid_noen)
VINE_COSIM_ROOT_EVAL(Vmultithreshold_gt)
VINE_COSIM_ROOT_EVAL(Vovsf_generator_plus1)
VINE_COSIM_ROOT_EVAL(Vovsf_generator_sign)
VINE_COSIM_ROOT_EVAL(Vmultithreshold_valid_noen)

namespace vine {
namespace {

namespace fs = std::filesystem;
const fs::path kDesigns = fs::path(VINE_SOURCE_DIR) / "configs" / "designs";

ir::Design load(const std::string& rel) { return config::load_design((kDesigns / rel).string()); }

// Installs a unit variant for `key` while in scope, then puts back what was
// there: the other tests of this process get the real unit.
class VariantInstalled {
 public:
  VariantInstalled(std::string key, cosim::LanesFactory variant)
      : key_(std::move(key)), saved_(cosim::installed_lanes(key_)) {
    cosim::install_lanes(key_, std::move(variant));
  }
  ~VariantInstalled() { cosim::install_lanes(key_, saved_); }
  VariantInstalled(const VariantInstalled&) = delete;
  VariantInstalled& operator=(const VariantInstalled&) = delete;

 private:
  std::string key_;
  cosim::LanesFactory saved_;
};

sim::RunReport run(const ir::Design& d, sim::BackendChoice b, int frames) {
  sim::RunOptions o;
  o.frames = frames;
  o.seed = 5;
  o.backend = b;
  sim::Simulation s(d, o);
  return s.run();
}

struct Case {
  const char* name;
  const char* design;
  int frames;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.design; }

class Cosim : public testing::TestWithParam<Case> {};

TEST_P(Cosim, RtlBackendMatchesTheReferenceAndTheCppBackendCycleForCycle) {
  const ir::Design d = load(GetParam().design);
  const sim::RunReport cpp = run(d, sim::BackendChoice::kCpp, GetParam().frames);
  const sim::RunReport rtl = run(d, sim::BackendChoice::kRtl, GetParam().frames);
  ASSERT_TRUE(cpp.finished) << cpp.deadlock;
  ASSERT_TRUE(rtl.finished) << rtl.deadlock;
  EXPECT_TRUE(cpp.rtl_units.empty());
  // Every layer with weights or thresholds on RTL, each unit driven and at
  // the latency the single source states.
  const auto uses = sim::rtl_lanes_of(d, sim::BackendChoice::kRtl);
  ASSERT_FALSE(uses.empty());
  // Its output unit (thresholds or a requantiser) on RTL too.
  size_t units = 0, output_units = 0;
  for (const auto& l : d.network.layers)
    if (sim::has_rtl_units(l)) {  // standalone threshold layers: their output unit alone
      units += l.has_weights() ? std::max<size_t>(1, l.channel_groups.size()) : 0;
      output_units += l.output.kind != ir::OutputKind::kAccumulator;
    }
  EXPECT_GT(output_units, 0u);
  EXPECT_EQ(rtl.rtl_units.size(), units + output_units);
  size_t outputs_seen = 0;
  for (const auto& u : rtl.rtl_units) {
    EXPECT_GT(u.cycles, 0) << u.stage;
    const int layer = d.network.find_layer(u.stage.substr(0, u.stage.find('.')));
    ASSERT_GE(layer, 0) << u.stage;
    const ir::Layer& l = d.network.layers[size_t(layer)];
    if (models::is_output_unit(u.unit.substr(0, u.unit.find(' ')))) {
      ++outputs_seen;
      EXPECT_EQ(u.latency, models::output_unit_latency(l)) << u.stage << " " << u.unit;
    } else if (d.folding_of(layer).bit_serial) {  // counted from a beat's last cycle (rtl_dot_product.h)
      EXPECT_EQ(u.unit.rfind("mvau_lanes_bitserial ", 0), 0u) << u.stage << " " << u.unit;
      EXPECT_EQ(u.latency, rtl::mvau_lanes_bitserial_latency(sim::lanes_simd(d, layer), 1))
          << u.stage << " " << u.unit;
    } else {
      EXPECT_EQ(u.latency, estimate::pe_lanes_latency(l, sim::lanes_simd(d, layer))) << u.stage << " " << u.unit;
    }
  }
  EXPECT_EQ(outputs_seen, output_units);
  // Bit-exact: both back-ends reproduce the reference frame by frame, so
  // their outputs are identical.
  ASSERT_TRUE(rtl.outputs_match_reference.has_value());
  EXPECT_TRUE(*rtl.outputs_match_reference) << "RTL back-end, mismatched frames: " << rtl.mismatched_frames.size();
  EXPECT_TRUE(*cpp.outputs_match_reference);
  // Cycle-exact: every stage's first and last output beat.
  const auto diffs = sim::output_cycle_differences(cpp, rtl);
  EXPECT_TRUE(diffs.empty()) << diffs.front();
  EXPECT_EQ(cpp.cycles_total, rtl.cycles_total);
  EXPECT_EQ(cpp.frame_last_out_cycles, rtl.frame_last_out_cycles);
}

INSTANTIATE_TEST_SUITE_P(Designs, Cosim,
                         testing::Values(Case{"tfc_w1a1", "finn-examples/tfc-w1a1-pynq-z1.yaml", 4},
                                         Case{"lfc_w1a1", "bnn-pynq/lfc-w1a1-pynq-z1.yaml", 3},
                                         Case{"cnv_w1a1", "bnn-pynq/cnv-w1a1-pynq-z1.yaml", 2},
                                         Case{"mixed_pow2_fixed", "cosim/mixed-pow2-fixed-pynq-z1.yaml", 3},
                                         Case{"output_units", "../../tests/cosim/output-units.yaml", 3},
                                         Case{"bit_serial", "../../tests/cosim/bit-serial.yaml", 3},
                                         Case{"separate_thresholds", "../../tests/cosim/separate-thresholds.yaml", 3}),
                         [](const testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// A unit one stage deeper than the model assumes: TFC's fc1 on
// mvau_lanes_binary_plus1. Its results stay right, its cycles do not, and the
// regression's comparison says where.
// tick() (verilated_lanes.h) evaluates the rising edge only and records
// clk's fall in the model instead of evaluating it. Over random beats,
// stalls and resets, a unit clocked so gives, cycle by cycle, the outputs
// of the same unit whose falling edge is evaluated too.
template <class Model, class Drive, class Same>
int expect_tick_matches_both_edges(Drive drive, Same same) {
  auto ca = cosim::unit_context(), cb = cosim::unit_context();
  Model a(ca.get(), "a"), b(cb.get(), "b");
  for (Model* m : {&a, &b}) {
    m->clk = 0;
    m->rst = 0;
    m->en = 1;
    m->in_valid = 0;
    m->eval();
  }
  std::mt19937 rng(7);
  int results = 0;
  for (int cycle = 0; cycle < 20000; ++cycle) {
    const uint32_t r = rng(), data = rng();
    for (Model* m : {&a, &b}) {
      m->rst = (r & 0xff) == 0;
      m->en = ((r >> 8) & 3) != 0;  // a quarter of the cycles stalled
      m->in_valid = (r >> 10) & 1;
      drive(*m, r >> 11, data);
    }
    cosim::tick(a);
    b.clk = 1;
    b.eval();
    b.clk = 0;
    b.eval();
    if (!same(a, b)) {
      ADD_FAILURE() << "cycle " << cycle << ": the outputs differ";
      return results;
    }
    results += a.out_valid;
  }
  return results;
}

TEST(CosimTick, OneEvaluatedEdgeACycleGivesWhatEvaluatingBothEdgesGives) {
  // The real XNOR unit, SIMD 40 (ports of two words).
  const int xnor = expect_tick_matches_both_edges<Vmvau_lanes_binary_one>(
      [](auto& m, uint32_t r, uint32_t data) {
        m.in_first = r & 1;
        m.in_last = (r >> 1) & 1;
        m.in_weights = (uint64_t(r) << 32 | data) & ((uint64_t{1} << 40) - 1);
        m.in_acts = (uint64_t(data) << 24 ^ r) & ((uint64_t{1} << 40) - 1);
      },
      [](auto& a, auto& b) { return a.out_valid == b.out_valid && (!a.out_valid || a.out_acc == b.out_acc); });
  // A bit-serial unit (SIMD 4, W_MAX 3: its in_ready is combinational).
  const int serial = expect_tick_matches_both_edges<Vmvau_lanes_bitserial_valid_noen>(
      [](auto& m, uint32_t r, uint32_t data) {
        m.in_first = r & 1;
        m.in_last = (r >> 1) & 1;
        m.in_wbits = 1 + (r >> 2) % 3;
        m.in_weights = data & 0xfff;
        m.in_acts = (data >> 12) & 0xffff;
      },
      [](auto& a, auto& b) {
        return a.out_valid == b.out_valid && a.in_ready == b.in_ready && (!a.out_valid || a.out_acc == b.out_acc);
      });
  // Results left both units: the comparison saw accumulators.
  EXPECT_GT(xnor, 500);
  EXPECT_GT(serial, 100);
}

// A PE array unit (rtl/mvau_lanes_binary_pes.sv, one model for a stage's
// PEs) is its PEs' units cycle for cycle: 3 PEs of the real XNOR unit (SIMD
// 40, so that a PE's fields take two words and the padding between PEs is
// exercised) against 3 instances of the per-PE unit, with random beats
// (their own weights and activations a PE), first and last folds, 25% stalls
// and resets, through the adapters the co-simulation uses.
TEST(CosimPeArray, APeArrayUnitIsItsPesUnitsCycleForCycle) {
  constexpr int kPes = 3, kWords = 2;  // a PE's field: 40 bits in 2 words
  cosim::VerilatedLanesPes<Vmvau_lanes_binary_three> array;
  ASSERT_EQ(array.pes(), kPes);
  std::vector<std::unique_ptr<models::RtlLanes>> pes;
  for (int p = 0; p < kPes; ++p) pes.push_back(std::make_unique<cosim::VerilatedLanes<Vmvau_lanes_binary_one>>());
  array.reset();
  for (auto& u : pes) u->reset();
  std::mt19937 rng(7);
  uint32_t weights[kPes * kWords], acts[kPes * kWords];
  char valid[kPes];
  uint64_t acc[kPes];
  int fold = 0, results = 0;
  for (int cycle = 0; cycle < 20000; ++cycle) {
    if (rng() % 2000 == 0) {
      array.reset();
      for (auto& u : pes) u->reset();
      fold = 0;
    }
    const bool en = rng() % 4 != 0, beat = rng() % 5 != 0;
    for (int k = 0; k < kPes * kWords; ++k) {
      weights[k] = k % kWords ? rng() & 0xff : rng();  // 40 bits a PE
      acts[k] = k % kWords ? rng() & 0xff : rng();
    }
    const bool first = fold == 0, last = fold == 2;
    const bool any = array.clock_pes(en, beat, first, last, weights, acts, valid, acc);
    bool some = false;
    for (int p = 0; p < kPes; ++p) {
      uint64_t one = 0;
      const bool v = pes[size_t(p)]->clock(en, beat, first, last, &weights[p * kWords], &acts[p * kWords], one);
      ASSERT_EQ(bool(valid[p]), v) << "PE " << p << ", cycle " << cycle;
      if (v) {
        ASSERT_EQ(acc[p], one) << "PE " << p << ", cycle " << cycle;
        ++results;
      }
      some |= v;
    }
    ASSERT_EQ(any, some) << "cycle " << cycle;
    if (en && beat) fold = (fold + 1) % 3;
  }
  EXPECT_GT(results, 3000);  // results left: the comparison saw accumulators
}

TEST(CosimLatency, AUnitOneStageDeeperThanTheModelAssumesFailsTheComparison) {
  const ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  std::string key;
  for (const auto& u : sim::rtl_lanes_of(d, sim::BackendChoice::kRtl))
    if (u.layer == "fc1" && !models::is_output_unit(u.config.unit)) key = u.config.key();
  ASSERT_EQ(key, "mvau_lanes_binary_pes PE=8 SIMD=8 A=1 A_SIGNED=0 BIPOLAR=1 MW=64");  // as the variant was verilated
  const sim::RunReport cpp = run(d, sim::BackendChoice::kCpp, 3);
  const sim::RunReport honest = run(d, sim::BackendChoice::kRtl, 3);
  EXPECT_TRUE(sim::output_cycle_differences(cpp, honest).empty());

  const VariantInstalled plus1(key, [] {
    return std::unique_ptr<models::RtlLanes>(new cosim::VerilatedLanesPes<Vmvau_lanes_binary_plus1_pes>());
  });
  const sim::RunReport slow = run(d, sim::BackendChoice::kRtl, 3);
  ASSERT_TRUE(slow.finished);
  EXPECT_TRUE(*slow.outputs_match_reference);
  bool fc1_deeper = false;
  for (const auto& u : slow.rtl_units)
    if (u.stage == "fc1.mvau" && u.unit.rfind("mvau_lanes", 0) == 0) fc1_deeper = u.latency == estimate::pe_lanes_latency(d.network.layers[1], 8) + 1;
  EXPECT_TRUE(fc1_deeper);
  const auto diffs = sim::output_cycle_differences(cpp, slow);
  ASSERT_FALSE(diffs.empty());
  EXPECT_NE(diffs.front().find("fc1.mvau"), std::string::npos) << diffs.front();
  EXPECT_NE(cpp.frame_last_out_cycles, slow.frame_last_out_cycles);
}

// The design with every stream one beat deep: its stages stall inside their
// pipelines, with beats in flight in the units.
ir::Design with_shallow_fifos(ir::Design d) {
  for (auto& f : d.fifos) f.depth = 1;
  for (auto& f : d.stream_fifos) f.depth = 1;
  d.default_fifo_depth = 1;
  d.internal_fifo_depth = 1;
  return d;
}

const char* const kTfcFc1 = "mvau_lanes_binary_pes PE=8 SIMD=8 A=1 A_SIGNED=0 BIPOLAR=1 MW=64";
// Its output unit: one threshold a channel on the 7-bit XNOR-popcount (0..64).
const char* const kTfcFc1Thresholds = "multithreshold N=1 ACC_BITS=7 ACC_SIGNED=0 T_BITS=9 OUT_BITS=1 OUT_BIAS=0";

// The real units clocked with the stages' stalls (en = 0) keep the model's
// timing at every beat: the run ends, bit- and cycle-identical to the C++
// back-end, and the units were clocked through stalls.
TEST(CosimStalls, RealUnitsClockedThroughTheStagesStallsKeepTheModelsTiming) {
  const ir::Design d = with_shallow_fifos(load("finn-examples/tfc-w1a1-pynq-z1.yaml"));
  const sim::RunReport cpp = run(d, sim::BackendChoice::kCpp, 3);
  const sim::RunReport rtl = run(d, sim::BackendChoice::kRtl, 3);
  ASSERT_TRUE(rtl.finished) << rtl.deadlock;
  EXPECT_TRUE(*rtl.outputs_match_reference);
  const auto diffs = sim::output_cycle_differences(cpp, rtl);
  EXPECT_TRUE(diffs.empty()) << diffs.front();
  EXPECT_EQ(cpp.cycles_total, rtl.cycles_total);
  int stalled_units = 0;
  for (const auto& u : rtl.rtl_units) {
    EXPECT_LT(u.stall_cycles, u.cycles) << u.stage;
    stalled_units += u.stall_cycles > 0;
  }
  EXPECT_GE(stalled_units, 3) << "the shallow FIFOs should stall the MVAUs with beats in flight";
}

// Both pipeline styles on the same units: a stall pipeline freezes them
// (en = 0) while its read waits, a flushing one clocks them with nothing
// offered (its bubbles) so that the beats in flight still leave on time.
// Each style's RTL run is bit- and cycle-identical to its C++ run, and the
// styles' cycles differ, so the bubbles were clocked through the units.
TEST(CosimStalls, FlushingAndStallPipelinesBothKeepTheModelsTiming) {
  std::vector<int64_t> totals;
  for (const bool flush : {false, true}) {
    ir::Design d = with_shallow_fifos(load("finn-examples/tfc-w1a1-pynq-z1.yaml"));
    d.pipeline_flush = flush;
    d.pipeline_flush_kind.clear();
    const sim::RunReport cpp = run(d, sim::BackendChoice::kCpp, 3);
    const sim::RunReport rtl = run(d, sim::BackendChoice::kRtl, 3);
    ASSERT_TRUE(rtl.finished) << rtl.deadlock;
    EXPECT_TRUE(*rtl.outputs_match_reference) << (flush ? "flush" : "stall");
    const auto diffs = sim::output_cycle_differences(cpp, rtl);
    EXPECT_TRUE(diffs.empty()) << (flush ? "flush: " : "stall: ") << diffs.front();
    EXPECT_EQ(cpp.cycles_total, rtl.cycles_total) << (flush ? "flush" : "stall");
    EXPECT_EQ(cpp.frame_last_out_cycles, rtl.frame_last_out_cycles) << (flush ? "flush" : "stall");
    totals.push_back(rtl.cycles_total);
  }
  EXPECT_NE(totals[0], totals[1]) << "the shallow FIFOs should make the flushing pipelines bubble";
}

// A unit whose output valid register ignores the clock enable: with en held
// high it is the real unit, so the one-shot probe measures the real latency,
// but a stall with a row's last fold one step before the output makes its
// result leave an advance early, and the run stops there, naming the stage,
// the unit, the beat and both cycles.
TEST(CosimStalls, AUnitWhoseValidIgnoresTheEnablePassesTheProbeButFailsTheBeatCheck) {
  // Stall pipelines: their read stalls hold the units with en = 0 (a
  // flushing pipeline's would be bubbles, en = 1).
  ir::Design d = with_shallow_fifos(load("finn-examples/tfc-w1a1-pynq-z1.yaml"));
  d.pipeline_flush = false;
  d.pipeline_flush_kind.clear();
  models::LanesConfig config;
  for (const auto& u : sim::rtl_lanes_of(d, sim::BackendChoice::kRtl))
    if (u.layer == "fc1" && !models::is_output_unit(u.config.unit)) config = u.config;
  ASSERT_EQ(config.key(), kTfcFc1);  // as the variant was verilated
  auto variant = [] {
    return std::unique_ptr<models::RtlLanes>(new cosim::VerilatedLanesPes<Vmvau_lanes_binary_valid_noen_pes>());
  };
  {  // the probe
    std::vector<std::unique_ptr<models::RtlLanes>> pe;
    pe.push_back(variant());
    const std::vector<int32_t> codes(64, 1);
    const models::RtlDotProductUnit unit(std::move(pe), config.get("PE"), config, *d.network.layers[1].weights,
                                         d.network.layers[1].in_type,
                                         rtl::mvau_lanes_binary_acc_bits(1, 0, 1, 64), false, codes.data(), 0, 1, 64);
    EXPECT_EQ(unit.latency(), rtl::mvau_lanes_binary_latency(8));
  }
  const VariantInstalled noen(kTfcFc1, variant);  // fc1 and fc2 (same parameters)
  try {
    run(d, sim::BackendChoice::kRtl, 3);
    ADD_FAILURE() << "expected an RtlTimingError";
  } catch (const models::RtlTimingError& e) {
    EXPECT_EQ(e.kind(), models::RtlTimingError::Kind::kMismatch);  // exit 2 in the CLI
    const std::string m = e.what();
    EXPECT_NE(m.find(".mvau, PE "), std::string::npos) << m;
    EXPECT_NE(m.find(std::string("lanes unit '") + kTfcFc1 + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("iteration "), std::string::npos) << m;
    EXPECT_NE(m.find("output beat "), std::string::npos) << m;
    EXPECT_NE(m.find("the RTL's result leaves the unit at cycle "), std::string::npos) << m;
    EXPECT_NE(m.find("1 pipeline advance(s) early; the model's pipeline has it at cycle "), std::string::npos) << m;
  }
}

// An output unit whose comparisons are off by one (acc > T for acc >= T):
// its timing is the real unit's, its codes differ wherever an accumulator
// equals a threshold, and the per-beat comparison with the C++ output unit
// stops the run at the first such beat, naming the stage, the PE's unit, the
// beat and both codes.
TEST(CosimOutputUnits, AThresholdCompareOffByOneIsCaughtAtItsBeat) {
  const ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  std::string key;
  for (const auto& u : sim::rtl_lanes_of(d, sim::BackendChoice::kRtl))
    if (u.layer == "fc1" && u.config.unit == "multithreshold") key = u.config.key();
  ASSERT_EQ(key, kTfcFc1Thresholds);  // as the variant was verilated
  const VariantInstalled gt(key, [] {
    return std::unique_ptr<models::RtlUnit>(new cosim::VerilatedMultithreshold<Vmultithreshold_gt>());
  });
  try {
    run(d, sim::BackendChoice::kRtl, 3);
    ADD_FAILURE() << "expected an RtlTimingError";
  } catch (const models::RtlTimingError& e) {
    EXPECT_EQ(e.kind(), models::RtlTimingError::Kind::kMismatch);  // exit 2 in the CLI
    const std::string m = e.what();
    EXPECT_NE(m.find("stage fc"), std::string::npos) << m;
    EXPECT_NE(m.find(std::string("output unit '") + kTfcFc1Thresholds + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("output beat "), std::string::npos) << m;
    EXPECT_NE(m.find("the RTL's code for row "), std::string::npos) << m;
    EXPECT_NE(m.find("the C++ output unit gives "), std::string::npos) << m;
  }
}

// The virtual platform runs the accelerator in SystemC, which would wrap an
// exception leaving its thread in a report of its own: an RtlTimingError
// there must still stop `vine vp` with exit 2 and the run's own message.
// TFC-W1A1 with one-beat FIFOs, fc1 on RTL, whose lanes key the variants
// module (tests/cosim/CMakeLists.txt) gives the stall-sensitive variant.
TEST(CosimVp, AnRtlTimingErrorInTheVirtualPlatformExitsTwoWithItsMessage) {
  const fs::path dir = fs::temp_directory_path() / ("vine-cosim-vp-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path configs = fs::path(VINE_SOURCE_DIR) / "configs";
  const fs::path design = dir / "tfc-vp-rtl.yaml";
  std::ofstream(design) << "design: tfc-vp-rtl\nnetwork: " << (configs / "networks/tfc-w1a1.yaml").string()
                        << "\ndevice: " << (configs / "devices/pynq-z1.yaml").string()
                        << "\nclock_mhz: 100\nfifo_depth: 1\ninternal_fifo_depth: 1\nlayers:\n"
                        << "  fc0: {simd: 49, pe: 16}\n  fc1: {simd: 8, pe: 8, backend: rtl}\n"
                        << "  fc2: {simd: 8, pe: 8}\n  fc3: {simd: 8, pe: 10}\n";
  const std::string env = std::string("VINE_COSIM_UNITS=") + VINE_COSIM_VARIANTS;
  const auto r = vine_test::run_vine("-q vp " + design.string() + " -n 3", env);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(std::string("error: stage fc1.mvau, PE ")), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(std::string("lanes unit '") + kTfcFc1 + "'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pipeline advance(s) early"), std::string::npos) << r.output;
  // Not SystemC's report of an uncaught exception, nor the driver's.
  EXPECT_EQ(r.output.find("Error: ("), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("In process"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("vine vp:"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

// A layer whose unit this build does not hold gets it built on demand
// (CliCosim.UnlistedUnitsAreVerilatedOnDemandAndCached); when that cannot
// be done, the run is refused with a config error naming the layer's field,
// the unit and the reason.
TEST(CosimErrors, AUnitThatCannotBeBuiltIsNamedWithTheReason) {
  ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  d.folding[1].simd = 16;  // fc1: a SIMD no shipped design uses
  sim::RunOptions o;
  o.frames = 1;
  o.backend = sim::BackendChoice::kRtl;
  const char* before = std::getenv("VINE_COSIM_CACHE");
  const std::string saved = before ? before : "";
  ::setenv("VINE_COSIM_CACHE", "/dev/null/vine-cosim-cache", 1);  // under a file: cannot be made
  try {
    sim::Simulation s(d, o);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("mvau_lanes_binary_pes PE=8 SIMD=16 A=1 A_SIGNED=0 BIPOLAR=1 MW=64"), std::string::npos) << m;
    EXPECT_NE(m.find("cannot make the cache folder /dev/null/vine-cosim-cache"), std::string::npos) << m;
    EXPECT_NE(m.find("layers.fc1"), std::string::npos) << m;
  }
  if (before)
    ::setenv("VINE_COSIM_CACHE", saved.c_str(), 1);
  else
    ::unsetenv("VINE_COSIM_CACHE");
}

TEST(CosimErrors, FixedWeightsOnBipolarActivationsHaveNoRtlUnit) {
  ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  d.network.layers[1].weights = ir::WeightType{arith::WeightArithmetic::kFixed, 4};
  try {
    sim::lanes_config(d, 1, arith::WeightArithmetic::kFixed, 8, 64);
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("fixed weights on bipolar activations"), std::string::npos) << e.what();
  }
}

// Bit-serial lanes (docs/bit-serial.md) on RTL: fc0 of tests/cosim/
// bit-serial.yaml takes beats of 3-bit weights in 3 cycles and of 2-bit
// weights in 2 on one mvau_lanes_bitserial per PE, in the stage's timing
// loop; with one-beat FIFOs both layers stall with weight bits in flight,
// and the run stays bit- and cycle-identical to the C++ back-end.
const char* const kBitSerialFc0 = "mvau_lanes_bitserial SIMD=4 W_MAX=3 A=4 A_SIGNED=1 MW=64";
const char* const kBitSerialConv1 = "mvau_lanes_bitserial SIMD=1 W_MAX=3 A=4 A_SIGNED=0 MW=9";

TEST(CosimBitSerial, StalledBitSerialUnitsKeepTheModelsTimingAndOutputs) {
  const ir::Design d = with_shallow_fifos(load("../../tests/cosim/bit-serial.yaml"));
  const sim::RunReport cpp = run(d, sim::BackendChoice::kCpp, 3);
  const sim::RunReport rtl = run(d, sim::BackendChoice::kRtl, 3);
  ASSERT_TRUE(rtl.finished) << rtl.deadlock;
  EXPECT_TRUE(*rtl.outputs_match_reference);
  EXPECT_TRUE(*cpp.outputs_match_reference);
  const auto diffs = sim::output_cycle_differences(cpp, rtl);
  EXPECT_TRUE(diffs.empty()) << diffs.front();
  EXPECT_EQ(cpp.cycles_total, rtl.cycles_total);
  EXPECT_EQ(cpp.frame_last_out_cycles, rtl.frame_last_out_cycles);
  std::map<std::string, int> lanes;          // units by key
  std::map<std::string, int64_t> stalled;    // stalled unit cycles by stage
  for (const auto& u : rtl.rtl_units) {
    if (models::is_output_unit(u.unit.substr(0, u.unit.find(' ')))) continue;
    ++lanes[u.unit];
    stalled[u.stage] += u.stall_cycles;
  }
  // fc0's two channel groups and conv1's one, both layers clocked through stalls.
  EXPECT_EQ(lanes, (std::map<std::string, int>{{kBitSerialConv1, 1}, {kBitSerialFc0, 2}}));
  EXPECT_GT(stalled["conv1.mvau"], 0);
  EXPECT_GT(stalled["fc0.mvau"], 0);
}

// mvau_lanes_bitserial whose output valid register ignores the clock enable
// (tests/cosim/mvau_lanes_bitserial_valid_noen.sv): the probe, which never
// stalls, finds the real latency; in the run a stall one enabled cycle
// before a row's result leaves makes it leave early, and the run stops
// there, naming the stage, the unit, the beat and both cycles.
TEST(CosimBitSerial, AUnitWhoseValidIgnoresTheEnableIsCaughtAtItsBeat) {
  ir::Design d = with_shallow_fifos(load("../../tests/cosim/bit-serial.yaml"));
  // conv1 at PE 1 (a pixel every 108 cycles): fc0 has no pixel buffered when
  // a vector begins, so its second fold's read stalls 1 + 3 cycles after the
  // last row's last weight bit, the cycle before the row's result leaves.
  d.folding[size_t(d.network.find_layer("conv1"))].pe = 1;
  std::string key;
  for (const auto& u : sim::rtl_lanes_of(d, sim::BackendChoice::kRtl))
    if (u.layer == "fc0" && !models::is_output_unit(u.config.unit)) key = u.config.key();
  ASSERT_EQ(key, kBitSerialFc0);  // as the variant was verilated
  auto variant = [] {
    return std::unique_ptr<models::RtlLanes>(new cosim::VerilatedLanes<Vmvau_lanes_bitserial_valid_noen>());
  };
  {  // the probe, on the 2-bit group: the real latency from the beat's last cycle
    std::vector<std::unique_ptr<models::RtlLanes>> pe;
    pe.push_back(variant());
    const std::vector<int32_t> codes(64, 1);
    const models::RtlDotProductUnit unit(std::move(pe), 1, models::LanesConfig{"mvau_lanes_bitserial",
                                         {{"SIMD", 4}, {"W_MAX", 3}, {"A", 4}, {"A_SIGNED", 1}, {"MW", 64}}},
                                         ir::WeightType{arith::WeightArithmetic::kFixed, 2},
                                         d.network.layers[1].in_type,
                                         rtl::mvau_lanes_bitserial_acc_bits(3, 4, 1, 64), true, codes.data(), 0, 1, 64);
    EXPECT_EQ(unit.latency(), rtl::mvau_lanes_bitserial_latency(4, 1));
    EXPECT_EQ(unit.pipeline_cycles(), rtl::mvau_lanes_bitserial_latency(4, 2));
  }
  const VariantInstalled noen(key, variant);
  try {
    run(d, sim::BackendChoice::kRtl, 3);
    ADD_FAILURE() << "expected an RtlTimingError";
  } catch (const models::RtlTimingError& e) {
    EXPECT_EQ(e.kind(), models::RtlTimingError::Kind::kMismatch);  // exit 2 in the CLI
    const std::string m = e.what();
    EXPECT_NE(m.find("stage fc0.mvau, PE "), std::string::npos) << m;
    EXPECT_NE(m.find(std::string("lanes unit '") + kBitSerialFc0 + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("output beat "), std::string::npos) << m;
    EXPECT_NE(m.find("the RTL's result leaves the unit at cycle "), std::string::npos) << m;
    EXPECT_NE(m.find("early; the model's pipeline has it at cycle "), std::string::npos) << m;
  }
}

// The add layer's output unit on RTL: tests/cosim/add.yaml puts its add
// (join: the sum of two 4-bit codes, 0..30, into 15 thresholds a channel) on
// RTL with its `backend` field, the convs on the C++ back-end. The run is
// bit- and cycle-identical to the C++ back-end's, with its FIFOs as designed
// and one beat deep (the add then stalls with codes in its units).
const char* const kAddThresholds = "multithreshold N=15 ACC_BITS=5 ACC_SIGNED=0 T_BITS=7 OUT_BITS=4 OUT_BIAS=0";

// The design's FIFOs one beat deep but its skip FIFO (stem -> join, 64
// beats), which holds the skip path's beats while the branch's window fills.
ir::Design with_shallow_fifos_but_the_skip(ir::Design d) {
  for (auto& f : d.stream_fifos) f.depth = 1;
  d.default_fifo_depth = 1;
  d.internal_fifo_depth = 1;
  return d;
}

TEST(CosimAdd, TheAddsOutputUnitOnRtlKeepsTheModelsTimingAndOutputs) {
  const ir::Design designed = load("../../tests/cosim/add.yaml");
  for (const ir::Design& d : {designed, with_shallow_fifos_but_the_skip(designed)}) {
    const sim::RunReport cpp = run(d, sim::BackendChoice::kCpp, 3);
    const sim::RunReport rtl = run(d, sim::BackendChoice::kDesign, 3);
    ASSERT_TRUE(rtl.finished) << rtl.deadlock;
    EXPECT_TRUE(*rtl.outputs_match_reference);
    EXPECT_TRUE(*cpp.outputs_match_reference);
    const auto diffs = sim::output_cycle_differences(cpp, rtl);
    EXPECT_TRUE(diffs.empty()) << diffs.front();
    EXPECT_EQ(cpp.cycles_total, rtl.cycles_total);
    EXPECT_EQ(cpp.frame_last_out_cycles, rtl.frame_last_out_cycles);
    ASSERT_EQ(rtl.rtl_units.size(), 1u);
    EXPECT_EQ(rtl.rtl_units[0].stage, "join.add");
    EXPECT_EQ(rtl.rtl_units[0].unit, kAddThresholds);
    EXPECT_EQ(rtl.rtl_units[0].latency, models::output_unit_latency(d.network.layers[2]));
    EXPECT_GT(rtl.rtl_units[0].stall_cycles, 0);
  }
}

// The add's multi-threshold unit with its output valid register ignoring the
// clock enable (tests/cosim/multithreshold_valid_noen.sv): the add stalls
// waiting for the branch with a sum in its units, out_valid rises during
// the stall with the unit's previous output code, and the run stops at that
// beat, naming the stage, the unit, the beat, the cycle and both codes.
TEST(CosimAdd, AnOutputUnitWhoseValidIgnoresTheEnableIsCaughtAtItsBeat) {
  const ir::Design d = load("../../tests/cosim/add.yaml");
  const VariantInstalled noen(kAddThresholds, [] {
    return std::unique_ptr<models::RtlUnit>(new cosim::VerilatedMultithreshold<Vmultithreshold_valid_noen>());
  });
  try {
    run(d, sim::BackendChoice::kDesign, 3);
    ADD_FAILURE() << "expected an RtlTimingError";
  } catch (const models::RtlTimingError& e) {
    EXPECT_EQ(e.kind(), models::RtlTimingError::Kind::kMismatch);  // exit 2 in the CLI
    const std::string m = e.what();
    EXPECT_NE(m.find("stage join.add, PE "), std::string::npos) << m;
    EXPECT_NE(m.find(std::string("output unit '") + kAddThresholds + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("output beat "), std::string::npos) << m;
    EXPECT_NE(m.find("the RTL's code for channel "), std::string::npos) << m;
    EXPECT_NE(m.find(" at cycle "), std::string::npos) << m;
    EXPECT_NE(m.find("the C++ output unit gives "), std::string::npos) << m;
  }
}

TEST(CosimConfig, BackendFieldIsReadPerLayer) {
  const ir::Design d = load("cosim/mixed-pow2-fixed-pynq-z1.yaml");
  EXPECT_TRUE(sim::runs_on_rtl(d, d.network.find_layer("conv2"), sim::BackendChoice::kDesign));
  EXPECT_FALSE(sim::runs_on_rtl(d, d.network.find_layer("conv2"), sim::BackendChoice::kCpp));
  EXPECT_FALSE(sim::runs_on_rtl(d, d.network.find_layer("pool"), sim::BackendChoice::kRtl));  // no weights
  const ir::Design tfc = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  EXPECT_FALSE(sim::runs_on_rtl(tfc, 0, sim::BackendChoice::kDesign));
  EXPECT_TRUE(sim::runs_on_rtl(tfc, 0, sim::BackendChoice::kRtl));
}

// The compute engine's weights generator on RTL (docs/engine.md): both
// convolutions of tests/cosim/engine-ovsf.yaml take their weights from one
// Verilated ovsf_generator (L=128, 16 kept codes, 8 lanes), every group
// checked against the C++ expansion and the model's cycle.
const fs::path kEngineDesign = fs::path(VINE_SOURCE_DIR) / "tests" / "cosim" / "engine-ovsf.yaml";
const char* const kEngineGenerator = "ovsf_generator L=128 KEPT=16 COEFF_BITS=5 LANES=8 OUT_BITS=8";

TEST(CosimEngine, GeneratedWeightsOnRtlMatchTheCppBackendCycleForCycle) {
  const ir::Design d = config::load_design(kEngineDesign.string());
  const engine::EngineRunResult cpp = engine::run_engine(d, 3, 5, nullptr, false, false);
  const engine::EngineRunResult rtl = engine::run_engine(d, 3, 5, nullptr, false, true);
  EXPECT_TRUE(cpp.outputs_match);
  EXPECT_TRUE(rtl.outputs_match);
  EXPECT_EQ(cpp.checksums, rtl.checksums);
  // Every figure of the report, layer by layer: cycles, waits, bytes, weights generated.
  EXPECT_EQ(engine::to_json(cpp.figures).dump(), engine::to_json(rtl.figures).dump());
  EXPECT_EQ(cpp.cycles_total, rtl.cycles_total);
  EXPECT_TRUE(cpp.rtl_units.empty());
  ASSERT_EQ(rtl.rtl_units.size(), 1u);  // one configuration, both layers
  const engine::EngineRtlUnit& u = rtl.rtl_units[0];
  EXPECT_EQ(u.key, kEngineGenerator);
  EXPECT_EQ(u.layers, (std::vector<std::string>{"conv_a", "conv_b"}));
  EXPECT_EQ(u.latency, rtl::ovsf_generator_latency(16));  // 4
  // By hand: each layer is 3 row tiles x 2 groups, every tile generating its
  // group (the groups alternate): 6 generations of 4 filters x ceil(72 / 8)
  // = 36 beats, clocked until the last leaves, 36 + LATENCY - 1 = 39 cycles;
  // 2 layers, 3 frames: 3 x 2 x 6 x 39 = 1404.
  EXPECT_EQ(u.cycles, 1404);
  // The generator is on the critical path of the layers' first phase, so a
  // cycle it got wrong would show: the weight wait is the generator's 40
  // cycles (36 beats + LATENCY 4) against the coefficients' and inputs' DDR.
  EXPECT_EQ(rtl.figures.layers[0].weight_wait, 40);
  // `vine rtl-units` lists it for each layer.
  const auto uses = sim::rtl_lanes_of(d, sim::BackendChoice::kRtl);
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[1].layer, "conv_b");
  EXPECT_EQ(uses[1].config.key(), kEngineGenerator);
  EXPECT_TRUE(sim::rtl_lanes_of(d, sim::BackendChoice::kCpp).empty());
}

// Runs the engine design with `variant` in place of the real generator; the
// error the run stops with.
template <class Model>
std::string engine_run_error() {
  const ir::Design d = config::load_design(kEngineDesign.string());
  const VariantInstalled variant(kEngineGenerator, [] {
    return std::unique_ptr<models::RtlUnit>(new cosim::VerilatedOvsfGenerator<Model>());
  });
  try {
    engine::run_engine(d, 1, 5, nullptr, false, true);
  } catch (const models::RtlTimingError& e) {
    EXPECT_EQ(e.kind(), models::RtlTimingError::Kind::kMismatch);
    std::printf("caught: %s\n", e.what());  // docs/engine.md quotes it
    return e.what();
  }
  return "";
}

TEST(CosimEngine, AGeneratorOneCycleDeeperIsCaughtAtItsFirstGroup) {
  const std::string e = engine_run_error<Vovsf_generator_plus1>();
  EXPECT_NE(e.find("layer conv_a, weights generator '" + std::string(kEngineGenerator) + "': filter 0, group 0 (weights 0..7)"),
            std::string::npos) << e;
  EXPECT_NE(e.find("leaves the unit at cycle 5 of the generation"), std::string::npos) << e;
  EXPECT_NE(e.find("the model has it at cycle 4"), std::string::npos) << e;
}

TEST(CosimEngine, AGeneratorWithOneWrongChipSignIsCaughtAtTheWeight) {
  const std::string e = engine_run_error<Vovsf_generator_sign>();
  EXPECT_NE(e.find("layer conv_a, weights generator '" + std::string(kEngineGenerator) + "': filter "),
            std::string::npos) << e;
  EXPECT_NE(e.find(": the RTL gives "), std::string::npos) << e;
  EXPECT_NE(e.find(", the C++ expansion (golden::ovsf_weight) "), std::string::npos) << e;
}

// A generator that cannot be had (here: a units module that cannot be
// loaded) refuses the run before it starts, exit 1, naming the layer and unit.
TEST(CosimEngine, AGeneratorThatCannotBeLoadedRefusesTheRun) {
  const auto r = vine_test::run_vine("run " + kEngineDesign.string() + " -n 1 --backend rtl",
                                     "VINE_COSIM_UNITS=/nonexistent/units.so");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("layer conv_a: its weights generator '" + std::string(kEngineGenerator) +
                          "' cannot be co-simulated: cannot load the co-simulation units /nonexistent/units.so"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("simulated (frame 0)"), std::string::npos) << r.output;
}

TEST(CosimEngine, VineRunBackendRtlReportsTheUnitAndExitsZero) {
  const auto r = vine_test::run_vine("run " + kEngineDesign.string() + " -n 2 --backend rtl", "");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("rtl unit " + std::string(kEngineGenerator) + ": latency 4, 936 cycles driven, for conv_a conv_b"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("outputs: all 2 frame(s) match the golden reference"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace vine
