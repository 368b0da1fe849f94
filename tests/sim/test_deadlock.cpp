// A design that cannot make progress is detected and diagnosed: a residual
// block whose skip FIFO is too shallow for the window generator to fill.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/config/loaders.h"
#include "sim/run/simulation.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
const fs::path kData = fs::path(VINE_SOURCE_DIR) / "tests" / "sim" / "data";

TEST(Deadlock, ShallowSkipFifoIsReportedWithTheWaitCycle) {
  const ir::Design d = config::load_design((kData / "residual-shallow-skip.yaml").string());
  sim::RunOptions o;
  o.frames = 2;
  sim::Simulation simulation(d, o);
  const auto& r = simulation.run();
  ASSERT_FALSE(r.finished);
  EXPECT_FALSE(r.outputs_match_reference.has_value());
  // The cycle of waits: the duplicator cannot write the full skip FIFO, the
  // add waits for the branch, the branch waits for the duplicator.
  EXPECT_NE(r.deadlock.find("stem.dup waits for a slot in stem->join (2/2)"), std::string::npos) << r.deadlock;
  EXPECT_NE(r.deadlock.find("join.add waits for a beat on branch->join"), std::string::npos) << r.deadlock;
  EXPECT_NE(r.deadlock.find("branch.swg waits for a beat"), std::string::npos) << r.deadlock;
  int blocked = 0;
  for (const auto& s : r.stages) blocked += !s.blocked_on.empty();
  EXPECT_GE(blocked, 5);
  // The skip FIFO is stuck full: as many beats as the design's depth for it.
  const auto spec = std::find_if(d.fifos.begin(), d.fifos.end(), [](const ir::FifoSpec& f) {
    return f.from == "stem" && f.to == "join";
  });
  ASSERT_NE(spec, d.fifos.end()) << "the design has no stem -> join FIFO";
  const auto skip = std::find_if(r.fifos.begin(), r.fifos.end(),
                                 [](const sim::FifoReport& f) { return f.name == "stem->join"; });
  ASSERT_NE(skip, r.fifos.end()) << "no FIFO named stem->join in the report";
  EXPECT_EQ(skip->capacity, spec->depth);
  EXPECT_EQ(skip->occupancy, spec->depth);
}

TEST(Deadlock, DeepEnoughSkipFifoRunsAndMatches) {
  const ir::Design d = config::load_design((kData / "residual-deep-skip.yaml").string());
  sim::RunOptions o;
  o.frames = 3;
  sim::Simulation simulation(d, o);
  const auto& r = simulation.run();
  ASSERT_TRUE(r.finished) << r.deadlock;
  ASSERT_TRUE(r.outputs_match_reference.has_value());
  EXPECT_TRUE(*r.outputs_match_reference);
}

// The smallest skip depth that runs: one below it deadlocks, it and above run.
TEST(Deadlock, SkipDepthThresholdIsSharp) {
  ir::Design d = config::load_design((kData / "residual-shallow-skip.yaml").string());
  auto runs = [&](int depth) {
    for (auto& f : d.fifos)
      if (f.from == "stem" && f.to == "join") f.depth = depth;
    sim::ProcessNetwork pn(d, {2, true, false}, nullptr, {}, {});
    return pn.run();
  };
  int lo = 1, hi = 64;  // runs(hi), !runs(lo)
  ASSERT_FALSE(runs(lo));
  ASSERT_TRUE(runs(hi));
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    (runs(mid) ? hi : lo) = mid;
  }
  EXPECT_FALSE(runs(hi - 1));
  EXPECT_TRUE(runs(hi));
  EXPECT_TRUE(runs(hi + 7));
  // The window generator reads K rows (plus padding) before its first window:
  // the skip FIFO must hold more than a couple of beats.
  EXPECT_GT(hi, 8);
}

TEST(Deadlock, CliExitsTwoWithTheDiagnosisInJson) {
  const fs::path json = fs::temp_directory_path() / "vine-deadlock.json";
  const std::string cmd = std::string(VINE_BINARY) + " run " + (kData / "residual-shallow-skip.yaml").string() +
                          " --frames 2 --json " + json.string() + " > /dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  ASSERT_TRUE(j["deadlock"].is_object());
  EXPECT_NE(j["deadlock"]["message"].get<std::string>().find("stem->join"), std::string::npos);
  EXPECT_FALSE(j["deadlock"]["fifos"].empty());
  EXPECT_TRUE(j["outputs_match_reference"].is_null());
}

}  // namespace
}  // namespace vine
