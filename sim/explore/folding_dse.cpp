#include "sim/explore/folding_dse.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "sim/config/config_error.h"
#include "sim/explore/fifo_sizing.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/timing_run.h"

namespace vine::explore {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<int> divisors(int64_t n) {
  std::vector<int> d;
  for (int64_t k = 1; k <= n && k <= (1 << 16); ++k)
    if (n % k == 0) d.push_back(int(k));
  return d;
}

// The foldings a layer's kind allows (ir::check_design has the rules).
std::vector<Folding> candidates(const ir::Layer& l) {
  std::vector<Folding> out;
  std::vector<int> simds{1}, pes;
  switch (l.kind) {
    case ir::LayerKind::kConv:
      simds = divisors(l.in_shape.c);
      pes = divisors(l.matrix_height());
      break;
    case ir::LayerKind::kFc:
      simds = divisors(l.matrix_width());
      pes = divisors(l.matrix_height());
      break;
    case ir::LayerKind::kDwConv:
      pes = divisors(l.in_shape.c);
      break;
    default:
      pes = divisors(l.out_shape.c);
  }
  for (int pe : pes)
    for (int simd : simds) out.push_back({pe, simd});
  return out;
}

// The widest weight a layer stores (its channel groups' widest, if any).
int weight_bits(const ir::Layer& l) {
  int bits = l.weights ? l.weights->bits : 0;
  for (const auto& g : l.channel_groups) bits = std::max(bits, g.weights.bits);
  return bits;
}

constexpr double ir::Resources::*kResourceFields[] = {&ir::Resources::lut, &ir::Resources::ff, &ir::Resources::bram18,
                                                     &ir::Resources::uram, &ir::Resources::dsp};

bool no_more(const ir::Resources& a, const ir::Resources& b) {
  for (auto f : kResourceFields)
    if (a.*f > b.*f) return false;
  return true;
}

bool dominates(const DsePoint& a, const DsePoint& b) {
  if (a.estimate.interval_cycles > b.estimate.interval_cycles || !no_more(a.estimate.resources, b.estimate.resources))
    return false;
  if (a.estimate.interval_cycles < b.estimate.interval_cycles) return true;
  for (auto f : kResourceFields)
    if (a.estimate.resources.*f < b.estimate.resources.*f) return true;
  return false;
}

DsePoint evaluate(const ir::Design& base, const std::vector<Folding>& f, int64_t target) {
  DsePoint p;
  p.folding = f;
  p.target_cycles = target;
  p.estimate = estimate::estimate_design(with_folding(base, f));
  p.cost = resource_cost(p.estimate.resources, p.estimate.device);
  return p;
}

// FINN's SetFolding (Xilinx/finn, transformation/fpgadataflow/set_folding.py),
// on the per-layer tables: each layer raised over its divisors to meet the
// target cycles, an MVAU's SIMD first (while SIMD x weight bits stays within
// mvau_wwidth_max), then its PE; a VVAU's and every other layer's PE. No
// resource budget. When the target is missed, a second pass takes the
// slowest layer's cycles as the target, so that no layer is folded faster
// than the bottleneck needs.
std::vector<Folding> set_folding(const ir::Network& net, const std::vector<std::vector<LayerOption>>& table,
                                 int64_t target, int wwidth_max) {
  auto cycles_of = [&](size_t i, Folding f) -> int64_t {
    for (const LayerOption& o : table[i])
      if (o.folding == f) return o.cycles;
    return -1;  // not a valid folding of the layer
  };
  auto fold = [&](int64_t t) {
    std::vector<Folding> out(net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
      const ir::Layer& l = net.layers[i];
      Folding f{1, 1};
      std::set<int> pes, simds;
      for (const LayerOption& o : table[i]) {
        pes.insert(o.folding.pe);
        simds.insert(o.folding.simd);
      }
      const bool mvau = l.kind == ir::LayerKind::kConv || l.kind == ir::LayerKind::kFc;
      if (mvau)
        for (int simd : simds) {
          if (cycles_of(i, f) >= 0 && cycles_of(i, f) <= t) break;
          if (simd * weight_bits(l) > wwidth_max) break;
          if (cycles_of(i, {f.pe, simd}) >= 0) f.simd = simd;
        }
      for (int pe : pes) {
        if (cycles_of(i, f) >= 0 && cycles_of(i, f) <= t) break;
        if (cycles_of(i, {pe, f.simd}) >= 0) f.pe = pe;
      }
      out[i] = f;
    }
    return out;
  };
  std::vector<Folding> f = fold(target);
  int64_t slowest = 0;
  for (size_t i = 0; i < f.size(); ++i) slowest = std::max(slowest, cycles_of(i, f[i]));
  if (slowest > target) f = fold(slowest);
  return f;
}

// The steady interval of a design with every FIFO a frame deep (FINN's
// tensor-sized FIFOs: deep enough that the folding, not the FIFOs, sets the
// pace on the shipped designs), over the frames its run needs.
void simulate(const ir::Design& base, DsePoint& p) {
  constexpr int kFirstFrames = 3;
  const ir::Design d = with_frame_deep_fifos(with_folding(base, p.folding));
  const sim::SteadyState s = sim::judge_until_reached(
      kFirstFrames, sim::remember_runs([&d](int n) { return sim::frame_stamps(*sim::run_timing(d, n)); }));
  // Reached: the frames of the judged run; else the first run's, asked for
  // (a deadlocked run's judgement counts only the frames that came out).
  p.simulated_frames = s.reached ? s.frames : kFirstFrames;
  p.simulated_interval = s.reached ? s.interval_cycles() : 0;
}

// See explore_folding.
// Whether it changed the folding.
bool refine(const ir::Design& base, const std::vector<std::vector<LayerOption>>& options, const ir::Resources& device,
            int64_t t, std::vector<Folding>& f) {
  bool refined = false;
  const ir::Network& net = base.network;
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    const estimate::Estimate e = estimate::estimate_design(with_folding(base, f));
    if (e.interval_cycles <= t) return refined;
    bool changed = false;
    for (size_t i = 0; i < net.layers.size(); ++i) {
      if (e.layers[i].cycles <= t) continue;
      // The changes to try: layer i's options, then its producers', each by its table cost.
      std::vector<std::pair<double, std::pair<size_t, Folding>>> tries;
      std::vector<size_t> who{i};
      for (int in : net.layers[i].input_index)
        if (in >= 0) who.push_back(size_t(in));
      for (size_t w : who)
        for (const LayerOption& op : options[w])
          if (!(op.folding == f[w])) tries.push_back({resource_cost(op.resources, device), {w, op.folding}});
      std::stable_sort(tries.begin(), tries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [cost, change] : tries) {
        std::vector<Folding> g = f;
        g[change.first] = change.second;
        estimate::Estimate ge;
        try {
          ge = estimate::estimate_design(with_folding(base, g));
        } catch (const config::ConfigError&) {
          continue;  // the pair's converter widths are not buildable
        }
        if (ge.layers[i].cycles <= t && ge.layers[change.first].cycles <= t) {
          f = g;
          changed = refined = true;
          break;
        }
      }
    }
    if (!changed) return refined;
  }
  return refined;
}

}  // namespace

double resource_cost(const ir::Resources& r, const ir::Resources& device) {
  double c = 0;
  for (auto f : kResourceFields)
    if (device.*f > 0) c += r.*f / device.*f;
  return c;
}

ir::Design with_folding(const ir::Design& base, const std::vector<Folding>& f) {
  ir::Design d = base;
  for (size_t i = 0; i < f.size(); ++i) {
    d.folding[i].pe = f[i].pe;
    d.folding[i].simd = f[i].simd;
  }
  return d;
}

std::vector<std::vector<LayerOption>> layer_options(const ir::Design& base_in) {
  const ir::Network& net = base_in.network;
  const std::vector<Folding> unfolded(net.layers.size());
  const ir::Design base = with_folding(base_in, unfolded);
  std::vector<std::vector<LayerOption>> options(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    for (const Folding& c : candidates(net.layers[i])) {
      std::vector<Folding> f = unfolded;
      f[i] = c;
      const ir::Design d = with_folding(base, f);
      try {
        ir::check_design(d);
        const estimate::Estimate e = estimate::estimate_design(d);
        // The layer's own pace: its converters' depends on its neighbours'
        // widths (unfolded here), which refine() takes into account.
        int64_t cycles = 0;
        for (const estimate::StageEstimate& st : e.layers[i].stages)
          if (st.plan.kind != ir::StageKind::kWidthConverter) cycles = std::max(cycles, st.cycles);
        options[i].push_back({c, cycles, e.layers[i].resources});
      } catch (const config::ConfigError&) {
        // not a valid folding of this layer (stream widths, converters, channel groups)
      }
    }
    if (options[i].empty())
      throw config::ConfigError(base.folding[i].where, "layer '" + net.layers[i].name + "'",
                                "a layer with at least one valid folding");
  }
  return options;
}

DseResult explore_folding(const ir::Design& base_in, const DseOptions& o) {
  DseResult r;
  const ir::Network& net = base_in.network;
  ir::Design base = base_in;
  std::vector<Folding> own;
  for (const ir::LayerFolding& f : base_in.folding) own.push_back({f.pe, f.simd});
  r.given = evaluate(base_in, own, 0);
  std::vector<Folding> unfolded(net.layers.size());
  base = with_folding(base, unfolded);

  // The per-layer tables.
  auto t0 = Clock::now();
  const ir::Resources device = estimate::estimate_design(base).device;
  r.options = layer_options(base);
  r.space = 1;
  for (const auto& opts : r.options) r.space *= double(opts.size());
  r.table_seconds = seconds_since(t0);

  // The sweep over targets.
  t0 = Clock::now();
  std::set<int64_t> targets;
  int64_t fastest = 0;  // no folding is faster than its slowest layer's fastest option
  for (const auto& opts : r.options) {
    int64_t least = opts[0].cycles;
    for (const auto& op : opts) {
      targets.insert(op.cycles);
      least = std::min(least, op.cycles);
    }
    fastest = std::max(fastest, least);
  }
  struct Chosen {
    int64_t t;
    std::vector<Folding> f;
    bool refined = false;
  };
  std::vector<Chosen> chosen;
  for (int64_t t : targets) {
    if (t < fastest) continue;
    ++r.targets;
    std::vector<Folding> f(net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
      double best = 1e300;
      for (const auto& op : r.options[i]) {
        const double c = resource_cost(op.resources, device);
        if (op.cycles <= t && c < best) {
          best = c;
          f[i] = op.folding;
        }
      }
    }
    if (chosen.empty() || chosen.back().f != f) chosen.push_back({t, f});
  }
  r.sweep_seconds = seconds_since(t0);

  // In context: a layer's width converters depend on its neighbours' widths,
  // so a folding chosen on the tables can miss its T. Each layer slower than
  // T in the whole estimate gets the cheapest change (its own folding, or a
  // producer's) that brings it within T, a few rounds at most; a folding
  // that still misses is kept at the interval it has.
  t0 = Clock::now();
  for (Chosen& c : chosen) c.refined = refine(base, r.options, device, c.t, c.f);
  r.refine_seconds = seconds_since(t0);

  // How fast the tables score a folding: random foldings, each layer's option drawn at random.
  {
    std::mt19937_64 rng(1);
    const int n = 200000;
    double sink = 0;
    const auto t1 = Clock::now();
    for (int k = 0; k < n; ++k) {
      int64_t interval = 0;
      ir::Resources sum;
      for (const auto& opts : r.options) {
        const LayerOption& op = opts[rng() % opts.size()];
        interval = std::max(interval, op.cycles);
        sum += op.resources;
      }
      sink += double(interval) + resource_cost(sum, device);
    }
    const double s = seconds_since(t1);
    r.table_evaluations_per_second = s > 0 && sink > 0 ? n / s : 0;
  }

  // Every chosen folding estimated whole; the front among those that fit.
  t0 = Clock::now();
  std::set<std::vector<std::pair<int, int>>> seen;
  for (const Chosen& c : chosen) {
    std::vector<std::pair<int, int>> key;
    for (const Folding& x : c.f) key.emplace_back(x.pe, x.simd);
    if (!seen.insert(key).second) continue;
    r.points.push_back(evaluate(base, c.f, c.t));
    r.points.back().refined = c.refined;
  }
  std::stable_sort(r.points.begin(), r.points.end(), [](const DsePoint& a, const DsePoint& b) {
    return a.estimate.interval_cycles < b.estimate.interval_cycles;
  });
  for (DsePoint& p : r.points) {
    if (!p.estimate.fits) continue;
    p.pareto = true;
    for (const DsePoint& q : r.points)
      if (&q != &p && q.estimate.fits && dominates(q, p)) p.pareto = false;
  }

  // The baseline, at the target fps (default: the fastest fitting point's).
  r.set_folding_target_fps = o.target_fps;
  if (r.set_folding_target_fps <= 0)
    for (const DsePoint& p : r.points)
      if (p.estimate.fits) {
        r.set_folding_target_fps = p.estimate.fps;
        break;
      }
  if (r.set_folding_target_fps <= 0 && !r.points.empty()) r.set_folding_target_fps = r.points.back().estimate.fps;
  const int64_t target_cycles = int64_t(std::ceil(base.clock_mhz * 1e6 / r.set_folding_target_fps - 1e-9));
  r.set_folding = evaluate(base, set_folding(net, r.options, target_cycles, o.mvau_wwidth_max), 0);
  for (size_t i = 0; i < r.points.size(); ++i) {
    const DsePoint& p = r.points[i];
    if (!p.estimate.fits || p.estimate.interval_cycles > r.set_folding.estimate.interval_cycles) continue;
    if (r.best_match < 0 || p.cost < r.points[size_t(r.best_match)].cost) r.best_match = int(i);
  }
  for (size_t i = 0; i < r.points.size(); ++i) {
    const DsePoint& p = r.points[i];
    if (!p.estimate.fits || p.estimate.interval_cycles > r.given.estimate.interval_cycles) continue;
    if (r.given_match < 0 || p.cost < r.points[size_t(r.given_match)].cost) r.given_match = int(i);
  }
  r.estimate_seconds = seconds_since(t0);

  // The fastest fitting front points, and the baseline, checked by simulation.
  t0 = Clock::now();
  int verified = 0;
  for (DsePoint& p : r.points) {
    if (verified >= o.verify) break;
    if (!p.pareto) continue;
    simulate(base, p);
    ++verified;
  }
  if (o.verify > 0) simulate(base, r.set_folding);
  r.verify_seconds = seconds_since(t0);
  return r;
}

}  // namespace vine::explore
