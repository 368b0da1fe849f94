#include "platforms/board/engine_registers.h"

#include <cstring>

#include "platforms/board/engine_descriptor.h"

namespace vine::platforms {

using namespace engine_regs;

namespace {
constexpr uint32_t kCtrl = offset_of("CTRL"), kStatus = offset_of("STATUS"),
                   kIrqEnable = offset_of("IRQ_ENABLE"), kIrqStatus = offset_of("IRQ_STATUS"),
                   kInLo = offset_of("IN_ADDR_LO"), kInHi = offset_of("IN_ADDR_HI"),
                   kOutLo = offset_of("OUT_ADDR_LO"), kOutHi = offset_of("OUT_ADDR_HI"),
                   kFrames = offset_of("FRAMES"), kStartIgnored = offset_of("START_IGNORED"),
                   kCyclesLo = offset_of("CYCLES_BUSY_LO"), kCyclesHi = offset_of("CYCLES_BUSY_HI"),
                   kFramesDone = offset_of("FRAMES_DONE"), kDdrLo = offset_of("DDR_BYTES_LO"),
                   kDdrHi = offset_of("DDR_BYTES_HI"), kInFrameBytes = offset_of("IN_FRAME_BYTES"),
                   kOutFrameBytes = offset_of("OUT_FRAME_BYTES"),
                   kDescLo = offset_of("DESC_ADDR_LO"), kDescHi = offset_of("DESC_ADDR_HI"),
                   kLayers = offset_of("LAYERS"), kErrorLayer = offset_of("ERROR_LAYER"),
                   kDescBytes = offset_of("DESC_BYTES");
constexpr uint32_t kStart = 1u << 0, kReset = 1u << 1, kGlobalIrq = 1u << 2;
constexpr uint32_t kIdle = 1u << 0, kBusy = 1u << 1, kDone = 1u << 2, kError = 1u << 3;
constexpr uint32_t kIrqDone = 1u << 0, kIrqError = 1u << 1;
constexpr int kCauseLsb = 8;

void set_lo(uint64_t& r, uint32_t v) {
  r = (r & ~uint64_t{0xFFFFFFFF}) | v;
}
void set_hi(uint64_t& r, uint32_t v) {
  r = (r & 0xFFFFFFFF) | uint64_t{v} << 32;
}

// Whether [addr, addr + bytes) lies in DDR, without overflow.
bool inside(uint64_t addr, uint64_t bytes, uint64_t size) {
  return addr <= size && bytes <= size - addr;
}

}  // namespace

EngineRegisters::EngineRegisters(sc_core::sc_module_name name, const Geometry& g, Runner runner)
    : sc_module(name), socket("socket"), irq("irq"), g_(g), runner_(std::move(runner)) {
  socket.register_b_transport(this, &EngineRegisters::b_transport);
  socket.register_transport_dbg(this, &EngineRegisters::transport_dbg);
  SC_HAS_PROCESS(EngineRegisters);
  SC_METHOD(drive_irq);
  sensitive << level_changed_;
}

void EngineRegisters::warn_once(const std::string& what, uint32_t offset) {
  if (!warned_.insert({what == "unmapped" ? 0 : 1, offset}).second) return;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%03x", offset);
  SC_REPORT_WARNING("vine/registers", (std::string(name()) + ": " + what + " access at offset " +
                                       buf + " (reported once per offset)")
                                          .c_str());
}

uint64_t EngineRegisters::busy_cycles() const {
  uint64_t c = busy_before_;
  if (busy_) c += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  return c;
}

uint32_t EngineRegisters::read(uint32_t offset) {
  auto lo = [&](int i, uint64_t v) {
    latched_hi_[i] = uint32_t(v >> 32);
    return uint32_t(v);
  };
  switch (offset) {
    case kCtrl:
      return ctrl_ & kGlobalIrq;
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
      return uint32_t(runner_.frames_done() - frames_base_);
    case kDdrLo:
      return lo(1, runner_.ddr_bytes() - ddr_base_);
    case kDdrHi:
      return latched_hi_[1];
    case kInFrameBytes:
      return uint32_t(g_.in_frame_bytes);
    case kOutFrameBytes:
      return uint32_t(g_.out_frame_bytes);
    case kDescLo:
      return uint32_t(desc_addr_);
    case kDescHi:
      return uint32_t(desc_addr_ >> 32);
    case kLayers:
      return layers_;
    case kErrorLayer:
      return error_layer_;
    case kDescBytes:
      return kDescriptorBytes;
  }
  const regs::Register* r = find(offset);
  return r ? r->reset : 0;  // ID, VERSION
}

void EngineRegisters::write(uint32_t offset, uint32_t v) {
  switch (offset) {
    case kCtrl:
      ctrl_ = v & kGlobalIrq;
      if (v & kReset) {
        if (busy_) runner_.abort();
        busy_ = false;
        busy_before_ = 0;
        start_ignored_ = 0;
        status_ = kIdle;
        irq_status_ = 0;
        error_layer_ = 0;
        frames_base_ = runner_.frames_done();
        ddr_base_ = runner_.ddr_bytes();
      } else if (v & kStart) {
        start();
      }
      break;
    case kIrqEnable:
      irq_enable_ = v & (kIrqDone | kIrqError);
      break;
    case kIrqStatus:
      irq_status_ &= ~v;
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
    case kDescLo:
      set_lo(desc_addr_, v);
      return;
    case kDescHi:
      set_hi(desc_addr_, v);
      return;
    case kFrames:
      frames_ = v;
      return;
    case kLayers:
      layers_ = v;
      return;
  }
  update_irq();
}

void EngineRegisters::refuse(uint32_t cause, uint32_t layer) {
  status_ = kIdle | kError | (cause << kCauseLsb);
  error_layer_ = layer;
  irq_status_ |= kIrqError;
}

void EngineRegisters::start() {
  if (busy_) {
    ++start_ignored_;
    return;
  }
  error_layer_ = 0;
  uint32_t cause = regs::kCauseNone;
  if (frames_ == 0)
    cause = regs::kCauseZeroFrames;
  else if (!inside(in_addr_, g_.in_frame_bytes * frames_, g_.ddr_bytes))
    cause = regs::kCauseInputOutsideDdr;
  else if (!inside(out_addr_, g_.out_frame_bytes * frames_, g_.ddr_bytes))
    cause = regs::kCauseOutputOutsideDdr;
  else if (layers_ != g_.layers)
    cause = kCauseLayerCount;
  else if (!inside(desc_addr_, uint64_t(layers_) * kDescriptorBytes, g_.ddr_bytes))
    cause = kCauseDescriptorsOutsideDdr;
  if (cause != regs::kCauseNone) {
    refuse(cause, 0);
    return;
  }
  status_ = kBusy;
  busy_ = true;
  job_start_ = sc_core::sc_time_stamp();
  runner_.start({in_addr_, out_addr_, desc_addr_, frames_, layers_});
}

void EngineRegisters::job_done() {
  if (!busy_) return;  // abandoned by RESET
  busy_before_ += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  busy_ = false;
  status_ = kIdle | kDone;
  irq_status_ |= kIrqDone;
  update_irq();
}

void EngineRegisters::job_refused(uint32_t cause, uint32_t layer) {
  if (!busy_) return;
  busy_before_ += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  busy_ = false;
  refuse(cause, layer);
  update_irq();
}

void EngineRegisters::update_irq() {
  const bool level = (ctrl_ & kGlobalIrq) && (irq_status_ & irq_enable_);
  if (level == level_) return;
  level_ = level;
  level_changed_.notify(sc_core::SC_ZERO_TIME);
}

void EngineRegisters::drive_irq() {
  irq.write(level_);
}

bool EngineRegisters::access(bool is_write, uint32_t offset, uint32_t& value,
                             tlm::tlm_response_status& status) {
  const regs::Register* r = offset % 4 == 0 ? find(offset) : nullptr;
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
    write(offset, value);
  else
    value = read(offset);
  status = tlm::TLM_OK_RESPONSE;
  return true;
}

void EngineRegisters::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
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
  // Takes effect at the initiator's local time (a START starts the engine then).
  if (delay > sc_core::SC_ZERO_TIME) {
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
  }
  const uint64_t addr = p.get_address();
  uint32_t value = 0;
  std::memcpy(&value, p.get_data_ptr(), 4);
  tlm::tlm_response_status status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (addr < regs::kMapBytes)
    access(p.is_write(), uint32_t(addr), value, status);
  else
    warn_once("unmapped", uint32_t(addr));
  if (status == tlm::TLM_OK_RESPONSE && p.is_read()) std::memcpy(p.get_data_ptr(), &value, 4);
  p.set_response_status(status);
  delay += g_.clock * double(g_.access_cycles);
}

unsigned EngineRegisters::transport_dbg(tlm::tlm_generic_payload& p) {
  if (p.get_data_length() != 4 || p.get_address() >= regs::kMapBytes || p.get_address() % 4)
    return 0;
  uint32_t value = 0;
  std::memcpy(&value, p.get_data_ptr(), 4);
  tlm::tlm_response_status status;
  if (!access(p.is_write(), uint32_t(p.get_address()), value, status)) return 0;
  if (p.is_read()) std::memcpy(p.get_data_ptr(), &value, 4);
  return 4;
}

}  // namespace vine::platforms
