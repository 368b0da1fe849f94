#include "models/layers/weight_stream.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/memory/ddr_config.h"
#include "models/memory/ddr_chunks.h"
#include "sim/ir/weight_bitmap.h"
#include "sim/config/config_error.h"

namespace vine::models {

namespace {

ir::SourceLocation where_of(const ir::Design& d, int layer) {
  const ir::LayerFolding& f = d.folding_of(layer);
  if (!f.weight_memory_where.file.empty()) return f.weight_memory_where;
  ir::SourceLocation w = f.where;
  if (w.file.empty()) w = {d.path, 0, 0, ""};
  w.field = "layers." + d.network.layers[size_t(layer)].name + ".weight_memory";
  return w;
}

// Weights per word and the word's loop count per vector: PE x SIMD lanes over
// the MW x MH matrix (MVAU), PE channels at one kernel position (VVAU).
void word_shape(const ir::Layer& l, const ir::LayerFolding& f, int& elements, int64_t& words) {
  if (l.kind == ir::LayerKind::kDwConv) {
    elements = f.pe;
    words = l.matrix_height() * l.matrix_width() / f.pe;
  } else {
    elements = f.pe * f.simd;
    words = l.matrix_height() * l.matrix_width() / (int64_t{f.pe} * f.simd);
  }
}

bool in_ddr(const ir::Design& d, int layer) {
  return d.network.layers[size_t(layer)].has_weights() && d.folding_of(layer).weight_memory == ir::MemoryStyle::kDdr;
}

// The bytes layer `layer`'s image takes in DDR, up to the next image: its
// words, 4 KiB aligned.
uint64_t image_span(const ir::Design& d, int layer) {
  const ir::Layer& l = d.network.layers[size_t(layer)];
  int elements = 0;
  int64_t words = 0;
  word_shape(l, d.folding_of(layer), elements, words);
  const uint64_t bytes = d.folding_of(layer).weight_compression == ir::WeightCompression::kBitmap
                             ? ir::bitmap_image(l, d.folding_of(layer)).bytes()
                             : uint64_t(words) * uint64_t((elements * l.max_weight_bits() + 7) / 8);
  return (bytes + kAxiBoundary - 1) / kAxiBoundary * kAxiBoundary;
}

DdrConfig ddr_of(const ir::Design& d, int layer) {
  if (d.device.ddr_channels < 1)
    throw config::ConfigError(where_of(d, layer), "'ddr'",
                              "an on-chip weight_memory for layer " + d.network.layers[size_t(layer)].name +
                                  ": device " + d.device.name + " has no DDR (its config has no ddr: section)");
  return DdrConfig::from_device(d.device);
}

WeightStream plan_one(const ir::Design& d, int layer, uint64_t base, const DdrConfig& ddr) {
  const ir::Layer& l = d.network.layers[size_t(layer)];
  const ir::LayerFolding& f = d.folding_of(layer);
  WeightStream s;
  s.layer = layer;
  word_shape(l, f, s.elements, s.words_per_pass);
  s.word_bits = s.elements * l.max_weight_bits();
  s.word_bytes = (s.word_bits + 7) / 8;
  switch (f.weight_schedule) {  // a pass per output pixel, per output row, or per frame
    case ir::WeightSchedule::kVector: s.passes_per_frame = l.output_pixels(); break;
    case ir::WeightSchedule::kRow: s.passes_per_frame = l.out_shape.h; break;
    case ir::WeightSchedule::kFrame: s.passes_per_frame = 1; break;
  }
  if (f.weight_compression == ir::WeightCompression::kBitmap) {
    ir::BitmapImage img = ir::bitmap_image(l, f);
    // A word at any bit offset touches at most this many bytes.
    s.word_bytes = (img.max_word_bits + 7 + 7) / 8;
    s.word_end = std::move(img.word_end);
  }
  s.base = base;
  // The DDR's latency, and a cycle for the bitmap decoder's register.
  s.latency_cycles = ddr_latency_cycles(ddr, d.clock_mhz) + (s.word_end.empty() ? 0 : 1);

  const uint64_t boundary = ddr_chunk_limit(ddr);
  if (uint64_t(s.word_bytes) > boundary)
    throw config::ConfigError(
        where_of(d, layer), "'ddr' with weight words of " + std::to_string(s.word_bytes) + " bytes",
        "weight words of at most " + std::to_string(boundary) + " bytes (one AXI burst) for layer " + l.name +
            ": a word is PE x SIMD x " + std::to_string(l.max_weight_bits()) + " bits; lower pe or simd");
  // Word k belongs to the chunk that holds its last byte.
  const auto end_of = [&s](int64_t k) {
    return s.word_end.empty() ? uint64_t(k + 1) * uint64_t(s.word_bytes) : (s.word_end[size_t(k)] + 7) / 8;
  };
  s.chunks = plan_ddr_chunks(ddr, d.clock_mhz, base, s.words_per_pass, end_of);
  return s;
}

}  // namespace

uint64_t WeightStream::ddr_bytes_per_frame() const {
  uint64_t b = 0;
  for (const auto& c : chunks) b += c.moved;
  return b * uint64_t(passes_per_frame);
}

int64_t WeightStream::cycles_per_frame() const {
  int64_t n = 0;
  for (const auto& c : chunks) n += std::max(c.occupancy, c.items);
  return n * passes_per_frame;
}

int64_t WeightStream::channel_cycles_per_frame(int channel) const {
  int64_t n = 0;
  for (const auto& c : chunks)
    if (c.channel == channel) n += c.occupancy;
  return n * passes_per_frame;
}

namespace {

// The images up to layer `last`'s end at byte `end`: refused when past the
// DDR, before any chunk is planned (an address past it has no channel).
void check_fits(const ir::Design& d, const DdrConfig& ddr, uint64_t end, int last) {
  if (end > ddr.capacity())
    throw config::ConfigError(where_of(d, last), "'ddr'",
                              "weight images that fit the DDR: they need " + std::to_string(end) + " bytes, device " +
                                  d.device.name + " has " + std::to_string(ddr.capacity()));
}

}  // namespace

std::vector<WeightStream> plan_weight_streams(const ir::Design& d) {
  std::vector<int> layers;
  std::vector<uint64_t> base;
  uint64_t next = 0;
  for (int i = 0; i < int(d.network.layers.size()); ++i) {
    if (!in_ddr(d, i)) continue;
    layers.push_back(i);
    base.push_back(next);
    next += image_span(d, i);
  }
  std::vector<WeightStream> out;
  if (layers.empty()) return out;
  const DdrConfig ddr = ddr_of(d, layers.front());
  check_fits(d, ddr, next, layers.back());
  for (size_t k = 0; k < layers.size(); ++k) out.push_back(plan_one(d, layers[k], base[k], ddr));
  return out;
}

// One layer's stream: its image lies after the images of the layers before
// it, whose sizes need no planning of their chunks. (The whole layout's
// checks, that the images fit the DDR, are plan_weight_streams'.)
WeightStream plan_weight_stream(const ir::Design& d, int layer) {
  if (!in_ddr(d, layer))
    throw std::logic_error("layer " + d.network.layers[size_t(layer)].name + " has no weights in DDR");
  uint64_t base = 0;
  for (int i = 0; i < layer; ++i)
    if (in_ddr(d, i)) base += image_span(d, i);
  const DdrConfig ddr = ddr_of(d, layer);
  check_fits(d, ddr, base + image_span(d, layer), layer);
  return plan_one(d, layer, base, ddr);
}

std::vector<int64_t> ddr_channel_cycles_per_frame(const ir::Design& d, const std::vector<WeightStream>& streams) {
  std::vector<int64_t> out(size_t(std::max(0, d.device.ddr_channels)), 0);
  for (const auto& s : streams)
    for (size_t c = 0; c < out.size(); ++c) out[c] += s.channel_cycles_per_frame(int(c));
  return out;
}

}  // namespace vine::models
