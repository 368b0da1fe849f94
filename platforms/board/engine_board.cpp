#include "platforms/board/engine_board.h"

#include <stdexcept>

#include "platforms/board/engine_image.h"
#include "sim/engine/engine_estimate.h"

namespace vine::platforms {

EngineBoard::EngineBoard(sc_core::sc_module_name name, const ir::Design& d, const VpConfig& c)
    : sc_module(name),
      irq("irq"),
      engine_socket("engine_socket"),
      d_(d),
      c_(c),
      clock_(engine::engine_clock_period(d.clock_mhz)) {
  models::DdrConfig ddr;
  if (c.ddr) {
    ddr = *c.ddr;
  } else {
    if (d.device.ddr_channels <= 0)
      throw std::invalid_argument("design " + d.name + ": its device " + d.device.name +
                                  " has no DDR (ddr: channels in the device config), which the "
                                  "compute engine's board needs");
    ddr = models::DdrConfig::from_device(d.device);
  }
  if (const std::string e = ddr.check(); !e.empty())
    throw std::invalid_argument("design " + d.name + ": DDR: " + e);
  ddr_ = std::make_unique<models::DdrMemory>("ddr", ddr);
  const uint64_t capacity = ddr.capacity();
  ctrl_base_ =
      capacity <= 0xA0000000ull ? 0xA0000000ull : (capacity + 0xFFFFFFFFull) & ~0xFFFFFFFFull;
  params_ = golden::synthesize_params(d.network, c.seed);
  engine_ = std::make_unique<models::ComputeEngine>(
      d, params_, [this](tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
        engine_socket->b_transport(p, delay);
      });
  if (engine_->plan().ddr_bytes > capacity)
    throw std::invalid_argument("design " + d.name + ": the engine's DDR layout takes " +
                                std::to_string(engine_->plan().ddr_bytes) + " bytes, the DDR has " +
                                std::to_string(capacity));
  // DDR initiators in binding order: 0 the engine's DMA, 1 the host.
  engine_socket.bind(ddr_->socket);

  const std::vector<LayerRegions> regions = layer_regions(d, engine_->plan());
  EngineRegisters::Geometry g;
  g.clock = clock_;
  g.ddr_bytes = capacity;
  g.in_frame_bytes = regions.at(0).input_bytes.at(0);
  g.out_frame_bytes = regions.back().output_bytes;
  g.layers = uint32_t(engine_->plan().layers.size());
  // One element a "beat", in whole bytes (models/engine/engine_ddr_image.h).
  auto format = [](const auto& t) {
    return regs::format_value(1, int(8 * engine::element_bytes(t.bits)), t.min_code() < 0);
  };
  g.in_format = format(d.network.input_type);
  g.out_format = format(d.network.layers.back().out_type);
  g.config_id = engine_config_id(params_);
  g.access_cycles = c.register_access_cycles;
  EngineRegisters::Runner runner;
  runner.start = [this](const EngineRegisters::Job& j) {
    pending_ = j;
    has_pending_ = true;
    start_event_.notify(sc_core::SC_ZERO_TIME);
  };
  // RESET: the running job stops after its current frame (see run_jobs); a
  // job started after the RESET is another job, which this does not touch.
  runner.abort = [this] {
    has_pending_ = false;  // a START in this time step the thread has not taken up yet
    abandoned_ = started_;
  };
  runner.frames_done = [this] {
    const int64_t now = int64_t(sc_core::sc_time_stamp().value() / clock_.value());
    uint64_t n = 0;
    for (int64_t c : frame_done_cycles_) n += c <= now;
    return n;
  };
  runner.ddr_bytes = [this] {
    const models::EngineDma::Stats& s = engine_->dma().stats();
    return s.bytes_read + s.bytes_written;
  };
  ctrl_ = std::make_unique<EngineRegisters>("ctrl", g, runner);
  ctrl_->irq.bind(irq);

  router_ = std::make_unique<AddressRouter>("router");
  router_->add_window("ctrl", ctrl_base_, regs::kMapBytes);
  router_->add_window("ddr", 0, capacity);
  router_->targets.bind(ctrl_->socket);
  router_->targets.bind(ddr_->socket);

  SC_HAS_PROCESS(EngineBoard);
  SC_THREAD(run_jobs);
}

EngineBoard::~EngineBoard() = default;

void EngineBoard::wait_until_cycle(int64_t cycle) {
  const sc_core::sc_time at = clock_ * double(cycle), now = sc_core::sc_time_stamp();
  if (at > now) sc_core::wait(at - now);
}

void EngineBoard::run_jobs() {
  for (;;) {
    while (!has_pending_) sc_core::wait(start_event_);
    has_pending_ = false;
    const EngineRegisters::Job job = pending_;
    const uint64_t id = ++started_;
    auto abandoned = [&] { return abandoned_ == id; };
    JobRecord rec;
    rec.frames = job.frames;
    rec.start_cycle = engine::engine_cycles(sc_core::sc_time_stamp(), clock_);
    try {
      // The descriptor table, in one read of the engine's DMA.
      std::vector<uint8_t> bytes;
      int64_t cycle = engine_->dma().read({job.desc_addr, uint64_t(job.layers) * kDescriptorBytes},
                                          rec.start_cycle, bytes, "the layer descriptors");
      rec.descriptors_done = cycle;
      const std::vector<LayerDescriptor> table = decode_descriptors(bytes.data(), job.layers);
      rec.refusal = check_descriptors(d_, engine_->plan(), table, ddr_bytes());
      if (rec.refusal.cause != 0) {
        wait_until_cycle(cycle);
        rec.abandoned = abandoned();
        SC_REPORT_INFO("vine/engine",
                       (std::string(name()) + ": job refused: " + rec.refusal.message).c_str());
        jobs_.push_back(rec);
        if (!rec.abandoned) ctrl_->job_refused(rec.refusal.cause, rec.refusal.layer);
        continue;
      }
      for (uint32_t f = 0; f < job.frames && !abandoned(); ++f) {
        const engine::EnginePlan placed =
            relocate(d_, engine_->plan(), table, job.in_addr, job.out_addr, f);
        engine::EngineFigures figures;
        cycle = engine_->run(cycle, figures, placed);
        rec.frame_figures.push_back(std::move(figures));
        frame_done_cycles_.push_back(cycle);
      }
      wait_until_cycle(cycle);
      rec.abandoned = abandoned();
      if (!rec.abandoned) rec.done_cycle = cycle;
      jobs_.push_back(rec);
      if (!rec.abandoned) ctrl_->job_done();
    } catch (const std::exception& e) {
      // A DMA error response: the engine stops; the driver sees no DONE.
      failure_ = e.what();
      jobs_.push_back(rec);
      SC_REPORT_WARNING("vine/engine", (std::string(name()) + ": " + failure_).c_str());
    }
  }
}

}  // namespace vine::platforms
