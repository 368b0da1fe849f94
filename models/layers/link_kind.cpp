// The link stage kind: a cut stream of a design placed on a cluster's
// boards crossing the serial link between two boards (models/link/
// link_stage.h). The plan builder puts one on every edge of the layer graph
// whose producer and consumer run on different boards (docs/partition.md).
#include <cmath>

#include "models/layers/stage_kinds.h"
#include "models/link/link_stage.h"

namespace vine::kinds {

namespace {

// The link stage's words per frame and the link's cluster config.
const models::LinkConfig& link_of(const ir::StagePlan& s, const ir::Design& d) {
  return d.placement.cluster.links.at(size_t(s.link)).config;
}

int64_t words_per_frame(const ir::StagePlan& s, const models::LinkConfig& c) {
  return (s.in_words * s.in_stream_bits + c.block_bits() - 1) / c.block_bits();
}

}  // namespace

void register_link_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "link";
  k.role = "link";
  k.summary =
      "A cut stream crossing a serial link to the next board: a transmit adapter packs each frame's "
      "elements into words of 64 x lanes bits, the Aurora 64B/66B-style link carries them (rate, gaps, "
      "latency, flow control, CRC and go-back-N), a receive adapter unpacks them into the next board's "
      "input stream (docs/links.md).";
  k.params = input_stream_params();
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.params.push_back({"link", &ir::StagePlan::link, "the cluster link it crosses (its index)"});
  k.params.push_back(
      {"elem_signed", &ir::StagePlan::elem_signed, "its elements are signed: sign-extended when unpacked"});
  k.forwards_elements = true;
  k.on_stream = [](const StreamSite& site, ir::StagePlan& s) {
    s.in_stream_bits = s.out_stream_bits = site.in_bits;
    s.in_words = s.out_words = site.elements * site.elem_bits / site.in_bits;
  };
  k.make = [](const StageBuild& b) {
    const ir::StreamPlan& in = b.input(0);
    const models::LinkConfig& c = link_of(b.plan, b.design);
    models::LinkStage::Params p;
    p.link = c;
    p.clock_hz = std::llround(b.design.clock_mhz * 1e6);
    p.line_bps = std::llround(c.line_rate_gbps * 1e9);
    p.frames = b.frames;
    p.beats_per_frame = in.words;
    p.elements_per_beat = in.elements_per_word();
    p.elem_bits = in.elem_bits;
    p.elem_signed = b.plan.elem_signed;
    return std::make_unique<models::LinkStage>(b.plan.name, p);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) { return models::PipelineTiming{0, -1}; };
  // The saturated link's cycles per frame in the accelerator's clock (the
  // closed form vine partition uses), rounded up; its latency adds to a
  // frame's, not to the interval.
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    const models::LinkConfig& c = link_of(s, d);
    const double cycles = c.saturated_cycles(words_per_frame(s, c)) * d.clock_mhz / c.user_clock_mhz();
    return int64_t(std::ceil(cycles - 1e-9));
  };
  // No resources counted: the transceivers and the Aurora core belong to the
  // board's shell, as the DMAs do.
  r.add(std::move(k), ir::StageKind::kLink);
}

}  // namespace vine::kinds
