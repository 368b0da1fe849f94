// An FPGA device and its board: resources, clock, off-chip memory, links.
#pragma once

#include <cstdint>
#include <string>

#include "sim/ir/source_location.h"

namespace vine::ir {

struct Resources {
  double lut = 0, ff = 0, bram18 = 0, uram = 0, dsp = 0;
  Resources& operator+=(const Resources& o) {
    lut += o.lut; ff += o.ff; bram18 += o.bram18; uram += o.uram; dsp += o.dsp;
    return *this;
  }
};

struct Device {
  std::string name;   // e.g. pynq-z1
  std::string part;   // e.g. xc7z020clg400-1
  std::string board;
  std::string family;  // zynq7, zynqmp, virtexup, alveo, virtex7
  std::string path;
  Resources capacity;     // BRAM counted as RAMB18 (two per BRAM36)
  double max_clock_mhz = 0;  // fabric clock the board's reference designs use
  int ddr_channels = 0;
  double ddr_bandwidth_gbps_per_channel = 0;  // GB/s, peak
  // The DDR timing model's figures (docs/ddr.md), per channel; meaningful
  // only when ddr_channels > 0. Peak bandwidth = data_bits / 8 x transfer rate.
  int ddr_data_bits = 0;                // data bits per beat (ECC bits excluded)
  double ddr_transfer_rate_mts = 0;     // beats per microsecond (MT/s)
  int64_t ddr_capacity_mbytes = 0;      // MiB (2^20 bytes)
  double ddr_latency_ns = 0;            // request to first data, uncontended
  int ddr_burst_bytes = 0;              // bytes per DDR burst (BL x data bytes)
  double ddr_efficiency = 0;            // fraction of peak bandwidth achievable, (0, 1]
  int64_t ddr_interleave_bytes = 0;     // 0: each channel owns a contiguous range
  int transceivers = 0;
  double transceiver_gbps = 0;  // line rate per lane, Gb/s
};

}  // namespace vine::ir
