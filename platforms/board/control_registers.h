// The accelerator's control block: the registers of register_map.h on a
// TLM-2.0 target socket (AXI-Lite: 32-bit, aligned), and the interrupt line
// (the socket, the access checks and the line: register_block.h).
// Time is computed, not ticked (VCML's peripheral style): a status read
// derives from the job's start and done times and sc_time_stamp(); the block
// has no process of its own but the method that drives the interrupt line.
//
// Bad software is answered as hardware would: an unmapped offset is a TLM
// address error, a write to a read-only register a command error, each logged
// once per offset; a START with no frames or a buffer outside DDR sets
// STATUS.ERROR with a cause; a START while busy is ignored and counted.
#pragma once

#include <cstdint>
#include <systemc>

#include "platforms/board/register_block.h"
#include "platforms/board/register_map.h"

namespace vine::platforms {

// What runs a job: the board's DMAs and accelerator, or a test's double.
class JobRunner {
 public:
  struct Job {
    uint64_t in_addr = 0, out_addr = 0;
    uint32_t frames = 0;
  };
  struct Counters {  // since the last reset, at the current SystemC time
    uint64_t frames_done = 0, stall_cycles = 0, ddr_bytes = 0;
  };
  virtual ~JobRunner() = default;
  // Starts `job` now. The runner calls ControlRegisters::job_done() at the
  // SystemC time its last output beat is in memory.
  virtual void start_job(const Job& job) = 0;
  // Abandons the running job (RESET): no job_done() follows.
  virtual void abort_job() = 0;
  virtual Counters counters() const = 0;
  // RESET: the counters start again from zero.
  virtual void reset_counters() {}
  // Whether a job of `frames` frames fits what the runner can still do (a
  // model's frame budget); a board's hardware can always run it.
  virtual bool fits(uint32_t frames) const { return true; }
};

class ControlRegisters : public RegisterBlock {
 public:
  struct Geometry {
    sc_core::sc_time clock;  // the accelerator's clock period
    uint64_t ddr_base = 0, ddr_bytes = 0;
    uint64_t in_frame_bytes = 0, out_frame_bytes = 0;  // one frame in DDR
    uint32_t in_format = 0, out_format = 0;            // IN_FORMAT / OUT_FORMAT
    int access_cycles = 1;                             // an AXI-Lite access's annotated cost
  };
  ControlRegisters(sc_core::sc_module_name name, const Geometry& g, JobRunner& runner);
  const char* kind() const override { return "vine_control_registers"; }

  // The runner's word that the job's last output beat is in memory (now).
  void job_done();

 private:
  uint32_t read(uint32_t offset) override;
  void write(const regs::Register& r, uint32_t value) override;
  void start();
  void reset();
  void update_irq();
  uint64_t busy_cycles() const;

  Geometry g_;
  JobRunner& runner_;
  uint32_t ctrl_ = 0, status_ = 1, irq_enable_ = 0, irq_status_ = 0, frames_ = 0;
  uint64_t in_addr_ = 0, out_addr_ = 0;
  uint32_t start_ignored_ = 0;
  bool busy_ = false;
  sc_core::sc_time job_start_;
  uint64_t busy_before_ = 0;  // cycles of finished jobs since reset
  uint32_t latched_hi_[3] = {0, 0, 0};
};

}  // namespace vine::platforms
