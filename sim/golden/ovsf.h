// OVSF-coded weights (unzipFPGA's compact weight representation): a filter,
// flattened and padded with zeros to a power-of-two length L, is the sum of a
// kept subset of the L orthogonal OVSF codes of length L, each weighted by an
// integer coefficient. This is the golden expansion the RTL weights generator
// (rtl/ovsf_generator.sv) is checked against, and the seeded synthesiser of
// coefficients and kept codes for a layer. See docs/weights-generator.md.
//
// Index order: code k of length L = 2^r is row k of the OVSF code tree,
//   C_1 = [1],  C_2N(2k) = [C_N(k) C_N(k)],  C_2N(2k+1) = [C_N(k) -C_N(k)],
// whose chip at position j is (-1)^popcount(bitrev_r(k) & j) (row bitrev_r(k)
// of the natural-order Sylvester-Hadamard matrix). Code 0 is all ones.
//
// Number format: coefficients are coeff_bits-bit two's complement integers;
// a generated weight is the exact integer sum, saturated to the layer's
// weight width when that is narrower than the sum's (ovsf_sum_bits).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/golden/ovsf_size.h"

namespace vine::golden {


// Chip j (0 <= j < L) of OVSF code k (0 <= k < L) of length L: +1 or -1.
int ovsf_chip(int code_length, int code, int j);

// The whole code k of length L.
std::vector<int> ovsf_code(int code_length, int code);

// Width of the exact sum of `kept` terms +-c, c a coeff_bits-bit two's
// complement coefficient (vine::rtl::ovsf_generator_sum_bits computes the same).
int ovsf_sum_bits(int coeff_bits, int kept);

// The widest coefficients whose sums over `kept` codes always fit weight_bits
// exactly (0 if even 1-bit coefficients do not).
int ovsf_max_exact_coeff_bits(int weight_bits, int kept);

// v clamped to the weight_bits-bit two's complement range.
int64_t ovsf_saturate(int64_t v, int weight_bits);

// Weight j of a filter: sat_{weight_bits}(sum_m chip(codes[m], j) * coeffs[m]).
int64_t ovsf_weight(const int32_t* coeffs, const int32_t* codes, int kept, int code_length, int j,
                    int weight_bits);

// A layer's kept codes made ready for generating many weights: each code's
// bit-reversed index is computed once, so that a chip is the parity of one
// AND (ovsf_chip's definition without its per-call checks and loops).
// weight() equals ovsf_weight() for the same arguments (tests/golden/
// test_ovsf.cpp); ovsf_expand_layer and the compute engine's generator model
// use it because ResNet-50's layers take billions of chips.
class OvsfCodeBank {
 public:
  // Throws std::invalid_argument unless code_length is a power of two and
  // every code lies in [0, code_length).
  OvsfCodeBank(const int32_t* codes, int kept, int code_length);
  int64_t weight(const int32_t* coeffs, int j, int weight_bits) const;
  int kept() const { return int(reversed_.size()); }

 private:
  std::vector<uint32_t> reversed_;
  int code_length_ = 0;
};

// A layer's OVSF representation. The kept codes are shared by every filter of
// the layer (the generator's code inputs are a per-layer setting); the
// coefficients are per filter.
struct OvsfLayer {
  int filters = 0;
  int64_t filter_len = 0;  // K * K * Cin (or the fc row length), before padding
  int code_length = 0;     // L = ovsf_code_length(filter_len)
  int coeff_bits = 0;
  std::vector<int32_t> codes;   // kept code indices, ascending, distinct, in [0, L)
  std::vector<int32_t> coeffs;  // [filter][kept]
  int kept() const { return static_cast<int>(codes.size()); }
};

// The dense integer weights, [filter][filter_len] (the padded positions
// j >= filter_len are dropped). A filter is flattened in the order of the
// golden weight layout: [kh][kw][ic] for a convolution, the input order for a
// fully connected layer. Throws std::invalid_argument on an inconsistent layer.
std::vector<int32_t> ovsf_expand_layer(const OvsfLayer& layer, int weight_bits);


// Deterministic (own splitmix64 stream, no std distributions): the kept codes
// are a uniformly drawn subset of ovsf_kept_codes(L, ratio) codes, sorted; the
// coefficients are uniform over the coeff_bits-bit two's complement range.
// Throws std::invalid_argument naming the bad argument.
OvsfLayer synthesize_ovsf_layer(int filters, int64_t filter_len, double kept_ratio, int coeff_bits,
                                uint64_t seed);

}  // namespace vine::golden
