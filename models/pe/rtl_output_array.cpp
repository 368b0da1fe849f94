#include "models/pe/rtl_output_array.h"

#include <algorithm>

#include "models/pe/rtl_pe_array.h"

namespace vine::models {

RtlOutputArray::RtlOutputArray(std::string stage, std::unique_ptr<RtlOutputUnit> unit, int pe, int depth,
                               int64_t iterations_per_frame)
    : stage_(std::move(stage)),
      unit_(std::move(unit)),
      pe_(pe),
      depth_(depth),
      lead_(depth - unit_->latency()),
      per_frame_(iterations_per_frame),
      pes_(size_t(pe)),
      in_values_(size_t(pe), 0) {
  if (lead_ < 0)
    throw RtlTimingError("stage " + stage_ + ": its pipeline depth " + std::to_string(depth) +
                             " is shorter than the output unit '" + unit_->config().key() + "''s latency " +
                             std::to_string(unit_->latency()) + ": too shallow for its RTL (the design's pipeline_depth?)",
                         RtlTimingError::Kind::kDesign);
  if (unit_->pes() != pe)
    throw std::invalid_argument("RtlOutputArray: " + std::to_string(unit_->pes()) + " instances for " +
                                std::to_string(pe) + " PEs");
}

void RtlOutputArray::clock(bool en) {
  for (int p = 0; p < pe_; ++p) {
    Pe& u = pes_[size_t(p)];
    const bool was = u.valid;
    u.valid = unit_->clock(p, en, in_valid_, in_values_[size_t(p)], in_channel_ + p, u.code);
    valid_high_ += int(u.valid) - int(was);
  }
}

void RtlOutputArray::clock_advance(int64_t advance) {
  in_valid_ = feed_ < records_.size() && records_[feed_].advance + lead_ == advance;
  if (in_valid_) {
    const Record& r = records_[feed_++];
    in_values_ = r.values;
    in_channel_ = r.first_channel;
    in_flight_ += pe_;
  } else if (in_flight_ == 0 && valid_high_ == 0) {
    return;  // nothing in the units, none offered: nothing can move
  }
  clock(true);
}

void RtlOutputArray::stall() {
  // With en low the units must ignore their inputs, which hold the last
  // advance's; they are clocked through at most LATENCY +
  // RtlPeArray::kStallCyclesPastLatency cycles of a stall (rtl_pe_array.h).
  if (in_flight_ == 0 && valid_high_ == 0) return;
  clock(false);
}

void RtlOutputArray::take(int64_t advance, int64_t cycle) {
  for (int p = 0; p < pe_; ++p) {
    Pe& u = pes_[size_t(p)];
    if (!u.valid) continue;
    if (u.next >= feed_) {
      if (spurious_.empty())
        spurious_ = "stage " + stage_ + ", PE " + std::to_string(p) + "'s output unit '" + unit_->config().key() +
                    "': a code left the unit at cycle " + std::to_string(cycle) + " with no value in it to produce it";
      continue;
    }
    Record& r = records_[u.next++];
    --in_flight_;
    const int64_t channel = r.first_channel + p;
    const int32_t want = out_->apply(r.values[size_t(p)], int(channel));
    if (u.code != want)
      throw RtlTimingError(where(p, r) + ": the RTL's code for channel " + std::to_string(channel) + " (value " +
                           std::to_string(r.values[size_t(p)]) + ") is " + std::to_string(u.code) + " at cycle " +
                           std::to_string(cycle) + "; the C++ output unit gives " + std::to_string(want));
    if (advance != r.due)
      throw RtlTimingError(where(p, r) + ": the RTL's code leaves the unit at cycle " + std::to_string(cycle) + ", " +
                           std::to_string(r.due - advance) +
                           " pipeline advance(s) early; the model's pipeline writes it " +
                           std::to_string(r.due - advance) + " advance(s) later");
    r.beat[p] = u.code;
    ++r.written;
  }
}

void RtlOutputArray::reach(int64_t advance, int64_t cycle) {
  while (reached_ < records_.size() && records_[reached_].due == advance) {
    const Record& r = records_[reached_];
    if (r.written < pe_)
      for (int p = 0; p < pe_; ++p)
        if (pes_[size_t(p)].next <= reached_) {
          int later = 1;
          int32_t code = 0;
          bool valid = false;
          while (!valid && later <= 256) {
            valid = unit_->clock(p, true, false, 0, 0, code);
            ++later;
          }
          throw RtlTimingError(where(p, r) + ": the RTL's code is not valid at cycle " + std::to_string(cycle) +
                               ", where the model's pipeline writes it; " +
                               (valid ? "it leaves the unit " + std::to_string(later) + " enabled cycle(s) later"
                                      : std::string("no code leaves the unit within 256 more enabled cycles")));
        }
    ++reached_;
  }
  while (reached_ > 0 && records_.front().written == pe_) {
    records_.pop_front();
    --reached_;
    --feed_;
    for (Pe& u : pes_) --u.next;
  }
  if (!spurious_.empty()) throw RtlTimingError(spurious_);
}

std::string RtlOutputArray::where(int pe, const Record& r) const {
  std::string s = "stage " + stage_ + ", PE " + std::to_string(pe) + "'s output unit '" + unit_->config().key() +
                  "': iteration " + std::to_string(r.index) + " of its loop";
  if (per_frame_ > 0) s += " (frame " + std::to_string(r.index / per_frame_) + ")";
  return s + ", output beat " + std::to_string(r.index) + " (channels " + std::to_string(r.first_channel) + ".." +
         std::to_string(r.first_channel + pe_ - 1) + ")";
}

void RtlOutputArray::expect(int64_t index, const int32_t* values, int64_t first_channel, int32_t* beat) {
  Record r;
  r.index = index;
  r.first_channel = first_channel;
  r.advance = adv_;  // produce() follows the iteration's advancing() call
  r.due = adv_ + depth_;
  r.beat = beat;
  r.values.assign(values, values + pe_);
  records_.push_back(std::move(r));
}

void RtlOutputArray::advancing(int64_t, int64_t cycle, int64_t advances, int64_t, bool) {
  // The previous call's advance, its reads now made.
  if (adv_ >= 0) clock_advance(adv_);
  // The advances without reads or writes before this one, one a cycle.
  for (int64_t j = 1; j < advances; ++j) {
    take(adv_ + j, cycle_ + j);
    reach(adv_ + j, cycle_ + j);
    clock_advance(adv_ + j);
  }
  // The stall cycles before it, each unit clocked through at most its
  // latency + kStallCyclesPastLatency of them.
  const int64_t stall_from = cycle_ + advances;
  const int64_t until =
      std::min(cycle, stall_from + unit_->latency() + RtlPeArray::kStallCyclesPastLatency);
  for (int64_t c = stall_from; c < until; ++c) stall();
  adv_ += advances;
  cycle_ = cycle;
  take(adv_, cycle_);
  reach(adv_, cycle_);
}

}  // namespace vine::models
