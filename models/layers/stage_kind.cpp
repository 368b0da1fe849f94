#include "models/layers/stage_kind.h"

#include <stdexcept>

#include "models/layers/stage_kinds.h"

namespace vine::kinds {

const char* StageParam::type() const {
  switch (field.index()) {
    case 0:
      return "int";
    case 1:
      return "int64";
    default:
      return "bool";
  }
}

int64_t StageParam::value(const ir::StagePlan& s) const {
  return std::visit([&](auto member) { return int64_t(s.*member); }, field);
}

std::vector<StageParam> input_stream_params() {
  return {{"in_stream_bits", &ir::StagePlan::in_stream_bits,
           "width of the stream it reads, bits per beat"},
          {"in_words", &ir::StagePlan::in_words, "beats it reads per frame"}};
}

std::vector<StageParam> output_stream_params() {
  return {{"out_stream_bits", &ir::StagePlan::out_stream_bits,
           "width of the stream it writes, bits per beat"},
          {"out_words", &ir::StagePlan::out_words, "beats it writes per frame"}};
}

int LayerSite::input_lanes() const {
  return ir::window_input_bits(layer, folding) / layer.in_type.bits;
}

const ir::Layer& StageBuild::layer() const {
  if (plan.layer < 0) throw std::logic_error("stage " + plan.name + " belongs to no layer");
  return design.network.layers.at(size_t(plan.layer));
}

bool StageBuild::weights_streamed() const {
  for (int id : plan.inputs)
    if (stage_kinds()[network.stages.at(size_t(network.streams.at(size_t(id)).producer)).kind].name ==
        "weight_streamer")
      return true;
  return false;
}

std::unique_ptr<models::WeightLanes> StageBuild::weight_lanes() const {
  return params ? std::make_unique<models::WeightLanes>(layer()) : nullptr;
}

const ir::StreamPlan& StageBuild::input(int port) const {
  return network.streams.at(size_t(plan.inputs.at(size_t(port))));
}

models::OutputUnit StageBuild::output_unit() const {
  static const golden::LayerParams none;  // timing only: the unit's kind without parameters
  // A layer whose thresholds are a stage of their own: its MVAU or VVAU
  // writes the raw accumulators, and the threshold stage applies them.
  if (design.folding_of(plan.layer).separate_thresholds() && stage_kinds().family(stage_kinds()[plan.kind]) != "threshold") {
    ir::Layer raw;
    raw.kind = ir::LayerKind::kFc;
    raw.output.kind = ir::OutputKind::kAccumulator;
    return models::OutputUnit(raw, none);
  }
  return models::OutputUnit(layer(), params ? *params : none);
}

void plan_pe_streams(const LayerSite& site, ir::StagePlan& s) {
  const ir::Layer& l = site.layer;
  const int pe = site.folding.pe;
  s.in_stream_bits = pe * l.in_type.bits;
  s.out_stream_bits = pe * l.out_type.bits;
  s.in_words = l.in_shape.elements() / pe;
  s.out_words = l.out_shape.elements() / pe;
}

}  // namespace vine::kinds
