#include "models/memory/ddr_config.h"

#include <stdexcept>

namespace vine::models {

namespace {
bool is_pow2(uint64_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}
}  // namespace

std::string DdrConfig::check() const {
  if (channels < 1) return "channels must be at least 1";
  if (channel_capacity == 0) return "channel_capacity must be positive";
  if (data_bytes < 1) return "data_bytes must be positive";
  if (!(transfer_rate_mts > 0)) return "transfer_rate_mts must be positive";
  if (!(latency_ns >= 0)) return "latency_ns must not be negative";
  if (burst_bytes < data_bytes || burst_bytes % data_bytes != 0)
    return "burst_bytes must be a whole number of beats";
  // Below one part per million the integer occupancy arithmetic has no resolution left.
  if (!(efficiency >= 1e-6 && efficiency <= 1)) return "efficiency must be in [1e-6, 1]";
  if (interleave_bytes != 0 &&
      (!is_pow2(interleave_bytes) || interleave_bytes % uint64_t(burst_bytes) != 0))
    return "interleave_bytes must be 0 or a power of two that is a whole number of bursts";
  return "";
}

DdrConfig DdrConfig::from_device(const ir::Device& d) {
  if (d.ddr_channels < 1)
    throw std::invalid_argument("device " + d.name + " has no DDR (ddr.channels is 0)");
  DdrConfig c;
  c.channels = d.ddr_channels;
  c.channel_capacity = uint64_t(d.ddr_capacity_mbytes) << 20;
  c.data_bytes = d.ddr_data_bits / 8;
  c.transfer_rate_mts = d.ddr_transfer_rate_mts;
  c.latency_ns = d.ddr_latency_ns;
  c.burst_bytes = d.ddr_burst_bytes;
  c.efficiency = d.ddr_efficiency;
  c.interleave_bytes = uint64_t(d.ddr_interleave_bytes);
  return c;
}

}  // namespace vine::models
