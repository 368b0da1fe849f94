// How a stream's beats lie in memory: the layout the DMAs read and write and
// the driver packs and unpacks (docs/driver.md, "Buffers").
//
// A frame is its beats in stream order; a beat is `beat_bytes` bytes, the
// beat's bits rounded up to whole bytes; element e of a beat occupies bits
// [e x elem_bits, (e + 1) x elem_bits) of the beat read as one little-endian
// integer (element 0 in the low bits), as FINN's packed AXI-Stream words are.
// An element is the low elem_bits of its code; signed codes are
// sign-extended when unpacked.
#pragma once

#include <cstdint>

namespace vine::models {

struct BeatFormat {
  int lanes = 1;      // elements per beat
  int elem_bits = 8;  // bits per element
  bool is_signed = false;

  int beat_bytes() const { return (lanes * elem_bits + 7) / 8; }

  void pack(const int32_t* elements, uint8_t* bytes) const {
    const int n = beat_bytes();
    for (int i = 0; i < n; ++i) bytes[i] = 0;
    const uint64_t mask = elem_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << elem_bits) - 1;
    int64_t bit = 0;
    for (int e = 0; e < lanes; ++e, bit += elem_bits) {
      const uint64_t v = uint64_t(int64_t(elements[e])) & mask;
      for (int b = 0; b < elem_bits; ++b)
        if (v >> b & 1) bytes[(bit + b) >> 3] |= uint8_t(1u << ((bit + b) & 7));
    }
  }

  void unpack(const uint8_t* bytes, int32_t* elements) const {
    int64_t bit = 0;
    for (int e = 0; e < lanes; ++e, bit += elem_bits) {
      uint64_t v = 0;
      for (int b = 0; b < elem_bits; ++b)
        v |= uint64_t(bytes[(bit + b) >> 3] >> ((bit + b) & 7) & 1) << b;
      if (is_signed && elem_bits < 64 && (v >> (elem_bits - 1) & 1)) v |= ~uint64_t{0} << elem_bits;
      elements[e] = int32_t(int64_t(v));
    }
  }
};

}  // namespace vine::models
