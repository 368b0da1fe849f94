// A stage kind (MVAU, SWG, width converter, ...): everything Vine knows about
// one kind of pipeline stage, in one registry entry, so that adding a kind is
// its own files in this folder and one line in builtin_kinds.cpp
// (docs/stage-kinds.md). The entry says
//   - its name ("mvau": reports, the models' kind(), the design's
//     `pipeline_depth` keys) and the parameters it reads from its StagePlan;
//   - how the plan builder places it: in a layer's chain of stages (the
//     layer-kind table in sim/ir/stage_plan.cpp, or the design's `stages:`),
//     or on a stream (converters, duplicators, DMAs), and what it fills in;
//   - the factory of its model, a models::Stage subclass;
//   - its pipeline timing, closed-form cycles per frame and resources, which
//     the simulator and the estimate read from here and nowhere else.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "models/pe/output_unit.h"
#include "models/pe/row_block.h"
#include "models/pe/rtl_output_array.h"
#include "models/pe/rtl_pe_array.h"
#include "models/pe/weight_lanes.h"
#include "models/stage/pipeline_timing.h"
#include "sim/golden/network_params.h"
#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine::models {
class Stage;
}

namespace vine::kinds {

// A StagePlan field a kind reads, declared once with what it means to the
// kind: the documentation's parameter tables are generated from these.
struct StageParam {
  using Field = std::variant<int ir::StagePlan::*, int64_t ir::StagePlan::*, bool ir::StagePlan::*>;
  std::string name;  // the field's name
  Field field;
  std::string description;

  const char* type() const;  // "int", "int64" or "bool"
  int64_t value(const ir::StagePlan& s) const;
};

// The stream fields, whose meaning is the same for every kind: what it reads
// and writes, bits per beat and beats per frame.
std::vector<StageParam> input_stream_params();
std::vector<StageParam> output_stream_params();

// Where the plan builder puts a stage of a layer's chain. The StagePlan it
// hands to the kind is already named (`<layer>.<role>`) and holds the
// layer's geometry (ifm/ofm from its shapes, channels = input channels,
// kernel, stride) and folding (pe, simd); the kind adjusts what differs and
// fills in its streams.
struct LayerSite {
  const ir::Design& design;
  int index;  // the layer's
  const ir::Layer& layer;
  const ir::LayerFolding& folding;
  const ir::StagePlan* prev;  // the stage before it in the chain; null for the chain's head
  int in_elem_bits;           // bits per element of the stream it reads

  // Elements per beat of the stream entering the layer: SIMD where an MVAU
  // reads it, PE otherwise (ir::input_stream_bits).
  int input_lanes() const;
};

// Where the plan builder puts a stage on a stream: a width converter between
// two widths, a duplicator where several layers read one, the DMAs at the
// ends. The StagePlan it hands over is named and has its layer.
struct StreamSite {
  const ir::Design& design;
  int in_bits = 0;   // the stream it reads; for the output DMA, the last layer's PE width
  int out_bits = 0;  // the stream it writes; for the input DMA, the width its consumer reads
  int elem_bits = 0;
  int64_t elements = 0;  // per frame
  int h = 1, w = 1;      // the feature map the stream carries
};

// What a factory gets to build a stage's model.
struct StageBuild {
  const ir::StagePlan& plan;
  const ir::StreamingPlan& network;  // every stage and stream of the plan
  const ir::Design& design;
  models::PipelineTiming timing;  // the kind's, with the design's `pipeline_depth`
  int frames = 1;
  const golden::LayerParams* params =
      nullptr;  // the layer's; null in timing-only runs and for the DMAs
  // The DMAs' memory side: where the input frames come from and the output
  // frames go.
  const std::function<void(int frame, std::vector<int32_t>& elements)>* source = nullptr;
  const std::function<void(int frame, const std::vector<int32_t>& elements, int64_t last_cycle)>*
      sink = nullptr;
  // The PE array's arithmetic on the C++ models.
  std::function<std::vector<models::RowBlock>(models::PipelineTiming& t)> pe_rows = {};
  // Or, where the layer runs on the RTL back-end, on Verilated units clocked
  // with the stage's pipeline (null on the C++ back-end); their probed
  // latency replaces the lanes' share of `t.depth`.
  std::function<std::unique_ptr<models::RtlPeArray>(models::PipelineTiming& t)> rtl_pe_array = {};
  // A standalone threshold stage's units on RTL (null on the C++ back-end);
  // their probed latency replaces the kind's in `t.depth`.
  std::function<std::unique_ptr<models::RtlOutputArray>(models::PipelineTiming& t)> rtl_output_array = {};

  const ir::Layer& layer() const;  // the stage's layer (throws for the DMAs)
  // An MVAU or VVAU whose weights come from DDR: its last input is the
  // weight streamer's stream (weight_streamer.h).
  bool weights_streamed() const;
  // The lanes such a stage computes the streamed weights with; null in
  // timing-only runs (no parameters).
  std::unique_ptr<models::WeightLanes> weight_lanes() const;
  const ir::StreamPlan& input(int port) const;
  // The layer's output unit (thresholds, requantiser or none), with its
  // parameters when the run has them.
  models::OutputUnit output_unit() const;
};

struct StageKindEntry {
  // --- what it is
  std::string name;     // "mvau": reports, the model's kind(), `pipeline_depth` key
  std::string role;     // its stage's name in a layer, `<layer>.<role>` ("pool" for both pools)
  std::string summary;  // the hardware, in one line
  std::vector<StageParam> params;

  // --- where the plan builder puts it (one of the two placements, or both)
  // In a layer's chain: fills in `s` (see LayerSite).
  std::function<void(const LayerSite&, ir::StagePlan& s)> from_layer;
  // Where the layer-kind table marks the kind optional: whether this layer
  // needs it (a padded layer needs FMPadding). Unset: always.
  std::function<bool(const LayerSite&)> needed;
  // On a stream: fills in `s` (see StreamSite).
  std::function<void(const StreamSite&, ir::StagePlan& s)> on_stream;
  // It writes the elements it reads (padding, window, pass-through stages);
  // else it writes the layer's output elements.
  bool forwards_elements = false;
  // It reads one stream per layer input (add, concat): a layer's further
  // inputs enter this stage of its chain. Other kinds read one stream.
  bool reads_every_input = false;

  // --- its model
  std::function<std::unique_ptr<models::Stage>(const StageBuild&)> make;

  // --- its timing and cost, read by the simulator and the estimate
  // Pipeline depth and loop re-entry (models/stage/stage.h), before the
  // design's `pipeline_depth` override (stage_kinds.h: pipeline_timing).
  std::function<models::PipelineTiming(const ir::StagePlan&, const ir::Design&)> timing;
  // Cycles per frame when never stalled, which the simulated model takes on
  // every further frame.
  std::function<int64_t(const ir::StagePlan&, const ir::Design&)> cycles;
  // FPGA resources; unset: none counted (the DMAs belong to the shell).
  std::function<ir::Resources(const ir::StagePlan&, const ir::Design&)> resources;

  // --- an RTL variant: the HLS kind whose placement, data path and FINN
  // node it shares, re-timed from FINN's RTL template (finn-rtllib); empty
  // for a kind of its own. A layer's `impl_style: rtl` picks the variant
  // of each kind of its chain (docs/finn-rtl-templates.md).
  std::string hls_kind;
  // Why the RTL template cannot build this layer (FINN's own conditions for
  // choosing it), empty when it can; unset: it always can.
  std::function<std::string(const ir::Layer&, const ir::LayerFolding&)> refuses;

  ir::StageKind id{};  // given by the registry
};

// A from_layer hook for stages that read and write PE elements per beat of
// the layer's whole input and output (pool, threshold, add, concat).
void plan_pe_streams(const LayerSite& site, ir::StagePlan& s);

}  // namespace vine::kinds
