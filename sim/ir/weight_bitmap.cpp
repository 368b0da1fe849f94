#include "sim/ir/weight_bitmap.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/arith/weight_code.h"

namespace vine::ir {

namespace {

// splitmix64's finaliser: the pruning hash.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t name_hash(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Bits [at, at + n) of `bytes`, LSB first.
uint64_t read_bits(const std::vector<uint8_t>& bytes, uint64_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i, ++at) v |= uint64_t((bytes[size_t(at / 8)] >> (at % 8)) & 1u) << i;
  return v;
}

void write_bits(std::vector<uint8_t>& bytes, uint64_t at, int n, uint64_t v) {
  for (int i = 0; i < n; ++i, ++at)
    if ((v >> i) & 1u) bytes[size_t(at / 8)] |= uint8_t(1u << (at % 8));
}

const WeightType& type_of(const Layer& l, int64_t index) {
  return l.weight_type_of_channel(int(index / l.matrix_width()));
}

}  // namespace

bool weight_pruned(const Layer& l, int64_t index) {
  if (l.weights_file) return l.weights_file->values[size_t(index)] == 0;
  if (l.weight_sparsity <= 0) return false;
  // s x 2^64 as the threshold; s < 1, so it fits.
  const uint64_t threshold = uint64_t(std::ldexp((long double)l.weight_sparsity, 64));
  return mix(name_hash(l.name) + 0x9e3779b97f4a7c15ull * uint64_t(index + 1)) < threshold;
}

int32_t zero_weight_code(const WeightType& w) {
  const auto c = arith::weight_code(w.arithmetic, 0, w.bits, w.exponent_bits);
  return c ? *c : -1;
}

bool prunable(const Layer& l) {
  if (l.weights && zero_weight_code(*l.weights) < 0) return false;
  for (const auto& g : l.channel_groups)
    if (zero_weight_code(g.weights) < 0) return false;
  return true;
}

WeightWords::WeightWords(const Layer& l, int pe, int simd)
    : depthwise_(l.kind == LayerKind::kDwConv), pe_(pe), simd_(depthwise_ ? 1 : simd), mw_(l.matrix_width()) {
  elements = pe_ * simd_;
  words = l.matrix_height() * mw_ / elements;
}

int64_t WeightWords::index(int64_t word, int element) const {
  if (depthwise_) return ((word / mw_) * pe_ + element) * mw_ + word % mw_;
  const int64_t sf_count = mw_ / simd_;
  const int64_t nf = word / sf_count, sf = word % sf_count;
  const int p = element / simd_, s = element % simd_;
  return (nf * pe_ + p) * mw_ + sf * simd_ + s;
}

BitmapImage bitmap_image(const Layer& l, const LayerFolding& f) {
  const WeightWords ww(l, f.pe, f.simd);
  BitmapImage img;
  img.elements = ww.elements;
  img.value_bits = l.max_weight_bits();
  img.word_end.reserve(size_t(ww.words));
  uint64_t end = 0;
  for (int64_t k = 0; k < ww.words; ++k) {
    int stored = 0;
    for (int e = 0; e < ww.elements; ++e) stored += !weight_pruned(l, ww.index(k, e));
    const int bits = ww.elements + stored * img.value_bits;
    end += uint64_t(bits);
    img.word_end.push_back(end);
    img.max_stored = std::max(img.max_stored, stored);
    img.max_word_bits = std::max(img.max_word_bits, bits);
    img.stored += stored;
  }
  return img;
}

std::vector<uint8_t> encode_bitmap_words(const Layer& l, const LayerFolding& f, const BitmapImage& image,
                                         const std::vector<int32_t>& word_codes) {
  const WeightWords ww(l, f.pe, f.simd);
  std::vector<uint8_t> out(size_t(image.bytes()), 0);
  const uint64_t mask = (uint64_t{1} << image.value_bits) - 1;
  for (int64_t k = 0; k < ww.words; ++k) {
    const uint64_t at = image.word_begin(k);
    uint64_t value_at = at + uint64_t(ww.elements);
    for (int e = 0; e < ww.elements; ++e) {
      const int64_t index = ww.index(k, e);
      const int32_t code = word_codes[size_t(k * ww.elements + e)];
      if (weight_pruned(l, index)) {
        if (code != zero_weight_code(type_of(l, index)))
          throw std::logic_error("layer " + l.name + ": pruned weight " + std::to_string(index) + " has code " +
                                 std::to_string(code) + ", not its zero");
        continue;
      }
      write_bits(out, at + uint64_t(e), 1, 1);
      write_bits(out, value_at, image.value_bits, uint64_t(int64_t(code)) & mask);
      value_at += uint64_t(image.value_bits);
    }
  }
  return out;
}

void decode_bitmap_word(const Layer& l, const LayerFolding& f, const BitmapImage& image,
                        const std::vector<uint8_t>& bytes, int64_t k, int32_t* codes) {
  const WeightWords ww(l, f.pe, f.simd);
  const uint64_t at = image.word_begin(k);
  uint64_t value_at = at + uint64_t(ww.elements);
  const int n = image.value_bits;
  for (int e = 0; e < ww.elements; ++e) {
    const WeightType& w = type_of(l, ww.index(k, e));
    if (!read_bits(bytes, at + uint64_t(e), 1)) {
      codes[e] = zero_weight_code(w);
      continue;
    }
    const uint64_t v = read_bits(bytes, value_at, n);
    value_at += uint64_t(n);
    // Fixed weights are stored in two's complement: sign-extend from Wmax.
    const bool negative = w.arithmetic == WeightArithmetic::kFixed && ((v >> (n - 1)) & 1u);
    codes[e] = int32_t(negative ? int64_t(v) - (int64_t{1} << n) : int64_t(v));
  }
}

}  // namespace vine::ir
