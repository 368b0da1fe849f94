#include "sim/estimate/cycle_model.h"

#include <algorithm>

#include "sim/estimate/stage_timing.h"

namespace vine::estimate {

int64_t stage_cycles(const ir::StagePlan& s, const ir::Design& d) {
  using ir::StageKind;
  if (s.kind == StageKind::kInputDma || s.kind == StageKind::kOutputDma) return std::max(s.in_words, s.out_words);
  const ir::Layer& l = d.network.layers.at(s.layer);
  switch (s.kind) {
    case StageKind::kInputDma:
    case StageKind::kOutputDma:  // one beat per cycle
      return std::max(s.in_words, s.out_words);
    case StageKind::kMvau: {
      // NF * SF folds per output vector, one fold per cycle.
      const int64_t sf = l.matrix_width() / s.simd, nf = l.matrix_height() / s.pe;
      return nf * sf * l.output_pixels();
    }
    case StageKind::kVvau:
      return int64_t{s.channels} * s.kernel * s.kernel / (int64_t{s.pe} * s.simd) * l.output_pixels();
    case StageKind::kSlidingWindow: {
      // finn-hlslib ConvolutionInputGenerator (HLS 2D): the first K rows are
      // read before the first window leaves, then each output row costs the
      // larger of writing its windows and reading the next `stride` rows.
      // The loop is re-entered per frame: its pipeline drains and it pays its
      // entry cycles before the next frame (DOMAIN.md section 3a).
      const int64_t cf = s.channels / s.simd;
      const int64_t k = s.kernel;
      const models::PipelineTiming t = stage_timing(s, d);
      const int64_t reentry = t.reentry_cycles >= 0 ? t.depth + t.reentry_cycles : 0;
      return int64_t{s.ifm_w} * k * cf +
             int64_t{s.ofm_h} * std::max(int64_t{s.ofm_w} * k * k * cf, int64_t{s.stride} * s.ifm_w * cf) + reentry;
    }
    case StageKind::kFmPadding:
      return int64_t{s.ofm_h} * s.ofm_w * (s.channels / s.pe);
    case StageKind::kMaxPool:
    case StageKind::kAvgPool:
      // every input pixel is read once, PE channels per cycle
      return int64_t{s.ifm_h} * s.ifm_w * (s.channels / s.pe);
    case StageKind::kThreshold:
    case StageKind::kAddStreams:
    case StageKind::kDuplicate:
    case StageKind::kConcat:
      return int64_t{s.ofm_h} * s.ofm_w * (l.out_shape.c / s.pe);
    case StageKind::kWidthConverter:
      return std::max(s.in_words, s.out_words);
  }
  return 0;
}

}  // namespace vine::estimate
