// `vine sweep` (sim/explore/sweep_spec.h, sim/cli/cmd_sweep.cpp): the grid a
// spec expands into, its errors, and a sweep run through the vine program
// with a failing point, then resumed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/config/config_error.h"
#include "sim/explore/sweep_spec.h"
#include "tests/sim/run_vine.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
const fs::path kSource(VINE_SOURCE_DIR);

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("vine-sweep-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

std::string spec_text(const std::string& options, const std::string& command = "run") {
  return "sweep: s\ncommand: " + command + "\ndesigns: [" +
         (kSource / "configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml").string() + ", " +
         (kSource / "tests/sim/data/residual-shallow-skip.yaml").string() + "]\n" + options;
}

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

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SweepCommand, FailedPointsAreReportedKeptAndRunAgainOnResume) {
  TempDir t;
  const fs::path spec = t.write("s.yaml", spec_text("options:\n  frames: [2, 6]\n  timing-only: true\n"));
  const fs::path out = t.path / "out";
  auto r = vine_test::run_vine("sweep " + spec.string() + " -o " + out.string() + " -j 2");
  EXPECT_EQ(r.code, 2) << r.output;  // the residual block deadlocks: its points fail
  EXPECT_NE(r.output.find("ok 2, failed 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("failed p0003 (exit 2): vine run"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--resume` runs the failed points again"), std::string::npos) << r.output;
  EXPECT_NE(read(out / "points" / "p0003.log").find("DEADLOCK"), std::string::npos);
  const std::string csv = read(out / "points.csv");
  std::istringstream lines(csv);
  std::string header, row;
  std::getline(lines, header);
  EXPECT_EQ(header.rfind("point,design_file,--frames,--timing-only,exit,", 0), 0u) << header;
  int rows = 0, ok = 0;
  while (std::getline(lines, row)) {
    ++rows;
    ok += row.find(",true,0,") != std::string::npos;
  }
  EXPECT_EQ(rows, 4);
  EXPECT_EQ(ok, 2) << csv;
  // TFC's run of 6 frames reaches its steady interval, 99 cycles: a JSON figure in the table.
  EXPECT_NE(header.find(",interval_cycles,"), std::string::npos);

  // --resume keeps the finished points (their files untouched) and runs the failed ones.
  const auto kept_time = fs::last_write_time(out / "points" / "p0001.json");
  r = vine_test::run_vine("sweep " + spec.string() + " -o " + out.string() + " --resume");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("(2 kept from the last run)"), std::string::npos) << r.output;
  EXPECT_EQ(fs::last_write_time(out / "points" / "p0001.json"), kept_time);
  EXPECT_EQ(read(out / "points.csv").size(), csv.size());
}

// `--point K` (what a Slurm array task runs): point K alone, its files
// written as the pool writes them, its exit code the point's.
TEST(SweepCommand, PointRunsOnePointAlone) {
  TempDir t;
  const fs::path spec = t.write("s.yaml", spec_text("options:\n  frames: [2, 6]\n  timing-only: true\n"));
  const fs::path out = t.path / "out";
  auto r = vine_test::run_vine("sweep " + spec.string() + " -o " + out.string() + " --point 3");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_EQ(read(out / "points" / "p0003.exit"), "2\n");
  EXPECT_NE(read(out / "points" / "p0003.log").find("DEADLOCK"), std::string::npos);
  EXPECT_FALSE(fs::exists(out / "points" / "p0001.exit"));
  EXPECT_FALSE(fs::exists(out / "points.csv"));
  r = vine_test::run_vine("sweep " + spec.string() + " -o " + out.string() + " --point 1");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(read(out / "points" / "p0001.exit"), "0\n");
  EXPECT_TRUE(fs::exists(out / "points" / "p0001.json"));
  r = vine_test::run_vine("sweep " + spec.string() + " -o " + out.string() + " --point 5");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("--point: got 5, expected 1 to 4"), std::string::npos) << r.output;
}

// A job array sbatch refuses (here: an empty Slurm configuration, which it
// rejects at once; a missing one it waits a minute for) runs nothing and
// says so, exit 1; the points stay to be run.
TEST(SweepCommand, ARefusedSubmissionIsReported) {
  TempDir t;
  const fs::path spec = t.write("s.yaml", spec_text(""));
  const fs::path out = t.path / "out";
  auto r = vine_test::run_vine("sweep " + spec.string() + " -o " + out.string() + " --slurm",
                               "SLURM_CONF=" + t.write("slurm.conf", "").string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("sbatch did not submit the job array"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out / "points" / "p0001.exit"));
  r = vine_test::run_vine("sweep " + spec.string() + " -o " + out.string() + " --slurm-args=-p");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("--slurm-args: only with --slurm"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace vine
