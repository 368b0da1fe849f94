#include "sim/golden/network_params.h"

#include <algorithm>
#include <cmath>

#include "sim/arith/weight_code.h"
#include "sim/golden/reference.h"
#include "sim/ir/weight_bitmap.h"

namespace vine::golden {

uint64_t mix_seed(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

namespace {

// xorshift-style generator with an explicit, portable uniform draw.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(mix_seed(seed, 0x5eed)) {}
  uint64_t next() {
    s_ = mix_seed(s_, 1);
    return s_;
  }
  // Uniform integer in [lo, hi].
  int64_t uniform(int64_t lo, int64_t hi) { return lo + int64_t(next() % uint64_t(hi - lo + 1)); }

 private:
  uint64_t s_;
};

uint64_t name_hash(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

int32_t random_weight_code(const ir::WeightType& w, Rng& rng) {
  switch (w.arithmetic) {
    case ir::WeightArithmetic::kFixed: return int32_t(rng.uniform(w.min_value(), w.max_value()));
    case ir::WeightArithmetic::kPow2: {
      const bool zero = rng.uniform(0, 7) == 0;  // one weight in eight pruned to zero
      const bool neg = rng.uniform(0, 1);
      const int e = int(rng.uniform(0, (1 << w.exponent_bits) - 1));
      return arith::pow2_code(zero, neg, zero ? 0 : e, w.exponent_bits);
    }
    case ir::WeightArithmetic::kBinary: return int32_t(rng.uniform(0, 1));
    case ir::WeightArithmetic::kTernary: {
      static const int32_t codes[3] = {0, 1, 3};
      return codes[rng.uniform(0, 2)];
    }
  }
  return 0;
}

// Weights a network config takes from a .npy file: values, checked by the
// config loader, turned into the codes weight memory holds.
void weights_from_file(const ir::Layer& l, LayerParams& p) {
  const std::vector<int64_t>& v = l.weights_file->values;
  const int64_t cols = l.matrix_width();
  p.weight_codes.resize(v.size());
  p.weight_values.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const ir::WeightType& w = l.weight_type_of_channel(int(int64_t(i) / cols));
    p.weight_codes[i] = *arith::weight_code(w.arithmetic, v[i], w.bits, w.exponent_bits);  // checked at load
    p.weight_values[i] = int32_t(v[i]);
  }
}

Thresholds thresholds_from_file(const ir::Layer& l) {
  Thresholds t;
  t.steps = l.out_type.kind == ir::ActivationKind::kBipolar ? 1 : (1 << l.out_type.bits) - 1;
  t.out_bias = l.out_type.kind == ir::ActivationKind::kSigned ? -(1 << (l.out_type.bits - 1)) : 0;
  t.values = l.thresholds_file->values;
  return t;
}

void synthesize_weights(const ir::Layer& l, uint64_t seed, LayerParams& p) {
  Rng rng(mix_seed(seed, name_hash(l.name)));
  const int64_t rows = l.matrix_height(), cols = l.matrix_width();
  p.weight_codes.resize(size_t(rows * cols));
  p.weight_values.resize(p.weight_codes.size());
  for (int64_t r = 0; r < rows; ++r) {
    const ir::WeightType& w = l.weight_type_of_channel(int(r));
    for (int64_t c = 0; c < cols; ++c) {
      // A pruned weight is drawn all the same, so that the weights kept are
      // those of the same network unpruned.
      int32_t code = random_weight_code(w, rng);
      if (ir::weight_pruned(l, r * cols + c)) code = ir::zero_weight_code(w);
      p.weight_codes[size_t(r * cols + c)] = code;
      p.weight_values[size_t(r * cols + c)] = arith::weight_value(w.arithmetic, code, w.exponent_bits);
    }
  }
}

// A channelwise layer's per-channel parameters: its file's, or uniform over
// its parameter type from the seed and the layer's name.
std::vector<int32_t> channel_parameters(const ir::Layer& l, uint64_t seed) {
  std::vector<int32_t> p(size_t(l.out_shape.c));
  if (l.parameters_file) {
    for (size_t c = 0; c < p.size(); ++c) p[c] = int32_t(l.parameters_file->values[c]);  // checked at load
    return p;
  }
  Rng rng(mix_seed(mix_seed(seed, name_hash(l.name)), 0xc4a1));
  for (auto& v : p) v = int32_t(rng.uniform(l.channelwise->parameters.min_value(), l.channelwise->parameters.max_value()));
  return p;
}

// OVSF-generated weights (docs/weights-generator.md): the codes and
// coefficients from the seed and the layer's name, expanded to the dense
// integer weights every kernel reads.
void synthesize_generated_weights(const ir::Layer& l, uint64_t seed, LayerParams& p) {
  const ir::GeneratedWeights& g = *l.generated_weights;
  const ir::WeightType& w = *l.weights;
  p.ovsf = synthesize_ovsf_layer(int(l.matrix_height()), l.matrix_width(), g.kept_ratio, g.coeff_bits,
                                 mix_seed(mix_seed(seed, name_hash(l.name)), 0x0f5f));
  p.weight_values = ovsf_expand_layer(*p.ovsf, w.bits);
  p.weight_codes.resize(p.weight_values.size());
  for (size_t i = 0; i < p.weight_values.size(); ++i)
    p.weight_codes[i] = *arith::weight_code(w.arithmetic, p.weight_values[i], w.bits, w.exponent_bits);
}

// Per-channel thresholds at evenly spaced quantiles of the calibration
// accumulators, so that every output code is used.
template <typename Acc>
Thresholds calibrate_thresholds(const ir::Layer& l, const std::vector<Tensor<Acc>>& accs) {
  Thresholds t;
  const bool bipolar = l.out_type.kind == ir::ActivationKind::kBipolar;
  const int levels = bipolar ? 2 : 1 << l.out_type.bits;
  t.steps = levels - 1;
  t.out_bias = l.out_type.kind == ir::ActivationKind::kSigned ? -(1 << (l.out_type.bits - 1)) : 0;
  const int channels = l.out_shape.c;
  t.values.resize(size_t(channels) * t.steps);
  std::vector<int64_t> v;
  for (int ch = 0; ch < channels; ++ch) {
    v.clear();
    for (const auto& a : accs)
      for (size_t px = 0; px < a.size() / a.c; ++px) v.push_back(a.data[px * a.c + ch]);
    std::sort(v.begin(), v.end());
    for (int s = 0; s < t.steps; ++s) {
      // The (s+1)/levels quantile; strictly above the previous threshold's
      // value where the data allows, so that no output code is unreachable.
      size_t idx = std::min(v.size() - 1, size_t(double(v.size()) * (s + 1) / levels));
      int64_t th = v[idx];
      if (s > 0 && th <= t.values[size_t(ch) * t.steps + s - 1]) th = t.values[size_t(ch) * t.steps + s - 1] + 1;
      t.values[size_t(ch) * t.steps + s] = th;
    }
  }
  return t;
}

// One multiplier and shift per tensor mapping the calibration accumulators'
// range onto the output type's range.
template <typename Acc>
Requantizer calibrate_requantizer(const ir::Layer& l, const std::vector<Tensor<Acc>>& accs) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const auto& a : accs)
    for (Acc x : a.data) {
      lo = std::min<int64_t>(lo, x);
      hi = std::max<int64_t>(hi, x);
    }
  Requantizer r;
  r.lo = int32_t(l.out_type.min_value());
  r.hi = int32_t(l.out_type.max_value());
  const double scale = double(r.hi - r.lo) / double(std::max<int64_t>(hi - lo, 1));
  const FixedPointScale fp = fixed_point_scale(scale, 16);
  r.multiplier = {fp.multiplier};
  r.shift = {fp.shift};
  // zero point: lo maps onto r.lo
  r.zero_point = int32_t(r.lo - std::llround(double(lo) * scale));
  return r;
}

}  // namespace

std::vector<int32_t> layer_weight_values(const ir::Layer& l, uint64_t seed) {
  LayerParams p;
  if (l.weights_file) weights_from_file(l, p);
  else if (l.has_weights()) synthesize_weights(l, seed, p);
  return p.weight_values;
}

IntTensor synthesize_input(const ir::Network& net, uint64_t seed, int frame) {
  Rng rng(mix_seed(mix_seed(seed, 0x1a9u), uint64_t(frame)));
  IntTensor t(net.input_shape.h, net.input_shape.w, net.input_shape.c);
  const int64_t lo = net.input_type.min_code(), hi = net.input_type.max_code();
  for (auto& x : t.data) x = int32_t(rng.uniform(lo, hi));
  return t;
}

NetworkParams synthesize_params(const ir::Network& net, uint64_t seed, int calibration_frames) {
  NetworkParams params;
  params.seed = seed;
  params.layers.resize(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (net.layers[i].weights_file) weights_from_file(net.layers[i], params.layers[i]);
    else if (net.layers[i].generated_weights) synthesize_generated_weights(net.layers[i], seed, params.layers[i]);
    else if (net.layers[i].has_weights()) synthesize_weights(net.layers[i], seed, params.layers[i]);
    else if (net.layers[i].channelwise) params.layers[i].channel_params = channel_parameters(net.layers[i], seed);

  // Calibrate layer by layer: each layer sees the outputs of the already
  // calibrated layers before it.
  const Reference ref(net, params);
  const uint64_t calib_seed = mix_seed(seed, 0xca11b);
  std::vector<std::vector<IntTensor>> outs(size_t(calibration_frames), std::vector<IntTensor>(net.layers.size()));
  std::vector<IntTensor> inputs;
  for (int f = 0; f < calibration_frames; ++f) inputs.push_back(synthesize_input(net, calib_seed, f));
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const ir::Layer& l = net.layers[i];
    auto inputs_of = [&](int f) {
      std::vector<const IntTensor*> in;
      for (int idx : l.input_index) in.push_back(idx < 0 ? &inputs[size_t(f)] : &outs[size_t(f)][size_t(idx)]);
      return in;
    };
    const bool calibrated = l.has_output_stage() && l.output.kind != ir::OutputKind::kAccumulator;
    // 32-bit sums where the layer's bound allows, 64-bit ones where not.
    auto calibrate = [&](auto sums_of) {
      std::vector<decltype(sums_of(0))> accs;
      for (int f = 0; f < calibration_frames; ++f) accs.push_back(sums_of(f));
      if (l.thresholds_file) params.layers[i].thresholds = thresholds_from_file(l);
      else if (l.output.kind == ir::OutputKind::kThreshold) params.layers[i].thresholds = calibrate_thresholds(l, accs);
      else params.layers[i].requant = calibrate_requantizer(l, accs);
      for (int f = 0; f < calibration_frames; ++f) outs[size_t(f)][i] = ref.layer_output(i, accs[size_t(f)]);
    };
    if (calibrated && ir::wide_sums(l)) {
      calibrate([&](int f) { return ref.layer_sums(i, inputs_of(f)); });
    } else if (calibrated) {
      calibrate([&](int f) { return ref.layer_accumulators(i, inputs_of(f)); });
    } else {
      for (int f = 0; f < calibration_frames; ++f) outs[size_t(f)][i] = ref.run_layer(i, inputs_of(f));
    }
  }
  return params;
}

}  // namespace vine::golden
