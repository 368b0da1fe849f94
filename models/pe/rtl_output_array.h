// The standalone threshold stage's units on Verilated RTL (`vine run
// --backend rtl`, docs/cosim.md): one instance of the multi-threshold unit or
// the requantiser per PE lane, clocked with the stage's pipeline as the
// MVAU's PE array is (rtl_pe_array.h), en = 1 in its advances and 0 in its
// stall cycles.
//
// Iteration i reads a beat of PE values and writes their codes at advance
// i + depth. The values enter the units depth - LATENCY advances after the
// read (0 with the kind's timing, whose depth is the unit's latency, probed
// on this back-end: the stage's parameter memory is read with the stream),
// so that its codes leave LATENCY enabled cycles later, at the write's
// advance. A code that leaves at another advance,
// or differs from the C++ output unit's (output_unit.h) on the same value,
// stops the run with an RtlTimingError naming the stage, the PE's unit, the
// iteration and both cycles or codes.
//
// A read's values are known only after the advance's hook (Stage::advancing
// is called before the reads), so each advance is clocked in the hook of the
// stage's next step, before that step's codes are taken: a code on the
// outputs after advance a - 1 leaves in advance a.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "models/pe/output_unit.h"
#include "models/pe/rtl_output_unit.h"
#include "models/pe/rtl_timing_error.h"

namespace vine::models {

class RtlOutputArray {
 public:
  // `unit`: pe instances; `depth`: the stage's pipeline depth, at least the
  // unit's latency (the read's advance); `iterations_per_frame` names frames.
  RtlOutputArray(std::string stage, std::unique_ptr<RtlOutputUnit> unit, int pe, int depth,
                 int64_t iterations_per_frame);
  void connect(const OutputUnit* out) { out_ = out; }

  // Stage::advancing: clocks the units through the advance before this one.
  // The units take values by advance (a flushing pipeline's bubbles are
  // advances that offer none), so the loop index is not needed.
  void advancing(int64_t index, int64_t cycle, int64_t advances, int64_t bubbles, bool bubble);
  // Iteration `index`, in its advance, read `values` (PE of them, channels
  // first_channel ..) and writes `beat`: the codes are filled in as they
  // leave their units.
  void expect(int64_t index, const int32_t* values, int64_t first_channel, int32_t* beat);

  const RtlOutputUnit& unit() const { return *unit_; }

 private:
  struct Record {
    int64_t index = 0, first_channel = 0;  // the iteration (for messages), its first channel
    int64_t advance = 0, due = 0;           // the read's advance and the write's
    int32_t* beat = nullptr;
    std::vector<int64_t> values;
    int written = 0;
  };
  struct Pe {
    bool valid = false;  // out_valid during the coming cycle
    int32_t code = 0;
    size_t next = 0;  // records[next] gets its next code
  };
  void clock_advance(int64_t advance);  // en = 1, with the values that enter in it
  void stall();                          // en = 0, the inputs held
  void clock(bool en);
  void take(int64_t advance, int64_t cycle);  // the codes that leave in `advance`
  void reach(int64_t advance, int64_t cycle);
  std::string where(int pe, const Record& r) const;

  std::string stage_;
  std::unique_ptr<RtlOutputUnit> unit_;
  int pe_, depth_, lead_;
  int64_t per_frame_;
  const OutputUnit* out_ = nullptr;
  std::deque<Record> records_;  // in order of their advance
  size_t feed_ = 0;             // records_[feed_] is the next to enter the units
  size_t reached_ = 0;          // records_[reached_] is the next to reach its write
  std::vector<Pe> pes_;
  int64_t adv_ = -1, cycle_ = -1;  // the last advance made (not yet clocked), its cycle
  // The units' inputs as last driven (held through stalls).
  bool in_valid_ = false;
  int64_t in_channel_ = 0;
  std::vector<int64_t> in_values_;
  int64_t in_flight_ = 0;  // values entered, codes not yet left (all PEs)
  int valid_high_ = 0;
  std::string spurious_;
};

}  // namespace vine::models
