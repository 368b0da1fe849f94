#include "sim/golden/ovsf.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/golden/network_params.h"

namespace vine::golden {

namespace {

constexpr int kMaxCodeLength = 1 << 24;  // as ovsf_code_length's bound
constexpr int kMaxCoeffBits = 31;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("OVSF: " + what);
}

bool is_pow2(int64_t n) { return n >= 1 && (n & (n - 1)) == 0; }

int log2_exact(int n) {
  int r = 0;
  while ((1 << r) < n) ++r;
  return r;
}

// Bit reversal of the low r bits.
int bitrev(int k, int r) {
  int v = 0;
  for (int b = 0; b < r; ++b) v |= ((k >> b) & 1) << (r - 1 - b);
  return v;
}

int popcount(unsigned v) {
  int n = 0;
  for (; v; v &= v - 1) ++n;
  return n;
}

}  // namespace


int ovsf_chip(int code_length, int code, int j) {
  // Checked with plain ifs: the benches call this 10^7 times.
  if (!is_pow2(code_length) || code_length > kMaxCodeLength)
    require(false, "code length " + std::to_string(code_length) + " is not a power of two");
  if (code < 0 || code >= code_length)
    require(false, "code " + std::to_string(code) + " outside [0, " + std::to_string(code_length) + ")");
  if (j < 0 || j >= code_length)
    require(false, "position " + std::to_string(j) + " outside [0, " + std::to_string(code_length) + ")");
  const int r = log2_exact(code_length);
  return popcount(unsigned(bitrev(code, r) & j)) % 2 ? -1 : 1;
}

std::vector<int> ovsf_code(int code_length, int code) {
  std::vector<int> c(size_t(std::max(code_length, 0)));
  for (int j = 0; j < code_length; ++j) c[size_t(j)] = ovsf_chip(code_length, code, j);
  return c;
}

int ovsf_sum_bits(int coeff_bits, int kept) {
  require(coeff_bits >= 1 && coeff_bits <= kMaxCoeffBits,
          "coefficient width " + std::to_string(coeff_bits) + " outside [1, " + std::to_string(kMaxCoeffBits) + "]");
  require(kept >= 1, "kept codes " + std::to_string(kept) + " < 1");
  // Terms +-c lie in [-2^(c-1), 2^(c-1)]; the sum of kept of them is
  // symmetric, so its two's complement width is that of kept * 2^(c-1).
  const int64_t hi = int64_t(kept) << (coeff_bits - 1);
  int b = 1;
  while (-(int64_t{1} << (b - 1)) > -hi || (int64_t{1} << (b - 1)) - 1 < hi) ++b;
  return b;
}

int ovsf_max_exact_coeff_bits(int weight_bits, int kept) {
  int best = 0;
  for (int c = 1; c <= kMaxCoeffBits && ovsf_sum_bits(c, kept) <= weight_bits; ++c) best = c;
  return best;
}

int64_t ovsf_saturate(int64_t v, int weight_bits) {
  if (weight_bits < 1 || weight_bits > 32)
    require(false, "weight width " + std::to_string(weight_bits) + " outside [1, 32]");
  const int64_t lo = -(int64_t{1} << (weight_bits - 1)), hi = (int64_t{1} << (weight_bits - 1)) - 1;
  return std::min(hi, std::max(lo, v));
}

int64_t ovsf_weight(const int32_t* coeffs, const int32_t* codes, int kept, int code_length, int j,
                    int weight_bits) {
  int64_t s = 0;
  for (int m = 0; m < kept; ++m) s += int64_t(ovsf_chip(code_length, codes[m], j)) * coeffs[m];
  return ovsf_saturate(s, weight_bits);
}

OvsfCodeBank::OvsfCodeBank(const int32_t* codes, int kept, int code_length) : code_length_(code_length) {
  require(is_pow2(code_length) && code_length <= kMaxCodeLength,
          "code length " + std::to_string(code_length) + " is not a power of two");
  const int r = log2_exact(code_length);
  for (int m = 0; m < kept; ++m) {
    require(codes[m] >= 0 && codes[m] < code_length,
            "code " + std::to_string(codes[m]) + " outside [0, " + std::to_string(code_length) + ")");
    reversed_.push_back(uint32_t(bitrev(codes[m], r)));
  }
}

int64_t OvsfCodeBank::weight(const int32_t* coeffs, int j, int weight_bits) const {
  if (j < 0 || j >= code_length_)
    require(false, "position " + std::to_string(j) + " outside [0, " + std::to_string(code_length_) + ")");
  int64_t s = 0;
  for (size_t m = 0; m < reversed_.size(); ++m)
    s += __builtin_parity(reversed_[m] & uint32_t(j)) ? -int64_t(coeffs[m]) : int64_t(coeffs[m]);
  return ovsf_saturate(s, weight_bits);
}

std::vector<int32_t> ovsf_expand_layer(const OvsfLayer& layer, int weight_bits) {
  require(layer.filters >= 0, "filters " + std::to_string(layer.filters) + " < 0");
  require(layer.code_length == ovsf_code_length(layer.filter_len),
          "code length " + std::to_string(layer.code_length) + " for filter length " +
              std::to_string(layer.filter_len) + ", expected " + std::to_string(ovsf_code_length(layer.filter_len)));
  const int kept = layer.kept();
  require(kept >= 1 && kept <= layer.code_length,
          "kept codes " + std::to_string(kept) + " outside [1, " + std::to_string(layer.code_length) + "]");
  for (int m = 0; m < kept; ++m) {
    const int32_t k = layer.codes[size_t(m)];
    require(k >= 0 && k < layer.code_length && (m == 0 || k > layer.codes[size_t(m - 1)]),
            "kept code " + std::to_string(k) + " (slot " + std::to_string(m) +
                ") not ascending in [0, " + std::to_string(layer.code_length) + ")");
  }
  require(layer.coeffs.size() == size_t(layer.filters) * size_t(kept),
          "coefficients: " + std::to_string(layer.coeffs.size()) + ", expected filters x kept = " +
              std::to_string(int64_t(layer.filters) * kept));
  ovsf_sum_bits(layer.coeff_bits, kept);  // validates the width
  const int64_t cmin = -(int64_t{1} << (layer.coeff_bits - 1)), cmax = (int64_t{1} << (layer.coeff_bits - 1)) - 1;
  for (int32_t c : layer.coeffs)
    require(c >= cmin && c <= cmax,
            "coefficient " + std::to_string(c) + " outside the " + std::to_string(layer.coeff_bits) + "-bit range");

  std::vector<int32_t> w(size_t(layer.filters) * size_t(layer.filter_len));
  const OvsfCodeBank bank(layer.codes.data(), kept, layer.code_length);
  for (int f = 0; f < layer.filters; ++f) {
    const int32_t* c = layer.coeffs.data() + size_t(f) * size_t(kept);
    for (int64_t j = 0; j < layer.filter_len; ++j)
      w[size_t(f) * size_t(layer.filter_len) + size_t(j)] = int32_t(bank.weight(c, int(j), weight_bits));
  }
  return w;
}


OvsfLayer synthesize_ovsf_layer(int filters, int64_t filter_len, double kept_ratio, int coeff_bits,
                                uint64_t seed) {
  require(filters >= 1, "filters " + std::to_string(filters) + " < 1");
  OvsfLayer l;
  l.filters = filters;
  l.filter_len = filter_len;
  l.code_length = ovsf_code_length(filter_len);
  l.coeff_bits = coeff_bits;
  const int kept = ovsf_kept_codes(l.code_length, kept_ratio);
  ovsf_sum_bits(coeff_bits, kept);  // validates the width

  uint64_t s = mix_seed(seed, 0x0f5f);
  auto next = [&s] { return s = mix_seed(s, 1); };
  auto uniform = [&](int64_t lo, int64_t hi) { return lo + int64_t(next() % uint64_t(hi - lo + 1)); };

  // Partial Fisher-Yates: the first `kept` of a shuffled 0 .. L-1.
  std::vector<int32_t> all(size_t(l.code_length));
  for (int k = 0; k < l.code_length; ++k) all[size_t(k)] = k;
  for (int m = 0; m < kept; ++m) std::swap(all[size_t(m)], all[size_t(uniform(m, l.code_length - 1))]);
  l.codes.assign(all.begin(), all.begin() + kept);
  std::sort(l.codes.begin(), l.codes.end());

  const int64_t cmin = -(int64_t{1} << (coeff_bits - 1)), cmax = (int64_t{1} << (coeff_bits - 1)) - 1;
  l.coeffs.resize(size_t(filters) * size_t(kept));
  for (int32_t& c : l.coeffs) c = int32_t(uniform(cmin, cmax));
  return l;
}

}  // namespace vine::golden
