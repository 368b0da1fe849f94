// sc_spawn lives behind this switch in SystemC 2.3.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "models/memory/time_step_gate.h"

#include <algorithm>

namespace vine::models {

TimeStepGate* TimeStepGate::poller_ = nullptr;
std::vector<TimeStepGate*> TimeStepGate::waiting_;

TimeStepGate::TimeStepGate(std::function<void()> on_time_step_end)
    : callback_(std::move(on_time_step_end)), wake_(sc_core::sc_gen_unique_name("time_step")) {
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  opts.set_sensitivity(&wake_);
  opts.dont_initialize();
  sc_core::sc_spawn([this] { poll(); }, sc_core::sc_gen_unique_name("time_step_gate"), &opts);
}

TimeStepGate::~TimeStepGate() {
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), this), waiting_.end());
  if (poller_ == this) {
    poller_ = nullptr;
    // Hand the polling on, or the others would wait forever.
    if (!waiting_.empty() && sc_core::sc_is_running()) {
      poller_ = waiting_.front();
      poller_->wake_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

void TimeStepGate::request() {
  if (std::find(waiting_.begin(), waiting_.end(), this) == waiting_.end()) waiting_.push_back(this);
  if (!poller_) {
    poller_ = this;
    wake_.notify(sc_core::SC_ZERO_TIME);
  }
}

void TimeStepGate::poll() {
  // Anything runnable, or notified for a later delta, at this time may still
  // issue a request for it: look again in the next delta.
  if (sc_core::sc_pending_activity_at_current_time()) {
    wake_.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  poller_ = nullptr;
  std::vector<TimeStepGate*> due;
  due.swap(waiting_);
  // A callback may request again (a new round at the same time): it then
  // finds no poller and starts one.
  for (TimeStepGate* g : due) g->callback_();
}

}  // namespace vine::models
