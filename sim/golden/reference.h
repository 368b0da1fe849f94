// The golden reference inference: a network with its parameters, run frame by
// frame on integer codes with the kernels of kernels.h.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/golden/network_params.h"
#include "sim/ir/network.h"

namespace vine::golden {

class Reference {
 public:
  Reference(const ir::Network& net, const NetworkParams& params) : net_(net), params_(params) {}

  // Runs one frame. `layer_outputs`, when given, receives every layer's output codes.
  IntTensor run(const IntTensor& input, std::vector<IntTensor>* layer_outputs = nullptr) const;

  // The accumulators (pre-activation values) of one layer for given inputs:
  // what thresholds and requantisers are calibrated on.
  IntTensor layer_accumulators(size_t layer, const std::vector<const IntTensor*>& inputs) const;
  // Applies the layer's output stage to its accumulators.
  IntTensor layer_output(size_t layer, const IntTensor& acc) const;
  IntTensor run_layer(size_t layer, const std::vector<const IntTensor*>& inputs) const;

  const ir::Network& network() const { return net_; }

 private:
  const ir::Network& net_;
  const NetworkParams& params_;
};

// FNV-1a over the output codes (as little-endian int32): a per-frame fingerprint.
uint64_t checksum(const IntTensor& t);
// Index of the largest of the first `classes` outputs (lowest index on ties).
int top1(const IntTensor& t, int classes);

}  // namespace vine::golden
