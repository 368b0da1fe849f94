#include "sim/run/stall_chain.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "sim/run/steady_state.h"
#include "sim/run/timing_run.h"

namespace vine::sim {

namespace {

// A stage's longest wait: on which FIFO, whether for a slot (full) or for a
// beat (empty), and for how many cycles.
struct Wait {
  const models::StreamFifo* fifo = nullptr;
  bool full = false;
  int64_t cycles = 0;
};

Wait longest_wait(const models::Stage& s) {
  Wait w;
  const auto& st = s.stats();
  for (size_t p = 0; p < st.stalled_on_input.size(); ++p)
    if (st.stalled_on_input[p] > w.cycles) w = {s.inputs()[p], false, st.stalled_on_input[p]};
  for (size_t p = 0; p < st.stalled_on_output.size(); ++p)
    if (st.stalled_on_output[p] > w.cycles) w = {s.outputs()[p], true, st.stalled_on_output[p]};
  return w;
}

// A stage that waited less than this share of its busy cycles hardly waits:
// it is where a chain ends.
constexpr int64_t kHardlyWaits = 100;  // 1 %

// Cycles the diagnosis's timing runs have simulated, and the last run's: the
// remedy's search stops before it would pass kMaxDiagnosisCycles.
thread_local int64_t diagnosis_cycles = 0, last_run_cycles = 0;

bool budget_left(int runs) {
  return diagnosis_cycles + runs * last_run_cycles <= kMaxDiagnosisCycles;
}

// The network of a design copy, run timing only for `frames` frames.
std::unique_ptr<ProcessNetwork> run_timing_counted(const ir::Design& d, int frames) {
  auto pn = run_timing(d, frames);
  last_run_cycles = simulated_cycles(*pn);
  diagnosis_cycles += last_run_cycles;
  return pn;
}

// The steady interval of a design copy over `frames` frames (0: not reached).
double steady_interval(const ir::Design& d, int frames) {
  const RunFrames run = remember_runs([&d](int n) { return frame_stamps(*run_timing_counted(d, n)); });
  const SteadyState s = judge_run(frames, run);
  return s.reached ? s.interval_cycles() : 0;
}

// A remedy's FIFO: a graph edge by its name ("a->b"), or every stream inside
// a layer through the design's internal_fifo_depth.
constexpr const char* kInternalFifos = "internal_fifo_depth";

std::string remedy_key(const StallChain& c) { return c.root_internal ? kInternalFifos : c.root_fifo; }

int depth_of(const ir::Design& d, const std::string& key) {
  if (key == kInternalFifos) return d.internal_fifo_depth;
  for (const auto& f : d.fifos)
    if (f.from + "->" + f.to == key) return f.depth;
  return 0;
}

void set_depth(ir::Design& d, const std::string& key, int depth) {
  if (key == kInternalFifos) d.internal_fifo_depth = depth;
  for (auto& f : d.fifos)  // every spec of the edge (an add may read one layer twice)
    if (f.from + "->" + f.to == key) f.depth = depth;
}

std::string cycles_text(double c) {
  std::ostringstream o;
  if (c == double(int64_t(c)))
    o << int64_t(c);
  else
    o << c;
  return o.str();
}

}  // namespace

StallChain follow_stall_chain(const ProcessNetwork& pn, const std::string& from) {
  StallChain chain;
  const models::Stage* cur = nullptr;
  for (const auto& s : pn.stages())
    if (s->name() == from) cur = s.get();
  std::set<const models::Stage*> seen;
  std::vector<std::string> links;
  while (cur && seen.insert(cur).second) {
    const Wait w = longest_wait(*cur);
    if (!w.fifo || w.cycles * kHardlyWaits < cur->stats().busy) {
      chain.root_stage = cur->name();
      break;
    }
    std::ostringstream link;
    link << cur->name() << (w.full ? " waits for a slot in " : " waits for a beat on ")
         << w.fifo->name() << " (" << (w.full ? "full" : "empty") << ", " << w.cycles << " cycles)";
    links.push_back(link.str());
    if (w.full) {
      chain.root_fifo = w.fifo->name();
      for (const auto& sp : pn.plan().streams)
        if (sp.name == chain.root_fifo) chain.root_internal = !sp.graph_edge;
    }
    cur = w.full ? w.fifo->consumer : w.fifo->producer;
  }
  // A long back-pressure chain: its first two waits and its last two.
  std::ostringstream text;
  for (size_t i = 0; i < links.size(); ++i) {
    if (links.size() > 5 && i == 2) {
      text << "; ... " << links.size() - 4 << " more waits ...";
      i = links.size() - 3;
      continue;
    }
    text << (i ? "; " : "") << links[i];
  }
  chain.text = text.str();
  return chain;
}

IntervalDiagnosis diagnose_interval(const ir::Design& d, const estimate::Estimate& e, int frames,
                                    double interval_cycles) {
  IntervalDiagnosis dx;
  if (e.bottleneck_stages.empty()) return dx;
  diagnosis_cycles = last_run_cycles = 0;

  // Deepen root FIFOs one at a time while the interval stays long.
  ir::Design deep = d;
  std::vector<std::string> deepened;  // graph edges, and "internal_fifo_depth"
  double interval = interval_cycles;
  for (int step = 0; step <= kMaxDeepenedFifos; ++step) {
    const auto pn = run_timing_counted(deep, frames);
    // From each bottleneck stage (a tie has several): the first chain, in
    // pipeline order, whose root is a FIFO not deepened yet.
    StallChain chain;
    for (const std::string& pace : e.bottleneck_stages) {
      StallChain c = follow_stall_chain(*pn, pace);
      if (chain.text.empty()) chain = c;
      if (!c.root_fifo.empty() && !std::count(deepened.begin(), deepened.end(), remedy_key(c))) {
        chain = c;
        break;
      }
    }
    if (step == 0) dx.chain = chain;
    if (step == kMaxDeepenedFifos || chain.root_fifo.empty() || interval <= double(e.interval_cycles))
      break;
    // Deep enough never to fill: every beat the run moves through it.
    int64_t beats = 0;
    for (const auto& f : pn->fifos())
      if (f->name() == chain.root_fifo) beats = f->written();
    const int never_full = int(std::min<int64_t>(std::max<int64_t>(beats, 2), 1 << 24));
    const std::string key = remedy_key(chain);
    if (std::count(deepened.begin(), deepened.end(), key)) break;  // deepened and still the root
    set_depth(deep, key, std::max(depth_of(deep, key), never_full));
    if (!budget_left(2 + 2)) {  // this step's runs and the check's
      dx.least = false;
      break;
    }
    deepened.push_back(key);
    interval = steady_interval(deep, frames);
    if (interval == 0) break;
  }
  // Roots that filled but, deepened all together, leave the interval as
  // long: not a remedy.
  if (!deepened.empty() && interval >= interval_cycles) {
    for (const std::string& key : deepened)
      dx.in_vain += (dx.in_vain.empty() ? "" : ", ") +
                    (key == kInternalFifos ? std::string(kInternalFifos) : "depth of " + key);
    deepened.clear();
  }

  // Each deepened FIFO cut back to the least depth that keeps the deepened
  // run's interval (between its depth before and its peak when deep; the
  // ones after it still deep), then one run with exactly those depths.
  if (!deepened.empty() && interval > 0) {
    const auto pn = run_timing_counted(deep, frames);
    std::set<std::string> internal;
    for (const auto& sp : pn->plan().streams)
      if (!sp.graph_edge) internal.insert(sp.name);
    ir::Design sized = deep;
    for (const std::string& key : deepened) {
      FifoRemedy r{key, depth_of(d, key), 0};
      int peak = 0;  // the FIFO's peak occupancy in the deepened run (the highest of a layer's streams)
      for (const auto& f : pn->fifos())
        if (key == kInternalFifos ? internal.count(f->name()) > 0 : f->name() == key)
          peak = std::max(peak, f->max_occupancy());
      // The least depth in (before, peak] whose interval is the deepened
      // one: doubling up from the depth before (the answer is usually
      // small), then bisecting.
      int lo = r.depth_before, hi = std::max(peak, r.depth_before);
      auto works = [&](int depth) {
        ir::Design trial = sized;
        set_depth(trial, key, depth);
        const double got = steady_interval(trial, frames);
        return got > 0 && got <= interval;
      };
      for (int64_t step = std::max(1, lo); lo + step < hi && budget_left(2 + 2); step *= 2) {
        if (works(int(lo + step))) {
          hi = int(lo + step);
          break;
        }
        lo = int(lo + step);
      }
      while (hi - lo > 1 && budget_left(2 + 2)) {
        const int mid = lo + (hi - lo) / 2;
        (works(mid) ? hi : lo) = mid;
      }
      if (hi - lo > 1) dx.least = false;  // out of runs: a depth that works, maybe not the least
      r.depth = hi;
      set_depth(sized, key, hi);
      if (r.depth != r.depth_before) dx.remedy.push_back(r);
    }
    if (!dx.remedy.empty()) dx.remedy_interval = steady_interval(sized, frames);
  }

  std::ostringstream o;
  o << "interval " << cycles_text(interval_cycles) << " > the bottleneck's " << e.interval_cycles
    << ": " << (dx.chain.text.empty() ? estimate::join_names(e.bottleneck_stages) + " hardly wait" : dx.chain.text);
  if (!dx.chain.root_fifo.empty())
    o << "; root: " << dx.chain.root_fifo << " fills";
  else if (!dx.chain.root_stage.empty())
    o << "; root: " << dx.chain.root_stage << " (it hardly waits)";
  if (dx.remedy.empty() && !dx.least)
    o << ". No remedy measured: its runs would pass the " << kMaxDiagnosisCycles
      << " simulated cycles the search may take; `vine fifo-size` finds the least depths of every FIFO";
  if (dx.remedy.empty() && !dx.in_vain.empty())
    o << ". No remedy measured: with " << dx.in_vain << " deep enough never to fill, the interval stays "
      << cycles_text(interval_cycles)
      << "; `vine fifo-size` sizes every FIFO together";
  if (!dx.remedy.empty()) {
    o << ". Measured remedy: ";
    for (size_t i = 0; i < dx.remedy.size(); ++i) {
      const FifoRemedy& r = dx.remedy[i];
      o << (i ? ", " : "")
        << (r.fifo == kInternalFifos ? std::string(kInternalFifos) : "depth of " + r.fifo) << " "
        << r.depth_before << " -> " << r.depth;
    }
    if (dx.remedy_interval > 0)
      o << " gives interval " << cycles_text(dx.remedy_interval)
        << (dx.remedy_interval <= double(e.interval_cycles) ? " (the bottleneck's)" : "");
    else
      o << " gives no steady state in " << frames << " frames";
    if (!dx.least)
      o << " (not the least depths: the search stops at " << kMaxDiagnosisCycles
        << " simulated cycles; `vine fifo-size` finds them)";
  }
  dx.text = o.str();
  return dx;
}

}  // namespace vine::sim
