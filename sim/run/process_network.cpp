#include "sim/run/process_network.h"

#include <algorithm>
#include <stdexcept>

#include "models/layers/add_streams.h"
#include "models/layers/concat.h"
#include "models/layers/duplicate_streams.h"
#include "models/layers/fm_padding.h"
#include "models/layers/mvau.h"
#include "models/layers/pool.h"
#include "models/layers/sliding_window.h"
#include "models/layers/thresholding.h"
#include "models/layers/vvau.h"
#include "models/layers/width_converter.h"
#include "sim/config/config_error.h"
#include "sim/estimate/stage_timing.h"
#include "sim/run/pe_backend.h"

namespace vine::sim {

using ir::StageKind;
using namespace vine::models;

namespace {

// The PE array's dot-product units: one per channel group (or one for the layer).
std::vector<RowBlock> row_blocks(const ir::Layer& l, const golden::LayerParams* p, int64_t width) {
  std::vector<RowBlock> blocks;
  if (!p) {  // timing only: no arithmetic
    blocks.push_back({0, l.matrix_height(), nullptr});
    return blocks;
  }
  const int32_t* codes = p->weight_codes.data();
  if (l.channel_groups.empty()) {
    blocks.push_back({0, l.matrix_height(),
                      make_dot_product_unit(*l.weights, l.in_type, l.acc_range, codes, 0,
                                            l.matrix_height(), width)});
    return blocks;
  }
  int64_t first = 0;
  for (const auto& g : l.channel_groups) {
    blocks.push_back({first, g.channels,
                      make_dot_product_unit(g.weights, l.in_type, l.acc_range, codes, first,
                                            g.channels, width)});
    first += g.channels;
  }
  return blocks;
}

OutputUnit output_unit(const ir::Layer& l, const golden::LayerParams* p) {
  static const golden::LayerParams none;
  return OutputUnit(l, p ? *p : none);
}

}  // namespace

namespace {

// The accelerator's name, made unique when another accelerator already holds it.
std::string unique_module_name(const std::string& want) {
  std::string name = want;
  for (int k = 1; sc_core::sc_find_object(name.c_str()); ++k) name = want + "_" + std::to_string(k);
  return name;
}

}  // namespace

ProcessNetwork::ProcessNetwork(const ir::Design& d, const ElaborationOptions& o,
                               const golden::NetworkParams* params, InputFrames input,
                               models::OutputDma::FrameSink sink)
    : design_(d), opts_(o), plan_(ir::plan_process_network(d)) {
  if (d.hw_template != ir::Template::kStreaming)
    throw config::ConfigError(ir::SourceLocation{d.path, 0, 0, "template"}, "'engine'",
                              "'streaming': `vine run` simulates streaming pipelines only so far");
  if (!o.timing_only && !params)
    throw std::invalid_argument("ProcessNetwork: a bit-exact run needs parameters");
  for (const auto& [stage, make] : o.systemc_stages) {
    const bool known = std::any_of(plan_.stages.begin(), plan_.stages.end(),
                                   [&](const ir::StagePlan& s) { return s.name == stage; });
    if (!known)
      throw std::invalid_argument("no stage '" + stage + "' in the plan of " + d.name +
                                  " for a SystemC module");
  }
  models::Topology topo;
  for (const auto& s : plan_.stages) {
    topo.stages.push_back(s.name);
    topo.inputs.push_back(s.inputs);
    topo.outputs.push_back(s.outputs);
  }
  for (const auto& s : plan_.streams) topo.streams.push_back({s.name, s.producer, s.consumer});
  auto make_stage_i = [&](int i) {
    const ir::StagePlan& s = plan_.stages[size_t(i)];
    const auto plug = o.systemc_stages.find(s.name);
    if (plug != o.systemc_stages.end()) return make_systemc_stage(s, plug->second);
    return make_stage(s, o.timing_only ? nullptr : params, input, sink);
  };
  auto make_stream_i = [&](int k, const char* basename) {
    const ir::StreamPlan& s = plan_.streams[size_t(k)];
    return std::make_unique<StreamFifo>(basename, s.name, s.depth, s.memory_style ? 2 : 1,
                                        s.memory_style, s.elements_per_word(), !o.timing_only);
  };
  accel_ = std::make_unique<Accelerator>(unique_module_name(o.module_name).c_str(), topo,
                                         make_stage_i, make_stream_i);
  accel_->scheduler().set_order(o.host_order, o.host_order_seed);
  for (const auto& st : accel_->stages()) {
    st->set_data(!o.timing_only);
    st->record_activity(o.record);
  }
  for (const auto& f : accel_->fifos()) f->record_times(o.record);
}

std::unique_ptr<Stage> ProcessNetwork::make_systemc_stage(const ir::StagePlan& s,
                                                          const SystemCModuleFactory& make) {
  std::vector<int64_t> in_words, out_words;
  for (int id : s.inputs) in_words.push_back(plan_.streams[size_t(id)].words);
  for (int id : s.outputs) out_words.push_back(plan_.streams[size_t(id)].words);
  auto stage =
      std::make_unique<ThreadStage>(s.name, opts_.frames, in_words, out_words,
                                    sc_core::sc_time(1e3 / design_.clock_mhz, sc_core::SC_NS));
  stage->own(make(
      *stage));  // the adapter is still SystemC's current module: the user's module is its child
  return stage;
}

std::unique_ptr<Stage> ProcessNetwork::make_stage(const ir::StagePlan& s,
                                                  const golden::NetworkParams* params,
                                                  InputFrames& input, OutputDma::FrameSink& sink) {
  PipelineTiming t = estimate::stage_timing(s, design_);
  const int frames = opts_.frames;
  const ir::Layer* l = s.layer >= 0 ? &design_.network.layers[size_t(s.layer)] : nullptr;
  const golden::LayerParams* p = params && l ? &params->layers[size_t(s.layer)] : nullptr;
  const int in_bits = l ? l->in_type.bits : 0;
  switch (s.kind) {
    case StageKind::kInputDma: {
      auto dma = std::make_unique<InputDma>(s.name, t, frames, s.out_words, input);
      input_ = dma.get();
      return dma;
    }
    case StageKind::kOutputDma: {
      auto dma = std::make_unique<OutputDma>(s.name, t, frames, s.in_words, sink);
      output_ = dma.get();
      return dma;
    }
    case StageKind::kWidthConverter: {
      const ir::StreamPlan& in = plan_.streams[size_t(s.inputs.at(0))];
      return std::make_unique<WidthConverter>(s.name, t, frames, in.words * in.elements_per_word(),
                                              s.in_stream_bits / in.elem_bits,
                                              s.out_stream_bits / in.elem_bits);
    }
    case StageKind::kFmPadding: {
      PaddingGeometry g;
      g.in_h = s.ifm_h;
      g.in_w = s.ifm_w;
      g.top = l->pad.top, g.left = l->pad.left, g.bottom = l->pad.bottom, g.right = l->pad.right;
      g.lanes = s.in_stream_bits / in_bits;
      g.channel_folds = s.channels / g.lanes;
      g.pad_code = l->pad_value;
      return std::make_unique<FmPadding>(s.name, t, frames, g);
    }
    case StageKind::kSlidingWindow: {
      WindowGeometry g;
      g.in_h = s.ifm_h;
      g.in_w = s.ifm_w;
      g.out_h = s.ofm_h;
      g.out_w = s.ofm_w;
      g.kernel = s.kernel;
      g.stride = s.stride;
      g.lanes = s.in_stream_bits / in_bits;
      g.channel_folds = s.channels / g.lanes;
      g.depthwise = s.depthwise;
      return std::make_unique<SlidingWindow>(s.name, t, frames, g);
    }
    case StageKind::kMvau: {
      MatrixGeometry g{l->matrix_width(), l->matrix_height(), s.simd, s.pe, l->output_pixels()};
      auto rows = pe_row_blocks(s, *l, p, t);
      return std::make_unique<Mvau>(s.name, t, frames, g, std::move(rows), output_unit(*l, p));
    }
    case StageKind::kVvau:
      if (s.simd != 1)
        throw config::ConfigError(design_.folding[size_t(s.layer)].simd_where,
                                  std::to_string(s.simd),
                                  "simd 1 for the depthwise layer " + l->name +
                                      " (the simulated VVAU reads one kernel position per beat)");
      {
        auto rows = pe_row_blocks(s, *l, p, t);
        return std::make_unique<Vvau>(s.name, t, frames, l->in_shape.c, l->kernel * l->kernel, s.pe,
                                      l->output_pixels(), std::move(rows), output_unit(*l, p));
      }
    case StageKind::kThreshold:
      return std::make_unique<Thresholding>(s.name, t, frames, s.in_words, l->out_shape.c, s.pe,
                                            output_unit(*l, p));
    case StageKind::kMaxPool:
    case StageKind::kAvgPool: {
      PoolGeometry g{s.ifm_h,    s.ifm_w,  s.ofm_h,
                     s.ofm_w,    s.kernel, s.stride,
                     s.channels, s.pe,     s.kind == StageKind::kAvgPool};
      return std::make_unique<Pool>(s.name, t, frames, g);
    }
    case StageKind::kAddStreams:
      return std::make_unique<AddStreams>(s.name, t, frames, s.out_words, l->out_shape.c,
                                          output_unit(*l, p));
    case StageKind::kConcat: {
      std::vector<int> per_pixel;
      for (int idx : l->input_index) {
        const int c = idx < 0 ? design_.network.input_shape.c
                              : design_.network.layers[size_t(idx)].out_shape.c;
        per_pixel.push_back(c / s.pe);
      }
      return std::make_unique<Concat>(s.name, t, frames, l->output_pixels(), per_pixel);
    }
    case StageKind::kDuplicate:
      return std::make_unique<DuplicateStreams>(s.name, t, frames, s.in_words);
  }
  throw std::logic_error("make_stage: unknown stage kind");
}

// On the RTL back-end the lanes' share of the stage's depth is the units' own
// measured latency instead of the single source's figure, so that a unit
// which disagrees with vine_rtl_timing.h shows in the cycles.
std::vector<RowBlock> ProcessNetwork::pe_row_blocks(const ir::StagePlan& s, const ir::Layer& l,
                                                    const golden::LayerParams* p,
                                                    PipelineTiming& t) {
  if (!p || !runs_on_rtl(design_, s.layer, opts_.backend))
    return row_blocks(l, p, lanes_row_width(l));
  int measured = 0;
  auto blocks = rtl_row_blocks(design_, s.layer, *p, measured);
  t.depth += measured - estimate::pe_lanes_latency(l, lanes_simd(design_, s.layer));
  for (const auto& b : blocks)
    rtl_units_.push_back({s.name, static_cast<const RtlDotProductUnit*>(b.unit.get())});
  return blocks;
}

bool ProcessNetwork::run(const std::function<bool()>& should_pause) {
  if (has_systemc_stages())
    throw std::logic_error(
        "a network with SystemC-module stages runs under sc_start, not ProcessNetwork::run");
  return accel_->run(should_pause);
}

bool ProcessNetwork::finished() const {
  return accel_->finished();
}

}  // namespace vine::sim
