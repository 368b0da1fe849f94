#include "models/stage/scheduler.h"

#include <algorithm>

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

bool Scheduler::decide_flush() {
  Stage* first = nullptr;
  int64_t c = kUnknownCycle, others = kUnknownCycle;
  for (Stage* s : all_) {
    if (s->state() == StageState::kDone) continue;
    const int64_t w = s->pending_flush_cycle();
    if (w != kUnknownCycle) {
      if (w < c) {
        others = std::min(others, c);
        c = w;
        first = s;
      } else {
        others = std::min(others, w);
      }
    } else if (s->state() == StageState::kWaitingForGrant) {
      others = std::min(others, s->grant_request_cycle());
    } else if (s->external() && s->state() == StageState::kReady) {
      others = std::min(others, s->local_cycle() + 1);
    }
  }
  if (!first || c > others) return false;
  first->flush_until(c);
  wake(first);
  return true;
}

void Scheduler::run(const std::function<bool()>& should_pause) {
  const bool pausable = bool(should_pause);  // a std::function test per activation costs
  while (count_ || (!ports_.empty() && decide_shared()) || (!all_.empty() && decide_flush())) {
    Stage* s = next();
    s->queued = false;
    s->activate(*this);
    ++activations_;
    if (pausable && should_pause()) return;
  }
}

}  // namespace vine::models
