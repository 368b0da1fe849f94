// The size of a layer's OVSF representation (docs/weights-generator.md): the
// code length a filter pads to and how many codes a kept ratio keeps. Header
// only, so that the config loader (which plans the compute engine's buffers)
// reads the same figures as the golden expansion without linking it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace vine::golden {

// L for a filter of n weights: the smallest power of two >= n (n >= 1).
inline int ovsf_code_length(int64_t filter_len) {
  constexpr int64_t kMaxCodeLength = 1 << 24;  // far beyond any filter: 3x3x2048 pads to 2^15
  if (filter_len < 1 || filter_len > kMaxCodeLength)
    throw std::invalid_argument("OVSF: filter length " + std::to_string(filter_len) +
                                " outside [1, " + std::to_string(kMaxCodeLength) + "]");
  int l = 1;
  while (l < filter_len) l *= 2;
  return l;
}

// max(1, ceil(ratio * L)) codes, ratio in (0, 1].
inline int ovsf_kept_codes(int code_length, double kept_ratio) {
  if (!(kept_ratio > 0.0 && kept_ratio <= 1.0))
    throw std::invalid_argument("OVSF: kept-code ratio " + std::to_string(kept_ratio) +
                                " outside (0, 1]");
  return std::clamp(int(std::ceil(kept_ratio * code_length)), 1, code_length);
}

}  // namespace vine::golden
