// The compute engine's board (docs/engine-vp.md): the engine behind its
// control registers, its DMA a TLM-2.0 initiator on the board's DDR, and the
// interconnect the host reaches both through.
//
//   board.router (host socket) --+-- ctrl   engine registers, 4 KiB at ctrl_base
//                                +-- ddr    at 0, the device's capacity
//   engine DMA (TLM initiator, DDR binding 0) -- ddr   (the host is binding 1)
//   ctrl.irq --> board.irq (level)
//
// A START hands the job to the engine's thread: it reads the layer-
// descriptor table from DDR through its DMA, checks every descriptor
// against its plan (engine_descriptor.h) and refuses the job at the first
// bad one, or runs the job's frames one after another, each layer's
// transfers at the descriptors' addresses, and raises DONE in the cycle the
// last frame's last output row is in DDR.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "models/engine/compute_engine.h"
#include "models/memory/ddr_memory.h"
#include "platforms/board/address_router.h"
#include "platforms/board/engine_descriptor.h"
#include "platforms/board/engine_registers.h"
#include "platforms/board/vp_board.h"
#include "sim/golden/network_params.h"
#include "sim/ir/design.h"

namespace vine::platforms {

class EngineBoard : public sc_core::sc_module {
 public:
  sc_core::sc_signal<bool> irq;
  tlm_utils::simple_initiator_socket<EngineBoard> engine_socket;  // the engine's DMA

  // `c`: the seed (the output stages' parameters), the register access
  // cost and the DDR; the streaming DMAs' fields do not apply.
  EngineBoard(sc_core::sc_module_name name, const ir::Design& d, const VpConfig& c);
  ~EngineBoard() override;
  const char* kind() const override { return "vine_engine_board"; }

  tlm_utils::simple_target_socket<AddressRouter>& host_socket() { return router_->host; }
  uint64_t ctrl_base() const { return ctrl_base_; }
  uint64_t ddr_bytes() const { return ddr_->config().capacity(); }
  const sc_core::sc_time& clock() const { return clock_; }
  const ir::Design& design() const { return d_; }
  const engine::EnginePlan& plan() const { return engine_->plan(); }
  const golden::NetworkParams& params() const { return params_; }
  models::DdrMemory& ddr() { return *ddr_; }
  const models::DdrMemory& ddr() const { return *ddr_; }

  struct JobRecord {
    uint32_t frames = 0;
    int64_t start_cycle = 0;
    int64_t descriptors_done = -1;                     // the cycle the table was read
    int64_t done_cycle = -1;                           // -1: refused, abandoned or running
    DescriptorCheck refusal;                           // cause 0: accepted
    std::vector<engine::EngineFigures> frame_figures;  // per frame run
    bool abandoned = false;
  };
  const std::vector<JobRecord>& jobs() const { return jobs_; }
  // An error that stopped the engine's thread (a DMA error response), or "".
  const std::string& failure() const { return failure_; }

 private:
  void run_jobs();  // the engine's controller: the thread
  void wait_until_cycle(int64_t cycle);

  const ir::Design& d_;
  VpConfig c_;
  sc_core::sc_time clock_;
  uint64_t ctrl_base_ = 0;
  golden::NetworkParams params_;
  std::unique_ptr<models::DdrMemory> ddr_;
  std::unique_ptr<models::ComputeEngine> engine_;
  std::unique_ptr<EngineRegisters> ctrl_;
  std::unique_ptr<AddressRouter> router_;
  std::vector<JobRecord> jobs_;
  std::vector<int64_t> frame_done_cycles_;
  EngineRegisters::Job pending_;
  bool has_pending_ = false;
  uint64_t started_ = 0, abandoned_ = 0;  // job ids: the last started, the last abandoned by RESET
  sc_core::sc_event start_event_;
  std::string failure_;
};

}  // namespace vine::platforms
