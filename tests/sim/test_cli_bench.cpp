// `vine bench` through the real binary: the structure of its repeated
// measurements (sample counts, median and spread), never its speed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sim/run_vine.h"

namespace fs = std::filesystem;

namespace {

const std::string kConfigs = std::string(VINE_SOURCE_DIR) + "/configs/";
const std::string kTfc = kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml";
using vine_test::Split;
using vine_test::vine_split;

const char* const kFigures[] = {"reference_fps", "sim_fps", "sim_to_reference_ratio",
                                "timing_only_cycles_per_second"};

// A figure's statistics are those of its own samples.
void expect_consistent(const nlohmann::json& stat, const std::string& what) {
  SCOPED_TRACE(what);
  std::vector<double> v = stat["samples"].get<std::vector<double>>();
  ASSERT_FALSE(v.empty());
  for (double x : v) EXPECT_GT(x, 0);
  std::sort(v.begin(), v.end());
  const double median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  const double lo = stat["min"], hi = stat["max"], med = stat["median"];
  EXPECT_EQ(lo, v.front());
  EXPECT_EQ(hi, v.back());
  EXPECT_DOUBLE_EQ(med, median);
  EXPECT_LE(lo, med);
  EXPECT_LE(med, hi);
  EXPECT_NEAR(double(stat["relative_spread"]), (hi - lo) / med, 1e-12);
}

}  // namespace

// --quick with --samples 7: every figure taken exactly 7 times; its median
// and min .. max those of the samples; the flat figures the medians; each
// ratio sample the pair's own reference and simulation times.
TEST(CliBench, EveryFigureIsTheMedianOfItsSamplesWithItsSpread) {
  const auto r = vine_split("-q bench " + kTfc + " --quick --samples 7 --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["frames"], 2);  // --quick's frame count
  EXPECT_EQ(j["timing_only_frames"], 8);
  EXPECT_EQ(j["samples"]["min_samples"], 7);
  EXPECT_EQ(j["samples"]["min_seconds"], 0.0);
  EXPECT_GT(j["timing_only_cycles"].get<int64_t>(), 0);
  for (const char* f : kFigures) {
    const auto& s = j["stats"][f];
    EXPECT_EQ(s["samples"].size(), 7u) << f;
    expect_consistent(s, f);
    EXPECT_EQ(j[f], s["median"]) << f;
  }
  const auto ref = j["stats"]["reference_fps"]["samples"], sim = j["stats"]["sim_fps"]["samples"],
             ratio = j["stats"]["sim_to_reference_ratio"]["samples"];
  for (size_t k = 0; k < ratio.size(); ++k)  // time ratio = rate ratio, pair by pair
    EXPECT_NEAR(double(ratio[k]), double(ref[k]) / double(sim[k]), 1e-9 * double(ratio[k])) << k;
  // The report says the same, in words.
  for (const char* line : {"golden reference", "bit-exact simulation", "sim / reference time", "timing-only simulation",
                           "(2 frames, 7 samples)", "at least 7, and until they add up to 0 s"})
    EXPECT_NE(r.err.find(line), std::string::npos) << line << "\n" << r.err;
}

// --min-time: samples go on until their measured time reaches it, and stop
// as soon as it does (or at --samples, whichever comes later), never past
// the cap of samples.
TEST(CliBench, SamplesGoOnUntilTheMinimumTimeAndNoFurther) {
  const double min_time = 0.05;
  const auto r = vine_split("-q bench " + kTfc + " -n 2 --timing-frames 400 --samples 3 --min-time 0.05 --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const double frames = j["frames"], cycles = j["timing_only_cycles"];
  // Each sample's measured time, from its figure.
  std::vector<double> pair_secs, timing_secs;
  const auto ref = j["stats"]["reference_fps"]["samples"], sim = j["stats"]["sim_fps"]["samples"];
  ASSERT_EQ(ref.size(), sim.size());
  for (size_t k = 0; k < ref.size(); ++k) pair_secs.push_back(frames / double(ref[k]) + frames / double(sim[k]));
  for (double cps : j["stats"]["timing_only_cycles_per_second"]["samples"]) timing_secs.push_back(cycles / cps);
  const size_t cap = j["samples"]["max_samples"];
  for (const auto* secs : {&pair_secs, &timing_secs}) {
    ASSERT_GE(secs->size(), 3u);
    ASSERT_LE(secs->size(), cap);
    const double total = std::accumulate(secs->begin(), secs->end(), 0.0);
    if (secs->size() < cap) {
      EXPECT_GE(total, min_time * (1 - 1e-9)) << secs->size() << " samples";
    }
    // Without its last sample the rule was not met yet.
    if (secs->size() > 3) {
      EXPECT_LT(total - secs->back(), min_time) << secs->size() << " samples";
    }
  }
}

// --all: every design under the folder, one table row each; a design the
// simulation refuses (weight words wider than a DDR burst) is skipped and
// named with the reason.
TEST(CliBench, AllMeasuresEveryDesignAndNamesTheSkipped) {
  const fs::path dir = fs::temp_directory_path() / ("vine-bench-all-" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  std::ifstream in(kTfc);
  std::stringstream text;
  text << in.rdbuf();
  std::string tfc = text.str();
  for (size_t at; (at = tfc.find("../../")) != std::string::npos;) tfc.replace(at, 6, kConfigs);
  std::ofstream(dir / "sub" / "tfc.yaml") << tfc;
  // fc0's weights in DDR at PE 64, SIMD 784: words of 6272 bytes, wider than an AXI burst.
  std::string ddr = tfc;
  ddr.replace(ddr.find("{simd: 49, pe: 16}"), 18, "{simd: 784, pe: 64, weight_memory: ddr}");
  std::ofstream(dir / "ddr.yaml") << ddr;
  const auto r = vine_split("bench --all " + dir.string() + " --quick --json -");
  fs::remove_all(dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["designs"].size(), 1u) << r.out;
  EXPECT_EQ(j["designs"][0]["path"], "sub/tfc.yaml");
  EXPECT_EQ(j["designs"][0]["design"], "tfc-w1a1-pynq-z1");
  for (const char* f : kFigures) {
    EXPECT_EQ(j["designs"][0]["stats"][f]["samples"].size(), 5u) << f;  // --quick: exactly the 5 samples
    expect_consistent(j["designs"][0]["stats"][f], f);
  }
  EXPECT_GT(j["designs"][0]["peak_rss_mib"].get<double>(), 0);
  ASSERT_EQ(j["skipped"].size(), 1u) << r.out;
  EXPECT_EQ(j["skipped"][0]["design"], "ddr.yaml");
  EXPECT_NE(j["skipped"][0]["reason"].get<std::string>().find("weight words of at most 4096 bytes"),
            std::string::npos)
      << j["skipped"][0];
  // The table: a header, one row for the design, the skipped one named below.
  EXPECT_NE(r.err.find("| design | samples | reference frames/s |"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("| `sub/tfc.yaml` | 5, 5 | "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("skipped ddr.yaml: "), std::string::npos) << r.err;
}

TEST(CliBench, BadSampleOptionsAreUsageErrors) {
  struct Case {
    std::string args, message;
  };
  for (const Case& c : {Case{"bench " + kTfc + " --samples 0", "--samples must be in [1, 1000], got 0"},
                        Case{"bench " + kTfc + " --min-time -1", "--min-time must be in [0, 3600] seconds"},
                        Case{"bench", "missing DESIGN"},
                        Case{"bench --all " + kTfc, "is not a folder"},
                        Case{"bench --all --vp", "--all measures the C++ back-end only"}}) {
    const auto r = vine_split(c.args);
    EXPECT_EQ(r.code, 1) << c.args;
    EXPECT_NE((r.out + r.err).find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
}
