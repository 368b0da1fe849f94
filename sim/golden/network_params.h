// Weights, thresholds and requantiser settings for a network that ships none:
// synthesised deterministically from a seed, with thresholds calibrated on
// synthetic frames so that every layer's activations use their whole range.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/golden/kernels.h"
#include "sim/golden/ovsf.h"
#include "sim/ir/network.h"

namespace vine::golden {

struct LayerParams {
  // Weight codes as stored in weight memory: [oc][kh][kw][ic] for conv,
  // [c][kh][kw] for dwconv, [out][in] (input in HWC order) for fc.
  std::vector<int32_t> weight_codes;
  // The same weights as integer values (arith::weight_value), for the
  // non-XNOR kernels.
  std::vector<int32_t> weight_values;
  // A layer with generated_weights: its OVSF codes and coefficients, of
  // which weight_values is the expansion (what the weights generator makes).
  std::optional<OvsfLayer> ovsf;
  Thresholds thresholds;  // output kind threshold
  Requantizer requant;    // output kind requant
  // A channelwise layer's parameters, one per channel (its parameters_file's
  // values, or synthesised uniformly over its parameter type).
  std::vector<int32_t> channel_params;
};

struct NetworkParams {
  uint64_t seed = 0;
  std::vector<LayerParams> layers;  // one per network layer
};

// Deterministic across runs and machines (own PRNG, no std distributions).
// A layer with a `weights_file`, `thresholds_file` or `parameters_file` (docs/data.md) takes
// those from the file instead; the other layers are synthesised as without
// it, and calibrated on the layers before them.
NetworkParams synthesize_params(const ir::Network& net, uint64_t seed, int calibration_frames = 2);

// The weight values (arith::weight_value) of one weighted layer, as
// synthesize_params gives them: its `weights_file`'s, or synthesised from the
// seed (the thresholds' calibration, which needs the layers before it, left
// out). What `vine dse`'s accuracy proxy measures quantisation error against.
std::vector<int32_t> layer_weight_values(const ir::Layer& l, uint64_t seed);

// Frame `frame` of the synthetic input stream for `seed`: uniform codes over
// the input type's range.
IntTensor synthesize_input(const ir::Network& net, uint64_t seed, int frame);

// splitmix64: the seed mixer behind every synthetic value.
uint64_t mix_seed(uint64_t a, uint64_t b);

}  // namespace vine::golden
