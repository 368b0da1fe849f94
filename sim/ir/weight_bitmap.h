// Pruned weights and the bitmap format that leaves them out (docs/sparsity.md).
//
// Which weights are pruned is a property of the network: a synthesised
// layer with `weight_sparsity: s` prunes weight i (row-major in its MH x MW
// matrix) when a hash of the layer's name and i falls below s x 2^64, so the
// pattern is the same whatever the run's seed and can be known without
// drawing a single weight; a layer whose weights come from a file prunes its
// zeros. Pruned weights hold their arithmetic's zero.
//
// A design stores a layer's weights `dense` (every weight, as FINN does) or
// as `bitmap` words: the weight words the MVAU (VVAU) reads, PE x SIMD (PE)
// weights each, in its loop's order, each word as
//
//   bits 0 .. E-1      the bitmap: bit e set when element e is stored
//   then               the stored elements in element order, Wmax bits each
//                      (two's complement for fixed weights, the code
//                      otherwise; Wmax = the layer's widest weight)
//
// and the words packed back to back, bit after bit (bit i of the image is
// bit i % 8 of byte i / 8), with no padding between them: a word of E = 2
// ternary weights, one of them pruned, takes 4 bits, as dense. The decoder
// brings each word to bit 0 and rebuilds the dense word, a pruned element as
// its channel's zero code, one word per cycle.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/ir/design.h"

namespace vine::ir {

bool weight_pruned(const Layer& l, int64_t index);

// The weight words of a layer folded PE x SIMD, in its compute stage's loop
// order: MVAU word (nf, sf) holds rows nf*PE .. +PE-1 at columns
// sf*SIMD .. +SIMD-1 (element p*SIMD + s); VVAU word (nf, k) holds
// channels nf*PE .. +PE-1 at kernel position k (element p).
struct WeightWords {
  int elements = 0;  // weights per word
  int64_t words = 0;  // per pass
  int64_t index(int64_t word, int element) const;  // the weight's place in the MH x MW matrix

  WeightWords(const Layer& l, int pe, int simd);

 private:
  bool depthwise_;
  int pe_, simd_;
  int64_t mw_;
};

// One pass of a layer's weights in the bitmap format: where each word ends.
struct BitmapImage {
  int elements = 0;
  int value_bits = 0;               // Wmax
  std::vector<uint64_t> word_end;   // bit offset past word k
  int max_stored = 0;               // the most elements any word stores
  int max_word_bits = 0;
  int64_t stored = 0;               // elements stored, over the pass
  uint64_t bits() const { return word_end.empty() ? 0 : word_end.back(); }
  uint64_t bytes() const { return (bits() + 7) / 8; }
  uint64_t word_begin(int64_t k) const { return k == 0 ? 0 : word_end[size_t(k - 1)]; }
};

// The layout of layer `l`'s weights folded as `f` in the bitmap format (the
// pruning pattern alone decides it).
BitmapImage bitmap_image(const Layer& l, const LayerFolding& f);

// Encodes one pass of dense word codes (words x elements, in WeightWords'
// order) into the bitmap format; `image` must be bitmap_image's for the same
// layer and folding. A pruned weight whose code is not its zero is a
// logic_error: the weights are not the network's.
std::vector<uint8_t> encode_bitmap_words(const Layer& l, const LayerFolding& f, const BitmapImage& image,
                                         const std::vector<int32_t>& word_codes);
// Decodes word `k` of an encoded pass into `elements` codes.
void decode_bitmap_word(const Layer& l, const LayerFolding& f, const BitmapImage& image,
                        const std::vector<uint8_t>& bytes, int64_t k, int32_t* codes);

// The code of a zero weight in `w`'s arithmetic (binary has none: -1).
int32_t zero_weight_code(const WeightType& w);
// Whether every weight type of the layer has a zero to prune to.
bool prunable(const Layer& l);

}  // namespace vine::ir
