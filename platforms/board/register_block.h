// An AXI-Lite register file on a TLM-2.0 target socket, and its interrupt
// line: what the accelerator's control block (control_registers.h) and the
// compute engine's (engine_registers.h) share. The block decodes one 4 KiB
// window of 32-bit registers from a register table (register_map.h's
// Register); a subclass says what its registers hold (read) and do (write).
//
// Bad software is answered as hardware would: a transfer that is not one
// aligned 32-bit word with every byte enabled is a burst or byte-enable
// error, an unmapped offset a TLM address error, a write to a read-only
// register a command error, each offset logged once. An access takes effect
// at the initiator's local time and costs `access_cycles` of the block's
// clock; a debug access acts without time.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <set>
#include <string>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "platforms/board/register_map.h"

namespace vine::platforms {

class RegisterBlock : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<RegisterBlock> socket;
  sc_core::sc_out<bool> irq;  // level: high while an enabled source is raised

  // For traces: every access, when recording.
  struct RegisterAccess {
    sc_core::sc_time at;
    bool write = false;
    uint32_t offset = 0, value = 0;
    tlm::tlm_response_status response = tlm::TLM_OK_RESPONSE;
  };
  void record_accesses(bool on) { record_ = on; }
  const std::vector<RegisterAccess>& accesses() const { return accesses_; }
  // The interrupt line's changes (time, level), when recording.
  const std::vector<std::pair<sc_core::sc_time, bool>>& irq_changes() const { return irq_log_; }

 protected:
  // The register at an offset of the block's table, nullptr if none
  // (regs::find, engine_regs::find).
  using Lookup = const regs::Register* (*)(uint32_t offset);
  RegisterBlock(sc_core::sc_module_name name, Lookup find, const sc_core::sc_time& clock,
                int access_cycles);

  // A mapped register's value (a read), and a write to a writable one.
  virtual uint32_t read(uint32_t offset) = 0;
  virtual void write(const regs::Register& r, uint32_t value) = 0;
  // The interrupt line follows `level` in the same time step.
  void set_irq_level(bool level);
  // The register at `offset` of the block's table (nullptr if none).
  const regs::Register* lookup(uint32_t offset) const { return find_(offset); }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& p);
  bool access(bool write, uint32_t offset, uint32_t& value, tlm::tlm_response_status& status);
  void drive_irq();  // the line's one driver, whichever process changed its level
  void warn_once(const std::string& what, uint32_t offset);

  Lookup find_;
  sc_core::sc_time clock_;
  int access_cycles_;
  std::set<std::pair<int, uint32_t>> warned_;
  bool record_ = false, level_ = false;
  sc_core::sc_event level_changed_;
  std::vector<RegisterAccess> accesses_;
  std::vector<std::pair<sc_core::sc_time, bool>> irq_log_;
};

}  // namespace vine::platforms
