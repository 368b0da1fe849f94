// The virtual platform's host processor: where driver code runs in SystemC
// time (docs/vp.md, "The host"). Software outside SystemC hands it work
// (run()); the work executes in the CPU's thread as a loosely-timed TLM-2.0
// initiator: every access is a b_transport whose annotated delay adds to the
// CPU's local time, kept by a quantum keeper, so driver overhead shows in the
// timeline. run() drives the SystemC kernel until the work returns
// (sc_pause), so a program's ordinary control flow drives the simulation and
// simulated time stands still while the program thinks.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <systemc>
#include <tlm>

namespace vine::platforms {

class HostCpu : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<HostCpu> socket;
  sc_core::sc_in<bool> irq;

  // `quantum`: how far the CPU may run ahead of SystemC time between syncs.
  HostCpu(sc_core::sc_module_name name, const sc_core::sc_time& quantum);
  const char* kind() const override { return "vine_host_cpu"; }

  // Runs `work` in the CPU's thread; returns when it has (rethrowing what it
  // threw). Call from outside the simulation, never from a process.
  void run(const std::function<void()>& work);

  // For `work`. A response other than OK throws AccessError.
  uint32_t read32(uint64_t address);
  void write32(uint64_t address, uint32_t value);
  // Bulk copies, in transactions of at most `burst_bytes`.
  void read(uint64_t address, void* data, uint64_t bytes);
  void write(uint64_t address, const void* data, uint64_t bytes);
  // Waits (synchronised) until the interrupt line is high or `timeout`
  // passes; returns the line.
  bool wait_irq(const sc_core::sc_time& timeout);
  void idle(const sc_core::sc_time& t);  // lets time pass (a polling loop's pause)
  sc_core::sc_time now() const;          // the CPU's local time

  struct AccessError : std::runtime_error {
    AccessError(const std::string& what, tlm::tlm_response_status s)
        : std::runtime_error(what), status(s) {}
    tlm::tlm_response_status status;
  };

  uint64_t burst_bytes = 4096;

 private:
  void cpu();  // the thread
  void transport(tlm::tlm_command cmd, uint64_t address, uint8_t* data, unsigned bytes);

  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_event work_posted_;
  const std::function<void()>* work_ = nullptr;
  bool done_ = false;
  std::exception_ptr error_;
};

}  // namespace vine::platforms
