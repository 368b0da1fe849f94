// The command line through the real binary: exit codes, messages, JSON.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string output;  // stdout and stderr
};

Result vine(const std::string& args) {
  const std::string cmd = std::string(VINE_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

const std::string kConfigs = std::string(VINE_SOURCE_DIR) + "/configs/";

}  // namespace

TEST(Cli, HelpListsEveryCommand) {
  const auto r = vine("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* c : {"validate", "reference", "estimate", "exit codes"}) EXPECT_NE(r.output.find(c), std::string::npos) << c;
  for (const char* c : {"validate", "reference", "estimate"}) {
    const auto h = vine(std::string(c) + " --help");
    EXPECT_EQ(h.code, 0) << c;
    EXPECT_NE(h.output.find("--help"), std::string::npos) << c;
  }
}

TEST(Cli, UsageErrorsExitOne) {
  EXPECT_EQ(vine("").code, 1);
  EXPECT_EQ(vine("frobnicate").code, 1);
  EXPECT_EQ(vine("estimate").code, 1);
  EXPECT_EQ(vine("estimate " + kConfigs + "designs/default.yaml --bogus").code, 1);
  EXPECT_EQ(vine("reference " + kConfigs + "devices/pynq-z1.yaml").code, 1);
}

TEST(Cli, ValidateReportsTheFirstProblem) {
  EXPECT_EQ(vine("validate " + kConfigs + "designs/default.yaml").code, 0);
  const fs::path bad = fs::temp_directory_path() / "vine-cli-bad.yaml";
  std::ofstream(bad) << "device: x\nboard: b\npart: p\nfamily: zynq7\nresources: {lut: 1, ff: 1, bram36: -4, uram: 0, dsp: 0}\n"
                        "clock_mhz: 100\nddr: {channels: 1, bandwidth_gbytes_per_s: 1}\n";
  const auto r = vine("validate " + bad.string());
  fs::remove(bad);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find(bad.string() + ":5:36: resources.bram36: got '-4', expected an integer in [0, 1048576]"),
            std::string::npos)
      << r.output;
}

TEST(Cli, EstimateWritesJson) {
  const fs::path out = fs::temp_directory_path() / "vine-cli-estimate.json";
  const auto r = vine("estimate " + kConfigs + "designs/default.yaml --json " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("interval 32768 cycles"), std::string::npos) << r.output;
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in);
  fs::remove(out);
  EXPECT_EQ(j["interval_cycles"], 32768);
  EXPECT_EQ(j["bottleneck"], "fc6");
  EXPECT_EQ(j["layers"].size(), 11u);
}

TEST(Cli, ReferencePrintsChecksumsAndTop1) {
  const auto a = vine("reference " + kConfigs + "networks/tfc-w1a1.yaml --frames 3 --seed 4");
  const auto b = vine("reference " + kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml --frames 3 --seed 4");
  ASSERT_EQ(a.code, 0) << a.output;
  ASSERT_EQ(b.code, 0) << b.output;
  // A design runs its network: same checksums for the same seed.
  auto rows = [](const std::string& s) { return s.substr(s.find("frame"), s.find("frame(s) in") - s.find("frame")); };
  EXPECT_EQ(rows(a.output), rows(b.output));
  EXPECT_NE(a.output.find("     2  0x"), std::string::npos) << a.output;
}

TEST(Cli, BackendOptionIsCheckedBeforeAnythingRuns) {
  const std::string d = kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml";
  const auto bad = vine("run " + d + " --backend verilog");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.output.find("--backend must be cpp or rtl, got 'verilog'"), std::string::npos) << bad.output;
  const auto timing = vine("run " + d + " --backend rtl --timing-only");
  EXPECT_EQ(timing.code, 1);
  EXPECT_NE(timing.output.find("nothing for --backend rtl to co-simulate"), std::string::npos) << timing.output;
  EXPECT_EQ(vine("bench " + d + " --backend fpga").code, 1);
}

TEST(Cli, RtlUnitsListsTheLanesUnitsOfADesign) {
  const auto r = vine("rtl-units --by-layer " + kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("tfc-w1a1-pynq-z1.fc0: mvau_lanes_binary SIMD=49 A=1 A_SIGNED=0 BIPOLAR=1 MW=784"),
            std::string::npos)
      << r.output;
  const fs::path empty = fs::temp_directory_path() / "vine-cli-units.txt";
  std::ofstream(empty) << "# none\n";
  const auto check = vine("rtl-units --check " + empty.string() + " " + kConfigs +
                          "designs/finn-examples/tfc-w1a1-pynq-z1.yaml");
  fs::remove(empty);
  EXPECT_EQ(check.code, 2);
  EXPECT_NE(check.output.find("missing from"), std::string::npos) << check.output;
}

// The headline of `vine run`: too few frames give no interval and say how
// many frames give one; that many give the steady interval, which on the
// default design is the estimate's; the batch figure is always there.
TEST(Cli, RunHeadlineIsTheSteadyStateOrSaysWhatReachesIt) {
  const std::string d = kConfigs + "designs/default.yaml";
  const fs::path json = fs::temp_directory_path() / "vine-cli-run.json";
  const auto r = vine("run " + d + " --timing-only --json " + json.string());
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(std::ifstream(json));
  EXPECT_EQ(j["interval_cycles"], nullptr);
  EXPECT_EQ(j["fps"], nullptr);
  EXPECT_EQ(j["steady_interval_cycles"], nullptr);
  EXPECT_EQ(j["steady_state"]["reached"], false);
  const int needed = j["steady_state"]["frames_needed"];
  EXPECT_GT(needed, 3);
  EXPECT_NE(r.output.find("--frames " + std::to_string(needed) + " reaches it"), std::string::npos)
      << r.output;
  EXPECT_EQ(j["cycles_per_frame_batch"], double(j["cycles_total"]) / 3);
  EXPECT_GT(j["batch_fps"], 0.0);

  const auto s = vine("run " + d + " --timing-only --frames " + std::to_string(needed) +
                      " --json " + json.string());
  ASSERT_EQ(s.code, 0) << s.output;
  j = nlohmann::json::parse(std::ifstream(json));
  fs::remove(json);
  EXPECT_EQ(j["steady_state"]["reached"], true);
  EXPECT_EQ(j["interval_cycles"], j["estimate_interval_cycles"]);
  EXPECT_EQ(j["steady_interval_cycles"], j["interval_cycles"]);
  EXPECT_EQ(j["fps"], 100e6 / double(j["interval_cycles"]));
  EXPECT_NE(
      s.output.find("interval   32768 cycles -> 3051.8 frames/s at 100.0 MHz in steady state"),
      std::string::npos)
      << s.output;
  EXPECT_EQ(j["batch_fps"], 100e6 / double(j["cycles_per_frame_batch"]));
}
