#include "models/layers/frame_buffers.h"

#include <algorithm>
#include <numeric>

#include "models/layers/weight_stream.h"
#include "sim/config/config_error.h"

namespace vine::models {

namespace {

ir::SourceLocation where_of(const ir::Design& d) {
  if (!d.dma_memory_where.file.empty()) return d.dma_memory_where;
  return {d.path, 0, 0, "dma_memory"};
}

DdrConfig ddr_of(const ir::Design& d) {
  if (d.device.ddr_channels < 1)
    throw config::ConfigError(where_of(d), "'ddr'",
                              "'ideal': device " + d.device.name + " has no DDR (its config has no ddr: section)");
  return DdrConfig::from_device(d.device);
}

uint64_t align_up(uint64_t a, uint64_t to) { return (a + to - 1) / to * to; }

// Every buffer starts at a multiple of this: 4 KiB, and the interleave
// period when the channels are interleaved, so that all buffers map onto the
// channels alike.
uint64_t buffer_alignment(const DdrConfig& ddr) {
  if (!ddr.interleave_bytes) return kAxiBoundary;
  return std::lcm(kAxiBoundary, ddr.interleave_bytes * uint64_t(ddr.channels));
}

// The byte after the weight images (4 KiB aligned), 0 when there are none.
uint64_t weight_images_end(const ir::Design& d) {
  const auto streams = plan_weight_streams(d);
  if (streams.empty()) return 0;
  return align_up(streams.back().base + streams.back().image_bytes(), kAxiBoundary);
}

}  // namespace

uint64_t FrameTransfer::ddr_bytes_per_frame() const {
  uint64_t b = 0;
  for (const auto& c : chunks) b += c.moved;
  return b;
}

int64_t FrameTransfer::cycles_per_frame() const {
  int64_t n = 0;
  for (size_t k = 0; k < chunks.size(); ++k) {
    const DdrChunk& before = chunks[(k + chunks.size() - 1) % chunks.size()];
    n += std::max(write ? before.occupancy : chunks[k].occupancy, chunks[k].items);
  }
  return n;
}

int64_t FrameTransfer::channel_cycles_per_frame(int channel) const {
  int64_t n = 0;
  for (const auto& c : chunks)
    if (c.channel == channel) n += c.occupancy;
  return n;
}

std::vector<int> FrameTransfer::channels() const {
  std::vector<int> out;
  for (const auto& c : chunks)
    if (std::find(out.begin(), out.end(), c.channel) == out.end()) out.push_back(c.channel);
  return out;
}

FrameTransfer plan_frame_transfer(const ir::Design& d, bool write, int bits, int64_t beats, uint64_t base) {
  const DdrConfig ddr = ddr_of(d);
  FrameTransfer t;
  t.write = write;
  t.beat_bits = bits;
  t.beat_bytes = (bits + 7) / 8;
  t.beats_per_frame = beats;
  t.latency_cycles = ddr_latency_cycles(ddr, d.clock_mhz);
  const uint64_t limit = ddr_chunk_limit(ddr);
  if (uint64_t(t.beat_bytes) > limit)
    throw config::ConfigError(where_of(d), "'ddr' with " + std::string(write ? "output" : "input") +
                                               " DMA beats of " + std::to_string(t.beat_bytes) + " bytes",
                              "DMA beats of at most " + std::to_string(limit) +
                                  " bytes (one AXI burst); lower dma_bits");
  const uint64_t span = align_up(t.frame_bytes(), buffer_alignment(ddr));
  for (int b = 0; b < kFrameBuffersPerDma; ++b) t.buffers.push_back(base + uint64_t(b) * span);
  t.chunks = plan_ddr_chunks(ddr, d.clock_mhz, base, beats, uint64_t(t.beat_bytes));
  return t;
}

FrameBuffers plan_frame_buffers(const ir::Design& d, int in_bits, int64_t in_beats, int out_bits,
                                int64_t out_beats) {
  const DdrConfig ddr = ddr_of(d);
  const uint64_t align = buffer_alignment(ddr);
  FrameBuffers fb;
  uint64_t next = weight_images_end(d);
  // A DMA's buffers from `next`: aligned, and within one channel's range
  // when the channels are not interleaved.
  auto outside = [&](uint64_t end) {
    throw config::ConfigError(where_of(d), "'ddr'",
                              "frame buffers that fit the DDR after the weight images: they end at byte " +
                                  std::to_string(end) + ", device " + d.device.name + " has " +
                                  std::to_string(ddr.capacity()));
  };
  auto place = [&](bool write, int bits, int64_t beats) {
    const uint64_t bytes = uint64_t(beats) * uint64_t((bits + 7) / 8);
    const uint64_t all = kFrameBuffersPerDma * align_up(bytes, align);
    next = align_up(next, align);
    if (!ddr.interleave_bytes) {
      const uint64_t cap = ddr.channel_capacity;
      if (all > cap)
        throw config::ConfigError(where_of(d), "'ddr'",
                                  std::string("frame buffers that fit one DDR channel: the ") +
                                      (write ? "output" : "input") + " DMA's " +
                                      std::to_string(kFrameBuffersPerDma) + " need " + std::to_string(all) +
                                      " bytes, a channel of device " + d.device.name + " has " +
                                      std::to_string(cap));
      if (next / cap != (next + all - 1) / cap) next = align_up(next, cap);
    }
    // Checked before the chunks are planned: an address past the DDR has no channel.
    if (next + all > ddr.capacity()) outside(next + all);
    FrameTransfer t = plan_frame_transfer(d, write, bits, beats, next);
    next += all;
    return t;
  };
  fb.input = place(false, in_bits, in_beats);
  fb.output = place(true, out_bits, out_beats);
  fb.end = next;
  return fb;
}

FrameBuffers plan_frame_buffers(const ir::Design& d, const ir::StreamingPlan& plan) {
  const ir::StagePlan& in = plan.stages.front();
  const ir::StagePlan& out = plan.stages.back();
  return plan_frame_buffers(d, in.out_stream_bits, in.out_words, out.in_stream_bits, out.in_words);
}

}  // namespace vine::models
