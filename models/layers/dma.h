// The DMAs at the ends of the pipeline: the input DMA streams frames from
// memory one beat per cycle; the output DMA takes one beat per cycle and
// stores each frame, noting when its first and last beats arrived.
//
// Their memory is ideal (`dma_memory: ideal`, the default: it never makes
// them wait), or the board's DDR (`dma_memory: ddr`, frame_buffers.h): then
// each AXI burst (chunk) of a frame needs a grant of its DDR channel, a port
// shared with the weight streamers and granted in simulated-time order
// (models/shared/shared_port.h), and holds it for the chunk's occupancy. The
// input DMA's request rides on the first beat whose last byte the chunk
// holds, as a weight streamer's does; the output DMA's on the beat that
// completes the chunk (a one-burst buffer, frame_buffers.h).
#pragma once

#include <functional>
#include <vector>

#include "models/layers/frame_buffers.h"
#include "models/stage/stage.h"

namespace vine::models {

// A DMA's loop over one frame's beats: at which advance of the loop each
// beat moves, which beats carry a chunk's request (the input DMA's first
// beat of the chunk, the output DMA's last), and to which shared port
// (channels() order). The DMA's AXI port takes a chunk's data at the
// channel's pace: a chunk spans max(occupancy, beats) advances of the loop,
// its beats at the start (input) or, after the rest of the previous burst's
// occupancy, at the end (output), so that bursts on different channels do
// not overlap in one DMA and its cycles per frame are the closed form's
// (frame_buffers.h). With an ideal memory, beat b moves in advance b.
class FrameChunks {
 public:
  FrameChunks() = default;  // ideal memory: no requests
  FrameChunks(int64_t beats_per_frame, FrameTransfer t);
  bool in_ddr() const { return !transfer_.chunks.empty(); }
  const FrameTransfer& transfer() const { return transfer_; }
  // The DDR channels its chunks use, in the order the DMA must be made a
  // requester of their ports (add_shared_port).
  const std::vector<int>& channels() const { return channels_; }
  // Loop advances per frame.
  int64_t span() const { return span_; }
  // The iteration moving beat `beat` of frame `frame`.
  void iteration_of(int64_t frame, int64_t beat, Iteration& it) const;

 private:
  FrameTransfer transfer_;
  std::vector<int> channels_;
  int64_t beats_ = 0, span_ = 0;
  std::vector<int64_t> offset_;    // per beat: its advance within the frame
  std::vector<int32_t> port_;      // per beat: the shared port it asks, or -1
  std::vector<int64_t> occupancy_;  // per beat: the cycles a grant holds the port
};

class InputDma final : public Stage {
 public:
  // `fill(frame, elements)` writes the frame's activation codes (HWC order).
  using FrameSource = std::function<void(int frame, std::vector<int32_t>& elements)>;
  InputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSource source,
           FrameChunks memory = {});
  const char* kind() const override { return "input_dma"; }
  // Beats per frame: frame f's first beat is the beat f * words_per_frame() it writes.
  int64_t words_per_frame() const { return words_; }
  int64_t frame_span() const override { return memory_.span(); }
  const FrameChunks& memory() const { return memory_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void produce(int port, int32_t* beat) override;

 private:
  int frames_;
  int64_t words_, next_ = 0;
  FrameSource source_;
  FrameChunks memory_;
  std::vector<int32_t> frame_;
  int64_t frame_pos_ = 0;
  int loaded_ = -1;
};

class OutputDma final : public Stage {
 public:
  // `sink(frame, elements, last_beat_cycle)` receives each completed frame.
  using FrameSink = std::function<void(int frame, const std::vector<int32_t>& elements, int64_t last_cycle)>;
  OutputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSink sink,
            FrameChunks memory = {});
  const char* kind() const override { return "output_dma"; }

  // Cycle of each frame's first and last beat (filled as frames complete).
  // With DDR, the last beat's is the cycle its burst was granted.
  const std::vector<int64_t>& first_beat_cycles() const { return first_; }
  const std::vector<int64_t>& last_beat_cycles() const { return last_; }
  int frames_done() const { return int(last_.size()); }
  int64_t frame_span() const override { return memory_.span(); }
  const FrameChunks& memory() const { return memory_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void frames_skipped(int64_t frames, int period, int64_t cycles) override;
  void consume(int port, const int32_t* beat) override;

 private:
  void account_beat();
  int frames_;
  int64_t words_, next_ = 0, seen_ = 0;
  FrameSink sink_;
  FrameChunks memory_;
  std::vector<int32_t> frame_;
  std::vector<int64_t> first_, last_;
};

}  // namespace vine::models
