#include "models/stage/scheduler.h"

#include "models/shared/shared_port.h"

namespace vine::models {

Stage* Scheduler::next() {
  Stage* s = nullptr;
  switch (order_) {
    case HostOrder::kFifo:
      s = ready_.front();
      ready_.pop_front();
      break;
    case HostOrder::kLifo:
      s = ready_.back();
      ready_.pop_back();
      break;
    case HostOrder::kShuffled: {  // xorshift64: a reproducible, arbitrary order
      rng_ ^= rng_ << 13;
      rng_ ^= rng_ >> 7;
      rng_ ^= rng_ << 17;
      const size_t i = size_t(rng_ % ready_.size());
      s = ready_[i];
      ready_[i] = ready_.back();
      ready_.pop_back();
      break;
    }
  }
  return s;
}

// Lookahead on demand: only when no stage can run are the horizons of all
// stages as far as they will get without a grant.
bool Scheduler::decide_shared() {
  bool any = false;
  for (auto* p : ports_) any = p->decide(*this) || any;
  return any;
}

void Scheduler::run(const std::function<bool()>& should_pause) {
  while (!ready_.empty() || (!ports_.empty() && decide_shared())) {
    Stage* s = next();
    s->queued = false;
    s->activate(*this);
    ++activations_;
    if (should_pause && should_pause()) return;
  }
}

}  // namespace vine::models
