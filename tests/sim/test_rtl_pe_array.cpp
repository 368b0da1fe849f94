// The RTL PE array's clocking and per-beat timing check (models/pe/
// rtl_pe_array.h), on a lanes unit written in C++ to the RTL units' port
// protocol (rtl/README.md), so that the test needs no Verilator: driven like
// a stage drives it (an advancing() call per advance, cycles with stalls
// between, expect() at each writing iteration), a unit that freezes with
// en = 0 gives every result at the model's advance and the right value by
// its write; one whose stage ignores en, or that loses a cycle after a
// stall, stops the run with an RtlTimingError naming the beat and both cycles.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/pe/rtl_pe_array.h"

using namespace vine;

namespace {

// SIMD = 1 fixed-point lane (W = A = 8, unsigned activations): latency - 1
// delay stages of the lane product, then the fold accumulator (the output
// register). `free_stage`: a delay stage that ignores en; `lag_after_stall`:
// the first enabled cycle after a stall is lost.
class FakeLanes final : public models::RtlLanes {
 public:
  FakeLanes(int latency, int free_stage, bool lag_after_stall)
      : st_(size_t(latency - 1)), free_(free_stage), lag_(lag_after_stall) {}
  bool clock(bool en, bool valid, bool first, bool last, const uint32_t* w, const uint32_t* a,
             uint64_t& acc) override {
    const bool stalled = !en;
    if (lag_ && en && was_stalled_) en = false;
    was_stalled_ = stalled;
    const Beat in{valid, first, last, int64_t(int8_t(w[0] & 0xff)) * int64_t(a[0] & 0xff)};
    const Beat& tail = st_.back();
    if (en) {
      if (tail.valid) acc_ = tail.first ? tail.product : acc_ + tail.product;
      out_valid_ = tail.valid && tail.last;
    }
    for (int k = int(st_.size()) - 1; k >= 0; --k)
      if (en || k == free_) st_[size_t(k)] = k == 0 ? in : st_[size_t(k - 1)];
    if (out_valid_) acc = uint64_t(acc_) & 0xffffffffu;
    return out_valid_;
  }
  void set_weight_bits(int) override {}  // bit-parallel
  void reset() override {
    for (auto& b : st_) b.valid = false;
    out_valid_ = was_stalled_ = false;
  }

 private:
  struct Beat {
    bool valid = false, first = false, last = false;
    int64_t product = 0;
  };
  std::vector<Beat> st_;
  int free_;
  bool lag_, was_stalled_ = false, out_valid_ = false;
  int64_t acc_ = 0;
};

// The same units as one PE array unit (models::RtlLanes::pes(), as
// rtl/mvau_lanes_binary_pes.sv holds a stage's PEs): PE p's fields at word p.
class FakeLanesArray final : public models::RtlLanes {
 public:
  FakeLanesArray(int pes, int latency, int free_stage, bool lag_after_stall) {
    for (int p = 0; p < pes; ++p) pes_.emplace_back(latency, free_stage, lag_after_stall);
  }
  int pes() const override { return int(pes_.size()); }
  bool clock(bool, bool, bool, bool, const uint32_t*, const uint32_t*, uint64_t&) override {
    throw std::logic_error("FakeLanesArray: clock_pes() only");
  }
  bool clock_pes(bool en, bool valid, bool first, bool last, const uint32_t* w, const uint32_t* a,
                 char* out_valid, uint64_t* acc) override {
    bool any = false;
    for (size_t p = 0; p < pes_.size(); ++p) {
      out_valid[p] = pes_[p].clock(en, valid, first, last, &w[p], &a[p], acc[p]);
      any |= bool(out_valid[p]);
    }
    return any;
  }
  void set_weight_bits(int) override {}
  void reset() override {
    for (auto& u : pes_) u.reset();
  }

 private:
  std::vector<FakeLanes> pes_;
};

constexpr int kPe = 3, kRows = 6, kFolds = 4, kLatency = 3, kVectors = 6;

// A stage's loop over kVectors input vectors: NF = kRows / kPe passes of SF =
// kFolds iterations each, the last fold writing, one iteration per advance;
// `stall_before(k)`: the stall cycles before advance k.
struct Harness {
  std::vector<int32_t> weights = std::vector<int32_t>(size_t(kRows * kFolds));
  std::vector<int32_t> acts = std::vector<int32_t>(size_t(kVectors * kFolds));
  std::unique_ptr<models::RtlPeArray> array;
  models::OutputUnit out{ir::Layer{}, golden::LayerParams{}};  // the raw accumulator
  std::map<int64_t, std::vector<int32_t>> beats;               // by the advance that writes them

  // `array_pes`: the PEs' units as PE array units of that many PEs each
  // (kPe: one for the stage; 2: two, the second with a spare PE), 0: a unit a PE.
  Harness(int free_stage, bool lag, int array_pes) {
    std::mt19937 rng(3);
    for (auto& w : weights) w = int32_t(rng() % 256) - 128;
    for (auto& a : acts) a = int32_t(rng() % 256);
    std::vector<std::unique_ptr<models::RtlLanes>> pes;
    if (array_pes > 0)
      for (int p = 0; p < kPe; p += array_pes)
        pes.push_back(std::make_unique<FakeLanesArray>(array_pes, kLatency, free_stage, lag));
    else
      for (int p = 0; p < kPe; ++p)
        pes.push_back(std::make_unique<FakeLanes>(kLatency, free_stage, lag));
    const models::LanesConfig c{"mvau_lanes_fixed",
                                {{"SIMD", 1}, {"W", 8}, {"A", 8}, {"A_SIGNED", 0}, {"MW", kFolds}}};
    ir::WeightType w;
    w.arithmetic = arith::WeightArithmetic::kFixed;
    w.bits = 8;
    arith::ActivationType a;
    a.bits = 8;
    std::vector<std::unique_ptr<models::RtlDotProductUnit>> groups;
    groups.push_back(std::make_unique<models::RtlDotProductUnit>(std::move(pes), kPe, c, w, a, 32, true,
                                                                 weights.data(), 0, kRows, kFolds));
    array = std::make_unique<models::RtlPeArray>("test.mvau", std::move(groups), kPe, 1 + kLatency,
                                                 0, int64_t{kVectors} * (kRows / kPe) * kFolds);
    array->connect(
        [this](int64_t i) -> models::RtlBeat {
          if (i >= int64_t{kVectors} * (kRows / kPe) * kFolds) return {};
          const int64_t sf = i % kFolds, nf = i / kFolds % (kRows / kPe),
                        v = i / (kFolds * (kRows / kPe));
          return {nf * kPe, sf, &acts[size_t(v * kFolds + sf)], false};
        },
        &out);
  }
  int64_t dot(int64_t v, int64_t row) const {
    int64_t s = 0;
    for (int f = 0; f < kFolds; ++f)
      s += int64_t(weights[size_t(row * kFolds + f)]) * acts[size_t(v * kFolds + f)];
    return s;
  }
  // Runs the loop and its drain; `jump`: advances made in one call (the
  // ones without reads or writes between the stage's visits).
  void run(const std::function<int64_t(int64_t)>& stall_before, int jump = 1) {
    const int64_t iterations = int64_t{kVectors} * (kRows / kPe) * kFolds, depth = 1 + kLatency;
    int64_t cycle = -1, last = -1;
    for (int64_t k = 0; k < iterations + depth; ++k) {
      const int64_t stall = stall_before(k);
      cycle += 1 + stall;
      const bool writes = k < iterations && k % kFolds == kFolds - 1;
      // An advance the stage does not visit: no reads or writes, no stall before it.
      if (k % jump != 0 && stall == 0 && !writes && k != iterations + depth - 1 && !beats.count(k))
        continue;
      array->advancing(k, cycle, k - last, 0, false);
      last = k;
      if (writes) {
        auto& b = beats[k + depth];
        b.assign(kPe, -1);
        array->expect(k, k / kFolds % (kRows / kPe) * kPe, b.data());
      }
      if (auto it = beats.find(k); it != beats.end()) {  // the write: every PE's result in place
        const int64_t i = k - depth, v = i / (kFolds * (kRows / kPe)),
                      first = i / kFolds % (kRows / kPe) * kPe;
        for (int p = 0; p < kPe; ++p)
          EXPECT_EQ(it->second[size_t(p)], dot(v, first + p)) << "iteration " << i;
        ++written;
      }
    }
  }
  int written = 0;
};

int64_t no_stalls(int64_t) {
  return 0;
}
int64_t some_stalls(int64_t k) {
  return k % 7 == 3 ? 2 : (k % 11 == 5 ? 1 : 0);
}

// Each test runs with a unit a PE, with one PE array unit of the three PEs
// and with two of two PEs, the second with a spare PE (a stage whose PEs
// kPeArrayMaxPes does not divide).
constexpr int kLayouts[] = {0, kPe, 2};
std::string layout(int array_pes) {
  return array_pes == 0 ? "a unit a PE" : "PE array units of " + std::to_string(array_pes) + " PEs";
}
TEST(RtlPeArray, AUnitThatFreezesWithEnGivesEveryResultAtTheModelsAdvance) {
  for (int array_pes : kLayouts)
    for (int jump : {1, 3}) {
      SCOPED_TRACE(layout(array_pes));
      Harness h(-1, false, array_pes);
      h.run(some_stalls, jump);
      EXPECT_EQ(h.written, kVectors * kRows / kPe);
      int64_t cycles = 0, stalled = 0;
      for (const auto& g : h.array->groups()) {
        cycles += g->cycles();
        stalled += g->stall_cycles();
      }
      EXPECT_GT(stalled, 0);  // clocked through the stalls with beats in flight
      EXPECT_GT(cycles, stalled);
    }
}

TEST(RtlPeArray, AStageThatIgnoresEnPassesWithoutStallsAndFailsWithThem) {
  for (int array_pes : kLayouts) {
    SCOPED_TRACE(layout(array_pes));
    Harness calm(1, false, array_pes);
    calm.run(no_stalls);
    EXPECT_EQ(calm.written, kVectors * kRows / kPe);
    Harness h(1, false, array_pes);
    try {
      h.run(some_stalls);
      FAIL() << "expected an RtlTimingError";
    } catch (const models::RtlTimingError& e) {
      EXPECT_EQ(e.kind(), models::RtlTimingError::Kind::kMismatch);
      const std::string m = e.what();
      EXPECT_NE(m.find("stage test.mvau, PE "), std::string::npos) << m;
      EXPECT_NE(m.find("lanes unit 'mvau_lanes_fixed SIMD=1 W=8 A=8 A_SIGNED=0 MW=4'"),
                std::string::npos)
          << m;
      EXPECT_NE(m.find("iteration "), std::string::npos) << m;
      EXPECT_NE(m.find("the RTL's result leaves the unit at cycle "), std::string::npos) << m;
      EXPECT_NE(m.find("the model's pipeline has it at cycle "), std::string::npos) << m;
    }
  }
}

TEST(RtlPeArray, AUnitThatLosesACycleAfterAStallFailsAsLate) {
  for (int array_pes : kLayouts) {
    SCOPED_TRACE(layout(array_pes));
    Harness calm(-1, true, array_pes);
    calm.run(no_stalls);
    EXPECT_EQ(calm.written, kVectors * kRows / kPe);
    Harness h(-1, true, array_pes);
    try {
      h.run([](int64_t k) { return k == 9 ? int64_t{4} : 0; });  // one stall, beats in flight
      FAIL() << "expected an RtlTimingError";
    } catch (const models::RtlTimingError& e) {
      EXPECT_EQ(e.kind(), models::RtlTimingError::Kind::kMismatch);
      const std::string m = e.what();
      // Iteration 7 (rows 3..5, the first vector's second pass) is the first
      // whose result is due after the stall before advance 9.
      EXPECT_NE(m.find("iteration 7 of its loop (frame 0), output beat 1 (rows 3..5)"),
                std::string::npos)
          << m;
      EXPECT_NE(
          m.find("the RTL's result is not valid at cycle 15, where the model's pipeline has it"),
          std::string::npos)
          << m;
      EXPECT_NE(m.find("it leaves the unit 1 enabled cycle(s) later"), std::string::npos) << m;
    }
  }
}

// A stage's PEs spread evenly over PE array units of at most
// kPeArrayMaxPes PEs (rtl/cosim/units.txt keys them by that size): the
// fewest units that hold the stage, the spare PEs of the last at most one
// fewer than the units.
TEST(RtlPeArray, AStagesPesSpreadEvenlyOverUnitsOfAtMostTheCap) {
  constexpr int kMax = models::kPeArrayMaxPes;
  for (int pe = 1; pe <= 8 * kMax + 3; ++pe) {
    const int size = models::pe_array_size(pe);
    const int units = (pe + size - 1) / size;
    EXPECT_LE(size, kMax) << pe << " PEs";
    EXPECT_EQ(units, (pe + kMax - 1) / kMax) << pe << " PEs";
    EXPECT_LT(units * size - pe, units) << pe << " PEs";
  }
  EXPECT_EQ(models::pe_array_size(kMax), kMax);
  EXPECT_EQ(models::pe_array_size(kMax + 1), (kMax + 2) / 2);
  EXPECT_EQ(models::pe_array_size(4 * kMax), kMax);
}

}  // namespace
