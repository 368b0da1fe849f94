// `vine dataflow` (sim/explore/weight_placement.h): the knapsack's placement
// against every placement enumerated and estimated whole, at budgets from
// infeasible to unconstrained; the front's monotonicity and that each of its
// points is the optimum of its own budget; the options of a layer.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <optional>

#include "models/layers/weight_stream.h"
#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/explore/weight_placement.h"

namespace vine::explore {
namespace {

namespace fs = std::filesystem;
const fs::path kDesigns = fs::path(VINE_SOURCE_DIR) / "configs" / "designs";

ir::Design load(const std::string& rel) { return config::load_design((kDesigns / rel).string()); }

// One placement estimated whole.
struct Whole {
  std::vector<ir::MemoryStyle> memory;
  std::vector<ir::WeightSchedule> schedule;
  int64_t bram18 = 0;
  uint64_t ddr_bytes = 0;
};

// Every placement of the layers with weights, each estimated as a whole
// design: on chip (as placement_options names it), or in DDR under every
// schedule the layer can have (vector; row and frame for a conv layer).
// Placements the stream planner refuses are left out, as the options are.
std::vector<Whole> every_placement(const ir::Design& d) {
  struct Choice {
    ir::MemoryStyle memory;
    ir::WeightSchedule schedule;
  };
  std::vector<int> layers;
  std::vector<std::vector<Choice>> choices;
  for (size_t i = 0; i < d.network.layers.size(); ++i)
    if (d.network.layers[i].has_weights()) {
      layers.push_back(int(i));
      const ir::MemoryStyle chip =
          d.folding[i].weight_memory == ir::MemoryStyle::kDdr ? ir::MemoryStyle::kBram : d.folding[i].weight_memory;
      std::vector<Choice> c = {{chip, ir::WeightSchedule::kVector},
                               {ir::MemoryStyle::kDdr, ir::WeightSchedule::kVector}};
      if (d.network.layers[i].kind == ir::LayerKind::kConv) {
        c.push_back({ir::MemoryStyle::kDdr, ir::WeightSchedule::kRow});
        c.push_back({ir::MemoryStyle::kDdr, ir::WeightSchedule::kFrame});
      }
      choices.push_back(c);
    }
  size_t count = 1;
  for (const auto& c : choices) count *= c.size();
  std::vector<Whole> all;
  for (size_t code = 0; code < count; ++code) {
    Whole w;
    for (const auto& f : d.folding) {
      w.memory.push_back(f.weight_memory);
      w.schedule.push_back(f.weight_schedule);
    }
    size_t rest = code;
    for (size_t k = 0; k < layers.size(); ++k) {
      const Choice& c = choices[k][rest % choices[k].size()];
      rest /= choices[k].size();
      w.memory[size_t(layers[k])] = c.memory;
      w.schedule[size_t(layers[k])] = c.schedule;
    }
    const ir::Design t = with_weight_memory(d, w.memory, w.schedule);
    try {
      models::plan_weight_streams(t);
    } catch (const config::ConfigError&) {
      continue;
    }
    const estimate::Estimate e = estimate::estimate_design(t);
    w.bram18 = int64_t(e.resources.bram18 + 0.5);
    for (const auto& l : e.layers) w.ddr_bytes += l.ddr_bytes_per_frame;
    all.push_back(w);
  }
  return all;
}

// The brute force's answer for a budget: the fewest DDR bytes, then the fewest BRAM18.
std::optional<Whole> best_within(const std::vector<Whole>& all, int64_t budget) {
  std::optional<Whole> best;
  for (const auto& w : all) {
    if (w.bram18 > budget) continue;
    if (!best || w.ddr_bytes < best->ddr_bytes || (w.ddr_bytes == best->ddr_bytes && w.bram18 < best->bram18))
      best = w;
  }
  return best;
}

void expect_optimal_at_every_budget(const std::string& design) {
  SCOPED_TRACE(design);
  const ir::Design d = load(design);
  const std::vector<Whole> all = every_placement(d);
  int64_t least = std::numeric_limits<int64_t>::max(), most = 0;
  for (const auto& w : all) {
    least = std::min(least, w.bram18);
    most = std::max(most, w.bram18);
  }
  ASSERT_LT(least, most) << "the placements must differ in BRAM18 for the test to mean anything";
  const PlacementResult unconstrained = place_weights(d, most);
  EXPECT_EQ(unconstrained.least_bram18, least);
  EXPECT_EQ(unconstrained.most_bram18, most);
  // Budgets: below the least, the least, every front point's and one under
  // it, a few in between, the most, and far above.
  std::vector<int64_t> budgets = {least - 1, least, (least + most) / 3, (least + most) / 2, most, most + 1000};
  for (const auto& p : unconstrained.front) {
    budgets.push_back(p.bram18);
    budgets.push_back(p.bram18 - 1);
  }
  int infeasible = 0, changed = 0;
  for (int64_t b : budgets) {
    if (b < 0) continue;  // place_weights' "the device's"
    SCOPED_TRACE("budget " + std::to_string(b));
    const PlacementResult r = place_weights(d, b);
    const std::optional<Whole> best = best_within(all, b);
    ASSERT_EQ(r.feasible, best.has_value());
    if (!best) {
      ++infeasible;
      EXPECT_EQ(r.chosen_index, -1);
      continue;
    }
    EXPECT_EQ(r.chosen.ddr_bytes_per_frame, best->ddr_bytes);
    EXPECT_EQ(r.chosen.bram18, best->bram18);
    EXPECT_LE(r.chosen.bram18, b);
    // The point's figures are its own whole estimate's.
    EXPECT_EQ(int64_t(r.chosen.estimate.resources.bram18 + 0.5), r.chosen.bram18);
    EXPECT_GT(r.chosen.estimate.fps, 0);
    if (r.chosen.ddr_bytes_per_frame != unconstrained.front.back().ddr_bytes_per_frame) ++changed;
  }
  if (least > 0) {
    EXPECT_GT(infeasible, 0);
  }
  EXPECT_GT(changed, 0) << "some budget must force weights into DDR";

  // The front: BRAM18 up, DDR bytes down, both strictly; from the least to
  // the placement with the fewest bytes; each point the optimum of its
  // budget, and one BRAM18 less gives the point before it.
  const auto& front = unconstrained.front;
  ASSERT_GE(front.size(), 2u);
  EXPECT_EQ(front.front().bram18, least);
  EXPECT_EQ(front.back().ddr_bytes_per_frame, best_within(all, most)->ddr_bytes);
  for (size_t i = 0; i < front.size(); ++i) {
    const std::optional<Whole> at = best_within(all, front[i].bram18);
    ASSERT_TRUE(at);
    EXPECT_EQ(front[i].ddr_bytes_per_frame, at->ddr_bytes);
    EXPECT_EQ(front[i].bram18, at->bram18);
    if (i == 0) continue;
    EXPECT_GT(front[i].bram18, front[i - 1].bram18);
    EXPECT_LT(front[i].ddr_bytes_per_frame, front[i - 1].ddr_bytes_per_frame);
    EXPECT_EQ(best_within(all, front[i].bram18 - 1)->ddr_bytes, front[i - 1].ddr_bytes_per_frame);
  }
  // No placement lies below the front: each is matched or beaten by the
  // front point of its BRAM18.
  for (const auto& w : all) {
    const PlacementPoint* under = nullptr;
    for (const auto& p : front)
      if (p.bram18 <= w.bram18) under = &p;
    ASSERT_NE(under, nullptr);
    EXPECT_LE(under->ddr_bytes_per_frame, w.ddr_bytes);
  }
}

TEST(WeightPlacement, TfcMatchesEveryPlacementAtEveryBudget) {
  expect_optimal_at_every_budget("finn-examples/tfc-w1a1-pynq-z1.yaml");
}

TEST(WeightPlacement, MixedConvNetworkMatchesEveryPlacementAtEveryBudget) {
  // Three conv layers (on chip, or DDR by vector, row or frame), a depthwise
  // and an fc layer (on chip or DDR): 4^3 x 2^2 = 256 placements.
  expect_optimal_at_every_budget("cosim/mixed-pow2-fixed-pynq-z1.yaml");
}

TEST(WeightPlacement, DefaultBudgetIsTheDevicesAndTheGivenDesignIsReported) {
  const ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  const PlacementResult r = place_weights(d);
  EXPECT_EQ(r.budget_bram18, int64_t(d.device.capacity.bram18));
  EXPECT_EQ(r.given.bram18, int64_t(estimate::estimate_design(d).resources.bram18 + 0.5));
  EXPECT_EQ(r.given_bram18, r.given.bram18);
  ASSERT_TRUE(r.feasible);
  EXPECT_EQ(&r.front[size_t(r.chosen_index)] - r.front.data(), r.chosen_index);
  EXPECT_EQ(r.chosen.bram18, r.front[size_t(r.chosen_index)].bram18);
}

TEST(WeightPlacement, OptionsAreOnChipThenDdrMeasuredOnTheWholeDesign) {
  ir::Design d = load("finn-examples/tfc-w1a1-pynq-z1.yaml");
  const int layer = 1;
  ASSERT_TRUE(d.network.layers[layer].has_weights());
  const auto given = estimate::estimate_design(d);
  auto opts = placement_options(d, layer);
  ASSERT_EQ(opts.size(), 2u);  // an fc layer: no row or frame schedule
  EXPECT_EQ(opts[0].memory, ir::MemoryStyle::kBram);
  EXPECT_EQ(opts[0].bram18_delta, 0);  // the layer as given
  EXPECT_EQ(opts[0].ddr_bytes_per_frame, 0u);
  EXPECT_EQ(opts[1].memory, ir::MemoryStyle::kDdr);
  EXPECT_GT(opts[1].ddr_bytes_per_frame, 0u);
  std::vector<ir::MemoryStyle> m;
  for (const auto& f : d.folding) m.push_back(f.weight_memory);
  m[layer] = ir::MemoryStyle::kDdr;
  const auto moved = estimate::estimate_design(with_weight_memory(d, m));
  EXPECT_EQ(opts[1].bram18_delta, int64_t(moved.resources.bram18 - given.resources.bram18));
  EXPECT_LT(opts[1].bram18_delta, 0);
  EXPECT_EQ(opts[1].ddr_bytes_per_frame, moved.layers[layer].ddr_bytes_per_frame);
  // A layer given in DDR: its on-chip option is BRAM, and it is measured
  // from the design as given (DDR), so on chip costs more.
  d.folding[layer].weight_memory = ir::MemoryStyle::kDdr;
  opts = placement_options(d, layer);
  ASSERT_EQ(opts.size(), 2u);
  EXPECT_EQ(opts[0].memory, ir::MemoryStyle::kBram);
  EXPECT_GT(opts[0].bram18_delta, 0);
  EXPECT_EQ(opts[1].bram18_delta, 0);
  // A conv layer has the row and frame schedules too, each reading fewer
  // bytes than the last.
  const ir::Design cnv = load("bnn-pynq/cnv-w2a2-pynq-z1.yaml");
  const auto conv = placement_options(cnv, 3);
  ASSERT_EQ(conv.size(), 4u);
  EXPECT_EQ(conv[2].schedule, ir::WeightSchedule::kRow);
  EXPECT_EQ(conv[3].schedule, ir::WeightSchedule::kFrame);
  EXPECT_EQ(conv[1].ddr_bytes_per_frame, 2654208u);  // conv2: 18432 bytes per pass, 144 pixels
  EXPECT_EQ(conv[2].ddr_bytes_per_frame, 221184u);   // 12 rows
  EXPECT_EQ(conv[3].ddr_bytes_per_frame, 18432u);    // once
  // A layer without weights has none.
  for (size_t i = 0; i < d.network.layers.size(); ++i)
    if (!d.network.layers[i].has_weights()) {
      EXPECT_THROW(placement_options(d, int(i)), std::invalid_argument);
    }
}

}  // namespace
}  // namespace vine::explore
