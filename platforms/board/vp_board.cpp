#include "platforms/board/vp_board.h"

#include <algorithm>
#include <stdexcept>

#include "platforms/board/register_map.h"
#include "sim/estimate/estimate.h"

namespace vine::platforms {

namespace {

models::BeatFormat format_of(const ir::StreamPlan& s, const arith::ActivationType& t) {
  return {s.bits / s.elem_bits, s.elem_bits, t.min_code() < 0};
}

uint32_t format_register(const models::BeatFormat& f) {
  return regs::format_value(f.lanes, f.elem_bits, f.is_signed);
}

models::DdrConfig ddr_of(const ir::Design& d, const VpConfig& c) {
  if (c.ddr) return *c.ddr;
  if (d.device.ddr_channels <= 0)
    throw std::invalid_argument("design " + d.name + ": its device " + d.device.name +
                                " has no DDR (ddr: channels in the device config), which the "
                                "virtual platform needs");
  return models::DdrConfig::from_device(d.device);
}

}  // namespace

VpBoard::VpBoard(sc_core::sc_module_name name, const ir::Design& d, const VpConfig& c)
    : sc_module(name), irq("irq"), d_(d), c_(c), clock_(1e3 / d.clock_mhz, sc_core::SC_NS) {
  const models::DdrConfig ddr = ddr_of(d, c);
  if (const std::string e = ddr.check(); !e.empty())
    throw std::invalid_argument("design " + d.name + ": DDR: " + e);
  if (c.transfer_bytes <= 0 || c.dma_buffers <= 0 || c.frame_budget <= 0 ||
      c.frame_budget > 2000000000)
    throw std::invalid_argument(
        "virtual platform: transfer_bytes and dma_buffers must be positive and frame_budget in "
        "[1, 2x10^9]");
  ddr_ = std::make_unique<models::DdrMemory>("ddr", ddr);
  const uint64_t capacity = ddr.capacity();
  ctrl_base_ = capacity <= 0xA0000000ull ? 0xA0000000ull : (capacity + 0xFFFFFFFFull) & ~0xFFFFFFFFull;

  // The frames' geometry: the streams leaving the input DMA and entering the output DMA.
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  const ir::StreamPlan& in_stream = plan.streams[size_t(plan.stages.front().outputs.at(0))];
  const ir::StreamPlan& out_stream = plan.streams[size_t(plan.stages.back().inputs.at(0))];
  auto geometry = [&](const ir::StreamPlan& s, const arith::ActivationType& t) {
    models::DmaGeometry g;
    g.clock = clock_;
    g.beats_per_frame = s.words;
    g.format = format_of(s, t);
    g.transfer_beats = std::max<int64_t>(1, c.transfer_bytes / g.format.beat_bytes());
    g.buffers = c.dma_buffers;
    return g;
  };
  in_ = geometry(in_stream, d.network.input_type);
  out_ = geometry(out_stream, d.network.output_layer().out_type);

  pipeline_interval_ = estimate::estimate_design(d).interval_cycles;
  params_ = golden::synthesize_params(d.network, c.seed);
  sim::ElaborationOptions eo;
  eo.frames = 0;  // every job queues its run of the stages' loops (start_job)
  eo.backend = c.backend;
  eo.stage_models[plan.stages.front().name] = [this](const ir::StagePlan& s) {
    auto m = std::make_unique<models::Mm2sDma>(s.name, in_, tickets_);
    mm2s_ = m.get();
    return std::unique_ptr<models::Stage>(std::move(m));
  };
  eo.stage_models[plan.stages.back().name] = [this](const ir::StagePlan& s) {
    auto m = std::make_unique<models::S2mmDma>(s.name, out_, tickets_);
    s2mm_ = m.get();
    return std::unique_ptr<models::Stage>(std::move(m));
  };
  pn_ = std::make_unique<sim::ProcessNetwork>(d, eo, &params_, sim::ProcessNetwork::InputFrames{},
                                              models::OutputDma::FrameSink{});
  for (const auto& s : pn_->stages())
    if (s.get() != mm2s_ && s.get() != s2mm_ && !s->can_queue_frames())
      throw std::invalid_argument("design " + d.name + ": stage " + s->name() + " (" + s->kind() +
                                  ") cannot run one loop per job, which the virtual platform needs");
  // DDR initiators in binding order: 0 input DMA, 1 output DMA, 2 the host.
  mm2s_->socket.bind(ddr_->socket);
  s2mm_->socket.bind(ddr_->socket);
  s2mm_->on_job_done = [this](uint64_t id) { job_done(id); };

  ControlRegisters::Geometry g;
  g.clock = clock_;
  g.ddr_base = 0;
  g.ddr_bytes = capacity;
  g.in_frame_bytes = in_.frame_bytes();
  g.out_frame_bytes = out_.frame_bytes();
  g.in_format = format_register(in_.format);
  g.out_format = format_register(out_.format);
  g.access_cycles = c.register_access_cycles;
  ctrl_ = std::make_unique<ControlRegisters>("ctrl", g, *this);
  ctrl_->irq.bind(irq);
  ctrl_->record_accesses(c.record);
  mm2s_->record_transactions(c.record);
  s2mm_->record_transactions(c.record);

  router_ = std::make_unique<AddressRouter>("router");
  router_->add_window("ctrl", ctrl_base_, regs::kMapBytes);
  router_->add_window("ddr", 0, capacity);
  router_->targets.bind(ctrl_->socket);
  router_->targets.bind(ddr_->socket);
}

VpBoard::~VpBoard() = default;

int64_t VpBoard::now_cycle() const {
  return int64_t(sc_core::sc_time_stamp().value() / clock_.value());
}

void VpBoard::start_job(const Job& job) {
  const uint64_t id = jobs_.size() + 1;
  const int64_t start = in_.cycle_at_or_after(sc_core::sc_time_stamp());
  // Stall accounting: the input DMA's wait before this job's first beat
  // counts from its last beat, so the idle time before START is taken off.
  job_in_stall0_ = uint64_t(mm2s_->stats().stalled_input);
  job_out_stall0_ = uint64_t(s2mm_->stats().stalled_output);
  job_idle_ = std::max<int64_t>(0, start - (mm2s_->local_cycle() + 1));
  jobs_.push_back({id, job.frames, start});
  frames_requested_ += job.frames;
  // One invocation of every layer's loop per job (docs/vp.md, "Jobs").
  models::Accelerator& accel = pn_->accelerator();
  for (const auto& s : pn_->stages()) {
    if (s.get() == mm2s_ || s.get() == s2mm_) continue;
    s->queue_frames(job.frames);
    accel.scheduler().wake(s.get());
  }
  accel.kick();
  mm2s_->start({id, job.in_addr, job.out_addr, job.frames, start});
}

void VpBoard::abort_job() {
  if (jobs_.empty()) return;
  JobRecord& r = jobs_.back();
  if (r.done_cycle >= 0 || r.abandoned) return;
  r.abandoned = true;
  tickets_.abandon(r.id);
  mm2s_->abort();
}

void VpBoard::job_done(uint64_t id) {
  JobRecord& r = jobs_.at(size_t(id - 1));
  if (r.abandoned) return;
  r.done_cycle = now_cycle();
  const int64_t in_wait =
      int64_t(uint64_t(mm2s_->stats().stalled_input) - job_in_stall0_) - job_idle_;
  r.stall_cycles = uint64_t(std::max<int64_t>(0, in_wait)) +
                   (uint64_t(s2mm_->stats().stalled_output) - job_out_stall0_);
  stall_total_ += r.stall_cycles;
  ctrl_->job_done();
}

JobRunner::Counters VpBoard::counters() const {
  Counters k;
  const uint64_t done = s2mm_->frames_done_by(now_cycle());
  k.frames_done = done > frames_done_base_ ? done - frames_done_base_ : 0;
  k.stall_cycles = stall_total_;
  k.ddr_bytes = mm2s_->dma_stats().bytes + s2mm_->dma_stats().bytes - ddr_bytes_base_;
  return k;
}

void VpBoard::reset_counters() {
  // Every frame recorded so far is from before the reset, even the writes
  // still completing: frames of an abandoned job not yet written are dropped.
  frames_done_base_ = s2mm_->frame_done_cycles().size();
  ddr_bytes_base_ = mm2s_->dma_stats().bytes + s2mm_->dma_stats().bytes;
  stall_total_ = 0;
}

int64_t VpBoard::ddr_frame_cycles() const {
  const models::DdrTiming& t = ddr_->timing();
  uint64_t ddr_cycles = 0;
  for (const models::DmaGeometry* g : {&in_, &out_}) {
    const uint64_t bb = uint64_t(g->format.beat_bytes());
    for (int64_t rel = 0; rel < g->beats_per_frame; rel += g->transfer_at(rel)) {
      const auto per_channel = t.channel_bytes(uint64_t(rel) * bb, uint64_t(g->transfer_at(rel)) * bb);
      for (uint64_t bytes : per_channel) ddr_cycles += t.occupancy_cycles(bytes);
    }
  }
  const sc_core::sc_time time = t.cycles_time(ddr_cycles);
  return int64_t((time.value() + clock_.value() - 1) / clock_.value());
}

bool VpBoard::fits(uint32_t frames) const {
  return frames_requested_ + frames <= uint64_t(c_.frame_budget);
}

}  // namespace vine::platforms
