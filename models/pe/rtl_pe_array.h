// The PE array of an MVAU or VVAU on Verilated lanes units, clocked with its
// stage's pipeline (`vine run --backend rtl`, docs/cosim.md).
//
// The stage tells the array every advance of its pipeline and the cycle it
// is made in (Stage::advancing). The array clocks each PE's unit once per
// cycle: en = 1 in the cycles the pipeline advances, en = 0 in its stall
// cycles, as the hardware's clock enable freezes the PE array when the HLS
// pipeline stalls. Iteration i's beat (its weight rows' fold and the
// activations the PEs read) enters the lanes `lead` advances after the
// iteration, the weight memory's read (and a bitmap decoder's register)
// before it (on bit-serial lanes the iteration of the beat's first cycle:
// the beat then holds the unit for its w cycles, and the kind offers no
// beat in the others); its result leaves the unit in the first advance whose cycle
// sees out_valid high, and the output unit turns it into the beat the stage
// writes: the C++ one (output_unit.h), or on the RTL back-end the PE's
// Verilated output unit (rtl_output_unit.h), which takes the result in that
// same cycle and is clocked with the same advances and stalls.
//
// The check: the model's pipeline has that result at advance i + depth -
// (output unit latency), the advance the stage's write of the beat is built
// around, and the output unit's code at the write's advance i + depth. A
// result or code that leaves in another advance stops the run with an
// RtlTimingError naming the stage, the PE's unit, the iteration and output
// beat, and both cycles. So a unit whose latency depends on the stalls (a
// register without the enable) fails here even though it passes the
// one-shot probe. A code that differs from the C++ output unit's on the same
// accumulator stops it too, naming the beat and both codes.
//
// Cost: a unit is clocked in every advance of its stage in which it holds a
// beat in flight or is offered one; in a stall, for at most its latency + 1
// cycles (kStallCyclesPastLatency; a bit-serial unit's latency counted from
// a beat's first cycle, RtlDotProductUnit::pipeline_cycles). A unit that freezes with en = 0 is the
// same after any stall; a register that ignores en and feeds no register of
// its own (a pipeline register, a valid bit) settles on the stall's held
// inputs within the unit's latency, so a longer stall changes nothing more
// in it. A unit with nothing in it is not clocked at all.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/pe/output_unit.h"
#include "models/pe/rtl_dot_product.h"
#include "models/pe/rtl_output_unit.h"
#include "models/pe/rtl_timing_error.h"

namespace vine::models {

// What the PEs take at one iteration of the stage's loop, as the kind says.
struct RtlBeat {
  int64_t first_row = -1;         // PE p works on weight row first_row + p; -1: no beat
  int64_t fold = 0;               // the rows' fold (0 .. SF-1)
  const int32_t* acts = nullptr;  // SIMD activation codes, or PE x SIMD of them (per_pe)
  bool per_pe = false;
};

class RtlPeArray {
 public:
  // `groups`: the channel groups' units, PE instances each, covering the
  // layer's rows. `lanes_due`: advances from an iteration to its lanes
  // result in the model's pipeline (depth minus the output unit's latency);
  // each group's beats enter lanes_due - latency() advances after their
  // iteration, which must be at least 1 (the weight memory's read).
  // `output_latency`: the advances from the lanes' result to the write.
  // `output`: the PEs' output units on RTL (their probed latency is
  // `output_latency`), or null for the C++ output unit.
  RtlPeArray(std::string stage, std::vector<std::unique_ptr<RtlDotProductUnit>> groups, int pe,
             int lanes_due, int output_latency, int64_t iterations_per_frame,
             std::unique_ptr<RtlOutputUnit> output = nullptr);

  // The stall cycles a unit is clocked through past its latency (above).
  static constexpr int kStallCyclesPastLatency = 1;

  // The kind's beat of iteration `index` (RtlBeat::first_row < 0 outside its
  // loop), asked at the iteration's advance, before its reads; the
  // activations it points at are read once those reads are done (at the next
  // call of advancing). And the kind's output unit.
  using BeatOf = std::function<RtlBeat(int64_t index)>;
  void connect(BeatOf beat_of, const OutputUnit* out);

  // Stage::advancing: clocks the units up to and including the advance of
  // iteration `index`; a flushing pipeline's bubbles offer no beat.
  void advancing(int64_t index, int64_t cycle, int64_t advances, int64_t bubbles, bool bubble);
  // The writing iteration `index`, just issued (Stage::produce), writes
  // `beat`: one element per PE, rows first_row .. first_row + PE - 1. Its
  // elements are filled in as the PEs' results leave their units.
  void expect(int64_t index, int64_t first_row, int32_t* beat);

  const std::vector<std::unique_ptr<RtlDotProductUnit>>& groups() const { return groups_; }
  const RtlOutputUnit* output_unit() const { return output_.get(); }

 private:
  struct Capture {   // one advance's beat, as the PEs' inputs will see it
    int group = -1;  // -1: no beat
    int64_t first_row = 0, fold = 0;
    const int32_t* codes = nullptr;  // until packed
    bool per_pe = false;
    std::vector<uint32_t> acts;  // PE x act_words (per_pe) or act_words
  };
  struct Record {  // an output beat whose PE results are under way
    int64_t index = 0, beat_no = 0, first_row = 0;
    int32_t* beat = nullptr;
    int64_t due = 0;  // the advance the model has the lanes' result in
    int got = 0;      // lanes results left
    int written = 0;  // codes in the beat (the C++ output unit writes them as the results leave)
    bool reached = false;
    int early_pe = -1;  // the first PE whose result left before `due`, and when
    int64_t early_cycle = 0, early_advance = 0;
    int early_out_pe = -1;  // the same for the RTL output unit's code, before due + output latency
    int64_t early_out_cycle = 0, early_out_advance = 0;
  };
  struct Group {
    RtlDotProductUnit* unit;
    int lead = 1;
    std::vector<char> out_valid;  // per PE: out_valid during the coming cycle
    std::vector<int64_t> out_value;
    std::deque<Record> records;  // in order of `due`
    size_t reached = 0;          // records[reached] is the next to reach its due advance
    size_t reached_out = 0;      // the same for the write's advance (due + output latency)
    std::vector<size_t> next;    // per PE: the record its next result belongs to
    int64_t in_flight = 0;       // PE rows begun and not yet left
    int valid_high = 0;          // PEs whose out_valid is high
    bool idle(const Capture* offered) const {
      return !offered && in_flight == 0 && valid_high == 0;
    }
  };

  // A PE's RTL output unit: the results it holds, in order, and its output.
  struct OutputPe {
    struct Pending {
      Record* record;
      int64_t acc;
    };
    std::deque<Pending> pending;  // results entered and not yet left as codes
    bool valid = false;           // out_valid during the coming cycle
    int32_t code = 0;
    bool feed = false;  // a lanes result enters in this cycle
    int64_t feed_acc = 0, feed_channel = 0;
  };

  Capture& capture_at(int64_t advance) { return ring_[size_t(advance % int64_t(ring_.size()))]; }
  void capture(int64_t advance, int64_t index);  // the beat of the iteration at `advance`
  void pack(Capture& c);
  // The beat group g takes at advance `advance`, or null.
  const Capture* offered(const Group& g, size_t gi, int64_t advance);
  void clock(Group& g, const Capture* b, bool en);  // every PE's unit of group g
  void step(int64_t advance, int64_t cycle);  // an advance: en = 1
  void stall(int64_t cycle);                  // a stall cycle before advance adv_ + 1: en = 0
  void deliver(Group& g, int pe, int64_t advance, int64_t cycle);
  bool output_idle() const { return out_in_flight_ == 0 && out_valid_high_ == 0; }
  void step_output(int64_t advance, int64_t cycle);  // an advance of the RTL output units
  void stall_output();                               // a stall cycle of them
  void clock_output(int pe, bool en, bool valid, int64_t acc, int64_t channel);
  void write_code(int pe, int64_t advance, int64_t cycle);
  void reach(int64_t advance, int64_t cycle);
  [[noreturn]] void fail_early(const Group& g, const Record& r, int64_t cycle) const;
  [[noreturn]] void fail_late(Group& g, const Record& r, int pe, int64_t cycle);
  [[noreturn]] void fail_output_early(const Record& r, int64_t cycle) const;
  [[noreturn]] void fail_output_late(const Record& r, int pe, int64_t cycle);
  std::string where(const std::string& unit, int pe, const Record& r) const;
  std::string lanes_unit(const Group& g) const { return "lanes unit '" + g.unit->config().key() + "'"; }
  std::string output_unit_name() const { return "output unit '" + output_->config().key() + "'"; }
  std::string then_writes() const;

  std::string stage_;
  std::vector<std::unique_ptr<RtlDotProductUnit>> groups_;
  std::vector<Group> g_;
  std::unique_ptr<RtlOutputUnit> output_;
  std::vector<OutputPe> opes_;  // per PE, with output_
  int64_t out_in_flight_ = 0;   // results in the output units, all PEs
  int out_valid_high_ = 0;      // output units whose out_valid is high
  bool out_fed_ = false;        // some PE's result enters its output unit in this advance
  int pe_, lanes_due_, output_latency_;
  int64_t per_frame_;
  BeatOf beat_of_;
  const OutputUnit* out_ = nullptr;
  std::vector<Capture> ring_;      // by advance, the last lead + 1 of them
  int64_t adv_ = -1, cycle_ = -1;  // the last advance made, and its cycle
  bool pending_pack_ = false;      // the capture of advance adv_ awaits its reads
  int64_t beats_expected_ = 0;
  std::string spurious_;  // a result with no record, found in this advance
};

}  // namespace vine::models
