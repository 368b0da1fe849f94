// A co-simulated unit whose timing disagrees with the model's pipeline
// (rtl_pe_array.h): the run stops with it, exit 1 in the CLI (the design's
// RTL, part of its input, is wrong).
#pragma once

#include <stdexcept>

namespace vine::models {

class RtlTimingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace vine::models
