// A plain read or write as the DDR and the registers expect it: one
// contiguous transfer (streaming width = length), no byte enables, no DMI
// hint, status incomplete until the target answers. Shared by every
// initiator of the platform (the DMAs, the host CPU).
#pragma once

#include <cstdint>
#include <tlm>

namespace vine::models {

inline void prepare_payload(tlm::tlm_generic_payload& p, tlm::tlm_command cmd, uint64_t address,
                            unsigned char* data, unsigned length) {
  p.set_command(cmd);
  p.set_address(address);
  p.set_data_ptr(data);
  p.set_data_length(length);
  p.set_streaming_width(length);
  p.set_byte_enable_ptr(nullptr);
  p.set_dmi_allowed(false);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

}  // namespace vine::models
