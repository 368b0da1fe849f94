// The compute engine's control block: the registers of
// engine_register_map.h on a TLM-2.0 target socket (AXI-Lite: 32-bit,
// aligned) and the interrupt line, on the register block the streaming
// accelerator's (control_registers.h) stands on too (register_block.h: the
// socket, the access checks, the line): time computed, not ticked; bad
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
#include "platforms/board/register_block.h"

namespace vine::platforms {

class EngineRegisters : public RegisterBlock {
 public:
  struct Geometry {
    sc_core::sc_time clock;
    uint64_t ddr_bytes = 0;
    uint64_t in_frame_bytes = 0, out_frame_bytes = 0;
    uint32_t layers = 0;  // the engine's plan's
    int access_cycles = 1;
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

  // The engine's word: the job's last output row is in DDR (now).
  void job_done();
  // The engine refused the job (its descriptors): STATUS.ERROR, CAUSE, ERROR_LAYER.
  void job_refused(uint32_t cause, uint32_t layer);

 private:
  uint32_t read(uint32_t offset) override;
  void write(const regs::Register& r, uint32_t value) override;
  void start();
  void refuse(uint32_t cause, uint32_t layer);
  void update_irq();
  uint64_t busy_cycles() const;

  Geometry g_;
  Runner runner_;
  uint32_t ctrl_ = 0, status_ = 1, irq_enable_ = 0, irq_status_ = 0, frames_ = 0, layers_ = 0;
  uint32_t start_ignored_ = 0, error_layer_ = 0;
  uint64_t in_addr_ = 0, out_addr_ = 0, desc_addr_ = 0;
  bool busy_ = false;
  sc_core::sc_time job_start_;
  uint64_t busy_before_ = 0, frames_base_ = 0, ddr_base_ = 0;
  uint32_t latched_hi_[2] = {0, 0};
};

}  // namespace vine::platforms
