// Whether a design's memories fit the device's BRAM18, as `vine validate`
// judges it. A design whose weight memories in BRAM alone need more BRAM18
// than the device has cannot be built, whatever the rest costs: refused,
// with the numbers. The whole design's estimate (weights, threshold
// memories, buffers, FIFOs) over the device is said, not refused: the
// estimate maps the smaller memories by a rule of bits (docs/estimate.md)
// that a synthesis tool need not follow (docs/dataflow.md).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/ir/design.h"

namespace vine::estimate {

struct BramFit {
  int64_t available = 0;        // the device's BRAM18
  int64_t weights = 0;          // the layers' weight memories in BRAM
  int64_t layers = 0;           // the layers' BRAM18, weights included
  int64_t fifos = 0;            // the FIFOs'
  int64_t whole() const { return layers + fifos; }
  // Every layer's weight memory in BRAM18, the largest first (ties in layer order).
  std::vector<std::pair<std::string, int64_t>> weight_memories;
};

BramFit bram_fit(const Estimate& e);

// Throws ConfigError at the design's `device` field when the weight
// memories in BRAM need more than the device's BRAM18; for a design placed
// on a cluster, at the board's `placement:` entry when its layers' weight
// memories need more than its own device's.
void check_weights_fit_bram(const ir::Design& d, const Estimate& e);

// "" when the whole design's estimated BRAM18 is within the device's (or the
// design is placed on a cluster); else a note with the numbers.
std::string bram_note(const ir::Design& d, const Estimate& e);

}  // namespace vine::estimate
