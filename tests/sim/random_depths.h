// A design with every FIFO's depth drawn at random, for the tests that check
// a property of the timing on many depth combinations.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/explore/fifo_sizing.h"

namespace vine::testing_support {

// Each FIFO shallow (1 to 3), a quarter of the stream's words per frame, a
// frame, or two.
inline ir::Design random_depths(const ir::Design& base, const std::vector<explore::SizedFifo>& fifos,
                                std::mt19937& rng) {
  return explore::with_depths(base, fifos, [&](const explore::SizedFifo& f) {
    const int64_t choices[] = {1, 2, 3, std::max<int64_t>(1, f.words / 4), f.words, 2 * f.words};
    return int(choices[std::uniform_int_distribution<int>(0, 5)(rng)]);
  });
}

}  // namespace vine::testing_support
