#include "models/stage/fast_forward.h"

#include <algorithm>

namespace vine::models {

namespace {

void add_scaled(StageStats& into, const StageStats& d, int64_t times) {
  into.busy += times * d.busy;
  into.stalled_input += times * d.stalled_input;
  into.stalled_output += times * d.stalled_output;
  into.stalled_grant += times * d.stalled_grant;
  for (size_t p = 0; p < into.stalled_on_input.size(); ++p)
    into.stalled_on_input[p] += times * d.stalled_on_input[p];
  for (size_t p = 0; p < into.stalled_on_output.size(); ++p)
    into.stalled_on_output[p] += times * d.stalled_on_output[p];
}

StageStats difference(const StageStats& a, const StageStats& b) {  // a - b, the counts
  StageStats d = a;
  d.busy -= b.busy;
  d.stalled_input -= b.stalled_input;
  d.stalled_output -= b.stalled_output;
  d.stalled_grant -= b.stalled_grant;
  for (size_t p = 0; p < d.stalled_on_input.size(); ++p) d.stalled_on_input[p] -= b.stalled_on_input[p];
  for (size_t p = 0; p < d.stalled_on_output.size(); ++p) d.stalled_on_output[p] -= b.stalled_on_output[p];
  return d;
}

}  // namespace

std::unique_ptr<FastForward> FastForward::attach(const std::vector<std::unique_ptr<Stage>>& stages,
                                                 const std::vector<std::unique_ptr<StreamFifo>>& fifos,
                                                 int64_t frames, std::string& why) {
  std::vector<Stage*> ss;
  for (const auto& s : stages) {
    const std::string who = "stage " + s->name() + " ";
    if (s->external()) why = who + "is a SystemC thread";
    else if (!s->shared_.empty()) why = who + "shares a port";
    else if (s->data_) why = "a bit-exact run: every frame's data is computed";
    else if (s->record_) why = "traces record every cycle";
    else if (s->frame_span() <= 0) why = who + "(" + s->kind() + ") does not state its frame span";
    else if (s->last_advance_ >= 0 || !s->queued_frames_.empty()) why = who + "has run already";
    if (!why.empty()) return nullptr;
    ss.push_back(s.get());
  }
  std::vector<Link> links;
  for (const auto& f : fifos) {
    if (f->records_times()) {
      why = "traces record every cycle";
      return nullptr;
    }
    if (!f->producer || !f->consumer) {
      why = "FIFO " + f->name() + " has no stage at one end";
      return nullptr;
    }
    Link l{f.get(), 0, 0, 0, 0};
    for (size_t i = 0; i < ss.size(); ++i) {
      if (ss[i] == f->producer) {
        l.producer = i;
        const auto& o = ss[i]->outputs();
        l.out_port = size_t(std::find(o.begin(), o.end(), f.get()) - o.begin());
      }
      if (ss[i] == f->consumer) {
        l.consumer = i;
        const auto& in = ss[i]->inputs();
        l.in_port = size_t(std::find(in.begin(), in.end(), f.get()) - in.begin());
      }
    }
    links.push_back(l);
  }
  std::unique_ptr<FastForward> ff(new FastForward(ss, links, frames));
  for (size_t i = 0; i < ss.size(); ++i) {
    ss[i]->ffwd_ = ff.get();
    ss[i]->ffwd_index_ = int(i);
    ss[i]->next_cut_ = ss[i]->frame_span();  // the cut of frame 1 is the first seen
  }
  // A producer's writes after its cut still wait on the reads of up to
  // capacity + (its writes in flight) beats before its consumer's cut, and
  // on as many more as the consumer reads of the next frame before its own
  // cut (the RTL MVAU's replay buffer): the stamp rings keep that many.
  // Fewer, and the stamps the repetition must compare are gone: the watch
  // never finds one.
  for (const Link& l : links) {
    const int64_t ahead = ss[l.consumer]->beats_read_before_cut();
    l.fifo->keep_stamps(int64_t(l.fifo->capacity()) + ss[l.producer]->timing().depth + 2 + ahead);
    l.fifo->track_slack(true);
  }
  return ff;
}

FastForward::FastForward(std::vector<Stage*> stages, std::vector<Link> links, int64_t frames)
    : stages_(std::move(stages)),
      links_(std::move(links)),
      frames_(frames),
      cuts_(stages_.size()),
      first_(stages_.size(), 1),
      latest_(stages_.size(), 0),
      delta_(stages_.size()),
      shift_(stages_.size(), 0),
      beats_(links_.size(), 0) {}

void FastForward::stop(const char* why) {
  off_ = true;
  if (why && result_.frames_skipped == 0) result_.off = why;
  for (Stage* s : stages_) s->next_cut_ = kUnknownCycle;
  cuts_.assign(stages_.size(), {});
}

void FastForward::own_cut(Stage& s, int64_t a, int64_t last_cycle) {
  s.last_advance_ = a;
  s.last_cycle_ = last_cycle;
  if (s.ffwd_ && a >= s.next_cut_) s.ffwd_->at_cut(s, a);
}

void FastForward::at_cut(Stage& s, int64_t a) {
  const int64_t span = s.frame_span();
  const int64_t frame = a / span;
  s.next_cut_ = (frame + 1) * span;
  if (off_) {
    s.next_cut_ = kUnknownCycle;
    return;
  }
  const size_t i = size_t(s.ffwd_index_);
  if (frame != latest_[i] + 1) {  // a frame without an advance: not the loop this relies on
    stop("a stage had a frame without an advance");
    return;
  }
  latest_[i] = frame;
  // Too late to gain anything: the jump must leave kMarginFrames. Deciding
  // only, any cut will do while the run's end has not yet reached a stage
  // (checked when the repetition shows).
  if (!decide_only_ && frame + kMarginFrames + 1 >= frames_) {
    stop("the timing state did not repeat early enough in the run");
    return;
  }
  cuts_[i].emplace_back();
  // In the stage's advances: a flushing pipeline's bubbles so far come on top.
  capture(s, cuts_[i].back(), frame * span + s.bubbles_);
  for (const auto& w : cuts_[i].back().read_cycles) stamps_held_ += int64_t(w.size());
  // A bound on the memory the cuts hold (deep FIFOs and stages far ahead).
  constexpr int64_t kMaxStampsHeld = int64_t{1} << 24;
  if (stamps_held_ > kMaxStampsHeld) {
    stop("the cuts would hold more than 2^24 stamps (deep FIFOs)");
    return;
  }
  if (frame != complete_ + 1 || ++passed_next_ < int(stages_.size())) return;
  // Every stage is past the cut of frame h: compare it with the cuts before,
  // the shortest period first.
  const int64_t h = ++complete_;
  passed_next_ = 0;
  for (int64_t l : latest_) passed_next_ += l > h ? 1 : 0;
  for (int p = 1; p <= kMaxPeriod && h - p >= watch_from_; ++p) {
    int64_t drift_periods = 0;
    if (repeats(h - p, p, drift_periods)) {
      const bool drifting = drift_periods != INT64_MAX;
      const int64_t cycles = *std::max_element(shift_.begin(), shift_.end());
      if (decide_only_) {
        // A drifting repetition says nothing of an endless stream's
        // interval: the FIFO filling will back-pressure its producer. Its
        // frames until then can be jumped, and the watch goes on; the
        // bounds below may decide it all the same.
        if (drifting) {
          if (decide_jumps_ && jump(h - p, p, drift_periods)) {
            result_.period_frames = 0;  // nothing decided yet
            rearm();
            return;
          }
        } else {
          if (!decide()) return;
          result_.period_frames = p;
          result_.period_cycles = cycles;
          // The run's frames: the jumps (deciding, the loops were not
          // shortened) come before the loops' cut h - p.
          result_.from_frame = h - p + result_.frames_skipped;
          stop();
          return;
        }
      } else {
        if (jump(h - p, p, drift_periods)) {
          if (drifting)
            rearm();
          else
            stop();
          return;
        }
        // Too near the run's end for a jump. Drifting, the slack may allow
        // no jump yet: watch on, until the FIFOs that fill are full.
        if (!drifting) {
          stop("the timing state repeated too late in the run");
          return;
        }
      }
    }
    int64_t least = 0, most = 0;
    if (decide_only_ && decide_target_ > 0 && shift_bounds(h - p, p, least, most)) {
      const double limit = decide_target_ * double(p) + 1e-9;
      const int verdict = double(least) > limit ? -1 : most != INT64_MAX && double(most) <= limit ? 1 : 0;
      if (verdict != 0) {
        if (!decide()) return;
        result_.bound = verdict;
        result_.bound_interval = double(verdict < 0 ? least : most) / double(p);
        stop();
        return;
      }
    }
  }
  // Later comparisons look back kMaxPeriod frames from h + 1 at the furthest.
  for (size_t k = 0; k < stages_.size(); ++k)
    while (first_[k] < h + 1 - kMaxPeriod) {
      for (const auto& w : cuts_[k].front().read_cycles) stamps_held_ -= int64_t(w.size());
      cuts_[k].pop_front();
      ++first_[k];
    }
}

bool FastForward::decide() {
  // Every advance made so far is one an endless stream makes, unless some
  // stage that reads has issued its last iteration: from then on it drains
  // its pipeline, where an endless stream's next reads could have stalled
  // it. (A stage that reads nothing never stalls on a read: its drain is the
  // endless stream's.)
  for (const Stage* st : stages_)
    if (st->loop_done_ && !st->in_.empty()) {
      stop("the run's end reached a stage before the timing state repeated");
      return false;
    }
  return true;
}

void FastForward::capture(const Stage& s, Cut& c, int64_t cut_index) const {
  c.last_advance = s.last_advance_ - cut_index;
  c.last_cycle = s.last_cycle_;
  c.in_flight.clear();
  for (size_t j = 0; j < s.flight_count_; ++j) {
    const auto& e = s.in_flight_[(s.flight_head_ + j) % s.in_flight_.size()];
    c.in_flight.emplace_back(e.due - cut_index, e.writes);
  }
  c.have_cur = s.have_cur_;
  c.cur = s.cur_;
  c.cur.index -= cut_index;
  if (!c.have_cur) c.cur = Iteration{};
  c.loop_done = s.loop_done_;
  c.pending_bubbles = s.pending_bubbles_;
  c.stats = s.stats_;
  const size_t ni = s.in_.size();
  c.read.resize(ni);
  c.read_first.resize(ni);
  c.read_cycles.resize(ni);
  for (size_t p = 0; p < ni; ++p) {
    const StreamFifo* f = s.in_[p];
    const int64_t n = f->read_count(), first = std::max<int64_t>(0, n - f->stamps_kept());
    c.read[p] = n;
    c.read_first[p] = first;
    c.read_cycles[p].resize(size_t(n - first));
    for (int64_t k = first; k < n; ++k) c.read_cycles[p][size_t(k - first)] = f->read_cycle_of(k);
  }
  c.written.resize(s.out_.size());
  for (size_t p = 0; p < s.out_.size(); ++p) c.written[p] = s.out_[p]->written();
  c.write_slack.resize(s.out_.size());
  for (size_t p = 0; p < s.out_.size(); ++p) c.write_slack[p] = s.out_[p]->take_write_slack();
  c.read_slack.resize(ni);
  for (size_t p = 0; p < ni; ++p) c.read_slack[p] = s.in_[p]->take_read_slack();
}

// The loop's position, identical at every cut by construction: checked all the same.
bool FastForward::same_loop_position(const Cut& c0, const Cut& c1) {
  return !c0.loop_done && !c1.loop_done && c0.last_advance == c1.last_advance && c0.in_flight == c1.in_flight &&
         c0.have_cur == c1.have_cur && c0.cur.index == c1.cur.index && c0.cur.reads == c1.cur.reads &&
         c0.cur.writes == c1.cur.writes && c0.pending_bubbles == c1.pending_bubbles;
}

bool FastForward::window(const Link& l, int64_t g, int p, Window& w) const {
  const Cut &p0 = cut(l.producer, g), &p1 = cut(l.producer, g + p);
  const Cut &q0 = cut(l.consumer, g), &q1 = cut(l.consumer, g + p);
  w.w0 = p0.written[l.out_port];
  w.r0 = q0.read[l.in_port];
  w.beats = q1.read[l.in_port] - w.r0;
  // The consumer's reads after its cut take beats written after the
  // producer's cut only (w0 <= r0); the producer's writes after its cut
  // wait on the reads of beats w0 - capacity .. r0 - 1.
  if (w.beats <= 0 || p1.written[l.out_port] - w.w0 != w.beats || w.w0 > w.r0) return false;
  w.f0 = q0.read_first[l.in_port];
  w.f1 = q1.read_first[l.in_port];
  w.c0 = &q0.read_cycles[l.in_port];
  w.c1 = &q1.read_cycles[l.in_port];
  return true;
}

bool FastForward::repeats(int64_t g, int p, int64_t& drift_periods) {
  for (size_t i = 0; i < stages_.size(); ++i) {
    const Cut &c0 = cut(i, g), &c1 = cut(i, g + p);
    if (!same_loop_position(c0, c1)) return false;
    shift_[i] = c1.last_cycle - c0.last_cycle;
    if (shift_[i] <= 0) return false;
  }
  drift_periods = INT64_MAX;
  for (size_t k = 0; k < links_.size(); ++k) {
    const Link& l = links_[k];
    Window w;
    if (!window(l, g, p, w)) return false;
    const int64_t dp = shift_[l.producer], dq = shift_[l.consumer];
    // The read stamps the producer's writes wait on must repeat.
    for (int64_t j = w.w0 - l.fifo->capacity(); j < w.r0; ++j) {
      if (j < 0) {  // no such beat: its slot is free from cycle 0, which binds no advance
        if (j + w.beats >= 0) return false;
        continue;
      }
      if (j < w.f0 || j + w.beats < w.f1) return false;  // outside the stamps kept
      if (w.at1(j + w.beats) != w.at0(j) + dq) return false;
    }
    beats_[k] = w.beats;
    if (dp != dq && !drift_holds(l, g, p, w.w0, dp, dq, drift_periods)) return false;
  }
  for (size_t i = 0; i < stages_.size(); ++i) delta_[i] = difference(cut(i, g + p).stats, cut(i, g).stats);
  return true;
}

bool FastForward::shift_bounds(int64_t g, int p, int64_t& least, int64_t& most) const {
  least = INT64_MAX;
  most = INT64_MIN;
  for (size_t i = 0; i < stages_.size(); ++i) {
    const Cut &c0 = cut(i, g), &c1 = cut(i, g + p);
    if (!same_loop_position(c0, c1) || c0.last_cycle < 0) return false;
    least = std::min(least, c1.last_cycle - c0.last_cycle);
    most = std::max(most, c1.last_cycle - c0.last_cycle);
  }
  for (const Link& l : links_) {
    Window w;
    if (!window(l, g, p, w)) return false;
    for (int64_t j = w.w0 - l.fifo->capacity(); j < w.r0; ++j) {
      if (j < 0) {  // free from the start at g: no cycle there, one at g + p
        if (j + w.beats >= 0) most = INT64_MAX;
        continue;
      }
      if (j < w.f0 || j + w.beats < w.f1) return false;  // outside the stamps kept
      const int64_t d = w.at1(j + w.beats) - w.at0(j);
      least = std::min(least, d);
      most = std::max(most, d);
    }
  }
  return true;
}

// The two ends of link `l` shift by dp (producer) and dq (consumer) cycles a
// period. An advance's cycle is the max of its own stage's terms and of its
// FIFOs' stamps; the stamps from the other end move by dq - dp relative to
// it each period. Where every such stamp stayed at least one cycle below the
// advance's cycle (slack >= 1: it set no cycle and tied none, so neither
// the cycles nor the stall counts' attribution depend on it), the advance
// repeats with its own stage's shift for as long as the slack stays >= 1:
// a write's slack shrinks by dq - dp a period, a read's grows by as much
// (or the other way round). Lowers `periods` to the periods that holds.
bool FastForward::drift_holds(const Link& l, int64_t g, int p, int64_t w0, int64_t dp, int64_t dq,
                              int64_t& periods) const {
  // Every write of the period waited on a read stamp (none of the first
  // capacity() beats, whose slots were free from the start).
  if (w0 < l.fifo->capacity()) return false;
  int64_t ws = StreamFifo::kNoSlack, rs = StreamFifo::kNoSlack;
  for (int64_t f = g + 1; f <= g + p; ++f) {
    ws = std::min(ws, cut(l.producer, f).write_slack[l.out_port]);
    rs = std::min(rs, cut(l.consumer, f).read_slack[l.in_port]);
  }
  if (ws < 1 || rs < 1) return false;
  const int64_t holds = dq > dp ? (ws - 1) / (dq - dp) : (rs - 1) / (dp - dq);
  periods = std::min(periods, holds);
  return true;
}

bool FastForward::jump(int64_t g, int p, int64_t drift_periods) {
  // The frame of each stage's furthest advance or fetched iteration: the
  // skipped frames must leave it at least kMarginFrames before the end.
  int64_t frontier = 0;
  for (Stage* s : stages_) {
    const int64_t at = std::max(s->last_advance_, s->have_cur_ ? s->cur_.index : int64_t{-1}) - s->bubbles_;
    frontier = std::max(frontier, at / s->frame_span());
  }
  const bool drifting = drift_periods != INT64_MAX;
  for (Stage* s : stages_)
    if (!s->out_.empty() && s->stats_.first_write < 0) {  // its first write would be skipped
      if (drifting) return false;
      stop("a stage had not written yet");
      return true;
    }
  int64_t periods = (frames_ - 1 - kMarginFrames - frontier) / p;
  if (decide_only_) {
    // The loops are not shortened (below), so the run's end limits no jump.
    // Every advance made must still be one of the loops' periodic frames,
    // not of a loop that has ended (its pipeline draining), and the cycles
    // must stay far from overflowing.
    if (frontier + 1 >= frames_) return false;
    for (const Stage* s : stages_)
      if (s->loop_done_) return false;
    const int64_t slowest = std::max<int64_t>(1, *std::max_element(shift_.begin(), shift_.end()));
    periods = (int64_t{1} << 50) / slowest;
  }
  if (drifting) {
    // Stages past the cut of g + p have made advances of the next `ahead`
    // periods already; once jumped, those stand for periods `periods` later,
    // and so must hold too. One period more must hold and be simulated
    // after the jump: a FIFO filling holds more beats each period (a beat's
    // occupancy counts the reads after its write, which come later each
    // period), so the peaks of the skipped periods are those of the period
    // after them.
    const int64_t ahead = (frontier - (g + p)) / p + 1;
    periods = std::min(periods - 1, drift_periods - ahead - 1);
  }
  if (periods < 1) return false;
  const int64_t frames = periods * p;
  std::vector<std::string> drifting_fifos;
  for (size_t i = 0; i < stages_.size(); ++i) {
    Stage& s = *stages_[i];
    const int64_t shift = periods * shift_[i];
    s.last_cycle_ += shift;
    if (s.stats_.last_write >= 0) s.stats_.last_write += shift;
    add_scaled(s.stats_, delta_[i], periods);
    if (!decide_only_) s.extend_frames(-frames);  // deciding, the run is one of more frames
    s.frames_skipped(frames, p, shift_[i]);
  }
  for (size_t k = 0; k < links_.size(); ++k) {
    const Link& l = links_[k];
    l.fifo->skip(periods * beats_[k], periods * shift_[l.producer], periods * shift_[l.consumer]);
    if (shift_[l.producer] != shift_[l.consumer]) drifting_fifos.push_back(l.fifo->name());
  }
  if (!decide_only_) frames_ -= frames;
  // Frames count from the run's first: the frames of earlier jumps were
  // cut from the loops' ends, so the loops number this cut g.
  result_.from_frame = g + result_.frames_skipped;
  result_.frames_skipped += frames;
  result_.period_frames = p;
  result_.period_cycles = *std::max_element(shift_.begin(), shift_.end());
  result_.cycles_skipped += periods * result_.period_cycles;
  result_.drifting = std::move(drifting_fifos);
  ++result_.jumps;
  return true;
}

// The cuts before a jump are not the run's any more: compare from the next.
void FastForward::rearm() {
  stamps_held_ = 0;
  for (size_t k = 0; k < stages_.size(); ++k) {
    cuts_[k].clear();
    first_[k] = latest_[k] + 1;
    watch_from_ = std::max(watch_from_, first_[k]);
  }
}

}  // namespace vine::models
