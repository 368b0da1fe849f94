#include "sim/explore/fifo_sizing.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <utility>

#include "sim/explore/finn_fifo_style.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/timing_run.h"

namespace vine::explore {

namespace {

// Intervals are exact ratios of cycles to frames (steady_state.h); this only
// absorbs the division's rounding.
constexpr double kSameInterval = 1e-9;
// The deepest FIFO a design may ask for (the config's limit).
constexpr int kDeepest = 1 << 24;

void set_depth(ir::Design& d, const SizedFifo& f, int depth) {
  if (f.graph_edge) {
    for (auto& spec : d.fifos)  // every spec of the edge (an add may read one layer twice)
      if (spec.from + "->" + spec.to == f.name) spec.depth = depth;
    return;
  }
  for (auto& s : d.stream_fifos)
    if (s.stream == f.name) {
      s.depth = depth;
      return;
    }
  d.stream_fifos.push_back({f.name, depth, f.memory_style, {}, {}, {}});
}


// The peak occupancy of the FIFO(s) named `name` in a finished run.
int peak_of(const sim::ProcessNetwork& pn, const std::string& name) {
  int peak = 0;
  for (const auto& q : pn.fifos())
    if (q->name() == name) peak = std::max(peak, q->max_occupancy());
  return peak;
}

class Search {
 public:
  Search(const ir::Design& d, const FifoSizingOptions& o,
         const std::function<void(const std::string&, bool)>& progress)
      : o_(o), progress_(progress), work_(d) {}

  FifoSizing run() {
    const auto t0 = std::chrono::steady_clock::now();
    r_.fifos = plan_fifos(work_);
    r_.shortcuts = o_.shortcuts;
    unbounded();
    // The design as given, and FINN's rule, judged as they are (at once:
    // the search needs neither); the search starts from the peaks.
    const ir::Design given = with_depths(work_, r_.fifos, [](const SizedFifo& f) { return f.depth_before; });
    const ir::Design finn = with_depths(work_, r_.fifos, [](const SizedFifo& f) { return f.finn_depth; });
    const std::vector<SizingCheck> reports =
        judge_each({[&] { return judge_reaching(given); }, [&] { return judge_reaching(finn); }});
    r_.before = reports[0];
    r_.finn_rule = reports[1];
    trial_depth_.assign(r_.fifos.size(), 0);
    for (const SizedFifo& f : r_.fifos) r_.fifos_with_rate_floor += floor_of(f) > o_.min_depth;
    if (!start_from_given()) {
      for (const SizedFifo& f : r_.fifos) set_work(f, depth_[f.name]);
      if (!trial()) {
        // Cannot happen while timing is monotone in the depths: the peaks let
        // every beat move as in the unbounded run. Start from that run instead.
        say("the unbounded run's peak occupancies miss the target; starting from the unbounded depths");
        for (const SizedFifo& f : r_.fifos) depth_[f.name] = unbounded_depth_[f.name];
        for (const SizedFifo& f : r_.fifos) set_work(f, depth_[f.name]);
      }
      first_pass();
    }
    later_passes();
    for (SizedFifo& f : r_.fifos) f.depth = depth_[f.name];
    // The trials judged the steady interval of an endless stream, which a
    // design with shallow FIFOs may settle into after more frames than the
    // trials ran: judged over the frames that reach it, as `vine run` finds them.
    // The longer check runs beside it, for the frames it most often needs.
    const int long_frames = 2 * r_.frames + 4;
    const std::vector<SizingCheck> checks =
        judge_each({[&] { return judge_reaching(work_); }, [&] { return judge(work_, long_frames); }});
    r_.sized = checks[0];
    r_.long_frames = 2 * std::max(r_.frames, r_.sized.frames) + 4;
    r_.sized_long = r_.long_frames == long_frames ? checks[1] : judge(work_, r_.long_frames);
    r_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r_;
  }

 private:
  static constexpr int kFirstFrames = 3;

  void say(const std::string& s, bool detail = false) const {
    if (progress_) progress_(s, detail);
  }

  // A timing-only run of `d`, counted in the report's runs and cycles.
  std::unique_ptr<sim::ProcessNetwork> counted_run(const ir::Design& d, int frames) {
    ++r_.runs;
    auto pn = sim::run_timing(d, frames, false);  // the search reads cycles and peaks only
    r_.simulated_cycles += sim::simulated_cycles(*pn);
    return pn;
  }

  // Counted runs of `d` by frame count, each run once (steady_state.h).
  sim::RunFrames counted_runs(const ir::Design& d) {
    return sim::remember_runs([this, &d](int n) { return sim::frame_stamps(*counted_run(d, n)); });
  }

  // The judgement of a run of `frames` frames as the report gives it; a run
  // that reached none is run once more to see whether it stopped in a
  // deadlock (only for the reports, never inside the search). `frames` is
  // the count asked for: a deadlocked run's judgement counts the frames
  // that came out.
  SizingCheck check(const ir::Design& d, const sim::SteadyState& s, int frames) {
    SizingCheck c;
    c.reached = s.reached;
    c.interval = s.interval_cycles();
    c.frames = frames;
    c.deadlock = !s.reached && !counted_run(d, frames)->finished();
    return c;
  }

  SizingCheck judge(const ir::Design& d, int frames) {
    return check(d, sim::judge_run(frames, counted_runs(d)), frames);
  }

  // A variant the search does not try (as given, FINN's rule): judged over
  // the trials' frames and, when that reaches no steady state, over the
  // frames that do, as `vine run` finds them.
  SizingCheck judge_reaching(const ir::Design& d) {
    SizingCheck c = judge(d, r_.frames);
    if (c.reached || c.deadlock) return c;
    const sim::SteadyState s = sim::judge_until_reached(r_.frames, counted_runs(d));
    if (!s.reached) {
      c.frames = s.search_limit;
      return c;
    }
    return check(d, s, s.frames);  // reached: every frame asked for came out
  }

  bool meets(const sim::SteadyState& s) const {
    return s.reached && s.interval_cycles() <= r_.target_interval + kSameInterval;
  }

  // Each of `n` jobs, up to o_.jobs at once. The simulator is
  // single-threaded and SystemC's kernel is one per process, so of each
  // batch all jobs but the last run in forked children, each sending back
  // its result (trivially copyable: the same binary reads it) through a
  // pipe; the last runs here. A job whose child fails (or without fork)
  // runs here too. Jobs must count nothing in r_ themselves: their results
  // carry what they cost.
  template <class T>
  std::vector<T> fork_each(size_t n, const std::function<T(size_t)>& job) {
    static_assert(std::is_trivially_copyable_v<T>, "sent whole through a pipe");
    std::vector<T> out(n);
    for (size_t first = 0; first < n;) {
      const size_t last = std::min(n, first + size_t(std::max(1, o_.jobs)));
      struct Child {
        pid_t pid;
        int fd;
        size_t index;
      };
      std::vector<Child> children;
      std::vector<bool> done(last - first, false);
      for (size_t i = first; i + 1 < last; ++i) {
        int fds[2];
        if (pipe(fds) != 0) break;
        std::fflush(nullptr);  // nothing buffered is written twice
        const pid_t pid = fork();
        if (pid == 0) {
          close(fds[0]);
          const T r = job(i);
          const ssize_t w = write(fds[1], &r, sizeof r);
          _exit(w == ssize_t(sizeof r) ? 0 : 1);
        }
        close(fds[1]);
        if (pid < 0) {
          close(fds[0]);
          break;
        }
        children.push_back({pid, fds[0], i});
      }
      out[last - 1] = job(last - 1);
      done[last - 1 - first] = true;
      for (const Child& c : children) {
        T r;
        size_t got = 0;
        while (got < sizeof r) {
          const ssize_t k = read(c.fd, reinterpret_cast<char*>(&r) + got, sizeof r - got);
          if (k <= 0) break;
          got += size_t(k);
        }
        close(c.fd);
        int status = 0;
        waitpid(c.pid, &status, 0);
        if (got == sizeof r && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
          out[c.index] = r;
          done[c.index - first] = true;
        }
      }
      for (size_t i = first; i < last; ++i)
        if (!done[i - first]) out[i] = job(i);
      first = last;
    }
    return out;
  }

  // Judgements for the report, which the search does not read, side by
  // side (fork_each), each with the runs and cycles it took.
  std::vector<SizingCheck> judge_each(const std::vector<std::function<SizingCheck()>>& jobs) {
    struct Judged {
      SizingCheck check;
      int64_t runs = 0, cycles = 0;
    };
    const std::vector<Judged> got = fork_each<Judged>(jobs.size(), [&](size_t i) {
      const int64_t runs = r_.runs, cycles = r_.simulated_cycles;
      Judged j;
      j.check = jobs[i]();
      j.runs = std::exchange(r_.runs, runs) - runs;  // counted below, wherever it ran
      j.cycles = std::exchange(r_.simulated_cycles, cycles) - cycles;
      return j;
    });
    std::vector<SizingCheck> out;
    for (const Judged& j : got) {
      out.push_back(j.check);
      r_.runs += j.runs;
      r_.simulated_cycles += j.cycles;
    }
    return out;
  }

  // What one trial found: whether it meets the target, its runs and cycles,
  // whether the repetition decided it (then exactly), and the interval it
  // found (exact by repetition; the steady-state rule's otherwise; 0: none,
  // a deadlock or no steady state).
  struct Verdict {
    bool ok = false, by_repetition = false;
    int64_t runs = 0, cycles = 0;
    double interval = 0;
    int64_t jumps = 0;
    bool known = false;  // from an earlier exact verdict, no run
    bool by_bound = false;  // by_repetition's bounds, before the state repeated
    bool by_longer_run = false;  // a miss by the steady-state rule, from its longer run alone
  };

  // The verdict on the work design as it is now. The target is a steady
  // interval, so what a trial needs is the interval of an endless stream of
  // frames, which the first repetition of the timing state gives exactly
  // (sim::endless_interval). The steady-state rule's longer run (the
  // trials' frames and kReferenceExtraFrames more) is watched for it and
  // stopped there, typically a few frames in. Where the state does not
  // repeat early enough in that run (or the fast-forward cannot watch the
  // design), the run goes on to its end and the steady-state rule decides,
  // as for the variants the search does not try, with one more run: the
  // trials' frames.
  // With the shortcuts, the frames in which a producer fills a deep FIFO a
  // little more each frame are jumped inside the run (exactly, as `vine
  // run` jumps them) until the FIFO is full and the state repeats; such a
  // run is one of more frames, so the steady-state rule then needs its
  // longer run again.
  Verdict judge_work() const {
    Verdict v;
    v.runs = 1;
    const int longer = r_.frames + sim::kReferenceExtraFrames;
    sim::FrameStamps longer_run;
    const sim::EndlessInterval e = sim::endless_interval(work_, longer, &v.cycles, &longer_run, o_.shortcuts,
                                                         o_.shortcuts ? r_.target_interval : 0.0);
    v.jumps = e.jumps;
    if (e.found) {
      v.by_repetition = true;
      v.interval = e.interval_cycles();
      v.ok = v.interval <= r_.target_interval + kSameInterval;
      return v;
    }
    if (e.bound != 0) {  // as exact: the interval is on the bound's side of the target
      v.by_repetition = v.by_bound = true;
      // A miss's bound is below its interval and would aim the bisection's
      // guesses too shallow: left out of them (measured: fewer runs so).
      v.interval = 0;
      v.ok = e.bound > 0;
      return v;
    }
    // The steady-state rule judges the frames its two runs share from the
    // start (settled frames), which are frames of the longer run, so its
    // verdict is the judgement of a prefix of the longer run no longer than
    // the judged run. With the shortcuts, when no such prefix meets the
    // target, the trial misses whatever the judged run would show, and that
    // run is not run. The interval that aims the next probes (least_depth)
    // is then that of the longest such prefix that reaches the steady state
    // (most often the judged run's frames, all settled).
    if (o_.shortcuts && e.jumps == 0 &&
        !sim::some_prefix_reaches_within(longer_run, r_.frames, r_.target_interval + kSameInterval)) {
      v.by_longer_run = true;
      for (size_t n = std::min(size_t(r_.frames), longer_run.last.size()); n > 0; --n) {
        const sim::FrameStamps prefix = sim::first_frames(longer_run, n);
        const sim::SteadyState p = sim::judge_steady_state(prefix, prefix, longer);
        if (p.reached) {
          v.interval = p.interval_cycles();
          break;
        }
      }
      return v;
    }
    const sim::SteadyState s = sim::judge_run(r_.frames, [&](int n) {
      if (n == longer && e.jumps == 0) return longer_run;
      ++v.runs;
      const auto pn = sim::run_timing(work_, n, false);
      v.cycles += sim::simulated_cycles(*pn);
      return sim::frame_stamps(*pn);
    });
    v.ok = meets(s);
    v.interval = s.reached ? s.interval_cycles() : 0.0;
    return v;
  }

  // An exact verdict of an earlier trial that decides the combination
  // `depths`: timing is monotone in the depths, so every combination at or
  // below (each FIFO as shallow or shallower) one that missed the target
  // misses it, and every one at or above one that met it meets it. Only the
  // repetition's verdicts are exact for an endless stream; the steady-state
  // rule's judge a finite run and are not reused.
  std::optional<bool> known(const std::vector<int>& depths) const {
    if (!o_.shortcuts) return std::nullopt;
    const auto all = [&depths](const std::vector<int>& m, bool below) {
      for (size_t i = 0; i < depths.size(); ++i)
        if (below ? depths[i] > m[i] : depths[i] < m[i]) return false;
      return true;
    };
    for (const auto& m : exact_misses_)
      if (all(m, true)) return false;
    for (const auto& m : exact_meets_)
      if (all(m, false)) return true;
    return std::nullopt;
  }

  void remember(const std::vector<int>& depths, const Verdict& v) {
    if (!v.by_repetition) return;
    (v.ok ? exact_meets_ : exact_misses_).push_back(depths);
  }

  // The work design's depths with FIFO `f` at `depth`.
  std::vector<int> depths_with(const SizedFifo& f, int depth) const {
    std::vector<int> c = trial_depth_;
    c[index_of(f)] = depth;
    return c;
  }
  size_t index_of(const SizedFifo& f) const { return size_t(&f - r_.fifos.data()); }

  // The work design's FIFO `f` at `depth`, for the trials to come.
  void set_work(const SizedFifo& f, int depth) {
    set_depth(work_, f, depth);
    trial_depth_[index_of(f)] = depth;
  }

  bool count(const Verdict& v) {
    r_.runs += v.runs;
    r_.simulated_cycles += v.cycles;
    ++r_.trials;
    if (v.by_repetition) ++r_.trials_by_repetition;
    if (v.jumps > 0) ++r_.trials_with_jumps;
    if (v.by_bound) ++r_.trials_by_bound;
    if (v.known) ++r_.trials_known;
    if (v.by_longer_run) ++r_.trials_by_longer_run;
    return v.ok;
  }

  // One trial of the search: the work design as it is now.
  bool trial() { return verdict().ok; }
  Verdict verdict() {
    Verdict v;
    if (const std::optional<Verdict> a = take_ahead(trial_depth_)) {
      v = *a;
      count(v);
      return v;
    }
    if (const std::optional<bool> k = known(trial_depth_)) {
      v.ok = *k;
      v.known = true;
    } else {
      v = judge_work();
      remember(trial_depth_, v);
    }
    count(v);
    return v;
  }

  // Trials of `f` at each of `depths` (the others as they are), up to
  // o_.jobs at once (trials_each).
  std::vector<Verdict> works_each(const SizedFifo& f, const std::vector<int>& depths) {
    std::vector<std::vector<int>> combos;
    for (int d : depths) combos.push_back(depths_with(f, d));
    return trials_each(combos);
  }

  // The work design at the depths `combo` (r_.fifos' order).
  void set_combination(const std::vector<int>& combo) {
    for (size_t i = 0; i < combo.size(); ++i)
      if (trial_depth_[i] != combo[i]) set_work(r_.fifos[i], combo[i]);
  }

  // A verdict run ahead (ahead_next_) on exactly these depths, now asked
  // for: its runs and cycles were counted when it ran.
  std::optional<Verdict> take_ahead(const std::vector<int>& combo) {
    const auto it = ahead_.find(combo);
    if (it == ahead_.end()) return std::nullopt;
    Verdict v = it->second;
    ahead_.erase(it);
    v.runs = 0;
    v.cycles = 0;
    ++r_.trials_ahead_used;
    return v;
  }

  // Trials of each combination of depths, up to o_.jobs at once. Those an
  // earlier exact verdict decides, or a trial run ahead on these very
  // depths, need no run. When fewer than o_.jobs are left to run and
  // ahead_next_ names the trials the search will most likely ask for next,
  // those run on the free jobs, and their verdicts are kept until the search
  // asks for exactly those depths (a trial's verdict depends on its depths
  // only). The work design is left as it was.
  std::vector<Verdict> trials_each(const std::vector<std::vector<int>>& combos) {
    const std::vector<int> entry = trial_depth_;
    std::vector<Verdict> out(combos.size());
    std::vector<std::vector<int>> to_run;
    std::vector<size_t> index;  // into out; combos.size() for the trial run ahead
    for (size_t i = 0; i < combos.size(); ++i) {
      if (const std::optional<Verdict> a = take_ahead(combos[i])) {
        out[i] = *a;
        count(out[i]);
      } else if (const std::optional<bool> k = known(combos[i])) {
        out[i].ok = *k;
        out[i].known = true;
        count(out[i]);
      } else {
        to_run.push_back(combos[i]);
        index.push_back(i);
      }
    }
    for (const std::vector<int>& c : ahead_next_)
      if (o_.shortcuts && !to_run.empty() && int(to_run.size()) < o_.jobs && !ahead_.count(c) && !known(c) &&
          std::find(to_run.begin(), to_run.end(), c) == to_run.end()) {
        to_run.push_back(c);
        index.push_back(combos.size());
      }
    const std::vector<Verdict> got = run_each(to_run);
    for (size_t t = 0; t < got.size(); ++t) {
      remember(to_run[t], got[t]);
      if (index[t] < combos.size()) {
        out[index[t]] = got[t];
        count(got[t]);
      } else {  // ahead: its cost now, its verdict when asked for
        ahead_[to_run[t]] = got[t];
        r_.runs += got[t].runs;
        r_.simulated_cycles += got[t].cycles;
        ++r_.trials_ahead;
      }
    }
    set_combination(entry);
    return out;
  }

  // The verdict on each combination, side by side (fork_each). Nothing is
  // counted here.
  std::vector<Verdict> run_each(const std::vector<std::vector<int>>& combos) {
    return fork_each<Verdict>(combos.size(), [&](size_t i) {
      set_combination(combos[i]);
      return judge_work();
    });
  }

  // FifoSizingOptions::start_from_given: one trial of the design's depths,
  // each raised to its floor (nothing shallower can meet the target); when
  // it meets the target, they are where step 3 starts.
  bool start_from_given() {
    if (!o_.start_from_given) return false;
    r_.given_start_tried = true;
    const auto start = [this](const SizedFifo& f) { return std::max(f.depth_before, floor_of(f)); };
    for (const SizedFifo& f : r_.fifos) set_work(f, start(f));
    r_.given_start_met = trial();
    if (!r_.given_start_met) {
      say("the design's depths miss the target: starting from the peaks");
      return false;
    }
    for (const SizedFifo& f : r_.fifos) depth_[f.name] = start(f);
    say("the design's depths meet the target: starting from them");
    return true;
  }

  // Step 1: the run in which no FIFO fills.
  void unbounded() {
    for (const SizedFifo& f : r_.fifos)
      unbounded_depth_[f.name] = int(std::clamp<int64_t>(f.words, std::max(2, f.depth_before), kDeepest));
    r_.frames = o_.frames > 0 ? o_.frames : kFirstFrames;
    for (;;) {
      const auto pn = fill_free_run(r_.frames + sim::kReferenceExtraFrames);
      r_.unbounded = judge(work_, r_.frames);
      if (r_.unbounded.reached || o_.frames > 0) {
        for (SizedFifo& f : r_.fifos)
          for (const auto& q : pn->fifos())
            if (q->name() == f.name) {  // an edge read twice: its FIFOs' highest peak
              f.unbounded_peak = std::max(f.unbounded_peak, q->max_occupancy());
              f.latency = q->latency();
              f.extra_slots = q->capacity() - q->depth();
            }
        break;
      }
      // Find the frames that reach the steady state, then make the FIFOs
      // unbounded for that many.
      const sim::SteadyState s = sim::judge_until_reached(r_.frames, counted_runs(work_));
      if (!s.reached)
        throw SizingError("with unbounded FIFOs the design reaches no steady state within " +
                              std::to_string(sim::kFramesSearchLimit) + " frames: nothing to size it for",
                          false);
      r_.frames = s.frames;
    }
    if (!r_.unbounded.reached)
      throw SizingError("with unbounded FIFOs the design reaches no steady state in " + std::to_string(r_.frames) +
                            " frames (--frames): give more frames, or 0 to find them",
                        true);
    r_.target_interval = o_.target_interval > 0 ? o_.target_interval : r_.unbounded.interval;
    if (r_.target_interval + kSameInterval < r_.unbounded.interval) {
      std::ostringstream m;
      m << "target interval " << r_.target_interval << " cycles: shorter than unbounded FIFOs give ("
        << r_.unbounded.interval << " cycles per frame), so no FIFO depths reach it";
      throw SizingError(m.str(), true);
    }
    for (SizedFifo& f : r_.fifos) depth_[f.name] = std::max(o_.min_depth, schedule_keeping_depth(f));
    finn_rule();
    std::ostringstream m;
    m << "unbounded FIFOs: interval " << r_.unbounded.interval << " cycles over " << r_.frames
      << " frames; target " << r_.target_interval;
    say(m.str());
  }

  // The depth at which a FIFO lets every beat move as in the unbounded run.
  // The peak occupancy counts a beat read in the cycle another is written as
  // gone, but a full FIFO takes no write in the cycle it is read
  // (stream_fifo.h), so such a beat still holds its slot: at most one more
  // beat, since at most one is read per cycle. A memory-style FIFO holds
  // depth + 1 beats.
  static int schedule_keeping_depth(const SizedFifo& f) {
    return f.memory_style ? f.unbounded_peak : f.unbounded_peak + 1;
  }

  // FINN's rule: every FIFO as deep as the beats of a frame (FINN's
  // "tensor-sized" FIFOs), one run as long as the trials' longer runs, and
  // each depth the peak occupancy seen, rounded.
  void finn_rule() {
    const auto pn = counted_run(with_frame_deep_fifos(work_), r_.frames + sim::kReferenceExtraFrames);
    for (SizedFifo& f : r_.fifos) f.finn_depth = finn_rounded_depth(peak_of(*pn, f.name));
  }

  // The FIFOs doubled until no producer waits for a slot in a run of `frames`
  // (producer_may_have_waited).
  std::unique_ptr<sim::ProcessNetwork> fill_free_run(int frames) {
    for (;;) {
      for (const SizedFifo& f : r_.fifos) set_depth(work_, f, unbounded_depth_[f.name]);  // not a trial
      auto pn = counted_run(work_, frames);
      std::set<std::string> filled;  // an edge read twice is one depth: doubled once
      for (const auto& q : pn->fifos())
        if (producer_may_have_waited(*q) && unbounded_depth_.count(q->name())) filled.insert(q->name());
      for (const std::string& name : filled) {
        int& depth = unbounded_depth_[name];
        if (depth >= kDeepest)
          throw SizingError("FIFO " + name + " still fills at " + std::to_string(kDeepest) +
                                " beats: the design never drains it",
                            false);
        depth = std::min(kDeepest, 2 * depth);
      }
      if (filled.empty()) return pn;
    }
  }

  // The least depth of `f` in (lo, hi] that meets the target, hi known to:
  // bisecting at the geometric mean of the bounds until they are within a
  // factor of two (the order of magnitude, in a few trials whether the
  // answer is 2 or 3000), then at the arithmetic mean. With the shortcuts,
  // every other round is aimed instead: a FIFO too shallow for the target
  // costs its producer stalls in every frame, so the interval of a miss
  // tells how far it is from the target. Two misses at x1 < x2 with
  // intervals I1 > I2 give the depth at which the line through them reaches
  // the target; one miss at x with interval I gives x * I / target (an
  // interval inversely proportional to the depth, as a credit loop's). The
  // aimed round probes that depth and the one below it, so when the line is
  // right one round finds the answer, and checks it. A guess only chooses
  // probes: every answer is still a probe that met the target with the one
  // below it missed, and the plain rounds in between keep the bisection's
  // bound on the rounds.
  int least_depth(const SizedFifo& f, int lo, int hi, bool open_at_ends = false, int twin_depth = 0) {
    // With k trials at once, k probes split (lo, hi) into k + 1 parts; the
    // least probe that meets the target is the new hi, the one below it
    // the new lo (monotone: every deeper probe meets it too).
    const int k = std::max(1, o_.jobs);
    std::map<int, double> missed;  // depth -> interval of a miss that found one
    bool aim = false;
    std::vector<std::vector<int>> opening;
    // A twin's answer first, when there is one (twin_of): the depth and
    // the one below it, which one round decides when the answer is the same.
    if (twin_depth > 0)
      opening = k > 1 ? std::vector<std::vector<int>>{{twin_depth - 1, twin_depth}}
                      : std::vector<std::vector<int>>{{twin_depth}, {twin_depth - 1}};
    // The ends, when asked: the least depth is most often one of them
    // (the minimum, or the depth that keeps the unbounded run's schedule:
    // 14 and 45 of MobileNet-V1's 76 FIFOs), and one round decides both
    // (with one trial at a time, two rounds: the minimum first).
    if (open_at_ends) {
      if (k > 1)
        opening.push_back({lo + 1, hi - 1});
      else
        opening.insert(opening.end(), {{lo + 1}, {hi - 1}});
    }
    size_t next_opening = 0;
    while (hi - lo > 1) {
      std::vector<int> probes;
      if (next_opening < opening.size()) {
        for (int p : opening[next_opening])
          if (p > lo && p < hi && (probes.empty() || p > probes.back())) probes.push_back(p);
        if (probes.empty()) {
          ++next_opening;
          continue;
        }
        ++r_.plain_rounds;
        if (twin_depth > 0 && next_opening == 0) ++r_.twin_rounds;
        ++next_opening;
      } else if (const std::optional<int> guess = std::exchange(aim, !aim) && o_.shortcuts ? aimed_depth(missed)
                                                                                          : std::nullopt) {
        const int g = std::clamp(*guess, lo + 1, hi - 1);
        if (k > 1 && g - 1 > lo) probes.push_back(g - 1);
        probes.push_back(g);
        ++r_.aimed_rounds;
      } else {
        const bool geometric = hi > 2 * (lo + 1);
        for (int j = 1; j <= k; ++j) {
          const double t = double(j) / double(k + 1);
          const double at = geometric ? double(lo + 1) * std::pow(double(hi) / double(lo + 1), t)
                                      : double(lo) + t * double(hi - lo);
          const int p = std::clamp(int(at), lo + 1, hi - 1);
          if (probes.empty() || p > probes.back()) probes.push_back(p);
        }
        ++r_.plain_rounds;
      }
      // A round of one probe that ends the bisection whichever way it goes
      // leaves a job free: the next FIFO's trial runs there, ahead, as the
      // search will ask for it if this probe misses (next_single_).
      if (hi - lo == 2 && next_single_) {
        ahead_next_ = {depths_with(f, hi)};
        ahead_next_[0][index_of(*next_single_)] = floor_of(*next_single_);
      }
      const std::vector<Verdict> ok = works_each(f, probes);
      ahead_next_.clear();
      int new_lo = lo, new_hi = hi;
      for (size_t j = 0; j < probes.size(); ++j) {
        if (ok[j].ok) {
          new_hi = probes[j];
          break;
        }
        new_lo = probes[j];
      }
      for (size_t j = 0; j < probes.size(); ++j)
        if (!ok[j].ok && ok[j].interval > r_.target_interval) missed[probes[j]] = ok[j].interval;
      lo = new_lo;
      hi = new_hi;
    }
    set_work(f, hi);
    return hi;
  }

  // Where the misses' intervals say the target is reached (least_depth).
  std::optional<int> aimed_depth(const std::map<int, double>& missed) const {
    if (missed.empty()) return std::nullopt;
    const double target = r_.target_interval;
    const auto top = std::prev(missed.end());  // the deepest miss
    double at = double(top->first) * top->second / target;
    if (missed.size() > 1) {
      const auto below = std::prev(top);
      const double dx = double(top->first - below->first), di = below->second - top->second;
      if (di > 0) at = double(top->first) + (top->second - target) * dx / di;
    }
    if (!(at < double(kDeepest))) return std::nullopt;
    return int(std::ceil(at - 1e-9));
  }

  std::vector<const SizedFifo*> by_memory() const {
    std::vector<const SizedFifo*> order;
    for (const SizedFifo& f : r_.fifos) order.push_back(&f);
    std::stable_sort(order.begin(), order.end(), [this](const SizedFifo* a, const SizedFifo* b) {
      return int64_t(a->bits) * depth_.at(a->name) > int64_t(b->bits) * depth_.at(b->name);
    });
    return order;
  }

  // Step 2, in groups where they pay: in some pipelines most FIFOs do not
  // matter to the interval and go to the minimum depth together, which one
  // trial shows (VGG10: 65 of 67); in others most of them matter (MobileNet:
  // 62 of 76), and a group of them is a trial wasted. So the FIFOs are taken
  // in chunks sized by the share p found to need more than the minimum so
  // far: 2^floor(log2((1 - p) / p)), one FIFO at a time once p > 1/3 (the
  // group size of Hwang's generalized binary splitting). A chunk that misses
  // the target is split in halves, each tried the same way; a single FIFO
  // gets its least depth (least_depth). The estimate starts at p = 1/4
  // (pairs). Grouping never changes an answer: a group that meets at the
  // minimum puts each FIFO where taking them one by one would (each meets
  // there with the later ones deeper, by monotonicity).
  // With the shortcuts, "the minimum" of a FIFO is its rate floor
  // (floor_of); a FIFO already there needs no trial.
  void first_pass() {
    std::vector<const SizedFifo*> todo;
    for (const SizedFifo* f : by_memory())
      if (depth_[f->name] > floor_of(*f)) todo.push_back(f);
    int64_t tried = 0, needed = 0;
    const auto chunk_at = [&todo](size_t i, int64_t tried, int64_t needed) {
      const double p = double(needed + 1) / double(tried + 4);
      size_t chunk = 1;
      while (double(2 * chunk) <= (1 - p) / p) chunk *= 2;
      return std::min(chunk, todo.size() - i);
    };
    for (size_t i = 0; i < todo.size();) {
      const size_t chunk = chunk_at(i, tried, needed);
      const std::vector<const SizedFifo*> group(todo.begin() + std::ptrdiff_t(i),
                                                todo.begin() + std::ptrdiff_t(i + chunk));
      // The next FIFO, when it will be taken alone and its whole search is
      // one trial at its floor (one beat above it): least_depth may run that
      // trial ahead, for the case that this FIFO needs more than its floor.
      next_single_ = nullptr;
      if (chunk == 1 && i + 1 < todo.size() && chunk_at(i + 1, tried + 1, needed + 1) == 1 &&
          depth_[todo[i + 1]->name] == floor_of(*todo[i + 1]) + 1)
        next_single_ = todo[i + 1];
      cut_group(group);
      next_single_ = nullptr;
      for (const SizedFifo* f : group) needed += depth_[f->name] > floor_of(*f);
      tried += int64_t(chunk);
      i += chunk;
    }
    say("first pass: " + std::to_string(r_.runs) + " runs");
  }

  // The shallowest depth worth a trial: the rate floor with the shortcuts
  // (rate_floor_depth), else the minimum.
  int floor_of(const SizedFifo& f) const {
    return o_.shortcuts ? rate_floor_depth(f, r_.target_interval, o_.min_depth) : o_.min_depth;
  }

  void cut_group(const std::vector<const SizedFifo*>& group) {
    if (group.empty()) return;
    if (group.size() == 1) {
      const SizedFifo& f = *group[0];
      int& depth = depth_[f.name];
      const int64_t runs = r_.runs;
      const std::optional<int> twin = o_.shortcuts ? twin_of(f) : std::nullopt;
      depth = least_depth(f, floor_of(f) - 1, depth, true, twin.value_or(0));
      sized_by_shape_[shape_of(f)] = depth;
      say(f.name + ": " + std::to_string(depth) + " (" + std::to_string(r_.runs - runs) + " runs)", true);
      return;
    }
    for (const SizedFifo* f : group) set_work(*f, floor_of(*f));
    if (trial()) {
      for (const SizedFifo* f : group) depth_[f->name] = floor_of(*f);
      say(std::to_string(group.size()) + " FIFOs at their floor depth, from " + group.front()->name, true);
      return;
    }
    for (const SizedFifo* f : group) set_work(*f, depth_[f->name]);
    const auto half = group.begin() + std::ptrdiff_t(group.size() / 2);
    cut_group({group.begin(), half});
    cut_group({half, group.end()});
  }

  // A FIFO's shape: its beats, their width and style, and its peak with
  // unbounded FIFOs. FINN's pipelines repeat layers (MobileNet-V1's dw7 to
  // dw11 blocks, ResNet's blocks), whose FIFOs share a shape and most often
  // a least depth (dw7->pw7 to dw11->pw11: 30 each).
  using Shape = std::tuple<int, int64_t, bool, int>;
  static Shape shape_of(const SizedFifo& f) { return {f.bits, f.words, f.memory_style, f.unbounded_peak}; }

  // The least depth the first pass found for an earlier FIFO of f's shape:
  // a guess that only chooses least_depth's first probes (every answer is
  // still a probe that met the target with the one below it missed).
  std::optional<int> twin_of(const SizedFifo& f) const {
    const auto it = sized_by_shape_.find(shape_of(f));
    if (it == sized_by_shape_.end()) return std::nullopt;
    return it->second;
  }

  // Step 3.
  // With jobs free, the next FIFOs' one-beat-shallower trials that no
  // earlier verdict decides run ahead beside each one (most miss, and while
  // they do, each is asked for as it ran).
  void later_passes() {
    for (r_.passes = 1; r_.passes <= o_.max_passes; ++r_.passes) {
      bool changed = false;
      std::vector<const SizedFifo*> order;
      for (const SizedFifo* f : by_memory())
        if (depth_[f->name] > floor_of(*f)) order.push_back(f);  // else nothing shallower to try
      for (size_t i = 0; i < order.size(); ++i) {
        const SizedFifo* f = order[i];
        int& depth = depth_[f->name];
        for (size_t j = i + 1; j < order.size() && int(ahead_next_.size()) + 1 < o_.jobs; ++j) {
          std::vector<int> next = trial_depth_;
          --next[index_of(*order[j])];
          if (!known(next)) ahead_next_.push_back(next);
        }
        const bool shallower = works_each(*f, {depth - 1})[0].ok;
        ahead_next_.clear();
        if (!shallower) continue;
        depth = least_depth(*f, floor_of(*f) - 1, depth - 1);
        changed = true;
      }
      say("pass " + std::to_string(r_.passes) + (changed ? ": some FIFOs shallower" : ": none shallower"));
      if (!changed) {
        r_.least = true;
        return;
      }
    }
    r_.passes = o_.max_passes;
  }

  const FifoSizingOptions o_;
  std::function<void(const std::string&, bool)> progress_;
  ir::Design work_;  // the design the trials run: its depths change as the search goes
  FifoSizing r_;
  std::map<std::string, int> depth_;            // the current depth of each FIFO
  std::map<std::string, int> unbounded_depth_;  // deep enough never to fill
  std::vector<int> trial_depth_;                // the work design's depth of each FIFO (r_.fifos' order)
  std::map<Shape, int> sized_by_shape_;         // the first pass's answers, by shape (twin_of)
  std::vector<std::vector<int>> exact_misses_, exact_meets_;  // combinations the repetition decided
  // Trials run ahead on a free job (trials_each), by their depths, until asked for.
  std::map<std::vector<int>, Verdict> ahead_;
  std::vector<std::vector<int>> ahead_next_;  // the trials to run ahead, if jobs are free
  const SizedFifo* next_single_ = nullptr;      // first_pass: the FIFO after this one, when one trial sizes it
};

}  // namespace

int rate_floor_depth(const SizedFifo& f, double target, int min_depth) {
  const double capacity = double(f.words) * double(f.latency + 1) / (target + kSameInterval);
  // Rounded a hair down: a floor too low costs a probe, one too high a wrong answer.
  const int64_t c = int64_t(std::ceil(capacity - 1e-6));
  return int(std::clamp<int64_t>(c - f.extra_slots, min_depth, kDeepest));
}

bool producer_may_have_waited(const models::StreamFifo& q) { return q.max_occupancy() >= q.capacity() - 1; }

std::vector<SizedFifo> plan_fifos(const ir::Design& d) {
  std::vector<SizedFifo> out;
  std::map<std::string, bool> seen;
  for (const ir::StreamPlan& sp : ir::plan_process_network(d).streams) {
    if (seen[sp.name]) continue;
    seen[sp.name] = true;
    SizedFifo f;
    f.name = sp.name;
    f.graph_edge = sp.graph_edge;
    f.bits = sp.bits;
    f.words = sp.words;
    f.memory_style = sp.memory_style;
    f.depth_before = sp.depth;
    out.push_back(f);
  }
  return out;
}

ir::Design with_depths(const ir::Design& d, const std::vector<SizedFifo>& fifos,
                       const std::function<int(const SizedFifo&)>& depth_of) {
  ir::Design out = d;
  for (const SizedFifo& f : fifos) set_depth(out, f, depth_of(f));
  return out;
}

ir::Design with_frame_deep_fifos(const ir::Design& d) {
  return with_depths(d, plan_fifos(d),
                     [](const SizedFifo& f) { return int(std::clamp<int64_t>(f.words, 2, kDeepest)); });
}

FifoSizing size_fifos(const ir::Design& d, const FifoSizingOptions& o,
                      const std::function<void(const std::string&, bool)>& progress) {
  return Search(d, o, progress).run();
}

}  // namespace vine::explore
