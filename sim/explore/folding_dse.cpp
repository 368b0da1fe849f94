#include "sim/explore/folding_dse.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "models/layers/weight_stream.h"
#include "sim/config/config_error.h"
#include "sim/explore/accuracy_proxy.h"
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
    case ir::LayerKind::kDwConv:  // SIMD: the VVAU's kernel positions per beat
      simds = divisors(l.kernel_positions());
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

bool same_type(const ir::WeightType& a, const ir::WeightType& b) {
  return a.arithmetic == b.arithmetic && a.bits == b.bits && a.exponent_bits == b.exponent_bits &&
         a.exponent_bias == b.exponent_bias;
}

std::string type_label(const ir::WeightType& t) {
  switch (t.arithmetic) {
    case ir::WeightArithmetic::kFixed: return "fixed" + std::to_string(t.bits);
    case ir::WeightArithmetic::kPow2: return "pow2e" + std::to_string(t.exponent_bits);
    case ir::WeightArithmetic::kBinary: return "binary";
    case ir::WeightArithmetic::kTernary: return "ternary";
  }
  return "?";
}

// The space's weight types no wider than `own_bits` (a narrower store than
// the network's own is what can save resources; a wider one cannot lower the
// proxy, which is measured against the network's own weights).
std::vector<ir::WeightType> candidate_types(const DseSpace& s, int own_bits, bool binary_ok) {
  std::vector<ir::WeightType> out;
  for (ir::WeightArithmetic a : s.arithmetic) switch (a) {
      case ir::WeightArithmetic::kFixed:
        for (int w : s.widths)
          if (w >= 2 && w <= 16 && w <= own_bits) out.push_back({a, w, 0, 0});
        break;
      case ir::WeightArithmetic::kPow2:
        for (int w : s.widths)
          if (w >= 3 && w <= 6 && w <= own_bits) out.push_back({a, w, w - 2, 0});
        break;
      case ir::WeightArithmetic::kBinary:
        if (binary_ok) out.push_back({a, 1, 0, 0});
        break;
      case ir::WeightArithmetic::kTernary:
        if (own_bits >= 2) out.push_back({a, 2, 0, 0});
        break;
    }
  return out;
}

// Group choices beyond this many per layer (the product of the groups'
// types) are left out: the layer keeps its whole-layer choices.
constexpr size_t kMaxGroupChoices = 64;

// A layer's weight choices: its own first, then one type for the whole
// layer, then (with channel groups) one type per group. A layer on bit-serial
// lanes keeps fixed-point weights (the lanes exist for them only).
std::vector<WeightChoice> weight_choices_of(const ir::Layer& l, const DseSpace& s, bool bit_serial) {
  std::vector<WeightChoice> out(1);
  out[0].label = "own";
  // Only where the change stays in the layer: a layer whose output is its
  // raw sums passes its weights' range on to its consumers, and a layer
  // with a weights file holds values of its own type.
  if (!l.has_weights() || s.arithmetic.empty() || l.weights_file || l.output.kind == ir::OutputKind::kAccumulator)
    return out;
  const bool binary_ok = l.weight_sparsity == 0;  // binary weights have no zero to prune to
  const WeightSample sample = sample_weights(l, s.seed);
  for (const ir::WeightType& t : candidate_types(s, l.max_weight_bits(), binary_ok)) {
    if (l.channel_groups.empty() && l.weights && same_type(t, *l.weights)) continue;
    if (bit_serial && t.arithmetic != ir::WeightArithmetic::kFixed) continue;
    WeightChoice c;
    c.own = false;
    c.weights = t;
    c.label = type_label(t);
    c.error = quantisation_error(sample, t);
    out.push_back(c);
  }
  if (l.channel_groups.empty()) return out;
  std::vector<std::vector<ir::WeightType>> per_group;
  size_t combos = 1;
  for (const ir::ChannelGroup& g : l.channel_groups) {
    std::vector<ir::WeightType> ts{g.weights};
    for (const ir::WeightType& t : candidate_types(s, g.weights.bits, binary_ok))
      if (!same_type(t, g.weights) && (!bit_serial || t.arithmetic == ir::WeightArithmetic::kFixed)) ts.push_back(t);
    combos *= ts.size();
    per_group.push_back(ts);
  }
  if (combos > kMaxGroupChoices) return out;
  std::vector<size_t> at(per_group.size(), 0);
  for (size_t k = 0; k < combos; ++k) {
    size_t rest = k;
    for (size_t g = 0; g < per_group.size(); ++g) {
      at[g] = rest % per_group[g].size();
      rest /= per_group[g].size();
    }
    if (k == 0) continue;  // every group its own: the own choice
    WeightChoice c;
    c.own = false;
    c.channel_groups = l.channel_groups;
    c.label = "[";
    for (size_t g = 0; g < per_group.size(); ++g) {
      c.channel_groups[g].weights = per_group[g][at[g]];
      c.label += (g ? "|" : "") + type_label(per_group[g][at[g]]);
    }
    c.label += "]";
    c.error = quantisation_error(sample, ir::WeightType{}, c.channel_groups);
    out.push_back(c);
  }
  return out;
}

// Layer i of `d` given weight choice `c` (the network's own layer `own`).
void apply_choice(ir::Design& d, size_t i, const WeightChoice& c, const ir::Layer& own) {
  ir::Layer& l = d.network.layers[i];
  if (c.own) {
    l.weights = own.weights;
    l.channel_groups = own.channel_groups;
  } else if (!c.channel_groups.empty()) {
    l.channel_groups = c.channel_groups;
  } else {
    l.weights = c.weights;
    l.channel_groups.clear();
  }
}

void place(ir::LayerFolding& f, ir::MemoryStyle m) {
  if (f.weight_memory == m) return;
  f.weight_memory = m;
  f.weight_schedule = ir::WeightSchedule::kVector;  // a row or frame schedule only in DDR; DDR's default
}

constexpr double ir::Resources::*kResourceFields[] = {&ir::Resources::lut, &ir::Resources::ff, &ir::Resources::bram18,
                                                     &ir::Resources::uram, &ir::Resources::dsp};

bool no_more(const ir::Resources& a, const ir::Resources& b) {
  for (auto f : kResourceFields)
    if (a.*f > b.*f) return false;
  return true;
}

bool dominates(const DsePoint& a, const DsePoint& b) {
  if (a.estimate.interval_cycles > b.estimate.interval_cycles || !no_more(a.estimate.resources, b.estimate.resources) ||
      a.ddr_bytes_per_frame > b.ddr_bytes_per_frame || a.proxy > b.proxy)
    return false;
  if (a.estimate.interval_cycles < b.estimate.interval_cycles || a.ddr_bytes_per_frame < b.ddr_bytes_per_frame ||
      a.proxy < b.proxy)
    return true;
  for (auto f : kResourceFields)
    if (a.estimate.resources.*f < b.estimate.resources.*f) return true;
  return false;
}

// A point's design: its options', or, where a layer has none (-1: a
// folding outside the tables, the given design's or SetFolding's), `base`
// with the point's folding and every layer's weights and placement as given.
ir::Design point_design(const ir::Design& base, const DseResult& r, const DsePoint& p) {
  for (int k : p.option)
    if (k < 0) return with_folding(base, p.folding);
  return design_of(base, r, p.option);
}

DsePoint evaluate(const ir::Design& base, const DseResult& r, const std::vector<int>& option,
                  const std::vector<Folding>& folding, int64_t target, double lambda) {
  DsePoint p;
  p.option = option;
  p.folding = folding;
  for (size_t i = 0; i < option.size(); ++i) {
    if (option[i] < 0) continue;
    const LayerOption& op = r.options[i][size_t(option[i])];
    p.folding[i] = op.folding;
    p.proxy += op.proxy;
  }
  p.target_cycles = target;
  p.proxy_weight = lambda;
  p.estimate = estimate::estimate_design(point_design(base, r, p));
  p.cost = resource_cost(p.estimate.resources, p.estimate.device);
  p.ddr_bytes_per_frame = estimate::weight_ddr_bytes_per_frame(p.estimate);
  return p;
}

// FINN's SetFolding (Xilinx/finn, transformation/fpgadataflow/set_folding.py),
// on the per-layer tables: each layer raised over its divisors to meet the
// target cycles, an MVAU's SIMD first (while SIMD x weight bits stays within
// mvau_wwidth_max), then its PE; a VVAU's PE, then its SIMD once PE is all
// its channels; every other layer's PE. No
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
      // A VVAU's SIMD (kernel positions per beat) once its PE is all channels.
      if (l.kind == ir::LayerKind::kDwConv && !pes.empty() && f.pe == *pes.rbegin())
        for (int simd : simds) {
          if (cycles_of(i, f) >= 0 && cycles_of(i, f) <= t) break;
          if (cycles_of(i, {f.pe, simd}) >= 0) f.simd = simd;
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
void simulate(const ir::Design& base, const DseResult& r, const DseOptions& o, DsePoint& p) {
  constexpr int kFirstFrames = 3;
  const ir::Design point = point_design(base, r, p);
  const ir::Design d = with_frame_deep_fifos(point);
  const sim::SteadyState s = sim::judge_until_reached(
      kFirstFrames, sim::remember_runs([&d](int n) { return sim::frame_stamps(*sim::run_timing(d, n)); }));
  // Reached: the frames of the judged run; else the first run's, asked for
  // (a deadlocked run's judgement counts only the frames that came out).
  p.simulated_frames = s.reached ? s.frames : kFirstFrames;
  p.simulated_interval = s.reached ? s.interval_cycles() : 0;
  if (!o.size_fifos) return;
  p.fifos_sized = true;
  FifoSizingOptions so;
  so.jobs = o.fifo_jobs;
  try {
    const FifoSizing sized = size_fifos(point, so);
    // The longer judgement the search always makes (shallow FIFOs take
    // longer to settle), as `vine fifo-size` reports it.
    const SizingCheck& c = sized.sized_long;
    p.sized_interval = c.reached ? c.interval : 0;
    p.sized_least = sized.least;
    p.sized_fifos = sized.fifos;
    p.sized_estimate =
        estimate::estimate_design(with_depths(point, sized.fifos, [](const SizedFifo& f) { return f.depth; }));
  } catch (const SizingError& e) {
    p.sizing_error = e.what();
  }
}

// See explore_folding. Only the foldings change: each layer keeps its
// weight choice and placement.
// Whether it changed the point.
bool refine(const ir::Design& base, const DseResult& r, const ir::Resources& device, int64_t t,
            std::vector<int>& sel) {
  bool refined = false;
  const ir::Network& net = base.network;
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    const estimate::Estimate e = estimate::estimate_design(design_of(base, r, sel));
    if (e.interval_cycles <= t) return refined;
    bool changed = false;
    for (size_t i = 0; i < net.layers.size(); ++i) {
      if (e.layers[i].cycles <= t) continue;
      // The changes to try: layer i's options, then its producers', each by its table cost.
      std::vector<std::pair<double, std::pair<size_t, int>>> tries;
      std::vector<size_t> who{i};
      for (int in : net.layers[i].input_index)
        if (in >= 0) who.push_back(size_t(in));
      for (size_t w : who) {
        const LayerOption& now = r.options[w][size_t(sel[w])];
        for (size_t k = 0; k < r.options[w].size(); ++k) {
          const LayerOption& op = r.options[w][k];
          if (int(k) != sel[w] && op.weights == now.weights && op.memory == now.memory)
            tries.push_back({resource_cost(op.resources, device), {w, int(k)}});
        }
      }
      std::stable_sort(tries.begin(), tries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [cost, change] : tries) {
        std::vector<int> g = sel;
        g[change.first] = change.second;
        estimate::Estimate ge;
        try {
          ge = estimate::estimate_design(design_of(base, r, g));
        } catch (const config::ConfigError&) {
          continue;  // the pair's converter widths are not buildable
        }
        if (ge.layers[i].cycles <= t && ge.layers[change.first].cycles <= t) {
          sel = g;
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
  return ir::without_missing_stream_fifos(std::move(d));
}

double sweep_objective(const LayerOption& op, const ir::Resources& device, int64_t t, double lambda) {
  return resource_cost(op.resources, device) + double(op.ddr_cycles) / double(std::max<int64_t>(t, 1)) +
         lambda * op.proxy;
}

ir::Design design_of(const ir::Design& base, const DseResult& r, const std::vector<int>& option,
                     std::vector<bool>* overridden) {
  ir::Design d = base;
  bool any = false;
  if (overridden) overridden->assign(option.size(), false);
  for (size_t i = 0; i < option.size(); ++i) {
    const LayerOption& op = r.options[i][size_t(option[i])];
    d.folding[i].pe = op.folding.pe;
    d.folding[i].simd = op.folding.simd;
    if (!d.network.layers[i].has_weights()) continue;
    place(d.folding[i], op.memory);
    const WeightChoice& c = r.weight_choices[i][size_t(op.weights)];
    if (c.own) continue;
    apply_choice(d, i, c, base.network.layers[i]);
    any = true;
    if (overridden) (*overridden)[i] = true;
  }
  if (any) ir::infer_network(d.network);
  return ir::without_missing_stream_fifos(std::move(d));
}

std::vector<std::vector<LayerOption>> layer_options(const ir::Design& base) {
  std::vector<std::vector<WeightChoice>> choices;
  return layer_options(base, DseSpace{}, choices);
}

std::vector<std::vector<LayerOption>> layer_options(const ir::Design& base_in, const DseSpace& space,
                                                    std::vector<std::vector<WeightChoice>>& choices) {
  const ir::Network& net = base_in.network;
  const std::vector<Folding> unfolded(net.layers.size());
  const ir::Design base = with_folding(base_in, unfolded);
  std::vector<std::vector<LayerOption>> options(net.layers.size());
  choices.assign(net.layers.size(), {});
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const ir::Layer& layer = net.layers[i];
    const bool bit_serial = base.folding[i].bit_serial;
    choices[i] = weight_choices_of(layer, space, bit_serial);
    const auto sensitivity = space.sensitivities.find(layer.name);
    const double factor = sensitivity == space.sensitivities.end() ? 1.0 : sensitivity->second;
    const ir::MemoryStyle own_memory = base.folding[i].weight_memory;
    std::vector<ir::MemoryStyle> memories{own_memory};
    if (layer.has_weights() && space.placement && !bit_serial)  // bit-serial lanes need on-chip weights
      memories.push_back(own_memory == ir::MemoryStyle::kDdr ? ir::MemoryStyle::kBram : ir::MemoryStyle::kDdr);
    for (size_t ci = 0; ci < choices[i].size(); ++ci) {
      const WeightChoice& choice = choices[i][ci];
      for (ir::MemoryStyle memory : memories) {
        ir::Design dm = base;
        if (layer.has_weights()) place(dm.folding[i], memory);
        if (!choice.own) {
          apply_choice(dm, i, choice, layer);
          try {
            ir::infer_network(dm.network);
          } catch (const config::ConfigError&) {
            continue;  // sums past 32 bits, or an output the choice cannot feed
          }
        }
        const bool in_ddr = layer.has_weights() && memory == ir::MemoryStyle::kDdr;
        for (const Folding& c : candidates(layer)) {
          ir::Design d = dm;
          d.folding[i].pe = c.pe;
          d.folding[i].simd = c.simd;
          try {
            ir::check_design(d);
            const estimate::Estimate e = estimate::estimate_design(d);
            // The layer's own pace: its converters' depends on its neighbours'
            // widths (unfolded here), which refine() takes into account.
            LayerOption op;
            op.folding = c;
            op.weights = int(ci);
            op.memory = memory;
            op.proxy = factor * choice.error;
            op.resources = e.layers[i].resources;
            for (const estimate::StageEstimate& st : e.layers[i].stages)
              if (ir::family_name(st.plan.kind) != std::string("dwc")) op.cycles = std::max(op.cycles, st.cycles);
            if (in_ddr) {
              // Its share of the DDR: the cycles its stream alone holds the
              // busiest channel, a pace no folding can beat.
              const models::WeightStream ws = models::plan_weight_stream(d, int(i));
              for (int64_t ch : models::ddr_channel_cycles_per_frame(d, {ws})) op.ddr_cycles = std::max(op.ddr_cycles, ch);
              op.cycles = std::max(op.cycles, op.ddr_cycles);
              op.ddr_bytes_per_frame = e.layers[i].ddr_bytes_per_frame;
            }
            options[i].push_back(op);
          } catch (const config::ConfigError&) {
            // not a valid option of this layer (stream widths, converters,
            // channel groups, a weight word wider than a DDR burst)
          }
        }
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
  const size_t n = net.layers.size();
  std::vector<Folding> own;
  for (const ir::LayerFolding& f : base_in.folding) own.push_back({f.pe, f.simd});
  std::vector<Folding> unfolded(n);
  const ir::Design base = with_folding(base_in, unfolded);

  // The per-layer tables.
  auto t0 = Clock::now();
  const ir::Resources device = estimate::estimate_design(base).device;
  r.options = layer_options(base, o.space, r.weight_choices);
  r.space = 1;
  for (const auto& opts : r.options) r.space *= double(opts.size());
  bool any_error = false;
  for (const auto& cs : r.weight_choices)
    for (const WeightChoice& c : cs) any_error = any_error || c.error > 0;
  r.proxy_weights = !o.space.proxy_weights.empty() ? o.space.proxy_weights
                    : any_error                     ? kDefaultProxyWeights
                                                    : std::vector<double>{0};
  // An option of layer i with the network's weights, the design's placement and folding f (-1: none).
  auto own_option = [&](size_t i, Folding f) {
    for (size_t k = 0; k < r.options[i].size(); ++k) {
      const LayerOption& op = r.options[i][k];
      if (op.weights == 0 && op.memory == base_in.folding[i].weight_memory && op.folding == f) return int(k);
    }
    return -1;
  };
  r.table_seconds = seconds_since(t0);

  // The design as given.
  r.given.folding = own;
  r.given.estimate = estimate::estimate_design(base_in);
  r.given.cost = resource_cost(r.given.estimate.resources, r.given.estimate.device);
  r.given.ddr_bytes_per_frame = estimate::weight_ddr_bytes_per_frame(r.given.estimate);
  for (size_t i = 0; i < n; ++i) r.given.option.push_back(own_option(i, own[i]));

  // The sweep over targets, for each proxy weight.
  t0 = Clock::now();
  std::set<int64_t> targets;
  int64_t fastest = 0;  // no choice is faster than its slowest layer's fastest option
  for (auto& opts : r.options) {
    int64_t least = opts[0].cycles;
    for (const auto& op : opts) {
      targets.insert(op.cycles);
      least = std::min(least, op.cycles);
    }
    fastest = std::max(fastest, least);
  }
  struct Chosen {
    int64_t t;
    double lambda;
    std::vector<int> sel;
    bool refined = false;
  };
  std::vector<Chosen> chosen;
  for (int64_t t : targets) r.targets += t >= fastest;
  for (double lambda : r.proxy_weights) {
    const size_t first = chosen.size();
    for (int64_t t : targets) {
      if (t < fastest) continue;
      std::vector<int> sel(n, -1);
      for (size_t i = 0; i < n; ++i) {
        double best = 1e300;
        for (size_t k = 0; k < r.options[i].size(); ++k) {
          const LayerOption& op = r.options[i][k];
          if (op.cycles > t) continue;
          const double c = sweep_objective(op, device, t, lambda);
          if (c < best) {
            best = c;
            sel[i] = int(k);
          }
        }
      }
      if (chosen.size() == first || chosen.back().sel != sel) chosen.push_back({t, lambda, sel});
    }
  }
  r.sweep_seconds = seconds_since(t0);

  // In context: a layer's width converters depend on its neighbours' widths,
  // so a choice made on the tables can miss its T. Each layer slower than
  // T in the whole estimate gets the cheapest change of folding (its own,
  // or a producer's) that brings it within T, a few rounds at most; a point
  // that still misses (or whose DDR channel, shared by several layers, is
  // slower than T) is kept at the interval it has.
  t0 = Clock::now();
  for (Chosen& c : chosen) c.refined = refine(base, r, device, c.t, c.sel);
  r.refine_seconds = seconds_since(t0);

  // How fast the tables score a design point: random points, each layer's
  // option drawn at random, scored as the sweep scores them (interval,
  // resources, DDR share and proxy).
  {
    std::mt19937_64 rng(1);
    const int n_points = 200000;
    double sink = 0;
    const double lambda = r.proxy_weights.back();
    const auto t1 = Clock::now();
    for (int k = 0; k < n_points; ++k) {
      int64_t interval = 0, ddr = 0;
      double proxy = 0;
      ir::Resources sum;
      for (const auto& opts : r.options) {
        const LayerOption& op = opts[rng() % opts.size()];
        interval = std::max(interval, op.cycles);
        sum += op.resources;
        ddr += op.ddr_cycles;
        proxy += op.proxy;
      }
      sink += double(interval) + resource_cost(sum, device) + double(ddr) / double(interval) + lambda * proxy;
    }
    const double s = seconds_since(t1);
    r.table_evaluations_per_second = s > 0 && sink > 0 ? n_points / s : 0;
  }

  // Every chosen point estimated whole; the front among those that fit.
  t0 = Clock::now();
  std::set<std::vector<int>> seen;
  for (const Chosen& c : chosen) {
    if (!seen.insert(c.sel).second) continue;
    r.points.push_back(evaluate(base, r, c.sel, std::vector<Folding>(n), c.t, c.lambda));
    r.points.back().refined = c.refined;
  }
  // Fastest first; of equally fast points, the most accurate, then the cheapest.
  std::stable_sort(r.points.begin(), r.points.end(), [](const DsePoint& a, const DsePoint& b) {
    if (a.estimate.interval_cycles != b.estimate.interval_cycles)
      return a.estimate.interval_cycles < b.estimate.interval_cycles;
    if (a.proxy != b.proxy) return a.proxy < b.proxy;
    return a.cost < b.cost;
  });
  for (DsePoint& p : r.points) {
    if (!p.estimate.fits) continue;
    p.pareto = true;
    for (const DsePoint& q : r.points)
      if (&q != &p && q.estimate.fits && dominates(q, p)) p.pareto = false;
  }

  // The baseline, at the target fps (default: the fastest fitting point's),
  // on the tables of the network's own weights and the design's placement.
  // SetFolding keeps the network's weights: its default target is the
  // fastest fitting point that keeps them too (proxy 0), else the fastest
  // fitting point.
  r.set_folding_target_fps = o.target_fps;
  for (bool own_accuracy : {true, false})
    for (const DsePoint& p : r.points)
      if (r.set_folding_target_fps <= 0 && p.estimate.fits && (!own_accuracy || p.proxy <= 0)) {
        r.set_folding_target_fps = p.estimate.fps;
        break;
      }
  if (r.set_folding_target_fps <= 0 && !r.points.empty()) r.set_folding_target_fps = r.points.back().estimate.fps;
  const int64_t target_cycles = int64_t(std::ceil(base.clock_mhz * 1e6 / r.set_folding_target_fps - 1e-9));
  std::vector<std::vector<LayerOption>> own_table(n);
  for (size_t i = 0; i < n; ++i)
    for (const LayerOption& op : r.options[i])
      if (op.weights == 0 && op.memory == base_in.folding[i].weight_memory) own_table[i].push_back(op);
  const std::vector<Folding> sf = set_folding(net, own_table, target_cycles, o.mvau_wwidth_max);
  std::vector<int> sf_sel(n);
  for (size_t i = 0; i < n; ++i) sf_sel[i] = own_option(i, sf[i]);
  r.set_folding = evaluate(base, r, sf_sel, sf, 0, 0);
  // The cheapest fitting point at least as fast as `ref` and no worse by the proxy.
  auto match = [&](const DsePoint& ref) {
    int m = -1;
    for (size_t i = 0; i < r.points.size(); ++i) {
      const DsePoint& p = r.points[i];
      if (!p.estimate.fits || p.estimate.interval_cycles > ref.estimate.interval_cycles || p.proxy > ref.proxy + 1e-12)
        continue;
      if (m < 0 || p.cost < r.points[size_t(m)].cost) m = int(i);
    }
    return m;
  };
  r.best_match = match(r.set_folding);
  r.given_match = match(r.given);
  r.estimate_seconds = seconds_since(t0);

  // The fastest fitting front points, and the baseline, checked by simulation.
  t0 = Clock::now();
  int verified = 0;
  for (DsePoint& p : r.points) {
    if (verified >= o.verify) break;
    if (!p.pareto) continue;
    simulate(base, r, o, p);
    ++verified;
  }
  if (o.verify > 0) simulate(base, r, o, r.set_folding);
  r.verify_seconds = seconds_since(t0);
  return r;
}

}  // namespace vine::explore
