// The hardware stages a streaming (FINN-R / Tomato) design expands into: one
// or more per layer (padding, sliding window, MVAU/VVAU, pool, ...), plus the
// data-width converters and stream duplicators the layer graph needs. The
// analytic estimate and the simulator's elaboration both walk this plan.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/ir/design.h"

namespace vine::ir {

enum class StageKind {
  kFmPadding,       // FMPadding: writes zeros (the pad code) around the feature map
  kSlidingWindow,   // SWG / ConvolutionInputGenerator
  kMvau,            // matrix-vector unit (conv, fc), thresholds embedded
  kVvau,            // vector-vector unit (depthwise conv), thresholds embedded
  kThreshold,       // standalone multi-threshold or requantiser
  kMaxPool,
  kAvgPool,
  kAddStreams,      // residual add, with its output re-quantisation
  kConcat,
  kDuplicate,       // DuplicateStreams: one producer feeding several consumers
  kWidthConverter,  // StreamingDataWidthConverter
};
const char* to_string(StageKind k);

struct StagePlan {
  std::string name;  // <layer>.<role>, e.g. conv1.swg, conv1.mvau, conv1.dwc_in
  StageKind kind = StageKind::kMvau;
  int layer = -1;    // index of the network layer it belongs to
  // Geometry of what the stage reads (ifm) and writes (ofm).
  int ifm_h = 1, ifm_w = 1, ofm_h = 1, ofm_w = 1, channels = 0, kernel = 1, stride = 1;
  int pe = 1, simd = 1;
  int in_stream_bits = 0, out_stream_bits = 0;  // widths of the streams it reads and writes
  int64_t in_words = 0, out_words = 0;          // beats per frame on those streams
};

std::vector<StagePlan> plan_streaming_stages(const Design& d);

}  // namespace vine::ir
