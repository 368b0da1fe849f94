#include "sim/explore/weight_placement.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/layers/weight_stream.h"
#include "sim/config/config_error.h"

namespace vine::explore {

namespace {

// The estimate's BRAM18 are whole blocks (bram18_for per memory and FIFO),
// held in a double: back to an integer for the knapsack.
int64_t whole_bram18(double b) {
  const double r = std::round(b);
  if (std::abs(b - r) > 1e-6) throw std::logic_error("weight placement: a fractional BRAM18 count in the estimate");
  return int64_t(r);
}

ir::MemoryStyle on_chip_style(const ir::LayerFolding& f) {
  return f.weight_memory == ir::MemoryStyle::kDdr ? ir::MemoryStyle::kBram : f.weight_memory;
}

PlacementPoint make_point(const ir::Design& d, std::vector<ir::MemoryStyle> memory,
                          std::vector<ir::WeightSchedule> schedule) {
  PlacementPoint p;
  p.estimate = estimate::estimate_design(with_weight_memory(d, memory, schedule));
  p.bram18 = whole_bram18(p.estimate.resources.bram18);
  p.ddr_bytes_per_frame = estimate::weight_ddr_bytes_per_frame(p.estimate);
  for (size_t i = 0; i < memory.size(); ++i)
    if (d.network.layers[i].has_weights() && memory[i] == ir::MemoryStyle::kDdr) ++p.layers_in_ddr;
  p.memory = std::move(memory);
  p.schedule = std::move(schedule);
  return p;
}

}  // namespace

ir::Design with_weight_memory(const ir::Design& d, const std::vector<ir::MemoryStyle>& memory,
                              const std::vector<ir::WeightSchedule>& schedule) {
  ir::Design t = d;
  for (size_t i = 0; i < t.folding.size() && i < memory.size(); ++i) {
    if (!t.network.layers[i].has_weights()) continue;
    t.folding[i].weight_memory = memory[i];
    if (i < schedule.size()) t.folding[i].weight_schedule = schedule[i];
  }
  return t;
}

// The one place a layer's choices are listed: on chip, and in DDR under each
// schedule the layer can have, each costed the same way; the knapsack takes
// them as they come.
std::vector<PlacementOption> placement_options(const ir::Design& d, int layer) {
  const ir::LayerFolding& f = d.folding.at(size_t(layer));
  if (!d.network.layers.at(size_t(layer)).has_weights())
    throw std::invalid_argument("placement_options: layer " + d.network.layers[size_t(layer)].name +
                                " has no weights");
  const estimate::Estimate given = estimate::estimate_design(d);
  const int64_t given_bram = whole_bram18(given.resources.bram18);
  std::vector<PlacementOption> options;
  struct Choice {
    ir::MemoryStyle memory;
    ir::WeightSchedule schedule;
  };
  std::vector<Choice> choices = {{on_chip_style(f), ir::WeightSchedule::kVector},
                                 {ir::MemoryStyle::kDdr, ir::WeightSchedule::kVector}};
  if (d.network.layers[size_t(layer)].kind == ir::LayerKind::kConv)
    for (auto s : {ir::WeightSchedule::kRow, ir::WeightSchedule::kFrame})
      choices.push_back({ir::MemoryStyle::kDdr, s});
  for (const Choice& choice : choices) {
    const ir::MemoryStyle m = choice.memory;
    ir::Design t = d;
    t.folding[size_t(layer)].weight_memory = m;
    t.folding[size_t(layer)].weight_schedule = choice.schedule;
    estimate::Estimate e;
    try {
      // What `vine validate` checks of weights in DDR, then the estimate.
      if (m == ir::MemoryStyle::kDdr) models::plan_weight_streams(t);
      e = estimate::estimate_design(t);
    } catch (const config::ConfigError&) {
      continue;  // this layer's weights cannot live there
    }
    PlacementOption o;
    o.memory = m;
    o.schedule = choice.schedule;
    o.bram18_delta = whole_bram18(e.resources.bram18) - given_bram;
    o.ddr_bytes_per_frame = e.layers[size_t(layer)].ddr_bytes_per_frame;
    options.push_back(o);
  }
  return options;
}

PlacementResult place_weights(const ir::Design& d, int64_t budget_bram18) {
  PlacementResult r;
  r.budget_bram18 = budget_bram18 >= 0 ? budget_bram18 : whole_bram18(d.device.capacity.bram18);
  std::vector<ir::MemoryStyle> given_memory;
  std::vector<ir::WeightSchedule> given_schedule;
  for (const auto& f : d.folding) {
    given_memory.push_back(f.weight_memory);
    given_schedule.push_back(f.weight_schedule);
  }
  r.given = make_point(d, given_memory, given_schedule);
  r.given_bram18 = r.given.bram18;

  // Each layer's options as knapsack items: weight = its BRAM18 over the
  // layer's cheapest option (so never negative), value = DDR bytes.
  std::vector<int64_t> floor_delta;
  int64_t span = 0;  // the most BRAM18 the layers can add over their cheapest
  for (size_t i = 0; i < d.network.layers.size(); ++i) {
    if (!d.network.layers[i].has_weights()) continue;
    auto opts = placement_options(d, int(i));
    if (opts.empty()) throw std::logic_error("weight placement: layer " + d.network.layers[i].name + " has no option");
    int64_t lo = opts[0].bram18_delta, hi = lo;
    for (const auto& o : opts) {
      lo = std::min(lo, o.bram18_delta);
      hi = std::max(hi, o.bram18_delta);
    }
    r.layers.push_back(int(i));
    r.options.push_back(std::move(opts));
    floor_delta.push_back(lo);
    span += hi - lo;
  }
  r.least_bram18 = r.given_bram18;
  for (int64_t lo : floor_delta) r.least_bram18 += lo;
  r.most_bram18 = r.least_bram18 + span;

  // best[k][c]: the fewest DDR bytes of the first k layers with at most c
  // BRAM18 over their cheapest options; pick[k][c] the option of layer k-1
  // that achieves it. Every layer has an option of weight 0, so every entry
  // is reached. O(layers x options x span).
  const size_t n = r.layers.size(), width = size_t(span) + 1;
  std::vector<uint64_t> best(width, 0), next(width);
  std::vector<std::vector<uint8_t>> pick(n, std::vector<uint8_t>(width, 0));
  for (size_t k = 0; k < n; ++k) {
    const auto& opts = r.options[k];
    for (size_t c = 0; c < width; ++c) {
      uint64_t v = std::numeric_limits<uint64_t>::max();
      for (size_t o = 0; o < opts.size(); ++o) {
        const int64_t w = opts[o].bram18_delta - floor_delta[k];
        if (w > int64_t(c)) continue;
        const uint64_t cand = best[c - size_t(w)] + opts[o].ddr_bytes_per_frame;
        if (cand < v) {
          v = cand;
          pick[k][c] = uint8_t(o);
        }
      }
      next[c] = v;
    }
    std::swap(best, next);
  }

  // The placement the table holds for capacity c.
  auto placement = [&](size_t c) {
    std::vector<ir::MemoryStyle> memory = given_memory;
    std::vector<ir::WeightSchedule> schedule = given_schedule;
    for (size_t k = n; k-- > 0;) {
      const PlacementOption& o = r.options[k][pick[k][c]];
      memory[size_t(r.layers[k])] = o.memory;
      schedule[size_t(r.layers[k])] = o.schedule;
      c -= size_t(o.bram18_delta - floor_delta[k]);
    }
    return std::pair{memory, schedule};
  };
  // The optimum changes where the fewest bytes drop: there the placement
  // uses exactly c (one with fewer BRAM18 would have had the bytes at c-1).
  for (size_t c = 0; c < width; ++c) {
    if (c > 0 && best[c] == best[c - 1]) continue;
    auto [memory, schedule] = placement(c);
    PlacementPoint p = make_point(d, std::move(memory), std::move(schedule));
    if (p.bram18 != r.least_bram18 + int64_t(c) || p.ddr_bytes_per_frame != best[c])
      throw std::logic_error("weight placement: the estimate of a front point (" + std::to_string(p.bram18) +
                             " BRAM18, " + std::to_string(p.ddr_bytes_per_frame) +
                             " DDR bytes) differs from the sum of its layers' options (" +
                             std::to_string(r.least_bram18 + int64_t(c)) + ", " + std::to_string(best[c]) + ")");
    r.front.push_back(std::move(p));
  }
  r.feasible = r.least_bram18 <= r.budget_bram18;
  if (r.feasible) {
    for (size_t i = 0; i < r.front.size(); ++i)
      if (r.front[i].bram18 <= r.budget_bram18) r.chosen_index = int(i);
    r.chosen = r.front[size_t(r.chosen_index)];
  }
  return r;
}

}  // namespace vine::explore
