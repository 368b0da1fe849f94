// The figures the DDR model is built from (docs/ddr.md): geometry, speed and
// the timing parameters, per channel. A plain value: the device config fills
// it (from_device), a test or a user's platform may write one by hand.
#pragma once

#include <cstdint>
#include <string>

#include "sim/ir/device.h"

namespace vine::models {

struct DdrConfig {
  int channels = 1;
  uint64_t channel_capacity = 0;  // bytes per channel
  int data_bytes = 8;             // bytes per DDR beat (data bus width / 8)
  double transfer_rate_mts = 0;   // beats per microsecond; one beat is one model cycle
  double latency_ns = 0;          // request to first data, uncontended
  int burst_bytes = 64;           // the DDR moves whole bursts
  double efficiency = 1.0;        // fraction of peak the channel sustains, (0, 1]
  // 0: channel c owns [c x capacity, (c + 1) x capacity) (separate memories,
  // as on Alveo and F1); otherwise consecutive blocks of this many bytes go
  // to consecutive channels.
  uint64_t interleave_bytes = 0;

  uint64_t capacity() const { return uint64_t(channels) * channel_capacity; }
  double peak_gbytes_per_s() const { return data_bytes * transfer_rate_mts / 1000.0; }

  // Empty when the figures are usable, else what is wrong with them.
  std::string check() const;

  // The device config's DDR; the device must have at least one channel.
  static DdrConfig from_device(const ir::Device& d);
};

}  // namespace vine::models
