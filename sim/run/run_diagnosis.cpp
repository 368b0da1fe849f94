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
// of the deadlock. The stages' states and the FIFOs' occupancies are the
// report's (measured in one process or gathered from every rank of a
// distributed run); the network gives only which FIFO joins which stages.
std::string wait_cycle(const ProcessNetwork& pn, const RunReport& r) {
  const std::string on_read = to_string(StageState::kBlockedOnRead);
  const std::string done = to_string(StageState::kDone);
  std::map<const models::Stage*, size_t> index;
  for (size_t i = 0; i < pn.stages().size(); ++i) index[pn.stages()[i].get()] = i;
  std::map<std::string, const models::StreamFifo*> fifo_named;
  for (const auto& f : pn.fifos()) fifo_named[f->name()] = f.get();
  std::map<std::string, const FifoReport*> fifo_report;
  for (const auto& f : r.fifos) fifo_report[f.name] = &f;
  auto reading = [&](size_t i) { return r.stages[i].state == on_read; };
  auto blocked_on = [&](size_t i) -> const models::StreamFifo* {
    const auto it = fifo_named.find(r.stages[i].blocked_on);
    return r.stages[i].blocked_on.empty() || it == fifo_named.end() ? nullptr : it->second;
  };
  auto level = [&](const models::StreamFifo* f) {
    const FifoReport* fr = fifo_report.at(f->name());
    return " (" + std::to_string(fr->occupancy) + "/" + std::to_string(fr->capacity) + ")";
  };
  std::map<size_t, size_t> waits_for;
  for (size_t i = 0; i < r.stages.size(); ++i) {
    const models::StreamFifo* f = blocked_on(i);
    if (!f) continue;
    waits_for[i] = index.at(reading(i) ? f->producer : f->consumer);
  }
  // Walked from the stages in pipeline order, so that the message is the
  // same each time.
  for (size_t start = 0; start < r.stages.size(); ++start) {
    if (!waits_for.count(start)) continue;
    std::vector<size_t> path{start};
    std::set<size_t> seen{start};
    size_t cur = start;
    while (waits_for.count(cur)) {
      cur = waits_for[cur];
      if (seen.count(cur)) {
        std::string out;
        bool in_cycle = false;
        for (const size_t s : path) {
          if (s == cur) in_cycle = true;
          if (!in_cycle) continue;
          const models::StreamFifo* f = blocked_on(s);
          out += r.stages[s].name + (reading(s) ? " waits for a beat on " : " waits for a slot in ") +
                 f->name() + level(f) + "; ";
        }
        return out + "and round again";
      }
      seen.insert(cur);
      path.push_back(cur);
    }
  }
  // No cycle: a chain of waits ends at a stage that is neither blocked nor
  // done (a SystemC module whose thread stopped, say).
  for (size_t start = 0; start < r.stages.size(); ++start) {
    if (!waits_for.count(start)) continue;
    const size_t next = waits_for[start];
    if (waits_for.count(next) || r.stages[next].state == done) continue;
    const models::StreamFifo* f = blocked_on(start);
    return r.stages[start].name + (reading(start) ? " waits for a beat on " : " waits for a slot in ") +
           f->name() + level(f) + ", but " + r.stages[next].name + " (" + r.stages[next].kind + ") is " +
           r.stages[next].state + " and moves no more beats";
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

DeadlockDiagnosis diagnose_deadlock(const ProcessNetwork& pn, const RunReport& r) {
  std::ostringstream o;
  int64_t stuck = 0;
  for (const auto& s : r.stages) stuck = std::max(stuck, s.local_cycle);
  o << "deadlock at cycle " << stuck << ", after " << r.frame_last_out_cycles.size() << " of "
    << r.frames << " frames: ";
  const std::string cyc = wait_cycle(pn, r);
  o << (cyc.empty() ? "stages wait on one another" : cyc);
  return {o.str(), stuck};
}

}  // namespace vine::sim
