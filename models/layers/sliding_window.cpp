#include "models/layers/sliding_window.h"

#include <algorithm>

namespace vine::models {

int64_t window_beat_source(const WindowGeometry& g, int64_t j) {
  const int64_t cf = g.channel_folds, kh = g.kernel_h, kw = g.kernel_w;
  const int64_t per_pixel = kh * kw * cf;
  const int64_t pixel = j / per_pixel, r = j % per_pixel;
  const int64_t oy = pixel / g.out_w, ox = pixel % g.out_w;
  int64_t ky, kx, c;
  if (g.depthwise) {  // channel fold outside the kernel positions (the VVAU's order)
    c = r / (kh * kw);
    ky = (r / kw) % kh;
    kx = r % kw;
  } else {
    ky = r / (kw * cf);
    kx = (r / cf) % kw;
    c = r % cf;
  }
  return ((oy * g.stride_h + ky) * g.in_w + ox * g.stride_w + kx) * cf + c;
}

SlidingWindow::SlidingWindow(std::string name, PipelineTiming t, int frames, WindowGeometry g)
    : Stage(std::move(name), t), g_(g), frames_(frames) {
  const int64_t cf = g.channel_folds;
  initial_ = int64_t{g.in_w} * g.kernel_h * cf;
  window_beats_ = int64_t{g.out_w} * g.kernel_h * g.kernel_w * cf;
  block_ = std::max(window_beats_, int64_t{g.stride_h} * g.in_w * cf);
  // A re-entered loop drains its pipeline and pays its entry cycles per frame.
  frame_span_ = iterations_per_frame() + (t.reentry_cycles >= 0 ? t.depth + t.reentry_cycles : 0);
}

int64_t SlidingWindow::rows_read_in_block(int b) const {
  if (b < g_.out_h - 1) return g_.stride_h;
  return g_.in_h - g_.kernel_h - int64_t{b} * g_.stride_h;  // what is left of the frame
}

bool SlidingWindow::next_iteration(Iteration& it) {
  for (;;) {
    if (frame_ >= frames_) return false;
    const int64_t base = int64_t{frame_} * frame_span_;
    if (block_index_ < 0) {
      if (j_ < initial_) {
        it = {base + j_++, 1, 0};
        return true;
      }
      block_index_ = 0;
      j_ = 0;
      block_reads_ = rows_read_in_block(0) * g_.in_w * g_.channel_folds;
    }
    const int64_t last = std::max(window_beats_, block_reads_);
    if (j_ < last) {
      const int64_t j = j_++;
      // Window beats are packed positions_per_beat to an output beat: the
      // last of each group writes it (KH*KW*cf per pixel is a whole number of groups).
      const bool writes = j < window_beats_ && (j + 1) % g_.positions_per_beat == 0;
      it = {base + initial_ + int64_t{block_index_} * block_ + j, j < block_reads_ ? 1u : 0u, writes ? 1u : 0u};
      write_j_ = j;
      write_block_ = block_index_;
      return true;
    }
    if (++block_index_ < g_.out_h) {
      j_ = 0;
      block_reads_ = rows_read_in_block(block_index_) * g_.in_w * g_.channel_folds;
      continue;
    }
    ++frame_;
    block_index_ = -1;
    j_ = 0;
  }
}

void SlidingWindow::consume(int, const int32_t* beat) {
  const int64_t frame_beats = int64_t{g_.in_h} * g_.in_w * g_.channel_folds;
  if (frame_buf_.empty()) frame_buf_.resize(size_t(frame_beats * g_.lanes));
  std::copy(beat, beat + g_.lanes, frame_buf_.begin() + std::ptrdiff_t(filled_ * g_.lanes));
  filled_ = (filled_ + 1) % frame_beats;
}

void SlidingWindow::produce(int, int32_t* beat) {
  // The group of window beats ending with this iteration's, in order; a
  // block's window beats are one row of output pixels.
  const int64_t first = int64_t{write_block_} * window_beats_ + write_j_ - (g_.positions_per_beat - 1);
  for (int64_t b = 0; b < g_.positions_per_beat; ++b)
    std::copy_n(frame_buf_.begin() + std::ptrdiff_t(window_beat_source(g_, first + b) * g_.lanes), g_.lanes,
                beat + b * g_.lanes);
}

}  // namespace vine::models
