#include "platforms/board/job_registers.h"

#include "platforms/board/register_map.h"

namespace vine::platforms {

using namespace regs;

namespace {
// The accelerator's map's offsets; the engine's map has the job's registers
// at the same ones (engine_registers.cpp checks it at compile time).
constexpr uint32_t kCtrl = offset_of("CTRL"), kStatus = offset_of("STATUS"),
                   kIrqEnable = offset_of("IRQ_ENABLE"), kIrqStatus = offset_of("IRQ_STATUS"),
                   kInLo = offset_of("IN_ADDR_LO"), kInHi = offset_of("IN_ADDR_HI"),
                   kOutLo = offset_of("OUT_ADDR_LO"), kOutHi = offset_of("OUT_ADDR_HI"),
                   kFrames = offset_of("FRAMES"), kStartIgnored = offset_of("START_IGNORED"),
                   kCyclesLo = offset_of("CYCLES_BUSY_LO"), kCyclesHi = offset_of("CYCLES_BUSY_HI"),
                   kFramesDone = offset_of("FRAMES_DONE"), kDdrLo = offset_of("DDR_BYTES_LO"),
                   kDdrHi = offset_of("DDR_BYTES_HI"), kInFrameBytes = offset_of("IN_FRAME_BYTES"),
                   kOutFrameBytes = offset_of("OUT_FRAME_BYTES"), kInFormat = offset_of("IN_FORMAT"),
                   kOutFormat = offset_of("OUT_FORMAT");
constexpr uint32_t kStart = 1u << 0, kReset = 1u << 1, kGlobalIrq = 1u << 2;
constexpr uint32_t kIdle = 1u << 0, kBusy = 1u << 1, kDone = 1u << 2, kError = 1u << 3;
constexpr uint32_t kIrqDone = 1u << 0, kIrqError = 1u << 1;
constexpr int kCauseLsb = 8;

// Whether [addr, addr + bytes) lies in DDR, without overflow.
bool inside(uint64_t addr, uint64_t bytes, uint64_t base, uint64_t size) {
  return addr >= base && addr - base <= size && bytes <= size - (addr - base);
}
}  // namespace

JobRegisters::JobRegisters(sc_core::sc_module_name name, Lookup find, const Geometry& g)
    : RegisterBlock(name, find, g.clock, g.access_cycles), g_(g) {
  if (const Register* r = find(kStatus)) status_ = r->reset;
}

uint64_t JobRegisters::busy_cycles() const {
  uint64_t c = busy_before_;
  if (busy_) c += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  return c;
}

uint32_t JobRegisters::read(uint32_t offset) {
  switch (offset) {
    case kCtrl:
      return ctrl_ & kGlobalIrq;  // START and RESET read 0
    case kStatus:
      return status_;
    case kIrqEnable:
      return irq_enable_;
    case kIrqStatus:
      return irq_status_;
    case kInLo:
      return uint32_t(in_addr_);
    case kInHi:
      return uint32_t(in_addr_ >> 32);
    case kOutLo:
      return uint32_t(out_addr_);
    case kOutHi:
      return uint32_t(out_addr_ >> 32);
    case kFrames:
      return frames_;
    case kStartIgnored:
      return start_ignored_;
    case kCyclesLo:
      return latch(busy_cycles(), cycles_hi_);
    case kCyclesHi:
      return cycles_hi_;
    case kFramesDone:
      return uint32_t(frames_done());
    case kDdrLo:
      return latch(ddr_bytes(), ddr_bytes_hi_);
    case kDdrHi:
      return ddr_bytes_hi_;
    case kInFrameBytes:
      return uint32_t(g_.in_frame_bytes);
    case kOutFrameBytes:
      return uint32_t(g_.out_frame_bytes);
    case kInFormat:
      return g_.in_format;
    case kOutFormat:
      return g_.out_format;
  }
  uint32_t value = 0;
  if (read_own(offset, value)) return value;
  const Register* r = lookup(offset);
  return r ? r->reset : 0;  // ID, VERSION
}

void JobRegisters::write(const Register& r, uint32_t v) {
  switch (r.offset) {
    case kCtrl:
      ctrl_ = v & kGlobalIrq;
      if (v & kReset) {
        reset();
      } else if (v & kStart) {
        start();
      }
      break;
    case kIrqEnable:
      irq_enable_ = v & (kIrqDone | kIrqError);
      break;
    case kIrqStatus:
      irq_status_ &= ~v;  // write 1 to clear
      break;
    case kInLo:
      set_lo(in_addr_, v);
      return;
    case kInHi:
      set_hi(in_addr_, v);
      return;
    case kOutLo:
      set_lo(out_addr_, v);
      return;
    case kOutHi:
      set_hi(out_addr_, v);
      return;
    case kFrames:
      frames_ = v;
      return;
    default:
      write_own(r, v);
      return;
  }
  update_irq();
}

void JobRegisters::refuse(uint32_t cause) {
  status_ = kIdle | kError | (cause << kCauseLsb);
  irq_status_ |= kIrqError;
}

void JobRegisters::start() {
  if (busy_) {
    ++start_ignored_;
    return;
  }
  // The subclass's checks run on every START that is not ignored (they may
  // clear what the last refusal left); the job's come first.
  const uint32_t own = own_start_cause();
  uint32_t cause = kCauseNone;
  if (frames_ == 0)
    cause = kCauseZeroFrames;
  else if (!inside(in_addr_, g_.in_frame_bytes * frames_, g_.ddr_base, g_.ddr_bytes))
    cause = kCauseInputOutsideDdr;
  else if (!inside(out_addr_, g_.out_frame_bytes * frames_, g_.ddr_base, g_.ddr_bytes))
    cause = kCauseOutputOutsideDdr;
  else
    cause = own;
  if (cause != kCauseNone) {
    refuse(cause);
    return;
  }
  status_ = kBusy;
  busy_ = true;
  job_start_ = sc_core::sc_time_stamp();
  start_job();
}

void JobRegisters::reset() {
  if (busy_) abort_job();
  reset_counters();
  busy_ = false;
  busy_before_ = 0;
  start_ignored_ = 0;
  status_ = kIdle;
  irq_status_ = 0;
}

bool JobRegisters::end_job() {
  if (!busy_) return false;  // a job abandoned by RESET
  busy_before_ += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  busy_ = false;
  return true;
}

void JobRegisters::job_done() {
  if (!end_job()) return;
  status_ = kIdle | kDone;
  irq_status_ |= kIrqDone;
  update_irq();
}

void JobRegisters::update_irq() {
  set_irq_level((ctrl_ & kGlobalIrq) && (irq_status_ & irq_enable_));
}

}  // namespace vine::platforms
