// A co-simulated unit whose timing disagrees with the model's pipeline
// (rtl_pe_array.h). Two kinds, two exit codes in the CLI:
//  - a result that leaves its unit at another cycle than the model's write
//    is a failed check, like an output that differs from the reference
//    (exit 2, kExitSimulation);
//  - a design whose pipeline_depth leaves the lanes fewer cycles than its
//    RTL takes is refused before the run, like any bad design (exit 1).
#pragma once

#include <stdexcept>
#include <string>

namespace vine::models {

class RtlTimingError : public std::runtime_error {
 public:
  enum class Kind { kMismatch, kDesign };
  explicit RtlTimingError(const std::string& what, Kind kind = Kind::kMismatch)
      : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace vine::models
