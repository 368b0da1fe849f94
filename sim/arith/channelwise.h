// FINN's ChannelwiseOp on one element: finn-hlslib's ChannelWiseOperation
// (activations.hpp) applies Fxn()(parameters[pe][nf], in), the channel's
// parameter first, with FINN's Func picking comp::add, comp::mul,
// comp::less_equal or comp::greater_equal (channelwise_op_hls.py). So
// cmp_le is 1 where the parameter is at most the input (x >= p), and cmp_ge
// where it is at least the input (x <= p).
#pragma once

#include <cstdint>

namespace vine::arith {

enum class ChannelwiseFunction { kAdd, kMul, kCmpLe, kCmpGe };

inline const char* to_string(ChannelwiseFunction f) {
  switch (f) {
    case ChannelwiseFunction::kAdd: return "add";
    case ChannelwiseFunction::kMul: return "mul";
    case ChannelwiseFunction::kCmpLe: return "cmp_le";
    case ChannelwiseFunction::kCmpGe: return "cmp_ge";
  }
  return "?";
}

// The result for input x and parameter p; the layer's output type holds it
// (ir::infer_network and the parameter-file check see to that), so the
// hardware's output type never wraps it.
inline int64_t channelwise(ChannelwiseFunction f, int64_t p, int64_t x) {
  switch (f) {
    case ChannelwiseFunction::kAdd: return p + x;
    case ChannelwiseFunction::kMul: return p * x;
    case ChannelwiseFunction::kCmpLe: return p <= x ? 1 : 0;
    case ChannelwiseFunction::kCmpGe: return p >= x ? 1 : 0;
  }
  return 0;
}

}  // namespace vine::arith
