#include "models/shared/shared_port.h"

#include <algorithm>

#include "models/stage/scheduler.h"
#include "models/stage/stage.h"

namespace vine::models {

namespace {

// The earliest cycle in which stage `s` can advance again (kUnknownCycle:
// never), from the states of the stages it waits on; a stage met twice on
// the way (a cycle of waits) answers with its own clock.
int64_t horizon(const Stage* s, std::vector<const Stage*>& path) {
  const int64_t own = s->local_cycle() + 1;
  if (std::find(path.begin(), path.end(), s) != path.end()) return own;
  switch (s->state()) {
    case StageState::kDone:
      return kUnknownCycle;
    case StageState::kWaitingForGrant:
      return std::max(own, s->grant_request_cycle());
    case StageState::kReady:
      return own;
    case StageState::kBlockedOnRead:
    case StageState::kBlockedOnWrite: {
      const StreamFifo* f = s->blocked_on();
      const bool reading = s->state() == StageState::kBlockedOnRead;
      // Woken but not yet run: the stamp it waited for is known now.
      const int64_t known = reading ? f->read_ready_cycle() : f->write_ready_cycle();
      if (known != kUnknownCycle) return std::max(own, known);
      const Stage* other = reading ? f->producer : f->consumer;
      if (!other) return own;
      path.push_back(s);
      const int64_t h = horizon(other, path);
      path.pop_back();
      if (h == kUnknownCycle) return kUnknownCycle;  // the beat (or slot) never comes
      return std::max(own, h + (reading ? f->latency() : 1));
    }
  }
  return own;
}

}  // namespace

SharedPort::SharedPort(const char* name, int occupancy)
    : sc_object(name), occupancy_(std::max(1, occupancy)) {}

int SharedPort::add_requester(Stage* s) {
  stages_.push_back(s);
  pending_.push_back(-1);
  decided_.push_back(-1);
  pending_occupancy_.push_back(0);
  return int(stages_.size()) - 1;
}

// No other requester can still ask for a cycle whose (cycle, index) comes
// before (t, r).
bool SharedPort::decidable(int r, int64_t t) const {
  std::vector<const Stage*> path;
  for (size_t q = 0; q < stages_.size(); ++q) {
    if (int(q) == r) continue;
    int64_t h;
    if (decided_[q] >= 0)
      h = decided_[q] + 1;  // granted: its next request comes after that advance
    else if (pending_[q] >= 0)
      h = pending_[q];
    else
      h = horizon(stages_[q], path);
    if (h < t || (h == t && int(q) < r)) return false;
  }
  return true;
}

int64_t SharedPort::grant(int r, int64_t t, int64_t occupancy) {
  const int64_t g = std::max(t, next_free_);
  const int64_t held = occupancy > 0 ? occupancy : occupancy_;
  next_free_ = g + held;
  busy_cycles_ += held;
  ++granted_count_;
  if (record_) grants_.push_back({r, t, g});
  return g;
}

int64_t SharedPort::request(int r, int64_t t, Scheduler& sched, int64_t occupancy) {
  if (decided_[size_t(r)] >= 0) {  // woken after decide(): take it
    const int64_t g = decided_[size_t(r)];
    decided_[size_t(r)] = pending_[size_t(r)] = -1;
    return g;
  }
  pending_[size_t(r)] = -1;
  if (decidable(r, t)) return grant(r, t, occupancy);
  pending_[size_t(r)] = t;
  pending_occupancy_[size_t(r)] = occupancy;
  return kUnknownCycle;
}

bool SharedPort::decide(Scheduler& sched) {
  bool any = false;
  for (;;) {
    int best = -1;
    for (size_t q = 0; q < stages_.size(); ++q)
      if (pending_[q] >= 0 && decided_[q] < 0 && (best < 0 || pending_[q] < pending_[size_t(best)]))
        best = int(q);
    if (best < 0) return any;
    const int64_t t = pending_[size_t(best)];
    pending_[size_t(best)] = -1;
    if (!decidable(best, t)) {
      pending_[size_t(best)] = t;
      return any;
    }
    decided_[size_t(best)] = grant(best, t, pending_occupancy_[size_t(best)]);
    pending_[size_t(best)] = t;
    sched.wake(stages_[size_t(best)]);
    any = true;
  }
}

}  // namespace vine::models
