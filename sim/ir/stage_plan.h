// The hardware a streaming (FINN-R / Tomato) design expands into: a process
// network of stages (one or more per layer: padding, sliding window,
// MVAU/VVAU, pool, ...; the data-width converters and stream duplicators the
// layer graph needs; the input and output DMA) joined by streams. The
// analytic estimate and the simulator's elaboration both walk this plan.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/ir/design.h"

namespace vine::ir {

// A stage kind's id in the stage-kind registry (models/layers/stage_kinds.h),
// which holds everything about each kind: its name, how the plan places it,
// its model, timing, cycles and resources. Any int is an id: a kind added at
// run time gets the next free one. The values named here are the built-in
// kinds' ids, for code that names a kind (the per-cycle oracle of the
// tests); a new kind needs no name here.
enum class StageKind : int {
  kFmPadding,      // FMPadding: writes the pad code around the feature map
  kSlidingWindow,  // SWG / ConvolutionInputGenerator
  kMvau,           // matrix-vector unit (conv, fc), thresholds embedded
  kVvau,           // vector-vector unit (depthwise conv), thresholds embedded
  kThreshold,      // standalone multi-threshold or requantiser
  kMaxPool,
  kAvgPool,
  kAddStreams,  // residual add, with its output re-quantisation
  kConcat,
  kDuplicate,       // DuplicateStreams: one producer feeding several consumers
  kWidthConverter,  // StreamingDataWidthConverter
  kInputDma,        // memory to stream
  kOutputDma,       // stream to memory
  kWeightStreamer,  // a layer's weights from DDR into its MVAU/VVAU
  kLink,            // a cut stream over a serial link between two boards
};
// The kind's registered name ("mvau", "swg", ...), "?" for an unknown id.
const char* to_string(StageKind k);
// The kind a stage is in FINN's terms and in the data path: an RTL variant's
// HLS kind ("swg" for "swg_rtl"), else its own name.
const char* family_name(StageKind k);
// Whether the kind is an RTL variant (timed from FINN's RTL template).
bool rtl_variant(StageKind k);

// One stage of the chain a layer kind expands into, by stage-kind name.
struct LayerStage {
  std::string kind;
  bool optional = false;  // built only where the kind says the layer needs it
};
// The table of what each layer kind expands into (docs/estimate.md), unless
// the design lists a layer's `stages:` itself.
std::vector<LayerStage> layer_stages(LayerKind k);

struct StagePlan {
  std::string name;  // <layer>.<role>, e.g. conv1.swg, conv1.mvau, conv1.dwc_in; "input_dma", "output_dma"
  StageKind kind = StageKind::kMvau;
  int layer = -1;    // index of the network layer it belongs to (-1 for the DMAs)
  // Geometry of what the stage reads (ifm) and writes (ofm).
  int ifm_h = 1, ifm_w = 1, ofm_h = 1, ofm_w = 1, channels = 0;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;  // the layer's KH x KW window and strides
  int pe = 1, simd = 1;
  bool depthwise = false;  // SWG feeding a VVAU: channel folds outside kernel positions
  int in_stream_bits = 0, out_stream_bits = 0;  // widths of the streams it reads and writes
  int64_t in_words = 0, out_words = 0;          // beats per frame on those streams
  std::vector<int> inputs, outputs;             // the streams it reads and writes, by port
  int link = -1;  // a link stage's: the cluster link it crosses (Design::placement)
  bool elem_signed = false;  // a link stage's: its elements are signed (sign-extended when unpacked)
};

// One stream (a FIFO in hardware) between two stages.
struct StreamPlan {
  std::string name;        // "<producer layer>-><consumer layer>" for graph edges, "<stage>-><stage>" inside a layer
  int producer = -1, consumer = -1;  // stage indices
  int bits = 0;            // beat width
  int elem_bits = 0;       // bits per element: a beat carries bits / elem_bits elements
  int64_t words = 0;       // beats per frame
  int depth = 2;
  bool memory_style = false;  // see FifoSpec
  bool graph_edge = false;  // an edge of the layer graph (depth from the design), else layer-internal
  int elements_per_word() const { return bits / elem_bits; }
};

struct StreamingPlan {
  std::vector<StagePlan> stages;  // in topological order: input DMA first, output DMA last
  std::vector<StreamPlan> streams;
};

StreamingPlan plan_process_network(const Design& d);

// `d` without the `fifos: - {stream: ...}` entries that name no stream
// inside a layer of its plan. A search that refolds layers (`vine dse`)
// makes or removes a layer's width converters, and with them the streams a
// design's depths were given for; the depths of the streams that remain are
// kept.
Design without_missing_stream_fifos(Design d);

// The layers' stages alone (no DMAs), in topological order.
std::vector<StagePlan> plan_streaming_stages(const Design& d);

}  // namespace vine::ir
