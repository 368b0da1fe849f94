#include "models/memory/ddr_chunks.h"

#include <algorithm>
#include <cmath>

#include "models/memory/ddr_timing.h"

namespace vine::models {

namespace {

// `ddr_beats` beats of the DDR clock in accelerator cycles, rounded up.
int64_t accelerator_cycles(uint64_t ddr_beats, double transfer_rate_mts, double clock_mhz) {
  const long double c = (long double)ddr_beats * clock_mhz / transfer_rate_mts;
  return std::max<int64_t>(1, int64_t(std::ceil(c - 1e-9L)));
}

}  // namespace

uint64_t ddr_chunk_limit(const DdrConfig& ddr) {
  return ddr.interleave_bytes ? std::min<uint64_t>(kAxiBoundary, ddr.interleave_bytes) : kAxiBoundary;
}

int ddr_latency_cycles(const DdrConfig& ddr, double clock_mhz) {
  return int(std::ceil(ddr.latency_ns * clock_mhz / 1000.0 - 1e-9));
}

std::vector<DdrChunk> plan_ddr_chunks(const DdrConfig& ddr, double clock_mhz, uint64_t base, int64_t items,
                                      uint64_t item_bytes) {
  return plan_ddr_chunks(ddr, clock_mhz, base, items, [item_bytes](int64_t k) { return uint64_t(k + 1) * item_bytes; });
}

std::vector<DdrChunk> plan_ddr_chunks(const DdrConfig& ddr, double clock_mhz, uint64_t base, int64_t items,
                                      const std::function<uint64_t(int64_t)>& end_of) {
  const uint64_t boundary = ddr_chunk_limit(ddr);
  DdrTiming timing(ddr);
  std::vector<DdrChunk> chunks;
  const uint64_t end = base + (items > 0 ? end_of(items - 1) : 0);
  for (uint64_t a = base; a < end;) {
    DdrChunk c;
    c.address = a;
    c.bytes = std::min(end, a - a % boundary + boundary) - a;
    const auto per_channel = timing.channel_bytes(a, c.bytes);
    c.channel = timing.channel_of(a);
    c.moved = per_channel[size_t(c.channel)];
    c.occupancy = accelerator_cycles(timing.occupancy_cycles(c.moved), ddr.transfer_rate_mts, clock_mhz);
    chunks.push_back(c);
    a += c.bytes;
  }
  // Item k's last byte decides its chunk.
  size_t j = 0;
  for (int64_t k = 0; k < items; ++k) {
    const uint64_t last = base + end_of(k) - 1;
    while (last >= chunks[j].address + chunks[j].bytes) ++j;
    ++chunks[j].items;
  }
  return chunks;
}

}  // namespace vine::models
