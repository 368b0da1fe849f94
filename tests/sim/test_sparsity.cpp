// Pruned weights and the bitmap format (sim/ir/weight_bitmap.h,
// docs/sparsity.md): the pruning pattern, the format's round trip, the bytes
// it saves in DDR and BRAM, and bit-exact runs that stream it.
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/estimate/resource_model.h"
#include "sim/finn_config/finn_export.h"
#include "sim/golden/network_params.h"
#include "sim/ir/weight_bitmap.h"
#include "sim/run/process_network.h"
#include "sim/run/simulation.h"
#include "tests/sim/temp_config.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
using testing_support::error_of;
using testing_support::TempConfig;
const fs::path kConfigs = fs::path(VINE_SOURCE_DIR) / "configs";

ir::Design load(const std::string& rel) { return config::load_design((kConfigs / "designs" / rel).string()); }

int layer_index(const ir::Design& d, const std::string& name) {
  const int i = d.network.find_layer(name);
  if (i < 0) throw std::runtime_error("no layer " + name);
  return i;
}

}  // namespace

// The pattern belongs to the network: the same positions whatever the run's
// seed, about the fraction asked for, and the weights kept are those the
// unpruned network draws.
TEST(WeightSparsity, PrunesTheSameWeightsForEverySeedAndKeepsTheOthers) {
  ir::Network dense = load("bnn-pynq/cnv-w2a2-pynq-z1.yaml").network;
  ir::Network pruned = dense;
  const int conv4 = pruned.find_layer("conv4");
  pruned.layers[size_t(conv4)].weight_sparsity = 0.75;
  const ir::Layer& l = pruned.layers[size_t(conv4)];
  const int64_t n = l.matrix_height() * l.matrix_width();  // 256 x 1152
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += ir::weight_pruned(l, i);
  EXPECT_NEAR(double(count) / double(n), 0.75, 0.005) << count << " of " << n;
  for (uint64_t seed : {1u, 7u}) {
    const golden::NetworkParams p = golden::synthesize_params(pruned, seed, 1);
    const golden::NetworkParams q = golden::synthesize_params(dense, seed, 1);
    const auto& pw = p.layers[size_t(conv4)].weight_codes;
    const auto& qw = q.layers[size_t(conv4)].weight_codes;
    ASSERT_EQ(pw.size(), size_t(n));
    int64_t zeros = 0, kept_equal = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (ir::weight_pruned(l, i)) zeros += pw[size_t(i)] == 0;
      else kept_equal += pw[size_t(i)] == qw[size_t(i)];
    }
    EXPECT_EQ(zeros, count) << "seed " << seed;
    EXPECT_EQ(kept_equal, n - count) << "seed " << seed;
  }
}

// Every arithmetic and layer kind of the mixed network (fixed, pow2 in
// channel groups, ternary; conv, depthwise, fc) encodes and decodes back to
// its dense words; a pruned weight that is not zero is refused.
TEST(WeightBitmap, EncodesAndDecodesEveryArithmeticBackToItsDenseWords) {
  ir::Design d = load("cosim/mixed-pow2-fixed-pynq-z1.yaml");
  for (auto& l : d.network.layers)
    if (l.has_weights()) l.weight_sparsity = 0.4;
  const golden::NetworkParams p = golden::synthesize_params(d.network, 3, 1);
  int layers = 0;
  for (size_t i = 0; i < d.network.layers.size(); ++i) {
    const ir::Layer& l = d.network.layers[i];
    if (!l.has_weights()) continue;
    SCOPED_TRACE(l.name);
    const ir::LayerFolding& f = d.folding[i];
    const ir::WeightWords ww(l, f.pe, f.simd);
    std::vector<int32_t> words;
    for (int64_t k = 0; k < ww.words; ++k)
      for (int e = 0; e < ww.elements; ++e) words.push_back(p.layers[i].weight_codes[size_t(ww.index(k, e))]);
    const ir::BitmapImage img = ir::bitmap_image(l, f);
    // The stored count, from the matrix rather than the words.
    int64_t kept = 0;
    for (int64_t j = 0; j < l.matrix_height() * l.matrix_width(); ++j) kept += !ir::weight_pruned(l, j);
    EXPECT_EQ(img.stored, kept);
    const std::vector<uint8_t> bytes = ir::encode_bitmap_words(l, f, img, words);
    ASSERT_EQ(bytes.size(), img.bytes());
    std::vector<int32_t> out(size_t(ww.elements));
    int64_t wrong = 0;
    for (int64_t k = 0; k < ww.words; ++k) {
      ir::decode_bitmap_word(l, f, img, bytes, k, out.data());
      for (int e = 0; e < ww.elements; ++e) wrong += out[size_t(e)] != words[size_t(k * ww.elements + e)];
    }
    EXPECT_EQ(wrong, 0);
    // A pruned weight holding anything but zero: not this network's weights.
    for (size_t j = 0; j < words.size(); ++j)
      if (ir::weight_pruned(l, ww.index(int64_t(j) / ww.elements, int(j % size_t(ww.elements))))) {
        words[j] = 1;
        break;
      }
    EXPECT_THROW(ir::encode_bitmap_words(l, f, img, words), std::logic_error);
    ++layers;
  }
  EXPECT_EQ(layers, 5);
}

// CNV-W2A2's conv2 and conv4 streamed from DDR, 75% pruned, in the bitmap
// format. conv4's words are PE 4 x SIMD 8 ternary weights: 32 bitmap bits
// plus 2 bits per kept weight, packed bit after bit (64 bits dense). The DDR
// reads what the format holds, the outputs stay bit-exact, and the channel,
// still the bottleneck, sets the interval exactly as the closed form says.
TEST(WeightSparsity, BitmapWeightStreamsReadFewerBytesAndStayBitExact) {
  ir::Design d = load("bnn-pynq/cnv-w2a2-pynq-z1.yaml");
  const int conv2 = layer_index(d, "conv2"), conv4 = layer_index(d, "conv4");
  const estimate::Estimate dense = [&] {
    ir::Design t = d;
    for (int i : {conv2, conv4}) t.folding[size_t(i)].weight_memory = ir::MemoryStyle::kDdr;
    return estimate::estimate_design(t);
  }();
  for (int i : {conv2, conv4}) {
    d.network.layers[size_t(i)].weight_sparsity = 0.75;
    d.folding[size_t(i)].weight_memory = ir::MemoryStyle::kDdr;
    d.folding[size_t(i)].weight_compression = ir::WeightCompression::kBitmap;
  }
  ASSERT_EQ(d.folding[size_t(conv4)].pe, 4);
  ASSERT_EQ(d.folding[size_t(conv4)].simd, 8);
  const ir::Layer& l4 = d.network.layers[size_t(conv4)];
  uint64_t image_bits = 0;
  for (int64_t nf = 0; nf < 256 / 4; ++nf)
    for (int64_t sf = 0; sf < 1152 / 8; ++sf) {
      int kept = 0;
      for (int p = 0; p < 4; ++p)
        for (int j = 0; j < 8; ++j) kept += !ir::weight_pruned(l4, (nf * 4 + p) * 1152 + sf * 8 + j);
      image_bits += uint64_t(32 + 2 * kept);
    }
  const uint64_t image = (image_bits + 7) / 8;
  const estimate::Estimate e = estimate::estimate_design(d);
  // 3 x 3 output pixels, a pass each; the DDR moves whole 16-byte bursts
  // (PYNQ-Z1's DDR3, BL8 x 2 bytes).
  ASSERT_EQ(d.device.ddr_burst_bytes, 16);
  EXPECT_EQ(e.layers[size_t(conv4)].ddr_bytes_per_frame, (image + 15) / 16 * 16 * 9);
  EXPECT_LT(e.layers[size_t(conv4)].ddr_bytes_per_frame, dense.layers[size_t(conv4)].ddr_bytes_per_frame);
  EXPECT_LT(e.layers[size_t(conv2)].ddr_bytes_per_frame, dense.layers[size_t(conv2)].ddr_bytes_per_frame);
  EXPECT_LT(e.interval_cycles, dense.interval_cycles);

  sim::RunOptions o;
  o.frames = 2;
  sim::Simulation exact(d, o);
  const sim::RunReport r = exact.run();
  EXPECT_TRUE(r.outputs_match_reference.value_or(false));
  sim::RunOptions timing;
  timing.frames = 12;
  timing.timing_only = true;
  sim::Simulation steady(d, timing);
  const sim::RunReport t = steady.run();
  ASSERT_TRUE(t.steady.reached);
  EXPECT_EQ(e.bottleneck_ddr_channel, 0);
  EXPECT_EQ(t.interval_cycles, double(e.interval_cycles));
}

// Every weighted layer of the mixed network streamed as bitmap words:
// fixed weights sign-extended, pow2 channel groups, the depthwise VVAU.
TEST(WeightSparsity, BitmapStreamsOfEveryArithmeticAreBitExact) {
  ir::Design d = load("cosim/mixed-pow2-fixed-pynq-z1.yaml");
  for (size_t i = 0; i < d.folding.size(); ++i) {
    if (!d.network.layers[i].has_weights()) continue;
    d.network.layers[i].weight_sparsity = 0.5;
    d.folding[i].weight_memory = ir::MemoryStyle::kDdr;
    d.folding[i].weight_compression = ir::WeightCompression::kBitmap;
  }
  sim::RunOptions o;
  o.frames = 2;
  o.backend = sim::BackendChoice::kCpp;
  sim::Simulation run(d, o);
  const sim::RunReport r = run.run();
  EXPECT_TRUE(r.finished);
  EXPECT_TRUE(r.outputs_match_reference.value_or(false));
  EXPECT_EQ(r.weight_streams.size(), 5u);
}

// On chip, the bitmap saves BRAM once enough is pruned, costs more than
// dense when nothing is (the bitmap's own bits), and its decoder's register
// delays the MVAU's first write by exactly one cycle.
TEST(WeightSparsity, BitmapWeightMemoryOnChipSavesBramAndAddsTheDecoderCycle) {
  const ir::Design base = load("bnn-pynq/cnv-w2a2-pynq-z1.yaml");
  const int conv4 = layer_index(base, "conv4");
  auto memory = [&](const ir::Design& d) {
    ir::StagePlan s;
    s.layer = conv4;
    s.pe = d.folding[size_t(conv4)].pe;
    s.simd = d.folding[size_t(conv4)].simd;
    return estimate::weight_memory_resources(s, d);
  };
  const double dense = memory(base).bram18;
  ASSERT_GT(dense, 0);
  ir::Design unpruned = base;
  unpruned.folding[size_t(conv4)].weight_compression = ir::WeightCompression::kBitmap;
  EXPECT_GT(memory(unpruned).bram18, dense);
  ir::Design sparse = unpruned;
  sparse.network.layers[size_t(conv4)].weight_sparsity = 0.9;
  EXPECT_LT(memory(sparse).bram18, dense);
  EXPECT_GT(memory(sparse).lut, memory(base).lut);  // the decoder

  auto first_write = [](const ir::Design& d) {
    sim::ProcessNetwork pn(d, {1, true, false}, nullptr, {}, {});
    EXPECT_TRUE(pn.run());
    for (const auto& s : pn.stages())
      if (s->name() == "conv4.mvau") return s->stats().first_write;
    return int64_t{-1};
  };
  const int64_t before = first_write(base);
  ASSERT_GE(before, 0);
  EXPECT_EQ(first_write(sparse), before + 1);
  sim::RunOptions o;
  o.frames = 1;
  sim::Simulation run(sparse, o);
  EXPECT_TRUE(run.run().outputs_match_reference.value_or(false));
}

TEST(WeightSparsity, ConfigErrorsNameTheFieldAndWhatIsExpected) {
  const std::string net =
      "network: s\ninput: {shape: [4, 4, 2], type: unsigned, bits: 2}\nlayers:\n"
      "  - {name: fc0, kind: fc, out_features: 4, weights: {arithmetic: %W%}, weight_sparsity: %S%, "
      "output: {kind: accumulator}}\n";
  auto network = [&](const std::string& w, const std::string& s) {
    std::string t = net;
    t.replace(t.find("%W%"), 3, w);
    t.replace(t.find("%S%"), 3, s);
    return t;
  };
  TempConfig ok("sparsity-ok", network("ternary", "0.5"));
  EXPECT_DOUBLE_EQ(config::load_network(ok.path.string()).layers[0].weight_sparsity, 0.5);
  TempConfig binary("sparsity-binary", network("binary", "0.5"));
  std::string e = error_of([&] { config::load_network(binary.path.string()); });
  EXPECT_NE(e.find(binary.path.string() + ":4:"), std::string::npos) << e;
  EXPECT_NE(e.find("layers[0].weight_sparsity: got '0.5', expected no weight_sparsity on fc0: binary weights"),
            std::string::npos)
      << e;
  TempConfig high("sparsity-high", network("ternary", "1"));
  e = error_of([&] { config::load_network(high.path.string()); });
  EXPECT_NE(e.find("weight_sparsity: got '1', expected a number in [0, 0.999]"), std::string::npos) << e;

  const std::string design = "design: t\nnetwork: " + (kConfigs / "networks/cnv-w2a2.yaml").string() +
                             "\ndevice: " + (kConfigs / "devices/pynq-z1.yaml").string() +
                             "\nclock_mhz: 100\nlayers:\n";
  TempConfig bitmap("sparsity-bitmap", design + "  conv1: {weight_compression: bitmap}\n");
  EXPECT_EQ(config::load_design(bitmap.path.string()).folding[1].weight_compression, ir::WeightCompression::kBitmap);
  TempConfig pool("sparsity-pool", design + "  pool0: {weight_compression: bitmap}\n");
  e = error_of([&] { config::load_design(pool.path.string()); });
  EXPECT_NE(e.find("layers.pool0.weight_compression: got 'bitmap', expected no weight_compression on a layer "
                   "without weights"),
            std::string::npos)
      << e;
  TempConfig bad("sparsity-bad", design + "  conv1: {weight_compression: csr}\n");
  e = error_of([&] { config::load_design(bad.path.string()); });
  EXPECT_NE(e.find("layers.conv1.weight_compression: got 'csr', expected one of: dense, bitmap"), std::string::npos)
      << e;
  // FINN holds every weight: a bitmap layer has no FINN config.
  const ir::Design d = config::load_design(bitmap.path.string());
  e = error_of([&] { finn::finn_folding_config(d); });
  EXPECT_NE(e.find("layers.conv1.weight_compression: got 'bitmap', expected dense weights on conv1 for a FINN export"),
            std::string::npos)
      << e;
}

}  // namespace vine
