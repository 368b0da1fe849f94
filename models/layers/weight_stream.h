// A layer's weights streamed from the board's DDR (`weight_memory: ddr`), as
// FINN's external weight mode streams them: the MVAU (VVAU) reads one weight
// word of PE x SIMD (PE) weights with every iteration of its loop, so the
// whole weight matrix passes once per input vector (per output pixel). This
// file is the stream's geometry and its closed-form timing, which the weight
// streamer's model, its stage kind and the estimate all read (docs/ddr-weights.md).
//
//   word       PE x SIMD x Wmax bits (Wmax: the widest channel group), padded
//              to whole bytes, packed back to back in DDR; with
//              `weight_compression: bitmap`, each word in the bitmap format
//              (sim/ir/weight_bitmap.h), its bytes set by the pruned weights;
//   pass       the words of the whole matrix in the loop's order, read once
//              per vector (`passes_per_frame` = output pixels) in FINN's
//              order, or once per tile of a row or frame schedule
//              (tiled_mvau.h): output rows, or 1;
//   image      a pass's bytes in DDR: the layers' images follow one another
//              from address 0 in layer order, each 4 KiB aligned;
//   chunk      one AXI read burst: a pass's bytes split at every 4 KiB
//              boundary (AXI's rule), or at every interleave boundary when the
//              channels are interleaved more finely. A chunk moves whole DDR
//              bursts and holds its channel for its occupancy.
//   occupancy  ceil(N x f_accel / R) accelerator cycles, N = the DDR model's
//              ceil(bytes / (W x e)) beats of its channel (docs/ddr.md).
//
// A word is requested with the chunk that holds its last byte.
#pragma once

#include <cstdint>
#include <vector>

#include "models/memory/ddr_chunks.h"
#include "sim/ir/design.h"

namespace vine::models {

// A chunk of the image (models/memory/ddr_chunks.h); its items are the
// weight words whose last byte it holds (their request rides on the first).
using WeightChunk = DdrChunk;

struct WeightStream {
  int layer = -1;
  int word_bits = 0;   // PE x SIMD x Wmax
  int word_bytes = 0;  // padded to whole bytes
  int elements = 0;    // weights per word (PE x SIMD)
  int64_t words_per_pass = 0;
  int64_t passes_per_frame = 0;
  uint64_t base = 0;  // the image's first byte
  // Bitmap-compressed words: where each ends in the image, in bits (they
  // are packed bit after bit); empty for dense words, which end every
  // word_bytes (for bitmap words, the most bytes one word touches).
  std::vector<uint64_t> word_end;
  int latency_cycles = 0;  // request to first data, in accelerator cycles (the DDR's latency, rounded up)
  std::vector<WeightChunk> chunks;  // one pass, in order

  int64_t words_per_frame() const { return words_per_pass * passes_per_frame; }
  uint64_t image_bytes() const {
    return word_end.empty() ? uint64_t(words_per_pass) * uint64_t(word_bytes) : (word_end.back() + 7) / 8;
  }
  // Bytes the DDR moves per frame (whole bursts).
  uint64_t ddr_bytes_per_frame() const;
  // Cycles per frame of the stream alone, never back-pressured and its
  // channel otherwise idle: a chunk's words leave one per cycle from its
  // grant, the next chunk is granted once both its channel is free and the
  // words before it have left, so each chunk takes max(occupancy, words).
  int64_t cycles_per_frame() const;
  // Accelerator cycles per frame the stream holds DDR channel `c`.
  int64_t channel_cycles_per_frame(int c) const;
};

// The weight streams of every layer whose weights are in DDR, in layer order
// (the order of their images). Throws ConfigError when the device has no DDR,
// a word is wider than a chunk, or the images do not fit the DDR.
std::vector<WeightStream> plan_weight_streams(const ir::Design& d);
// Layer `layer`'s (it must have weight_memory ddr).
WeightStream plan_weight_stream(const ir::Design& d, int layer);

// Per DDR channel, the accelerator cycles per frame its weight streams hold it.
std::vector<int64_t> ddr_channel_cycles_per_frame(const ir::Design& d, const std::vector<WeightStream>& streams);

}  // namespace vine::models
