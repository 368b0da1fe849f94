// `vine sweep`'s spec (sim/explore/sweep_spec.h): the grid it expands into
// and its errors. The command itself is tested in test_explore_cli.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/config/config_error.h"
#include "sim/explore/sweep_spec.h"
#include "tests/sim/sweep_spec_files.h"

namespace vine {
namespace {

namespace fs = std::filesystem;

using vine_test::spec_text;
using vine_test::TempDir;

std::string error_of(const fs::path& spec) {
  try {
    explore::load_sweep_spec(spec.string());
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SweepSpec, EveryCombinationPerDesignTheLastOptionFastest) {
  TempDir t;
  const auto s = explore::load_sweep_spec(
      t.write("a.yaml", spec_text("options:\n  frames: [2, 4, 8]\n  timing-only: [true, false]\n  seed: 5\n")).string());
  ASSERT_EQ(s.points.size(), 2u * 3u * 2u);
  EXPECT_EQ(s.points[0].id, "p0001");
  EXPECT_EQ(s.points[0].args("run"), (std::vector<std::string>{"run", s.points[0].design, "--frames", "2",
                                                                "--timing-only", "--seed", "5"}));
  // A false flag is left out.
  EXPECT_EQ(s.points[1].args("run"), (std::vector<std::string>{"run", s.points[0].design, "--frames", "2", "--seed", "5"}));
  EXPECT_EQ(s.points[2].options[0].second, "4");
  EXPECT_NE(s.points[6].design, s.points[5].design);
  EXPECT_EQ(s.points[6].options[0].second, "2");
  const auto none = explore::load_sweep_spec(t.write("b.yaml", spec_text("", "estimate")).string());
  EXPECT_EQ(none.points.size(), 2u);
}

TEST(SweepSpec, MistakesAreLocated) {
  TempDir t;
  std::string e = error_of(t.write("a.yaml", spec_text("options:\n  frame: [2]\n")));
  EXPECT_NE(e.find("options.frame"), std::string::npos) << e;
  EXPECT_NE(e.find("an option of `vine run` a sweep can vary (backend, frames, seed, timing-only)"), std::string::npos) << e;
  e = error_of(t.write("b.yaml", spec_text("options:\n  frames: [2, 2]\n")));
  EXPECT_NE(e.find("each value once"), std::string::npos) << e;
  e = error_of(t.write("c.yaml", spec_text("options:\n  frames: [0]\n")));
  EXPECT_NE(e.find("got '0'"), std::string::npos) << e;
  e = error_of(t.write("d.yaml", spec_text("", "simulate")));
  EXPECT_NE(e.find("command: got 'simulate'"), std::string::npos) << e;
  e = error_of(t.write("e.yaml", "sweep: s\ncommand: run\ndesigns: [nowhere.yaml]\n"));
  EXPECT_NE(e.find("a path to an existing design file"), std::string::npos) << e;
  e = error_of(t.write("f.yaml", spec_text("options:\n  target-interval: [5]\n")));
  EXPECT_NE(e.find("an option of `vine run`"), std::string::npos) << e;
  e = error_of(t.write("g.yaml", spec_text("colour: blue\n")));
  EXPECT_NE(e.find("colour"), std::string::npos) << e;
}


}  // namespace
}  // namespace vine
