// Runs the stages of a process network. A stage runs ahead for as long as the
// stamps it needs are known and then blocks on one FIFO; the other side of
// that FIFO wakes it. A waiting stage costs no host time, and a simulation
// whose stages are all blocked has deadlocked (or finished).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

class Scheduler {
 public:
  void wake(Stage* s) {
    if (s && !s->queued && s->state() != StageState::kDone) {
      s->queued = true;
      ready_.push_back(s);
    }
  }
  // Activates ready stages until none is left. `should_pause`, checked between
  // activations, lets a caller stop early (e.g. to sync SystemC time) and
  // resume with another run().
  void run(const std::function<bool()>& should_pause = {});
  bool idle() const { return ready_.empty(); }
  int64_t activations() const { return activations_; }

 private:
  std::deque<Stage*> ready_;
  int64_t activations_ = 0;
};

}  // namespace vine::models
