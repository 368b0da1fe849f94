// A range of the board's DDR that a DMA of the accelerator reads or writes
// whole, split into the AXI bursts it moves it in ("chunks"): the weight
// streams' images (models/layers/weight_stream.h) and the input and output
// DMAs' frame buffers (models/layers/frame_buffers.h) alike.
//
//   chunk      one AXI burst: the range split at every 4 KiB boundary (AXI's
//              rule), or at every interleave boundary when the channels are
//              interleaved more finely. It moves the DDR bursts it touches,
//              whole, and holds its channel for its occupancy.
//   occupancy  ceil(N x f_accel / R) accelerator cycles, N = the DDR model's
//              ceil(bytes / (W x e)) beats of its channel (docs/ddr.md).
//   items      the range holds items back to back (weight words, frame
//              beats); an item belongs to the chunk holding its last byte.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "models/memory/ddr_config.h"

namespace vine::models {

struct DdrChunk {
  uint64_t address = 0;   // first byte
  uint64_t bytes = 0;     // bytes of the range it covers
  uint64_t moved = 0;     // bytes the DDR moves for it: the bursts it touches, whole
  int channel = 0;
  int64_t occupancy = 0;  // accelerator cycles it holds its channel
  int64_t items = 0;      // items whose last byte it holds
};

// An AXI burst never crosses a 4 KiB boundary.
constexpr uint64_t kAxiBoundary = 4096;

// The most bytes one chunk can cover: 4 KiB, or the interleave block when finer.
uint64_t ddr_chunk_limit(const DdrConfig& ddr);
// The DDR's request-to-first-data latency in accelerator cycles, rounded up.
int ddr_latency_cycles(const DdrConfig& ddr, double clock_mhz);
// `items` items of `item_bytes` bytes from `base`, in chunks (item_bytes must
// be at most ddr_chunk_limit(), so that every chunk holds an item's last byte).
std::vector<DdrChunk> plan_ddr_chunks(const DdrConfig& ddr, double clock_mhz, uint64_t base, int64_t items,
                                      uint64_t item_bytes);
// Items of different sizes (bitmap weight words): item k ends `end_of(k)`
// bytes after `base`, rising with k; the range ends where the last item does.
std::vector<DdrChunk> plan_ddr_chunks(const DdrConfig& ddr, double clock_mhz, uint64_t base, int64_t items,
                                      const std::function<uint64_t(int64_t)>& end_of);

}  // namespace vine::models
