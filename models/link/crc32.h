// CRC-32 as Ethernet and Aurora's framing mode use it (IEEE 802.3: the
// reflected polynomial 0xEDB88320, initial value and final XOR all ones),
// over 64-bit words taken least significant byte first.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace vine::models {

class Crc32 {
 public:
  void add(uint64_t word) {
    for (int b = 0; b < 8; ++b) crc_ = table()[(crc_ ^ (word >> (8 * b))) & 0xff] ^ (crc_ >> 8);
  }
  void add(const uint64_t* words, size_t n) {
    for (size_t i = 0; i < n; ++i) add(words[i]);
  }
  uint32_t value() const { return ~crc_; }

 private:
  static const std::array<uint32_t, 256>& table() {
    static const std::array<uint32_t, 256> t = [] {
      std::array<uint32_t, 256> r{};
      for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        r[i] = c;
      }
      return r;
    }();
    return t;
  }
  uint32_t crc_ = 0xFFFFFFFFu;
};

}  // namespace vine::models
