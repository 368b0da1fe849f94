// The accelerator's control block: the registers of register_map.h on a
// TLM-2.0 target socket (AXI-Lite: 32-bit, aligned), and the interrupt line
// (the socket, the access checks and the line: register_block.h; the job's
// registers, which the engine's block has too: job_registers.h).
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

#include "platforms/board/job_registers.h"
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

class ControlRegisters : public JobRegisters {
 public:
  using Geometry = JobRegisters::Geometry;
  ControlRegisters(sc_core::sc_module_name name, const Geometry& g, JobRunner& runner);
  const char* kind() const override { return "vine_control_registers"; }

 private:
  // Beyond the job's registers: STALL_CYCLES, and
  // START's frame budget.
  bool read_own(uint32_t offset, uint32_t& value) override;
  void write_own(const regs::Register&, uint32_t) override {}  // no writable register of its own
  uint32_t own_start_cause() override;
  void start_job() override;
  void abort_job() override { runner_.abort_job(); }
  void reset_counters() override { runner_.reset_counters(); }
  uint64_t frames_done() override { return runner_.counters().frames_done; }
  uint64_t ddr_bytes() override { return runner_.counters().ddr_bytes; }

  JobRunner& runner_;
  uint32_t stall_hi_ = 0;
};

}  // namespace vine::platforms
