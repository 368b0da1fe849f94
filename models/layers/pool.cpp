#include "models/layers/pool.h"

#include <algorithm>

namespace vine::models {

Pool::Pool(std::string name, PipelineTiming t, int frames, PoolGeometry g)
    : Stage(std::move(name), t), g_(g), frames_(frames) {}

bool Pool::completes_window(int pos, int kernel, int stride, int out_extent, int& o) {
  const int rel = pos - (kernel - 1);
  if (rel < 0 || rel % stride) return false;
  o = rel / stride;
  return o < out_extent;
}

bool Pool::next_iteration(Iteration& it) {
  if (frame_ >= frames_) return false;
  int oy = 0, ox = 0;
  const bool writes = completes_window(y_, g_.kernel_h, g_.stride_h, g_.out_h, oy) &&
                      completes_window(x_, g_.kernel_w, g_.stride_w, g_.out_w, ox);
  it = {next_++, 1, writes ? 1u : 0u};
  oy_ = oy;
  ox_ = ox;
  ocf_ = cf_;
  if (++cf_ == g_.channels / g_.pe) {
    cf_ = 0;
    if (++x_ == g_.in_w) {
      x_ = 0;
      if (++y_ == g_.in_h) {
        y_ = 0;
        ++frame_;
      }
    }
  }
  return true;
}

void Pool::consume(int, const int32_t* beat) {
  const int64_t frame_elems = int64_t{g_.in_h} * g_.in_w * g_.channels;
  if (frame_buf_.empty()) frame_buf_.resize(size_t(frame_elems));
  std::copy(beat, beat + g_.pe, frame_buf_.begin() + std::ptrdiff_t(filled_));
  filled_ = (filled_ + g_.pe) % frame_elems;
}

void Pool::produce(int, int32_t* beat) {
  const int k2 = g_.kernel_h * g_.kernel_w;
  for (int e = 0; e < g_.pe; ++e) {
    const int c = ocf_ * g_.pe + e;
    int64_t acc = g_.average ? 0 : INT64_MIN;
    for (int ky = 0; ky < g_.kernel_h; ++ky)
      for (int kx = 0; kx < g_.kernel_w; ++kx) {
        const int y = oy_ * g_.stride_h + ky, x = ox_ * g_.stride_w + kx;
        const int32_t v = frame_buf_[(size_t(y) * size_t(g_.in_w) + size_t(x)) * size_t(g_.channels) + size_t(c)];
        acc = g_.average ? acc + v : std::max<int64_t>(acc, v);
      }
    if (g_.average) {  // floor division, as the golden reference's average pool
      int64_t q = acc / k2;
      if (acc % k2 != 0 && acc < 0) --q;
      acc = q;
    }
    beat[e] = int32_t(acc);
  }
}

}  // namespace vine::models
