// A port that several stages share (a DDR channel's command port, a serial
// link, a weights generator): at most one grant every `occupancy` cycles,
// granted in simulated-time order (first come, first served by the request's
// cycle, ties to the requester added first), whatever order the host runs
// the stages in.
//
// The stamp engine runs stages ahead of one another, so a request at cycle t
// can be granted only once no other requester can still ask for a cycle
// before it: conservative lookahead. Each requester's horizon (the earliest
// cycle of its next request) follows from its state: a stage that waits for a
// beat cannot ask before its producer's horizon plus the FIFO's latency, a
// stage waiting for a slot not before its consumer's horizon plus one, a
// stage waiting for a grant not before its own request, a done stage never.
// A request is decided when the stage asks, if it can be, and otherwise when
// the engine has nothing else to run (Scheduler::run), so a stage waiting
// for a grant is a wait, not a deadlock.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/stream/stream_if.h"

namespace vine::models {

class Stage;
class Scheduler;

class SharedPort : public sc_core::sc_object {
 public:
  struct Grant {
    int requester = 0;
    int64_t request = 0;  // the cycle the requester was ready in
    int64_t grant = 0;    // the cycle it advanced in
  };

  explicit SharedPort(const char* name, int occupancy = 1);
  const char* kind() const override { return "vine_shared_port"; }

  // Registers a requester (Stage::add_shared_port); returns its index.
  int add_requester(Stage* s);
  // Requester r is ready to advance in cycle t: the granted cycle (>= t), or
  // kUnknownCycle while an earlier request may still come (the stage waits
  // and is woken once decided; it then asks again with the same t). The
  // grant holds the port for `occupancy` cycles (0: the port's own figure).
  int64_t request(int r, int64_t t, Scheduler& sched, int64_t occupancy = 0);
  // Decides every request that can be decided now, waking their stages;
  // returns whether it decided any.
  bool decide(Scheduler& sched);

  void record_grants(bool on) { record_ = on; }
  const std::vector<Grant>& grants() const { return grants_; }
  int64_t granted() const { return granted_count_; }
  // Cycles granted requests have held the port, summed.
  int64_t busy_cycles() const { return busy_cycles_; }

 private:
  bool decidable(int r, int64_t t) const;
  int64_t grant(int r, int64_t t, int64_t occupancy);

  int occupancy_;
  std::vector<Stage*> stages_;
  std::vector<int64_t> pending_;  // per requester: the cycle of its undecided request, or -1
  std::vector<int64_t> decided_;  // per requester: its decided, not yet taken grant, or -1
  std::vector<int64_t> pending_occupancy_;  // per requester: its undecided request's occupancy
  int64_t next_free_ = 0;
  int64_t granted_count_ = 0;
  int64_t busy_cycles_ = 0;
  bool record_ = false;
  std::vector<Grant> grants_;
};

}  // namespace vine::models
