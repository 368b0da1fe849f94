// Timing of the OVSF weights generator (rtl/ovsf_generator.sv), in closed
// form from the RTL's single timing source (vine_rtl_timing.h): how many
// cycles it takes to generate a layer's weights. The generator competes with
// nothing but its own rate: one group of `lanes` weights of one filter per II
// cycles, each group leaving LATENCY cycles after its beat.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "vine_rtl_timing.h"

namespace vine::models {

struct WeightsGeneratorTiming {
  int code_length = 0;  // L, a power of two >= 2
  int kept = 0;         // coefficient slots (kept codes) per filter
  int lanes = 0;        // weights per cycle, a power of two <= L

  WeightsGeneratorTiming(int code_length_, int kept_, int lanes_)
      : code_length(code_length_), kept(kept_), lanes(lanes_) {
    auto pow2 = [](int n) { return n >= 1 && (n & (n - 1)) == 0; };
    if (!pow2(code_length) || code_length < 2)
      throw std::invalid_argument("weights generator: code length " + std::to_string(code_length) +
                                  " is not a power of two >= 2");
    if (!pow2(lanes) || lanes > code_length)
      throw std::invalid_argument("weights generator: lanes " + std::to_string(lanes) +
                                  " is not a power of two <= the code length " + std::to_string(code_length));
    if (kept < 1 || kept > code_length)
      throw std::invalid_argument("weights generator: kept codes " + std::to_string(kept) + " outside [1, " +
                                  std::to_string(code_length) + "]");
  }

  int latency() const { return rtl::ovsf_generator_latency(kept); }
  int ii() const { return rtl::ovsf_generator_ii(); }

  // Beats (groups of `lanes` positions) per filter: the padded positions
  // j >= filter_len that fill no group are not generated.
  int64_t groups_per_filter(int64_t filter_len) const {
    if (filter_len < 1 || filter_len > code_length)
      throw std::invalid_argument("weights generator: filter length " + std::to_string(filter_len) +
                                  " outside [1, " + std::to_string(code_length) + "]");
    return (filter_len + lanes - 1) / lanes;
  }

  // Cycles from the first beat's acceptance to the last group's output
  // inclusive, beats offered back to back:
  //   filters * ceil(filter_len / lanes) * II + LATENCY.
  int64_t layer_cycles(int64_t filters, int64_t filter_len) const {
    if (filters < 1)
      throw std::invalid_argument("weights generator: filters " + std::to_string(filters) + " < 1");
    return filters * groups_per_filter(filter_len) * ii() + latency();
  }
};

}  // namespace vine::models
