// The fast-forward of timing-only runs (models/stage/fast_forward.h) is
// exact: a run that skips the frames whose timing repeats reports every
// figure a run of every frame reports (the whole JSON report but the
// `fast_forward` field that says what was skipped), on every shipped design
// and on random ones (tests/sim/test_cycle_exact.cpp has those), for several
// frame counts, including counts at which it does skip. It skips on CNV,
// and never in runs with traces or data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sim/config/loaders.h"
#include "sim/explore/fifo_sizing.h"
#include "sim/run/run_format.h"
#include "sim/run/simulation.h"
#include "sim/run/timing_run.h"
#include "tests/sim/design_case.h"
#include "tests/sim/random_depths.h"
#include "tests/sim/run_vine.h"

namespace fs = std::filesystem;
using namespace vine;
using nlohmann::json;

namespace {

const fs::path kDesigns = fs::path(VINE_SOURCE_DIR) / "configs" / "designs";

// Where two JSON values differ, one path a line (at most `limit`).
void differences(const json& want, const json& got, const std::string& path,
                 std::vector<std::string>& out, size_t limit = 12) {
  if (out.size() >= limit) return;
  if (want.is_object() && got.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : want.items()) keys.insert(k);
    for (const auto& [k, v] : got.items()) keys.insert(k);
    for (const auto& k : keys) {
      if (!want.contains(k) || !got.contains(k))
        out.push_back(path + "." + k + (want.contains(k) ? " missing" : " extra"));
      else
        differences(want[k], got[k], path + "." + k, out, limit);
    }
  } else if (want.is_array() && got.is_array() && want.size() == got.size()) {
    for (size_t i = 0; i < want.size(); ++i) differences(want[i], got[i], path + "[" + std::to_string(i) + "]", out, limit);
  } else if (want != got) {
    out.push_back(path + ": " + want.dump() + " in the full run, " + got.dump() + " fast-forwarded");
  }
}

struct TimingRun {
  json report;
  sim::RunReport::FastForward ff;
  bool longer_read_off = false;  // the judgement's longer run read off the run's repetition
};

// A timing-only run; `steady`: with the steady-state judgement (its own
// timing runs, fast-forwarded or not with the run).
TimingRun run(const ir::Design& d, int frames, bool fast_forward, bool steady = false) {
  sim::RunOptions o;
  o.frames = frames;
  o.timing_only = true;
  o.fast_forward = fast_forward;
  o.steady_state = steady;
  o.backend = sim::BackendChoice::kCpp;
  sim::Simulation s(d, o);
  const sim::RunReport& r = s.run();
  return {sim::to_json(r, s.estimate()), r.fast_forward, s.longer_run_read_off()};
}

// Compares a fast-forwarded and a full run field by field; returns the
// frames skipped. `read_off`, when given, tells whether the fast run's
// judgement read its longer run off the repetition.
int64_t expect_same_report(const ir::Design& d, int frames, bool steady = false, bool* read_off = nullptr) {
  TimingRun fast = run(d, frames, true, steady), full = run(d, frames, false, steady);
  EXPECT_FALSE(full.longer_read_off);
  if (read_off) *read_off = fast.longer_read_off;
  EXPECT_EQ(full.ff.frames_skipped, 0) << d.name << ": the full run skipped frames";
  EXPECT_EQ(full.ff.off, "off (--no-fast-forward)");
  EXPECT_LE(fast.ff.frames_skipped, frames);
  fast.report.erase("fast_forward");
  full.report.erase("fast_forward");
  std::vector<std::string> diffs;
  differences(full.report, fast.report, "", diffs);
  std::string text;
  for (const auto& l : diffs) text += "\n  " + l;
  EXPECT_TRUE(diffs.empty()) << d.name << ", " << frames << " frames (" << fast.ff.frames_skipped
                             << " skipped):" << text;
  return fast.ff.frames_skipped;
}

// Every shipped design: the frame counts compared, and one at which the
// fast-forward must skip (its timing state repeats from a frame that deep
// FIFOs filling slowly put late on some designs; measured with `vine run
// DESIGN --timing-only --frames 3000 --json -`, field fast_forward.from_frame).
// Simulating every frame of the large designs is slow: they are compared at
// fewer and smaller counts, but compared.
struct ShippedCase {
  std::vector<int> frames;
  int skips_at;  // a frame count whose run skips frames; 0: none checked
};
const std::map<std::string, ShippedCase>& shipped_cases() {
  static const std::map<std::string, ShippedCase> cases = {
      {"default.yaml", {{1, 2, 3, 7, 50}, 700}},
      {"bnn-pynq/cnv-w1a1-pynq-z1.yaml", {{3, 50}, 0}},  // default.yaml skips at 700
      {"bnn-pynq/cnv-w1a2-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 320}},
      {"bnn-pynq/cnv-w2a2-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 20}},
      {"bnn-pynq/lfc-w1a1-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 600}},
      {"bnn-pynq/lfc-w1a2-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 600}},
      {"finn-examples/tfc-w1a1-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 20}},
      {"finn-examples/cnv-w1a1-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 20}},  // from_frame 3
      {"finn-examples/cnv-w1a2-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 20}},  // from_frame 3
      {"finn-examples/cnv-w2a2-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 20}},  // from_frame 3
      {"finn-examples/cnv-w1a1-gtsrb-pynq-z1.yaml", {{1, 3, 50}, 20}},  // from_frame 3
      {"finn-examples/kws-mlp-w3a3-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 20}},  // from_frame 4
      {"finn-examples/vgg10-radioml-w4a4-zcu104.yaml", {{1, 2, 3, 7, 50}, 20}},  // from_frame 4
      {"cosim/mixed-pow2-fixed-pynq-z1.yaml", {{1, 2, 3, 7, 50}, 0}},
      {"finn-examples/mobilenet-v1-w4a4-u250.yaml", {{2}, 12}},  // from_frame 2
      {"finn-examples/mobilenet-v1-w4a4-u250-depth2.yaml", {{2}, 12}},
      // Its runs are slow (its 2-deep FIFOs stall every stage): compared at
      // 2 frames only, its skip not checked.
      {"finn-examples/mobilenet-v1-w4a4-zcu104.yaml", {{2}, 0}},
      {"resnet18/resnet18-mixed-u250.yaml", {{2, 7}, 0}},
      // 2.6 M cycles a frame over 515 stages: compared at 1 frame only.
      {"finn-examples/resnet50-w1a2-u250.yaml", {{1}, 0}},
  };
  return cases;
}

}  // namespace

// FINN's RTL MVAU reads the next vector's first beats during the current
// vector's last pass, before its cut of the next frame (mvau_rtl.h): the
// FIFO before it keeps the read stamps of those beats too, or the
// repetition, which compares them, is never found. One FC layer, NF 24,
// SF 16 (a replay buffer of 16 beats): it repeats, and exactly.
TEST(FastForward, RtlMvauReadingAheadOfItsCutRepeats) {
  const testing_support::DesignCase c(
      "ff-mvau-rtl",
      "input: {shape: [1, 1, 128], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: fc, kind: fc, out_features: 24, weights: {arithmetic: fixed, bits: 4}, output: {kind: accumulator}}\n",
      "  fc: {pe: 1, simd: 8, impl_style: {mvau: rtl}}\n");
  const ir::Design d = c.load();
  EXPECT_GT(expect_same_report(d, 100), 0) << "did not fast-forward";
  EXPECT_EQ(run(d, 100, true).ff.from_frame, 2);
}

// No shipped design is left out: a new one must say how it is compared.
TEST(FastForward, EveryShippedDesignHasACase) {
  std::vector<std::string> missing;
  for (const auto& e : fs::recursive_directory_iterator(kDesigns))
    if (e.path().extension() == ".yaml") {
      const std::string rel = fs::relative(e.path(), kDesigns).generic_string();
      if (!shipped_cases().count(rel)) missing.push_back(rel);
    }
  EXPECT_TRUE(missing.empty()) << "add to shipped_cases(): " << missing.front();
}

class FastForwardShipped : public ::testing::TestWithParam<std::string> {};

TEST_P(FastForwardShipped, EveryFieldAsInTheFullRun) {
  const ShippedCase& c = shipped_cases().at(GetParam());
  const ir::Design d = config::load_design((kDesigns / GetParam()).string());
  for (int n : c.frames) expect_same_report(d, n);
  if (c.skips_at > 0) {
    EXPECT_GT(expect_same_report(d, c.skips_at), 0) << d.name << " did not fast-forward";
  }
}

INSTANTIATE_TEST_SUITE_P(Designs, FastForwardShipped, ::testing::ValuesIn([] {
                           std::vector<std::string> v;
                           for (const auto& [k, c] : shipped_cases()) v.push_back(k);
                           return v;
                         }()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string s = i.param.substr(0, i.param.size() - 5);
                           for (char& ch : s)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

using testing_support::random_depths;

// With the steady-state judgement, whose timing runs are fast-forwarded too
// (and whose longer run a timing-only run reads off its own repetition,
// Simulation::longer_run_from_repetition): every field, the judgement's
// included, as when every run is simulated in full. Shipped designs, and
// random FIFO depths on small ones and residual blocks.
TEST(FastForward, SteadyStateJudgedAsInTheFullRun) {
  for (const auto& [rel, frames] : std::vector<std::pair<std::string, int>>{
           {"bnn-pynq/cnv-w2a2-pynq-z1.yaml", 40},
           {"finn-examples/tfc-w1a1-pynq-z1.yaml", 200},
           {"bnn-pynq/lfc-w1a1-pynq-z1.yaml", 600},
           {"bnn-pynq/cnv-w1a2-pynq-z1.yaml", 320}}) {
    const ir::Design d = config::load_design((kDesigns / rel).string());
    bool read_off = false;
    EXPECT_GT(expect_same_report(d, frames, true, &read_off), 0) << rel;
    EXPECT_TRUE(read_off) << rel << ": the longer run was simulated, the comparison does not reach it";
  }
  const fs::path data = fs::path(VINE_SOURCE_DIR) / "tests" / "sim" / "data";
  std::mt19937 rng(11);
  int read_off_runs = 0, tried = 0;
  for (const fs::path& path : {kDesigns / "finn-examples/tfc-w1a1-pynq-z1.yaml", data / "residual-shallow-skip.yaml",
                               data / "residual-deep-skip.yaml"}) {
    const ir::Design base = config::load_design(path.string());
    const std::vector<explore::SizedFifo> fifos = explore::plan_fifos(base);
    for (int v = 0; v < 5; ++v) {
      const ir::Design d = random_depths(base, fifos, rng);
      for (int frames : {20, 60}) {
        ++tried;
        bool read_off = false;
        expect_same_report(d, frames, true, &read_off);
        read_off_runs += read_off;
      }
    }
  }
  EXPECT_GE(2 * read_off_runs, tried) << read_off_runs << " of " << tried
                                      << " random variants read their longer run off: the comparison is nearly vacuous";
}

// On CNV it skips all but the frames before the repetition and the last few,
// and says so; traces, data and --no-fast-forward simulate every frame.
TEST(FastForward, SkipsOnCnvButNotWithTracesOrData) {
  const ir::Design d = config::load_design((kDesigns / "bnn-pynq/cnv-w2a2-pynq-z1.yaml").string());
  const TimingRun r = run(d, 200, true);
  EXPECT_EQ(r.ff.period_frames, 1);
  EXPECT_EQ(r.ff.period_cycles, 116297);  // the steady interval (docs/simulation.md)
  EXPECT_GT(r.ff.frames_skipped, 200 - 30);
  EXPECT_EQ(r.report["fast_forward"]["frames_skipped"], r.ff.frames_skipped);

  sim::RunOptions o;
  o.frames = 30;
  o.steady_state = false;
  o.timing_only = true;
  o.record = true;  // what --vcd and --perfetto ask for
  {
    sim::Simulation s(d, o);
    const auto& rr = s.run();
    EXPECT_EQ(rr.fast_forward.frames_skipped, 0);
    EXPECT_NE(rr.fast_forward.off.find("traces"), std::string::npos) << rr.fast_forward.off;
  }
  o.record = false;
  o.timing_only = false;  // bit-exact: every frame's arithmetic
  {
    sim::Simulation s(d, o);
    const auto& rr = s.run();
    EXPECT_EQ(rr.fast_forward.frames_skipped, 0);
    EXPECT_NE(rr.fast_forward.off.find("bit-exact"), std::string::npos) << rr.fast_forward.off;
    EXPECT_EQ(rr.outputs_match_reference, true);
  }
}

// A producer filling a deep FIFO drifts ahead of its consumer a little more
// each frame, each side repeating with its own period of cycles: the run
// jumps while the slack allows, watches on, and jumps again, and every
// field is still the full run's. On CNV-W1A1 as shipped (its 128-deep
// FIFOs fill one after another: four drifting jumps, then the steady state)
// and on CNV-W1A1 and TFC with the FIFOs between layers at random depths up
// to twice a frame.
TEST(FastForward, DriftingFifosJumpAndTheFiguresStayExact) {
  const ir::Design cnv = config::load_design((kDesigns / "default.yaml").string());
  {
    const TimingRun r = run(cnv, 700, true);
    EXPECT_GE(r.ff.jumps, 2);
    EXPECT_TRUE(r.ff.drifting.empty()) << "the last jump is the steady state's";
    EXPECT_EQ(r.ff.period_cycles, 32768);
    EXPECT_EQ(r.report["fast_forward"]["jumps"], r.ff.jumps);
  }
  const TimingRun early = run(cnv, 50, true);
  EXPECT_GT(early.ff.frames_skipped, 0);
  EXPECT_FALSE(early.ff.drifting.empty()) << "50 frames end before the steady state";
  expect_same_report(cnv, 50);
  // Random depths on every FIFO between layers (TFC, CNV-W1A1), and on
  // CNV-W1A1 a deeper input FIFO (its DMA is faster than conv0 by 296 cycles
  // a frame, so the FIFO fills by about 9 beats a frame: for 15 to 230 frames).
  std::mt19937 rng(5);
  int drifted = 0, tried = 0;
  struct Variant {
    fs::path design;
    bool input_only;
  };
  for (const Variant& c : {Variant{kDesigns / "finn-examples/tfc-w1a1-pynq-z1.yaml", false},
                           Variant{kDesigns / "default.yaml", false}, Variant{kDesigns / "default.yaml", true}}) {
    const ir::Design base = config::load_design(c.design.string());
    const std::vector<explore::SizedFifo> fifos = explore::plan_fifos(base);
    for (int v = 0; v < 3; ++v) {
      const ir::Design d = explore::with_depths(base, fifos, [&](const explore::SizedFifo& f) {
        if (c.input_only)
          return f.name == "input->conv0" ? std::uniform_int_distribution<int>(128, 2048)(rng) : f.depth_before;
        if (!f.graph_edge) return f.depth_before;
        return int(std::uniform_int_distribution<int64_t>(1, std::max<int64_t>(1, 2 * f.words))(rng));
      });
      for (int frames : {40, 200}) {
        const TimingRun fast = run(d, frames, true);
        if (c.input_only) {
          ++tried;
          drifted += fast.ff.jumps > 1 || !fast.ff.drifting.empty();
        }
        expect_same_report(d, frames);
      }
    }
  }
  EXPECT_GE(2 * drifted, tried) << drifted << " of " << tried
                                << " runs with a deeper input FIFO jumped while drifting: the comparison is nearly vacuous";
}

// `vine run --timing-only` skips and says so in the summary and the JSON;
// `--no-fast-forward` does not; both JSON reports agree on everything else.
TEST(FastForward, CommandLine) {
  const std::string design = (kDesigns / "finn-examples/tfc-w1a1-pynq-z1.yaml").string();
  const fs::path dir = fs::temp_directory_path() / ("vine_ffwd_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string a = (dir / "fast.json").string(), b = (dir / "full.json").string();
  const vine_test::Split fast = vine_test::vine_split("run " + design + " --timing-only --frames 100 --json " + a);
  const vine_test::Split full =
      vine_test::vine_split("run " + design + " --timing-only --frames 100 --no-fast-forward --json " + b);
  ASSERT_EQ(fast.code, 0) << fast.err;
  ASSERT_EQ(full.code, 0) << full.err;
  EXPECT_NE(fast.out.find("fast-fwd   "), std::string::npos) << fast.out;
  EXPECT_NE(fast.out.find(" of 100 frames skipped"), std::string::npos) << fast.out;
  EXPECT_NE(full.out.find("fast-fwd   none: every frame simulated (off (--no-fast-forward))"), std::string::npos)
      << full.out;
  auto read_file = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream t;
    t << in.rdbuf();
    return t.str();
  };
  json ja = json::parse(read_file(a)), jb = json::parse(read_file(b));
  EXPECT_GT(ja["fast_forward"]["frames_skipped"].get<int64_t>(), 0);
  EXPECT_EQ(jb["fast_forward"]["frames_skipped"].get<int64_t>(), 0);
  ja.erase("fast_forward");
  jb.erase("fast_forward");
  std::vector<std::string> diffs;
  differences(jb, ja, "", diffs);
  EXPECT_TRUE(diffs.empty()) << diffs.front();
  fs::remove_all(dir);
}

// Deciding only (the trials of `vine fifo-size`, sim::endless_interval): the
// interval read off the first repetition of the timing state, within a run
// of 20 frames, is the spacing every later frame keeps in a run of every
// frame. On shipped designs and on variants with random FIFO depths
// (shallow, deep, residual branches); a variant that deadlocks finds none.
TEST(FastForward, TheFirstRepetitionGivesTheSpacingOfEveryLaterFrame) {
  const fs::path data = fs::path(VINE_SOURCE_DIR) / "tests" / "sim" / "data";
  struct Case {
    fs::path design;
    int variants;  // random-depth variants besides the design as shipped
  };
  const std::vector<Case> cases = {
      {kDesigns / "finn-examples/tfc-w1a1-pynq-z1.yaml", 6},
      {kDesigns / "bnn-pynq/lfc-w1a1-pynq-z1.yaml", 4},
      {kDesigns / "cosim/mixed-pow2-fixed-pynq-z1.yaml", 3},
      {kDesigns / "bnn-pynq/cnv-w2a2-pynq-z1.yaml", 0},
      {data / "residual-shallow-skip.yaml", 6},
      {data / "residual-deep-skip.yaml", 6},
  };
  std::mt19937 rng(7);
  int tried = 0, found = 0;
  for (const Case& c : cases) {
    const ir::Design base = config::load_design(c.design.string());
    const std::vector<explore::SizedFifo> fifos = explore::plan_fifos(base);
    for (int v = 0; v <= c.variants; ++v) {
      const ir::Design d = v == 0 ? base : random_depths(base, fifos, rng);
      const std::string what = c.design.filename().string() + " variant " + std::to_string(v);
      const sim::EndlessInterval e = sim::endless_interval(d, 20);
      ++tried;
      if (!e.found) continue;
      ++found;
      const int p = e.period_frames, g = int(e.from_frame);
      ASSERT_GE(g, 1) << what;
      sim::RunOptions o;
      o.frames = g + p + 30;
      o.timing_only = true;
      o.fast_forward = false;
      o.steady_state = false;
      o.backend = sim::BackendChoice::kCpp;
      sim::Simulation s(d, o);
      const sim::RunReport& r = s.run();
      ASSERT_TRUE(r.finished) << what << ": a design whose timing repeats deadlocked";
      const auto& last = r.frame_last_out_cycles;
      ASSERT_EQ(int(last.size()), o.frames) << what;
      for (int f = g; f + p < g + 16; ++f)
        EXPECT_EQ(last[size_t(f + p)] - last[size_t(f)], e.period_cycles)
            << what << ": frame " << f + p << " against frame " << f << " (repeats from frame " << g
            << ", every " << p << " frames)";
    }
  }
  // Most of them repeat early; the check is not vacuous.
  EXPECT_GE(2 * found, tried) << found << " of " << tried << " repeated within 20 frames";
}

// Deciding with drift jumps (the trials of `vine fifo-size` with their
// shortcuts): where a producer fills a deep FIFO a little more each frame,
// the frames until it is full are jumped inside the trial's run, and the
// repetition after them gives the spacing every later frame keeps, as a run
// of every frame (fast-forwarded as `vine run` does, itself checked above)
// shows. On random FIFO depths of TFC and the mixed design, where some
// variants decide nothing in 20 frames without the jumps; where both
// decide, the intervals are equal.
TEST(FastForward, DecidingJumpsTheFramesInWhichAFifoFills) {
  int with_jumps = 0, without = 0, jumped = 0;
  for (const char* rel : {"finn-examples/tfc-w1a1-pynq-z1.yaml", "cosim/mixed-pow2-fixed-pynq-z1.yaml"}) {
    const ir::Design base = config::load_design((kDesigns / rel).string());
    const std::vector<explore::SizedFifo> fifos = explore::plan_fifos(base);
    std::mt19937 rng(3);
    for (int v = 0; v < 12; ++v) {
      const ir::Design d = random_depths(base, fifos, rng);
      const std::string what = std::string(rel) + " variant " + std::to_string(v);
      const sim::EndlessInterval plain = sim::endless_interval(d, 20);
      const sim::EndlessInterval e = sim::endless_interval(d, 20, nullptr, nullptr, true);
      without += plain.found;
      if (!e.found) continue;
      ++with_jumps;
      if (plain.found) {
        EXPECT_EQ(e.interval_cycles(), plain.interval_cycles()) << what;
      }
      if (e.jumps == 0) continue;
      ++jumped;
      const int p = e.period_frames, g = int(e.from_frame);
      sim::RunOptions o;
      o.frames = g + p + 30;
      o.timing_only = true;
      o.steady_state = false;
      o.backend = sim::BackendChoice::kCpp;
      sim::Simulation s(d, o);
      const sim::RunReport& r = s.run();
      ASSERT_TRUE(r.finished) << what;
      const auto& last = r.frame_last_out_cycles;
      ASSERT_EQ(int(last.size()), o.frames) << what;
      for (int f = g; f + p < g + 16; ++f)
        EXPECT_EQ(last[size_t(f + p)] - last[size_t(f)], e.period_cycles)
            << what << ": frame " << f + p << " against frame " << f << " (repeats from frame " << g
            << ", every " << p << " frames, after " << e.jumps << " jumps)";
    }
  }
  EXPECT_GT(jumped, 0) << "no trial jumped: the check is vacuous";
  EXPECT_GT(with_jumps, without) << "the jumps decided no trial the plain watch could not";
}

// Deciding against a target by bounds (the trials of `vine fifo-size` with
// their shortcuts): two cuts of the same structure bound an endless stream's
// interval between the least and the most any cycle of the state moved on
// (max-plus Collatz-Wielandt bounds). Every verdict so reached, on random
// FIFO depths of small designs and residual blocks, agrees with the exact
// interval the first plain repetition gives in a run of many frames, and
// that interval lies on the bound's side.
TEST(FastForward, BoundsDecideOnTheRightSideOfTheTarget) {
  const fs::path data = fs::path(VINE_SOURCE_DIR) / "tests" / "sim" / "data";
  int by_bound = 0, checked = 0, below = 0, above = 0;
  for (const fs::path& p : {kDesigns / "finn-examples/tfc-w1a1-pynq-z1.yaml", kDesigns / "cosim/mixed-pow2-fixed-pynq-z1.yaml",
                            kDesigns / "bnn-pynq/lfc-w1a1-pynq-z1.yaml", data / "residual-shallow-skip.yaml",
                            data / "residual-deep-skip.yaml"}) {
    const ir::Design base = config::load_design(p.string());
    const std::vector<explore::SizedFifo> fifos = explore::plan_fifos(base);
    // The target: the interval with FIFOs a frame deep (any target would do).
    const sim::SteadyState deep = sim::judge_timing(explore::with_frame_deep_fifos(base), 20);
    ASSERT_TRUE(deep.reached) << p;
    const double target = deep.interval_cycles();
    std::mt19937 rng(13);
    for (int v = 0; v < 16; ++v) {
      const ir::Design d = random_depths(base, fifos, rng);
      const std::string what = p.filename().string() + " variant " + std::to_string(v);
      const sim::EndlessInterval e = sim::endless_interval(d, 20, nullptr, nullptr, true, target);
      if (e.found || e.bound == 0) continue;
      ++by_bound;
      (e.bound > 0 ? below : above) += 1;
      const sim::EndlessInterval exact = sim::endless_interval(d, 300);
      if (!exact.found) continue;
      ++checked;
      const double x = exact.interval_cycles();
      if (e.bound > 0) {
        EXPECT_LE(x, e.bound_interval + 1e-9) << what;
        EXPECT_LE(e.bound_interval, target + 1e-9) << what;
      } else {
        EXPECT_GE(x, e.bound_interval - 1e-9) << what;
        EXPECT_GT(e.bound_interval, target) << what;
      }
    }
  }
  EXPECT_GT(checked, 5) << by_bound << " decided by bounds";
  EXPECT_GT(below, 0);
  EXPECT_GT(above, 0);
}
