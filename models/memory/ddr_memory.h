// The board's DDR as a TLM-2.0 target (docs/ddr.md): loosely-timed
// b_transport with the delay of a computed channel model (DdrTiming), DMI
// for bulk data, debug transport, bus-like error responses, per-initiator
// statistics.
//
// One multi-passthrough target socket takes any number of initiators; the
// binding index is the initiator's id unless the payload carries an
// InitiatorId extension. Blocking transport only: there is no
// nb_transport_fw.
//
// Time order: called from an SC_THREAD (as b_transport may be), the memory
// waits until SystemC time reaches the initiator's local time and grants
// every request of that time step together, in initiator order, so the
// timing, statistics and data seen do not depend on the order the host ran
// the initiators in. Called outside a thread (a test, a bus's method) or with
// time ordering off, requests are granted in call order.
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>

#include <map>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/memory/ddr_config.h"
#include "models/memory/ddr_stats.h"
#include "models/memory/ddr_timing.h"
#include "models/memory/sparse_store.h"
#include "models/memory/time_step_gate.h"

namespace vine::models {

class DdrMemory : public sc_core::sc_module {
 public:
  // Unbound is allowed: a platform may own a DDR nobody uses yet.
  tlm_utils::multi_passthrough_target_socket_optional<DdrMemory> socket;

  DdrMemory(const sc_core::sc_module_name& name, const DdrConfig& config);
  const char* kind() const override { return "vine_ddr_memory"; }

  // The socket's callbacks; public so that a test or a model that owns the
  // memory can call them directly (`socket_id` then names the initiator).
  void b_transport(int socket_id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int socket_id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned int transport_dbg(int socket_id, tlm::tlm_generic_payload& trans);

  // On by default. Off: call order, and b_transport never waits.
  void set_time_ordered(bool on) { time_ordered_ = on; }
  bool time_ordered() const { return time_ordered_; }
  // On by default; off, DMI requests are refused and responses say so.
  void set_dmi_allowed(bool on) { dmi_allowed_ = on; }

  const DdrConfig& config() const { return timing_.config(); }
  const DdrTiming& timing() const { return timing_; }
  const SparseStore& store() const { return store_; }
  // By initiator id; an initiator appears once it has made a b_transport call.
  const std::map<int, DdrInitiatorStats>& stats() const { return stats_; }
  DdrInitiatorStats stats(int initiator) const;

 private:
  struct Request {
    tlm::tlm_generic_payload* trans;
    int initiator;
    uint64_t arrival_seq;  // last tie-break: two identical requests of one initiator
    sc_core::sc_time completion;
    bool granted = false;
  };

  int initiator_of(int socket_id, const tlm::tlm_generic_payload& trans) const;
  tlm::tlm_response_status check(const tlm::tlm_generic_payload& trans) const;
  // Books the channels, moves the data, counts: returns the completion time.
  sc_core::sc_time serve(int initiator, tlm::tlm_generic_payload& trans,
                         const sc_core::sc_time& arrival);
  void grant_time_step();  // the gate's callback: every request of this time, in order

  DdrTiming timing_;
  SparseStore store_;
  TimeStepGate gate_;
  sc_core::sc_event granted_;
  std::vector<Request*> pending_;
  uint64_t arrivals_ = 0;
  std::map<int, DdrInitiatorStats> stats_;
  bool time_ordered_ = true;
  bool dmi_allowed_ = true;
  bool warned_call_order_ = false;
};

}  // namespace vine::models
