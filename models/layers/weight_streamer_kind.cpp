// The weight_streamer stage kind: the DDR read DMA beside an MVAU or VVAU
// whose layer keeps its weights in DDR (weight_streamer.h). The plan builder
// places it, with its stream into the compute stage's last input port.
#include <algorithm>
#include <memory>

#include "models/layers/stage_kinds.h"
#include "models/layers/weight_streamer.h"
#include "sim/ir/weight_bitmap.h"

namespace vine::kinds {

namespace {

// One pass of the layer's weight words in the order its compute stage reads
// them (ir::WeightWords).
std::vector<int32_t> word_codes(const ir::Layer& l, const ir::LayerFolding& f, const std::vector<int32_t>& codes) {
  const ir::WeightWords ww(l, f.pe, f.simd);
  std::vector<int32_t> out;
  out.reserve(size_t(ww.words) * size_t(ww.elements));
  for (int64_t w = 0; w < ww.words; ++w)
    for (int e = 0; e < ww.elements; ++e) out.push_back(codes[size_t(ww.index(w, e))]);
  return out;
}

// What the streamer's DMA reads, as the DDR image holds it: dense words
// copied, or bitmap words encoded once and decoded word by word, so that the
// format itself is what the compute stage's outputs check.
models::WeightStreamer::WordReader word_reader(const ir::Layer& l, const ir::LayerFolding& f,
                                               std::vector<int32_t> words) {
  const int n = ir::WeightWords(l, f.pe, f.simd).elements;
  if (f.weight_compression == ir::WeightCompression::kDense)
    return [words = std::move(words), n](int64_t k, int32_t* out) {
      std::copy_n(words.begin() + std::ptrdiff_t(k * n), n, out);
    };
  auto image = std::make_shared<const ir::BitmapImage>(ir::bitmap_image(l, f));
  auto bytes = std::make_shared<const std::vector<uint8_t>>(ir::encode_bitmap_words(l, f, *image, words));
  return [&l, &f, image, bytes](int64_t k, int32_t* out) { ir::decode_bitmap_word(l, f, *image, *bytes, k, out); };
}

}  // namespace

void register_weight_streamer_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "weight_streamer";
  k.role = "weights";
  k.summary =
      "Weight streamer (FINN's external weight mode): reads the layer's weight image from DDR once per "
      "input vector, in AXI bursts that each hold a DDR channel for their occupancy, and streams PE x SIMD "
      "weights per beat into the MVAU or VVAU.";
  k.params = {{"pe", &ir::StagePlan::pe, "PE of the compute stage it feeds"},
              {"simd", &ir::StagePlan::simd, "SIMD of the compute stage it feeds (1 for a VVAU)"}};
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.on_stream = [](const StreamSite& site, ir::StagePlan& s) {
    s.out_stream_bits = site.out_bits;
    s.out_words = site.elements * site.elem_bits / site.out_bits;
  };
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    models::WeightStream ws = models::plan_weight_stream(b.design, s.layer);
    models::WeightStreamer::WordReader read;
    if (b.params) {
      const ir::LayerFolding& f = b.design.folding_of(s.layer);
      read = word_reader(b.layer(), f, word_codes(b.layer(), f, b.params->weight_codes));
    }
    return std::make_unique<models::WeightStreamer>(s.name, b.timing, b.frames, std::move(ws), std::move(read));
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design& d) {
    return models::PipelineTiming{models::plan_weight_stream(d, s.layer).latency_cycles, -1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    return models::plan_weight_stream(d, s.layer).cycles_per_frame();
  };
  r.add(std::move(k), ir::StageKind::kWeightStreamer);
}

}  // namespace vine::kinds
