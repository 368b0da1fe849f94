#include "sim/run/process_network.h"

#include <algorithm>
#include <stdexcept>

#include "models/layers/stage_kinds.h"
#include "models/layers/weight_streamer.h"
#include "models/pe/pe_timing.h"
#include "sim/config/config_error.h"
#include "sim/run/pe_backend.h"
#include "vine_rtl_timing.h"

namespace vine::sim {

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
                              "'streaming': this command simulates streaming pipelines; a compute engine runs under `vine run` "
                              "and `vine estimate` only so far (docs/engine.md)");
  if (!o.timing_only && !params)
    throw std::invalid_argument("ProcessNetwork: a bit-exact run needs parameters");
  std::vector<std::string> replaced;
  for (const auto& [stage, make] : o.systemc_stages) replaced.push_back(stage);
  for (const auto& [stage, make] : o.stage_models) replaced.push_back(stage);
  for (const auto& stage : replaced) {
    const bool known = std::any_of(plan_.stages.begin(), plan_.stages.end(),
                                   [&](const ir::StagePlan& s) { return s.name == stage; });
    if (!known)
      throw std::invalid_argument("no stage '" + stage + "' in the plan of " + d.name +
                                  " to replace");
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
    const auto model = o.stage_models.find(s.name);
    if (model != o.stage_models.end()) return model->second(s);
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
    st->set_stall_counts(o.stall_counts || o.record);
  }
  for (const auto& f : accel_->fifos()) f->record_times(o.record);
  connect_ddr_channels();
  if (!o.fast_forward)
    ffwd_off_ = "off (--no-fast-forward)";
  else if (!o.systemc_stages.empty() || !o.stage_models.empty())
    ffwd_off_ = "off: stages made outside the stage kinds";
  else
    ffwd_ = models::FastForward::attach(accel_->stages(), accel_->fifos(), o.frames, ffwd_off_);
  if (ffwd_) {
    ffwd_->set_decide_only(o.fast_forward_decide_only, o.fast_forward_drift_jumps);
    ffwd_->set_decide_target(o.fast_forward_decide_target);
  }
}

// The weight streamers of layers whose weights are in DDR, and the DMAs with
// `dma_memory: ddr`, share the board's DDR channels: one port per channel,
// granted in simulated-time order (ties to the stage first in the plan).
void ProcessNetwork::connect_ddr_channels() {
  for (const auto& st : accel_->stages()) {
    const std::vector<int>* channels = nullptr;
    if (auto* ws = dynamic_cast<WeightStreamer*>(st.get())) channels = &ws->channels();
    if (auto* in = dynamic_cast<InputDma*>(st.get())) channels = &in->memory().channels();
    if (auto* out = dynamic_cast<OutputDma*>(st.get())) channels = &out->memory().channels();
    if (!channels) continue;
    for (int c : *channels) {
      if (ddr_channels_.size() <= size_t(c)) ddr_channels_.resize(size_t(c) + 1);
      auto& port = ddr_channels_[size_t(c)];
      if (!port) {
        const std::string name = std::string(accel_->name()) + "_ddr_channel" + std::to_string(c);
        port = std::make_unique<SharedPort>(sc_core::sc_gen_unique_name(name.c_str()));
        port->record_grants(false);
        accel_->scheduler().add_shared_port(port.get());
      }
      st->add_shared_port(port.get());
    }
  }
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

// The stage's kind builds its model (models/layers/<model>_kind.cpp).
std::unique_ptr<Stage> ProcessNetwork::make_stage(const ir::StagePlan& s,
                                                  const golden::NetworkParams* params,
                                                  InputFrames& input, OutputDma::FrameSink& sink) {
  const kinds::StageKindEntry& kind = kinds::stage_kinds()[s.kind];
  kinds::StageBuild b{s, plan_, design_, kinds::pipeline_timing(s, design_)};
  b.frames = opts_.frames;
  if (params && s.layer >= 0) b.params = &params->layers[size_t(s.layer)];
  b.source = &input;
  b.sink = &sink;
  if (s.layer >= 0 && b.weights_streamed() && runs_on_rtl(design_, s.layer, opts_.backend))
    throw config::ConfigError(
        design_.folding_of(s.layer).weight_memory_where.line ? design_.folding_of(s.layer).weight_memory_where
                                                             : design_.folding_of(s.layer).where,
        "'ddr' on the RTL back-end",
        "the C++ back-end for layer " + design_.network.layers[size_t(s.layer)].name +
            ": its weights stream from DDR, and the Verilated lanes units hold their weights "
            "(co-simulating streamed weights is not built yet)");
  b.pe_rows = [&b](PipelineTiming&) { return row_blocks(b.layer(), b.params, lanes_row_width(b.layer())); };
  b.rtl_pe_array = [this, &b](PipelineTiming& t) { return rtl_pe_array(b.plan, b.layer(), b.params, t); };
  b.rtl_output_array = [this, &b](PipelineTiming& t) { return rtl_output_array(b.plan, b.layer(), b.params, t); };
  std::unique_ptr<Stage> stage = kind.make(b);
  // The reports name a stage's kind by its model's kind(), the estimate by
  // the registry's name: they must agree.
  if (kind.name != stage->kind())
    throw std::logic_error("stage " + s.name + ": its model's kind() is '" + stage->kind() +
                           "', its stage kind '" + kind.name + "'");
  if (auto* in = dynamic_cast<InputDma*>(stage.get())) input_ = in;
  if (auto* out = dynamic_cast<OutputDma*>(stage.get())) output_ = out;
  return stage;
}

// On the RTL back-end the lanes' and the output unit's shares of the stage's
// depth are the units' own probed latencies instead of the single source's figure, so that a unit which
// disagrees with vine_rtl_timing.h shows in the cycles; the PE array then
// checks every result against that pipeline while the stage stalls and runs.
std::unique_ptr<RtlPeArray> ProcessNetwork::rtl_pe_array(const ir::StagePlan& s, const ir::Layer& l,
                                                         const golden::LayerParams* p, PipelineTiming& t) {
  if (!p || !runs_on_rtl(design_, s.layer, opts_.backend)) return nullptr;
  int probed = 0;
  auto groups = rtl_lanes_groups(design_, s.layer, *p, s.pe, probed);
  // A bit-serial unit's latency counts from a beat's last cycle, as the
  // MVAU's depth does (pe_timing.h): the same for every weight width.
  const bool serial = design_.folding_of(s.layer).bit_serial;
  const int simd = lanes_simd(design_, s.layer);
  t.depth += probed - (serial ? rtl::mvau_lanes_bitserial_latency(simd, 1) : models::pe_lanes_latency(l, simd));
  int64_t per_vector = 0;  // iterations of the stage's loop a vector
  for (const auto& g : groups) {
    rtl_units_.push_back({s.name, g.get()});
    per_vector += g->rows() / s.pe * g->folds() * g->beat_cycles();
  }
  const int64_t per_frame = l.output_pixels() * per_vector;
  // The output unit on RTL too, its probed latency in place of the single
  // source's figure in the depth, as the lanes'. A layer whose thresholds
  // are a stage of their own has none here: its MVAU or VVAU writes the
  // accumulators, and the threshold stage's unit runs in rtl_output_array.
  const bool output_here = !design_.folding_of(s.layer).separate_thresholds();
  auto output = output_here ? rtl_output_unit(design_, s.layer, *p, s.pe) : nullptr;
  int out = output_here ? models::output_unit_latency(l) : 0;
  if (output) {
    t.depth += output->latency() - out;
    out = output->latency();
    rtl_units_.push_back({s.name, output.get()});
  }
  return std::make_unique<RtlPeArray>(s.name, std::move(groups), s.pe, t.depth - out, out, per_frame,
                                      std::move(output));
}

// A standalone threshold stage or an add's output unit on RTL: its depth from
// the units' probed latency, as the MVAU's.
std::unique_ptr<RtlOutputArray> ProcessNetwork::rtl_output_array(const ir::StagePlan& s, const ir::Layer& l,
                                                                 const golden::LayerParams* p, PipelineTiming& t) {
  if (!p || !runs_on_rtl(design_, s.layer, opts_.backend)) return nullptr;
  auto unit = rtl_output_unit(design_, s.layer, *p, s.pe);
  if (!unit) return nullptr;
  // The threshold stage's depth is its unit's latency (at least 1), the
  // add's the adder's register + its output unit's latency.
  const int modelled = l.kind == ir::LayerKind::kAdd ? models::output_unit_latency(l)
                                                      : std::max(1, models::output_unit_latency(l));
  t.depth += unit->latency() - modelled;
  rtl_units_.push_back({s.name, unit.get()});
  const int64_t per_frame = l.output_pixels() * (l.out_shape.c / s.pe);
  return std::make_unique<RtlOutputArray>(s.name, std::move(unit), s.pe, t.depth, per_frame);
}

bool ProcessNetwork::run(const std::function<bool()>& should_pause) {
  if (has_systemc_stages())
    throw std::logic_error(
        "a network with SystemC-module stages runs under sc_start, not ProcessNetwork::run");
  return accel_->run(should_pause);
}

const models::InputDma& ProcessNetwork::input_dma() const {
  if (!input_) throw std::logic_error("this network's input DMA is not the built-in one");
  return *input_;
}

const models::OutputDma& ProcessNetwork::output_dma() const {
  if (!output_) throw std::logic_error("this network's output DMA is not the built-in one");
  return *output_;
}

bool ProcessNetwork::finished() const {
  return accel_->finished();
}

}  // namespace vine::sim
