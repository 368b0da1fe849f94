// The golden OVSF expansion (sim/golden/ovsf.h): the codes against the OVSF
// tree recursion built here independently, their orthogonality, a
// hand-computed layer, the padding drop, saturation, the sum width by brute
// force, and the synthesiser's determinism and ranges.
#include "sim/golden/ovsf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <vector>

namespace {

using namespace vine::golden;

// C_1 = [1]; C_2N(2k) = [C_N(k) C_N(k)], C_2N(2k+1) = [C_N(k) -C_N(k)].
std::vector<std::vector<int>> ovsf_tree(int length) {
  std::vector<std::vector<int>> c = {{1}};
  for (int n = 1; n < length; n *= 2) {
    std::vector<std::vector<int>> next;
    for (const auto& row : c) {
      std::vector<int> same = row, flip = row;
      for (int x : row) {
        same.push_back(x);
        flip.push_back(-x);
      }
      next.push_back(same);
      next.push_back(flip);
    }
    c = next;
  }
  return c;
}

TEST(Ovsf, CodeLengthIsTheNextPowerOfTwo) {
  EXPECT_EQ(ovsf_code_length(1), 1);
  EXPECT_EQ(ovsf_code_length(2), 2);
  EXPECT_EQ(ovsf_code_length(3), 4);
  EXPECT_EQ(ovsf_code_length(9), 16);       // 3x3x1
  EXPECT_EQ(ovsf_code_length(576), 1024);   // 3x3x64
  EXPECT_EQ(ovsf_code_length(4608), 8192);  // 3x3x512
  EXPECT_EQ(ovsf_code_length(1024), 1024);
  EXPECT_THROW(ovsf_code_length(0), std::invalid_argument);
}

TEST(Ovsf, CodesFollowTheTreeRecursion) {
  for (int length = 1; length <= 64; length *= 2) {
    const auto tree = ovsf_tree(length);
    for (int k = 0; k < length; ++k) EXPECT_EQ(ovsf_code(length, k), tree[size_t(k)]) << "L " << length << " code " << k;
  }
  // The four codes of length 4, written out.
  EXPECT_EQ(ovsf_code(4, 0), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(ovsf_code(4, 1), (std::vector<int>{1, 1, -1, -1}));
  EXPECT_EQ(ovsf_code(4, 2), (std::vector<int>{1, -1, 1, -1}));
  EXPECT_EQ(ovsf_code(4, 3), (std::vector<int>{1, -1, -1, 1}));
}

TEST(Ovsf, CodesAreOrthogonal) {
  for (int length : {2, 8, 32, 128}) {
    for (int a = 0; a < length; ++a) {
      const auto ca = ovsf_code(length, a);
      for (int b = 0; b < length; ++b) {
        const auto cb = ovsf_code(length, b);
        int dot = 0;
        for (int j = 0; j < length; ++j) dot += ca[size_t(j)] * cb[size_t(j)];
        ASSERT_EQ(dot, a == b ? length : 0) << "L " << length << " codes " << a << ", " << b;
      }
    }
  }
}

TEST(Ovsf, HandComputedLayerDropsThePaddedTail) {
  // Filters of 3 weights pad to L = 4; codes 1 and 2 kept:
  //   C_4(1) = [1 1 -1 -1], C_4(2) = [1 -1 1 -1]
  //   filter 0: 3 C(1) - 2 C(2) = [1 5 -5 -1] -> [1 5 -5]
  //   filter 1: 0 C(1) + 1 C(2) = [1 -1 1 -1] -> [1 -1 1]
  OvsfLayer l;
  l.filters = 2;
  l.filter_len = 3;
  l.code_length = 4;
  l.coeff_bits = 4;
  l.codes = {1, 2};
  l.coeffs = {3, -2, 0, 1};
  EXPECT_EQ(ovsf_expand_layer(l, 8), (std::vector<int32_t>{1, 5, -5, 1, -1, 1}));
  // 3-bit weights: [-4, 3], so 5 -> 3 and -5 -> -4.
  EXPECT_EQ(ovsf_expand_layer(l, 3), (std::vector<int32_t>{1, 3, -4, 1, -1, 1}));
  EXPECT_EQ(ovsf_weight(l.coeffs.data(), l.codes.data(), 2, 4, 3, 8), -1);  // the dropped position
}

TEST(Ovsf, ProjectionRecoversTheCoefficients) {
  // Unsaturated, w = sum c_k C(k), so <w, C(k)> = L c_k for kept k and 0 otherwise.
  const OvsfLayer l = synthesize_ovsf_layer(5, 64, 0.25, 8, 7);
  ASSERT_EQ(l.kept(), 16);
  const int wbits = ovsf_sum_bits(8, 16);
  const auto w = ovsf_expand_layer(l, wbits);
  for (int f = 0; f < l.filters; ++f)
    for (int k = 0; k < 64; ++k) {
      const auto code = ovsf_code(64, k);
      int64_t dot = 0;
      for (int j = 0; j < 64; ++j) dot += int64_t(w[size_t(f * 64 + j)]) * code[size_t(j)];
      const auto it = std::find(l.codes.begin(), l.codes.end(), k);
      const int64_t want = it == l.codes.end() ? 0 : l.coeffs[size_t(f * 16 + (it - l.codes.begin()))];
      ASSERT_EQ(dot, 64 * want) << "filter " << f << " code " << k;
    }
}

// The code bank's fast chips (a parity of the bit-reversed code and j) equal
// ovsf_weight's definition at every position, saturating or not, on a
// synthesised layer with many codes of a long length.
TEST(Ovsf, CodeBankEqualsTheDefinition) {
  const OvsfLayer l = synthesize_ovsf_layer(3, 300, 0.125, 8, 11);  // L = 512, 64 codes
  ASSERT_EQ(l.code_length, 512);
  const OvsfCodeBank bank(l.codes.data(), l.kept(), l.code_length);
  EXPECT_EQ(bank.kept(), 64);
  int saturated = 0;
  for (int bits : {6, 16})
    for (int f = 0; f < l.filters; ++f)
      for (int j = 0; j < l.code_length; ++j) {
        const int32_t* c = l.coeffs.data() + size_t(f) * size_t(l.kept());
        const int64_t w = ovsf_weight(c, l.codes.data(), l.kept(), l.code_length, j, bits);
        ASSERT_EQ(bank.weight(c, j, bits), w) << "filter " << f << " position " << j;
        saturated += bits == 6 && (w == 31 || w == -32);
      }
  EXPECT_GT(saturated, 0);  // the narrow width did saturate somewhere
  const int32_t bad[1] = {512};
  EXPECT_THROW(OvsfCodeBank(bad, 1, 512), std::invalid_argument);
  EXPECT_THROW(bank.weight(l.coeffs.data(), 512, 16), std::invalid_argument);
}

TEST(Ovsf, SumWidthIsTheExactBound) {
  for (int cb = 1; cb <= 10; ++cb)
    for (int kept = 1; kept <= 40; ++kept) {
      // Extremes: every chip +1 (position 0) with every coefficient
      // -2^(cb-1), and every chip -1 with the same coefficients.
      const int64_t lo = -int64_t(kept) << (cb - 1), hi = int64_t(kept) << (cb - 1);
      int bits = 1;
      while (lo < -(int64_t{1} << (bits - 1)) || hi > (int64_t{1} << (bits - 1)) - 1) ++bits;
      ASSERT_EQ(ovsf_sum_bits(cb, kept), bits) << cb << " bits x " << kept;
    }
  EXPECT_EQ(ovsf_sum_bits(4, 4), 7);
  EXPECT_EQ(ovsf_sum_bits(8, 16), 13);
  // 16-bit weights from 256 kept codes (3x3x64 filters at ratio 1/4): 7-bit
  // coefficients are the widest that never saturate.
  EXPECT_EQ(ovsf_max_exact_coeff_bits(16, 256), 7);
  EXPECT_LE(ovsf_sum_bits(7, 256), 16);
  EXPECT_GT(ovsf_sum_bits(8, 256), 16);
  EXPECT_EQ(ovsf_max_exact_coeff_bits(1, 1), 0);
  EXPECT_EQ(ovsf_saturate(100, 8), 100);
  EXPECT_EQ(ovsf_saturate(200, 8), 127);
  EXPECT_EQ(ovsf_saturate(-200, 8), -128);
}

TEST(Ovsf, SynthesiserIsSeededAndInRange) {
  const OvsfLayer a = synthesize_ovsf_layer(64, 576, 0.25, 6, 42);
  const OvsfLayer b = synthesize_ovsf_layer(64, 576, 0.25, 6, 42);
  const OvsfLayer c = synthesize_ovsf_layer(64, 576, 0.25, 6, 43);
  EXPECT_EQ(a.codes, b.codes);
  EXPECT_EQ(a.coeffs, b.coeffs);
  EXPECT_NE(a.coeffs, c.coeffs);
  EXPECT_NE(a.codes, c.codes);
  EXPECT_EQ(a.code_length, 1024);
  EXPECT_EQ(a.kept(), 256);
  EXPECT_EQ(ovsf_kept_codes(1024, 0.3), 308);  // ceil(307.2)
  EXPECT_EQ(ovsf_kept_codes(16, 0.01), 1);
  EXPECT_TRUE(std::is_sorted(a.codes.begin(), a.codes.end()));
  EXPECT_EQ(std::set<int32_t>(a.codes.begin(), a.codes.end()).size(), a.codes.size());
  EXPECT_GE(a.codes.front(), 0);
  EXPECT_LT(a.codes.back(), 1024);
  ASSERT_EQ(a.coeffs.size(), size_t(64 * 256));
  EXPECT_EQ(*std::min_element(a.coeffs.begin(), a.coeffs.end()), -32);
  EXPECT_EQ(*std::max_element(a.coeffs.begin(), a.coeffs.end()), 31);
  const auto w = ovsf_expand_layer(a, 16);
  EXPECT_EQ(w.size(), size_t(64 * 576));
  EXPECT_EQ(w, ovsf_expand_layer(b, 16));
}

TEST(Ovsf, BadInputsAreNamed) {
  EXPECT_THROW(synthesize_ovsf_layer(4, 9, 0.0, 8, 1), std::invalid_argument);
  EXPECT_THROW(synthesize_ovsf_layer(4, 9, 1.5, 8, 1), std::invalid_argument);
  EXPECT_THROW(synthesize_ovsf_layer(4, 9, 0.5, 0, 1), std::invalid_argument);
  EXPECT_THROW(synthesize_ovsf_layer(0, 9, 0.5, 8, 1), std::invalid_argument);
  EXPECT_THROW(ovsf_chip(6, 0, 0), std::invalid_argument);
  EXPECT_THROW(ovsf_chip(8, 8, 0), std::invalid_argument);
  OvsfLayer l = synthesize_ovsf_layer(2, 9, 0.5, 4, 1);
  l.codes[1] = l.codes[0];
  try {
    ovsf_expand_layer(l, 8);
    FAIL() << "duplicate kept codes accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not ascending"), std::string::npos) << e.what();
  }
  l = synthesize_ovsf_layer(2, 9, 0.5, 4, 1);
  l.coeffs[0] = 8;
  EXPECT_THROW(ovsf_expand_layer(l, 8), std::invalid_argument);
  l = synthesize_ovsf_layer(2, 9, 0.5, 4, 1);
  l.code_length = 32;
  EXPECT_THROW(ovsf_expand_layer(l, 8), std::invalid_argument);
}

}  // namespace
