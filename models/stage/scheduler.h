// Runs the stages of a process network. A stage runs ahead for as long as the
// stamps it needs are known and then blocks on one FIFO; the other side of
// that FIFO wakes it. A waiting stage costs no host time, and a simulation
// whose stages are all blocked has deadlocked (or finished).
//
// The order in which ready stages run does not change any cycle: a stamp is
// computed only from stamps already final. Tests prove it by running the
// same design under every HostOrder.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

enum class HostOrder {
  kFifo,      // the default: wake order
  kLifo,      // the most recently woken first
  kShuffled,  // a seeded random pick
};

class Scheduler {
 public:
  void wake(Stage* s) {
    if (!s || s->queued || s->state() == StageState::kDone) return;
    if (s->external()) {  // driven by a SystemC thread: tell it, do not run it
      s->wake_external();
      return;
    }
    s->queued = true;
    if (count_ == ready_.size()) grow();
    ready_[(head_ + count_) & (ready_.size() - 1)] = s;
    ++count_;
  }
  // A port whose waiting requests are decided whenever nothing else can run.
  void add_shared_port(SharedPort* p) { ports_.push_back(p); }
  // The stages whose pipelines flush (PipelineTiming::flushes), with every
  // other stage of the network: when no stage can run, decide_flush() lets
  // the flushing stage whose next write comes first make it (below).
  void watch_flushing(std::vector<Stage*> all) { all_ = std::move(all); }
  void set_order(HostOrder o, uint64_t seed = 1) {
    order_ = o;
    rng_ = seed | 1;
  }
  // Activates ready stages until none is left. `should_pause`, checked between
  // activations, lets a caller stop early and resume with another run().
  void run(const std::function<bool()>& should_pause = {});
  bool idle() const { return count_ == 0; }
  int64_t activations() const { return activations_; }

 private:
  Stage* next();

  bool decide_shared();
  // No stage can run and some flushing stage waits for a beat not yet
  // written while a write of its pipeline is due at a known cycle c. Every
  // beat still to be written anywhere is written because some stage now
  // blocked moves again, and that starts with an event no earlier than the
  // least of such c, of the cycles waiting for a grant, and of the next
  // cycles of stages driven from outside; a beat written in cycle w is
  // readable from w + 1 at the earliest. So the stage with the least c may
  // write then: the beat it waits for cannot be readable by c. True if one did.
  bool decide_flush();
  std::vector<Stage*> all_;

  // The ready queue: a ring of a power-of-two size (a stage is in it at most
  // once, so it never holds more than the stages): one push and one pop every
  // beat or two, cheaper than a std::deque's.
  void grow();
  std::vector<Stage*> ready_;
  size_t head_ = 0, count_ = 0;
  std::vector<SharedPort*> ports_;
  int64_t activations_ = 0;
  HostOrder order_ = HostOrder::kFifo;
  uint64_t rng_ = 1;
};

}  // namespace vine::models
