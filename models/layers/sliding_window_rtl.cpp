#include "models/layers/sliding_window_rtl.h"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "models/stage/fast_forward.h"
#include "models/stage/scheduler.h"

namespace vine::models {

namespace {

// ELEM_PER_WINDOW: a depthwise generator with cf > 1 counts one channel
// fold's KH x KW beats as a window (prepare_codegen_default).
int64_t elements_per_window(const WindowGeometry& g) {
  const int64_t kk = int64_t{g.kernel_h} * g.kernel_w;
  return g.depthwise && g.channel_folds > 1 ? kk : kk * g.channel_folds;
}

// convolutioninputgenerator_rtl.py, get_buffer_depth (default style,
// dilation 1, MMV 1): the minimal buffer holds one window's span of rows
// (KH - 1 rows and KW beats).
int64_t minimal_buffer(const WindowGeometry& g) {
  return ((g.kernel_h - 1) * int64_t{g.in_w} + (g.kernel_w - 1) + 1) * g.channel_folds;
}

}  // namespace

RtlWindowSchedule rtl_window_schedule(const WindowGeometry& g) {
  const int64_t cf = g.channel_folds, kh = g.kernel_h, kw = g.kernel_w, w = g.in_w, kk = kh * kw;
  // The minimal buffer (minimal_buffer), and a stride > 1 adds room to read ahead
  // while a window is written: SW - 1 beats across, SH - 1 rows down, each
  // less the window's KH x KW beats. The controller works on the real
  // [H, W] and [KH, KW], a one-dimensional window too ([1, K] or [K, 1]):
  // only FINN's cycle estimate and buffer partitioning normalise those to
  // [1, K] (get_1d_conv_attrs_normalized).
  const int64_t min_buffer = minimal_buffer(g);
  RtlWindowSchedule out;
  out.buffer_beats = min_buffer + std::max<int64_t>(0, (g.stride_w - 1) - kk) * cf +
                     std::max<int64_t>(0, (g.stride_h - 1) * w - kk) * cf;
  const int64_t buffer = out.buffer_beats;
  const int64_t last_read = int64_t{g.in_h} * w * cf - 1;  // LAST_READ_ELEM
  const int64_t fetches = int64_t{g.out_h} * g.out_w * kk * cf;
  const int64_t last_write = window_beat_source(g, fetches - 1);  // LAST_WRITE_ELEM
  const int64_t per_window = elements_per_window(g);

  // The registers of swg_template_default.sv, as they are after reset.
  int64_t newest = -1;        // Newest_buffered_elem
  int64_t current = 0;        // Current_elem: the beat the next fetch reads
  int64_t first_next = 0;     // First_elem_next_window
  int64_t j = 0;              // fetches made (the controller's position)
  bool fetching_done = false, write_cmd = false, writing_done = false;
  // A frame is at most reads + fetches cycles plus the reset's; more means
  // the buffer cannot hold what the controller waits for.
  const int64_t limit = 4 * (last_read + 1 + fetches) + 16;
  for (int64_t t = 0;; ++t) {
    if (t > limit)
      throw std::invalid_argument("the RTL sliding window's buffer of " + std::to_string(buffer) +
                                  " beats cannot run this geometry");
    const bool reading_done = newest == last_read;
    // Output always ready: Write_cmd never blocks a fetch.
    const bool fetch = !fetching_done && current <= newest;
    const bool read = !reading_done && (fetching_done || (newest - (buffer - 1) < first_next &&
                                                          newest - (buffer - 1) < current));
    const bool write_ok = write_cmd;
    if (read || fetch) {
      out.cycle.push_back(t);
      out.what.push_back(uint8_t((read ? 1 : 0) | (fetch ? 2 : 0)));
    }
    if (fetch && j == 0) out.first_fetch = t;
    // The clock edge: the frame ends (the counters reset) on its last read
    // after writing finished, or on its last write after reading finished.
    if (read && newest == last_read - 1 && writing_done) {
      out.period = t + 1;
      break;
    }
    if (write_ok && fetching_done && (reading_done || (read && newest == last_read - 1))) {
      out.period = t + 1;
      break;
    }
    if (write_ok && fetching_done) writing_done = true;
    if (read) ++newest;
    if (fetch) {
      if (j % per_window == 0) {
        // First_elem_next_window moves on at each window's first fetch: to the
        // next window's first beat, or past the last window (TAIL_INCR_LAST).
        const int64_t next = j + per_window;
        first_next = next < fetches ? window_beat_source(g, next) : window_beat_source(g, j) + min_buffer - 1;
      }
      if (current == last_write)
        fetching_done = true;
      else
        current = window_beat_source(g, j + 1);
      ++j;
      write_cmd = true;
    } else if (write_ok) {
      write_cmd = false;
    }
  }
  return out;
}

// The parallel style's controller (swg_template_parallel.sv, its parameters
// from prepare_codegen_parallel): a shift-register buffer whose taps are one
// window, shifted in with every read; Current_elem is the last beat of the
// window to write next (FIRST_WRITE_ELEM = BUF_min - 1, the first window's),
// and it advances by one window per write (HEAD_INCR_KH 1 to the next
// channel fold, HEAD_INCR_W (s - 1) cf + 1 to the next pixel, HEAD_INCR_H to
// the next row): exactly the last beat of the next window in the order
// window_beat_source gives. With the input always valid and the output
// always ready:
//   - a read (read_cmd) while Newest_buffered_elem <= Current_elem, or once
//     writing is done, until the frame's last beat is read;
//   - a write (write_cmd) while Current_elem <= Newest_buffered_elem: the
//     window's last beat is in, so the taps hold the whole window, and
//     out_V_V_TDATA is the taps themselves (no output register);
//   - the frame ends on its last write once reading is done (or completes in
//     that cycle), or on its last read once writing is done: the counters
//     reset and the next frame's first read comes in the next cycle.
// A read never waits here (a write moves Current_elem at least one beat on
// as the read moves Newest_buffered_elem one), so every write comes the cycle
// after the read of its window's last beat: the schedule puts the write on
// that read, with P = 1.
RtlWindowSchedule rtl_parallel_window_schedule(const WindowGeometry& g) {
  const int64_t cf = g.channel_folds, w = g.in_w, kk = int64_t{g.kernel_h} * g.kernel_w;
  // get_buffer_depth, parallel style: the minimal buffer plus one.
  const int64_t min_buffer = ((g.kernel_h - 1) * w + (g.kernel_w - 1)) * cf + 1;
  RtlWindowSchedule out;
  out.buffer_beats = min_buffer + 1;
  const int64_t last_read = int64_t{g.in_h} * w * cf - 1;  // LAST_READ_ELEM
  const int64_t windows = int64_t{g.out_h} * g.out_w * cf;
  auto last_of = [&](int64_t n) { return window_beat_source(g, n * kk + kk - 1); };
  const int64_t last_write = last_of(windows - 1);  // LAST_WRITE_ELEM
  int64_t newest = -1, current = last_of(0), n = 0;  // Current_elem = FIRST_WRITE_ELEM
  bool writing_done = false;
  const int64_t limit = 2 * (last_read + 1 + windows) + 16;
  for (int64_t t = 0;; ++t) {
    if (t > limit)
      throw std::invalid_argument("the RTL sliding window's parallel controller cannot run this geometry");
    const bool reading_done = newest == last_read;
    const bool write = !writing_done && current <= newest;
    const bool read = !reading_done && (writing_done || newest <= current);
    if (write) {
      // The window's last beat came in the cycle before: that read writes it.
      if (out.cycle.empty() || out.cycle.back() != t - 1 || !(out.what.back() & 1u) || newest != current)
        throw std::logic_error("parallel window: a write not one cycle after its last beat's read");
      out.what.back() |= 2u;
      if (n == 0) out.first_fetch = t - 1;
    }
    if (read) {
      out.cycle.push_back(t);
      out.what.push_back(1u);
    }
    // The clock edge.
    if (read && newest == last_read - 1 && writing_done) {
      out.period = t + 1;
      break;
    }
    if (write && current == last_write && (reading_done || (read && newest == last_read - 1))) {
      out.period = t + 1;
      break;
    }
    if (read) ++newest;
    if (write) {
      if (current == last_write)
        writing_done = true;
      else
        current = last_of(++n);
    }
  }
  return out;
}

namespace {

// min(Current_elem, First_elem_next_window) after m fetches of a frame
// (swg_template_default.sv): Current_elem is the beat the next fetch reads;
// First_elem_next_window moves on at each window's first fetch (position 0)
// to the next window's first beat, or past the last window (TAIL_INCR_LAST).
int64_t window_room(const std::vector<int32_t>& src, int64_t per_window, int64_t min_buffer, int64_t m) {
  if (m == 0) return 0;
  const int64_t k = int64_t(src.size());
  const int64_t j = (m - 1) / per_window * per_window;  // the last window's first fetch made
  const int64_t first_next = j + per_window < k ? src[size_t(j + per_window)] : src[size_t(j)] + min_buffer - 1;
  return std::min<int64_t>(src[size_t(m)], first_next);
}

}  // namespace

std::shared_ptr<const SlidingWindowRtl::Plan> SlidingWindowRtl::plan_for(const WindowGeometry& g,
                                                                        RtlWindowStyle style) {
  const std::array<int, 13> key{g.in_h,     g.in_w,          g.out_h,           g.out_w, g.kernel_h,
                                g.kernel_w, g.stride_h,      g.stride_w,        g.channel_folds,
                                g.lanes,    int(g.depthwise), g.positions_per_beat, int(style)};
  static std::mutex mutex;  // networks may be built on several threads
  static std::map<std::array<int, 13>, std::shared_ptr<const Plan>> plans;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = plans.find(key);
    if (it != plans.end()) return it->second;
  }
  auto plan = std::make_shared<Plan>();
  plan->schedule = style == RtlWindowStyle::kParallel ? rtl_parallel_window_schedule(g) : rtl_window_schedule(g);
  if (style == RtlWindowStyle::kDefault) {
    if (g.positions_per_beat != 1)
      throw std::invalid_argument("the RTL sliding window's default style writes one window beat a beat");
    const int64_t k = int64_t{g.out_h} * g.out_w * g.kernel_h * g.kernel_w * g.channel_folds;
    plan->src.resize(size_t(k));
    for (int64_t j = 0; j < k; ++j) plan->src[size_t(j)] = int32_t(window_beat_source(g, j));
    // The read side runs ahead of the fetch side on the room the fetches made
    // so far leave it: that holds only if the room never shrinks as fetches go on.
    const int64_t per_window = elements_per_window(g), min_buffer = minimal_buffer(g);
    for (int64_t m = 1; m < k; ++m)
      if (window_room(plan->src, per_window, min_buffer, m) < window_room(plan->src, per_window, min_buffer, m - 1))
        throw std::logic_error("the RTL sliding window's buffer room shrinks after fetch " + std::to_string(m) +
                               ": its read side cannot be timed ahead of its fetch side");
  }
  const std::lock_guard<std::mutex> lock(mutex);
  if (plans.size() >= 1024) plans.clear();  // a bound on the memory kept for designs long gone
  return plans.emplace(key, std::move(plan)).first->second;
}

SlidingWindowRtl::SlidingWindowRtl(std::string name, PipelineTiming t, int frames, WindowGeometry g,
                                   RtlWindowStyle style)
    : Stage(std::move(name), t),
      g_(g),
      plan_(plan_for(g, style)),
      schedule_(plan_->schedule),
      frames_(frames),
      src_(plan_->src) {
  if (style != RtlWindowStyle::kDefault) return;
  decoupled_ = true;
  n_beats_ = int64_t{g.in_h} * g.in_w * g.channel_folds;
  k_beats_ = int64_t(src_.size());  // a frame's window beats, one fetch each
  buffer_ = schedule_.buffer_beats;
  per_window_ = elements_per_window(g);
  min_buffer_ = minimal_buffer(g);
  read_cycle_.resize(size_t(n_beats_));
  fetch_cycle_.resize(size_t(k_beats_));
}

int64_t SlidingWindowRtl::room_after(int64_t m) const { return window_room(src_, per_window_, min_buffer_, m); }

void SlidingWindowRtl::note_cycles(int64_t from, int64_t to, Activity what) {
  if (from >= to) return;
  StageStats& st = mutable_stats();
  if (what == Activity::kBusy) {
    st.busy += to - from;
    frame_busy_ += to - from;
  } else if (what == Activity::kStalledOutput) {
    st.stalled_output += to - from;
    st.stalled_on_output[0] += to - from;
    frame_stalled_output_ += to - from;
  } else {
    st.stalled_input += to - from;
    st.stalled_on_input[0] += to - from;
    frame_stalled_input_ += to - from;
  }
  if (records_activity()) note_activity(from, to, what);
}

// Takes the two sides' events in time order as far as both are known: a
// read before the fetch side's next possible event, a fetch (or write)
// before the read side's; `all` at the end.
void SlidingWindowRtl::merge(bool all) {
  // The least cycle of either side's events not yet noted.
  const int64_t next_read = std::max(last_read_cycle_ + 1, read_ == 0 ? frame_start_ : int64_t{0});
  const int64_t next_fetch = fetched_n_ > written_n_ ? fetch_cycle_[size_t(written_n_)] : last_write_;
  for (;;) {
    const bool have_r = read_head_ < read_events_.size(), have_f = fetch_head_ < fetch_events_.size();
    int64_t c;
    bool from_fetch;
    if (have_r && have_f) {
      from_fetch = fetch_events_[fetch_head_].cycle < read_events_[read_head_];
      c = from_fetch ? fetch_events_[fetch_head_].cycle : read_events_[read_head_];
    } else if (have_r && (all || read_events_[read_head_] <= next_fetch)) {
      from_fetch = false;
      c = read_events_[read_head_];
    } else if (have_f && (all || fetch_events_[fetch_head_].cycle <= next_read)) {
      from_fetch = true;
      c = fetch_events_[fetch_head_].cycle;
    } else {
      break;
    }
    if (from_fetch) {
      out_stall_until_ = std::max(out_stall_until_, fetch_events_[fetch_head_].write_at);
      ++fetch_head_;
    } else {
      ++read_head_;
    }
    if (c <= merged_to_) continue;  // the other side's event in the same cycle
    const int64_t stall_out_end = std::clamp(out_stall_until_, merged_to_ + 1, c);
    note_cycles(merged_to_ + 1, stall_out_end, Activity::kStalledOutput);
    note_cycles(stall_out_end, c, Activity::kStalledInput);
    note_cycles(c, c + 1, Activity::kBusy);
    merged_to_ = c;
  }
  if (read_head_ > 4096 && read_head_ * 2 > read_events_.size()) {
    read_events_.erase(read_events_.begin(), read_events_.begin() + std::ptrdiff_t(read_head_));
    read_head_ = 0;
  }
  if (fetch_head_ > 4096 && fetch_head_ * 2 > fetch_events_.size()) {
    fetch_events_.erase(fetch_events_.begin(), fetch_events_.begin() + std::ptrdiff_t(fetch_head_));
    fetch_head_ = 0;
  }
}

// The frame took frame_busy_ + its stalls >= the period cycles (its events
// are never earlier than with the input always valid and the output always
// ready). A missing busy cycle comes from the input's stalls first. An excess
// one comes from the two sides' events spread apart: by back-pressure when
// the frame waited on its output at all, then it is an output stall, else by
// late input beats, an input stall (never an output stall with no full FIFO
// behind it, which `vine run`'s stall columns would show as one).
void SlidingWindowRtl::close_frame_counts() {
  StageStats& st = mutable_stats();
  const int64_t missing = schedule_.period - frame_busy_;
  int64_t from_input = std::clamp<int64_t>(missing, 0, frame_stalled_input_);
  if (missing < 0 && frame_stalled_output_ == 0) from_input = missing;  // busy cycles become input stalls
  const int64_t from_output = missing - from_input;  // < 0: busy cycles become output stalls
  if (from_output > frame_stalled_output_)
    throw std::logic_error(name() + ": a frame of the RTL window took fewer cycles than its schedule");
  st.busy += missing;
  st.stalled_input -= from_input;
  st.stalled_on_input[0] -= from_input;
  st.stalled_output -= from_output;
  st.stalled_on_output[0] -= from_output;
  frame_busy_ = frame_stalled_input_ = frame_stalled_output_ = 0;
}

void SlidingWindowRtl::frames_skipped(int64_t frames, int period, int64_t cycles) {
  if (!decoupled_) return;
  const int64_t shift = frames / period * cycles;
  auto move = [shift](int64_t& c) {
    if (c >= 0) c += shift;
  };
  move(frame_start_);
  move(last_write_);
  move(last_read_cycle_);
  move(merged_to_);
  move(out_stall_until_);
  for (int64_t i = 0; i < read_; ++i) read_cycle_[size_t(i)] += shift;
  for (int64_t i = 0; i < fetched_n_; ++i) fetch_cycle_[size_t(i)] += shift;
  for (size_t i = read_head_; i < read_events_.size(); ++i) read_events_[i] += shift;
  for (size_t i = fetch_head_; i < fetch_events_.size(); ++i) {
    fetch_events_[i].cycle += shift;
    move(fetch_events_[i].write_at);
  }
}

// Cycle by cycle, the RTL controller (swg_template_default.sv) does, from its
// registers at the cycle's start:
//   - read beat n (Newest_buffered_elem = n - 1) when in0 is valid and the
//     beat it overwrites is older than Current_elem and First_elem_next_window
//     (n - BUF_ELEM_TOTAL < both), or once fetching is done;
//   - fetch window beat k (its input beat Current_elem) once that beat was
//     read in an earlier cycle, unless Write_cmd holds a beat out is not
//     ready for (write_blocked);
//   - write the beat Write_cmd holds in the first cycle out is ready.
// So, with r, f and w the cycles of the reads, fetches and writes of a frame,
//   f(k) = max(r(src(k)) + 1, w(k - 1)),   w(k) = max(f(k) + 1, out's free slot),
//   r(n) = max(r(n - 1) + 1, in's beat readable, f(M(n) - 1) + 1),
// M(n) the fetches after which the room lets beat n in (the room never
// shrinks: checked at construction). The frame ends in the cycle
// E = max(r(N - 1), w(K - 1)) (the counters reset), the next one's reads
// begin at E + 1. Each side goes as far as the stamps it needs are known;
// a side waiting for the other waits inside the stage.
void SlidingWindowRtl::activate(Scheduler& sched) {
  if (!decoupled_) {
    Stage::activate(sched);
    return;
  }
  if (state() == StageState::kDone) return;
  StreamFifo* in = inputs().at(0);
  StreamFifo* out = outputs().at(0);
  const bool data = data_enabled();
  // The busy and stall counts merge the two sides' events (6 % of a profiled
  // timing-only run of MobileNet-V1, besides the event lists), skipped where
  // nobody reads them.
  const bool counts = stall_counts_enabled();
  if (data && in->carries_data() && frame_buf_.empty()) frame_buf_.resize(size_t(n_beats_ * g_.lanes));
  set_state(StageState::kReady, nullptr);
  StreamFifo* read_blocked = nullptr;
  StreamFifo* write_blocked = nullptr;
  for (;;) {
    read_blocked = write_blocked = nullptr;
    bool moved = false;
    if (read_ == n_beats_ && written_n_ == k_beats_) {  // the frame ends: the counters reset
      const int64_t end = std::max(read_cycle_[size_t(n_beats_ - 1)], last_write_);
      ++frame_;
      read_ = need_ = fetched_n_ = written_n_ = 0;
      frame_start_ = end + 1;
      moved = true;
      // Every event of the frame noted (none comes later before `end`).
      if (counts) {
        merge(true);
        close_frame_counts();
      }
      // The cut of frame_: the counts are the cut's; the state is the cycle `end`.
      if (frame_ < frames_) models::FastForward::own_cut(*this, int64_t{frame_} * schedule_.period, end);
    }
    if (frame_ >= frames_) {
      int64_t more = 0;
      if (!take_queued_frames(more)) break;
      frames_ += int(more);  // the next run's first read follows the last frame's end
      continue;
    }
    // The read side.
    while (read_ < n_beats_) {
      while (need_ < k_beats_ && room_after(need_) <= read_ - buffer_) ++need_;
      int64_t t = read_ ? read_cycle_[size_t(read_ - 1)] + 1 : frame_start_;
      if (need_ > 0) {
        if (fetched_n_ < need_) break;  // waits for the fetch side
        t = std::max(t, fetch_cycle_[size_t(need_ - 1)] + 1);
      }
      const int64_t ready = in->read_ready_cycle();
      if (ready == kUnknownCycle) {
        read_blocked = in;
        break;
      }
      t = std::max(t, ready);
      if (data && in->carries_data())
        std::copy_n(in->read_slot(), g_.lanes, frame_buf_.begin() + std::ptrdiff_t(read_ * g_.lanes));
      in->commit_read(t);
      if (in->producer_waits) {
        in->producer_waits = false;
        sched.wake(in->producer);
      }
      read_cycle_[size_t(read_++)] = t;
      if (counts) read_events_.push_back(t);
      last_read_cycle_ = t;
      moved = true;
    }
    // The fetch side.
    for (;;) {
      if (fetched_n_ > written_n_) {  // Write_cmd: the fetched beat waits for its slot
        const int64_t free = out->write_ready_cycle();
        if (free == kUnknownCycle) {
          write_blocked = out;
          break;
        }
        const int64_t f = fetch_cycle_[size_t(written_n_)];
        const int64_t t = std::max(f + 1, free);
        if (data && out->carries_data())
          std::copy_n(frame_buf_.begin() + std::ptrdiff_t(int64_t{src_[size_t(written_n_)]} * g_.lanes), g_.lanes,
                      out->write_slot());
        out->commit_write(t);
        if (out->consumer_waits) {
          out->consumer_waits = false;
          sched.wake(out->consumer);
        }
        StageStats& st = mutable_stats();
        if (st.first_write < 0) st.first_write = t;
        st.last_write = t;
        if (counts) {
          fetch_events_.push_back({f, t});
          fetch_events_.push_back({t, -1});
        }
        last_write_ = t;
        ++written_n_;
        moved = true;
      }
      if (fetched_n_ == k_beats_) break;
      const int64_t s = src_[size_t(fetched_n_)];
      if (s >= read_) break;  // waits for the read side
      const int64_t t = std::max(read_cycle_[size_t(s)] + 1, fetched_n_ ? last_write_ : int64_t{-1});
      fetch_cycle_[size_t(fetched_n_++)] = t;
      moved = true;
    }
    if (!moved) break;
  }
  const bool done = frame_ >= frames_;
  if (counts) merge(done);
  // The next write comes after this cycle: a consumer's lower bound on it.
  set_local_cycle(done ? std::max(last_read_cycle_, last_write_)
                       : fetched_n_ > written_n_ ? fetch_cycle_[size_t(written_n_)] : last_write_);
  if (done) {
    set_state(StageState::kDone, nullptr);
    return;
  }
  if (write_blocked) out->producer_waits = true;
  if (read_blocked) in->consumer_waits = true;
  if (write_blocked)
    set_state(StageState::kBlockedOnWrite, write_blocked);
  else if (read_blocked)
    set_state(StageState::kBlockedOnRead, read_blocked);
  else
    throw std::logic_error(name() + ": the RTL sliding window's read and fetch sides wait for each other");
}

bool SlidingWindowRtl::next_iteration(Iteration& it) {
  if (at_ == schedule_.cycle.size()) {
    at_ = 0;
    fetched_ = 0;
    ++frame_;
  }
  if (frame_ >= frames_) return false;
  const uint8_t what = schedule_.what[at_];
  it = {int64_t{frame_} * schedule_.period + schedule_.cycle[at_], what & 1u, (what >> 1) & 1u};
  if (what & 2u) fetch_ = fetched_++;
  ++at_;
  return true;
}

void SlidingWindowRtl::consume(int, const int32_t* beat) {
  const int64_t frame_beats = int64_t{g_.in_h} * g_.in_w * g_.channel_folds;
  if (frame_buf_.empty()) frame_buf_.resize(size_t(frame_beats * g_.lanes));
  std::copy(beat, beat + g_.lanes, frame_buf_.begin() + std::ptrdiff_t(filled_ * g_.lanes));
  filled_ = (filled_ + 1) % frame_beats;
}

// A frame's reads end before the next frame's begin, and a fetch reads only
// beats already read: the frame buffer holds the beat it names.
void SlidingWindowRtl::produce(int, int32_t* beat) {
  for (int b = 0; b < g_.positions_per_beat; ++b) {
    const int64_t pos = window_beat_source(g_, fetch_ * g_.positions_per_beat + b);
    std::copy_n(frame_buf_.begin() + std::ptrdiff_t(pos * g_.lanes), g_.lanes, beat + b * g_.lanes);
  }
}

}  // namespace vine::models
