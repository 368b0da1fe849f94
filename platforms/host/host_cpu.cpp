#include "platforms/host/host_cpu.h"
#include "models/memory/payload.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vine::platforms {

namespace {
// What a bus error means to the programmer who caused it.
std::string response_text(tlm::tlm_response_status s) {
  switch (s) {
    case tlm::TLM_ADDRESS_ERROR_RESPONSE:
      return "address error (no register or memory there)";
    case tlm::TLM_COMMAND_ERROR_RESPONSE:
      return "command error (e.g. a write to a read-only register)";
    case tlm::TLM_BURST_ERROR_RESPONSE:
      return "burst error (registers take aligned 32-bit accesses)";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE:
      return "byte-enable error";
    default:
      return "error response";
  }
}
}  // namespace

HostCpu::HostCpu(sc_core::sc_module_name name, const sc_core::sc_time& quantum)
    : sc_module(name), socket("socket"), irq("irq"), work_posted_("work_posted") {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(quantum);
  qk_.reset();
  SC_HAS_PROCESS(HostCpu);
  SC_THREAD(cpu);
}

void HostCpu::run(const std::function<void()>& work) {
  if (sc_core::sc_get_status() & (sc_core::SC_RUNNING))
    throw std::logic_error("HostCpu::run called from inside the simulation");
  work_ = &work;
  done_ = false;
  error_ = nullptr;
  work_posted_.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();  // until the work pauses the kernel
  work_ = nullptr;
  if (!done_)
    throw std::runtime_error(
        "the simulation ran out of events while the host's work was waiting (a wait without a "
        "timeout on something that never happens)");
  if (error_) std::rethrow_exception(error_);
}

void HostCpu::cpu() {
  for (;;) {
    while (!work_ || done_) sc_core::wait(work_posted_);
    try {
      (*work_)();
    } catch (...) {
      error_ = std::current_exception();
    }
    qk_.sync();  // the work ends at its local time: the next starts there
    done_ = true;
    sc_core::sc_pause();
  }
}

sc_core::sc_time HostCpu::now() const {
  return sc_core::sc_time_stamp() + qk_.get_local_time();
}

void HostCpu::transport(tlm::tlm_command cmd, uint64_t address, uint8_t* data, unsigned bytes) {
  tlm::tlm_generic_payload p;
  models::prepare_payload(p, cmd, address, data, bytes);
  sc_core::sc_time delay = qk_.get_local_time();
  socket->b_transport(p, delay);
  qk_.set(delay);
  if (qk_.need_sync()) qk_.sync();
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    char where[32];
    std::snprintf(where, sizeof where, "0x%llx", (unsigned long long)address);
    throw AccessError(std::string(cmd == tlm::TLM_READ_COMMAND ? "read" : "write") + " of " +
                          std::to_string(bytes) + " bytes at " + where + ": " +
                          response_text(p.get_response_status()),
                      p.get_response_status());
  }
}

uint32_t HostCpu::read32(uint64_t address) {
  uint32_t v = 0;
  transport(tlm::TLM_READ_COMMAND, address, reinterpret_cast<uint8_t*>(&v), 4);
  return v;
}

void HostCpu::write32(uint64_t address, uint32_t value) {
  transport(tlm::TLM_WRITE_COMMAND, address, reinterpret_cast<uint8_t*>(&value), 4);
}

void HostCpu::read(uint64_t address, void* data, uint64_t bytes) {
  auto* d = static_cast<uint8_t*>(data);
  for (uint64_t done = 0; done < bytes;) {
    const unsigned n = unsigned(std::min(burst_bytes, bytes - done));
    transport(tlm::TLM_READ_COMMAND, address + done, d + done, n);
    done += n;
  }
}

void HostCpu::write(uint64_t address, const void* data, uint64_t bytes) {
  auto* d = const_cast<uint8_t*>(static_cast<const uint8_t*>(data));
  for (uint64_t done = 0; done < bytes;) {
    const unsigned n = unsigned(std::min(burst_bytes, bytes - done));
    transport(tlm::TLM_WRITE_COMMAND, address + done, d + done, n);
    done += n;
  }
}

bool HostCpu::wait_irq(const sc_core::sc_time& timeout) {
  qk_.sync();
  if (irq.read()) return true;
  sc_core::wait(timeout, irq.posedge_event());
  return irq.read();
}

void HostCpu::idle(const sc_core::sc_time& t) {
  qk_.inc(t);
  if (qk_.need_sync()) qk_.sync();
}

}  // namespace vine::platforms
