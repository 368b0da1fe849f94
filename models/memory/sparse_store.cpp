#include "models/memory/sparse_store.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace vine::models {

namespace {
constexpr uint8_t kEnabled = 0xff;  // tlm::TLM_BYTE_ENABLED, without the TLM headers here
}  // namespace

SparseStore::SparseStore(uint64_t capacity, uint64_t page_bytes)
    : capacity_(capacity), page_bytes_(page_bytes) {
  if (page_bytes == 0 || (page_bytes & (page_bytes - 1)) != 0)
    throw std::invalid_argument("SparseStore: page_bytes must be a power of two");
}

const uint8_t* SparseStore::find(uint64_t address) const {
  const auto it = pages_.find(address / page_bytes_);
  return it == pages_.end() ? nullptr : it->second.get();
}

uint8_t* SparseStore::page(uint64_t address) {
  auto& p = pages_[address / page_bytes_];
  if (!p) p = std::make_unique<uint8_t[]>(page_bytes_);  // value-initialised: zeros
  return p.get();
}

void SparseStore::read(uint64_t address, uint8_t* dst, uint64_t length, const uint8_t* mask,
                       uint64_t mask_length) const {
  for (uint64_t done = 0; done < length;) {
    const uint64_t a = address + done, offset = a % page_bytes_;
    const uint64_t n = std::min(length - done, page_bytes_ - offset);
    const uint8_t* p = find(a);
    if (!mask) {
      if (p)
        std::memcpy(dst + done, p + offset, n);
      else
        std::memset(dst + done, 0, n);
    } else {
      for (uint64_t i = 0; i < n; ++i)
        if (mask[(done + i) % mask_length] == kEnabled) dst[done + i] = p ? p[offset + i] : 0;
    }
    done += n;
  }
}

void SparseStore::write(uint64_t address, const uint8_t* src, uint64_t length, const uint8_t* mask,
                        uint64_t mask_length) {
  for (uint64_t done = 0; done < length;) {
    const uint64_t a = address + done, offset = a % page_bytes_;
    const uint64_t n = std::min(length - done, page_bytes_ - offset);
    uint8_t* p = page(a) + offset;
    if (!mask) {
      std::memcpy(p, src + done, n);
    } else {
      for (uint64_t i = 0; i < n; ++i)
        if (mask[(done + i) % mask_length] == kEnabled) p[i] = src[done + i];
    }
    done += n;
  }
}

}  // namespace vine::models
