// The command line through the real binary: exit codes, messages, JSON.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sim/run_vine.h"

namespace fs = std::filesystem;

namespace {

using Result = vine_test::VineResult;
using vine_test::Split;
using vine_test::vine_split;

Result vine(const std::string& args, const std::string& env = "") { return vine_test::run_vine(args, env); }

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
  EXPECT_NE(r.output.find("tfc-w1a1-pynq-z1.fc0: mvau_lanes_binary_pes PE=16 SIMD=49 A=1 A_SIGNED=0 BIPOLAR=1 MW=784"),
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

// Weights streamed from DDR: `vine run` and `vine bench` simulate them,
// bit-exact, and the report gives the layer's DDR traffic, the same figure
// per frame as the estimate's.
TEST(Cli, DdrWeightsRunBitExactAndReportTheirTraffic) {
  const TempDesign t("ddr-layer", tfc_design_text("", ", weight_memory: ddr"));
  for (const char* cmd : {"run", "run --timing-only", "bench --frames 2 --quick"}) {
    const auto r = vine(std::string(cmd) + " " + t.path.string());
    EXPECT_EQ(r.code, 0) << cmd << "\n" << r.output;
  }
  const auto run = vine("run -n 4 " + t.path.string());
  EXPECT_NE(run.output.find("outputs    match the golden reference"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("weights in DDR"), std::string::npos) << run.output;
  const auto j = vine_split("run -n 4 --json - " + t.path.string());
  ASSERT_EQ(j.code, 0) << j.err;
  const auto report = nlohmann::json::parse(j.out);
  ASSERT_EQ(report["weight_streams"].size(), 1u) << j.out;
  EXPECT_EQ(report["weight_streams"][0]["layer"], "fc1");
  const auto e = vine_split("estimate --json - " + t.path.string());
  ASSERT_EQ(e.code, 0) << e.err;
  const auto est = nlohmann::json::parse(e.out);
  // fc1: 64 x 64 binary weights, 8 x 8 per word = 8 bytes, 64 words once per vector (1).
  EXPECT_EQ(est["layers"][1]["ddr_bytes_per_frame"], 512u);
  EXPECT_EQ(report["weight_streams"][0]["ddr_bytes_per_frame"], 512u);
  EXPECT_EQ(report["weight_streams"][0]["words"], 4 * 64);
  const auto v = vine("validate " + t.path.string());
  EXPECT_EQ(v.code, 0) << v.output;
  EXPECT_EQ(v.output.find("note:"), std::string::npos) << v.output;
}

// What no command can run, validate refuses too, at the field: weight words
// wider than one AXI burst. (Every device config has a DDR: the loader
// requires its `ddr:` section.)
TEST(Cli, DdrWeightsNoCommandRunsAreRefusedAtTheField) {
  // fc0 at PE 64, SIMD 784: 50176 one-bit weights = 6272 bytes per word.
  std::string wide = tfc_design_text("", "");
  wide.replace(wide.find("{simd: 49, pe: 16}"), 18, "{simd: 784, pe: 64, weight_memory: ddr}");
  const TempDesign t("ddr-wide", wide);
  for (const char* cmd : {"validate", "run", "estimate", "bench --frames 2"}) {
    const auto r = vine(std::string(cmd) + " " + t.path.string());
    EXPECT_EQ(r.code, 1) << cmd << "\n" << r.output;
    EXPECT_NE(r.output.find(t.location_of("ddr}") +
                            ": layers.fc0.weight_memory: got 'ddr' with weight words of 6272 bytes, expected "
                            "weight words of at most 4096 bytes (one AXI burst) for layer fc0"),
              std::string::npos)
        << cmd << "\n" << r.output;
  }
}

// A design whose weight memories in BRAM alone need more BRAM18 than the
// device has is refused, at the design's device field, with the numbers;
// the same design with its weights in DDR validates. MobileNet-V1 unfolded
// on a PYNQ-Z1: its 4-bit weights need about four times the BRAM.
TEST(Cli, ValidateRefusesWeightsBeyondTheDevicesBramWithTheNumbers) {
  const std::string head = "design: mb\nnetwork: " + kConfigs + "networks/mobilenet-v1-w4a4.yaml\ndevice: " + kConfigs +
                           "devices/pynq-z1.yaml\n";
  const TempDesign bram("bram-over", head);
  const TempDesign ddr("bram-over-ddr", head + "weight_memory: ddr\n");
  // The numbers, independently: the estimate's layer BRAM18 with the
  // weights on chip less with them in DDR are the weight memories'.
  auto layer_bram = [](const fs::path& p, int64_t* whole) {
    const auto e = vine_split("estimate --json - " + p.string());
    EXPECT_EQ(e.code, 0) << e.err;
    const auto j = nlohmann::json::parse(e.out);
    int64_t sum = 0, largest = 0;
    for (const auto& l : j["layers"]) {
      sum += l["resources"]["bram18"].get<int64_t>();
      largest = std::max(largest, l["resources"]["bram18"].get<int64_t>());
    }
    if (whole) *whole = j["resources"]["bram18"].get<int64_t>();
    return sum;
  };
  int64_t whole = 0;
  const int64_t weights = layer_bram(bram.path, &whole) - layer_bram(ddr.path, nullptr);
  ASSERT_GT(weights, 280);
  const auto r = vine("validate " + bram.path.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(bram.location_of(kConfigs + "devices") + ": device: got a design whose weight memories in BRAM need " +
                          std::to_string(weights) + " BRAM18 (largest: pw13 "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("; the whole design " + std::to_string(whole) +
                          "), expected at most the 280 BRAM18 of pynq-z1"),
            std::string::npos)
      << r.output;
  const auto ok = vine("validate " + ddr.path.string());
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_EQ(ok.output.find("note:"), std::string::npos) << ok.output;
}

// The whole design over the device's BRAM18 with its weights within it is
// said, not refused: TFC with an input FIFO 200000 words deep.
TEST(Cli, ValidateNotesAWholeDesignOverTheDevicesBram) {
  const TempDesign t("fifo-over", tfc_design_text("fifos:\n  - {from: input, to: fc0, depth: 200000}\n", ""));
  const auto r = vine("validate " + t.path.string());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("note: the estimate puts the whole design at "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("over the 280 of pynq-z1; not refused"), std::string::npos) << r.output;
  const auto plain = vine("validate " + TempDesign("fifo-fine", tfc_design_text("", "")).path.string());
  EXPECT_EQ(plain.code, 0) << plain.output;
  EXPECT_EQ(plain.output.find("note:"), std::string::npos) << plain.output;
}

namespace {


std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

size_t count_prefixed(const std::string& s, const std::string& prefix) {
  const auto v = lines_of(s);
  return size_t(std::count_if(v.begin(), v.end(),
                              [&](const std::string& l) { return l.rfind(prefix, 0) == 0; }));
}

}  // namespace

// Info lines by default, none with --quiet, debug lines too with --verbose;
// all on stderr, so stdout reads the same whatever the verbosity.
TEST(CliLogging, VerbosityChangesStderrOnly) {
  const std::string design = kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml";
  for (const std::string& cmd :
       {"estimate " + design, "run " + design + " --frames 2 --timing-only", "validate " + design,
        "reference " + design + " --frames 1"}) {
    SCOPED_TRACE(cmd);
    const Split normal = vine_split(cmd);
    const Split quiet = vine_split("-q " + cmd), quiet_after = vine_split(cmd + " --quiet");
    const Split verbose = vine_split("--verbose " + cmd), verbose_after = vine_split(cmd + " -v");
    for (const Split* s : {&normal, &quiet, &quiet_after, &verbose, &verbose_after}) {
      ASSERT_EQ(s->code, 0) << s->err;
      // The reference prints a wall-clock rate; everything else is the same byte for byte.
      if (cmd.rfind("reference", 0) == 0)
        EXPECT_EQ(s->out.substr(0, s->out.rfind("frame(s) in")),
                  normal.out.substr(0, normal.out.rfind("frame(s) in")));
      else
        EXPECT_EQ(s->out, normal.out);
      EXPECT_EQ(s->out.find("vine: info:"), std::string::npos) << "a log line on stdout";
      EXPECT_EQ(s->out.find("vine: debug:"), std::string::npos) << "a log line on stdout";
      // Nothing on stderr is anything but a log line.
      for (const auto& l : lines_of(s->err)) EXPECT_EQ(l.rfind("vine: ", 0), 0u) << l;
    }
    EXPECT_EQ(count_prefixed(normal.err, "vine: info: loaded design tfc-w1a1-pynq-z1"), 1u)
        << normal.err;
    EXPECT_EQ(count_prefixed(normal.err, "vine: debug:"), 0u) << normal.err;
    EXPECT_EQ(quiet.err, "");
    EXPECT_EQ(quiet_after.err, "");
    // Verbose: the info lines, plus debug lines (one per layer at least).
    for (const Split* s : {&verbose, &verbose_after}) {
      EXPECT_EQ(count_prefixed(s->err, "vine: info:"), count_prefixed(normal.err, "vine: info:"))
          << s->err;
      EXPECT_GE(count_prefixed(s->err, "vine: debug: layer "), 4u) << s->err;  // TFC's fc0..fc3
    }
  }
}

// The plan size is logged as the simulator builds it, and with --verbose
// every stage and FIFO; the run logs its elaboration and its time.
TEST(CliLogging, RunLogsThePlanElaborationAndRunTime) {
  const std::string design = kConfigs + "designs/bnn-pynq/cnv-w1a1-pynq-z1.yaml";
  const Split r = vine_split("-v run " + design + " --frames 1 --timing-only");
  ASSERT_EQ(r.code, 0) << r.err;
  // The graph edges counted from the design's text (one `fifos` entry per
  // edge); the stages and FIFOs are those the debug lines list one by one.
  const size_t stages = count_prefixed(r.err, "vine: debug: stage "),
               fifos = count_prefixed(r.err, "vine: debug: fifo ");
  size_t edge_lines = 0;
  for (const auto& l : lines_of(r.err))
    edge_lines +=
        l.rfind("vine: debug: fifo ", 0) == 0 && l.find(", graph edge") != std::string::npos;
  std::ifstream in(design);
  size_t edges_in_file = 0;
  for (std::string l; std::getline(in, l);)
    edges_in_file += l.find("- {from: ") != std::string::npos;
  EXPECT_EQ(edge_lines, edges_in_file);
  EXPECT_GT(fifos, edges_in_file) << "no layer-internal FIFO listed";
  EXPECT_NE(
      r.err.find("vine: info: process network: " + std::to_string(stages) + " stages, " +
                 std::to_string(fifos) + " FIFOs (" + std::to_string(edges_in_file) +
                 " graph edges, " + std::to_string(fifos - edges_in_file) + " layer-internal)"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(count_prefixed(r.err, "vine: info: elaborated in "), 1u) << r.err;
  // The run's cycles, as its report states them on stdout.
  const auto total = r.out.find(" cycles, fill and drain included) / 1 frames");
  ASSERT_NE(total, std::string::npos) << r.out;
  const std::string cycles =
      r.out.substr(r.out.rfind('(', total) + 1, total - r.out.rfind('(', total) - 1);
  EXPECT_NE(r.err.find("vine: info: ran 1 frame(s), " + cycles + " cycles, in "), std::string::npos)
      << r.err;
}

TEST(CliLogging, VerboseAndQuietTogetherAreAUsageError) {
  const std::string design = kConfigs + "designs/default.yaml";
  for (const std::string& args : {"-v -q estimate " + design, "-q estimate " + design + " -v",
                                  "estimate " + design + " --verbose --quiet"}) {
    const auto r = vine(args);
    EXPECT_EQ(r.code, 1) << args;
    EXPECT_NE(r.output.find("--verbose and --quiet exclude each other"), std::string::npos)
        << args << r.output;
  }
  // Every command's help lists them.
  for (const char* c : {"validate", "reference", "estimate", "run", "bench", "rtl-units"}) {
    const auto h = vine(std::string(c) + " --help");
    EXPECT_EQ(h.code, 0) << c;
    EXPECT_NE(h.output.find("--verbose"), std::string::npos) << c;
    EXPECT_NE(h.output.find("--quiet"), std::string::npos) << c;
  }
  const auto top = vine("--help");
  EXPECT_NE(top.output.find("-v, --verbose"), std::string::npos) << top.output;
  EXPECT_NE(top.output.find("-q, --quiet"), std::string::npos) << top.output;
}

// The headline of `vine run`: too few frames give no interval and say how
// many frames give one; that many give the steady interval, which on the
// default design is the estimate's; the batch figure is always there.
TEST(Cli, RunHeadlineIsTheSteadyStateOrSaysWhatReachesIt) {
  const std::string d = kConfigs + "designs/default.yaml";
  const fs::path json = fs::temp_directory_path() / "vine-cli-run.json";
  const auto r = vine("run " + d + " --timing-only --frames 3 --json " + json.string());
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
      s.output.find("interval   32768 cycles -> 3051.8 frames/s at 100.0 MHz: in steady state"),
      std::string::npos)
      << s.output;
  EXPECT_EQ(j["batch_fps"], 100e6 / double(j["cycles_per_frame_batch"]));
}

// Every headline figure says what it is: the two latencies by name (and the
// single frame's equals a 1-frame run's), the bottleneck by the estimate's
// definition (all of a tie), the percentages' window, the FIFOs in pipeline
// order as the estimate lists them.
TEST(Cli, RunFiguresExplainThemselves) {
  const std::string d = kConfigs + "designs/default.yaml";
  const fs::path run_json = fs::temp_directory_path() / "vine-cli-figures-run.json";
  const fs::path one_json = fs::temp_directory_path() / "vine-cli-figures-one.json";
  const fs::path est_json = fs::temp_directory_path() / "vine-cli-figures-estimate.json";
  const auto r = vine("run " + d + " --timing-only --frames 4 --json " + run_json.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto one = vine("run " + d + " --timing-only --frames 1 --json " + one_json.string());
  ASSERT_EQ(one.code, 0) << one.output;
  const auto e = vine("estimate " + d + " --json " + est_json.string());
  ASSERT_EQ(e.code, 0) << e.output;
  const auto j = nlohmann::json::parse(std::ifstream(run_json));
  const auto j1 = nlohmann::json::parse(std::ifstream(one_json));
  const auto je = nlohmann::json::parse(std::ifstream(est_json));
  for (const auto& p : {run_json, one_json, est_json}) fs::remove(p);

  // A frame alone is frame 0 of a 1-frame run; in a stream it takes longer.
  const int64_t alone = j["single_frame_latency_cycles"];
  EXPECT_EQ(alone, j1["latency_cycles"]);
  EXPECT_GT(int64_t(j["latency_cycles"]), alone);
  EXPECT_NE(r.output.find("  latency    " + std::to_string(int64_t(j["latency_cycles"])) +
                          " cycles: frame 0 of a stream of 4 frames"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(std::to_string(alone) + " cycles: a single frame in an empty pipeline"),
            std::string::npos)
      << r.output;
  EXPECT_NE(one.output.find("cycles: a single frame in an empty pipeline, its first input beat"),
            std::string::npos)
      << one.output;

  // CNV-W1A1's fc6 and fc7 tie at 32768 cycles: both named, by both commands.
  const std::vector<std::string> tie{"fc6.mvau", "fc7.mvau"};
  EXPECT_EQ(je["bottleneck_stages"], tie);
  EXPECT_EQ(j["bottleneck_stages"], tie);
  EXPECT_NE(r.output.find("  bottleneck fc6.mvau, fc7.mvau: the stages, tied, with the most cycles "
                          "of work per frame, 32768 each"),
            std::string::npos)
      << r.output;
  EXPECT_NE(e.output.find("bottleneck fc6.mvau, fc7.mvau (* above)"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("* fc6 "), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("* fc7 "), std::string::npos) << e.output;

  EXPECT_NE(r.output.find("(percent of the run's " + std::to_string(int64_t(j["cycles_total"])) +
                          " cycles, first input beat to last output beat: fill and drain included)"),
            std::string::npos)
      << r.output;

  // The FIFOs in the estimate's (pipeline) order, in the JSON and the table.
  std::vector<std::string> run_order, estimate_order;
  for (const auto& f : j["fifos"]) run_order.push_back(f["name"]);
  for (const auto& f : je["fifos"]) estimate_order.push_back(f["name"]);
  EXPECT_EQ(run_order, estimate_order);
  size_t at = r.output.find("fifo (in pipeline order)");
  ASSERT_NE(at, std::string::npos) << r.output;
  for (const auto& name : run_order) {
    const size_t next = r.output.find("\n  " + name + " ", at);
    ASSERT_NE(next, std::string::npos) << name << " missing or out of order\n" << r.output;
    at = next;
  }
}

// Output files never destroy an input, are written whole or not at all, and
// a write that fails is an error.
TEST(CliOutputs, NeverOverAnInputWholeOrNotAtAll) {
  TempDesign d("outputs", tfc_design_text("", ""));
  const std::string design = d.path.string();
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  // A --json, --vcd or --perfetto path naming the design (or its network) is
  // refused before anything runs, and the config is unchanged.
  for (const std::string& args :
       {"run " + design + " --timing-only --json " + design, "run " + design + " --timing-only --vcd " + design,
        "estimate " + design + " --json " + kConfigs + "networks/tfc-w1a1.yaml",
        "bench " + design + " --frames 2 --json " + design}) {
    const auto r = vine("-q " + args);
    EXPECT_EQ(r.code, 1) << args << r.output;
    EXPECT_NE(r.output.find("writing it would destroy the config"), std::string::npos) << args << r.output;
    EXPECT_EQ(read(d.path), d.text) << args;
  }
  // A folder that does not exist, or a path that is not a regular file.
  for (const std::string& out : {(d.dir / "no" / "such.json").string(), std::string("/dev/null"), d.dir.string()}) {
    const auto r = vine("-q run " + design + " --timing-only --json " + out);
    EXPECT_EQ(r.code, 1) << out << r.output;
    EXPECT_NE(r.output.find("--json file '" + out + "'"), std::string::npos) << r.output;
  }
  // A good run writes the complete file and leaves no temporary beside it.
  const fs::path json = d.dir / "report.json";
  std::ofstream(json) << "old";
  const auto ok = vine("-q run " + design + " --timing-only --json " + json.string());
  ASSERT_EQ(ok.code, 0) << ok.output;
  EXPECT_EQ(nlohmann::json::parse(read(json))["frames"], 8);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d.dir)) ++files;
  EXPECT_EQ(files, 2);  // the design and the report
}

// The same command gives the same bytes: report, JSON and both traces, run
// after run (host order, containers and formatting leave no trace in them).
TEST(CliDeterminism, TheSameRunWritesTheSameBytes) {
  const fs::path dir = fs::temp_directory_path() / ("vine-cli-determinism-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto read = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  // Designs whose PEs run on the C++ back-end: a build without Verilated
  // units (a sanitizer build) runs them too.
  for (const char* design : {"bnn-pynq/lfc-w1a1-pynq-z1.yaml", "bnn-pynq/lfc-w1a2-pynq-z1.yaml",
                             "finn-examples/tfc-w1a1-pynq-z1.yaml"}) {
    std::string first[4];
    for (int run = 0; run < 2; ++run) {
      const fs::path base = dir / std::to_string(run);
      const auto r = vine("-q run " + kConfigs + "designs/" + design + " --frames 4 --json " + base.string() +
                          ".json --vcd " + base.string() + ".vcd --perfetto " + base.string() + ".pf");
      ASSERT_EQ(r.code, 0) << design << r.output;
      const std::string got[4] = {r.output, read(base.string() + ".json"), read(base.string() + ".vcd"),
                                  read(base.string() + ".pf")};
      for (int k = 0; k < 4; ++k) {
        ASSERT_FALSE(got[k].empty()) << design << " output " << k;
        if (run == 0)
          first[k] = got[k];
        else
          EXPECT_TRUE(got[k] == first[k]) << design << ": output " << k << " (stdout, json, vcd, perfetto) differs";
      }
    }
  }
  fs::remove_all(dir);
}

// --check reports the units a list lacks with or without --by-layer (with it,
// it reported none).
TEST(CliRtlUnits, CheckReportsMissingUnitsListedByLayerToo) {
  const fs::path empty = fs::temp_directory_path() / ("vine-cli-units-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(empty) << "# no units\n";
  const std::string design = kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml";
  for (const std::string& by : {std::string(""), std::string(" --by-layer")}) {
    const auto r = vine("-q rtl-units " + design + by + " --check " + empty.string());
    EXPECT_EQ(r.code, 2) << by << r.output;
    EXPECT_NE(r.output.find("missing from " + empty.string() + ": "), std::string::npos) << by << r.output;
  }
  fs::remove(empty);
}

// `vine --version`: the version CMake's project() declares, then the commit
// the build was configured at when it is a git checkout.
TEST(CliVersion, PrintsTheProjectVersionAndExitsZero) {
  const auto r = vine_split("--version");
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string head = std::string("vine ") + VINE_PROJECT_VERSION;
  EXPECT_EQ(r.out.rfind(head, 0), 0u) << r.out;
  const std::string rest = r.out.substr(std::min(head.size(), r.out.size()));
  // Nothing else, or " (commit <12 hex digits>)".
  const bool bare = rest == "\n";
  const bool with_commit = rest.size() == 23 && rest.rfind(" (commit ", 0) == 0 && rest.substr(21) == ")\n" &&
                           rest.substr(9, 12).find_first_not_of("0123456789abcdef") == std::string::npos;
  EXPECT_TRUE(bare || with_commit) << r.out;
  EXPECT_EQ(vine("--help").output.find("vine --version") != std::string::npos, true);
}

// `--json -`: the JSON alone on stdout, which parses; the human report on
// stderr instead, whole.
TEST(CliJson, DashWritesTheJsonToStdoutAndTheReportToStderr) {
  const std::string tfc = kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml";
  struct Case {
    std::string args, key, report_line;
  };
  for (const Case& c : {Case{"run " + tfc + " -n 4", "frames", "outputs    match the golden reference"},
                        Case{"estimate " + kConfigs + "designs/default.yaml", "interval_cycles", "interval 32768 cycles"},
                        Case{"bench " + tfc + " -n 2", "sim_fps", "bit-exact simulation"}}) {
    const auto r = vine_split("-q " + c.args + " --json -");
    ASSERT_EQ(r.code, 0) << c.args << r.err;
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << c.args << ": stdout is not JSON alone:\n" << r.out;
    EXPECT_TRUE(j.contains(c.key)) << c.args << r.out;
    EXPECT_NE(r.err.find(c.report_line), std::string::npos) << c.args << r.err;
  }
  // The same run to a file and to stdout gives the same JSON.
  const fs::path file = fs::temp_directory_path() / ("vine-cli-dash-" + std::to_string(::getpid()) + ".json");
  ASSERT_EQ(vine("-q run " + tfc + " -n 4 --json " + file.string()).code, 0);
  std::ifstream in(file);
  const auto from_file = nlohmann::json::parse(in);
  fs::remove(file);
  EXPECT_EQ(from_file, nlohmann::json::parse(vine_split("-q run " + tfc + " -n 4 --json -").out));
  // Only --json takes '-'.
  const auto vcd = vine("-q run " + tfc + " --timing-only --vcd -");
  EXPECT_EQ(vcd.code, 1);
  EXPECT_NE(vcd.output.find("only --json goes to standard output"), std::string::npos) << vcd.output;
}

// Every output is checked before anything runs: a run of a large design with
// a bad output path fails at once, with the path and the reason.
TEST(CliOutputs, ABadPathIsRefusedBeforeTheRunStarts) {
  const std::string big = kConfigs + "designs/finn-examples/mobilenet-v1-w4a4-u250.yaml";
  const TempDesign d("bad-outputs", tfc_design_text("", ""));
  const std::string missing = (d.dir / "no" / "such" / "report.json").string();
  const std::string same = (d.dir / "out.vcd").string();
  struct Case {
    std::string args, message;
  };
  for (const Case& c :
       {Case{"run " + big + " -n 50 --json " + missing, "--json file '" + missing + "': no folder"},
        Case{"run " + big + " -n 50 --perfetto " + missing, "--perfetto file '" + missing + "': no folder"},
        Case{"bench " + big + " -n 50 --json " + missing, "--json file '" + missing + "': no folder"},
        Case{"estimate " + big + " --json " + missing, "no folder"},
        Case{"run " + big + " -n 50 --vcd " + same + " --perfetto " + same, "is also the --vcd file"},
        Case{"vp " + d.path.string() + " --vcd " + same + " --trace-regs " + same, "is also the --trace-regs file"},
        Case{"vp " + d.path.string() + " --vcd " + missing, "no folder"},
        Case{"reference " + d.path.string() + " --write-inputs " + missing, "no folder"}}) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = vine("-q " + c.args);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.code, 1) << c.args << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << r.output;
    // 50 frames of MobileNet take minutes: a refusal comes before them.
    EXPECT_LT(secs, 10.0) << c.args;
  }
  EXPECT_FALSE(fs::exists(same));
}

// -n for --frames and -s for --seed on every command that has them, with the
// same meaning as the long options; -o on none.
TEST(CliOptions, ShortFramesAndSeedAreTheSameOnEveryCommand) {
  const std::string tfc = kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml";
  for (const char* cmd : {"run", "bench", "vp", "reference"}) {
    const auto h = vine(std::string(cmd) + " --help");
    EXPECT_NE(h.output.find("-n [ --frames ]"), std::string::npos) << cmd << h.output;
    EXPECT_NE(h.output.find("-s [ --seed ]"), std::string::npos) << cmd << h.output;
  }
  EXPECT_NE(vine("golden --help").output.find("-s [ --seed ]"), std::string::npos);
  for (const char* cmd : {"validate", "estimate", "run", "bench", "vp", "reference", "golden", "rtl-units"})
    EXPECT_EQ(vine(std::string(cmd) + " --help").output.find("-o ["), std::string::npos) << cmd;
  // run: the same report either way (JSON: no host times in it).
  const auto run_short = vine_split("-q run " + tfc + " -n 3 -s 7 --json -");
  const auto run_long = vine_split("-q run " + tfc + " --frames 3 --seed 7 --json -");
  ASSERT_EQ(run_short.code, 0) << run_short.err;
  EXPECT_EQ(nlohmann::json::parse(run_short.out), nlohmann::json::parse(run_long.out));
  EXPECT_EQ(nlohmann::json::parse(run_short.out)["frames"], 3);
  // reference: the seed picks the data, so -s 8 gives other checksums (the
  // last line is the host's speed).
  auto data = [&](const std::string& args) {
    const auto r = vine_split("-q reference " + tfc + " " + args);
    EXPECT_EQ(r.code, 0) << args << r.err;
    return r.out.substr(0, r.out.rfind("frame(s) in"));
  };
  EXPECT_EQ(data("-n 3 -s 7"), data("--frames 3 --seed 7"));
  EXPECT_NE(data("-n 3 -s 7"), data("-n 3 -s 8"));
  EXPECT_NE(data("-n 3 -s 7").find("seed 7, 3 frame(s)"), std::string::npos) << data("-n 3 -s 7");
  // vp: the job runs the frames asked for.
  const auto vp = vine_split("-q vp " + tfc + " -n 3 -s 7");
  ASSERT_EQ(vp.code, 0) << vp.err;
  EXPECT_NE(vp.out.find("virtual platform job: 3 frame(s)"), std::string::npos) << vp.out;
  const auto b = vine_split("-q bench " + tfc + " -n 3 -s 7 --json -");
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(b.out)["frames"], 3);
}

#ifdef VINE_COSIM_UNITS_BUILT
// The co-simulation units are a module loaded on demand: with it, --backend
// rtl runs and checks its outputs; pointed at a module that is not there, the
// run is refused before it starts, naming the file.
TEST(CliCosim, BackendRtlLoadsTheUnitsModule) {
  const std::string tfc = kConfigs + "designs/finn-examples/tfc-w1a1-pynq-z1.yaml";
  const auto r = vine_split("-q run " + tfc + " -n 2 --backend rtl --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outputs_match_reference"], true) << r.out;
  EXPECT_FALSE(j["rtl_units"].empty()) << r.out;
  for (const auto& u : j["rtl_units"]) {  // one instance per PE, clocked through the stalls too
    EXPECT_GT(u["cycles"].get<int64_t>(), 0) << u;
    EXPECT_LT(u["stall_cycles"].get<int64_t>(), u["cycles"].get<int64_t>()) << u;
  }
  const std::string gone = (fs::temp_directory_path() / "vine-no-such-units.so").string();
  const auto missing = vine("-q run " + tfc + " -n 2 --backend rtl", "VINE_COSIM_UNITS=" + gone);
  EXPECT_EQ(missing.code, 1) << missing.output;
  EXPECT_NE(missing.output.find("layer fc0 runs on RTL, but cannot load the co-simulation units " + gone),
            std::string::npos)
      << missing.output;
  // The C++ back-end never loads it.
  EXPECT_EQ(vine("-q run " + tfc + " -n 2 --backend cpp", "VINE_COSIM_UNITS=" + gone).code, 0);
}

// A pipeline depth (the design's pipeline_depth) that leaves the lanes fewer
// cycles than the weight memory's read and the RTL unit take cannot hold the
// RTL: the run stops before it starts, exit 1, naming the stage and the unit.
TEST(CliCosim, APipelineShallowerThanItsRtlIsRefused) {
  const fs::path dir = fs::temp_directory_path() / ("vine-cosim-depth-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path design = dir / "tfc-shallow.yaml";
  std::ofstream(design) << "design: tfc-shallow\nnetwork: " << kConfigs << "networks/tfc-w1a1.yaml\n"
                        << "device: " << kConfigs << "devices/pynq-z1.yaml\nclock_mhz: 100\n"
                        << "pipeline_depth: {mvau: 4}\nlayers:\n"
                        << "  fc0: {simd: 49, pe: 16}\n  fc1: {simd: 8, pe: 8}\n"
                        << "  fc2: {simd: 8, pe: 8}\n  fc3: {simd: 8, pe: 10}\n";
  EXPECT_EQ(vine("-q run " + design.string() + " -n 1").code, 0);  // the C++ models take any depth
  const auto r = vine("-q run " + design.string() + " -n 1 --backend rtl");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("error: stage fc0.mvau: its pipeline depth 4 leaves 2 cycles from an iteration to its "
                          "lanes' result"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(
                "'mvau_lanes_binary_pes PE=16 SIMD=49 A=1 A_SIGNED=0 BIPOLAR=1 MW=784' take 1 + 5"),
            std::string::npos)
      << r.output;
  fs::remove_all(dir);
}

// A unit that rtl/cosim/units.txt does not list is Verilated on demand into
// the cache the first time (a line says so) and loaded from it afterwards;
// both runs bit-exact. A cache that cannot be written is a clear error.
TEST(CliCosim, UnlistedUnitsAreVerilatedOnDemandAndCached) {
  const fs::path dir = fs::temp_directory_path() / ("vine-cosim-cache-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path design = dir / "tfc-fc0-rtl.yaml";
  // TFC-W1A1 at SIMD 16: fc0's binary unit (MW = 784) is in no shipped design.
  std::ofstream(design) << "design: tfc-on-demand\nnetwork: " << kConfigs << "networks/tfc-w1a1.yaml\n"
                        << "device: " << kConfigs << "devices/pynq-z1.yaml\nclock_mhz: 100\nlayers:\n"
                        << "  fc0: {simd: 16, pe: 16, backend: rtl}\n  fc1: {simd: 16, pe: 16}\n"
                        << "  fc2: {simd: 16, pe: 16}\n  fc3: {simd: 16, pe: 10}\n";
  const std::string key = "mvau_lanes_binary_pes PE=16 SIMD=16 A=1 A_SIGNED=0 BIPOLAR=1 MW=784";
  const std::string listed = vine_test::read_text(fs::path(VINE_SOURCE_DIR) / "rtl/cosim/units.txt");
  ASSERT_EQ(listed.find(key), std::string::npos) << "the test needs a unit units.txt does not list";
  const std::string env = "VINE_COSIM_CACHE=" + (dir / "cache").string();
  const auto first = vine_split("run " + design.string() + " -n 3 --json -", env);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.err.find("Verilating the co-simulation unit '" + key + "'"), std::string::npos) << first.err;
  EXPECT_EQ(nlohmann::json::parse(first.out)["outputs_match_reference"], true);
  int modules = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "cache")) modules += e.path().filename() == "unit.so";
  EXPECT_EQ(modules, 1);
  const auto again = vine_split("run " + design.string() + " -n 3 --json -", env);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.err.find("Verilating"), std::string::npos) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["outputs_match_reference"], true);
  // A cache under a file cannot be made: refused before the run, naming the layer and the unit.
  std::ofstream(dir / "file") << "x";
  const auto bad = vine("-q run " + design.string() + " -n 1", "VINE_COSIM_CACHE=" + (dir / "file" / "c").string());
  EXPECT_EQ(bad.code, 1) << bad.output;
  EXPECT_NE(bad.output.find("an RTL unit for layer fc0, '" + key + "': cannot make the cache folder"),
            std::string::npos)
      << bad.output;
  fs::remove_all(dir);
}
#endif
