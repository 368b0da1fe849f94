// `vine dse` (sim/explore/folding_dse.h): every reported figure is the whole
// design's estimate, the front is a front, each target's folding is the
// cheapest on the tables (brute force on a small network), SetFolding keeps
// FINN's rules, and the simulated points run at the estimate's interval.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "sim/config/loaders.h"
#include "sim/explore/folding_dse.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
const fs::path kSource(VINE_SOURCE_DIR);

ir::Design load(const std::string& p) { return config::load_design((kSource / p).string()); }

TEST(Dse, EveryFigureIsTheWholeEstimateAndTheFrontIsAFront) {
  const ir::Design d = load("configs/designs/default.yaml");
  explore::DseOptions o;
  o.verify = 0;
  const explore::DseResult r = explore::explore_folding(d, o);
  ASSERT_FALSE(r.points.empty());
  int front = 0;
  for (size_t i = 0; i < r.points.size(); ++i) {
    const explore::DsePoint& p = r.points[i];
    const estimate::Estimate e = estimate::estimate_design(explore::with_folding(d, p.folding));
    EXPECT_EQ(p.estimate.interval_cycles, e.interval_cycles);
    EXPECT_EQ(p.estimate.resources.lut, e.resources.lut);
    EXPECT_EQ(p.estimate.resources.bram18, e.resources.bram18);
    EXPECT_EQ(p.estimate.fits, e.fits);
    if (i) {
      EXPECT_LE(r.points[i - 1].estimate.interval_cycles, p.estimate.interval_cycles);  // fastest first
    }
    if (!p.pareto) continue;
    ++front;
    EXPECT_TRUE(p.estimate.fits);
    for (const explore::DsePoint& q : r.points) {
      if (&q == &p || !q.pareto) continue;
      // Of two front points, the faster one costs more of some resource.
      if (q.estimate.interval_cycles < p.estimate.interval_cycles) {
        const auto& a = q.estimate.resources;
        const auto& b = p.estimate.resources;
        EXPECT_TRUE(a.lut > b.lut || a.ff > b.ff || a.bram18 > b.bram18 || a.uram > b.uram || a.dsp > b.dsp);
      }
    }
  }
  EXPECT_GT(front, 5);
  // BNN-PYNQ's own folding of CNV-W1A1 runs at 32768 cycles per frame: the
  // front has a point at least as fast that also fits.
  EXPECT_LE(r.points.front().estimate.interval_cycles, 32768);
  EXPECT_GT(r.table_evaluations_per_second, 0);
}

// On the tables, a target's folding is the cheapest of all the foldings
// whose every layer meets the target: checked against every combination.
TEST(Dse, EachTargetsFoldingIsTheCheapestOnTheTables) {
  const ir::Design d = load("tests/sim/data/residual-deep-skip.yaml");
  explore::DseOptions o;
  o.verify = 0;
  const explore::DseResult r = explore::explore_folding(d, o);
  ASSERT_EQ(r.options.size(), 3u);
  ASSERT_LT(r.space, 1e6);
  const ir::Resources device = r.points.front().estimate.device;
  for (const explore::DsePoint& p : r.points) {
    if (p.target_cycles == 0) continue;
    double chosen = 0, best = 1e300;
    for (size_t i = 0; i < p.folding.size(); ++i)
      for (const auto& op : r.options[i])
        if (op.folding == p.folding[i]) chosen += explore::resource_cost(op.resources, device);
    std::vector<size_t> at(r.options.size(), 0);
    std::function<void(size_t, double, int64_t)> visit = [&](size_t i, double cost, int64_t cycles) {
      if (cycles > p.target_cycles) return;
      if (i == r.options.size()) {
        best = std::min(best, cost);
        return;
      }
      for (const auto& op : r.options[i])
        visit(i + 1, cost + explore::resource_cost(op.resources, device), std::max(cycles, op.cycles));
    };
    visit(0, 0, 0);
    if (p.refined) {
      EXPECT_GE(chosen + 1e-12, best) << "target " << p.target_cycles;  // changed in context: dearer, never cheaper
    } else {
      EXPECT_NEAR(chosen, best, 1e-12) << "target " << p.target_cycles;
    }
  }
}

TEST(Dse, SetFoldingKeepsFinnsRules) {
  const ir::Design d = load("configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml");
  for (double fps : {1e5, 5e5, 2e6}) {
    explore::DseOptions o;
    o.verify = 0;
    o.target_fps = fps;
    const explore::DseResult r = explore::explore_folding(d, o);
    const int64_t target = int64_t(std::ceil(d.clock_mhz * 1e6 / fps - 1e-9));
    const auto& f = r.set_folding.folding;
    int64_t slowest = 0;
    std::vector<int64_t> table_cycles;
    for (size_t i = 0; i < f.size(); ++i) {
      const ir::Layer& l = d.network.layers[i];
      EXPECT_LE(f[i].simd * l.weights->bits, o.mvau_wwidth_max) << l.name;  // the MVAU's SIMD cap
      int64_t cycles = -1;
      for (const auto& op : r.options[i])
        if (op.folding == f[i]) cycles = op.cycles;
      ASSERT_GE(cycles, 0) << l.name;
      slowest = std::max(slowest, cycles);
      table_cycles.push_back(cycles);
    }
    // Each layer meets the target, or the slowest layer's cycles when the
    // target cannot be met, and is no more folded than that needs: the next
    // smaller PE (same SIMD) would miss it.
    const int64_t pace = std::max(target, slowest);
    for (size_t i = 0; i < f.size(); ++i) {
      EXPECT_LE(table_cycles[i], pace) << d.network.layers[i].name;
      int64_t less = -1;
      int less_pe = 0;
      for (const auto& op : r.options[i])
        if (op.folding.simd == f[i].simd && op.folding.pe < f[i].pe && op.folding.pe > less_pe) {
          less_pe = op.folding.pe;
          less = op.cycles;
        }
      if (less >= 0) {
        EXPECT_GT(less, pace) << d.network.layers[i].name << " at " << fps << " fps";
      }
    }
  }
}

TEST(Dse, SimulatedPointsRunAtTheEstimatesInterval) {
  const ir::Design d = load("configs/designs/default.yaml");
  explore::DseOptions o;
  o.verify = 2;
  const explore::DseResult r = explore::explore_folding(d, o);
  int simulated = 0;
  for (const explore::DsePoint& p : r.points) {
    if (p.simulated_frames == 0) continue;
    ++simulated;
    EXPECT_EQ(p.simulated_interval, double(p.estimate.interval_cycles));
  }
  EXPECT_EQ(simulated, 2);
  EXPECT_EQ(r.set_folding.simulated_interval, double(r.set_folding.estimate.interval_cycles));
}

}  // namespace
}  // namespace vine
