// The DDR's contents: fixed-size pages allocated on first write (or when a
// DMI pointer is handed out), so a 64 GB board costs nothing until used.
// Bytes never written read as zero; reads never allocate.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace vine::models {

class SparseStore {
 public:
  // page_bytes: a power of two; also the span of one DMI grant.
  explicit SparseStore(uint64_t capacity, uint64_t page_bytes = uint64_t{1} << 20);

  uint64_t capacity() const { return capacity_; }
  uint64_t page_bytes() const { return page_bytes_; }
  uint64_t allocated_bytes() const { return pages_.size() * page_bytes_; }

  // [address, address + length) must lie inside the capacity. With an enable
  // mask, byte i moves only when mask[i % mask_length] is 0xff (TLM's byte
  // enables); a disabled byte is left as it was on both sides.
  void read(uint64_t address, uint8_t* dst, uint64_t length, const uint8_t* mask = nullptr,
            uint64_t mask_length = 0) const;
  void write(uint64_t address, const uint8_t* src, uint64_t length, const uint8_t* mask = nullptr,
             uint64_t mask_length = 0);

  // The page holding `address`, allocated if needed; its first address is
  // address rounded down to page_bytes. Stays valid for the store's life.
  uint8_t* page(uint64_t address);

 private:
  const uint8_t* find(uint64_t address) const;

  uint64_t capacity_;
  uint64_t page_bytes_;
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;  // by page index
};

}  // namespace vine::models
