#include "platforms/board/control_registers.h"


namespace vine::platforms {

using namespace regs;

namespace {
constexpr uint32_t kCtrl = offset_of("CTRL"), kStatus = offset_of("STATUS"),
                   kIrqEnable = offset_of("IRQ_ENABLE"), kIrqStatus = offset_of("IRQ_STATUS"),
                   kInLo = offset_of("IN_ADDR_LO"), kInHi = offset_of("IN_ADDR_HI"),
                   kOutLo = offset_of("OUT_ADDR_LO"), kOutHi = offset_of("OUT_ADDR_HI"),
                   kFrames = offset_of("FRAMES"), kStartIgnored = offset_of("START_IGNORED"),
                   kCyclesLo = offset_of("CYCLES_BUSY_LO"), kCyclesHi = offset_of("CYCLES_BUSY_HI"),
                   kFramesDone = offset_of("FRAMES_DONE"), kStallLo = offset_of("STALL_CYCLES_LO"),
                   kStallHi = offset_of("STALL_CYCLES_HI"), kDdrLo = offset_of("DDR_BYTES_LO"),
                   kDdrHi = offset_of("DDR_BYTES_HI"), kInFrameBytes = offset_of("IN_FRAME_BYTES"),
                   kOutFrameBytes = offset_of("OUT_FRAME_BYTES"), kInFormat = offset_of("IN_FORMAT"),
                   kOutFormat = offset_of("OUT_FORMAT");
constexpr uint32_t kStart = 1u << 0, kReset = 1u << 1, kGlobalIrq = 1u << 2;
constexpr uint32_t kIdle = 1u << 0, kBusy = 1u << 1, kDone = 1u << 2, kError = 1u << 3;
constexpr uint32_t kIrqDone = 1u << 0, kIrqError = 1u << 1;
constexpr int kCauseLsb = 8;
}  // namespace

ControlRegisters::ControlRegisters(sc_core::sc_module_name name, const Geometry& g,
                                   JobRunner& runner)
    : RegisterBlock(name, &regs::find, g.clock, g.access_cycles), g_(g), runner_(runner) {
  for (const auto& r : kRegisters) {
    if (r.offset == kStatus) status_ = r.reset;
  }
}

uint64_t ControlRegisters::busy_cycles() const {
  uint64_t c = busy_before_;
  if (busy_) c += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  return c;
}

uint32_t ControlRegisters::read(uint32_t offset) {
  const JobRunner::Counters k = runner_.counters();
  auto lo = [&](int i, uint64_t v) {
    latched_hi_[i] = uint32_t(v >> 32);
    return uint32_t(v);
  };
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
      return lo(0, busy_cycles());
    case kCyclesHi:
      return latched_hi_[0];
    case kFramesDone:
      return uint32_t(k.frames_done);
    case kStallLo:
      return lo(1, k.stall_cycles);
    case kStallHi:
      return latched_hi_[1];
    case kDdrLo:
      return lo(2, k.ddr_bytes);
    case kDdrHi:
      return latched_hi_[2];
    case kInFrameBytes:
      return uint32_t(g_.in_frame_bytes);
    case kOutFrameBytes:
      return uint32_t(g_.out_frame_bytes);
    case kInFormat:
      return g_.in_format;
    case kOutFormat:
      return g_.out_format;
  }
  const Register* r = find(offset);
  return r ? r->reset : 0;  // ID, VERSION
}

void ControlRegisters::write(const Register& r, uint32_t v) {
  switch (r.offset) {
    case kCtrl:
      ctrl_ = v & kGlobalIrq;
      if (v & kReset) {
        reset();
      } else if (v & kStart) {
        start();
      }
      update_irq();
      return;
    case kIrqEnable:
      irq_enable_ = v & (kIrqDone | kIrqError);
      break;
    case kIrqStatus:
      irq_status_ &= ~v;
      break;  // write 1 to clear
    case kInLo:
      in_addr_ = (in_addr_ & ~uint64_t{0xFFFFFFFF}) | v;
      return;
    case kInHi:
      in_addr_ = (in_addr_ & 0xFFFFFFFF) | uint64_t{v} << 32;
      return;
    case kOutLo:
      out_addr_ = (out_addr_ & ~uint64_t{0xFFFFFFFF}) | v;
      return;
    case kOutHi:
      out_addr_ = (out_addr_ & 0xFFFFFFFF) | uint64_t{v} << 32;
      return;
    case kFrames:
      frames_ = v;
      return;
  }
  update_irq();
}

// Whether [addr, addr + bytes) lies in DDR, without overflow.
static bool inside(uint64_t addr, uint64_t bytes, uint64_t base, uint64_t size) {
  return addr >= base && addr - base <= size && bytes <= size - (addr - base);
}

void ControlRegisters::start() {
  if (busy_) {
    ++start_ignored_;
    return;
  }
  uint32_t cause = kCauseNone;
  if (frames_ == 0)
    cause = kCauseZeroFrames;
  else if (!inside(in_addr_, g_.in_frame_bytes * frames_, g_.ddr_base, g_.ddr_bytes))
    cause = kCauseInputOutsideDdr;
  else if (!inside(out_addr_, g_.out_frame_bytes * frames_, g_.ddr_base, g_.ddr_bytes))
    cause = kCauseOutputOutsideDdr;
  else if (!runner_.fits(frames_))
    cause = kCauseOverBudget;
  if (cause != kCauseNone) {
    status_ = kIdle | kError | (cause << kCauseLsb);
    irq_status_ |= kIrqError;
    return;
  }
  status_ = kBusy;
  busy_ = true;
  job_start_ = sc_core::sc_time_stamp();
  runner_.start_job({in_addr_, out_addr_, frames_});
}

void ControlRegisters::reset() {
  if (busy_) runner_.abort_job();
  runner_.reset_counters();
  busy_ = false;
  busy_before_ = 0;
  start_ignored_ = 0;
  status_ = kIdle;
  irq_status_ = 0;
}

void ControlRegisters::job_done() {
  if (!busy_) return;  // a job abandoned by RESET
  busy_before_ += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  busy_ = false;
  status_ = kIdle | kDone;
  irq_status_ |= kIrqDone;
  update_irq();
}

void ControlRegisters::update_irq() {
  set_irq_level((ctrl_ & kGlobalIrq) && (irq_status_ & irq_enable_));
}

}  // namespace vine::platforms
