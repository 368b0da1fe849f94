// The job-control registers both boards' control blocks have, at the same
// offsets in both maps (register_map.h, engine_register_map.h): CTRL (START,
// RESET, the global interrupt enable), STATUS, IRQ_ENABLE, IRQ_STATUS, the
// frames' DDR addresses, FRAMES, START_IGNORED, CYCLES_BUSY, FRAMES_DONE,
// DDR_BYTES and the frames' sizes and formats, with what they do: a START while busy is
// ignored and counted; a START with no frames or frames outside DDR sets
// STATUS.ERROR with its cause; a RESET abandons the job and clears the
// counters; the job's end sets DONE and its interrupt. Time is computed, not
// ticked: CYCLES_BUSY derives from the job's start and sc_time_stamp().
// A subclass adds its own registers, START checks and the job's runner.
#pragma once

#include <cstdint>
#include <systemc>

#include "platforms/board/register_block.h"

namespace vine::platforms {

class JobRegisters : public RegisterBlock {
 public:
  struct Geometry {
    sc_core::sc_time clock;  // the accelerator's clock period
    uint64_t ddr_base = 0, ddr_bytes = 0;
    uint64_t in_frame_bytes = 0, out_frame_bytes = 0;  // one frame in DDR
    uint32_t in_format = 0, out_format = 0;            // IN_FORMAT / OUT_FORMAT
    int access_cycles = 1;                             // an AXI-Lite access's annotated cost
  };

  // The runner's word: the job's last output is in DDR (now).
  void job_done();

 protected:
  JobRegisters(sc_core::sc_module_name name, Lookup find, const Geometry& g);

  // The subclass's registers: a read of one the job's are not (false: none
  // of its own, the table's reset value is read), and a write to one.
  virtual bool read_own(uint32_t offset, uint32_t& value) = 0;
  virtual void write_own(const regs::Register& r, uint32_t value) = 0;
  // A START that is not ignored: the subclass's own checks, a cause
  // (regs::kCause*) or kCauseNone; the job's checks (FRAMES, the frames in
  // DDR) come first and win.
  virtual uint32_t own_start_cause() = 0;
  // Starts the job now, with the registers as they are.
  virtual void start_job() = 0;
  // RESET: abandon the running job (when busy), then the counters start again.
  virtual void abort_job() = 0;
  virtual void reset_counters() = 0;
  // The counters since the last reset, now.
  virtual uint64_t frames_done() = 0;
  virtual uint64_t ddr_bytes() = 0;

  // STATUS.ERROR with `cause`, and the error interrupt.
  void refuse(uint32_t cause);
  // The running job ends now: its cycles join CYCLES_BUSY; false if none runs.
  bool end_job();
  void update_irq();
  // A 64-bit register's LO and HI words written.
  static void set_lo(uint64_t& r, uint32_t v) { r = (r & ~uint64_t{0xFFFFFFFF}) | v; }
  static void set_hi(uint64_t& r, uint32_t v) { r = (r & 0xFFFFFFFF) | uint64_t{v} << 32; }
  // A counter's LO word, latching its HI into `hi`.
  static uint32_t latch(uint64_t value, uint32_t& hi) {
    hi = uint32_t(value >> 32);
    return uint32_t(value);
  }

  const Geometry& geometry() const { return g_; }
  uint64_t in_addr() const { return in_addr_; }
  uint64_t out_addr() const { return out_addr_; }
  uint32_t frames() const { return frames_; }

 private:
  uint32_t read(uint32_t offset) final;
  void write(const regs::Register& r, uint32_t value) final;
  void start();
  void reset();
  uint64_t busy_cycles() const;

  Geometry g_;
  uint32_t ctrl_ = 0, status_ = 1, irq_enable_ = 0, irq_status_ = 0, frames_ = 0;
  uint64_t in_addr_ = 0, out_addr_ = 0;
  uint32_t start_ignored_ = 0;
  bool busy_ = false;
  sc_core::sc_time job_start_;
  uint64_t busy_before_ = 0;  // cycles of finished jobs since reset
  uint32_t cycles_hi_ = 0, ddr_bytes_hi_ = 0;
};

}  // namespace vine::platforms
