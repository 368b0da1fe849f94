#include "sim/run/run_metrics.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include "models/layers/dma.h"
#include "models/layers/weight_streamer.h"
#include "models/link/link_stage.h"
#include "sim/run/run_diagnosis.h"

namespace vine::sim {

namespace {

// Per layer with weights in DDR: its traffic, the bandwidth it reached and
// what waiting for weights cost; the same per DMA whose frames are in DDR;
// per DDR channel: how busy its grants kept it.
void add_weight_streams(const ProcessNetwork& pn, const ir::Design& d, RunReport& r) {
  for (const auto& st : pn.stages()) {
    const auto* ws = dynamic_cast<const models::WeightStreamer*>(st.get());
    if (!ws) continue;
    const models::StreamFifo* fifo = ws->outputs().front();
    const models::Stage* compute = fifo->consumer;
    RunReport::WeightStreamReport w;
    w.layer = d.network.layers[size_t(ws->stream().layer)].name;
    w.streamer = ws->name();
    w.compute = compute->name();
    w.channel = ws->stream().chunks.front().channel;
    const ir::LayerFolding& f = d.folding_of(ws->stream().layer);
    w.schedule = ir::to_string(f.weight_schedule);
    w.format = ir::to_string(f.weight_compression);
    w.bytes_per_frame = ws->stream().ddr_bytes_per_frame();
    w.words = fifo->written();
    for (size_t p = 0; p < compute->inputs().size(); ++p)
      if (compute->inputs()[p] == fifo) w.stalled_for_weights = compute->stats().stalled_on_input[p];
    w.stalled_for_grant = ws->stats().stalled_grant;
    r.weight_streams.push_back(w);
  }
  for (const auto& st : pn.stages()) {
    const models::FrameChunks* memory = nullptr;
    if (auto* in = dynamic_cast<const models::InputDma*>(st.get())) memory = &in->memory();
    if (auto* out = dynamic_cast<const models::OutputDma*>(st.get())) memory = &out->memory();
    if (!memory || !memory->in_ddr()) continue;
    const bool write = memory->transfer().write;
    const models::StreamFifo* fifo = write ? st->inputs().front() : st->outputs().front();
    const models::Stage* neighbour = write ? fifo->producer : fifo->consumer;
    RunReport::DmaDdrReport m;
    m.stage = st->name();
    m.neighbour = neighbour->name();
    m.channel = memory->transfer().chunks.front().channel;
    m.bytes_per_frame = memory->transfer().ddr_bytes_per_frame();
    m.beats = fifo->written();
    const auto& ports = write ? neighbour->outputs() : neighbour->inputs();
    const auto& stalls = write ? neighbour->stats().stalled_on_output : neighbour->stats().stalled_on_input;
    for (size_t p = 0; p < ports.size(); ++p)
      if (ports[p] == fifo) m.stalled_neighbour = stalls[p];
    m.stalled_for_grant = st->stats().stalled_grant;
    r.ddr_dmas.push_back(m);
  }
  for (size_t c = 0; c < pn.ddr_channels().size(); ++c) {
    const auto& port = pn.ddr_channels()[c];
    if (!port) continue;
    RunReport::DdrChannelReport ch;
    ch.channel = int(c);
    ch.grants = port->granted();
    ch.busy_cycles = port->busy_cycles();
    r.ddr_channels.push_back(ch);
  }
}

// Per cut stream of a placed design: its link's figures (LinkStats).
void add_links(const ProcessNetwork& pn, const ir::Design& d, RunReport& r) {
  for (const auto& st : pn.stages()) {
    const auto* ls = dynamic_cast<const models::LinkStage*>(st.get());
    if (!ls) continue;
    const ir::StagePlan* plan = nullptr;
    for (const auto& sp : pn.plan().stages)
      if (sp.name == ls->name()) plan = &sp;
    const ir::ClusterLink& cl = d.placement.cluster.links.at(size_t(plan->link));
    const models::LinkStats& s = ls->link().stats();
    const models::LinkConfig& c = cl.config;
    RunReport::LinkReport l;
    l.stage = ls->name();
    l.from = cl.from;
    l.to = cl.to;
    l.stream = ls->inputs().front()->name();
    l.lanes = c.lanes;
    l.line_rate_gbps = c.line_rate_gbps;
    l.user_clock_mhz = c.user_clock_mhz();
    l.beats = ls->beats_delivered();
    l.words_per_frame = ls->words_per_frame();
    l.payload_bytes = s.words_out * 8 * c.lanes;
    l.user_cycles = s.cycles;
    l.utilisation = s.utilisation();
    l.closed_form_cycles_per_frame = c.saturated_cycles(l.words_per_frame) * d.clock_mhz / c.user_clock_mhz();
    l.frames_sent = s.frames_sent;
    l.frames_resent = s.frames_resent;
    l.crc_errors = s.crc_errors;
    l.naks = s.naks;
    l.timeouts = s.timeouts;
    l.bits_flipped = s.bits_flipped;
    l.words_lost = s.words_lost;
    l.overflow_frames = s.overflow_frames;
    l.xoff_events = s.xoff_events;
    l.xoff_cycles = s.xoff_cycles;
    l.rx_fifo_words = c.rx_fifo_words;
    l.rx_peak_words = s.rx_peak_words;
    l.beat_latency_min = ls->beat_latency_min();
    l.beat_latency_max = ls->beat_latency_max();
    l.beat_latency_mean = ls->beat_latency_mean();
    l.word_latency_min = s.words_out ? s.latency_min : 0;
    l.word_latency_max = s.latency_max;
    l.word_latency_mean = s.latency_mean();
    l.frame_delivered_cycles = ls->frames_delivered();
    r.links.push_back(l);
  }
}

}  // namespace

Measurement measure_run(const ProcessNetwork& pn, const ir::Design& d) {
  Measurement m;
  RunReport& r = m.report;
  r.finished = pn.finished();
  m.first_input_write = pn.input_dma().stats().first_write;
  m.output_first_beat_cycles = pn.output_dma().first_beat_cycles();
  r.frame_last_out_cycles = pn.output_dma().last_beat_cycles();
  for (size_t i = 0; i < pn.stages().size(); ++i) {
    const models::Stage* s = pn.stages()[i].get();
    const auto& st = s->stats();
    StageReport sr;
    sr.name = s->name();
    sr.kind = s->kind();
    sr.layer = pn.plan().stages[i].layer;
    sr.busy = st.busy;
    sr.stalled_input = st.stalled_input;
    sr.stalled_output = st.stalled_output;
    sr.stalled_grant = st.stalled_grant;
    sr.first_out_cycle = st.first_write;
    sr.last_out_cycle = st.last_write;
    for (size_t p = 0; p < st.stalled_on_input.size(); ++p)
      if (st.stalled_on_input[p] > sr.worst_fifo_cycles) {
        sr.worst_fifo_cycles = st.stalled_on_input[p];
        sr.worst_fifo = s->inputs()[p]->name();
        sr.worst_fifo_full = false;
      }
    for (size_t p = 0; p < st.stalled_on_output.size(); ++p)
      if (st.stalled_on_output[p] > sr.worst_fifo_cycles) {
        sr.worst_fifo_cycles = st.stalled_on_output[p];
        sr.worst_fifo = s->outputs()[p]->name();
        sr.worst_fifo_full = true;
      }
    sr.state = to_string(s->state());
    if (s->blocked_on()) sr.blocked_on = s->blocked_on()->name();
    sr.local_cycle = s->local_cycle();
    r.stages.push_back(sr);
  }
  for (const auto& f : pn.fifos())
    r.fifos.push_back(
        {f->name(), f->depth(), f->capacity(), f->max_occupancy(), f->occupancy(), f->written()});
  add_weight_streams(pn, d, r);
  add_links(pn, d, r);
  for (const auto& u : pn.rtl_units())
    r.rtl_units.push_back(
        {u.stage, u.unit->config().key(), u.unit->latency(), u.unit->cycles(), u.unit->stall_cycles()});
  const models::FastForwardResult ff = pn.fast_forward();
  r.fast_forward = {ff.frames_skipped, ff.period_frames, ff.period_cycles, ff.from_frame,
                    ff.drifting,         ff.jumps,         pn.fast_forward_off_reason()};
  return m;
}

RunReport complete_report(Measurement m, const ProcessNetwork& pn, const ir::Design& d,
                          const estimate::Estimate& e, const SteadyState& steady) {
  RunReport r = std::move(m.report);
  r.design = d.name;
  r.clock_mhz = d.clock_mhz;
  r.frames = pn.frames();
  r.estimate_interval_cycles = e.interval_cycles;

  const int64_t first_in = m.first_input_write;
  const auto& last = r.frame_last_out_cycles;
  if (!last.empty()) {
    r.latency_cycles = last.front() - first_in + 1;
    r.cycles_total = last.back() - first_in + 1;
    r.cycles_from_start = last.back() + 1;
    r.cycles_per_frame_batch = double(r.cycles_total) / double(last.size());
    r.batch_fps = d.clock_mhz * 1e6 / r.cycles_per_frame_batch;
  }
  r.steady = steady;
  if (steady.reached) {
    r.interval_cycles = steady.interval_cycles();
    r.fps = d.clock_mhz * 1e6 / r.interval_cycles;
    // Each stage spends its closed-form cycles on every frame (tests/sim/
    // test_simulation.cpp), so p frames take at least p times the slowest
    // stage's: a faster steady state is a defect of the models or the rule.
    if (steady.period_cycles < e.interval_cycles * steady.period_frames) {
      std::ostringstream o;
      o << "steady interval " << steady.period_cycles << " cycles per " << steady.period_frames
        << " frame(s) is below the estimate's " << e.interval_cycles
        << " per frame, the slowest stage's cycles";
      throw std::logic_error(o.str());
    }
  }

  r.bottleneck_stages = e.bottleneck_stages;
  r.bottleneck_cycles = e.interval_cycles;
  r.bottleneck_ddr_channel = e.bottleneck_ddr_channel;
  // In pipeline order, as the estimate lists them (by producer, then
  // consumer), not in the order the network made them.
  std::map<std::string, size_t> pipeline_order;
  for (size_t i = 0; i < e.fifos.size(); ++i) pipeline_order.emplace(e.fifos[i].name, i);
  std::stable_sort(r.fifos.begin(), r.fifos.end(), [&](const FifoReport& a, const FifoReport& b) {
    const auto ia = pipeline_order.find(a.name), ib = pipeline_order.find(b.name);
    const size_t na = ia == pipeline_order.end() ? e.fifos.size() : ia->second;
    const size_t nb = ib == pipeline_order.end() ? e.fifos.size() : ib->second;
    return na < nb;
  });

  for (auto& w : r.weight_streams) w.gbytes_per_s = double(w.bytes_per_frame) * r.fps / 1e9;
  for (auto& dma : r.ddr_dmas) dma.gbytes_per_s = double(dma.bytes_per_frame) * r.fps / 1e9;
  for (auto& ch : r.ddr_channels)
    ch.utilisation = r.cycles_from_start ? double(ch.busy_cycles) / double(r.cycles_from_start) : 0;
  r.interval_explanation = explain_interval(r, e);

  if (!r.finished) {
    const DeadlockDiagnosis dd = diagnose_deadlock(pn, r);
    r.deadlock = dd.message;
    r.deadlock_cycle = dd.cycle;
  }
  return r;
}

RunReport make_report(const ProcessNetwork& pn, const ir::Design& d, const estimate::Estimate& e,
                      const SteadyState& steady) {
  return complete_report(measure_run(pn, d), pn, d, e, steady);
}

std::vector<std::string> output_cycle_differences(const RunReport& expected,
                                                  const RunReport& actual) {
  std::vector<std::string> diffs;
  if (expected.stages.size() != actual.stages.size()) {
    diffs.push_back("the runs have " + std::to_string(expected.stages.size()) + " and " +
                    std::to_string(actual.stages.size()) + " stages");
    return diffs;
  }
  for (size_t i = 0; i < expected.stages.size(); ++i) {
    const StageReport& e = expected.stages[i];
    const StageReport& a = actual.stages[i];
    if (e.first_out_cycle != a.first_out_cycle || e.last_out_cycle != a.last_out_cycle)
      diffs.push_back(e.name + ": first/last output cycle " + std::to_string(e.first_out_cycle) +
                      "/" + std::to_string(e.last_out_cycle) + " expected, " +
                      std::to_string(a.first_out_cycle) + "/" + std::to_string(a.last_out_cycle) +
                      " simulated");
  }
  return diffs;
}

}  // namespace vine::sim
