// The command line through the real binary: exit codes, messages, JSON.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

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

namespace {

// A design in its own temporary directory, removed afterwards, and where in
// its text a value sits (1-based line and column, as errors report them).
struct TempDesign {
  fs::path dir, path;
  std::string text;
  explicit TempDesign(const std::string& name, std::string body) : text(std::move(body)) {
    dir = fs::temp_directory_path() / ("vine-cli-" + name + "-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    path = dir / "design.yaml";
    std::ofstream(path) << text;
  }
  ~TempDesign() { fs::remove_all(dir); }
  std::string location_of(const std::string& needle) const {
    const size_t at = text.find(needle);
    const size_t line_start = text.rfind('\n', at) + 1;  // npos + 1 == 0 on the first line
    const auto line = 1 + std::count(text.begin(), text.begin() + std::ptrdiff_t(at), '\n');
    return path.string() + ":" + std::to_string(line) + ":" + std::to_string(at - line_start + 1);
  }
};

std::string tfc_design_text(const std::string& top, const std::string& fc1) {
  return "design: ddr-weights\nnetwork: " + kConfigs +
         "networks/tfc-w1a1.yaml\ndevice: " + kConfigs + "devices/pynq-z1.yaml\n" + top +
         "layers:\n  fc0: {simd: 49, pe: 16}\n  fc1: {simd: 8, pe: 8" + fc1 + "}\n";
}

}  // namespace

// Weights streamed from DDR are not simulated: `vine run` and `vine bench`
// refuse them at the field that asks for them, rather than report on-chip
// timing; `vine estimate` and `vine validate` accept them.
TEST(Cli, RunAndBenchRefuseDdrWeightsAtTheLayersField) {
  const TempDesign t("ddr-layer", tfc_design_text("", ", weight_memory: ddr"));
  const std::string want =
      t.location_of("ddr}") +
      ": layers.fc1.weight_memory: got 'ddr', expected an on-chip weight_memory (bram, lutram "
      "or uram) for layer 'fc1': DDR weight streaming is not simulated yet";
  for (const char* cmd : {"run", "run --timing-only", "bench --frames 2"}) {
    const auto r = vine(std::string(cmd) + " " + t.path.string());
    EXPECT_EQ(r.code, 1) << cmd << "\n" << r.output;
    EXPECT_NE(r.output.find("error: " + want), std::string::npos) << cmd << "\n" << r.output;
    // Refused before anything ran: no report, no reference timing.
    EXPECT_EQ(r.output.find("frames/s"), std::string::npos) << cmd << "\n" << r.output;
  }
  const auto v = vine("validate " + t.path.string());
  EXPECT_EQ(v.code, 0) << v.output;
  const auto e = vine("estimate " + t.path.string());
  EXPECT_EQ(e.code, 0) << e.output;
}

TEST(Cli, RunRefusesADesignWideDdrDefaultAtThatField) {
  const TempDesign t("ddr-default", tfc_design_text("weight_memory: ddr\n", ""));
  const auto r = vine("run " + t.path.string());
  EXPECT_EQ(r.code, 1) << r.output;
  // fc0 is the first layer with weights to take the default.
  EXPECT_NE(r.output.find(t.location_of("ddr\n") +
                          ": weight_memory: got 'ddr', expected an on-chip weight_memory (bram, "
                          "lutram or uram) for "
                          "layer 'fc0': DDR weight streaming is not simulated yet"),
            std::string::npos)
      << r.output;
  // Every weighted layer overriding the default with an on-chip memory runs.
  std::string on_chip = tfc_design_text("weight_memory: ddr\n", ", weight_memory: uram");
  on_chip +=
      "  fc2: {simd: 8, pe: 8, weight_memory: lutram}\n  fc3: {simd: 8, pe: 10, weight_memory: "
      "bram}\n";
  on_chip.replace(on_chip.find("pe: 16}"), 7, "pe: 16, weight_memory: bram}");
  const TempDesign ok("ddr-overridden", on_chip);
  const auto runs = vine("run " + ok.path.string() + " --timing-only");
  EXPECT_EQ(runs.code, 0) << ok.text << runs.output;
}
