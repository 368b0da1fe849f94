#include "models/pe/rtl_pe_array.h"

#include <algorithm>

namespace vine::models {

RtlPeArray::RtlPeArray(std::string stage, std::vector<std::unique_ptr<RtlDotProductUnit>> groups,
                       int pe, int lanes_due, int output_latency, int64_t iterations_per_frame)
    : stage_(std::move(stage)),
      groups_(std::move(groups)),
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
  c.acts.resize(c.per_pe ? words * size_t(pe_) : words);
  if (!c.per_pe) {
    u.pack_acts(c.codes, c.acts.data());
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
void RtlPeArray::clock(Group& g, const Capture* b, bool en, int pe) {
  const size_t words = g.unit->act_words();
  const int64_t row = b ? b->first_row + pe : -1;
  const uint32_t* acts = b ? (b->per_pe ? &b->acts[size_t(pe) * words] : b->acts.data()) : nullptr;
  const bool was = g.out_valid[size_t(pe)];
  const bool now = g.unit->clock(pe, en, row, b ? b->fold : 0, acts, g.out_value[size_t(pe)]);
  g.out_valid[size_t(pe)] = now;
  g.valid_high += int(now) - int(was);
}

void RtlPeArray::step(int64_t advance, int64_t cycle) {
  for (size_t gi = 0; gi < g_.size(); ++gi) {
    Group& g = g_[gi];
    const Capture* b = offered(g, gi, advance);
    if (g.idle(b)) continue;  // nothing in it can move
    for (int p = 0; p < pe_; ++p) {
      // A result on the outputs in an enabled cycle leaves the unit in it.
      if (g.out_valid[size_t(p)]) deliver(g, p, advance, cycle);
      clock(g, b, true, p);
    }
    if (b && b->fold == 0) g.in_flight += pe_;
  }
  reach(advance, cycle);
  if (!spurious_.empty()) throw RtlTimingError(spurious_);
}

void RtlPeArray::stall(int64_t cycle) {
  (void)cycle;
  // The inputs show the beat the next advance takes (the registers before
  // the lanes hold it); with en low a unit must ignore it.
  for (size_t gi = 0; gi < g_.size(); ++gi) {
    Group& g = g_[gi];
    const Capture* b = offered(g, gi, adv_ + 1);
    if (g.idle(b)) continue;
    for (int p = 0; p < pe_; ++p) clock(g, b, false, p);
  }
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
  r.beat[pe] = out_->apply(g.out_value[size_t(pe)], int(r.first_row + pe));
  --g.in_flight;
  ++r.got;
  // After its due advance every result of the record has left (reach()).
  if (advance < r.due && r.early_pe < 0) {
    r.early_pe = pe;
    r.early_cycle = cycle;
    r.early_advance = advance;
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
    while (g.reached > 0 && g.records.front().got == pe_) {
      g.records.pop_front();
      --g.reached;
      for (auto& n : g.next) --n;
    }
  }
}

std::string RtlPeArray::where(const Group& g, int pe, const Record& r) const {
  std::string s = "stage " + stage_ + ", PE " + std::to_string(pe) + "'s lanes unit '" +
                  g.unit->config().key() + "': iteration " + std::to_string(r.index) +
                  " of its loop";
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
  throw RtlTimingError(where(g, r.early_pe, r) + ": the RTL's result leaves the unit at cycle " +
                       std::to_string(r.early_cycle) + ", " +
                       std::to_string(r.due - r.early_advance) +
                       " pipeline advance(s) early; the model's pipeline has it at cycle " +
                       std::to_string(cycle) + then_writes());
}

void RtlPeArray::fail_late(Group& g, const Record& r, int pe, int64_t cycle) {
  // How much later: the unit clocked on as if the pipeline advanced every cycle from here.
  int later = 1;
  int64_t value = 0;
  bool valid = g.out_valid[size_t(pe)];
  while (!valid && later <= 256) {
    valid = g.unit->clock(pe, true, -1, 0, nullptr, value);
    ++later;
  }
  const std::string when =
      valid ? "it leaves the unit " + std::to_string(later) + " enabled cycle(s) later (cycle " +
                  std::to_string(cycle + later) + " if the pipeline does not stall)"
            : "no result leaves the unit within 256 more enabled cycles";
  throw RtlTimingError(where(g, pe, r) + ": the RTL's result is not valid at cycle " +
                       std::to_string(cycle) + ", where the model's pipeline has it" +
                       then_writes() + "; " + when);
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

void RtlPeArray::advancing(int64_t index, int64_t cycle, int64_t advances) {
  // The previous call's advance has made its reads: its beat's activations are in place.
  if (pending_pack_) pack(capture_at(adv_));
  pending_pack_ = false;
  const int64_t first_cycle = cycle_;
  // The advances without reads or writes before this one, one a cycle.
  for (int64_t j = 1; j < advances; ++j) {
    const int64_t a = adv_ + 1;
    capture(a, index - advances + j);
    pack(capture_at(a));
    step(a, first_cycle + j);
    adv_ = a;
  }
  // The stall cycles before it: skipped when no unit has anything in it or
  // offered (en = 0 leaves such a unit as it is).
  const int64_t stall_from = first_cycle + advances;
  if (cycle > stall_from) {
    bool any = false;
    for (size_t gi = 0; gi < g_.size() && !any; ++gi)
      any = !g_[gi].idle(offered(g_[gi], gi, adv_ + 1));
    if (any)
      for (int64_t c = stall_from; c < cycle; ++c) stall(c);
  }
  const int64_t a = adv_ + 1;
  capture(a, index);
  pending_pack_ = true;  // its reads come after this call
  step(a, cycle);
  adv_ = a;
  cycle_ = cycle;
}

}  // namespace vine::models
