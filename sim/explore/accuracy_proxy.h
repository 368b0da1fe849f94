// `vine dse`'s accuracy proxy: how much of a layer's weights a narrower
// weight arithmetic loses, measured on the network's own weights
// (docs/dse.md, "The accuracy proxy").
//
// The reference is the layer's weight values as `vine run` holds them (its
// `weights_file`'s, or synthesised from the seed): the network at its own
// precision. A candidate weight type (fixed, pow2, binary, ternary; per
// channel group) is a grid of values up to a scale s. Each group's sampled
// weights are rounded to the nearest grid point at every scale of one
// geometric ladder (the same ladder for every candidate), the group takes its
// best scale, and the layer's error is the squared error summed over groups
// over the weights' own energy: a normalised mean squared error, 0 when the
// candidate holds the weights exactly (SQNR = -10 log10 of it).
//
// Since every candidate is measured at the same scales, a grid that contains
// another at every scale (fixed b+1 bits against fixed b, pow2 with more
// exponent bits, ternary against binary, fixed 2 bits against ternary) never
// has the larger error (`AccuracyProxy.AWiderGridNeverHasALargerError`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/ir/network.h"

namespace vine::explore {

// A layer's reference weights, sampled: at most kMaxSampled of them, taken
// at an even stride over the whole matrix, with each one's output channel.
struct WeightSample {
  static constexpr size_t kMaxSampled = 8192;
  std::vector<double> values;
  std::vector<int> channel;  // output channel (matrix row) of each value
  double energy = 0;         // sum of the squared values
};

WeightSample sample_weights(const ir::Layer& l, uint64_t seed);

// The normalised squared error of `s` under `weights` (a layer's one type)
// or `groups` (non-empty: its channel groups, in channel order).
double quantisation_error(const WeightSample& s, const ir::WeightType& weights,
                          const std::vector<ir::ChannelGroup>& groups = {});

// Per-layer sensitivities, the factors of the layers' errors in the proxy, by
// layer name: a YAML map (`layer: factor`, optionally under a top-level
// `sensitivities:` key) or a CSV file (`.csv`: a `layer,sensitivity` header,
// then one line per layer). Every name must be a layer of `net` with
// weights, once; every factor a number from 0 to 1e6. Layers not listed
// keep 1. Throws ConfigError naming the file, line and field.
std::map<std::string, double> load_sensitivities(const std::string& path, const ir::Network& net);

}  // namespace vine::explore
