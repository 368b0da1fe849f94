#include "sim/run/steady_state.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

namespace vine::sim {

namespace {

// Whether frame f leaves `c` cycles after frame f - p, first and last beat.
bool follows(const FrameStamps& s, int f, int p, int64_t c) {
  return s.last[size_t(f)] - s.last[size_t(f - p)] == c &&
         s.first[size_t(f)] - s.first[size_t(f - p)] == c;
}

}  // namespace

std::string interval_text(const SteadyState& s) {
  if (!s.reached) return "-";
  if (s.period_cycles % s.period_frames == 0)
    return std::to_string(s.period_cycles / s.period_frames);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", s.interval_cycles());
  return buf;
}

nlohmann::json interval_json(const SteadyState& s) {
  if (!s.reached) return nullptr;
  if (s.period_cycles % s.period_frames == 0) return s.period_cycles / s.period_frames;
  return s.interval_cycles();
}

nlohmann::json to_json(const SteadyState& s) {
  auto when = [](bool known, auto v) {
    return known ? nlohmann::json(v) : nlohmann::json(nullptr);
  };
  return {{"analysed", s.analysed},
          {"reached", s.reached},
          {"settled_frames", s.settled_frames},
          {"reference_frames", s.reference_frames},
          {"period_frames", when(s.reached, s.period_frames)},
          {"period_cycles", when(s.reached, s.period_cycles)},
          {"from_frame", when(s.reached, s.from_frame)},
          {"frames_needed", when(s.frames_needed > 0, s.frames_needed)},
          {"search_limit", when(s.search_limit > 0, s.search_limit)},
          {"search_cycles_limited", s.search_cycles_limited}};
}

SteadyState judge_steady_state(const FrameStamps& run, const FrameStamps& longer,
                               int longer_frames) {
  SteadyState s;
  s.analysed = true;
  s.frames = int(run.last.size());
  s.reference_frames = longer_frames;
  const size_t common = std::min(run.last.size(), longer.last.size());
  size_t settled = 0;
  while (settled < common && run.last[settled] == longer.last[settled] &&
         run.first[settled] == longer.first[settled])
    ++settled;
  s.settled_frames = int(settled);
  const int n = s.settled_frames;
  for (int p = 1; p <= kMaxPeriod; ++p) {
    if (n < SteadyState::settled_frames_needed(0, p)) break;
    const int64_t c = run.last[size_t(n - 1)] - run.last[size_t(n - 1 - p)];
    bool periodic = true;
    for (int f = n - kRepeats * p; f < n && periodic; ++f) periodic = follows(run, f, p, c);
    if (!periodic) continue;
    // The periodic stretch, followed back as far as it goes.
    int a = n - (kRepeats + 1) * p;
    while (a > 0 && follows(run, a - 1 + p, p, c)) --a;
    s.reached = true;
    s.period_frames = p;
    s.period_cycles = c;
    s.from_frame = a;
    break;
  }
  return s;
}

FrameStamps first_frames(const FrameStamps& run, size_t n) {
  FrameStamps f;
  n = std::min({n, run.first.size(), run.last.size()});
  f.first.assign(run.first.begin(), run.first.begin() + std::ptrdiff_t(n));
  f.last.assign(run.last.begin(), run.last.begin() + std::ptrdiff_t(n));
  return f;
}

bool some_prefix_reaches_within(const FrameStamps& longer, int frames, double interval) {
  const size_t most = std::min(size_t(std::max(frames, 0)), longer.last.size());
  for (size_t n = 0; n <= most; ++n) {
    const FrameStamps prefix = first_frames(longer, n);
    const SteadyState s = judge_steady_state(prefix, prefix, frames + kReferenceExtraFrames);
    if (s.reached && s.interval_cycles() <= interval) return true;
  }
  return false;
}

SteadyState judge_run(int frames, const RunFrames& run) {
  const int longer = frames + kReferenceExtraFrames;
  return judge_steady_state(run(frames), run(longer), longer);
}

RunFrames remember_runs(RunFrames run) {
  auto runs = std::make_shared<std::map<int, FrameStamps>>();
  return [runs, run = std::move(run)](int n) -> FrameStamps {
    auto it = runs->find(n);
    if (it == runs->end()) it = runs->emplace(n, run(n)).first;
    return it->second;
  };
}

int frames_to_reach_steady_state(const SteadyState& failed, const RunFrames& run, SteadyState* gave_up) {
  const int fewest = SteadyState::settled_frames_needed(0, 1);
  SteadyState last = failed;
  int lo = failed.frames;  // the most frames known not to reach it
  int64_t cycles = 0;      // simulated by the runs of the search (each run's last output beat)
  const RunFrames counted = [&](int n) {
    FrameStamps f = run(n);
    if (!f.last.empty()) cycles += f.last.back();
    return f;
  };
  while (lo < kFramesSearchLimit) {
    if (cycles >= kSearchCyclesLimit) {
      if (gave_up) {
        gave_up->search_limit = lo;
        gave_up->search_cycles_limited = true;
      }
      return 0;
    }
    // The next count: when the last run settled some frames, the fewest
    // settled frames the rule can use plus the frames its end reached; when
    // its end reached every frame (by how many more is unknown), one more;
    // when it settled enough frames but shows no repeating spacing yet, it
    // is still in its transient: half as many more, then halve back the gap.
    int next = lo + 1;
    const bool transient = last.settled_frames >= fewest;
    if (transient)
      next = lo + lo / 2 + 1;
    else if (last.settled_frames > 0)
      next = fewest + (last.frames - last.settled_frames);
    const int n = std::min(std::max(next, lo + 1), kFramesSearchLimit);
    last = judge_run(n, counted);
    if (!last.reached) {
      lo = n;
      continue;
    }
    int hi = n;
    while (transient && hi - lo > 1) {
      const int mid = lo + (hi - lo) / 2;
      (judge_run(mid, counted).reached ? hi : lo) = mid;
    }
    return hi;
  }
  if (gave_up) gave_up->search_limit = kFramesSearchLimit;
  return 0;
}

SteadyState judge_until_reached(int frames, const RunFrames& run) {
  SteadyState s = judge_run(frames, run);
  if (s.reached) return s;
  const int needed = frames_to_reach_steady_state(s, run, &s);
  if (needed == 0) return s;
  return judge_run(needed, run);
}

}  // namespace vine::sim
