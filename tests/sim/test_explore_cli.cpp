// The search commands through the vine program: `vine fifo-size` writes a
// design that runs at its target and FINN's config, `vine dse` a design and a
// folding config, `vine sweep` runs a grid with a failing point, resumes it,
// and runs one point alone. Their libraries' own tests are test_fifo_sizing,
// test_dse and test_sweep, which need no vine program (scripts/sanitize runs
// them).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/ir/stage_plan.h"
#include "tests/sim/run_vine.h"
#include "tests/sim/sweep_spec_files.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
using vine_test::spec_text;
using vine_test::TempDir;
const fs::path kSource(VINE_SOURCE_DIR);
const fs::path kTfc = kSource / "configs" / "designs" / "finn-examples" / "tfc-w1a1-pynq-z1.yaml";

ir::Design load(const fs::path& p) { return config::load_design(p.string()); }

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FifoSizeCommand, WritesADesignThatRunsAtTheTargetAndFinnsConfig) {
  const fs::path dir = fs::temp_directory_path() / ("vine-fifo-size-" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  const fs::path yaml = dir / "sub" / "sized.yaml", finn = dir / "finn.json", json = dir / "sizing.json";
  const auto r = vine_test::run_vine("fifo-size " + kTfc.string() + " -o " + yaml.string() + " --finn-config " +
                                     finn.string() + " --json " + json.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("least      yes"), std::string::npos) << r.output;
  nlohmann::json s;
  std::ifstream(json) >> s;
  const double target = s["target_interval_cycles"].get<double>();
  EXPECT_EQ(s["sized"]["interval_cycles"].get<double>(), target);
  // The sized design loads from its own folder and runs at the target, bit-exact.
  const auto run = vine_test::run_vine("run " + yaml.string() + " -n 6 --json " + (dir / "run.json").string());
  ASSERT_EQ(run.code, 0) << run.output;
  nlohmann::json rj;
  std::ifstream(dir / "run.json") >> rj;
  EXPECT_EQ(rj["interval_cycles"].get<double>(), target) << run.output;
  // Every FIFO of the sizing, at its depth, in both files.
  const ir::Design sized = load(yaml);
  const ir::StreamingPlan plan = ir::plan_process_network(sized);
  nlohmann::json fj;
  std::ifstream(finn) >> fj;
  for (const auto& f : s["fifos"]) {
    const std::string name = f["name"];
    const auto sp = std::find_if(plan.streams.begin(), plan.streams.end(),
                                 [&](const ir::StreamPlan& p) { return p.name == name; });
    ASSERT_NE(sp, plan.streams.end()) << name;
    EXPECT_EQ(sp->depth, f["depth"].get<int>()) << name;
    ASSERT_TRUE(fj.contains(name)) << name;
    EXPECT_EQ(fj[name]["depth"].get<int>(), std::max(2, f["depth"].get<int>())) << name;
    EXPECT_EQ(fj[name]["impl_style"], f["finn_impl_style"]) << name;
    // The consumer stage's inFIFODepths hold the same depth.
    const std::string consumer = plan.stages[size_t(sp->consumer)].name;
    ASSERT_TRUE(fj.contains(consumer)) << consumer;
    const auto& in = fj[consumer]["inFIFODepths"];
    EXPECT_NE(std::find(in.begin(), in.end(), std::max(2, f["depth"].get<int>())), in.end()) << consumer;
  }
  EXPECT_EQ(fj["fc1.mvau"]["op_type"], "MVAU_hls");
  fs::remove_all(dir);
}

// `--start given` on a design the command sized: the report and the JSON
// say the search started from the design's depths, and every depth stays.
TEST(FifoSizeCommand, ReSizedFromItsOwnSizingADesignKeepsItsDepths) {
  const fs::path dir = fs::temp_directory_path() / ("vine-fifo-resize-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path yaml = dir / "sized.yaml", cold = dir / "cold.json", warm = dir / "warm.json";
  const auto first = vine_test::run_vine("fifo-size " + kTfc.string() + " -o " + yaml.string() + " --json " + cold.string());
  ASSERT_EQ(first.code, 0) << first.output;
  const auto again = vine_test::run_vine("fifo-size " + yaml.string() + " --start given --json " + warm.string());
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("start      the design's depths"), std::string::npos) << again.output;
  nlohmann::json a, b;
  std::ifstream(cold) >> a;
  std::ifstream(warm) >> b;
  EXPECT_EQ(a["start"], "peaks");
  EXPECT_TRUE(a["given_start_met"].is_null());
  EXPECT_EQ(b["start"], "given");
  EXPECT_EQ(b["given_start_met"], true);
  EXPECT_EQ(b["least"], true);
  ASSERT_EQ(a["fifos"].size(), b["fifos"].size());
  for (size_t i = 0; i < a["fifos"].size(); ++i)
    EXPECT_EQ(a["fifos"][i]["depth"], b["fifos"][i]["depth"]) << a["fifos"][i]["name"];
  EXPECT_LT(b["runs"].get<int64_t>(), a["runs"].get<int64_t>());
  const auto bad = vine_test::run_vine("fifo-size " + yaml.string() + " --start sideways");
  EXPECT_EQ(bad.code, 1) << bad.output;
  EXPECT_NE(bad.output.find("--start: expected peaks or given, got 'sideways'"), std::string::npos) << bad.output;
  fs::remove_all(dir);
}

TEST(FifoSizeCommand, AnUnreachableTargetIsAUsageError) {
  const auto r = vine_test::run_vine("fifo-size " + kTfc.string() + " --target-interval 1");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("no FIFO depths reach it"), std::string::npos) << r.output;
}

TEST(DseCommand, NetworkAndDeviceGiveADesignThatLoadsAtTheFrontsInterval) {
  const fs::path dir = fs::temp_directory_path() / ("vine-dse-" + std::to_string(::getpid()));
  const auto r = vine_test::run_vine("dse " + (kSource / "configs/networks/tfc-w1a1.yaml").string() + " " +
                                     (kSource / "configs/devices/pynq-z1.yaml").string() + " --verify 1 -o " +
                                     dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json j;
  std::ifstream(dir / "dse.json") >> j;
  int64_t fastest = -1;
  for (const auto& p : j["points"])
    if (p["pareto"].get<bool>()) {
      fastest = p["interval_cycles"].get<int64_t>();
      break;
    }
  ASSERT_GT(fastest, 0);
  const ir::Design d = config::load_design((dir / "fastest.yaml").string());
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, fastest);
  nlohmann::json finn;
  std::ifstream(dir / "fastest.finn-folding.json") >> finn;
  ASSERT_TRUE(finn.contains("Defaults"));
  // Under FINN's node names (docs/finn-configs.md): the k-th MVAU is the k-th conv or fc layer.
  int mvau = 0;
  for (size_t i = 0; i < d.network.layers.size(); ++i) {
    const auto k = d.network.layers[i].kind;
    if (k != ir::LayerKind::kConv && k != ir::LayerKind::kFc) continue;
    const std::string node = "MVAU_hls_" + std::to_string(mvau++);
    ASSERT_TRUE(finn.contains(node)) << node;
    EXPECT_EQ(finn[node]["PE"].get<int>(), d.folding[i].pe) << node;
    EXPECT_EQ(finn[node]["SIMD"].get<int>(), d.folding[i].simd) << node;
  }
  EXPECT_GT(mvau, 0);
  std::ifstream csv(dir / "front.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("interval_cycles,fps,lut,", 0), 0u);
  fs::remove_all(dir);
}

// The space beyond the folding: the proxy and DDR bytes in the CSV and JSON,
// a front point with its overrides written as a design that loads at its
// interval, and a bad sensitivities file refused with its location.
TEST(DseCommand, ArithmeticPlacementAndSensitivitiesReachTheOutputs) {
  const fs::path dir = fs::temp_directory_path() / ("vine-dse-space-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path design = kSource / "tests/sim/data/residual-bram-poor.yaml";
  std::ofstream(dir / "s.csv") << "layer,sensitivity\nstem,4\n";
  const auto r = vine_test::run_vine("dse " + design.string() +
                                     " --arith fixed,binary --widths 2 --placement --verify 0 --sensitivities " +
                                     (dir / "s.csv").string() + " -o " + (dir / "out").string() + " --write-point 2");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("design points/s"), std::string::npos) << r.output;
  std::ifstream csv(dir / "out" / "front.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_NE(header.find(",ddr_bytes_per_frame,proxy,"), std::string::npos) << header;
  nlohmann::json j;
  std::ifstream(dir / "out" / "dse.json") >> j;
  ASSERT_GT(j["proxy_weights"].size(), 1u);
  ASSERT_EQ(j["weight_choices"]["stem"].size(), 3u);  // own, fixed2, binary
  std::vector<nlohmann::json> front;
  for (const auto& p : j["points"])
    if (p["pareto"].get<bool>()) front.push_back(p);
  ASSERT_GE(front.size(), 2u);
  // The stem's proxy is 4 times its choice's error.
  double error = -1;
  const std::string stem_weights = front[1]["folding"]["stem"]["weights"].get<std::string>();
  for (const auto& c : j["weight_choices"]["stem"])
    if (c["weights"] == stem_weights) error = c["error"].get<double>();
  EXPECT_DOUBLE_EQ(front[1]["folding"]["stem"]["proxy"].get<double>(), 4 * error);
  const ir::Design d = config::load_design((dir / "out" / "point-2.yaml").string());
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, front[1]["interval_cycles"].get<int64_t>());
  EXPECT_EQ(std::string(ir::to_string(d.folding[1].weight_memory)),
            front[1]["folding"]["branch"]["weight_memory"].get<std::string>());

  std::ofstream(dir / "bad.csv") << "layer,sensitivity\nstem,4\njoin,1\n";
  const auto bad = vine_test::run_vine("dse " + design.string() + " --arith binary --verify 0 --sensitivities " +
                                       (dir / "bad.csv").string());
  EXPECT_EQ(bad.code, 1) << bad.output;
  EXPECT_NE(bad.output.find("bad.csv:3:1"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("join has none"), std::string::npos) << bad.output;
  const auto widths = vine_test::run_vine("dse " + design.string() + " --arith fixed --widths 2,x --verify 0");
  EXPECT_EQ(widths.code, 1) << widths.output;
  EXPECT_NE(widths.output.find("--widths: got 'x'"), std::string::npos) << widths.output;
  fs::remove_all(dir);
}

// --size-fifos prints each simulated point's sized FIFOs and writes them in
// the JSON; without a simulated point, or with a bad --jobs, it is a usage
// error.
TEST(DseCommand, SizeFifosReportsTheSimulatedPointsSizedAndBadUsesAreRefused) {
  const std::string design = (kSource / "configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml").string();
  const fs::path json = fs::temp_directory_path() / ("vine-dse-sized-" + std::to_string(::getpid()) + ".json");
  const auto r = vine_test::run_vine("-q dse " + design + " --verify 1 --size-fifos -j 1 --json " + json.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("sized FIFOs: each simulated point's FIFOs sized"), std::string::npos) << r.output;
  nlohmann::json j;
  std::ifstream(json) >> j;
  fs::remove(json);
  int sized = 0;
  for (const auto& p : j["points"]) {
    if (p["sized_fifos"].is_null()) continue;
    ++sized;
    EXPECT_EQ(p["sized_fifos"]["simulated_interval_cycles"], p["simulated_interval_cycles"]);
    EXPECT_GT(p["sized_fifos"]["fifo_bits"].get<int64_t>(), 0);
    EXPECT_TRUE(p["sized_fifos"]["fits"].get<bool>());
  }
  EXPECT_EQ(sized, 1);
  EXPECT_FALSE(j["set_folding"]["sized_fifos"].is_null());
  const auto none = vine_test::run_vine("dse " + design + " --verify 0 --size-fifos");
  EXPECT_EQ(none.code, 1) << none.output;
  EXPECT_NE(none.output.find("--size-fifos: sizes the simulated points, and --verify 0 simulates none"),
            std::string::npos)
      << none.output;
  const auto jobs = vine_test::run_vine("dse " + design + " --size-fifos -j 65");
  EXPECT_EQ(jobs.code, 1) << jobs.output;
  EXPECT_NE(jobs.output.find("--jobs: expected 0 (one per core) to 64"), std::string::npos) << jobs.output;
  const auto unsized = vine_test::run_vine("dse " + design + " -j 2");
  EXPECT_EQ(unsized.code, 1) << unsized.output;
  EXPECT_NE(unsized.output.find("--jobs: sets the trials of --size-fifos, which was not given"), std::string::npos)
      << unsized.output;
}

TEST(PartitionCommand, WritesTheSplitAndAFoldedDesignWhoseBoardsMeetTheInterval) {
  const fs::path dir = fs::temp_directory_path() / ("vine-partition-" + std::to_string(::getpid()));
  const fs::path design = kSource / "configs/designs/default.yaml";
  const auto r = vine_test::run_vine("partition " + design.string() + " " +
                                     (kSource / "configs/clusters/pynq-z1-x2.yaml").string() + " -o " + dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json j;
  std::ifstream(dir / "partition.json") >> j;
  ASSERT_EQ(j["boards"].size(), 2u) << r.output;
  ASSERT_EQ(j["links"].size(), 1u);
  const double interval = j["interval_cycles"].get<double>();
  EXPECT_LT(interval, j["single_board_interval_cycles"].get<double>());
  EXPECT_LE(j["links"][0]["cycles_per_frame"].get<double>(), interval);
  // The written design has the split's folding: every layer of the estimate
  // within the interval, and the boards' layers cover the network in order.
  const ir::Design d = load(dir / "default-partitioned.yaml");
  const estimate::Estimate e = estimate::estimate_design(d);
  size_t layer = 0;
  for (const auto& b : j["boards"])
    for (const auto& l : b["layers"]) {
      ASSERT_LT(layer, d.network.layers.size());
      EXPECT_EQ(l["layer"].get<std::string>(), d.network.layers[layer].name);
      EXPECT_EQ(l["PE"].get<int>(), d.folding[layer].pe);
      EXPECT_EQ(l["SIMD"].get<int>(), d.folding[layer].simd);
      ++layer;
    }
  EXPECT_EQ(layer, d.network.layers.size());
  // What the tables promise: every stage but the width converters (which the
  // tables leave out, docs/partition.md) within the interval, and one at it.
  double slowest = 0;
  for (const auto& l : e.layers)
    for (const auto& st : l.stages)
      if (st.plan.kind != ir::StageKind::kWidthConverter) slowest = std::max(slowest, double(st.cycles));
  EXPECT_EQ(slowest, interval);
  // The written design states its placement, and `vine run` simulates it as
  // it is: the cut stream on the cluster's link, the outputs bit-exact.
  ASSERT_EQ(d.placement.boards.size(), 2u);
  EXPECT_EQ(d.placement.cluster.name, "pynq-z1-x2");
  EXPECT_EQ(d.placement.boards[1].first, j["boards"][0]["layers"].size());
  const auto run = vine_test::run_vine("-q run " + (dir / "default-partitioned.yaml").string() + " -n 2");
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("match the golden reference"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(".link: fpga0 -> fpga1"), std::string::npos) << run.output;
  fs::remove_all(dir);
}

// A split whose cut falls inside a residual block (two streams on one link)
// cannot be a design's placement: the written design is the folding alone,
// loads, and says where the split is; the command says so too.
TEST(PartitionCommand, ASplitCuttingTwoStreamsIsWrittenAsItsFoldingAlone) {
  const fs::path dir = fs::temp_directory_path() / ("vine-partition-residual-" + std::to_string(::getpid()));
  const auto r = vine_test::run_vine("partition " + (kSource / "configs/designs/resnet18/resnet18-mixed-u250.yaml").string() +
                                     " " + (kSource / "configs/clusters/zcu104-x4.yaml").string() + " -o " + dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json j;
  std::ifstream(dir / "partition.json") >> j;
  bool two = false;
  for (const auto& l : j["links"]) two = two || l["streams"].size() > 1;
  ASSERT_TRUE(two) << "the case needs a cut that two streams cross: " << j["links"].dump();
  EXPECT_NE(r.output.find("without its placement"), std::string::npos) << r.output;
  const ir::Design d = load(dir / "resnet18-mixed-u250-partitioned.yaml");
  EXPECT_FALSE(d.placement.placed());
  const auto v = vine_test::run_vine("validate " + (dir / "resnet18-mixed-u250-partitioned.yaml").string());
  EXPECT_EQ(v.code, 0) << v.output;
  fs::remove_all(dir);
}

// The split's folding may drop a layer's width converter: the written design
// then leaves out the depth its source gave that converter's stream (else it
// would name a stream the design lacks), and keeps the other depths.
// MobileNet-V1 (U250) on two ZCU102s behind a 0.5 Gb/s lane folds dw12 at PE
// 2, as pw11 writes, where the source's PE 4 needed dw12.dwc_in.
TEST(PartitionCommand, ARefoldedLayerLosesTheDepthOfAStreamItNoLongerHas) {
  const fs::path dir = fs::temp_directory_path() / ("vine-partition-refold-" + std::to_string(::getpid()));
  const fs::path design = kSource / "configs/designs/finn-examples/mobilenet-v1-w4a4-u250.yaml";
  std::ifstream src(design);
  const std::string source((std::istreambuf_iterator<char>(src)), std::istreambuf_iterator<char>());
  ASSERT_NE(source.find("{stream: dw12.dwc_in->dw12.pad, depth: 128}"), std::string::npos);
  const auto r = vine_test::run_vine("-q partition " + design.string() + " " +
                                     (kSource / "examples/multi-fpga/zcu102-x2-slow.yaml").string() + " -o " + dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const fs::path out = dir / "mobilenet-v1-w4a4-u250-partitioned.yaml";
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const ir::Design d = load(out);
  const int dw12 = d.network.find_layer("dw12");
  ASSERT_GE(dw12, 0);
  EXPECT_EQ(d.folding[size_t(dw12)].pe, 2) << "the case needs dw12 refolded to its producer's width";
  EXPECT_EQ(text.find("dw12.dwc_in->dw12.pad"), std::string::npos) << text;
  EXPECT_NE(text.find("{stream: dw12.pad->dw12.swg, depth: 4096"), std::string::npos) << text;
  EXPECT_NE(text.find("{from: input, to: conv0, depth: 512"), std::string::npos) << text;
  const auto v = vine_test::run_vine("-q validate " + out.string());
  EXPECT_EQ(v.code, 0) << v.output;
  fs::remove_all(dir);
}

TEST(PartitionCommand, BadArgumentsAndClustersAreUsageErrors) {
  const std::string design = (kSource / "configs/designs/default.yaml").string();
  EXPECT_EQ(vine_test::run_vine("partition " + design).code, 1);
  const auto wrong = vine_test::run_vine("partition " + design + " " + design);
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.output.find("a cluster config here"), std::string::npos) << wrong.output;
  const auto ok = vine_test::run_vine("validate " + (kSource / "configs/clusters/u250-x4.yaml").string());
  EXPECT_EQ(ok.code, 0);
  EXPECT_NE(ok.output.find("ok (cluster u250-x4: 4 boards, 3 links)"), std::string::npos) << ok.output;
}

TEST(DataflowCommand, WritesThePlacedDesignTheFrontAndItsJson) {
  TempDir t;
  const fs::path dir = t.path / "out" / "placed";  // made, parents too
  const fs::path design = kSource / "configs/designs/bnn-pynq/cnv-w1a1-pynq-z1.yaml";
  const int64_t budget = 80;
  const auto r = vine_test::run_vine("dataflow " + design.string() + " --bram-budget " + std::to_string(budget) +
                                     " -o " + dir.string() + " --json " + (t.path / "d.json").string());
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json j, again;
  std::ifstream(dir / "dataflow.json") >> j;
  std::ifstream(t.path / "d.json") >> again;
  EXPECT_EQ(j, again);
  EXPECT_EQ(j["budget_bram18"].get<int64_t>(), budget);
  const nlohmann::json& chosen = j["chosen"];
  EXPECT_LE(chosen["bram18"].get<int64_t>(), budget);
  EXPECT_GT(chosen["ddr_bytes_per_frame"].get<uint64_t>(), 0u) << "80 BRAM18 must push weights to DDR";
  // The written design loads from the folder it is in and is the chosen
  // placement: its estimate has the JSON's BRAM18, DDR bytes and fps.
  const ir::Design d = load(dir / "cnv-w1a1-pynq-z1-placed.yaml");
  const estimate::Estimate e = estimate::estimate_design(d);
  EXPECT_EQ(int64_t(e.resources.bram18 + 0.5), chosen["bram18"].get<int64_t>());
  uint64_t bytes = 0;
  for (const auto& l : e.layers) bytes += l.ddr_bytes_per_frame;
  EXPECT_EQ(bytes, chosen["ddr_bytes_per_frame"].get<uint64_t>());
  EXPECT_DOUBLE_EQ(e.fps, chosen["fps"].get<double>());
  for (size_t i = 0; i < d.network.layers.size(); ++i)
    if (d.network.layers[i].has_weights()) {
      EXPECT_EQ(ir::to_string(d.folding[i].weight_memory), chosen["weight_memory"][d.network.layers[i].name].get<std::string>());
    }
  // front.csv: a header and one line per front point, BRAM18 up and bytes
  // down, the chosen one marked once.
  std::ifstream csv(dir / "front.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("bram18,ddr_bytes_per_frame,layers_in_ddr,interval_cycles,fps,", 0), 0u);
  size_t rows = 0, marked = 0;
  int64_t last_bram = -1;
  while (std::getline(csv, line)) {
    std::stringstream fields(line);
    std::vector<std::string> f;
    for (std::string field; std::getline(fields, field, ',');) f.push_back(field);
    ASSERT_GE(f.size(), 8u) << line;
    EXPECT_GT(std::stoll(f[0]), last_bram);
    last_bram = std::stoll(f[0]);
    if (f[7] == "true") {
      ++marked;
      EXPECT_EQ(std::stoll(f[0]), chosen["bram18"].get<int64_t>());
    }
    ++rows;
  }
  EXPECT_EQ(marked, 1u);
  EXPECT_EQ(rows, j["front"].size());
  EXPECT_GE(rows, 2u);
  EXPECT_EQ(j["front"][j["chosen_index"].get<size_t>()], chosen);
  EXPECT_NE(r.output.find("chosen (*): " + std::to_string(chosen["bram18"].get<int64_t>()) + " of 80 BRAM18"),
            std::string::npos)
      << r.output;
}

TEST(DataflowCommand, BadBudgetsInfeasibleBudgetsAndUnwritableFoldersAreErrors) {
  TempDir t;
  const std::string design = (kSource / "configs/designs/bnn-pynq/cnv-w1a1-pynq-z1.yaml").string();
  const auto negative = vine_test::run_vine("dataflow " + design + " --bram-budget -3");
  EXPECT_EQ(negative.code, 1);
  EXPECT_NE(negative.output.find("--bram-budget: expected 0 or more BRAM18, got -3"), std::string::npos)
      << negative.output;
  EXPECT_EQ(vine_test::run_vine("dataflow " + design + " --bram-budget lots").code, 1);
  EXPECT_EQ(vine_test::run_vine("dataflow").code, 1);
  // Below what every layer's weights in DDR still need: the numbers.
  const auto infeasible = vine_test::run_vine("dataflow " + design + " --bram-budget 5 -o " + (t.path / "x").string());
  EXPECT_EQ(infeasible.code, 1);
  EXPECT_NE(infeasible.output.find("no placement fits 5 BRAM18 (--bram-budget): the fewest any placement needs is 17 BRAM18"),
            std::string::npos)
      << infeasible.output;
  EXPECT_NE(infeasible.output.find("the design as given needs 160"), std::string::npos) << infeasible.output;
  EXPECT_FALSE(fs::exists(t.path / "x"));
  // -o under a file: the folder cannot be made.
  const fs::path file = t.write("a-file", "not a folder\n");
  const auto unwritable = vine_test::run_vine("dataflow " + design + " -o " + (file / "out").string());
  EXPECT_EQ(unwritable.code, 1);
  EXPECT_NE(unwritable.output.find("--output: cannot make the folder"), std::string::npos) << unwritable.output;
  // --json onto the design itself is refused before anything is written.
  const auto onto = vine_test::run_vine("dataflow " + design + " --json " + design);
  EXPECT_EQ(onto.code, 1);
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
