// `vine fifo-size` (sim/explore/fifo_sizing.h): the property its search rests
// on (a deeper FIFO never moves a beat later), the least depths checked by
// brute force and by independent runs, and the command's files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <random>

#include "sim/config/loaders.h"
#include "sim/explore/fifo_sizing.h"
#include "sim/explore/finn_fifo_style.h"
#include "sim/run/timing_run.h"
#include "tests/sim/random_depths.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
const fs::path kSource(VINE_SOURCE_DIR);
const fs::path kData = kSource / "tests" / "sim" / "data";
const fs::path kTfc = kSource / "configs" / "designs" / "finn-examples" / "tfc-w1a1-pynq-z1.yaml";
const fs::path kCnvRtlWindows = kSource / "configs" / "designs" / "finn-examples" / "cnv-w1a1-pynq-z1.yaml";

ir::Design load(const fs::path& p) { return config::load_design(p.string()); }

bool meets(const ir::Design& d, int frames, double target) {
  const sim::SteadyState s = sim::judge_timing(d, frames);
  return s.reached && s.interval_cycles() <= target + 1e-9;
}

ir::Design with(const ir::Design& d, const std::vector<explore::SizedFifo>& fifos,
                const std::map<std::string, int>& depth) {
  return explore::with_depths(d, fifos, [&](const explore::SizedFifo& f) {
    const auto it = depth.find(f.name);
    return it == depth.end() ? f.depth : it->second;
  });
}

// Every sized FIFO one beat shallower, the others as sized, misses the
// target: checked here by runs of its own, not by the search's bookkeeping.
void expect_each_one_shallower_misses(const ir::Design& d, const explore::FifoSizing& s) {
  for (const auto& f : s.fifos) {
    if (f.depth <= 1) continue;
    EXPECT_FALSE(meets(with(d, s.fifos, {{f.name, f.depth - 1}}), s.frames, s.target_interval))
        << f.name << " at " << f.depth - 1 << " still meets the target";
  }
}

TEST(FifoSizing, ADeadlockedResidualBlockIsSizedToTheUnboundedInterval) {
  const ir::Design d = load(kData / "residual-shallow-skip.yaml");
  const explore::FifoSizing s = explore::size_fifos(d, {});
  EXPECT_TRUE(s.before.deadlock);
  ASSERT_TRUE(s.unbounded.reached);
  EXPECT_EQ(s.target_interval, s.unbounded.interval);
  ASSERT_TRUE(s.sized.reached);
  EXPECT_EQ(s.sized.interval, s.target_interval);
  ASSERT_TRUE(s.sized_long.reached);
  EXPECT_EQ(s.sized_long.interval, s.target_interval);
  EXPECT_TRUE(s.least);
  // The skip FIFO is what the deadlock needed: deeper than the design's 2.
  const auto skip = std::find_if(s.fifos.begin(), s.fifos.end(),
                                 [](const explore::SizedFifo& f) { return f.name == "stem->join"; });
  ASSERT_NE(skip, s.fifos.end());
  EXPECT_GT(skip->depth, skip->depth_before);
  const ir::Design sized = with(d, s.fifos, {});
  EXPECT_TRUE(meets(sized, s.frames, s.target_interval));
  expect_each_one_shallower_misses(d, s);
}

TEST(FifoSizing, TfcReachesItsBottleneckWithLessMemoryThanFinnsRule) {
  const ir::Design d = load(kTfc);
  const explore::FifoSizing s = explore::size_fifos(d, {});
  ASSERT_TRUE(s.before.reached);
  ASSERT_TRUE(s.sized.reached);
  // As given, a full FIFO holds fc1 back (the run's "why" line); sized,
  // nothing does.
  EXPECT_GT(s.before.interval, s.sized.interval);
  EXPECT_EQ(s.sized.interval, s.unbounded.interval);
  EXPECT_TRUE(s.least);
  expect_each_one_shallower_misses(d, s);
  int64_t sized_bits = 0, finn_bits = 0;
  for (const auto& f : s.fifos) {
    sized_bits += int64_t(f.bits) * f.depth;
    finn_bits += int64_t(f.bits) * f.finn_depth;
  }
  EXPECT_LE(sized_bits, finn_bits);
}

// The RTL sliding window's read and fetch sides are timed apart, and it counts
// cycles of its own as output stalls with no full FIFO behind it. The
// unbounded run doubles only FIFOs that filled, so such a stage does not
// have its output FIFO doubled until the search gives up ("still fills at
// 16777216 beats", as it did before).
TEST(FifoSizing, AnRtlSlidingWindowsOwnStallsDoNotDeepenItsOutputFifo) {
  const ir::Design d = load(kCnvRtlWindows);
  const explore::FifoSizing s = explore::size_fifos(d, {});
  ASSERT_TRUE(s.unbounded.reached);
  ASSERT_TRUE(s.sized.reached);
  EXPECT_EQ(s.sized.interval, s.unbounded.interval);
  ASSERT_TRUE(s.sized_long.reached);
  EXPECT_EQ(s.sized_long.interval, s.target_interval);
  const auto swg = std::find_if(s.fifos.begin(), s.fifos.end(),
                                [](const explore::SizedFifo& f) { return f.name == "conv1.swg->conv1.mvau"; });
  ASSERT_NE(swg, s.fifos.end());
  EXPECT_LE(swg->unbounded_peak, swg->words);  // never more than a frame's beats waiting
}

// The same stage's stall columns: with FIFOs as deep as a frame, no stage
// counts a cycle as waiting on an output that never filled (the RTL window
// once counted its read and fetch sides' spread as output stalls).
TEST(FifoSizing, NoStageWaitsOnAnOutputThatNeverFills) {
  const ir::Design d = explore::with_frame_deep_fifos(load(kCnvRtlWindows));
  const auto pn = sim::run_timing(d, 4);
  ASSERT_TRUE(pn->finished());
  int rtl_windows = 0;
  for (const auto& s : pn->stages()) {
    bool waited = false;
    for (const auto* q : s->outputs()) waited = waited || explore::producer_may_have_waited(*q);
    if (!waited) {
      EXPECT_EQ(s->stats().stalled_output, 0) << s->name();
    }
    if (s->name().find(".swg") != std::string::npos) ++rtl_windows;
  }
  EXPECT_GT(rtl_windows, 0);
}

// The search's runs keep no stall counts (the RTL window's merge of its two
// sides' events is 6 % of a profiled run): every cycle is the same, every frame
// leaves when it did and every FIFO peaks as it did; only the counts the
// merge makes are gone.
TEST(FifoSizing, RunsWithoutStallCountsKeepEveryCycle) {
  const ir::Design d = load(kCnvRtlWindows);
  const auto counted = sim::run_timing(d, 3, true), bare = sim::run_timing(d, 3, false);
  ASSERT_TRUE(counted->finished());
  ASSERT_TRUE(bare->finished());
  EXPECT_EQ(sim::simulated_cycles(*bare), sim::simulated_cycles(*counted));
  const sim::FrameStamps a = sim::frame_stamps(*counted), b = sim::frame_stamps(*bare);
  EXPECT_EQ(b.first, a.first);
  EXPECT_EQ(b.last, a.last);
  ASSERT_EQ(bare->fifos().size(), counted->fifos().size());
  for (size_t i = 0; i < bare->fifos().size(); ++i)
    EXPECT_EQ(bare->fifos()[i]->max_occupancy(), counted->fifos()[i]->max_occupancy()) << bare->fifos()[i]->name();
  int rtl_windows = 0;
  for (size_t i = 0; i < bare->stages().size(); ++i) {
    if (std::string(bare->stages()[i]->kind()) != "swg_rtl") continue;
    ++rtl_windows;
    EXPECT_GT(counted->stages()[i]->stats().busy, 0) << bare->stages()[i]->name();
    EXPECT_EQ(bare->stages()[i]->stats().busy, 0) << bare->stages()[i]->name();
    EXPECT_EQ(bare->stages()[i]->stats().last_write, counted->stages()[i]->stats().last_write);
  }
  EXPECT_GT(rtl_windows, 0);
}

// The search's premise: with the other depths fixed, a deeper FIFO never
// makes a frame leave later (and never turns a finished run into a deadlock).
TEST(FifoSizing, ADeeperFifoNeverMovesAFrameLater) {
  for (const fs::path& p : {kTfc, kData / "residual-shallow-skip.yaml", kData / "residual-deep-skip.yaml"})
    for (const bool flush : {false, true}) {  // stall and flushing pipelines
      SCOPED_TRACE(flush ? "pipeline_style: flush" : "pipeline_style: stall");
      ir::Design d = load(p);
      d.pipeline_flush = flush;
      const explore::FifoSizing s = explore::size_fifos(d, {});
      for (const auto& f : s.fifos) {
        sim::FrameStamps prev;
        bool have_prev = false;
        for (int depth = 1; depth <= f.unbounded_peak + 2; depth = depth < 8 ? depth + 1 : depth * 2) {
          const auto pn = sim::run_timing(with(d, s.fifos, {{f.name, depth}}), 4);
          const sim::FrameStamps now = sim::frame_stamps(*pn);
          if (have_prev) {
            EXPECT_TRUE(now.finished || !prev.finished) << p << ": " << f.name << " at " << depth;
            ASSERT_GE(now.last.size(), prev.last.size());
            for (size_t k = 0; k < prev.last.size(); ++k) {
              EXPECT_LE(now.first[k], prev.first[k]) << p << ": " << f.name << " at " << depth << ", frame " << k;
              EXPECT_LE(now.last[k], prev.last[k]) << p << ": " << f.name << " at " << depth << ", frame " << k;
            }
          }
          prev = now;
          have_prev = true;
        }
      }
    }
}

// Combinations of depths of the FIFOs the sizing kept above 1 (the others as
// sized), each FIFO over 1 to 4 and one beat either side of its sized depth:
// the combinations that meet the target form an up-set (deeper never
// hurts), and the sizing is one of its minimal elements: no combination at
// or below it in every FIFO, and below it in one, meets the target.
TEST(FifoSizing, BruteForceFindsNoShallowerCombination) {
  for (const fs::path& p : {kTfc, kData / "residual-shallow-skip.yaml"}) {
    const ir::Design d = load(p);
    const explore::FifoSizing s = explore::size_fifos(d, {});
    std::vector<const explore::SizedFifo*> kept;
    std::vector<std::vector<int>> values;
    for (const auto& f : s.fifos) {
      if (f.depth <= 1) continue;
      kept.push_back(&f);
      std::vector<int> v;
      for (int x = 1; x <= std::min(4, f.depth + 1); ++x) v.push_back(x);
      for (int x = std::max(5, f.depth - 1); x <= f.depth + 1; ++x) v.push_back(x);
      values.push_back(v);
    }
    ASSERT_FALSE(kept.empty()) << p;
    ASSERT_LE(kept.size(), 6u) << p << ": too many combinations for this test";
    std::map<std::vector<int>, bool> works;
    std::vector<int> v(kept.size(), 1);
    std::function<void(size_t)> visit = [&](size_t i) {
      if (i == kept.size()) {
        std::map<std::string, int> depth;
        for (size_t k = 0; k < kept.size(); ++k) depth[kept[k]->name] = v[k];
        works[v] = meets(with(d, s.fifos, depth), s.frames, s.target_interval);
        return;
      }
      for (int x : values[i]) {
        v[i] = x;
        visit(i + 1);
      }
    };
    visit(0);
    std::vector<int> sized;
    for (const auto* f : kept) sized.push_back(f->depth);
    ASSERT_TRUE(works.count(sized)) << p;
    EXPECT_TRUE(works.at(sized)) << p;
    int met = 0;
    for (const auto& [a, ok_a] : works) {
      met += ok_a;
      bool below = a != sized;
      for (size_t k = 0; k < a.size(); ++k) below = below && a[k] <= sized[k];
      if (below) {
        EXPECT_FALSE(ok_a) << p << ": a shallower combination meets the target";
      }
      if (!ok_a) continue;
      for (const auto& [b, ok_b] : works) {
        bool above = true;
        for (size_t k = 0; k < a.size(); ++k) above = above && b[k] >= a[k];
        if (above) {
          EXPECT_TRUE(ok_b) << p << ": deeper FIFOs miss a target shallower ones meet";
        }
      }
    }
    // Both outcomes occur: the grid straddles the boundary.
    EXPECT_GT(met, 0);
    EXPECT_LT(met, int(works.size()));
  }
}

TEST(FifoSizing, ATargetShorterThanUnboundedFifosGiveIsRefused) {
  const ir::Design d = load(kTfc);
  explore::FifoSizingOptions o;
  o.target_interval = 10;
  try {
    explore::size_fifos(d, o);
    FAIL() << "a target below the unbounded interval was accepted";
  } catch (const explore::SizingError& e) {
    EXPECT_TRUE(e.usage);
    EXPECT_NE(std::string(e.what()).find("shorter than unbounded FIFOs give"), std::string::npos) << e.what();
  }
}

TEST(FifoSizing, ALooserTargetNeedsNoDeeperFifos) {
  const ir::Design d = load(kTfc);
  const explore::FifoSizing tight = explore::size_fifos(d, {});
  explore::FifoSizingOptions o;
  o.target_interval = tight.before.interval;  // what the design as given reaches
  const explore::FifoSizing loose = explore::size_fifos(d, o);
  ASSERT_TRUE(loose.sized.reached);
  EXPECT_LE(loose.sized.interval, o.target_interval);
  int64_t tight_bits = 0, loose_bits = 0;
  for (size_t i = 0; i < tight.fifos.size(); ++i) {
    tight_bits += int64_t(tight.fifos[i].bits) * tight.fifos[i].depth;
    loose_bits += int64_t(loose.fifos[i].bits) * loose.fifos[i].depth;
  }
  EXPECT_LE(loose_bits, tight_bits);
  expect_each_one_shallower_misses(d, loose);
}

// Trials in forked processes find the same depths: the least depth of a
// FIFO, the others fixed, is one number however it is searched.
TEST(FifoSizing, ParallelTrialsFindTheSameDepths) {
  for (const fs::path& p : {kTfc, kData / "residual-shallow-skip.yaml"}) {
    const ir::Design d = load(p);
    explore::FifoSizingOptions one, three;
    one.jobs = 1;
    three.jobs = 3;
    const explore::FifoSizing a = explore::size_fifos(d, one), b = explore::size_fifos(d, three);
    ASSERT_EQ(a.fifos.size(), b.fifos.size());
    for (size_t i = 0; i < a.fifos.size(); ++i) EXPECT_EQ(a.fifos[i].depth, b.fifos[i].depth) << a.fifos[i].name;
    EXPECT_TRUE(b.least);
    EXPECT_EQ(b.sized.interval, a.sized.interval);
  }
}

// The shortcuts (frames jumped inside a trial, verdicts known from earlier
// exact ones, aimed probes, probes at a twin FIFO's depth, no probe below a
// FIFO's rate floor, trials run ahead on a free job, misses the steady-state
// rule's longer run shows alone) change what the search runs, never what it
// finds: the same depth for every FIFO as the plain
// search, with no more runs; and on these designs each shortcut is used.
TEST(FifoSizing, TheShortcutsFindTheSameDepthsAsThePlainSearch) {
  const fs::path mixed = kSource / "configs" / "designs" / "cosim" / "mixed-pow2-fixed-pynq-z1.yaml";
  int64_t known = 0, aimed = 0, twin = 0, ahead_used = 0, rate_floors = 0, by_longer_run = 0;
  for (const fs::path& p : {kTfc, kData / "residual-shallow-skip.yaml", mixed}) {
    const ir::Design d = load(p);
    explore::FifoSizingOptions plain, quick;
    plain.shortcuts = false;
    plain.jobs = quick.jobs = 2;  // a job left free runs a trial ahead
    const explore::FifoSizing a = explore::size_fifos(d, plain), b = explore::size_fifos(d, quick);
    ASSERT_EQ(a.fifos.size(), b.fifos.size());
    for (size_t i = 0; i < a.fifos.size(); ++i) EXPECT_EQ(a.fifos[i].depth, b.fifos[i].depth) << p << " " << a.fifos[i].name;
    EXPECT_TRUE(b.least) << p;
    EXPECT_EQ(b.sized.interval, a.sized.interval) << p;
    EXPECT_LE(b.runs, a.runs) << p;
    EXPECT_EQ(a.trials_known + a.aimed_rounds + a.trials_with_jumps + a.twin_rounds + a.trials_ahead +
                  a.fifos_with_rate_floor + a.trials_by_longer_run,
              0)
        << p << ": the plain search took a shortcut";
    EXPECT_LE(b.trials_ahead_used, b.trials_ahead) << p;
    known += b.trials_known;
    aimed += b.aimed_rounds;
    twin += b.twin_rounds;
    ahead_used += b.trials_ahead_used;
    rate_floors += b.fifos_with_rate_floor;
    by_longer_run += b.trials_by_longer_run;
    expect_each_one_shallower_misses(d, b);
  }
  EXPECT_GT(known, 0);
  EXPECT_GT(aimed, 0);
  EXPECT_GT(twin, 0);  // the residual blocks' FIFOs repeat
  EXPECT_GT(ahead_used, 0);
  EXPECT_GT(rate_floors, 0);
  EXPECT_GT(by_longer_run, 0);
}

// The rate floor's arithmetic: capacity C moves at most C beats every
// latency + 1 cycles (a shift register 1 cycle, a memory 2 and one slot more).
TEST(FifoSizing, TheRateFloorIsTheCapacityThatCarriesAFrameInTheTarget) {
  explore::SizedFifo shift, memory;
  shift.words = memory.words = 56448;
  memory.memory_style = true;
  memory.latency = 2;  // as stream_fifo.h builds a memory-style FIFO
  memory.extra_slots = 1;
  const double target = 111334;  // MobileNet-V1 U250: its windows' 56448 beats need 2 slots
  EXPECT_EQ(explore::rate_floor_depth(shift, target, 1), 2);
  EXPECT_EQ(explore::rate_floor_depth(memory, target, 1), 1);  // 3 * 56448 / 111334 -> 2 slots, depth 1
  EXPECT_EQ(explore::rate_floor_depth(shift, 2 * 56448, 1), 1);  // exactly one beat every 2 cycles
  EXPECT_EQ(explore::rate_floor_depth(shift, 2 * 56448 - 1, 1), 2);
  EXPECT_EQ(explore::rate_floor_depth(shift, 56448, 1), 2);       // a beat a cycle: 2 in flight
  EXPECT_EQ(explore::rate_floor_depth(shift, 56448, 5), 5);       // never below the minimum asked
  shift.words = 10 * 56448;
  EXPECT_EQ(explore::rate_floor_depth(shift, 56448, 1), 20);
}

// The rate floor is a lower bound: one beat below it, a FIFO misses the
// target even with every other FIFO a frame deep, by the exact interval of
// an endless stream (the first repetition of the timing state, or its bounds).
TEST(FifoSizing, OneBeatBelowItsRateFloorAFifoMissesTheTarget) {
  const fs::path mixed = kSource / "configs" / "designs" / "cosim" / "mixed-pow2-fixed-pynq-z1.yaml";
  int checked = 0;
  for (const fs::path& p : {kData / "residual-shallow-skip.yaml", mixed, kCnvRtlWindows}) {
    const ir::Design d = load(p);
    explore::FifoSizingOptions o;
    const explore::FifoSizing s = explore::size_fifos(d, o);
    for (const auto& f : s.fifos) {
      EXPECT_EQ(f.latency, f.memory_style ? 2 : 1) << p << " " << f.name;  // read off the search's run
      EXPECT_EQ(f.extra_slots, f.memory_style ? 1 : 0) << p << " " << f.name;
      const int floor = explore::rate_floor_depth(f, s.target_interval, 1);
      EXPECT_GE(f.depth, floor) << p << " " << f.name;
      if (floor <= 1) continue;
      ++checked;
      const ir::Design below = explore::with_depths(d, s.fifos, [&](const explore::SizedFifo& g) {
        return g.name == f.name ? floor - 1 : int(std::max<int64_t>(2, g.words));
      });
      const sim::EndlessInterval e = sim::endless_interval(below, 40, nullptr, nullptr, true, s.target_interval);
      ASSERT_TRUE(e.found || e.bound != 0) << p << " " << f.name << ": undecided";
      if (e.found) {
        EXPECT_GT(e.interval_cycles(), s.target_interval) << p << " " << f.name;
      } else {
        EXPECT_LT(e.bound, 0) << p << " " << f.name;
      }
    }
  }
  EXPECT_GT(checked, 0);
}

// What lets a trial skip its judged run (sim::some_prefix_reaches_within):
// on real runs with FIFO depths drawn at random, whenever the steady-state
// rule finds the judged run reaching the steady state at interval I, some
// prefix of the longer run, no longer than the judged run, reaches it at I
// or less.
TEST(FifoSizing, AJudgementIsThatOfAPrefixOfTheLongerRunOnRealRuns) {
  const fs::path mixed = kSource / "configs" / "designs" / "cosim" / "mixed-pow2-fixed-pynq-z1.yaml";
  std::mt19937 rng(3);
  int reached = 0, tried = 0;
  for (const fs::path& p : {kTfc, kData / "residual-shallow-skip.yaml", mixed}) {
    const ir::Design base = load(p);
    const std::vector<explore::SizedFifo> fifos = explore::plan_fifos(base);
    for (int v = 0; v < 6; ++v) {
      const ir::Design d = testing_support::random_depths(base, fifos, rng);
      for (int frames : {3, 5}) {
        ++tried;
        const sim::FrameStamps run = sim::frame_stamps(*sim::run_timing(d, frames, false));
        const sim::FrameStamps longer =
            sim::frame_stamps(*sim::run_timing(d, frames + sim::kReferenceExtraFrames, false));
        const sim::SteadyState s = sim::judge_steady_state(run, longer, frames + sim::kReferenceExtraFrames);
        if (!s.reached) continue;
        ++reached;
        EXPECT_TRUE(sim::some_prefix_reaches_within(longer, frames, s.interval_cycles())) << p << " " << frames;
      }
    }
  }
  EXPECT_GT(2 * reached, tried) << reached << " of " << tried << " reached the steady state";
}

// Started from its own sizing, a design keeps every depth: the depths meet
// the target, and the passes find no FIFO that can go one beat shallower
// (the same answer as the search from the peaks, in fewer runs).
TEST(FifoSizing, StartedFromItsOwnSizingADesignKeepsEveryDepth) {
  const fs::path mixed = kSource / "configs" / "designs" / "cosim" / "mixed-pow2-fixed-pynq-z1.yaml";
  for (const fs::path& p : {kTfc, kData / "residual-shallow-skip.yaml", mixed}) {
    const ir::Design d = load(p);
    const explore::FifoSizing cold = explore::size_fifos(d, {});
    ASSERT_TRUE(cold.least) << p;
    EXPECT_FALSE(cold.given_start_tried) << p;
    explore::FifoSizingOptions from_given;
    from_given.start_from_given = true;
    const ir::Design sized = with(d, cold.fifos, {});
    const explore::FifoSizing warm = explore::size_fifos(sized, from_given);
    EXPECT_TRUE(warm.given_start_tried) << p;
    EXPECT_TRUE(warm.given_start_met) << p;
    ASSERT_EQ(warm.fifos.size(), cold.fifos.size()) << p;
    for (size_t i = 0; i < cold.fifos.size(); ++i) {
      EXPECT_EQ(warm.fifos[i].depth_before, cold.fifos[i].depth) << p << " " << cold.fifos[i].name;
      EXPECT_EQ(warm.fifos[i].depth, cold.fifos[i].depth) << p << " " << cold.fifos[i].name;
    }
    EXPECT_TRUE(warm.least) << p;
    EXPECT_EQ(warm.passes, 1) << p;  // the first pass changed nothing
    EXPECT_LT(warm.runs, cold.runs) << p;
    ASSERT_TRUE(warm.sized.reached) << p;
    EXPECT_EQ(warm.sized.interval, warm.target_interval) << p;
  }
}

// Started from deeper depths that meet the target (FINN's rule's), the passes
// cut down to depths at or below them where every FIFO one beat shallower
// misses (checked here by runs of its own).
TEST(FifoSizing, StartedFromDeeperDepthsThePassesCutDownToLeastOnes) {
  for (const fs::path& p : {kTfc, kData / "residual-shallow-skip.yaml"}) {
    const ir::Design d = load(p);
    const explore::FifoSizing cold = explore::size_fifos(d, {});
    std::map<std::string, int> finn;
    for (const auto& f : cold.fifos) finn[f.name] = f.finn_depth;
    ASSERT_TRUE(cold.finn_rule.reached) << p;
    ASSERT_LE(cold.finn_rule.interval, cold.target_interval) << p;
    const ir::Design deep = with(d, cold.fifos, finn);
    explore::FifoSizingOptions from_given;
    from_given.start_from_given = true;
    const explore::FifoSizing warm = explore::size_fifos(deep, from_given);
    ASSERT_TRUE(warm.given_start_met) << p;
    EXPECT_TRUE(warm.least) << p;
    bool cut = false;
    for (const auto& f : warm.fifos) {
      EXPECT_LE(f.depth, std::max(f.depth_before, explore::rate_floor_depth(f, warm.target_interval, 1)))
          << p << " " << f.name;
      cut = cut || f.depth < f.depth_before;
    }
    EXPECT_TRUE(cut) << p << ": nothing cut from FINN's rule's depths";
    ASSERT_TRUE(warm.sized.reached) << p;
    EXPECT_EQ(warm.sized.interval, warm.target_interval) << p;
    EXPECT_TRUE(meets(with(deep, warm.fifos, {}), warm.frames, warm.target_interval)) << p;
    expect_each_one_shallower_misses(deep, warm);
  }
}

// Depths that miss the target (the residual block as given deadlocks) are
// no start: the search runs from the peaks and finds what it finds without.
TEST(FifoSizing, DepthsThatMissTheTargetStartTheSearchAtThePeaks) {
  const ir::Design d = load(kData / "residual-shallow-skip.yaml");
  explore::FifoSizingOptions from_given;
  from_given.start_from_given = true;
  const explore::FifoSizing cold = explore::size_fifos(d, {}), warm = explore::size_fifos(d, from_given);
  ASSERT_TRUE(warm.before.deadlock);
  EXPECT_TRUE(warm.given_start_tried);
  EXPECT_FALSE(warm.given_start_met);
  ASSERT_EQ(warm.fifos.size(), cold.fifos.size());
  for (size_t i = 0; i < cold.fifos.size(); ++i) EXPECT_EQ(warm.fifos[i].depth, cold.fifos[i].depth) << cold.fifos[i].name;
  EXPECT_TRUE(warm.least);
}

TEST(FinnFifoStyle, DepthsAndCostsAsFinnBuildsThem) {
  EXPECT_EQ(explore::finn_rounded_depth(1), 2);
  EXPECT_EQ(explore::finn_rounded_depth(3), 32);
  EXPECT_EQ(explore::finn_rounded_depth(33), 33);
  const explore::FinnFifo srl = explore::finn_fifo(64, 256);
  EXPECT_EQ(srl.impl_style, "rtl");
  EXPECT_EQ(srl.bram18, 0);
  EXPECT_EQ(srl.lut, 2 * 8 + 8 * 32);  // pointers + ceil(256/32) * ceil(64/2)
  const explore::FinnFifo ip = explore::finn_fifo(64, 257);
  EXPECT_EQ(ip.impl_style, "vivado");
  EXPECT_EQ(ip.built_depth, 512);
  EXPECT_EQ(ip.bram18, 2);  // 512 deep, 36-bit columns: ceil(64/36)
  EXPECT_EQ(explore::finn_fifo(8, 4096).bram18, 2);  // 2048 x 9 per RAMB18
}

}  // namespace
}  // namespace vine
