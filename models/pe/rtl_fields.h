// Fields packed into a Verilated unit's wide ports: a code's low bits, and a
// field ORed into an array of 32-bit port words at a given bit (the layout
// Verilator gives a port wider than 64 bits, word 0 holding bits 0 to 31).
#pragma once

#include <cstddef>
#include <cstdint>

namespace vine::models {

// The low `bits` of `v` (all of it at 64 bits or more).
inline uint64_t low_bits(int64_t v, int bits) {
  return uint64_t(v) & (bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1);
}

// ORs the field `v` (no bits set at or above `bits`) into `words` at bit
// `lsb`: a word's share at a time, the field's straddling part into the next
// word(s).
inline void put_field(uint32_t* words, int64_t lsb, int bits, uint64_t v) {
  size_t w = size_t(lsb >> 5);
  const int off = int(lsb & 31);
  words[w] |= uint32_t(v << off);
  for (int done = 32 - off; done < bits; done += 32) words[++w] |= uint32_t(v >> done);
}

}  // namespace vine::models
