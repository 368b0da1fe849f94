#include "sim/golden/reference.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace vine::golden {

using ir::LayerKind;

namespace {

IntTensor to_values(const IntTensor& codes, const ir::ActivationType& t) {
  if (t.kind != ir::ActivationKind::kBipolar) return codes;
  IntTensor v = codes;
  for (auto& x : v.data) x = x ? 1 : -1;
  return v;
}

Conv2dParams conv_params(const ir::Layer& l) {
  Conv2dParams p;
  p.out_channels = l.out_shape.c;
  p.kernel_h = l.kernel_h, p.kernel_w = l.kernel_w;
  p.stride_h = l.stride_h, p.stride_w = l.stride_w;
  p.pads = {l.pad.top, l.pad.left, l.pad.bottom, l.pad.right};
  p.groups = l.kind == LayerKind::kDwConv ? l.in_shape.c : 1;
  p.pad_value = l.pad_value;
  return p;
}

Pool2dParams pool_params(const ir::Layer& l) {
  Pool2dParams p;
  p.kernel_h = l.kernel_h, p.kernel_w = l.kernel_w;
  p.stride_h = l.stride_h, p.stride_w = l.stride_w;
  return p;
}

bool is_xnor(const ir::Layer& l) {
  return l.channel_groups.empty() && arith::is_xnor_popcount(l.weights->arithmetic, l.in_type.kind);
}

// A channel group of binary weights on bipolar input counts agreements
// (arith::lane_product), which is (dot + MW) / 2 of the +-1 dot product.
template <typename Acc>
Tensor<Acc> to_popcount_where_binary(const ir::Layer& l, Tensor<Acc> acc) {
  if (l.channel_groups.empty() || l.in_type.kind != ir::ActivationKind::kBipolar) return acc;
  const Acc mw = Acc(l.matrix_width());
  for (size_t px = 0; px < acc.size() / acc.c; ++px)
    for (int ch = 0; ch < acc.c; ++ch)
      if (l.weight_type_of_channel(ch).arithmetic == arith::WeightArithmetic::kBinary) {
        Acc& a = acc.data[px * acc.c + ch];
        a = (a + mw) / 2;
      }
  return acc;
}

// A weighted layer's sums in Acc (int32_t, or int64_t for wide sums).
template <typename Acc>
Tensor<Acc> weighted_sums(const ir::Layer& l, const LayerParams& p, const IntTensor& in) {
  if (l.kind == LayerKind::kFc)
    return to_popcount_where_binary(
        l, fully_connected<int32_t, Acc>(to_values(in, l.in_type), p.weight_values, l.out_channels));
  Conv2dParams cp = conv_params(l);
  cp.pad_value = arith::activation_value(l.in_type.kind, l.pad_value);
  return to_popcount_where_binary(l, conv2d<int32_t, Acc>(to_values(in, l.in_type), p.weight_values, cp));
}

// FINN's ChannelwiseOp: each element with its channel's parameter.
IntTensor channelwise_op(const ir::Layer& l, const std::vector<int32_t>& params, const IntTensor& in) {
  IntTensor out(in.h, in.w, in.c);
  for (size_t k = 0; k < in.size(); ++k)
    out.data[k] = int32_t(arith::channelwise(l.channelwise->function, params[k % size_t(in.c)], in.data[k]));
  return out;
}

}  // namespace

IntTensor Reference::layer_accumulators(size_t i, const std::vector<const IntTensor*>& in) const {
  const ir::Layer& l = net_.layers[i];
  const LayerParams& p = params_.layers[i];
  switch (l.kind) {
    case LayerKind::kConv:
    case LayerKind::kDwConv:
    case LayerKind::kFc:
      if (is_xnor(l))
        return l.kind == LayerKind::kFc
                   ? fully_connected_xnor_popcount(*in[0], p.weight_codes, l.out_channels)
                   : conv2d_xnor_popcount(*in[0], p.weight_codes, conv_params(l));
      if (ir::wide_sums(l))
        throw std::logic_error("layer " + l.name + "'s sums exceed 32 bits: its accumulators are layer_sums()");
      return weighted_sums<int32_t>(l, p, *in[0]);
    case LayerKind::kAdd:
      return add(*in[0], *in[1]);
    case LayerKind::kThreshold:
    case LayerKind::kRequant:
      return *in[0];
    default:
      throw std::logic_error("layer " + l.name + " has no accumulators");
  }
}

AccTensor Reference::layer_sums(size_t i, const std::vector<const IntTensor*>& in) const {
  const ir::Layer& l = net_.layers[i];
  if (!l.has_weights() || is_xnor(l)) {
    const IntTensor a = layer_accumulators(i, in);
    AccTensor wide(a.h, a.w, a.c);
    std::copy(a.data.begin(), a.data.end(), wide.data.begin());
    return wide;
  }
  return weighted_sums<int64_t>(l, params_.layers[i], *in[0]);
}

IntTensor Reference::layer_output(size_t i, const AccTensor& acc) const {
  const ir::Layer& l = net_.layers[i];
  const LayerParams& p = params_.layers[i];
  switch (l.output.kind) {
    case ir::OutputKind::kAccumulator: break;  // refused at load for wide sums (ir::infer_network)
    case ir::OutputKind::kThreshold: return multithreshold(acc, p.thresholds);
    case ir::OutputKind::kRequant: return requantize(acc, p.requant);
  }
  IntTensor out(acc.h, acc.w, acc.c);
  for (size_t k = 0; k < acc.size(); ++k) {
    if (acc.data[k] < INT32_MIN || acc.data[k] > INT32_MAX)
      throw std::overflow_error("layer " + l.name + ": an accumulator output beyond 32 bits");
    out.data[k] = int32_t(acc.data[k]);
  }
  return out;
}

IntTensor Reference::layer_output(size_t i, const IntTensor& acc) const {
  const ir::Layer& l = net_.layers[i];
  const LayerParams& p = params_.layers[i];
  switch (l.output.kind) {
    case ir::OutputKind::kAccumulator: return acc;
    case ir::OutputKind::kThreshold: return multithreshold(acc, p.thresholds);
    case ir::OutputKind::kRequant: return requantize(acc, p.requant);
  }
  return acc;
}

IntTensor Reference::run_layer(size_t i, const std::vector<const IntTensor*>& in) const {
  const ir::Layer& l = net_.layers[i];
  switch (l.kind) {
    case LayerKind::kMaxPool:
      return maxpool2d(*in[0], pool_params(l));  // codes are monotonic in value, bipolar included
    case LayerKind::kAvgPool:
      return avgpool2d(*in[0], pool_params(l), AvgPoolDivisor::kKernelSize);
    case LayerKind::kPad:
      return pad2d(*in[0], Pads{l.pad.top, l.pad.left, l.pad.bottom, l.pad.right}, int32_t(l.pad_value));
    case LayerKind::kConcat:
      return concat_channels(in);
    case LayerKind::kChannelwise:
      return channelwise_op(l, params_.layers[i].channel_params, *in[0]);
    default:
      if (ir::wide_sums(net_.layers[i])) return layer_output(i, layer_sums(i, in));
      return layer_output(i, layer_accumulators(i, in));
  }
}

IntTensor Reference::run(const IntTensor& input, std::vector<IntTensor>* layer_outputs) const {
  std::vector<IntTensor> outs(net_.layers.size());
  std::vector<int> last_use(net_.layers.size(), -1);
  for (size_t i = 0; i < net_.layers.size(); ++i)
    for (int idx : net_.layers[i].input_index)
      if (idx >= 0) last_use[idx] = int(i);
  for (size_t i = 0; i < net_.layers.size(); ++i) {
    std::vector<const IntTensor*> in;
    for (int idx : net_.layers[i].input_index) in.push_back(idx < 0 ? &input : &outs[idx]);
    outs[i] = run_layer(i, in);
    if (!layer_outputs)  // free what no later layer reads
      for (int idx : net_.layers[i].input_index)
        if (idx >= 0 && last_use[idx] == int(i)) outs[idx] = IntTensor();
  }
  IntTensor result = outs.back();
  if (layer_outputs) *layer_outputs = std::move(outs);
  return result;
}

uint64_t checksum(const IntTensor& t) {
  uint64_t h = 1469598103934665603ull;
  for (int32_t v : t.data) {
    const uint32_t u = uint32_t(v);
    for (int b = 0; b < 4; ++b) {
      h ^= (u >> (8 * b)) & 0xff;
      h *= 1099511628211ull;
    }
  }
  return h;
}

int top1(const IntTensor& t, int classes) {
  int best = 0;
  for (int i = 1; i < classes && i < int(t.size()); ++i)
    if (t.data[i] > t.data[best]) best = i;
  return best;
}

}  // namespace vine::golden
