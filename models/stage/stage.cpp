#include "models/stage/stage.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "models/shared/shared_port.h"
#include "models/stage/fast_forward.h"
#include "models/stage/scheduler.h"

namespace vine::models {

const char* to_string(StageState s) {
  switch (s) {
    case StageState::kReady:
      return "ready";
    case StageState::kBlockedOnRead:
      return "waiting for a beat";
    case StageState::kBlockedOnWrite:
      return "waiting for a free slot";
    case StageState::kWaitingForGrant:
      return "waiting for a grant";
    case StageState::kDone:
      return "done";
  }
  return "?";
}

Stage::Stage(std::string name, PipelineTiming timing)
    : in("in"), out("out"), name_(std::move(name)), timing_(timing) {}

void Stage::add_input(StreamFifo* f) {
  in.bind(*f);
  f->consumer = this;
  in_.push_back(f);
  stats_.stalled_on_input.push_back(0);
}

void Stage::add_output(StreamFifo* f) {
  out.bind(*f);
  f->producer = this;
  out_.push_back(f);
  stats_.stalled_on_output.push_back(0);
}

bool Stage::queue_frames(int64_t frames) {
  if (!extend_frames(0)) return false;
  queued_frames_.push_back(frames);
  if (state_ == StageState::kDone) state_ = StageState::kReady;
  return true;
}

void Stage::add_shared_port(SharedPort* port) {
  shared_.push_back({port, port->add_requester(this)});
}

void Stage::end_of_elaboration() {
  bool ok = in.size() == int(in_.size()) && out.size() == int(out_.size());
  for (int p = 0; ok && p < in.size(); ++p)
    ok = in[p] == static_cast<StreamReadIf*>(in_[size_t(p)]);
  for (int p = 0; ok && p < out.size(); ++p)
    ok = out[p] == static_cast<StreamWriteIf*>(out_[size_t(p)]);
  if (!ok)
    SC_REPORT_ERROR(
        "vine/stage",
        (std::string(sc_core::sc_object::name()) +
         ": a port is bound to a channel the stage was not given with add_input/add_output")
            .c_str());
}

bool Stage::block(StreamFifo* f, bool on_read) {
  state_ = on_read ? StageState::kBlockedOnRead : StageState::kBlockedOnWrite;
  blocked_on_ = f;
  (on_read ? f->consumer_waits : f->producer_waits) = true;
  return false;
}

void Stage::note_span(int64_t begin, int64_t end, Activity what) {
  if (begin >= end) return;
  if (!spans_.empty() && spans_.back().what == what && spans_.back().end == begin)
    spans_.back().end = end;
  else
    spans_.push_back({begin, end, what});
}

int64_t Stage::readable_floor() const {
  int64_t floor = read_floor_;
  for (uint32_t m = cur_.reads; m; m &= m - 1) {
    const StreamFifo* f = in_[size_t(__builtin_ctz(m))];
    const int64_t r = f->read_ready_cycle();
    if (r != kUnknownCycle) {
      floor = std::max(floor, r);
    } else if (f->producer && !f->producer->external()) {
      // Not written yet: its producer writes it in an advance after its last.
      floor = std::max(floor, f->producer->local_cycle() + 1 + f->latency());
    }
  }
  return floor;
}

int64_t Stage::writable_from(uint32_t writes, int64_t from, int& port, StreamFifo*& full) const {
  int64_t t = from;
  for (uint32_t m = writes; m; m &= m - 1) {
    const int p = __builtin_ctz(m);
    const int64_t w = out_[size_t(p)]->write_ready_cycle();
    if (w == kUnknownCycle) {
      full = out_[size_t(p)];
      return kUnknownCycle;
    }
    if (w > t) {
      t = w;
      port = p;
    }
  }
  return t;
}

int64_t Stage::pending_flush_cycle() const {
  if (!timing_.flushing() || state_ != StageState::kBlockedOnRead || !flight_count_ || !have_cur_)
    return kUnknownCycle;
  const InFlight& front = in_flight_[flight_head_];
  int port = -1;
  StreamFifo* full = nullptr;
  return writable_from(front.writes, last_cycle_ + (front.due - last_advance_), port, full);
}

void Stage::activate(Scheduler& sched) {
  if (state_ == StageState::kDone) return;
  if (in_flight_.empty()) {  // first activation: size the in-flight ring
    const size_t n = size_t(timing_.depth) + 2;
    in_flight_.resize(n);
    size_t off = 0;
    for (auto* f : out_) {
      out_offset_.push_back(off);
      off += f->carries_data() ? size_t(f->elements_per_word()) : 0;
    }
    slot_words_ = off;
    flight_data_.resize(n * slot_words_);
  }
  state_ = StageState::kReady;
  blocked_on_ = nullptr;
  const int64_t depth = timing_.depth;
  const bool flushes = timing_.flushing();
  for (;;) {
    if (!have_cur_ && !loop_done_) {
      if (next_iteration(cur_)) {
        if (rebase_) {  // a new run of the loop: its first iteration follows the drained one
          index_offset_ = last_advance_ + 1 - cur_.index - bubbles_;
          rebase_ = false;
        }
        cur_.index += index_offset_ + bubbles_;
        have_cur_ = true;
      } else {
        loop_done_ = true;
      }
    }
    const int64_t issue = have_cur_ ? cur_.index : kUnknownCycle;
    const InFlight* front = flight_count_ ? &in_flight_[flight_head_] : nullptr;
    const int64_t due = front ? front->due : kUnknownCycle;
    const int64_t a = std::min(issue, due);
    if (a == kUnknownCycle) {
      if (!queued_frames_.empty()) {  // drained: the next run of the loop begins
        extend_frames(queued_frames_.front());
        queued_frames_.pop_front();
        loop_done_ = false;
        rebase_ = true;
        continue;
      }
      state_ = StageState::kDone;
      return;
    }
    // The frame cut: every advance before loop index next_cut_ done, none after.
    if (a - bubbles_ >= next_cut_) ffwd_->at_cut(*this, a - bubbles_);
    bool issuing = issue == a;
    uint32_t reads = issuing ? cur_.reads : 0;
    // P = 0: an iteration reads and writes in one cycle.
    const bool write_now_cur = issuing && depth == 0;
    const uint32_t writes = due == a ? front->writes : (write_now_cur ? cur_.writes : 0);

    // The cycle of advance a, and what held it back: the reads' stamps (tr)
    // and the writes' (tw), each with the first port that set it.
    const int64_t base = last_cycle_ + (a - last_advance_);
    int64_t tr = base;
    int rb = -1, wb = -1;
    StreamFifo* unread = nullptr;  // the first input whose beat is not yet written
    StreamFifo* unwritable = nullptr;
    for (uint32_t m = reads; m; m &= m - 1) {
      const int p = __builtin_ctz(m);
      const int64_t r = in_[p]->read_ready_cycle();
      if (r == kUnknownCycle) {
        unread = in_[p];
        rb = p;
        break;
      }
      if (r > tr) {
        tr = r;
        rb = p;
      }
    }
    if (!flushes && unread) {
      block(unread, true);
      return;
    }
    const int64_t tw = writable_from(writes, base, wb, unwritable);
    if (unwritable) {  // a full output stops every iteration in flight, either style
      block(unwritable, false);
      return;
    }
    bool bubble = false;  // a flushing pipeline's advance that writes but issues nothing
    if (flushes && reads && (unread || tr > tw)) {
      // The beat comes after this advance's writes could go (or may: then
      // how early it can come decides).
      const int64_t ready = unread ? readable_floor() : tr;
      if (writes) {
        if (ready <= tw) {  // it may be readable by then: wait to know
          block(unread, true);
          return;
        }
        // The writes go alone; the iteration waits for the next advance.
        bubble = true;
        issuing = false;
        reads = 0;
        tr = base;  // the advance's cycle is its writes' alone
        ++cur_.index;
        ++bubbles_;
      } else {
        // Bubbles until the beat is readable, or until the next write is due.
        if (ready <= base) {
          block(unread, true);
          return;
        }
        int64_t shift = ready - base;
        if (due != kUnknownCycle) shift = std::min(shift, due - a);
        cur_.index += shift;
        bubbles_ += shift;
        pending_bubbles_ += shift;
        stats_.stalled_input += shift;
        stats_.stalled_on_input[size_t(rb)] += shift;
        continue;
      }
    }
    int64_t t = base;
    int binding = -1;
    bool binding_read = false;
    if (tw > tr) {
      t = tw;
      binding = wb;
    } else if (tr > base) {
      t = tr;
      binding = rb;
      binding_read = true;
    }
    // A shared port is asked last, once every stamp of the advance is known:
    // its grant g >= t is the advance's cycle.
    int64_t granted = t;
    if (issuing && cur_.shared >= 0) {
      const SharedRef& sr = shared_[size_t(cur_.shared)];
      granted = sr.port->request(sr.requester, t, sched, cur_.occupancy);
      // Undecided: an earlier request may still come; wait for the port's word.
      if (granted == kUnknownCycle) {
        state_ = StageState::kWaitingForGrant;
        grant_request_ = t;
        return;
      }
    }
    if (record_) {
      note_span(last_cycle_ + 1, base - pending_bubbles_, Activity::kBusy);
      note_span(base - pending_bubbles_, base, Activity::kStalledInput);
      note_span(base, t, binding_read ? Activity::kStalledInput : Activity::kStalledOutput);
      note_span(t, granted, Activity::kStalledOutput);
      note_span(granted, granted + 1, bubble ? Activity::kStalledInput : Activity::kBusy);
    }
    if (t > base) {
      if (binding_read) {
        stats_.stalled_input += t - base;
        stats_.stalled_on_input[binding] += t - base;
      } else {
        stats_.stalled_output += t - base;
        stats_.stalled_on_output[binding] += t - base;
      }
    }
    stats_.stalled_grant += granted - t;
    t = granted;
    // The loop index of the iteration the advance takes in (a bubble's
    // ++bubbles_ above is not yet one the waiting iteration went through).
    if (advance_hook_)
      advancing(a - index_offset_ - bubbles_ + (bubble ? 1 : 0), t, a - last_advance_, pending_bubbles_, bubble);
    // Advances last_advance_+1 .. a happen in the cycles up to t, the last one
    // at t; a flushing pipeline's bubbles among them were counted as input stalls.
    if (bubble) {
      ++stats_.stalled_input;
      ++stats_.stalled_on_input[size_t(rb)];
    }
    stats_.busy += a - last_advance_ - pending_bubbles_ - (bubble ? 1 : 0);
    pending_bubbles_ = 0;

    for (uint32_t m = reads; m; m &= m - 1) {
      const int p = __builtin_ctz(m);
      StreamFifo* f = in_[p];
      if (data_ && f->carries_data()) consume(p, f->read_slot());
      f->commit_read(t);
      if (f->producer_waits) {
        f->producer_waits = false;
        sched.wake(f->producer);
      }
    }
    if (issuing) {  // issue the iteration: its results enter the pipeline
      if (cur_.writes) {
        size_t slot = flight_head_ + flight_count_;  // a wrap, not a %: a division a beat costs
        if (slot >= in_flight_.size()) slot -= in_flight_.size();
        in_flight_[slot] = {a + depth, cur_.writes};
        ++flight_count_;
        if (data_)
          for (uint32_t m = cur_.writes; m; m &= m - 1) {
            const int p = __builtin_ctz(m);
            if (out_[p]->carries_data())
              produce(p, &flight_data_[slot * slot_words_ + out_offset_[p]]);
          }
      }
      have_cur_ = false;
      read_floor_ = -1;
    }
    if (writes) {
      for (uint32_t m = writes; m; m &= m - 1) {
        const int p = __builtin_ctz(m);
        StreamFifo* f = out_[p];
        if (data_ && f->carries_data())
          std::memcpy(f->write_slot(), &flight_data_[flight_head_ * slot_words_ + out_offset_[p]],
                      size_t(f->elements_per_word()) * sizeof(int32_t));
        f->commit_write(t);
        if (f->consumer_waits) {
          f->consumer_waits = false;
          sched.wake(f->consumer);
        }
      }
      if (stats_.first_write < 0) stats_.first_write = t;
      stats_.last_write = t;
      if (++flight_head_ == in_flight_.size()) flight_head_ = 0;
      --flight_count_;
    }
    last_advance_ = a;
    last_cycle_ = t;
  }
}

}  // namespace vine::models
