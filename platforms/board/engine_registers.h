// The compute engine's control block: the registers of
// engine_register_map.h on a TLM-2.0 target socket (AXI-Lite: 32-bit,
// aligned) and the interrupt line, on the register block and the job's
// registers the streaming accelerator's (control_registers.h) stands on too
// (register_block.h: the socket, the access checks, the line;
// job_registers.h: CTRL, STATUS, the interrupt, the frames, the counters):
// time computed, not ticked; bad
// software answered as hardware would (an unmapped offset a TLM address
// error, a write to a read-only register a command error). START checks
// what the registers alone can (FRAMES, the frames and the descriptor table
// inside DDR, LAYERS); the engine checks the descriptors when it reads them
// and refuses through job_refused().
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>

#include "platforms/board/engine_register_map.h"
#include "platforms/board/job_registers.h"

namespace vine::platforms {

class EngineRegisters : public JobRegisters {
 public:
  struct Geometry : JobRegisters::Geometry {  // ddr_base 0: the engine's board has its DDR at 0
    uint32_t layers = 0;                        // the engine's plan's
    uint32_t config_id = 0;                     // CONFIG_ID
  };
  struct Job {
    uint64_t in_addr = 0, out_addr = 0, desc_addr = 0;
    uint32_t frames = 0, layers = 0;
  };
  // The engine: `start` at the START's time, `abort` at a RESET's, and the
  // counters (frames done, DDR bytes) at the current time.
  struct Runner {
    std::function<void(const Job&)> start;
    std::function<void()> abort;
    std::function<uint64_t()> frames_done, ddr_bytes;
  };
  EngineRegisters(sc_core::sc_module_name name, const Geometry& g, Runner runner);
  const char* kind() const override { return "vine_engine_registers"; }

  // The engine refused the job (its descriptors): STATUS.ERROR, CAUSE, ERROR_LAYER.
  void job_refused(uint32_t cause, uint32_t layer);

 private:
  // Beyond the job's registers: the descriptor table (DESC_ADDR, LAYERS,
  // DESC_BYTES), ERROR_LAYER and CONFIG_ID; START's checks of them.
  bool read_own(uint32_t offset, uint32_t& value) override;
  void write_own(const regs::Register& r, uint32_t value) override;
  uint32_t own_start_cause() override;
  void start_job() override;
  void abort_job() override { runner_.abort(); }
  void reset_counters() override;
  uint64_t frames_done() override { return runner_.frames_done() - frames_base_; }
  uint64_t ddr_bytes() override { return runner_.ddr_bytes() - ddr_base_; }

  uint32_t layers_in_plan_, config_id_;
  Runner runner_;
  uint32_t layers_ = 0, error_layer_ = 0;
  uint64_t desc_addr_ = 0;
  uint64_t frames_base_ = 0, ddr_base_ = 0;
};

}  // namespace vine::platforms
