// The weight_streamer stage kind: the DDR read DMA beside an MVAU or VVAU
// whose layer keeps its weights in DDR (weight_streamer.h). The plan builder
// places it, with its stream into the compute stage's last input port.
#include "models/layers/stage_kinds.h"
#include "models/layers/weight_streamer.h"

namespace vine::kinds {

namespace {

// One pass of the layer's weight words in the order its compute stage reads
// them: MVAU word (nf, sf) holds rows nf*PE .. +PE-1, columns sf*SIMD .. +SIMD-1
// (beat element p*SIMD + s); VVAU word (nf, k) holds channels nf*PE .. +PE-1
// at kernel position k.
std::vector<int32_t> word_codes(const ir::Layer& l, const ir::StagePlan& s, const models::WeightStream& ws,
                                const std::vector<int32_t>& codes) {
  std::vector<int32_t> out;
  out.reserve(size_t(ws.words_per_pass) * size_t(ws.elements));
  const int64_t mw = l.matrix_width();
  if (l.kind == ir::LayerKind::kDwConv) {
    const int64_t k2 = mw;
    for (int64_t w = 0; w < ws.words_per_pass; ++w)
      for (int p = 0; p < s.pe; ++p) out.push_back(codes[size_t(((w / k2) * s.pe + p) * k2 + w % k2)]);
    return out;
  }
  const int64_t sf_count = mw / s.simd;
  for (int64_t w = 0; w < ws.words_per_pass; ++w) {
    const int64_t nf = w / sf_count, sf = w % sf_count;
    for (int p = 0; p < s.pe; ++p)
      for (int j = 0; j < s.simd; ++j) out.push_back(codes[size_t((nf * s.pe + p) * mw + sf * s.simd + j)]);
  }
  return out;
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
    std::vector<int32_t> codes;
    if (b.params) codes = word_codes(b.layer(), s, ws, b.params->weight_codes);
    return std::make_unique<models::WeightStreamer>(s.name, b.timing, b.frames, std::move(ws), std::move(codes));
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
