#include "models/memory/ddr_timing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vine::models {

using sc_core::sc_time;

DdrTiming::DdrTiming(const DdrConfig& config)
    : config_(config),
      efficiency_ppm_(uint64_t(std::llround(config.efficiency * 1e6))),
      latency_(config.latency_ns, sc_core::SC_NS),
      busy_until_(size_t(std::max(config.channels, 1)), sc_core::SC_ZERO_TIME),
      channel_busy_(busy_until_.size(), sc_core::SC_ZERO_TIME) {
  if (const std::string e = config.check(); !e.empty())
    throw std::invalid_argument("DDR config: " + e);
}

int DdrTiming::channel_of(uint64_t address) const {
  if (config_.interleave_bytes == 0) return int(address / config_.channel_capacity);
  return int((address / config_.interleave_bytes) % uint64_t(config_.channels));
}

std::vector<uint64_t> DdrTiming::channel_bytes(uint64_t address, uint64_t length) const {
  std::vector<uint64_t> bytes(busy_until_.size(), 0);
  if (length == 0) return bytes;
  const uint64_t burst = uint64_t(config_.burst_bytes);
  // The pieces of the transaction that lie in one channel's block: the whole
  // channel when contiguous, one interleave block otherwise. Blocks are whole
  // bursts (check()), so no burst spans two pieces.
  const uint64_t block =
      config_.interleave_bytes == 0 ? config_.channel_capacity : config_.interleave_bytes;
  const uint64_t end = address + length;
  for (uint64_t a = address; a < end;) {
    const uint64_t block_start = a - a % block;
    const uint64_t piece_end = std::min(end, block_start + block);
    // Bursts are aligned within the block (a contiguous channel's bursts
    // start at its base, whatever the capacity).
    const uint64_t first = (a - block_start) / burst, last = (piece_end - 1 - block_start) / burst;
    bytes[size_t(channel_of(a))] += (last - first + 1) * burst;
    a = piece_end;
  }
  return bytes;
}

uint64_t DdrTiming::occupancy_cycles(uint64_t bytes) const {
  // ceil(bytes / (data_bytes x efficiency)) with efficiency = ppm / 10^6, in
  // integers so that a transfer that exactly fills its cycles is not rounded up.
  using u128 = unsigned __int128;
  const u128 num = u128(bytes) * 1000000u;
  const u128 den = u128(uint64_t(config_.data_bytes)) * efficiency_ppm_;
  return uint64_t((num + den - 1) / den);
}

sc_time DdrTiming::cycles_time(uint64_t cycles) const {
  return sc_time(double(cycles) * 1e6 / config_.transfer_rate_mts, sc_core::SC_PS);
}

DdrTiming::Access DdrTiming::schedule(uint64_t address, uint64_t length, const sc_time& arrival) {
  Access a;
  a.completion = arrival;
  sc_time alone = arrival;
  const std::vector<uint64_t> bytes = channel_bytes(address, length);
  for (size_t c = 0; c < bytes.size(); ++c) {
    if (bytes[c] == 0) continue;
    const sc_time occupancy = cycles_time(occupancy_cycles(bytes[c]));
    const sc_time start = std::max(arrival, busy_until_[c]);
    busy_until_[c] = start + occupancy;
    channel_busy_[c] += occupancy;
    a.busy += occupancy;
    // The controller pipelines: a request's latency overlaps the transfers
    // queued before it, so back-to-back requests stream at the sustained rate.
    a.completion = std::max(a.completion, busy_until_[c] + latency_);
    alone = std::max(alone, arrival + occupancy + latency_);
  }
  a.wait = a.completion - alone;
  return a;
}

sc_time DdrTiming::uncontended(uint64_t address, uint64_t length) const {
  sc_time longest = sc_core::SC_ZERO_TIME;
  for (uint64_t b : channel_bytes(address, length))
    if (b) longest = std::max(longest, cycles_time(occupancy_cycles(b)));
  return latency_ + longest;
}

}  // namespace vine::models
