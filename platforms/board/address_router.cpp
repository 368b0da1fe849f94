#include "platforms/board/address_router.h"

#include <algorithm>

namespace vine::platforms {

AddressRouter::AddressRouter(sc_core::sc_module_name name)
    : sc_module(name), host("host"), targets("targets") {
  host.register_b_transport(this, &AddressRouter::b_transport);
  host.register_get_direct_mem_ptr(this, &AddressRouter::get_direct_mem_ptr);
  host.register_transport_dbg(this, &AddressRouter::transport_dbg);
  targets.register_invalidate_direct_mem_ptr(this, &AddressRouter::invalidate_direct_mem_ptr);
}

void AddressRouter::add_window(const std::string& name, uint64_t base, uint64_t size) {
  for (const auto& w : windows_)
    if (base < w.base + w.size && w.base < base + size)
      SC_REPORT_ERROR("vine/router", (std::string(this->name()) + ": window " + name +
                                      " overlaps window " + w.name)
                                         .c_str());
  windows_.push_back({name, base, size});
}

int AddressRouter::decode(uint64_t address, uint64_t length) const {
  for (size_t i = 0; i < windows_.size(); ++i) {
    const Window& w = windows_[i];
    if (address >= w.base && address - w.base < w.size && length <= w.size - (address - w.base))
      return int(i);
  }
  return -1;
}

void AddressRouter::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const uint64_t address = p.get_address();
  const int i = decode(address, p.get_data_length());
  if (i < 0) {
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  p.set_address(address - windows_[size_t(i)].base);
  targets[i]->b_transport(p, delay);
  p.set_address(address);
}

bool AddressRouter::get_direct_mem_ptr(tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi) {
  const uint64_t address = p.get_address();
  const int i = decode(address, 1);
  if (i < 0) return false;
  const Window& w = windows_[size_t(i)];
  p.set_address(address - w.base);
  const bool ok = targets[i]->get_direct_mem_ptr(p, dmi);
  p.set_address(address);
  // Back to the host's addresses, clipped to the window.
  dmi.set_start_address(w.base + dmi.get_start_address());
  dmi.set_end_address(w.base + std::min<uint64_t>(dmi.get_end_address(), w.size - 1));
  return ok;
}

unsigned AddressRouter::transport_dbg(tlm::tlm_generic_payload& p) {
  const uint64_t address = p.get_address();
  const int i = decode(address, p.get_data_length());
  if (i < 0) return 0;
  p.set_address(address - windows_[size_t(i)].base);
  const unsigned n = targets[i]->transport_dbg(p);
  p.set_address(address);
  return n;
}

void AddressRouter::invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
  const Window& w = windows_.at(size_t(id));
  const uint64_t last = std::min<uint64_t>(end, w.size - 1);
  host->invalidate_direct_mem_ptr(w.base + start, w.base + last);
}

}  // namespace vine::platforms
