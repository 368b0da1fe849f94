// How FINN builds a stream FIFO of a given depth and width, and what it costs
// by FINN's own estimates: `vine fifo-size` reports a sizing's memory in
// these terms and writes FINN's `impl_style` with them.
//
// From FINN's sources (Xilinx/finn: transformation/fpgadataflow/
// set_fifo_depths.py, custom_op/fpgadataflow/streamingfifo.py):
// - its FIFO-sizing rule rounds a simulated peak occupancy: at most 2 -> 2,
//   at most 32 -> 32 (its shift-register FIFO costs the same below 32),
//   else unchanged;
// - a FIFO up to max_qsrl_depth (256) deep is `impl_style: rtl`, a
//   shift-register FIFO in LUTs (Q_srl); a deeper one is `impl_style:
//   vivado`, Vivado's AXI-Stream data FIFO, whose depth is a power of two;
// - LUTs: 2 * ceil(log2 depth) for the pointers, plus ceil(depth / 32) *
//   ceil(width / 2) for a shift-register (or distributed-RAM) FIFO;
// - RAMB18s of a block-RAM FIFO: by the aspect ratio its width allows,
//   ceil(depth / (16384, 8192, 4096, 2048, 1024 or 512)) times the columns.
// A Vivado FIFO's `ram_style` is FINN's default, `auto`, which FINN's
// estimate counts as no block RAM at all; here it is costed as block RAM,
// what a deep FIFO needs, so that the figure does not hide it.
#pragma once

#include <cstdint>
#include <string>

namespace vine::explore {

inline constexpr int kFinnMaxShiftRegisterDepth = 256;  // FINN's max_qsrl_depth

// FINN's rounding of a peak occupancy into a depth.
int finn_rounded_depth(int peak);

struct FinnFifo {
  std::string impl_style;  // "rtl" or "vivado"
  int64_t built_depth = 0; // the depth built: a vivado FIFO's is the next power of two
  int64_t bram18 = 0;
  int64_t lut = 0;
  int64_t bits = 0;        // width x the depth asked for
};

// How FINN builds a FIFO `width` bits wide and `depth` deep.
FinnFifo finn_fifo(int64_t width, int64_t depth);

}  // namespace vine::explore
