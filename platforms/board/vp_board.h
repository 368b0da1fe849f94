// The virtual platform's board (docs/vp.md): the streaming accelerator with
// DDR-attached DMAs, its control registers and interrupt line, the DDR, and
// the interconnect the host reaches them through.
//
//   board.router (host socket) --+-- ctrl   registers, 4 KiB at ctrl_base
//                                +-- ddr    at 0, the device's capacity
//   accel.input_dma  (MM2S, TLM initiator) -- ddr
//   accel.output_dma (S2MM, TLM initiator) -- ddr
//   ctrl.irq --> board.irq (level)
//
// The board is the registers' JobRunner: a START hands the job to the input
// DMA, whose frame tickets tell the output DMA where each frame goes; the
// output DMA reports the cycle the job's last write completed, and the
// registers raise DONE and the interrupt then.
//
// Every START runs each layer stage's loop once over the job's frames, as a
// host call with the batch size does on FINN's and BNN-PYNQ's hardware; the
// loops count frames in `int`, so a session runs at most `frame_budget`
// frames, and a START beyond it is refused with cause 4.
#pragma once

#include <memory>
#include <optional>
#include <systemc>

#include "models/dma/dma_job.h"
#include "models/dma/mm2s_dma.h"
#include "models/dma/s2mm_dma.h"
#include "models/memory/ddr_memory.h"
#include "platforms/board/address_router.h"
#include "platforms/board/control_registers.h"
#include "sim/golden/network_params.h"
#include "sim/ir/design.h"
#include "sim/run/process_network.h"

namespace vine::platforms {

struct VpConfig {
  uint64_t seed = 1;  // the synthetic weights and thresholds (as vine run / vine reference)
  // Bytes per DMA transaction, at most (AXI4 bursts stop at 4 KiB boundaries).
  int64_t transfer_bytes = 4096;
  int dma_buffers = 2;           // transactions' worth of buffer per DMA (double buffering)
  int64_t frame_budget = 1000000000;  // frames a session may run (the loops count in int)
  int register_access_cycles = 4;  // an AXI-Lite access's round trip, accelerator cycles
  std::optional<models::DdrConfig> ddr;  // default: the design's device
  sim::BackendChoice backend = sim::BackendChoice::kDesign;
  bool record = false;  // keep register accesses, DMA transactions, interrupt changes (traces)
};

class VpBoard : public sc_core::sc_module, public JobRunner {
 public:
  sc_core::sc_signal<bool> irq;

  VpBoard(sc_core::sc_module_name name, const ir::Design& d, const VpConfig& c);
  ~VpBoard() override;
  const char* kind() const override { return "vine_vp_board"; }

  // Where the host finds things.
  tlm_utils::simple_target_socket<AddressRouter>& host_socket() { return router_->host; }
  uint64_t ctrl_base() const { return ctrl_base_; }
  uint64_t ddr_base() const { return 0; }
  uint64_t ddr_bytes() const { return ddr_->config().capacity(); }
  const sc_core::sc_time& clock() const { return clock_; }

  const ir::Design& design() const { return d_; }
  const models::DmaGeometry& input_geometry() const { return in_; }
  const models::DmaGeometry& output_geometry() const { return out_; }
  models::DdrMemory& ddr() { return *ddr_; }
  const models::DdrMemory& ddr() const { return *ddr_; }
  ControlRegisters& ctrl() { return *ctrl_; }
  const ControlRegisters& ctrl() const { return *ctrl_; }
  const sim::ProcessNetwork& network() const { return *pn_; }
  const models::Mm2sDma& input_dma() const { return *mm2s_; }
  const models::S2mmDma& output_dma() const { return *s2mm_; }

  struct JobRecord {
    uint64_t id = 0;
    uint32_t frames = 0;
    int64_t start_cycle = 0, done_cycle = -1;  // done -1: abandoned or running
    bool abandoned = false;
    uint64_t stall_cycles = 0;  // waits for DDR (STALL_CYCLES' share)
  };
  const std::vector<JobRecord>& jobs() const { return jobs_; }

  // The DDR's bound on the interval, in accelerator cycles (rounded up): the
  // channel time of one frame's transactions, its input reads and its
  // output writes, whole bursts, at the sustained rate, for burst-aligned
  // buffers on one channel. A frame cannot complete more often than this.
  int64_t ddr_frame_cycles() const;
  // The pipeline's own interval, the analytic estimate's (`vine estimate`).
  int64_t pipeline_interval_cycles() const { return pipeline_interval_; }

  // JobRunner
  void start_job(const Job& job) override;
  void abort_job() override;
  Counters counters() const override;
  void reset_counters() override;
  bool fits(uint32_t frames) const override;

 private:
  void job_done(uint64_t id);
  int64_t now_cycle() const;
  uint64_t ddr_stall_total() const;

  const ir::Design& d_;
  VpConfig c_;
  sc_core::sc_time clock_;
  uint64_t ctrl_base_ = 0;
  int64_t pipeline_interval_ = 0;
  golden::NetworkParams params_;
  models::DmaGeometry in_, out_;
  models::JobTickets tickets_;
  models::Mm2sDma* mm2s_ = nullptr;
  models::S2mmDma* s2mm_ = nullptr;
  std::unique_ptr<models::DdrMemory> ddr_;
  std::unique_ptr<sim::ProcessNetwork> pn_;
  std::unique_ptr<ControlRegisters> ctrl_;
  std::unique_ptr<AddressRouter> router_;
  std::vector<JobRecord> jobs_;
  uint64_t frames_requested_ = 0;
  // Counter bases at the last RESET, and the running job's starting figures.
  uint64_t frames_done_base_ = 0, ddr_bytes_base_ = 0, stall_total_ = 0;
  uint64_t job_in_stall0_ = 0, job_out_stall0_ = 0;
  int64_t job_idle_ = 0;
};

}  // namespace vine::platforms
