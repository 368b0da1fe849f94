#include "sim/estimate/bram_fit.h"

#include <algorithm>
#include <cmath>

#include "sim/config/config_error.h"

namespace vine::estimate {

namespace {

int64_t blocks(double b) { return int64_t(std::llround(b)); }

// "conv3 512, conv2 256, conv4 128" (the `most` largest, and how many more).
std::string biggest(const BramFit& f, size_t most) {
  std::string s;
  size_t shown = 0;
  for (const auto& [name, n] : f.weight_memories) {
    if (n == 0) break;
    if (shown == most) {
      s += ", ...";
      break;
    }
    s += (s.empty() ? "" : ", ") + name + " " + std::to_string(n);
    ++shown;
  }
  return s.empty() ? "none" : s;
}

}  // namespace

BramFit bram_fit(const Estimate& e) {
  BramFit f;
  f.available = blocks(e.device.bram18);
  for (const auto& l : e.layers) {
    f.layers += blocks(l.resources.bram18);
    const int64_t w = blocks(l.weight_memory.bram18);
    f.weights += w;
    f.weight_memories.emplace_back(l.name, w);
  }
  for (const auto& fifo : e.fifos) f.fifos += blocks(fifo.resources.bram18);
  std::stable_sort(f.weight_memories.begin(), f.weight_memories.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return f;
}

void check_weights_fit_bram(const ir::Design& d, const Estimate& e) {
  if (d.placement.placed()) {
    // Split over a cluster's boards: each board's layers against its own device.
    const ir::Placement& pl = d.placement;
    for (const ir::PlacedBoard& b : pl.boards) {
      const ir::ClusterBoard& board = pl.cluster.boards[size_t(b.board)];
      const int64_t available = blocks(board.device.capacity.bram18);
      int64_t weights = 0;
      for (const auto& l : e.layers) {
        const int i = d.network.find_layer(l.name);
        if (i >= b.first && i < b.last) weights += blocks(l.weight_memory.bram18);
      }
      if (weights > available)
        throw config::ConfigError(
            b.where,
            "board " + board.name + " with layers " + d.network.layers[size_t(b.first)].name + " .. " +
                d.network.layers[size_t(b.last - 1)].name + " whose weight memories in BRAM need " +
                std::to_string(weights) + " BRAM18",
            "at most the " + std::to_string(available) + " BRAM18 of its device " + board.device.name +
                ": fewer layers on it, or some layers' weights in uram, lutram or ddr (weight_memory)");
    }
    return;
  }
  const BramFit f = bram_fit(e);
  if (f.weights <= f.available) return;
  ir::SourceLocation where = d.device_where;
  if (where.file.empty()) where = {d.path, 0, 0, "device"};
  throw config::ConfigError(
      where, "a design whose weight memories in BRAM need " + std::to_string(f.weights) + " BRAM18 (largest: " +
                 biggest(f, 5) + "; the whole design " + std::to_string(f.whole()) + ")",
      "at most the " + std::to_string(f.available) + " BRAM18 of " + d.device.name +
          ": put some layers' weights in uram, lutram or ddr (weight_memory), "
          "or let `vine dataflow` choose where");
}

std::string bram_note(const ir::Design& d, const Estimate& e) {
  if (d.placement.placed()) return "";  // each board is judged on its own (check_weights_fit_bram)
  const BramFit f = bram_fit(e);
  if (f.whole() <= f.available) return "";
  return "note: the estimate puts the whole design at " + std::to_string(f.whole()) + " BRAM18 (layers " +
         std::to_string(f.layers) + ", of which weight memories " + std::to_string(f.weights) + "; FIFOs " +
         std::to_string(f.fifos) + "), over the " + std::to_string(f.available) + " of " + d.device.name +
         "; not refused: the weights fit, and the estimate's rule for the smaller memories (threshold memories, "
         "FIFOs) is not a synthesis tool's (docs/dataflow.md)";
}

}  // namespace vine::estimate
