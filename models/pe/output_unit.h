// What turns an accumulator into the activation code a layer streams out:
// FINN's multi-threshold unit, the multiplier-shift requantiser, or nothing
// (the raw accumulator).
#pragma once

#include <cstdint>

#include "sim/golden/network_params.h"
#include "sim/ir/network.h"

namespace vine::models {

class OutputUnit {
 public:
  OutputUnit(const ir::Layer& l, const golden::LayerParams& p);
  int32_t apply(int64_t acc, int channel) const {
    switch (kind_) {
      case ir::OutputKind::kAccumulator: return int32_t(acc);
      case ir::OutputKind::kThreshold: {
        const int64_t* row = t_.values.data() + (per_channel_ ? size_t(channel) * size_t(t_.steps) : 0);
        return arith::multithreshold(acc, row, t_.steps, t_.out_bias);
      }
      case ir::OutputKind::kRequant: {
        const size_t ch = per_channel_ ? size_t(channel) : 0;
        return arith::requantize(acc, r_.multiplier[ch], r_.shift[ch], r_.zero_point, r_.lo, r_.hi, r_.rounding);
      }
    }
    return int32_t(acc);
  }

 private:
  ir::OutputKind kind_;
  golden::Thresholds t_;
  golden::Requantizer r_;
  bool per_channel_ = false;
};

}  // namespace vine::models
