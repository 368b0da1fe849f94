#include "models/layers/sliding_window_rtl.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vine::models {

RtlWindowSchedule rtl_window_schedule(const WindowGeometry& g) {
  const int64_t cf = g.channel_folds, kh = g.kernel_h, kw = g.kernel_w, w = g.in_w, kk = kh * kw;
  // convolutioninputgenerator_rtl.py, get_buffer_depth (default style,
  // dilation 1, MMV 1): the minimal buffer holds one window's span of rows
  // (KH - 1 rows and KW beats), and a stride > 1 adds room to read ahead
  // while a window is written: SW - 1 beats across, SH - 1 rows down, each
  // less the window's KH x KW beats. The controller works on the real
  // [H, W] and [KH, KW], a one-dimensional window too ([1, K] or [K, 1]):
  // only FINN's cycle estimate and buffer partitioning normalise those to
  // [1, K] (get_1d_conv_attrs_normalized).
  const int64_t min_buffer = ((kh - 1) * w + (kw - 1) + 1) * cf;
  RtlWindowSchedule out;
  out.buffer_beats = min_buffer + std::max<int64_t>(0, (g.stride_w - 1) - kk) * cf +
                     std::max<int64_t>(0, (g.stride_h - 1) * w - kk) * cf;
  const int64_t buffer = out.buffer_beats;
  const int64_t last_read = int64_t{g.in_h} * w * cf - 1;  // LAST_READ_ELEM
  const int64_t fetches = int64_t{g.out_h} * g.out_w * kk * cf;
  const int64_t last_write = window_beat_source(g, fetches - 1);  // LAST_WRITE_ELEM
  // ELEM_PER_WINDOW: a depthwise generator with cf > 1 counts one channel
  // fold's KH x KW beats as a window (prepare_codegen_default).
  const int64_t per_window = g.depthwise && cf > 1 ? kk : kk * cf;

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

SlidingWindowRtl::SlidingWindowRtl(std::string name, PipelineTiming t, int frames, WindowGeometry g,
                                   RtlWindowStyle style)
    : Stage(std::move(name), t),
      g_(g),
      schedule_(style == RtlWindowStyle::kParallel ? rtl_parallel_window_schedule(g) : rtl_window_schedule(g)),
      frames_(frames) {}

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
