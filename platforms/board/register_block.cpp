#include "platforms/board/register_block.h"

#include <cstdio>
#include <cstring>

namespace vine::platforms {

RegisterBlock::RegisterBlock(sc_core::sc_module_name name, Lookup find,
                             const sc_core::sc_time& clock, int access_cycles)
    : sc_module(name),
      socket("socket"),
      irq("irq"),
      find_(find),
      clock_(clock),
      access_cycles_(access_cycles) {
  socket.register_b_transport(this, &RegisterBlock::b_transport);
  socket.register_transport_dbg(this, &RegisterBlock::transport_dbg);
  SC_HAS_PROCESS(RegisterBlock);
  SC_METHOD(drive_irq);
  sensitive << level_changed_;
}

void RegisterBlock::warn_once(const std::string& what, uint32_t offset) {
  if (!warned_.insert({what == "unmapped" ? 0 : 1, offset}).second) return;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%03x", offset);
  SC_REPORT_WARNING("vine/registers", (std::string(name()) + ": " + what + " access at offset " +
                                       buf + " (reported once per offset)")
                                          .c_str());
}

void RegisterBlock::set_irq_level(bool level) {
  if (level == level_) return;
  level_ = level;
  level_changed_.notify(sc_core::SC_ZERO_TIME);  // the line follows in the same time step
}

void RegisterBlock::drive_irq() {
  irq.write(level_);
  if (record_) irq_log_.emplace_back(sc_core::sc_time_stamp(), level_);
}

bool RegisterBlock::access(bool is_write, uint32_t offset, uint32_t& value,
                           tlm::tlm_response_status& status) {
  const regs::Register* r = offset % 4 == 0 ? find_(offset) : nullptr;
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

void RegisterBlock::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
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
  // derives from the right instant (and a START starts the job then).
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
  if (record_)
    accesses_.push_back({sc_core::sc_time_stamp(), p.is_write(), uint32_t(addr), value, status});
  p.set_response_status(status);
  delay += clock_ * double(access_cycles_);
}

// Debug access: reads and writes without side effects on time (writes still
// act, as a debugger poking a register would).
unsigned RegisterBlock::transport_dbg(tlm::tlm_generic_payload& p) {
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
