#include "sim/explore/finn_fifo_style.h"

namespace vine::explore {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t ceil_log2(int64_t v) {
  int64_t bits = 0;
  while ((int64_t{1} << bits) < v) ++bits;
  return bits;
}

// RAMB18s of a block-RAM FIFO, as FINN's StreamingFIFO estimates them.
int64_t block_ram18(int64_t width, int64_t depth) {
  if (width == 1) return ceil_div(depth, 16384);
  if (width == 2) return ceil_div(depth, 8192);
  if (width <= 4) return ceil_div(depth, 4096) * ceil_div(width, 4);
  if (width <= 9) return ceil_div(depth, 2048) * ceil_div(width, 9);
  if (width <= 18 || depth > 512) return ceil_div(depth, 1024) * ceil_div(width, 18);
  return ceil_div(depth, 512) * ceil_div(width, 36);
}

}  // namespace

int finn_rounded_depth(int peak) {
  if (peak <= 2) return 2;
  if (peak <= 32) return 32;
  return peak;
}

FinnFifo finn_fifo(int64_t width, int64_t depth) {
  FinnFifo f;
  f.bits = width * depth;
  if (depth <= kFinnMaxShiftRegisterDepth) {
    f.impl_style = "rtl";
    f.built_depth = depth;
    f.lut = 2 * ceil_log2(depth) + ceil_div(depth, 32) * ceil_div(width, 2);
  } else {
    f.impl_style = "vivado";
    f.built_depth = int64_t{1} << ceil_log2(depth);
    f.lut = 2 * ceil_log2(f.built_depth);
    f.bram18 = block_ram18(width, f.built_depth);
  }
  return f;
}

}  // namespace vine::explore
