// The steady-state rule (sim/run/steady_state.h) on made-up output stamps,
// the search for the frames that reach it, and both on every shipped design:
// the frames the report says reach the steady state do, the interval is never
// below the estimate's, and the frames it counts leave as in a longer run.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <stdexcept>

#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/run/run_metrics.h"
#include "sim/run/simulation.h"
#include "sim/run/steady_state.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
using sim::FrameStamps;
using sim::SteadyState;

// A made-up pipeline of `frames` frames: the first beat of frame f leaves
// `first_gap` cycles before its last; frame f's last beat leaves gap(f) cycles
// after frame f-1's, and the frames the end reaches (the last `reach`) leave
// `drain` cycles sooner each than the one before them would have.
struct MadeUp {
  std::function<int64_t(int)> gap;
  int reach = 1;
  int64_t drain = 100;
  int64_t first_gap = 40;

  FrameStamps operator()(int frames) const {
    FrameStamps s;
    int64_t t = 1000;
    for (int f = 0; f < frames; ++f) {
      if (f > 0) t += gap(f);
      const int into_drain = f - (frames - reach) + 1;
      const int64_t last = t - (into_drain > 0 ? drain * into_drain : 0);
      s.last.push_back(last);
      s.first.push_back(last - first_gap);
    }
    return s;
  }
};

SteadyState judge(const MadeUp& m, int frames) {
  return sim::judge_run(frames, m);
}

TEST(SteadyStateRule, ConstantSpacingIsTheInterval) {
  const MadeUp m{[](int) { return 500; }};
  const SteadyState s = judge(m, 8);
  EXPECT_TRUE(s.analysed);
  ASSERT_TRUE(s.reached);
  EXPECT_EQ(s.settled_frames, 7);  // the last frame drains
  EXPECT_EQ(s.reference_frames, 8 + sim::kReferenceExtraFrames);
  EXPECT_EQ(s.period_frames, 1);
  EXPECT_EQ(s.period_cycles, 500);
  EXPECT_EQ(s.from_frame, 0);
  EXPECT_EQ(s.interval_cycles(), 500.0);
  EXPECT_EQ(sim::interval_text(s), "500");
  EXPECT_EQ(sim::interval_json(s), 500);
}

// The drained frames leave closer together, here two of them equally close:
// a rule over the last spacings alone would take 400 for the interval.
TEST(SteadyStateRule, TheFramesTheEndReachedAreNotJudged) {
  const MadeUp m{[](int) { return 500; }, 3, 100};
  const FrameStamps run = m(9);
  ASSERT_EQ(run.last[8] - run.last[7], 400);
  ASSERT_EQ(run.last[7] - run.last[6], 400);
  const SteadyState s = judge(m, 9);
  ASSERT_TRUE(s.reached);
  EXPECT_EQ(s.settled_frames, 6);
  EXPECT_EQ(s.period_cycles, 500);
}

// Two equal spacings among settled frames are the least the rule uses.
TEST(SteadyStateRule, ThreeSettledFramesAreTheFewest) {
  const MadeUp m{[](int) { return 500; }, 2, 100};
  EXPECT_EQ(SteadyState::settled_frames_needed(0, 1), 3);
  const SteadyState four = judge(m, 4);
  EXPECT_EQ(four.settled_frames, 2);
  EXPECT_FALSE(four.reached);
  EXPECT_EQ(sim::interval_json(four), nullptr);
  const SteadyState five = judge(m, 5);
  EXPECT_EQ(five.settled_frames, 3);
  EXPECT_TRUE(five.reached);
}

// Frames leaving 300 and 701 cycles apart in turn: a pattern of two, 1001
// cycles per two frames, 500.5 per frame.
TEST(SteadyStateRule, ARepeatingPatternOfSpacings) {
  const MadeUp m{[](int f) { return f % 2 ? 300 : 701; }};
  const SteadyState s = judge(m, 9);
  ASSERT_TRUE(s.reached);
  EXPECT_EQ(s.period_frames, 2);
  EXPECT_EQ(s.period_cycles, 1001);
  EXPECT_EQ(s.interval_cycles(), 500.5);
  EXPECT_EQ(sim::interval_text(s), "500.50");
  EXPECT_EQ(sim::interval_json(s), 500.5);
}

// A pipeline filling up: the spacing settles from frame 4 on.
TEST(SteadyStateRule, ThePeriodicStretchStartsAfterTheTransient) {
  const MadeUp m{[](int f) { return f < 5 ? 900 - 50 * f : 500; }};
  const SteadyState s = judge(m, 10);
  ASSERT_TRUE(s.reached);
  EXPECT_EQ(s.period_cycles, 500);
  EXPECT_EQ(s.from_frame, 4);
}

// The first beats must repeat too: equal last-beat spacings with first beats
// wandering are no steady state.
TEST(SteadyStateRule, FirstBeatsMustRepeatAsWell) {
  const MadeUp m{[](int) { return 500; }};
  FrameStamps run = m(8), longer = m(10);
  const int64_t wander[] = {0, 3, 1, 4, 1, 5, 9, 2};
  for (int f = 0; f < 8; ++f) {
    run.first[size_t(f)] -= wander[f];
    longer.first[size_t(f)] -= wander[f];
  }
  const SteadyState s = sim::judge_steady_state(run, longer, 10);
  EXPECT_EQ(s.settled_frames, 7);
  EXPECT_FALSE(s.reached);
}

// The search answers with a count whose own judgement reaches the steady
// state; on this pipeline the fewest such count.
// A judgement is that of a prefix of the longer run, at most the judged
// run's frames long: whenever a run reaches the steady state at interval
// I, some such prefix reaches it at I or less; and where the transient
// outlasts the judged run, no prefix reaches any interval.
TEST(SteadyStateRule, AJudgementIsThatOfAPrefixOfTheLongerRun) {
  int reached = 0;
  const std::function<int64_t(int)> gaps[] = {[](int f) { return f < 2 ? 800 : 500; },
                                              [](int f) { return f < 3 ? 800 : (f % 2 ? 450 : 550); }};
  for (const auto& gap : gaps) {
    for (int reach : {1, 2, 3}) {
      for (int frames = 3; frames <= 9; ++frames) {
        const MadeUp m{gap, reach, 100};
        const SteadyState s = judge(m, frames);
        const FrameStamps longer = m(frames + sim::kReferenceExtraFrames);
        if (!s.reached) continue;
        ++reached;
        EXPECT_TRUE(sim::some_prefix_reaches_within(longer, frames, s.interval_cycles())) << frames << " " << reach;
      }
    }
  }
  EXPECT_GT(reached, 5);
  // Spacings that keep shrinking: no run reaches the steady state, nor does
  // any prefix of its longer run.
  const MadeUp shrinking{[](int f) { return 1000 - 10 * f; }};
  for (int frames = 3; frames <= 9; ++frames) {
    EXPECT_FALSE(judge(shrinking, frames).reached);
    EXPECT_FALSE(sim::some_prefix_reaches_within(shrinking(frames + sim::kReferenceExtraFrames), frames, 1e12));
  }
}

TEST(SteadyStateSearch, FindsTheFramesThatReachIt) {
  for (int reach : {1, 2, 4}) {
    const MadeUp m{[](int f) { return f < 3 ? 800 : 500; }, reach};
    const SteadyState failed = judge(m, 3);
    ASSERT_FALSE(failed.reached);
    const int n = sim::frames_to_reach_steady_state(failed, m);
    ASSERT_GT(n, 3) << reach;
    EXPECT_TRUE(judge(m, n).reached) << reach;
    for (int fewer = 3; fewer < n; ++fewer)
      EXPECT_FALSE(judge(m, fewer).reached) << reach << " " << fewer;
  }
}

TEST(SteadyStateSearch, GivesUpWhenNoRunReachesIt) {
  const MadeUp m{[](int f) { return 500 + f; }};  // every frame a cycle later than the last
  const SteadyState failed = judge(m, 3);
  SteadyState gave_up;
  EXPECT_EQ(sim::frames_to_reach_steady_state(failed, m, &gave_up), 0);
  EXPECT_EQ(gave_up.search_limit, sim::kFramesSearchLimit);
  EXPECT_FALSE(gave_up.search_cycles_limited);
}

// Frames of millions of cycles each: the search stops at its cycle budget,
// long before 512 frames, and says where.
TEST(SteadyStateSearch, StopsAtItsCycleBudget) {
  const MadeUp m{[](int f) { return 1000000 + f; }};
  const SteadyState failed = judge(m, 3);
  int64_t cycles = 0;
  const sim::RunFrames counted = [&](int n) {
    const FrameStamps s = m(n);
    cycles += s.last.back();
    return s;
  };
  SteadyState gave_up;
  EXPECT_EQ(sim::frames_to_reach_steady_state(failed, counted, &gave_up), 0);
  EXPECT_TRUE(gave_up.search_cycles_limited);
  EXPECT_GT(gave_up.search_limit, 3);
  EXPECT_LT(gave_up.search_limit, sim::kFramesSearchLimit);
  EXPECT_GE(cycles, sim::kSearchCyclesLimit);
  EXPECT_LT(cycles, 2 * sim::kSearchCyclesLimit);  // it stopped soon after the budget ran out
}

// The report refuses a steady state faster than the slowest stage allows.
TEST(SteadyStateBound, ASteadyIntervalBelowTheEstimateIsAnInternalError) {
  const ir::Design d = config::load_design(std::string(VINE_SOURCE_DIR) +
                                           "/configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml");
  sim::RunOptions o;
  o.frames = 6;
  o.timing_only = true;
  sim::Simulation simulation(d, o);
  const sim::RunReport& r = simulation.run();
  ASSERT_TRUE(r.steady.reached);
  estimate::Estimate e = simulation.estimate();
  EXPECT_NO_THROW(sim::make_report(simulation.network(), d, e, r.steady));
  e.interval_cycles = r.steady.period_cycles / r.steady.period_frames + 1;
  EXPECT_THROW(sim::make_report(simulation.network(), d, e, r.steady), std::logic_error);
}

const fs::path kDesigns = fs::path(VINE_SOURCE_DIR) / "configs" / "designs";

std::vector<std::string> shipped_designs() {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(kDesigns))
    if (entry.path().extension() == ".yaml") {
      out.push_back(fs::relative(entry.path(), kDesigns).string());
    }
  std::sort(out.begin(), out.end());
  return out;
}

class ShippedSteadyState : public testing::TestWithParam<std::string> {};

// From `vine run`'s default 3 frames: the frames the search names reach the
// steady state (and, on the shipped designs, one fewer does not); the interval
// is not below the estimate's; the frames the rule counts leave in the cycles
// of a longer run, where the judged run's other frames keep the pattern.
TEST_P(ShippedSteadyState, TheFramesItNamesReachItAtOrAboveTheEstimate) {
  const ir::Design d = config::load_design((kDesigns / GetParam()).string());
  const estimate::Estimate e = estimate::estimate_design(d);
  sim::RunOptions o;
  o.frames = 3;
  o.timing_only = true;
  o.steady_state = false;  // judged below, with runs shared across the judgements
  sim::Simulation simulation(d, o);
  const sim::RunFrames run = sim::remember_runs([&](int n) { return simulation.frame_stamps(n); });

  const SteadyState three = sim::judge_run(3, run);
  const int n = three.reached ? 3 : sim::frames_to_reach_steady_state(three, run);
  ASSERT_GT(n, 0) << GetParam();
  const SteadyState s = sim::judge_run(n, run);
  ASSERT_TRUE(s.reached) << GetParam();
  if (n > 3) {
    EXPECT_FALSE(sim::judge_run(n - 1, run).reached) << GetParam();
  }
  EXPECT_GE(s.interval_cycles(), double(e.interval_cycles)) << GetParam();

  // A run long enough that its end reaches none of the judged run's frames
  // (by as many frames as it reached there, and more).
  const int more = n + (n - s.settled_frames) + sim::kReferenceExtraFrames;
  const FrameStamps judged = run(n), longer = run(more);
  for (int f = 0; f < s.settled_frames; ++f) {
    EXPECT_EQ(judged.last[size_t(f)], longer.last[size_t(f)]) << GetParam() << " frame " << f;
    EXPECT_EQ(judged.first[size_t(f)], longer.first[size_t(f)]) << GetParam() << " frame " << f;
  }
  for (int f = s.from_frame + s.period_frames; f < n; ++f)
    EXPECT_EQ(longer.last[size_t(f)] - longer.last[size_t(f - s.period_frames)], s.period_cycles)
        << GetParam() << " frame " << f << " of " << more;
}

INSTANTIATE_TEST_SUITE_P(Designs, ShippedSteadyState, testing::ValuesIn(shipped_designs()),
                         [](const testing::TestParamInfo<std::string>& i) {
                           std::string name;
                           for (char c : i.param)
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

// The report's own path: a run of the frames the report names reaches the
// steady state, through Simulation as `vine run` uses it.
TEST(SteadyStateReport, ARunOfTheNamedFramesReachesIt) {
  const ir::Design d = config::load_design((kDesigns / "default.yaml").string());
  sim::RunOptions o;
  o.frames = 3;
  o.find_frames_needed = true;
  sim::Simulation short_run(d, o);
  const sim::RunReport& r = short_run.run();
  ASSERT_TRUE(r.steady.analysed);
  ASSERT_FALSE(r.steady.reached);
  EXPECT_EQ(r.interval_cycles, 0.0);
  EXPECT_EQ(r.fps, 0.0);
  ASSERT_GT(r.steady.frames_needed, 3);
  o.frames = r.steady.frames_needed;
  sim::Simulation enough(d, o);
  const sim::RunReport& s = enough.run();
  ASSERT_TRUE(s.steady.reached);
  EXPECT_TRUE(*s.outputs_match_reference);
  EXPECT_EQ(s.fps, d.clock_mhz * 1e6 / s.interval_cycles);
  // The batch counts every cycle of the run, the filling and the drain.
  EXPECT_EQ(s.cycles_per_frame_batch, double(s.cycles_total) / s.frames);
  EXPECT_EQ(s.batch_fps, d.clock_mhz * 1e6 / s.cycles_per_frame_batch);
  EXPECT_GT(s.cycles_per_frame_batch, s.interval_cycles);
}

}  // namespace
}  // namespace vine
