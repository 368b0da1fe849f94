// Flushing pipelines (`pipeline_style: flush`, models/stage/pipeline_timing.h):
// the design field, the engine's host-order independence with the
// scheduler's flush decisions, bit-exact outputs, and what the style changes
// (a stall pipeline holds its results while its read waits, a flushing one
// writes them). The per-cycle oracle checks every beat's cycle of flushing
// designs in tests/sim/test_cycle_exact.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "models/layers/stage_kinds.h"
#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/simulation.h"
#include "tests/sim/host_orders.h"
#include "tests/sim/temp_config.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = VINE_SOURCE_DIR;

std::string with_top(const std::string& top) {
  const std::string text =
      "design: flush\nnetwork: " + (kSource / "configs/networks/tfc-w1a1.yaml").string() +
      "\ndevice: " + (kSource / "configs/devices/pynq-z1.yaml").string() + "\n" + top +
      "layers:\n  fc0: {simd: 8, pe: 8}\n";
  return text;
}

std::vector<models::PipelineTiming> timings(const ir::Design& d) {
  std::vector<models::PipelineTiming> out;
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  for (const auto& s : plan.stages) out.push_back(kinds::pipeline_timing(s, d));
  return out;
}

TEST(FlushingPipeline, TheStyleIsTheDesignsForEveryKindOrByKind) {
  auto load = [](const std::string& top) {
    testing_support::TempConfig f("flush-style", with_top(top));
    return config::load_design(f.path.string());
  };
  const ir::Design stall = load("");
  for (const auto& t : timings(stall)) EXPECT_FALSE(t.flushes);
  const ir::Design flush = load("pipeline_style: flush\n");
  for (const auto& t : timings(flush)) EXPECT_TRUE(t.flushes);
  const ir::Design mvau = load("pipeline_style: {mvau: flush}\n");
  const ir::StreamingPlan plan = ir::plan_process_network(mvau);
  int flushing = 0;
  for (const auto& s : plan.stages) {
    const bool f = kinds::pipeline_timing(s, mvau).flushes;
    EXPECT_EQ(f, s.kind == ir::StageKind::kMvau) << s.name;
    flushing += f;
  }
  EXPECT_GT(flushing, 0);
}

TEST(FlushingPipeline, AStyleNotKnownIsRefusedWithItsField) {
  auto error = [](const std::string& top) {
    testing_support::TempConfig f("flush-bad", with_top(top));
    try {
      config::load_design(f.path.string());
    } catch (const config::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(loaded)");
  };
  EXPECT_NE(error("pipeline_style: flp\n").find("pipeline_style: got 'flp', expected one of"),
            std::string::npos)
      << error("pipeline_style: flp\n");
  EXPECT_NE(
      error("pipeline_style: {mvu: flush}\n").find("pipeline_style.mvu: got unknown field 'mvu'"),
      std::string::npos)
      << error("pipeline_style: {mvu: flush}\n");
  EXPECT_NE(error("pipeline_style: {mvau: fast}\n").find("pipeline_style.mvau: got 'fast'"),
            std::string::npos)
      << error("pipeline_style: {mvau: fast}\n");
}

// The scheduler's flush decisions depend on which stages are blocked when
// none can run, which the host order changes: every beat still moves in the
// same cycle under FIFO, LIFO and shuffled orders.
TEST(FlushingPipeline, HostOrderNeverChangesACycle) {
  for (const char* design : {"bnn-pynq/cnv-w1a1-pynq-z1.yaml", "resnet18/resnet18-mixed-u250.yaml"}) {
    ir::Design d = config::load_design((kSource / "configs/designs" / design).string());
    d.pipeline_flush = true;
    testing_support::expect_host_order_never_changes_a_cycle(d, 2, design, /*orders_differ=*/false);
  }
}

// The style moves cycles, never data.
TEST(FlushingPipeline, OutputsStayBitExact) {
  for (const char* design :
       {"bnn-pynq/cnv-w1a1-pynq-z1.yaml", "finn-examples/tfc-w1a1-pynq-z1.yaml"}) {
    ir::Design d = config::load_design((kSource / "configs/designs" / design).string());
    d.pipeline_flush = true;
    sim::RunOptions o;
    o.frames = 3;
    o.steady_state = false;
    sim::Simulation s(d, o);
    const sim::RunReport& r = s.run();
    ASSERT_TRUE(r.finished) << design << ": " << r.deadlock;
    ASSERT_TRUE(r.outputs_match_reference.has_value());
    EXPECT_TRUE(*r.outputs_match_reference) << design;
  }
}

}  // namespace
}  // namespace vine
