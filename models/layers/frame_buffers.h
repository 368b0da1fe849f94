// The input and output DMAs' frames in the board's DDR (`dma_memory: ddr`):
// where the frame buffers lie and how the DMAs move them, in AXI bursts on
// the channels the weight streams share (models/memory/ddr_chunks.h). The
// DMAs' models, their stage kinds, the estimate and the run's report all
// read this file (docs/ddr-weights.md, "Frames in DDR").
//
//   beat     the DMA's stream width rounded up to whole bytes, packed back to
//            back: a frame as `vine reference --write-inputs` writes it
//            (docs/data.md, raw frames);
//   buffers  two input and two output frame buffers, in that order, after the
//            weight images, used alternately (frame f in buffer f mod 2) as a
//            double-buffering driver uses them: the host fills (empties) one
//            while the accelerator reads (writes) the other. Each starts on a
//            4 KiB boundary that is also a multiple of the interleave period
//            (channels x interleave bytes) when the channels are interleaved,
//            and a DMA's two buffers lie in one channel's range when they are
//            not: so both buffers split into the same chunks on the same
//            channels, and every frame costs the same.
//   input    beat k is requested with the chunk that holds its last byte, as
//            a weight word is; the DMA's pipeline depth is the DDR's latency.
//   output   a write burst is issued when its last beat arrives: the DMA
//            gathers a chunk's beats in a one-burst buffer, and the iteration
//            that reads the chunk's last beat asks for the channel, holding it
//            for the chunk's occupancy once granted. Until the grant, no
//            further beat is read; after it, the next burst's beats gather
//            while the channel writes this one.
#pragma once

#include <cstdint>
#include <vector>

#include "models/memory/ddr_chunks.h"
#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine::models {

// One DMA's frames in DDR.
struct FrameTransfer {
  bool write = false;  // the output DMA's (writes to DDR); else the input DMA's (reads)
  int beat_bits = 0;   // the DMA's stream width
  int beat_bytes = 0;  // padded to whole bytes
  int64_t beats_per_frame = 0;
  std::vector<uint64_t> buffers;  // each frame buffer's first byte; frame f uses buffers[f % size]
  std::vector<DdrChunk> chunks;   // one frame's, in buffer 0 (every buffer's are alike: same sizes, same channels)
  int latency_cycles = 0;         // the DDR's latency in accelerator cycles (the input DMA's pipeline depth)

  uint64_t frame_bytes() const { return uint64_t(beats_per_frame) * uint64_t(beat_bytes); }
  // Bytes the DDR moves per frame (whole bursts).
  uint64_t ddr_bytes_per_frame() const;
  // Cycles per frame of the DMA alone, its channel otherwise idle and its
  // stream never waiting. The input DMA: a chunk's beats leave one per cycle
  // from its grant and the next chunk is granted once its channel is free
  // and the beats before it have left, so each chunk takes max(occupancy,
  // beats), as a weight stream's does. The output DMA asks at a chunk's last
  // beat: between two grants lie the later chunk's beats and the earlier
  // chunk's occupancy, so each chunk takes max(its beats, the occupancy of
  // the chunk before it), the frame's first chunk following the previous
  // frame's last.
  int64_t cycles_per_frame() const;
  // Accelerator cycles per frame the DMA holds DDR channel `c`.
  int64_t channel_cycles_per_frame(int c) const;
  // The DDR channels its chunks use, in order of first use.
  std::vector<int> channels() const;
};

struct FrameBuffers {
  FrameTransfer input, output;
  uint64_t end = 0;  // the byte after the last buffer
};

constexpr int kFrameBuffersPerDma = 2;

// The DMAs' frame buffers after the weight images, for an input DMA that
// reads `in_beats` beats of `in_bits` per frame and an output DMA that writes
// `out_beats` of `out_bits` (their stage plans' stream widths and beats).
// Throws ConfigError, at the design's `dma_memory` field, when the device has
// no DDR, a beat is wider than a chunk or the buffers do not fit the DDR.
FrameBuffers plan_frame_buffers(const ir::Design& d, int in_bits, int64_t in_beats, int out_bits,
                                int64_t out_beats);
// The same for a network's plan (its first and last stages are the DMAs).
FrameBuffers plan_frame_buffers(const ir::Design& d, const ir::StreamingPlan& plan);
// One DMA's transfer with its buffers from `base` (already aligned), checks
// of the layout aside: its cycles per frame and latency, which do not depend
// on where the buffers lie.
FrameTransfer plan_frame_transfer(const ir::Design& d, bool write, int bits, int64_t beats, uint64_t base);

}  // namespace vine::models
