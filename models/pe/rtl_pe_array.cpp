#include "models/pe/rtl_pe_array.h"

#include <algorithm>

namespace vine::models {

RtlPeArray::RtlPeArray(std::string stage, std::vector<std::unique_ptr<RtlDotProductUnit>> groups,
                       int pe, int lanes_due, int output_latency, int64_t iterations_per_frame,
                       std::unique_ptr<RtlOutputUnit> output)
    : stage_(std::move(stage)),
      groups_(std::move(groups)),
      output_(std::move(output)),
      pe_(pe),
      lanes_due_(lanes_due),
      output_latency_(output_latency),
      per_frame_(iterations_per_frame) {
  int max_lead = 1;
  for (auto& u : groups_) {
    Group g;
    g.unit = u.get();
    g.lead = lanes_due - u->latency();
    if (g.lead < 1)
      throw RtlTimingError(
          "stage " + stage_ + ": its pipeline depth " + std::to_string(lanes_due + output_latency) +
          " leaves " + std::to_string(lanes_due) +
          " cycles from an iteration to its lanes' result (the rest is the output unit's), but "
          "the weight memory's read and the lanes unit '" +
          u->config().key() + "' take 1 + " + std::to_string(u->latency()) +
          ": too shallow for its RTL (the design's pipeline_depth?)",
          RtlTimingError::Kind::kDesign);
    if (u->pes() != pe)
      throw std::invalid_argument("RtlPeArray: " + std::to_string(u->pes()) + " instances for " +
                                  std::to_string(pe) + " PEs");
    g.out_valid.assign(size_t(pe), 0);
    g.out_value.assign(size_t(pe), 0);
    g.next.assign(size_t(pe), 0);
    max_lead = std::max(max_lead, g.lead);
    g_.push_back(std::move(g));
  }
  if (output_) {
    if (output_->pes() != pe)
      throw std::invalid_argument("RtlPeArray: " + std::to_string(output_->pes()) + " output units for " +
                                  std::to_string(pe) + " PEs");
    if (output_->latency() != output_latency)
      throw std::invalid_argument("RtlPeArray: output latency " + std::to_string(output_latency) +
                                  ", its unit's " + std::to_string(output_->latency()));
    opes_.resize(size_t(pe));
  }
  ring_.resize(size_t(max_lead) + 1);
}

void RtlPeArray::connect(BeatOf beat_of, const OutputUnit* out) {
  beat_of_ = std::move(beat_of);
  out_ = out;
}

void RtlPeArray::capture(int64_t advance, int64_t index) {
  Capture& c = capture_at(advance);
  c.group = -1;
  const RtlBeat b = beat_of_(index);
  if (b.first_row < 0) return;
  for (size_t gi = 0; gi < g_.size(); ++gi)
    if (g_[gi].unit->holds(b.first_row)) c.group = int(gi);
  if (c.group < 0)
    throw std::logic_error("RtlPeArray: no channel group holds row " + std::to_string(b.first_row));
  c.first_row = b.first_row;
  c.fold = b.fold;
  c.codes = b.acts;
  c.per_pe = b.per_pe;
}

void RtlPeArray::pack(Capture& c) {
  if (c.group < 0) return;
  const RtlDotProductUnit& u = *g_[size_t(c.group)].unit;
  const size_t words = u.act_words();
  c.acts.resize(c.per_pe || u.pe_array() ? words * size_t(pe_) : words);
  if (!c.per_pe) {
    u.pack_acts(c.codes, c.acts.data());
    // A PE array unit's port has every PE's copy of the shared activations:
    // word k is word k - words, copied a word at a time (a beat is a few
    // words, where a copy call a PE costs more than the copy).
    if (u.pe_array())
      for (size_t k = words; k < c.acts.size(); ++k) c.acts[k] = c.acts[k - words];
    return;
  }
  for (int p = 0; p < pe_; ++p)
    u.pack_acts(c.codes + size_t(p) * size_t(u.simd()), &c.acts[size_t(p) * words]);
}

const RtlPeArray::Capture* RtlPeArray::offered(const Group& g, size_t gi, int64_t advance) {
  const int64_t from = advance - g.lead;
  if (from < 0) return nullptr;
  const Capture& c = capture_at(from);
  return c.group == int(gi) ? &c : nullptr;
}

// One cycle of every PE's unit in group g, with the beat `b` (or none) on its inputs.
void RtlPeArray::clock(Group& g, const Capture* b, bool en) {
  const size_t stride = b && (b->per_pe || g.unit->pe_array()) ? g.unit->act_words() : 0;
  const bool any =
      g.unit->clock_all(en, b ? b->first_row : -1, b ? b->fold : 0, b ? b->acts.data() : nullptr,
                        stride, g.out_valid.data(), g.out_value.data());
  g.valid_high = 0;
  if (any)
    for (const char v : g.out_valid) g.valid_high += v;
}

void RtlPeArray::step(int64_t advance, int64_t cycle) {
  for (size_t gi = 0; gi < g_.size(); ++gi) {
    Group& g = g_[gi];
    const Capture* b = offered(g, gi, advance);
    if (g.idle(b)) continue;  // nothing in it can move
    // A result on the outputs in an enabled cycle leaves the unit in it.
    if (g.valid_high)
      for (int p = 0; p < pe_; ++p)
        if (g.out_valid[size_t(p)]) deliver(g, p, advance, cycle);
    clock(g, b, true);
    if (b && b->fold == 0) g.in_flight += pe_;
  }
  if (output_) step_output(advance, cycle);
  reach(advance, cycle);
  if (!spurious_.empty()) throw RtlTimingError(spurious_);
}

void RtlPeArray::stall(int64_t cycle) {
  // The inputs show the beat the next advance takes (the registers before
  // the lanes hold it); with en low a unit must ignore it. Each unit is
  // clocked for at most its latency + kStallCyclesPastLatency cycles of a
  // stall (rtl_pe_array.h).
  const int64_t into = cycle - (cycle_ + 1);  // cycles of this stall before this one
  for (size_t gi = 0; gi < g_.size(); ++gi) {
    Group& g = g_[gi];
    if (into >= g.unit->pipeline_cycles() + kStallCyclesPastLatency) continue;
    const Capture* b = offered(g, gi, adv_ + 1);
    if (g.idle(b)) continue;
    clock(g, b, false);
  }
  if (output_ && into < output_->latency() + kStallCyclesPastLatency && !output_idle()) stall_output();
}

void RtlPeArray::deliver(Group& g, int pe, int64_t advance, int64_t cycle) {
  const size_t k = g.next[size_t(pe)];
  if (k >= g.records.size()) {
    // Reported after this advance's due records, whose error names the cause
    // when a result came early (a duplicate then follows it).
    if (spurious_.empty())
      spurious_ = "stage " + stage_ + ", PE " + std::to_string(pe) + "'s lanes unit '" +
                  g.unit->config().key() + "': a result left the unit at cycle " +
                  std::to_string(cycle) + " with no row in flight to produce it";
    return;
  }
  Record& r = g.records[k];
  ++g.next[size_t(pe)];
  const int64_t acc = g.out_value[size_t(pe)];
  if (output_) {  // the result enters the PE's output unit in this cycle
    OutputPe& o = opes_[size_t(pe)];
    o.pending.push_back({&r, acc});
    o.feed = true;
    o.feed_acc = acc;
    o.feed_channel = r.first_row + pe;
    out_fed_ = true;
    ++out_in_flight_;
  } else {
    r.beat[pe] = out_->apply(acc, int(r.first_row + pe));
    ++r.written;
  }
  --g.in_flight;
  ++r.got;
  // After its due advance every result of the record has left (reach()).
  if (advance < r.due && r.early_pe < 0) {
    r.early_pe = pe;
    r.early_cycle = cycle;
    r.early_advance = advance;
  }
}

void RtlPeArray::clock_output(int pe, bool en, bool valid, int64_t acc, int64_t channel) {
  OutputPe& o = opes_[size_t(pe)];
  const bool was = o.valid;
  o.valid = output_->clock(pe, en, valid, acc, channel, o.code);
  out_valid_high_ += int(o.valid) - int(was);
}

void RtlPeArray::step_output(int64_t advance, int64_t cycle) {
  if (!out_fed_ && output_idle()) return;
  out_fed_ = false;
  for (int p = 0; p < pe_; ++p) {
    OutputPe& o = opes_[size_t(p)];
    if (o.valid) write_code(p, advance, cycle);
    clock_output(p, true, o.feed, o.feed_acc, o.feed_channel);
    o.feed = false;
  }
}

void RtlPeArray::stall_output() {
  // The output unit's inputs show the lanes' held output (its out_valid and
  // accumulator, frozen with en low).
  for (int p = 0; p < pe_; ++p) {
    bool valid = false;
    int64_t acc = 0, channel = 0;
    for (const Group& g : g_)
      if (g.out_valid[size_t(p)] && g.next[size_t(p)] < g.records.size()) {
        valid = true;
        acc = g.out_value[size_t(p)];
        channel = g.records[g.next[size_t(p)]].first_row + p;
      }
    clock_output(p, false, valid, acc, channel);
  }
}

// PE `pe`'s output unit gives the code of its oldest result: into the beat.
void RtlPeArray::write_code(int pe, int64_t advance, int64_t cycle) {
  OutputPe& o = opes_[size_t(pe)];
  if (o.pending.empty()) {
    if (spurious_.empty())
      spurious_ = "stage " + stage_ + ", PE " + std::to_string(pe) + "'s " + output_unit_name() +
                  ": a code left the unit at cycle " + std::to_string(cycle) + " with no result in it to produce it";
    return;
  }
  const OutputPe::Pending in = o.pending.front();
  o.pending.pop_front();
  --out_in_flight_;
  Record& r = *in.record;
  const int64_t row = r.first_row + pe;
  const int32_t want = out_->apply(in.acc, int(row));
  if (o.code != want)
    throw RtlTimingError(where(output_unit_name(), pe, r) + ": the RTL's code for row " + std::to_string(row) +
                         " (accumulator " + std::to_string(in.acc) + ") is " + std::to_string(o.code) +
                         " at cycle " + std::to_string(cycle) + "; the C++ output unit gives " +
                         std::to_string(want));
  r.beat[pe] = o.code;
  ++r.written;
  if (advance < r.due + output_latency_ && r.early_out_pe < 0) {
    r.early_out_pe = pe;
    r.early_out_cycle = cycle;
    r.early_out_advance = advance;
  }
}

void RtlPeArray::reach(int64_t advance, int64_t cycle) {
  for (Group& g : g_) {
    while (g.reached < g.records.size() && g.records[g.reached].due == advance) {
      const Record& r = g.records[g.reached];
      if (r.early_pe >= 0) fail_early(g, r, cycle);
      if (r.got < pe_)
        for (int p = 0; p < pe_; ++p)
          if (g.next[size_t(p)] <= g.reached) fail_late(g, r, p, cycle);
      ++g.reached;
    }
    // The write's advance: every PE's code in the beat.
    while (g.reached_out < g.reached && g.records[g.reached_out].due + output_latency_ == advance) {
      const Record& r = g.records[g.reached_out];
      if (output_) {
        if (r.early_out_pe >= 0) fail_output_early(r, cycle);
        if (r.written < pe_)
          for (int p = 0; p < pe_; ++p) {
            bool waiting = false;
            for (const auto& in : opes_[size_t(p)].pending) waiting |= in.record == &r;
            if (waiting) fail_output_late(r, p, cycle);
          }
      }
      ++g.reached_out;
    }
    while (g.reached_out > 0 && g.records.front().got == pe_ && g.records.front().written == pe_) {
      g.records.pop_front();
      --g.reached;
      --g.reached_out;
      for (auto& n : g.next) --n;
    }
  }
}

std::string RtlPeArray::where(const std::string& unit, int pe, const Record& r) const {
  std::string s = "stage " + stage_ + ", PE " + std::to_string(pe) + "'s " + unit + ": iteration " +
                  std::to_string(r.index) + " of its loop";
  if (per_frame_ > 0) s += " (frame " + std::to_string(r.index / per_frame_) + ")";
  s += ", output beat " + std::to_string(r.beat_no) + " (rows " + std::to_string(r.first_row) +
       ".." + std::to_string(r.first_row + pe_ - 1) + ")";
  return s;
}

// What the model's pipeline does with the lanes' result after it has it.
std::string RtlPeArray::then_writes() const {
  return output_latency_ ? " and writes it " + std::to_string(output_latency_) +
                               " advance(s) later, after the output unit"
                         : " and writes it then";
}

void RtlPeArray::fail_early(const Group& g, const Record& r, int64_t cycle) const {
  throw RtlTimingError(where(lanes_unit(g), r.early_pe, r) + ": the RTL's result leaves the unit at cycle " +
                       std::to_string(r.early_cycle) + ", " +
                       std::to_string(r.due - r.early_advance) +
                       " pipeline advance(s) early; the model's pipeline has it at cycle " +
                       std::to_string(cycle) + then_writes());
}

void RtlPeArray::fail_late(Group& g, const Record& r, int pe, int64_t cycle) {
  // How much later: the unit clocked on as if the pipeline advanced every cycle from here.
  int later = 1;
  bool valid = g.out_valid[size_t(pe)];
  while (!valid && later <= 256) {  // every PE's unit clocked: the run stops here
    g.unit->clock_all(true, -1, 0, nullptr, 0, g.out_valid.data(), g.out_value.data());
    valid = g.out_valid[size_t(pe)];
    ++later;
  }
  const std::string when =
      valid ? "it leaves the unit " + std::to_string(later) + " enabled cycle(s) later (cycle " +
                  std::to_string(cycle + later) + " if the pipeline does not stall)"
            : "no result leaves the unit within 256 more enabled cycles";
  throw RtlTimingError(where(lanes_unit(g), pe, r) + ": the RTL's result is not valid at cycle " +
                       std::to_string(cycle) + ", where the model's pipeline has it" +
                       then_writes() + "; " + when);
}

void RtlPeArray::fail_output_early(const Record& r, int64_t cycle) const {
  throw RtlTimingError(where(output_unit_name(), r.early_out_pe, r) + ": the RTL's code leaves the unit at cycle " +
                       std::to_string(r.early_out_cycle) + ", " +
                       std::to_string(r.due + output_latency_ - r.early_out_advance) +
                       " pipeline advance(s) early; the model's pipeline writes it at cycle " +
                       std::to_string(cycle));
}

void RtlPeArray::fail_output_late(const Record& r, int pe, int64_t cycle) {
  int later = 1;
  int32_t code = 0;
  bool valid = opes_[size_t(pe)].valid;
  while (!valid && later <= 256) {
    valid = output_->clock(pe, true, false, 0, 0, code);
    ++later;
  }
  const std::string when =
      valid ? "it leaves the unit " + std::to_string(later) + " enabled cycle(s) later (cycle " +
                  std::to_string(cycle + later) + " if the pipeline does not stall)"
            : "no code leaves the unit within 256 more enabled cycles";
  throw RtlTimingError(where(output_unit_name(), pe, r) + ": the RTL's code is not valid at cycle " +
                       std::to_string(cycle) + ", where the model's pipeline writes it; " + when);
}

void RtlPeArray::expect(int64_t index, int64_t first_row, int32_t* beat) {
  for (Group& g : g_)
    if (g.unit->holds(first_row)) {
      Record r;
      r.index = index;
      r.beat_no = beats_expected_++;
      r.first_row = first_row;
      r.beat = beat;
      r.due = adv_ + lanes_due_;  // produce() follows the iteration's advancing() call
      g.records.push_back(r);
      return;
    }
  throw std::logic_error("RtlPeArray: no channel group holds row " + std::to_string(first_row));
}

void RtlPeArray::advancing(int64_t index, int64_t cycle, int64_t advances, int64_t bubbles, bool bubble) {
  // The previous call's advance has made its reads: its beat's activations are in place.
  if (pending_pack_) pack(capture_at(adv_));
  pending_pack_ = false;
  const int64_t first_cycle = cycle_;
  // The advances without reads or writes before this one, one a cycle: the
  // loop's iterations that touch no stream, then a flushing pipeline's
  // bubbles, which offer nothing.
  const int64_t gaps = advances - 1 - bubbles;
  for (int64_t j = 1; j < advances; ++j) {
    const int64_t a = adv_ + 1;
    if (j <= gaps)
      capture(a, index - gaps - 1 + j);
    else
      capture_at(a).group = -1;
    pack(capture_at(a));
    step(a, first_cycle + j);
    adv_ = a;
    cycle_ = first_cycle + j;
  }
  // The stall cycles before it: skipped when no unit has anything in it or
  // offered (en = 0 leaves such a unit as it is), and each unit clocked
  // through at most its latency + kStallCyclesPastLatency of them.
  const int64_t stall_from = cycle_ + 1;
  if (cycle > stall_from) {
    bool any = output_ && !output_idle();
    for (size_t gi = 0; gi < g_.size() && !any; ++gi)
      any = !g_[gi].idle(offered(g_[gi], gi, adv_ + 1));
    if (any) {
      int longest = output_ ? output_->latency() : 0;
      for (const Group& g : g_) longest = std::max(longest, g.unit->pipeline_cycles());
      const int64_t until = std::min(cycle, stall_from + longest + kStallCyclesPastLatency);
      for (int64_t c = stall_from; c < until; ++c) stall(c);
    }
  }
  const int64_t a = adv_ + 1;
  if (bubble)
    capture_at(a).group = -1;
  else
    capture(a, index);
  pending_pack_ = true;  // its reads come after this call
  step(a, cycle);
  adv_ = a;
  cycle_ = cycle;
}

}  // namespace vine::models
