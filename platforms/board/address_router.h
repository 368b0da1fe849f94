// The board's interconnect as the host sees it: one target socket, one
// initiator socket per address window, the Accellera router's idiom. A
// transaction is forwarded with its address made local to the window;
// outside every window it is a TLM address error, answered at once. DMI
// grants and invalidations are translated back to the host's addresses.
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

namespace vine::platforms {

class AddressRouter : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<AddressRouter> host;
  // Bound once per window, in add_window() order.
  tlm_utils::multi_passthrough_initiator_socket<AddressRouter> targets;

  explicit AddressRouter(sc_core::sc_module_name name);
  const char* kind() const override { return "vine_address_router"; }

  struct Window {
    std::string name;
    uint64_t base = 0, size = 0;
  };
  // Windows must not overlap; the n-th window goes to the n-th binding of `targets`.
  void add_window(const std::string& name, uint64_t base, uint64_t size);
  const std::vector<Window>& windows() const { return windows_; }

 private:
  int decode(uint64_t address, uint64_t length) const;  // window index or -1
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& p);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);

  std::vector<Window> windows_;
};

}  // namespace vine::platforms
