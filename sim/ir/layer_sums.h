// How wide a weighted layer's sums are held. The bound is FINN-R's: MW lane
// products, each within the product of the weight and activation ranges, so
// |sum| <= MW x max|w| x max|x| (ir::Layer::acc_range, from infer_network).
// 16-bit weights on signed 16-bit activations over a 3 x 3 x 512 window reach
// 4608 x 2^30 (44 bits signed); on unsigned 16-bit ones 4608 x 2^31 (45 bits).
#pragma once

#include <cstdint>

#include "sim/ir/network.h"

namespace vine::ir {

// Whether a weighted layer's sums leave 32 bits: the golden reference and the
// compute engine then hold them in 64 (infer_network refuses a bound beyond
// 64 bits, and such sums on an accumulator output, which travels as a 32-bit
// code); the streaming designs refuse them at load.
inline bool wide_sums(const Layer& l) {
  return l.has_weights() && (l.acc_range.lo < INT32_MIN || l.acc_range.hi > INT32_MAX);
}

}  // namespace vine::ir
