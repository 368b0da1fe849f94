#include "models/memory/ddr_memory.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "models/memory/initiator_id.h"

namespace vine::models {

using sc_core::sc_time;

namespace {

const char* const kMsgType = "vine/ddr";

bool in_thread() {
  if (!sc_core::sc_is_running()) return false;
  const sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
  return h.valid() &&
         (h.proc_kind() == sc_core::SC_THREAD_PROC_ || h.proc_kind() == sc_core::SC_CTHREAD_PROC_);
}

}  // namespace

DdrMemory::DdrMemory(const sc_core::sc_module_name& name, const DdrConfig& config)
    : sc_module(name),
      socket("socket"),
      timing_(config),
      store_(config.capacity()),
      gate_([this] { grant_time_step(); }),
      granted_("granted") {
  socket.register_b_transport(this, &DdrMemory::b_transport);
  socket.register_get_direct_mem_ptr(this, &DdrMemory::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &DdrMemory::transport_dbg);
}

DdrInitiatorStats DdrMemory::stats(int initiator) const {
  const auto it = stats_.find(initiator);
  return it == stats_.end() ? DdrInitiatorStats{} : it->second;
}

int DdrMemory::initiator_of(int socket_id, const tlm::tlm_generic_payload& trans) const {
  const InitiatorId* id = nullptr;
  trans.get_extension(id);
  return id ? id->id : socket_id;
}

tlm::tlm_response_status DdrMemory::check(const tlm::tlm_generic_payload& trans) const {
  const tlm::tlm_command cmd = trans.get_command();
  if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND &&
      cmd != tlm::TLM_IGNORE_COMMAND)
    return tlm::TLM_COMMAND_ERROR_RESPONSE;
  const uint64_t address = trans.get_address(), length = trans.get_data_length();
  if (address >= store_.capacity() || length > store_.capacity() - address)
    return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (cmd == tlm::TLM_IGNORE_COMMAND) return tlm::TLM_OK_RESPONSE;
  if (length == 0 || !trans.get_data_ptr()) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  // The DDR has no FIFO-like addresses: a streaming width below the length
  // (or the base protocol's forbidden 0) is a burst it cannot do.
  if (trans.get_streaming_width() < length) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (const unsigned char* be = trans.get_byte_enable_ptr()) {
    const unsigned n = trans.get_byte_enable_length();
    if (n == 0) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    for (unsigned i = 0; i < n; ++i)
      if (be[i] != TLM_BYTE_ENABLED && be[i] != TLM_BYTE_DISABLED)
        return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  }
  return tlm::TLM_OK_RESPONSE;
}

void DdrMemory::b_transport(int socket_id, tlm::tlm_generic_payload& trans, sc_time& delay) {
  const int who = initiator_of(socket_id, trans);
  if (const auto status = check(trans); status != tlm::TLM_OK_RESPONSE) {
    ++stats_[who].errors;  // answered at once: a decode error costs the DDR nothing
    trans.set_response_status(status);
    return;
  }
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) {
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (time_ordered_ && in_thread()) {
    // Synchronise: from now on, every request with an earlier local time has
    // been made, and those of this time will be once the time step ends.
    if (delay > sc_core::SC_ZERO_TIME) wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    Request r{&trans, who, arrivals_++, sc_core::SC_ZERO_TIME};
    pending_.push_back(&r);
    gate_.request();
    while (!r.granted) wait(granted_);
    delay = r.completion - sc_core::sc_time_stamp();
    return;
  }
  if (time_ordered_ && sc_core::sc_is_running() && !warned_call_order_) {
    warned_call_order_ = true;
    SC_REPORT_WARNING(kMsgType, (std::string(name()) +
                                 ": b_transport called outside an SC_THREAD, so it cannot wait "
                                 "for earlier requests: granting in call order")
                                    .c_str());
  }
  const sc_time now = sc_core::sc_time_stamp();
  delay = serve(who, trans, now + delay) - now;
}

void DdrMemory::grant_time_step() {
  // The order of the host's calls is forgotten: same-time requests go by
  // initiator, then by what they ask, so the result is a function of the
  // requests alone.
  std::vector<Request*> due;
  due.swap(pending_);
  std::sort(due.begin(), due.end(), [](const Request* a, const Request* b) {
    auto key = [](const Request* r) {
      return std::make_tuple(r->initiator, r->trans->get_address(), int(r->trans->get_command()),
                             r->trans->get_data_length(), r->arrival_seq);
    };
    return key(a) < key(b);
  });
  const sc_time now = sc_core::sc_time_stamp();
  for (Request* r : due) {
    r->completion = serve(r->initiator, *r->trans, now);
    r->granted = true;
  }
  granted_.notify(sc_core::SC_ZERO_TIME);
}

sc_time DdrMemory::serve(int initiator, tlm::tlm_generic_payload& trans, const sc_time& arrival) {
  const uint64_t address = trans.get_address(), length = trans.get_data_length();
  const DdrTiming::Access a = timing_.schedule(address, length, arrival);
  const unsigned char* be = trans.get_byte_enable_ptr();
  const unsigned be_length = be ? trans.get_byte_enable_length() : 0;
  DdrInitiatorStats& s = stats_[initiator];
  if (trans.is_read()) {
    store_.read(address, trans.get_data_ptr(), length, be, be_length);
    ++s.reads;
    s.bytes_read += length;
  } else {
    store_.write(address, trans.get_data_ptr(), length, be, be_length);
    ++s.writes;
    s.bytes_written += length;
  }
  s.busy += a.busy;
  s.wait += a.wait;
  trans.set_dmi_allowed(dmi_allowed_);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return a.completion;
}

bool DdrMemory::get_direct_mem_ptr(int socket_id, tlm::tlm_generic_payload& trans,
                                   tlm::tlm_dmi& dmi) {
  const uint64_t address = trans.get_address();
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
  if (!dmi_allowed_ || address >= store_.capacity()) {
    // Tell the initiator how far the refusal reaches, so it does not ask again
    // for every address: all of it when DMI is off, past the end otherwise.
    dmi.set_start_address(dmi_allowed_ ? store_.capacity() : 0);
    dmi.set_end_address(std::numeric_limits<sc_dt::uint64>::max());
    return false;
  }
  // One page per grant: the store is contiguous only within a page.
  const uint64_t page = store_.page_bytes(), start = address - address % page;
  dmi.set_dmi_ptr(store_.page(address));
  dmi.set_start_address(start);
  dmi.set_end_address(std::min(start + page, store_.capacity()) - 1);
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
  // Per access, as an initiator using the pointer should charge it: one
  // uncontended burst. DMI traffic bypasses the channels and the statistics.
  const sc_time one_burst = timing_.uncontended(start, uint64_t(config().burst_bytes));
  dmi.set_read_latency(one_burst);
  dmi.set_write_latency(one_burst);
  return true;
}

unsigned int DdrMemory::transport_dbg(int socket_id, tlm::tlm_generic_payload& trans) {
  // No time, no statistics, no allocation on reads; byte enables do not apply.
  const uint64_t address = trans.get_address();
  if (!trans.get_data_ptr() || address >= store_.capacity()) return 0;
  const uint64_t n = std::min<uint64_t>(trans.get_data_length(), store_.capacity() - address);
  if (trans.is_read())
    store_.read(address, trans.get_data_ptr(), n);
  else if (trans.is_write())
    store_.write(address, trans.get_data_ptr(), n);
  else
    return 0;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return unsigned(n);
}

}  // namespace vine::models
