// Stage kinds are open: a kind registered by this test, with a model of its
// own, is placed by a design's `stages:` list, simulated, and estimated like
// the built-in ones. The registry holds every built-in kind under the name
// the reports and `pipeline_depth` use, and docs/stage-kinds.md lists them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "models/layers/stage_kinds.h"
#include "models/stage/stage.h"
#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/estimate/stage_timing.h"
#include "sim/run/simulation.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = fs::path(VINE_SOURCE_DIR);

// The new kind, "throttle": a pass-through whose loop cannot pipeline
// tighter than II = kIi (one beat in and out every kIi cycles), kDepth
// cycles from read to write.
constexpr int kIi = 10;
constexpr int kDepth = 3;

class Throttle final : public models::Stage {
 public:
  Throttle(std::string name, models::PipelineTiming t, int frames, int64_t words_per_frame)
      : Stage(std::move(name), t), total_(frames * words_per_frame) {}
  const char* kind() const override { return "throttle"; }

 protected:
  // Beat n is read and written by the iteration at advance kIi * n; the
  // advances between touch no stream.
  bool next_iteration(models::Iteration& it) override {
    if (next_ >= total_) return false;
    it = {kIi * next_++, 1, 1};
    return true;
  }
  void consume(int, const int32_t* beat) override {
    beat_.assign(beat, beat + inputs()[0]->elements_per_word());
  }
  void produce(int, int32_t* beat) override { std::copy(beat_.begin(), beat_.end(), beat); }

 private:
  int64_t total_, next_ = 0;
  std::vector<int32_t> beat_;
};

int64_t throttle_cycles(int64_t words) {
  return kIi * words;
}

// Registers the throttle kind in the process's registry (once) and returns it.
const kinds::StageKindEntry& throttle_kind() {
  static const ir::StageKind id = [] {
    kinds::StageKindEntry k;
    k.name = "throttle";
    k.role = "throttle";
    k.summary = "A pass-through at II = 10, for the registry's test.";
    k.params = kinds::input_stream_params();
    for (auto& p : kinds::output_stream_params()) k.params.push_back(p);
    k.forwards_elements = true;
    // It reads what the stage before it in the layer's chain writes.
    k.from_layer = [](const kinds::LayerSite& site, ir::StagePlan& s) {
      if (!site.prev) throw std::invalid_argument("a throttle follows another stage of its layer");
      const ir::StagePlan& p = *site.prev;
      s.ifm_h = s.ofm_h = p.ofm_h;
      s.ifm_w = s.ofm_w = p.ofm_w;
      s.in_stream_bits = s.out_stream_bits = p.out_stream_bits;
      s.in_words = s.out_words = p.out_words;
    };
    k.make = [](const kinds::StageBuild& b) {
      return std::make_unique<Throttle>(b.plan.name, b.timing, b.frames, b.plan.in_words);
    };
    k.timing = [](const ir::StagePlan&, const ir::Design&) {
      return models::PipelineTiming{kDepth, -1};
    };
    k.cycles = [](const ir::StagePlan& s, const ir::Design&) {
      return throttle_cycles(s.in_words);
    };
    k.resources = [](const ir::StagePlan& s, const ir::Design&) {
      ir::Resources r;
      r.lut = 20;
      r.ff = double(s.in_stream_bits);
      return r;
    };
    return kinds::stage_kinds().add(std::move(k));
  }();
  return kinds::stage_kinds()[id];
}

// A design written to the temporary directory (with absolute network and
// device paths), removed afterwards.
struct TempDesign {
  fs::path path;
  TempDesign(const std::string& name, const std::string& text) {
    path = fs::temp_directory_path() / ("vine-test-kinds-" + name + ".yaml");
    std::ofstream(path) << text;
  }
  ~TempDesign() { fs::remove(path); }
  ir::Design load() const { return config::load_design(path.string()); }
};

// TFC-W1A1 as finn-examples folds it, with a throttle after fc1's MVAU: fc1
// writes 64 / PE 8 = 8 beats per frame, so the throttle takes 80 cycles per
// frame, more than any MVAU's 64: it sets the interval.
std::string tfc_throttled(const std::string& extra = "") {
  return "design: tfc-throttled\nnetwork: " +
         (kSource / "configs/networks/tfc-w1a1.yaml").string() +
         "\ndevice: " + (kSource / "configs/devices/pynq-z1.yaml").string() + "\nclock_mhz: 100\n" +
         extra +
         "layers:\n"
         "  fc0: {simd: 49, pe: 16}\n"
         "  fc1: {simd: 8, pe: 8, stages: [mvau, throttle]}\n"
         "  fc2: {simd: 8, pe: 8}\n"
         "  fc3: {simd: 8, pe: 10}\n";
}

const ir::StagePlan& stage_named(const ir::StreamingPlan& plan, const std::string& name) {
  for (const auto& s : plan.stages)
    if (s.name == name) return s;
  throw std::out_of_range("no stage " + name);
}

const estimate::StageEstimate* estimated(const estimate::Estimate& e, const std::string& name) {
  for (const auto& l : e.layers)
    for (const auto& s : l.stages)
      if (s.plan.name == name) return &s;
  return nullptr;
}

// Busy cycles of every stage over `frames` frames, timing only.
std::map<std::string, int64_t> busy_cycles(const ir::Design& d, int frames) {
  sim::ProcessNetwork pn(d, {frames, true, false}, nullptr, {}, {});
  EXPECT_TRUE(pn.run());
  std::map<std::string, int64_t> busy;
  for (const auto& s : pn.stages()) busy[s->name()] = s->stats().busy;
  return busy;
}

}  // namespace

// The kinds the reports, the models' kind() and `pipeline_depth` name, under
// the ids ir::StageKind names.
TEST(StageKinds, BuiltInKindsKeepTheirNamesAndIds) {
  const std::vector<std::pair<ir::StageKind, std::string>> builtin = {
      {ir::StageKind::kFmPadding, "fmpadding"}, {ir::StageKind::kSlidingWindow, "swg"},
      {ir::StageKind::kMvau, "mvau"},           {ir::StageKind::kVvau, "vvau"},
      {ir::StageKind::kThreshold, "threshold"}, {ir::StageKind::kMaxPool, "maxpool"},
      {ir::StageKind::kAvgPool, "avgpool"},     {ir::StageKind::kAddStreams, "addstreams"},
      {ir::StageKind::kConcat, "concat"},       {ir::StageKind::kDuplicate, "duplicate"},
      {ir::StageKind::kWidthConverter, "dwc"},  {ir::StageKind::kInputDma, "input_dma"},
      {ir::StageKind::kOutputDma, "output_dma"}, {ir::StageKind::kWeightStreamer, "weight_streamer"},
      {ir::StageKind::kLink, "link"}};
  kinds::StageKindRegistry r;
  kinds::register_builtin_stage_kinds(r);
  // Then the RTL variants (docs/finn-rtl-templates.md), under the next ids,
  // each re-timing one of the named kinds.
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"fmpadding_rtl", "fmpadding"}, {"swg_rtl", "swg"}, {"mvau_rtl", "mvau"}, {"vvau_rtl", "vvau"},
      {"threshold_rtl", "threshold"}, {"dwc_rtl", "dwc"}};
  // Then the kinds added since, under the next ids: no name in ir::StageKind.
  const std::vector<std::string> later = {"downsampler", "channelwise"};
  ASSERT_EQ(r.entries().size(), builtin.size() + variants.size() + later.size());
  for (const auto& [id, name] : builtin) {
    EXPECT_EQ(r[id].name, name);
    EXPECT_EQ(r.at(name).id, id);
    EXPECT_EQ(ir::to_string(id), name);
    EXPECT_TRUE(r[id].from_layer || r[id].on_stream) << name;
    EXPECT_TRUE(r[id].hls_kind.empty()) << name;
  }
  for (size_t k = 0; k < variants.size(); ++k) {
    const kinds::StageKindEntry& v = r.at(variants[k].first);
    EXPECT_EQ(int(v.id), int(builtin.size() + k)) << v.name;
    EXPECT_EQ(v.hls_kind, variants[k].second);
    EXPECT_EQ(r.rtl_variant(variants[k].second), &v);
    EXPECT_EQ(r.family(v), variants[k].second);
  }
  for (size_t k = 0; k < later.size(); ++k) {
    const kinds::StageKindEntry& e = r.at(later[k]);
    EXPECT_EQ(int(e.id), int(builtin.size() + variants.size() + k)) << e.name;
    EXPECT_TRUE(e.hls_kind.empty()) << e.name;
  }
  EXPECT_STREQ(ir::to_string(ir::StageKind(1000)), "?");
}

TEST(StageKinds, RegistryRefusesTakenNamesAndIncompleteEntries) {
  kinds::StageKindRegistry r;
  kinds::register_builtin_stage_kinds(r);
  kinds::StageKindEntry mvau = r.at("mvau");
  EXPECT_THROW(r.add(mvau), std::invalid_argument);
  mvau.name = "mvau2";
  EXPECT_THROW(r.add(mvau, ir::StageKind::kMvau), std::invalid_argument);  // the id is taken
  kinds::StageKindEntry no_model = mvau;
  no_model.make = nullptr;
  EXPECT_THROW(r.add(no_model), std::invalid_argument);
  kinds::StageKindEntry nowhere = mvau;
  nowhere.from_layer = nullptr;
  EXPECT_THROW(r.add(nowhere), std::invalid_argument);
  const ir::StageKind id = r.add(mvau);
  EXPECT_GT(int(id), int(ir::StageKind::kOutputDma));  // a new id after the built-in ones
  EXPECT_EQ(r[id].name, "mvau2");
  EXPECT_EQ(r.find("nosuch"), nullptr);
  EXPECT_THROW(r.at("nosuch"), std::out_of_range);
}

// The plan places the new kind where the design's `stages:` puts it, as its
// plan hook fills it in; the element stream after the MVAU carries fc1's
// 1-bit outputs.
TEST(StageKinds, ANewKindIsPlacedByTheDesignsStages) {
  const kinds::StageKindEntry& throttle = throttle_kind();
  const TempDesign t("plan", tfc_throttled());
  const ir::Design d = t.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  const ir::StagePlan& s = stage_named(plan, "fc1.throttle");
  EXPECT_EQ(s.kind, throttle.id);
  EXPECT_EQ(ir::to_string(s.kind), std::string("throttle"));
  EXPECT_EQ(s.layer, 1);
  EXPECT_EQ(s.in_stream_bits, 8);
  EXPECT_EQ(s.in_words, 8);
  EXPECT_EQ(s.out_words, 8);
  ASSERT_EQ(s.inputs.size(), 1u);
  const ir::StreamPlan& in = plan.streams[size_t(s.inputs[0])];
  EXPECT_EQ(in.name, "fc1.mvau->fc1.throttle");
  EXPECT_EQ(in.elem_bits, 1);
  EXPECT_FALSE(in.graph_edge);
  ASSERT_EQ(s.outputs.size(), 1u);
  EXPECT_EQ(plan.streams[size_t(s.outputs[0])].name, "fc1->fc2");
  EXPECT_EQ(estimate::stage_timing(s, d).depth, kDepth);
}

// The estimate reads the new kind's closed form, which the simulated model
// takes on every further frame, and which sets the interval once no FIFO
// back-pressures; the outputs pass through unchanged.
TEST(StageKinds, ANewKindRunsAtItsClosedForm) {
  throttle_kind();
  const TempDesign t("run", tfc_throttled());
  const ir::Design d = t.load();
  const int64_t closed_form = throttle_cycles(8);

  const estimate::Estimate e = estimate::estimate_design(d);
  const estimate::StageEstimate* se = estimated(e, "fc1.throttle");
  ASSERT_NE(se, nullptr);
  EXPECT_EQ(se->cycles, closed_form);
  EXPECT_EQ(se->resources.lut, 20);
  EXPECT_EQ(e.interval_cycles, closed_form);
  EXPECT_EQ(e.bottleneck, "fc1");

  sim::RunOptions o;
  o.frames = 4;
  sim::Simulation simulation(d, o);
  const sim::RunReport& r = simulation.run();
  ASSERT_TRUE(r.finished) << r.deadlock;
  ASSERT_TRUE(r.outputs_match_reference.has_value());
  EXPECT_TRUE(*r.outputs_match_reference);
  const auto report = std::find_if(r.stages.begin(), r.stages.end(), [](const sim::StageReport& s) {
    return s.name == "fc1.throttle";
  });
  ASSERT_NE(report, r.stages.end());
  EXPECT_EQ(report->kind, "throttle");
  for (const auto& st : simulation.network().stages()) {
    if (st->name() == "fc1.throttle") {
      EXPECT_EQ(st->timing().depth, kDepth);
    }
  }

  const auto two = busy_cycles(d, 2), three = busy_cycles(d, 3);
  EXPECT_EQ(three.at("fc1.throttle") - two.at("fc1.throttle"), closed_form);

  ir::Design deep = d;
  for (auto& f : deep.fifos) f.depth = 1 << 16;
  deep.internal_fifo_depth = deep.default_fifo_depth = 1 << 16;
  o.frames = 16;
  o.timing_only = true;
  sim::Simulation timing(deep, o);
  const sim::RunReport& rt = timing.run();
  ASSERT_TRUE(rt.finished);
  // Consecutive frames leave the throttle's closed form apart (the last ones
  // sooner: nothing holds them in flight, docs/simulation.md).
  const auto& last = rt.frame_last_out_cycles;
  ASSERT_EQ(last.size(), 16u);
  for (size_t f = 2; f <= 8; ++f) EXPECT_EQ(last[f] - last[f - 1], closed_form) << "frame " << f;
  EXPECT_EQ(rt.estimate_interval_cycles, closed_form);
}

// A design's `pipeline_depth` names the new kind like a built-in one.
TEST(StageKinds, PipelineDepthOverridesANewKind) {
  throttle_kind();
  const TempDesign t("depth", tfc_throttled("pipeline_depth: {throttle: 7}\n"));
  const ir::Design d = t.load();
  EXPECT_EQ(d.pipeline_depth.at("throttle"), 7);
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(estimate::stage_timing(stage_named(plan, "fc1.throttle"), d).depth, 7);
  sim::ProcessNetwork pn(d, {1, true, false}, nullptr, {}, {});
  for (const auto& st : pn.stages()) {
    if (st->name() == "fc1.throttle") {
      EXPECT_EQ(st->timing().depth, 7);
    }
  }
  EXPECT_TRUE(pn.run());
}

// After a residual add (a kind that reads every input), the new kind takes
// the add's output; a chain without such a kind cannot take two inputs.
TEST(StageKinds, StagesAfterAMultiInputKind) {
  throttle_kind();
  auto residual = [](const std::string& join) {
    return "design: residual-throttled\nnetwork: " +
           (kSource / "tests/sim/data/residual-net.yaml").string() +
           "\ndevice: " + (kSource / "configs/devices/zcu104.yaml").string() +
           "\nclock_mhz: 200\nlayers:\n  stem: {simd: 8, pe: 8}\n  branch: {simd: 8, pe: 8}\n  "
           "join: " +
           join + "\nfifos:\n  - {from: stem, to: join, depth: 64}\n";
  };
  const TempDesign ok("residual", residual("{pe: 8, stages: [addstreams, throttle]}"));
  const ir::Design d = ok.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(stage_named(plan, "join.add").inputs.size(), 2u);
  EXPECT_EQ(stage_named(plan, "join.throttle").inputs.size(), 1u);
  sim::RunOptions o;
  o.frames = 2;
  sim::Simulation simulation(d, o);
  const sim::RunReport& r = simulation.run();
  ASSERT_TRUE(r.finished) << r.deadlock;
  EXPECT_TRUE(r.outputs_match_reference.value_or(false));

  auto error_of = [&](const std::string& join) {
    const TempDesign bad("residual-bad", residual(join));
    try {
      bad.load();
    } catch (const config::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error_of("{pe: 8, stages: [throttle]}").find("a stage that reads every input of join"),
            std::string::npos);
  EXPECT_NE(error_of("{pe: 8, stages: [nosuch]}")
                .find("got 'nosuch', expected a stage kind a layer expands into"),
            std::string::npos);
  // Converters are placed on streams by the plan builder, not in a layer's chain.
  EXPECT_NE(error_of("{pe: 8, stages: [addstreams, dwc]}").find("got 'dwc'"), std::string::npos);
  EXPECT_NE(error_of("{pe: 8, stages: []}").find("a list of at least one stage kind"),
            std::string::npos);
}

// docs/stage-kinds.md holds the reference the registry generates for the
// built-in kinds (their parameters are declared once, in their entries).
TEST(StageKinds, DocsListEveryBuiltInKind) {
  kinds::StageKindRegistry r;
  kinds::register_builtin_stage_kinds(r);
  const std::string want = kinds::describe_stage_kinds(r);
  std::ifstream in(kSource / "docs/stage-kinds.md");
  std::stringstream doc;
  doc << in.rdbuf();
  EXPECT_NE(doc.str().find(want), std::string::npos)
      << "docs/stage-kinds.md's kind reference is out of date; its section should read:\n"
      << want;
}

}  // namespace vine
