// The golden network runner: determinism, calibrated activations that use
// their whole range, and every layer checked against a naive per-lane
// evaluation written straight from arithmetic.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "sim/config/loaders.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"

namespace fs = std::filesystem;
using namespace vine;
using golden::IntTensor;

namespace {

ir::Network network(const std::string& name) {
  return config::load_network((fs::path(VINE_SOURCE_DIR) / "configs/networks" / (name + ".yaml")).string());
}

// Naive evaluation of one layer from its inputs (codes) and parameters.
IntTensor naive_layer(const ir::Layer& l, const golden::LayerParams& p, const std::vector<const IntTensor*>& in) {
  using K = ir::LayerKind;
  const IntTensor& x = *in[0];
  IntTensor acc(l.out_shape.h, l.out_shape.w, l.out_shape.c);
  auto output = [&](IntTensor a) {
    if (l.output.kind == ir::OutputKind::kAccumulator) return a;
    for (size_t i = 0; i < a.size(); ++i) {
      const int ch = int(i % a.c);
      if (l.output.kind == ir::OutputKind::kThreshold) {
        const auto& t = p.thresholds;
        const int64_t* row = t.values.data() + (t.values.size() == size_t(t.steps) ? 0 : size_t(ch) * t.steps);
        a.data[i] = arith::multithreshold(a.data[i], row, t.steps, t.out_bias);
      } else {
        const auto& r = p.requant;
        const size_t k = r.multiplier.size() == 1 ? 0 : size_t(ch);
        a.data[i] = arith::requantize(a.data[i], r.multiplier[k], r.shift[k], r.zero_point, r.lo, r.hi, r.rounding);
      }
    }
    return a;
  };
  switch (l.kind) {
    case K::kConv:
    case K::kDwConv: {
      const int cin = l.in_shape.c;
      for (int oy = 0; oy < acc.h; ++oy)
        for (int ox = 0; ox < acc.w; ++ox)
          for (int oc = 0; oc < acc.c; ++oc) {
            const ir::WeightType& wt = l.weight_type_of_channel(oc);
            int64_t sum = 0;
            for (int ky = 0; ky < l.kernel_h; ++ky)
              for (int kx = 0; kx < l.kernel_w; ++kx) {
                const int iy = oy * l.stride_h + ky - l.pad.top, ix = ox * l.stride_w + kx - l.pad.left;
                const bool inside = iy >= 0 && ix >= 0 && iy < x.h && ix < x.w;
                const int first = l.kind == K::kDwConv ? oc : 0, count = l.kind == K::kDwConv ? 1 : cin;
                for (int k = 0; k < count; ++k) {
                  const int ic = first + k;
                  const int32_t a = inside ? x.at(iy, ix, ic) : l.pad_value;
                  const size_t widx = ((size_t(oc) * l.kernel_h + ky) * l.kernel_w + kx) * count + k;
                  sum += arith::lane_product(wt.arithmetic, p.weight_codes[widx], wt.exponent_bits, l.in_type.kind, a);
                }
              }
            acc.at(oy, ox, oc) = int32_t(sum);
          }
      return output(acc);
    }
    case K::kFc:
      for (int o = 0; o < acc.c; ++o) {
        const ir::WeightType& wt = l.weight_type_of_channel(o);
        int64_t sum = 0;
        for (size_t i = 0; i < x.size(); ++i)
          sum += arith::lane_product(wt.arithmetic, p.weight_codes[size_t(o) * x.size() + i], wt.exponent_bits,
                                     l.in_type.kind, x.data[i]);
        acc.data[size_t(o)] = int32_t(sum);
      }
      return output(acc);
    case K::kMaxPool:
    case K::kAvgPool:
      for (int oy = 0; oy < acc.h; ++oy)
        for (int ox = 0; ox < acc.w; ++ox)
          for (int c = 0; c < acc.c; ++c) {
            int64_t m = INT64_MIN, s = 0;
            for (int ky = 0; ky < l.kernel_h; ++ky)
              for (int kx = 0; kx < l.kernel_w; ++kx) {
                const int32_t v = x.at(oy * l.stride_h + ky, ox * l.stride_w + kx, c);
                m = std::max<int64_t>(m, v);
                s += v;
              }
            const int64_t n = int64_t(l.kernel_h) * l.kernel_w;
            const int64_t floor_avg = s >= 0 ? s / n : -((-s + n - 1) / n);
            acc.at(oy, ox, c) = int32_t(l.kind == K::kMaxPool ? m : floor_avg);
          }
      return acc;
    case K::kPad:
      for (int y = 0; y < acc.h; ++y)
        for (int xx = 0; xx < acc.w; ++xx)
          for (int c = 0; c < acc.c; ++c) {
            const int iy = y - l.pad.top, ix = xx - l.pad.left;
            acc.at(y, xx, c) = (iy >= 0 && ix >= 0 && iy < x.h && ix < x.w) ? x.at(iy, ix, c) : l.pad_value;
          }
      return acc;
    case K::kAdd:
      for (size_t i = 0; i < acc.size(); ++i) acc.data[i] = x.data[i] + in[1]->data[i];
      return output(acc);
    case K::kConcat: {
      for (int y = 0; y < acc.h; ++y)
        for (int xx = 0; xx < acc.w; ++xx) {
          int c0 = 0;
          for (const IntTensor* t : in) {
            for (int c = 0; c < t->c; ++c) acc.at(y, xx, c0 + c) = t->at(y, xx, c);
            c0 += t->c;
          }
        }
      return acc;
    }
    case K::kThreshold:
    case K::kRequant:
      return output(x);
    case K::kChannelwise:  // the parameter first, as finn-hlslib's ChannelWiseOperation applies it
      for (size_t i = 0; i < acc.size(); ++i) {
        const int64_t pc = p.channel_params[i % size_t(acc.c)], v = x.data[i];
        switch (l.channelwise->function) {
          case ir::ChannelwiseFunction::kAdd: acc.data[i] = int32_t(pc + v); break;
          case ir::ChannelwiseFunction::kMul: acc.data[i] = int32_t(pc * v); break;
          case ir::ChannelwiseFunction::kCmpLe: acc.data[i] = pc <= v; break;
          case ir::ChannelwiseFunction::kCmpGe: acc.data[i] = pc >= v; break;
        }
      }
      return acc;
  }
  return acc;
}

void expect_matches_naive(const ir::Network& net, uint64_t seed, int frames) {
  const auto params = golden::synthesize_params(net, seed);
  const golden::Reference ref(net, params);
  for (int f = 0; f < frames; ++f) {
    const IntTensor input = golden::synthesize_input(net, seed, f);
    std::vector<IntTensor> outs;
    ref.run(input, &outs);
    for (size_t i = 0; i < net.layers.size(); ++i) {
      std::vector<const IntTensor*> in;
      for (int idx : net.layers[i].input_index) in.push_back(idx < 0 ? &input : &outs[size_t(idx)]);
      const IntTensor want = naive_layer(net.layers[i], params.layers[i], in);
      ASSERT_TRUE(want.same_shape(outs[i])) << net.layers[i].name;
      ASSERT_EQ(want.data, outs[i].data) << net.name << " layer " << net.layers[i].name << " frame " << f;
    }
  }
}

// A small network touching every layer kind and arithmetic.
const char* kMixedNetwork = R"(
network: every-kind
input: {shape: [9, 9, 4], type: bipolar}
classes: 5
layers:
  - {name: xnor, kind: conv, kernel: 3, out_channels: 8, output: {kind: threshold, type: unsigned, bits: 2},
     channel_groups: [{channels: 4, weights: {arithmetic: binary}}, {channels: 4, weights: {arithmetic: fixed, bits: 2}}]}
  - {name: dw, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: pow2, exponent_bits: 2, exponent_bias: 1}, output: {kind: threshold, type: signed, bits: 3}}
  - {name: mixed, kind: conv, kernel: 3, stride: 2, padding: [1, 2, 1, 0], out_channels: 9,
     channel_groups: [{channels: 3, weights: {arithmetic: fixed, bits: 3}}, {channels: 3, weights: {arithmetic: ternary}},
                      {channels: 3, weights: {arithmetic: binary}}], output: {kind: requant, type: unsigned, bits: 4}}
  - {name: proj, kind: conv, inputs: [dw], kernel: 1, stride: 2, out_channels: 9, weights: {arithmetic: fixed, bits: 5}, output: {kind: requant, type: signed, bits: 4}}
  - {name: sum, kind: add, inputs: [mixed, proj], output: {kind: threshold, type: unsigned, bits: 3}}
  - {name: padded, kind: pad, padding: [1, 1, 0, 0]}
  - {name: avg, kind: avgpool, kernel: 2, stride: 1}
  - {name: max, kind: maxpool, inputs: [padded], kernel: 2, stride: 1}
  - {name: cat, kind: concat, inputs: [avg, max]}
  - {name: requant, kind: requant, output: {type: unsigned, bits: 2}}
  - {name: scale, kind: channelwise, function: mul, parameters: {type: signed, bits: 3}}
  - {name: shift, kind: channelwise, function: add, parameters: {type: unsigned, bits: 3}}
  - {name: gate, kind: channelwise, function: cmp_le, parameters: {type: signed, bits: 4}}
  - {name: fc, kind: fc, out_features: 5, weights: {arithmetic: fixed, bits: 4}, output: {kind: accumulator}}
)";

// One-dimensional windows: [1, K] kernels and pools along the width of a
// 1 x W map (FINN's Conv1d as finn-examples' VGG10 builds it), with padding
// and strides, and [K, 1] ones along the height of an H x 1 map.
const char* kOneDimNetworks[] = {R"(
network: one-dim-width
input: {shape: [1, 17, 2], type: signed, bits: 4}
classes: 3
layers:
  - {name: c1, kind: conv, kernel: [1, 3], padding: [0, 1, 0, 1], out_channels: 5, weights: {arithmetic: fixed, bits: 4},
     output: {kind: threshold, type: unsigned, bits: 3}}
  - {name: mp, kind: maxpool, kernel: [1, 2]}
  - {name: ap, kind: avgpool, inputs: [c1], kernel: [1, 3], stride: [1, 2]}
  - {name: cat, kind: concat, inputs: [mp, ap]}
  - {name: dw, kind: dwconv, kernel: [1, 3], stride: [1, 2], padding: [0, 1, 0, 0], weights: {arithmetic: ternary},
     output: {kind: threshold, type: signed, bits: 3}}
  - {name: c2, kind: conv, kernel: [1, 2], stride: [1, 2], out_channels: 4, weights: {arithmetic: fixed, bits: 3},
     output: {kind: threshold, type: unsigned, bits: 4}}
  - {name: fc, kind: fc, out_features: 3, weights: {arithmetic: fixed, bits: 4}, output: {kind: accumulator}}
)",
                                 R"(
network: one-dim-height
input: {shape: [12, 1, 3], type: unsigned, bits: 2}
classes: 2
layers:
  - {name: c1, kind: conv, kernel: [3, 1], padding: [1, 0, 1, 0], out_channels: 4, weights: {arithmetic: fixed, bits: 3},
     output: {kind: threshold, type: unsigned, bits: 2}}
  - {name: mp, kind: maxpool, kernel: [2, 1]}
  - {name: c2, kind: conv, kernel: [2, 1], stride: [2, 1], out_channels: 3, weights: {arithmetic: binary},
     output: {kind: threshold, type: unsigned, bits: 2}}
  - {name: fc, kind: fc, out_features: 2, weights: {arithmetic: fixed, bits: 2}, output: {kind: accumulator}}
)"};

ir::Network config_network(const char* text) {
  const fs::path p = fs::temp_directory_path() / "vine-test-reference-net.yaml";
  std::ofstream(p) << text;
  auto net = config::load_network(p.string());
  fs::remove(p);
  return net;
}

ir::Network mixed_network() {
  const fs::path p = fs::temp_directory_path() / "vine-test-every-kind.yaml";
  std::ofstream(p) << kMixedNetwork;
  auto net = config::load_network(p.string());
  fs::remove(p);
  return net;
}

}  // namespace

TEST(Reference, EveryLayerKindMatchesNaiveLanes) {
  const auto net = mixed_network();
  for (uint64_t seed : {1, 2, 3}) expect_matches_naive(net, seed, 3);
}

TEST(Reference, OneDimensionalWindowsMatchNaiveLanes) {
  for (const char* text : kOneDimNetworks) {
    const auto net = config_network(text);
    SCOPED_TRACE(net.name);
    // The shapes a 1-D window gives: padding and strides along one side only.
    if (net.name == "one-dim-width") {
      EXPECT_EQ(net.layers[0].out_shape, (ir::Shape{1, 17, 5}));
      EXPECT_EQ(net.layers[1].out_shape, (ir::Shape{1, 8, 5}));  // stride = kernel: floor(17 / 2)
      EXPECT_EQ(net.layers[2].out_shape, (ir::Shape{1, 8, 5}));  // (17 - 3) / 2 + 1
      EXPECT_EQ(net.layers[4].out_shape, (ir::Shape{1, 4, 10}));  // (8 + 1 - 3) / 2 + 1
      EXPECT_EQ(net.layers[5].out_shape, (ir::Shape{1, 2, 4}));
      EXPECT_EQ(net.layers[0].matrix_width(), 3 * 2);
    } else {
      EXPECT_EQ(net.layers[0].out_shape, (ir::Shape{12, 1, 4}));
      EXPECT_EQ(net.layers[1].out_shape, (ir::Shape{6, 1, 4}));
      EXPECT_EQ(net.layers[2].out_shape, (ir::Shape{3, 1, 3}));
    }
    for (uint64_t seed : {1, 2, 3}) expect_matches_naive(net, seed, 2);
  }
}

TEST(Reference, ShippedNetworksMatchNaiveLanes) {
  for (const char* n : {"tfc-w1a1", "tfc-w2a2", "lfc-w1a2", "cnv-w1a1", "cnv-w2a2"}) {
    SCOPED_TRACE(n);
    expect_matches_naive(network(n), 7, 1);
  }
}

TEST(Reference, DeterministicPerSeed) {
  const auto net = network("cnv-w1a1");
  auto run = [&](uint64_t seed, int frame) {
    const auto params = golden::synthesize_params(net, seed);
    return golden::checksum(golden::Reference(net, params).run(golden::synthesize_input(net, seed, frame)));
  };
  EXPECT_EQ(run(5, 0), run(5, 0));
  EXPECT_NE(run(5, 0), run(6, 0));
  EXPECT_NE(run(5, 0), run(5, 1));
}

// Thresholds are calibrated so activations use their whole range: no layer's
// output is constant, and every thresholded layer emits its lowest and
// highest code on a handful of fresh frames.
TEST(Reference, ActivationsUseTheirWholeRange) {
  for (const char* n : {"cnv-w1a1", "cnv-w1a2", "cnv-w2a2", "lfc-w1a1", "lfc-w1a2", "tfc-w1a1", "tfc-w2a2",
                        "resnet18-mixed", "mobilenet-v1-tomato"}) {
    SCOPED_TRACE(n);
    const auto net = network(n);
    const auto params = golden::synthesize_params(net, 11);
    const golden::Reference ref(net, params);
    std::vector<std::set<int32_t>> seen(net.layers.size());
    for (int f = 0; f < 2; ++f) {
      std::vector<IntTensor> outs;
      ref.run(golden::synthesize_input(net, 11, f), &outs);
      for (size_t i = 0; i < outs.size(); ++i) seen[i].insert(outs[i].data.begin(), outs[i].data.end());
    }
    for (size_t i = 0; i < net.layers.size(); ++i) {
      const auto& l = net.layers[i];
      EXPECT_GE(seen[i].size(), 2u) << l.name << " is constant";
      if (l.output.kind == ir::OutputKind::kThreshold) {
        EXPECT_EQ(*seen[i].begin(), l.out_type.min_code()) << l.name;
        EXPECT_EQ(*seen[i].rbegin(), l.out_type.max_code()) << l.name;
      }
    }
  }
}

TEST(Reference, Top1AndChecksum) {
  IntTensor t(1, 1, 6);
  t.data = {3, 9, 2, 9, 12, 1};
  EXPECT_EQ(golden::top1(t, 4), 1);  // first of the tied maxima, among the first 4
  EXPECT_EQ(golden::top1(t, 6), 4);
  IntTensor u = t;
  u.data[5] = 0;
  EXPECT_NE(golden::checksum(t), golden::checksum(u));
}

// 16-bit weights on 16-bit activations: a 3 x 3 x 64 window's sums need 40
// bits, so the reference holds them in 64 (ir::wide_sums).
namespace {

const char* kWideNetwork = R"(
network: w16a16
input: {shape: [5, 5, 64], type: signed, bits: 16}
layers:
  - {name: conv, kind: conv, kernel: 3, padding: 1, out_channels: 4, weights: {arithmetic: fixed, bits: 16},
     output: {kind: requant, type: signed, bits: 16}}
  - {name: fc, kind: fc, out_features: 3, weights: {arithmetic: fixed, bits: 16}, output: {kind: threshold, type: unsigned, bits: 2}}
)";

ir::Network wide_network() {
  const fs::path p = fs::temp_directory_path() / "vine-test-w16a16.yaml";
  std::ofstream(p) << kWideNetwork;
  auto net = config::load_network(p.string());
  fs::remove(p);
  return net;
}

// The conv layer's sums, straight from the definition in 64 bits.
golden::AccTensor naive_wide_conv(const ir::Layer& l, const std::vector<int32_t>& w, const IntTensor& x) {
  golden::AccTensor acc(l.out_shape.h, l.out_shape.w, l.out_shape.c);
  for (int oy = 0; oy < acc.h; ++oy)
    for (int ox = 0; ox < acc.w; ++ox)
      for (int oc = 0; oc < acc.c; ++oc) {
        int64_t sum = 0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            const int iy = oy + ky - 1, ix = ox + kx - 1;
            if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;  // zero padding
            for (int ic = 0; ic < x.c; ++ic)
              sum += int64_t(x.at(iy, ix, ic)) * w[((size_t(oc) * 3 + ky) * 3 + kx) * x.c + ic];
          }
        acc.at(oy, ox, oc) = sum;
      }
  return acc;
}

}  // namespace

TEST(ReferenceWideSums, HandComputedSumBeyond32Bits) {
  const auto net = wide_network();
  const ir::Layer& conv = net.layers[0];
  ASSERT_TRUE(ir::wide_sums(conv));
  // The bound: 576 products of at most (-2^15)^2 = 2^30 each.
  EXPECT_EQ(conv.acc_range.hi, 576 * (int64_t{1} << 30));
  EXPECT_TRUE(ir::wide_sums(net.layers[1]));  // 100 products of 16 x 16 bits, thresholded
  auto params = golden::synthesize_params(net, 3);
  // Every weight and activation at -2^15: an inner pixel sums 576 products of
  // 2^30, 618,475,290,624 (40 bits); a corner pixel sees 4 of the 9 taps.
  std::fill(params.layers[0].weight_values.begin(), params.layers[0].weight_values.end(), -32768);
  IntTensor x(5, 5, 64, -32768);
  const golden::Reference ref(net, params);
  const golden::AccTensor s = ref.layer_sums(0, {&x});
  EXPECT_EQ(s.at(2, 2, 0), int64_t{618475290624});
  EXPECT_EQ(s.at(0, 0, 3), int64_t{4} * 64 * (int64_t{1} << 30));
  EXPECT_EQ(s.at(0, 2, 1), int64_t{6} * 64 * (int64_t{1} << 30));
  EXPECT_THROW(ref.layer_accumulators(0, {&x}), std::logic_error);  // no 32-bit view of them
}

TEST(ReferenceWideSums, BitExactAgainstA64BitEvaluation) {
  const auto net = wide_network();
  const ir::Layer& conv = net.layers[0];
  for (uint64_t seed : {1, 2}) {
    const auto params = golden::synthesize_params(net, seed);
    const golden::Reference ref(net, params);
    const IntTensor x = golden::synthesize_input(net, seed, 0);
    const golden::AccTensor want = naive_wide_conv(conv, params.layers[0].weight_values, x);
    const golden::AccTensor got = ref.layer_sums(0, {&x});
    ASSERT_EQ(got.data, want.data);
    // Some sums really leave 32 bits, and the requantiser maps the 64-bit
    // sums, as arith::requantize defines, onto the layer's outputs.
    EXPECT_TRUE(std::any_of(want.data.begin(), want.data.end(),
                            [](int64_t v) { return v > INT32_MAX || v < INT32_MIN; }));
    std::vector<IntTensor> outs;
    ref.run(x, &outs);
    const auto& r = params.layers[0].requant;
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_EQ(outs[0].data[i], arith::requantize(want.data[i], r.multiplier[0], r.shift[0], r.zero_point, r.lo,
                                                   r.hi, r.rounding))
          << i;
    std::set<int32_t> codes(outs[0].data.begin(), outs[0].data.end());
    EXPECT_GT(codes.size(), 10u);  // calibrated on the 64-bit sums: not clamped flat
  }
}
