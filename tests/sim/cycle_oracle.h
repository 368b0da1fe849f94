// A deliberately plain per-cycle model of the streaming micro-architecture
// (docs/simulation.md, "Timing rules"), used only to check the event-driven
// ProcessNetwork beat by beat. It shares nothing with the models but the
// process-network plan and the stage timing table: every stage's loop is
// written out here again, iteration by iteration, from the layer headers'
// descriptions of the finn-hlslib loops, and a clock is ticked one cycle at a
// time, deciding every stage from the state at the start of the cycle.
#pragma once

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/stage/stage.h"
#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine::oracle {

// One advance of a stage's loop: the input ports it reads and the output
// ports it writes (bit p = port p). Advances that touch no stream are listed
// too, because they cost a cycle each.
struct LoopStep {
  uint16_t reads = 0;
  uint16_t writes = 0;
};
using Loop = std::vector<LoopStep>;

// ------------------------------------------------------------ stage loops
// Each function lists ONE frame of a stage's loop.

// Input DMA: one beat written per cycle.
inline Loop input_dma_frame(int64_t words) { return Loop(size_t(words), LoopStep{0, 1}); }

// Output DMA: one beat read per cycle.
inline Loop output_dma_frame(int64_t words) { return Loop(size_t(words), LoopStep{1, 0}); }

// MVAU: per input vector NF passes of SF iterations; the SIMD-wide input beat
// is read in the first pass only, a PE-wide output beat leaves at the end of
// every pass.
inline Loop mvau_frame(int64_t vectors, int64_t nf, int64_t sf) {
  Loop l;
  l.reserve(size_t(vectors * nf * sf));
  for (int64_t v = 0; v < vectors; ++v)
    for (int64_t n = 0; n < nf; ++n)
      for (int64_t s = 0; s < sf; ++s) l.push_back({uint16_t(n == 0), uint16_t(s == sf - 1)});
  return l;
}

// VVAU: per output pixel C/PE channel folds of K*K kernel positions; every
// position reads a beat, the last one writes the fold's outputs.
inline Loop vvau_frame(int64_t pixels, int64_t folds, int64_t kernel_area) {
  Loop l;
  for (int64_t p = 0; p < pixels; ++p)
    for (int64_t f = 0; f < folds; ++f)
      for (int64_t k = 0; k < kernel_area; ++k) l.push_back({1, uint16_t(k == kernel_area - 1)});
  return l;
}

struct WindowShape {
  int64_t ifm_h = 0, ifm_w = 0, ofm_h = 0, ofm_w = 0, kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1,
          folds = 1;
};

// Sliding-window generator: the first KH input rows are only read; then one
// block per output row, whose iteration j emits window beat j and reads ahead
// the rows the next output row needs (SH rows, the last block what is left
// of the frame).
inline Loop sliding_window_frame(const WindowShape& g) {
  const int64_t row = g.ifm_w * g.folds;  // beats per input row
  const int64_t window_beats = g.ofm_w * g.kernel_h * g.kernel_w * g.folds;
  const int64_t block = std::max(window_beats, g.stride_h * row);
  Loop l(size_t(g.kernel_h * row), LoopStep{1, 0});
  for (int64_t b = 0; b < g.ofm_h; ++b) {
    const int64_t rows = b + 1 < g.ofm_h ? g.stride_h : g.ifm_h - g.kernel_h - (g.ofm_h - 1) * g.stride_h;
    const int64_t reads = std::max<int64_t>(0, rows) * row;
    for (int64_t j = 0; j < block; ++j) l.push_back({uint16_t(j < reads), uint16_t(j < window_beats)});
  }
  return l;
}

// Width converter between beats of `ein` and `eout` elements: narrowing runs
// one iteration per output beat and reads when the buffered elements run
// short; widening runs one iteration per input beat and writes when a whole
// output beat is buffered (or the frame ends).
inline Loop width_converter_frame(int64_t frame_elements, int64_t ein, int64_t eout) {
  Loop l;
  if (ein >= eout) {
    const int64_t beats = (frame_elements + eout - 1) / eout;
    int64_t have = 0;  // elements read so far
    for (int64_t i = 0; i < beats; ++i) {
      const int64_t need = std::min(frame_elements, (i + 1) * eout);
      const bool read = have < need;
      if (read) have += ein;
      l.push_back({uint16_t(read), 1});
    }
  } else {
    const int64_t beats = (frame_elements + ein - 1) / ein;
    for (int64_t i = 0; i < beats; ++i) {
      const int64_t had = i * ein, have = std::min(frame_elements, (i + 1) * ein);
      const bool write = have / eout > had / eout || (i + 1 == beats && have % eout != 0);
      l.push_back({1, uint16_t(write)});
    }
  }
  return l;
}

// Pool: reads every input beat once in raster order (pixel, then channel
// fold) and writes an output beat with the beat that completes its window,
// i.e. the window's bottom-right pixel.
inline Loop pool_frame(const WindowShape& g) {
  auto completes = [&](int64_t pos, int64_t kernel, int64_t stride, int64_t out_extent) {
    const int64_t o = pos - (kernel - 1);
    return o >= 0 && o % stride == 0 && o / stride < out_extent;
  };
  Loop l;
  for (int64_t y = 0; y < g.ifm_h; ++y)
    for (int64_t x = 0; x < g.ifm_w; ++x)
      for (int64_t f = 0; f < g.folds; ++f)
        l.push_back({1, uint16_t(completes(y, g.kernel_h, g.stride_h, g.ofm_h) &&
                                 completes(x, g.kernel_w, g.stride_w, g.ofm_w))});
  return l;
}

// FMPadding: writes every position of the padded map, reading only inside.
inline Loop padding_frame(int64_t in_h, int64_t in_w, const ir::Padding& p, int64_t folds) {
  Loop l;
  for (int64_t y = 0; y < in_h + p.top + p.bottom; ++y)
    for (int64_t x = 0; x < in_w + p.left + p.right; ++x) {
      const bool inside = y >= p.top && y < p.top + in_h && x >= p.left && x < p.left + in_w;
      for (int64_t f = 0; f < folds; ++f) l.push_back({uint16_t(inside), 1});
    }
  return l;
}

// Threshold, add, duplicate: one iteration per beat, reading and writing the
// given ports every time.
inline Loop elementwise_frame(int64_t words, uint16_t reads, uint16_t writes) {
  return Loop(size_t(words), LoopStep{reads, writes});
}

// Concat: per pixel, the beats of input 0, then those of input 1, ...; every
// iteration passes one beat on.
inline Loop concat_frame(int64_t pixels, const std::vector<int64_t>& words_per_pixel) {
  Loop l;
  for (int64_t p = 0; p < pixels; ++p)
    for (size_t k = 0; k < words_per_pixel.size(); ++k)
      for (int64_t w = 0; w < words_per_pixel[k]; ++w) l.push_back({uint16_t(1u << k), 1});
  return l;
}

// The whole run: `frames` copies of the frame's loop. A re-entered loop
// (reentry_cycles >= 0) drains its pipeline and pays the entry cycles
// between frames: depth + reentry_cycles advances that read nothing (their
// only writes are the drained iterations', placed by the pipeline).
inline Loop repeat_frames(const Loop& frame, int frames, const models::PipelineTiming& t) {
  const int64_t gap = t.reentry_cycles >= 0 ? int64_t{t.depth} + t.reentry_cycles : 0;
  Loop l;
  l.reserve(size_t((int64_t(frame.size()) + gap) * frames));
  for (int f = 0; f < frames; ++f) {
    if (f > 0) l.insert(l.end(), size_t(gap), LoopStep{});
    l.insert(l.end(), frame.begin(), frame.end());
  }
  return l;
}

// ------------------------------------------------------------- dispatch

inline int64_t words_on(const ir::StreamingPlan& plan, int stream) { return plan.streams.at(size_t(stream)).words; }

// One frame of stage `s`'s loop, from the plan's geometry.
inline Loop stage_frame(const ir::StreamingPlan& plan, const ir::StagePlan& s, const ir::Design& d) {
  using ir::StageKind;
  const int64_t out_pixels = int64_t{s.ofm_h} * s.ofm_w;
  const int64_t in_pixels = int64_t{s.ifm_h} * s.ifm_w;
  switch (s.kind) {
    case StageKind::kInputDma: return input_dma_frame(s.out_words);
    case StageKind::kOutputDma: return output_dma_frame(s.in_words);
    case StageKind::kMvau: return mvau_frame(out_pixels, s.out_words / out_pixels, s.in_words / out_pixels);
    case StageKind::kVvau: {
      const int64_t k2 = int64_t{s.kernel_h} * s.kernel_w;
      return vvau_frame(out_pixels, s.out_words / out_pixels, k2);
    }
    case StageKind::kSlidingWindow:
      return sliding_window_frame(
          {s.ifm_h, s.ifm_w, s.ofm_h, s.ofm_w, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.in_words / in_pixels});
    case StageKind::kMaxPool:
    case StageKind::kAvgPool:
      return pool_frame(
          {s.ifm_h, s.ifm_w, s.ofm_h, s.ofm_w, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.in_words / in_pixels});
    case StageKind::kFmPadding:
      return padding_frame(s.ifm_h, s.ifm_w, d.network.layers.at(size_t(s.layer)).pad, s.in_words / in_pixels);
    case StageKind::kWidthConverter: {
      const auto& in = plan.streams.at(size_t(s.inputs.at(0)));
      const auto& out = plan.streams.at(size_t(s.outputs.at(0)));
      return width_converter_frame(in.words * in.elements_per_word(), in.elements_per_word(),
                                   out.elements_per_word());
    }
    case StageKind::kThreshold: return elementwise_frame(s.in_words, 1, 1);
    case StageKind::kAddStreams: return elementwise_frame(s.out_words, 0b11, 1);
    case StageKind::kDuplicate:
      return elementwise_frame(s.in_words, 1, uint16_t((1u << s.outputs.size()) - 1));
    case StageKind::kConcat: {
      std::vector<int64_t> per_pixel;
      for (int id : s.inputs) per_pixel.push_back(words_on(plan, id) / out_pixels);
      return concat_frame(out_pixels, per_pixel);
    }
    case StageKind::kWeightStreamer:
      // Its cycles depend on DDR grants shared with other stages, which a
      // loop of its own cannot say; the oracle covers on-chip weights only.
      throw std::logic_error("cycle oracle: a weight streamer (weights in DDR) is not modelled");
    case StageKind::kLink:
      // Its cycles follow the serial link's own clock and flow control
      // (tests/sim/test_link_run.cpp); the oracle covers one board.
      throw std::logic_error("cycle oracle: a link stage (a design split over boards) is not modelled");
  }
  throw std::logic_error("cycle oracle: unknown stage kind");
}

// ------------------------------------------------------------ the clock

struct FifoSpec {
  std::string name;
  int capacity = 2;  // beats it holds
  int latency = 1;   // cycles from a write until the beat is readable
};

struct StageSpec {
  std::string name;
  Loop loop;  // every advance's reads (and, `depth` advances later, writes)
  int depth = 1;
  std::vector<int> inputs, outputs;  // FIFO index per port
  // A flushing pipeline: it steps every cycle its due write (if any) has
  // space; the next iteration enters at a step only if its beats are
  // readable, else a bubble does. Its writes leave `depth` steps after it.
  bool flushes = false;
};

struct BeatLog {
  std::vector<int64_t> write, read;  // cycle of every beat's write and read, in beat order
};

struct OracleRun {
  bool finished = false;
  int64_t cycles = 0;          // cycles ticked
  std::vector<BeatLog> fifos;  // per FIFO
  std::string stall;           // when not finished: what every unfinished stage waits for
};

class CycleOracle {
 public:
  CycleOracle(std::vector<StageSpec> stages, std::vector<FifoSpec> fifos)
      : stages_(std::move(stages)),
        fifos_(std::move(fifos)),
        next_(stages_.size(), 0),
        step_(stages_.size(), 0),
        flight_(stages_.size()),
        log_(fifos_.size()) {}

  // Ticks until every stage is done, the network can never move again, or
  // `bound` cycles have passed.
  OracleRun run(int64_t bound) {
    int max_latency = 1;
    for (const auto& f : fifos_) max_latency = std::max(max_latency, f.latency);
    std::vector<char> go(stages_.size());
    int64_t t = 0, idle = 0;
    OracleRun r;
    std::vector<char> enters(stages_.size());
    for (; t < bound && !all_done(); ++t) {
      bool any = false;
      for (size_t s = 0; s < stages_.size(); ++s) {
        if (stages_[s].flushes) {
          go[s] = can_step(s);
          enters[s] = go[s] && can_enter(s, t);
          // A step moves what is in flight on; an empty one is no progress.
          any |= go[s] && (enters[s] || !flight_[s].empty());
        } else {
          any |= (go[s] = can_advance(s, t));
        }
      }
      for (size_t s = 0; s < stages_.size(); ++s)
        if (go[s]) stages_[s].flushes ? step(s, t, enters[s]) : advance(s, t);
      // Without a write for `max_latency` cycles nothing new becomes
      // readable and no slot frees: the network is stuck for good.
      idle = any ? 0 : idle + 1;
      if (idle > max_latency) break;
    }
    r.finished = all_done();
    r.cycles = t;
    r.fifos = log_;
    if (!r.finished) r.stall = describe_stall(t);
    return r;
  }

 private:
  int64_t end_of(size_t s) const { return int64_t(stages_[s].loop.size()) + stages_[s].depth; }
  bool done(size_t s) const {
    if (stages_[s].flushes) return next_[s] >= int64_t(stages_[s].loop.size()) && flight_[s].empty();
    return next_[s] >= end_of(s);
  }

  // A flushing stage: flight_[s] holds (iteration, step of its writes).
  bool due_now(size_t s) const { return !flight_[s].empty() && flight_[s].front().second == step_[s] + 1; }
  bool can_step(size_t s) const {
    if (done(s)) return false;
    if (!due_now(s)) return true;
    const uint16_t w = stages_[s].loop[size_t(flight_[s].front().first)].writes;
    for (uint16_t m = w; m; m &= uint16_t(m - 1))
      if (!has_space(stages_[s].outputs[size_t(__builtin_ctz(m))])) return false;
    return true;
  }
  bool can_enter(size_t s, int64_t t) const {
    if (next_[s] >= int64_t(stages_[s].loop.size())) return false;
    for (uint16_t m = reads_at(s, next_[s]); m; m &= uint16_t(m - 1))
      if (!readable(stages_[s].inputs[size_t(__builtin_ctz(m))], t)) return false;
    return true;
  }
  void step(size_t s, int64_t t, bool enter) {
    const StageSpec& st = stages_[s];
    ++step_[s];
    if (due_now_after_step(s)) {
      const uint16_t w = st.loop[size_t(flight_[s].front().first)].writes;
      for (uint16_t m = w; m; m &= uint16_t(m - 1))
        log_[size_t(st.outputs[size_t(__builtin_ctz(m))])].write.push_back(t);
      flight_[s].erase(flight_[s].begin());
    }
    if (enter) {
      const int64_t n = next_[s]++;
      for (uint16_t m = reads_at(s, n); m; m &= uint16_t(m - 1))
        log_[size_t(st.inputs[size_t(__builtin_ctz(m))])].read.push_back(t);
      if (st.loop[size_t(n)].writes) flight_[s].push_back({n, step_[s] + st.depth});
    }
  }
  bool due_now_after_step(size_t s) const {
    return !flight_[s].empty() && flight_[s].front().second == step_[s];
  }
  bool all_done() const {
    for (size_t s = 0; s < stages_.size(); ++s)
      if (!done(s)) return false;
    return true;
  }

  // Reads of advance n: iteration n's. Writes: those of the iteration issued
  // `depth` advances earlier.
  uint16_t reads_at(size_t s, int64_t n) const {
    const Loop& l = stages_[s].loop;
    return n < int64_t(l.size()) ? l[size_t(n)].reads : 0;
  }
  uint16_t writes_at(size_t s, int64_t n) const {
    const Loop& l = stages_[s].loop;
    const int64_t i = n - stages_[s].depth;
    return i >= 0 && i < int64_t(l.size()) ? l[size_t(i)].writes : 0;
  }

  bool readable(int f, int64_t t) const {
    const BeatLog& b = log_[size_t(f)];
    return b.read.size() < b.write.size() && b.write[b.read.size()] + fifos_[size_t(f)].latency <= t;
  }
  // Reads are applied after every stage has decided, so the occupancy seen
  // here is the one at the start of the cycle.
  bool has_space(int f) const {
    const BeatLog& b = log_[size_t(f)];
    return int64_t(b.write.size() - b.read.size()) < fifos_[size_t(f)].capacity;
  }

  bool can_advance(size_t s, int64_t t) const {
    if (done(s)) return false;
    const StageSpec& st = stages_[s];
    const int64_t n = next_[s];
    for (uint16_t m = reads_at(s, n); m; m &= uint16_t(m - 1))
      if (!readable(st.inputs[size_t(__builtin_ctz(m))], t)) return false;
    for (uint16_t m = writes_at(s, n); m; m &= uint16_t(m - 1))
      if (!has_space(st.outputs[size_t(__builtin_ctz(m))])) return false;
    return true;
  }

  void advance(size_t s, int64_t t) {
    const StageSpec& st = stages_[s];
    const int64_t n = next_[s]++;
    for (uint16_t m = reads_at(s, n); m; m &= uint16_t(m - 1))
      log_[size_t(st.inputs[size_t(__builtin_ctz(m))])].read.push_back(t);
    for (uint16_t m = writes_at(s, n); m; m &= uint16_t(m - 1))
      log_[size_t(st.outputs[size_t(__builtin_ctz(m))])].write.push_back(t);
  }

  std::string describe_stall(int64_t t) const {
    std::ostringstream o;
    for (size_t s = 0; s < stages_.size(); ++s) {
      if (done(s)) continue;
      const StageSpec& st = stages_[s];
      const int64_t n = next_[s];
      o << "  " << st.name << " at advance " << n << "/" << end_of(s);
      for (uint16_t m = reads_at(s, n); m; m &= uint16_t(m - 1)) {
        const int f = st.inputs[size_t(__builtin_ctz(m))];
        if (!readable(f, t)) o << ", waits for a beat on " << fifos_[size_t(f)].name;
      }
      for (uint16_t m = writes_at(s, n); m; m &= uint16_t(m - 1)) {
        const int f = st.outputs[size_t(__builtin_ctz(m))];
        if (!has_space(f)) o << ", waits for a slot on " << fifos_[size_t(f)].name;
      }
      o << "\n";
    }
    return o.str();
  }

  std::vector<StageSpec> stages_;
  std::vector<FifoSpec> fifos_;
  std::vector<int64_t> next_;  // per stage: its next advance (flushing: its next iteration)
  std::vector<int64_t> step_;  // per flushing stage: its steps so far
  std::vector<std::vector<std::pair<int64_t, int64_t>>> flight_;  // per flushing stage
  std::vector<BeatLog> log_;
};

// ------------------------------------------------------------ elaboration

// The oracle's view of a planned network: every stage's whole-run loop with
// its pipeline depth (timing[i] belongs to plan.stages[i]), and every stream
// as the FIFO docs/simulation.md defines: HLS shift-register style holds
// `depth` beats with latency 1, memory style depth + 1 beats with latency 2.
inline std::vector<StageSpec> oracle_stages(const ir::StreamingPlan& plan, const ir::Design& d, int frames,
                                            const std::vector<models::PipelineTiming>& timing) {
  std::vector<StageSpec> out;
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const ir::StagePlan& s = plan.stages[i];
    out.push_back({s.name, repeat_frames(stage_frame(plan, s, d), frames, timing.at(i)), timing.at(i).depth,
                   s.inputs, s.outputs, timing.at(i).flushing()});
  }
  return out;
}

inline std::vector<FifoSpec> oracle_fifos(const ir::StreamingPlan& plan) {
  std::vector<FifoSpec> out;
  for (const auto& s : plan.streams)
    out.push_back({s.name, s.memory_style ? s.depth + 1 : s.depth, s.memory_style ? 2 : 1});
  return out;
}

}  // namespace vine::oracle
