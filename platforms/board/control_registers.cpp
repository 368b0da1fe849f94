#include "platforms/board/control_registers.h"

#include <cstring>
#include <string>

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
    : sc_module(name), socket("socket"), irq("irq"), g_(g), runner_(runner) {
  socket.register_b_transport(this, &ControlRegisters::b_transport);
  socket.register_transport_dbg(this, &ControlRegisters::transport_dbg);
  SC_HAS_PROCESS(ControlRegisters);
  SC_METHOD(drive_irq);
  sensitive << level_changed_;
  for (const auto& r : kRegisters) {
    if (r.offset == kStatus) status_ = r.reset;
  }
}

void ControlRegisters::warn_once(const std::string& what, uint32_t offset) {
  if (!warned_.insert({what == "unmapped" ? 0 : 1, offset}).second) return;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%03x", offset);
  SC_REPORT_WARNING("vine/registers", (std::string(name()) + ": " + what + " access at offset " +
                                       buf + " (reported once per offset)")
                                          .c_str());
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
  const bool level = (ctrl_ & kGlobalIrq) && (irq_status_ & irq_enable_);
  if (level == level_) return;
  level_ = level;
  level_changed_.notify(sc_core::SC_ZERO_TIME);  // the line follows in the same time step
}

void ControlRegisters::drive_irq() {
  irq.write(level_);
  if (record_) irq_log_.emplace_back(sc_core::sc_time_stamp(), level_);
}

bool ControlRegisters::access(bool is_write, uint32_t offset, uint32_t& value,
                              tlm::tlm_response_status& status) {
  const Register* r = offset % 4 == 0 ? find(offset) : nullptr;
  if (!r) {
    warn_once("unmapped", offset);
    status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
    return false;
  }
  if (is_write && r->access == regs::Access::kRO) {
    warn_once(std::string("write to the read-only register ") + r->name + ":", offset);
    status = tlm::TLM_COMMAND_ERROR_RESPONSE;
    return false;
  }
  if (is_write)
    write(*r, value);
  else
    value = read(offset);
  status = tlm::TLM_OK_RESPONSE;
  return true;
}

void ControlRegisters::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  // AXI-Lite: one aligned 32-bit word per transfer, all bytes enabled.
  if (p.get_data_length() != 4 || p.get_streaming_width() < 4 || p.get_data_ptr() == nullptr) {
    p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (p.get_byte_enable_ptr()) {
    p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (!p.is_read() && !p.is_write()) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  // The access takes effect at the initiator's local time: a loosely-timed
  // initiator ahead of SystemC time is brought level first, so a status read
  // derives from the right instant.
  if (delay > sc_core::SC_ZERO_TIME) {
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
  }
  const uint64_t addr = p.get_address();
  uint32_t value = 0;
  std::memcpy(&value, p.get_data_ptr(), 4);
  tlm::tlm_response_status status;
  const bool in_window = addr < kMapBytes;
  if (in_window)
    access(p.is_write(), uint32_t(addr), value, status);
  else {
    warn_once("unmapped", uint32_t(addr));
    status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  if (status == tlm::TLM_OK_RESPONSE && p.is_read()) std::memcpy(p.get_data_ptr(), &value, 4);
  if (record_)
    accesses_.push_back({sc_core::sc_time_stamp(), p.is_write(), uint32_t(addr), value, status});
  p.set_response_status(status);
  delay += g_.clock * double(g_.access_cycles);
}

// Debug access: reads and writes without side effects on time (writes still
// act, as a debugger poking a register would).
unsigned ControlRegisters::transport_dbg(tlm::tlm_generic_payload& p) {
  if (p.get_data_length() != 4 || p.get_address() >= kMapBytes || p.get_address() % 4) return 0;
  uint32_t value = 0;
  std::memcpy(&value, p.get_data_ptr(), 4);
  tlm::tlm_response_status status;
  if (!access(p.is_write(), uint32_t(p.get_address()), value, status)) return 0;
  if (p.is_read()) std::memcpy(p.get_data_ptr(), &value, 4);
  return 4;
}

}  // namespace vine::platforms
