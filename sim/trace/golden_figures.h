// A design's golden figures (traces/*.golden): the key cycles of a
// timing-only run and the output checksums of a short bit-exact run, as
// `key: value` lines, one figure per line, so that a changed cycle shows as a
// one-line diff. `vine golden` writes and checks them; traces/README.md lists
// the keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/ir/design.h"

namespace vine::trace {

struct GoldenOptions {
  // Frames of the timing-only run; 0: the frames `vine run` names as reaching
  // the steady state from its default 3 (3 when 3 reach it or none do).
  int timing_frames = 0;
  int output_frames = 2;  // frames of the bit-exact run whose outputs are checksummed
  uint64_t seed = 1;      // of the synthetic weights and frames of that run
};

// The figures of design `d`; `source` names its file in the header comment.
std::string golden_figures(const ir::Design& d, const std::string& source, GoldenOptions o);

// The options a file's figures were made with: its timing.frames,
// outputs.frames and outputs.seed lines. Throws std::runtime_error naming a
// missing or malformed line.
GoldenOptions golden_options_of(const std::string& figures);

// One line per figure that differs, in the expected file's order (figures only
// in the actual ones last):
//   "key: expected -> actual (+delta)"  a changed value (delta when both are integers)
//   "key: expected -> (gone)"           a figure no longer produced
//   "key: (new) -> actual"              a figure not in the expected file
// Comment (#) and blank lines are not figures.
std::vector<std::string> golden_diff(const std::string& expected, const std::string& actual);

}  // namespace vine::trace
