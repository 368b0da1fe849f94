// The golden reference inference: a network with its parameters, run frame by
// frame on integer codes with the kernels of kernels.h.
//
// Sums: a layer's accumulators are 32-bit (IntTensor) where its bound
// (ir::Layer::acc_range, MW * max|w| * max|x|) fits 32 bits, the streaming
// designs' case, and 64-bit (AccTensor) where it does not (16-bit weights on
// 16-bit activations: ir::wide_sums); the kernels pick their lane and
// accumulator widths from the values either way.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/golden/network_params.h"
#include "sim/ir/layer_sums.h"
#include "sim/ir/network.h"

namespace vine::golden {

// Sums wider than 32 bits (a layer with ir::wide_sums).
using AccTensor = Tensor<int64_t>;

class Reference {
 public:
  Reference(const ir::Network& net, const NetworkParams& params) : net_(net), params_(params) {}

  // Runs one frame. `layer_outputs`, when given, receives every layer's output codes.
  IntTensor run(const IntTensor& input, std::vector<IntTensor>* layer_outputs = nullptr) const;

  // The accumulators (pre-activation values) of one layer for given inputs:
  // what thresholds and requantisers are calibrated on.
  // A layer with ir::wide_sums has no 32-bit accumulators: layer_sums() gives
  // them in 64 bits.
  IntTensor layer_accumulators(size_t layer, const std::vector<const IntTensor*>& inputs) const;
  AccTensor layer_sums(size_t layer, const std::vector<const IntTensor*>& inputs) const;
  // Applies the layer's output stage to its accumulators.
  IntTensor layer_output(size_t layer, const IntTensor& acc) const;
  IntTensor layer_output(size_t layer, const AccTensor& acc) const;
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
