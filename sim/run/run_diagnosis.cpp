#include "sim/run/run_diagnosis.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace vine::sim {

using models::StageState;

namespace {

// The wait-for chain from a blocked stage: each stage waits on a FIFO whose
// other side is the next stage; a chain that returns to a stage is the cycle
// of the deadlock.
std::string wait_cycle(const ProcessNetwork& pn) {
  std::map<const models::Stage*, const models::Stage*> waits_for;
  for (const auto& s : pn.stages()) {
    const models::StreamFifo* f = s->blocked_on();
    if (!f) continue;
    waits_for[s.get()] = s->state() == StageState::kBlockedOnRead ? f->producer : f->consumer;
  }
  // Walked from the stages in pipeline order, not in the map's (by address,
  // which differs from run to run), so that the message is the same each time.
  for (const auto& st : pn.stages()) {
    const models::Stage* start = st.get();
    if (!waits_for.count(start)) continue;
    std::vector<const models::Stage*> path{start};
    std::set<const models::Stage*> seen{start};
    const models::Stage* cur = start;
    while (waits_for.count(cur)) {
      cur = waits_for[cur];
      if (seen.count(cur)) {
        std::string out;
        bool in_cycle = false;
        for (const auto* s : path) {
          if (s == cur) in_cycle = true;
          if (!in_cycle) continue;
          const models::StreamFifo* f = s->blocked_on();
          out += s->name() +
                 (s->state() == StageState::kBlockedOnRead ? " waits for a beat on "
                                                           : " waits for a slot in ") +
                 f->name() + " (" + std::to_string(f->occupancy()) + "/" +
                 std::to_string(f->capacity()) + "); ";
        }
        return out + "and round again";
      }
      seen.insert(cur);
      path.push_back(cur);
    }
  }
  // No cycle: a chain of waits ends at a stage that is neither blocked nor
  // done (a SystemC module whose thread stopped, say).
  for (const auto& st : pn.stages()) {
    const models::Stage* start = st.get();
    if (!waits_for.count(start)) continue;
    const models::Stage* next = waits_for[start];
    if (!next || waits_for.count(next) || next->state() == StageState::kDone) continue;
    const models::StreamFifo* f = start->blocked_on();
    return start->name() +
           (start->state() == StageState::kBlockedOnRead ? " waits for a beat on " : " waits for a slot in ") +
           f->name() + " (" + std::to_string(f->occupancy()) + "/" + std::to_string(f->capacity()) + "), but " +
           next->name() + " (" + next->kind() + ") is " + to_string(next->state()) + " and moves no more beats";
  }
  return "";
}

}  // namespace

std::string explain_interval(const RunReport& r, const estimate::Estimate& e) {
  if (!r.finished || !r.steady.reached || r.interval_cycles <= double(e.interval_cycles)) return "";
  // Slower than the closed form: name what held back the stage the estimate
  // expects to set the pace.
  if (e.bottleneck_stages.empty()) return "";
  const std::string& pace = e.bottleneck_stages.front();
  for (const auto& sr : r.stages)
    if (sr.name == pace) {
      std::ostringstream o;
      o << "interval " << interval_text(r.steady) << " > estimate " << e.interval_cycles << ": "
        << pace << " (the estimate's bottleneck) stalled "
        << (sr.stalled_input + sr.stalled_output) << " cycles";
      if (!sr.worst_fifo.empty())
        o << ", most on " << sr.worst_fifo << " " << (sr.worst_fifo_full ? "full" : "empty") << " ("
          << sr.worst_fifo_cycles << " cycles)";
      return o.str();
    }
  return "";
}

DeadlockDiagnosis diagnose_deadlock(const ProcessNetwork& pn, int frames) {
  std::ostringstream o;
  int64_t stuck = 0;
  for (const auto& s : pn.stages()) stuck = std::max(stuck, s->local_cycle());
  o << "deadlock at cycle " << stuck << ", after " << pn.output_dma().frames_done() << " of "
    << frames << " frames: ";
  const std::string cyc = wait_cycle(pn);
  o << (cyc.empty() ? "stages wait on one another" : cyc);
  return {o.str(), stuck};
}

}  // namespace vine::sim
