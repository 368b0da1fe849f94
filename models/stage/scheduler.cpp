#include "models/stage/scheduler.h"

namespace vine::models {

void Scheduler::run(const std::function<bool()>& should_pause) {
  while (!ready_.empty()) {
    Stage* s = ready_.front();
    ready_.pop_front();
    s->queued = false;
    s->activate(*this);
    ++activations_;
    if (should_pause && should_pause()) return;
  }
}

}  // namespace vine::models
