// `vine dse` (sim/explore/folding_dse.h): every reported figure is the whole
// design's estimate, the front is a front, each target's folding is the
// cheapest on the tables (brute force on a small network), SetFolding keeps
// FINN's rules, and the simulated points run at the estimate's interval.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/explore/accuracy_proxy.h"
#include "sim/explore/fifo_sizing.h"
#include "sim/explore/folding_dse.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/simulation.h"
#include "sim/run/steady_state.h"
#include "sim/run/timing_run.h"
#include "tests/sim/temp_config.h"

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

// --size-fifos: each simulated point's FIFOs sized to the interval of its
// unbounded FIFOs. The sized point, rebuilt from the depths reported and run
// timing only, reaches its estimate's interval (TFC's estimate is its
// simulated interval), its figures are that design's estimate, and it needs
// fewer FIFO bits than FINN's frame-deep FIFOs; without the option nothing
// is sized.
TEST(Dse, SizedFifosOfTheSimulatedPointsReachTheirIntervalAndAreCounted) {
  const ir::Design d = load("configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml");
  explore::DseOptions o;
  o.verify = 2;
  o.size_fifos = true;
  const explore::DseResult r = explore::explore_folding(d, o);
  std::vector<const explore::DsePoint*> sized;
  for (const explore::DsePoint& p : r.points)
    if (p.simulated_frames > 0) sized.push_back(&p);
  sized.push_back(&r.set_folding);
  ASSERT_EQ(sized.size(), 3u);
  for (const explore::DsePoint* p : sized) {
    SCOPED_TRACE(p->estimate.interval_cycles);
    ASSERT_TRUE(p->fifos_sized);
    ASSERT_TRUE(p->sizing_error.empty()) << p->sizing_error;
    EXPECT_TRUE(p->sized_least);
    EXPECT_EQ(p->sized_interval, double(p->estimate.interval_cycles));
    const bool tabled = std::all_of(p->option.begin(), p->option.end(), [](int k) { return k >= 0; });
    const ir::Design point = tabled ? explore::design_of(d, r, p->option) : explore::with_folding(d, p->folding);
    const ir::Design rebuilt =
        explore::with_depths(point, p->sized_fifos, [](const explore::SizedFifo& f) { return f.depth; });
    const sim::SteadyState s = sim::judge_until_reached(
        3, sim::remember_runs([&rebuilt](int n) { return sim::frame_stamps(*sim::run_timing(rebuilt, n)); }));
    ASSERT_TRUE(s.reached);
    EXPECT_EQ(s.interval_cycles(), double(p->estimate.interval_cycles));
    const estimate::Estimate e = estimate::estimate_design(rebuilt);
    EXPECT_EQ(e.resources.lut, p->sized_estimate.resources.lut);
    EXPECT_EQ(e.resources.ff, p->sized_estimate.resources.ff);
    EXPECT_EQ(e.resources.bram18, p->sized_estimate.resources.bram18);
    EXPECT_EQ(e.fits, p->sized_estimate.fits);
    int64_t bits = 0, frame_deep = 0;
    for (const explore::SizedFifo& f : p->sized_fifos) {
      EXPECT_GE(f.depth, 1) << f.name;
      bits += int64_t{f.bits} * f.depth;
      frame_deep += int64_t{f.bits} * std::max<int64_t>(2, f.words);
    }
    EXPECT_EQ(bits, p->sized_fifo_bits());
    EXPECT_LT(bits, frame_deep);
  }
  o.size_fifos = false;
  for (const explore::DsePoint& p : explore::explore_folding(d, o).points) EXPECT_FALSE(p.fifos_sized);
}

// The whole space on a small network: every stem and branch option under
// fixed 2 and 3 bits, pow2 with 1 exponent bit, binary and ternary weights,
// on chip or in DDR, with a sensitivity on the stem.
explore::DseOptions whole_space() {
  explore::DseOptions o;
  o.verify = 0;
  o.space.arithmetic = {ir::WeightArithmetic::kFixed, ir::WeightArithmetic::kPow2, ir::WeightArithmetic::kBinary,
                        ir::WeightArithmetic::kTernary};
  o.space.widths = {2, 3};
  o.space.placement = true;
  o.space.sensitivities = {{"stem", 2.0}};
  return o;
}

// On the tables, the choice for a target T and proxy weight lambda is the
// least objective (resources, DDR share at T, lambda x proxy) over every
// combination of the layers' options (folding x weights x placement) that
// meets T: checked against all of them.
TEST(Dse, EachTargetsChoiceIsTheCheapestOnTheTablesOverWeightsAndPlacement) {
  const ir::Design d = load("tests/sim/data/residual-bram-poor.yaml");
  const explore::DseResult r = explore::explore_folding(d, whole_space());
  ASSERT_EQ(r.options.size(), 3u);
  ASSERT_GT(r.space, 1e4);  // far more than the 1024 foldings alone
  ASSERT_LT(r.space, 1e6);
  EXPECT_GT(r.proxy_weights.size(), 1u);
  // The space holds what it says: narrower weights (with an error) and DDR.
  int narrower = 0, in_ddr = 0, weights_changed = 0, placed_in_ddr = 0;
  for (size_t i = 0; i < 2; ++i)
    for (const auto& op : r.options[i]) {
      narrower += r.weight_choices[i][size_t(op.weights)].error > 0;
      in_ddr += op.memory == ir::MemoryStyle::kDdr && op.ddr_cycles > 0 && op.ddr_bytes_per_frame > 0;
    }
  EXPECT_GT(narrower, 0);
  EXPECT_GT(in_ddr, 0);
  const ir::Resources device = r.points.front().estimate.device;
  int checked = 0;
  for (const explore::DsePoint& p : r.points) {
    if (p.target_cycles == 0) continue;
    double chosen = 0, best = 1e300;
    for (size_t i = 0; i < p.option.size(); ++i) {
      const auto& op = r.options[i][size_t(p.option[i])];
      chosen += explore::sweep_objective(op, device, p.target_cycles, p.proxy_weight);
      weights_changed += !r.weight_choices[i][size_t(op.weights)].own;
      placed_in_ddr += op.memory == ir::MemoryStyle::kDdr;
    }
    std::function<void(size_t, double, int64_t)> visit = [&](size_t i, double cost, int64_t cycles) {
      if (cycles > p.target_cycles) return;
      if (i == r.options.size()) {
        best = std::min(best, cost);
        return;
      }
      for (const auto& op : r.options[i])
        visit(i + 1, cost + explore::sweep_objective(op, device, p.target_cycles, p.proxy_weight),
              std::max(cycles, op.cycles));
    };
    visit(0, 0, 0);
    if (p.refined) {
      EXPECT_GE(chosen + 1e-12, best) << "target " << p.target_cycles;  // changed in context: dearer, never cheaper
    } else {
      EXPECT_NEAR(chosen, best, 1e-12) << "target " << p.target_cycles << " lambda " << p.proxy_weight;
      ++checked;
    }
    // The point's proxy is its layers' (the stem's at twice its error).
    double proxy = 0;
    for (size_t i = 0; i < p.option.size(); ++i) {
      const auto& op = r.options[i][size_t(p.option[i])];
      const double error = r.weight_choices[i][size_t(op.weights)].error;
      EXPECT_DOUBLE_EQ(op.proxy, (i == 0 ? 2.0 : 1.0) * error);
      proxy += op.proxy;
    }
    EXPECT_DOUBLE_EQ(p.proxy, proxy);
  }
  EXPECT_GT(checked, 10);
  EXPECT_GT(weights_changed, 0);  // some chosen points change the weights ...
  EXPECT_GT(placed_in_ddr, 0);    // ... and some place them in DDR
  // The front: no fitting point is as good in every objective and better in one.
  for (const explore::DsePoint& p : r.points) {
    if (!p.pareto) continue;
    for (const explore::DsePoint& q : r.points) {
      if (&q == &p || !q.estimate.fits) continue;
      const auto& a = q.estimate.resources;
      const auto& b = p.estimate.resources;
      const bool no_worse = q.estimate.interval_cycles <= p.estimate.interval_cycles && a.lut <= b.lut &&
                            a.ff <= b.ff && a.bram18 <= b.bram18 && a.uram <= b.uram && a.dsp <= b.dsp &&
                            q.ddr_bytes_per_frame <= p.ddr_bytes_per_frame && q.proxy <= p.proxy;
      const bool better = q.estimate.interval_cycles < p.estimate.interval_cycles || a.lut < b.lut ||
                          a.ff < b.ff || a.bram18 < b.bram18 || a.uram < b.uram || a.dsp < b.dsp ||
                          q.ddr_bytes_per_frame < p.ddr_bytes_per_frame || q.proxy < p.proxy;
      EXPECT_FALSE(no_worse && better);
    }
  }
}

// A front point that changes the weights' arithmetic and places weights in
// DDR, written as a design: it loads and validates, its estimate is the
// point's, it runs bit-exact against the golden reference (vine run's
// check), and its simulated interval is the estimate's.
TEST(Dse, APointsDesignWithOverridesValidatesRunsBitExactAtItsEstimate) {
  const ir::Design d = load("tests/sim/data/residual-bram-poor.yaml");
  const explore::DseResult r = explore::explore_folding(d, whole_space());
  const explore::DsePoint* pick = nullptr;
  for (const explore::DsePoint& p : r.points) {
    if (!p.pareto) continue;
    bool narrower = false, ddr = false;
    for (size_t i = 0; i < p.option.size(); ++i) {
      const auto& op = r.options[i][size_t(p.option[i])];
      narrower = narrower || !r.weight_choices[i][size_t(op.weights)].own;
      ddr = ddr || op.memory == ir::MemoryStyle::kDdr;
    }
    if (narrower && ddr) {
      pick = &p;
      break;
    }
  }
  ASSERT_NE(pick, nullptr) << "no front point changes both the weights and their placement";
  std::vector<bool> overridden;
  const ir::Design best = explore::design_of(d, r, pick->option, &overridden);
  const fs::path out = fs::temp_directory_path() / ("vine-dse-point-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream f(out);
    config::write_design_with_layer_choices(best, overridden, out.string(), "a DSE point", f);
  }
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  EXPECT_NE(text.str().find("weight_memory: ddr"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("arithmetic:"), std::string::npos) << text.str();
  const ir::Design back = config::load_design(out.string());
  fs::remove(out);
  ir::check_design(back);
  for (size_t i = 0; i < back.network.layers.size(); ++i) {
    const auto& op = r.options[i][size_t(pick->option[i])];
    EXPECT_EQ(back.folding[i].pe, op.folding.pe);
    if (!back.network.layers[i].has_weights()) continue;
    EXPECT_EQ(back.folding[i].weight_memory, op.memory);
    const auto& c = r.weight_choices[i][size_t(op.weights)];
    if (!c.own && c.weights) {
      EXPECT_EQ(back.network.layers[i].weights->arithmetic, c.weights->arithmetic);
      EXPECT_EQ(back.network.layers[i].weights->bits, c.weights->bits);
    }
  }
  const estimate::Estimate e = estimate::estimate_design(back);
  EXPECT_EQ(e.interval_cycles, pick->estimate.interval_cycles);
  EXPECT_EQ(e.resources.bram18, pick->estimate.resources.bram18);
  // With every FIFO a frame deep, as `vine dse` verifies its points (the
  // written design keeps the file's FIFOs: `vine fifo-size` sizes them).
  const ir::Design deep = explore::with_frame_deep_fifos(back);
  sim::RunOptions o;
  o.frames = 4;
  sim::Simulation run(deep, o);
  const sim::RunReport& rep = run.run();
  ASSERT_TRUE(rep.finished) << rep.deadlock;
  ASSERT_TRUE(rep.outputs_match_reference.has_value());
  EXPECT_TRUE(*rep.outputs_match_reference);
  EXPECT_EQ(rep.interval_cycles, double(pick->estimate.interval_cycles));
}

// The proxy orders a layer's choices: a grid that holds another at every
// scale never has the larger error (fixed b+1 against b, pow2 with more
// exponent bits, ternary against binary, fixed 2 and pow2 against ternary),
// the layer's own type has none, and a narrower one has some.
TEST(AccuracyProxy, AWiderGridNeverHasALargerError) {
  const ir::Design d = load("configs/designs/resnet18/resnet18-mixed-u250.yaml");
  int layers = 0;
  for (const ir::Layer& l : d.network.layers) {
    if (!l.has_weights() || !l.channel_groups.empty() || layers >= 2) continue;  // conv1 (8 bits), s1b0_conv_a (4)
    ++layers;
    const explore::WeightSample s = explore::sample_weights(l, 1);
    ASSERT_FALSE(s.values.empty());
    using A = ir::WeightArithmetic;
    auto err = [&](A a, int bits, int e = 0) { return explore::quantisation_error(s, ir::WeightType{a, bits, e, 0}); };
    const int own = l.weights->bits;
    EXPECT_EQ(err(A::kFixed, own), 0) << l.name;  // the network's own grid holds its weights
    EXPECT_GT(err(A::kFixed, own - 1), 0) << l.name;
    for (int b = 2; b < 10; ++b) EXPECT_LE(err(A::kFixed, b + 1), err(A::kFixed, b)) << l.name << " fixed " << b;
    for (int e = 1; e < 4; ++e) EXPECT_LE(err(A::kPow2, e + 3, e + 1), err(A::kPow2, e + 2, e)) << l.name;
    EXPECT_LE(err(A::kTernary, 2), err(A::kBinary, 1)) << l.name;
    EXPECT_LE(err(A::kFixed, 2), err(A::kTernary, 2)) << l.name;
    EXPECT_LE(err(A::kPow2, 3, 1), err(A::kTernary, 2)) << l.name;
    EXPECT_LT(err(A::kFixed, 3), err(A::kBinary, 1)) << l.name;
  }
  EXPECT_EQ(layers, 2);
  // Channel groups: each group at its own type is exact; narrowing one group adds error.
  for (const ir::Layer& l : d.network.layers) {
    if (l.channel_groups.size() != 2) continue;
    const explore::WeightSample s = explore::sample_weights(l, 1);
    auto groups = l.channel_groups;
    EXPECT_EQ(explore::quantisation_error(s, {}, groups), 0) << l.name;
    groups[0].weights = ir::WeightType{ir::WeightArithmetic::kBinary, 1, 0, 0};
    const double one = explore::quantisation_error(s, {}, groups);
    groups[1].weights = ir::WeightType{ir::WeightArithmetic::kBinary, 1, 0, 0};
    EXPECT_GT(one, 0) << l.name;
    EXPECT_LE(one, explore::quantisation_error(s, {}, groups)) << l.name;
    break;
  }
}

TEST(AccuracyProxy, SensitivitiesLoadAndABadFileGivesALocatedError) {
  using testing_support::error_of;
  const ir::Design d = load("tests/sim/data/residual-deep-skip.yaml");
  const fs::path dir = fs::temp_directory_path() / ("vine-sens-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto file = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  const auto yaml = explore::load_sensitivities(file("good.yaml", "sensitivities:\n  stem: 2.5\n  branch: 0\n"), d.network);
  EXPECT_EQ(yaml.at("stem"), 2.5);
  EXPECT_EQ(yaml.at("branch"), 0);
  const auto plain = explore::load_sensitivities(file("plain.yaml", "branch: 4\n"), d.network);
  EXPECT_EQ(plain.at("branch"), 4);
  const auto csv = explore::load_sensitivities(file("good.csv", "layer,sensitivity\nstem, 3\n\nbranch,0.5\n"), d.network);
  EXPECT_EQ(csv.at("stem"), 3);
  EXPECT_EQ(csv.at("branch"), 0.5);
  auto error = [&](const std::string& name, const std::string& text) {
    const std::string path = file(name, text);
    return error_of([&] { explore::load_sensitivities(path, d.network); });
  };
  std::string e = error("unknown.yaml", "stem: 1\nbrnch: 2\n");
  EXPECT_NE(e.find("unknown.yaml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("'brnch'"), std::string::npos) << e;
  EXPECT_NE(e.find("stem, branch"), std::string::npos) << e;  // the layers it could be
  e = error("noweights.yaml", "join: 1\n");
  EXPECT_NE(e.find("noweights.yaml:1:"), std::string::npos) << e;
  EXPECT_NE(e.find("join has none"), std::string::npos) << e;
  e = error("negative.yaml", "sensitivities:\n  stem: -1\n");
  EXPECT_NE(e.find("negative.yaml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("sensitivities.stem"), std::string::npos) << e;
  e = error("extra.yaml", "sensitivities: {stem: 1}\nother: 2\n");
  EXPECT_NE(e.find("other"), std::string::npos) << e;
  e = error("header.csv", "name,factor\nstem,1\n");
  EXPECT_NE(e.find("header.csv:1:1"), std::string::npos) << e;
  EXPECT_NE(e.find("layer,sensitivity"), std::string::npos) << e;
  e = error("number.csv", "layer,sensitivity\nstem,1\nbranch,lots\n");
  EXPECT_NE(e.find("number.csv:3:8"), std::string::npos) << e;
  EXPECT_NE(e.find("'lots'"), std::string::npos) << e;
  e = error("twice.csv", "layer,sensitivity\nstem,1\nstem,2\n");
  EXPECT_NE(e.find("twice.csv:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("each layer once"), std::string::npos) << e;
  e = error("fields.csv", "layer,sensitivity\nstem,1,2\n");
  EXPECT_NE(e.find("fields.csv:2:"), std::string::npos) << e;
  e = error_of([&] { explore::load_sensitivities((dir / "absent.csv").string(), d.network); });
  EXPECT_NE(e.find("absent.csv"), std::string::npos) << e;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vine

namespace vine {
namespace {

// A design whose FIFO depths name streams inside layers (the shipped
// MobileNet-V1 has finn-examples' depth on each width converter's stream):
// refolding makes or removes converters, and the depths of streams that do
// not exist in a folding are dropped from it, those that do are kept.
TEST(Dse, StreamDepthsOfConvertersARefoldingRemovesAreDropped) {
  const ir::Design d = load("configs/designs/finn-examples/mobilenet-v1-w4a4-u250.yaml");
  ASSERT_FALSE(d.stream_fifos.empty());
  std::vector<explore::Folding> unfolded(d.folding.size(), explore::Folding{1, 1});
  const ir::Design u = explore::with_folding(d, unfolded);
  EXPECT_LT(u.stream_fifos.size(), d.stream_fifos.size());  // some converters are gone
  EXPECT_NO_THROW(ir::plan_process_network(u));
  // The design as given keeps every depth it states.
  EXPECT_EQ(ir::without_missing_stream_fifos(d).stream_fifos.size(), d.stream_fifos.size());
  explore::DseOptions o;
  o.verify = 0;
  const explore::DseResult r = explore::explore_folding(d, o);
  ASSERT_FALSE(r.points.empty());
  EXPECT_NO_THROW(ir::plan_process_network(explore::with_folding(d, r.points.front().folding)));
}

}  // namespace
}  // namespace vine
