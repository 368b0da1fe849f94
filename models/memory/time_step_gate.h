// Runs a callback once the current SystemC time step has nothing else to run:
// every process that could still act at this time has acted, so every
// request for this time is known (docs/ddr.md, guarantees).
//
// SystemC 2.3 has no end-of-time-step callback, so a gate polls
// sc_pending_activity_at_current_time() from a method, one delta at a time.
// Two gates polling at once would each see the other's notification forever;
// so one gate at a time polls, on behalf of every gate that waits.
#pragma once

#include <functional>
#include <systemc>
#include <vector>

namespace vine::models {

class TimeStepGate {
 public:
  // Construct during elaboration (it spawns its polling method).
  explicit TimeStepGate(std::function<void()> on_time_step_end);
  ~TimeStepGate();
  TimeStepGate(const TimeStepGate&) = delete;
  TimeStepGate& operator=(const TimeStepGate&) = delete;

  // Asks for the callback at the end of the current time step (once, however
  // often it is asked before then).
  void request();

 private:
  void poll();

  std::function<void()> callback_;
  sc_core::sc_event wake_;
  // Shared by all gates: the one that polls, and those waiting for the end.
  static TimeStepGate* poller_;
  static std::vector<TimeStepGate*> waiting_;
};

}  // namespace vine::models
