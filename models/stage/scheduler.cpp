#include "models/stage/scheduler.h"

#include "models/shared/shared_port.h"

namespace vine::models {

Stage* Scheduler::next() {
  Stage* s = nullptr;
  const size_t mask = ready_.size() - 1;
  switch (order_) {
    case HostOrder::kFifo:
      s = ready_[head_];
      head_ = (head_ + 1) & mask;
      --count_;
      break;
    case HostOrder::kLifo:
      s = ready_[(head_ + count_ - 1) & mask];
      --count_;
      break;
    case HostOrder::kShuffled: {  // xorshift64: a reproducible, arbitrary order
      rng_ ^= rng_ << 13;
      rng_ ^= rng_ >> 7;
      rng_ ^= rng_ << 17;
      const size_t i = (head_ + size_t(rng_ % count_)) & mask;
      s = ready_[i];
      ready_[i] = ready_[(head_ + count_ - 1) & mask];
      --count_;
      break;
    }
  }
  return s;
}

void Scheduler::grow() {
  std::vector<Stage*> r(ready_.empty() ? 64 : 2 * ready_.size());
  for (size_t i = 0; i < count_; ++i) r[i] = ready_[(head_ + i) & (ready_.size() - 1)];
  ready_.swap(r);
  head_ = 0;
}

// Lookahead on demand: only when no stage can run are the horizons of all
// stages as far as they will get without a grant.
bool Scheduler::decide_shared() {
  bool any = false;
  for (auto* p : ports_) any = p->decide(*this) || any;
  return any;
}

void Scheduler::run(const std::function<bool()>& should_pause) {
  const bool pausable = bool(should_pause);  // a std::function test per activation costs
  while (count_ || (!ports_.empty() && decide_shared())) {
    Stage* s = next();
    s->queued = false;
    s->activate(*this);
    ++activations_;
    if (pausable && should_pause()) return;
  }
}

}  // namespace vine::models
