// One frame's activations, laid out HWC (channels fastest) as FINN streams them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vine::golden {

template <typename T>
struct Tensor {
  int h = 0, w = 0, c = 0;
  std::vector<T> data;

  Tensor() = default;
  Tensor(int h_, int w_, int c_, T fill = T{}) : h(h_), w(w_), c(c_), data(size_t(h_) * w_ * c_, fill) {}

  size_t size() const { return data.size(); }
  size_t index(int y, int x, int ch) const { return (size_t(y) * w + x) * c + ch; }
  T& at(int y, int x, int ch) { return data[index(y, x, ch)]; }
  const T& at(int y, int x, int ch) const { return data[index(y, x, ch)]; }
  bool same_shape(const Tensor& o) const { return h == o.h && w == o.w && c == o.c; }
};

using IntTensor = Tensor<int32_t>;

}  // namespace vine::golden
