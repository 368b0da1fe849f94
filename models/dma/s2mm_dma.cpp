#include "models/dma/s2mm_dma.h"

#include <algorithm>
#include <cstring>

#include "models/accelerator/accelerator.h"
#include "models/memory/payload.h"

namespace vine::models {

S2mmDma::S2mmDma(std::string name, const DmaGeometry& g, JobTickets& tickets)
    : Stage(std::move(name), PipelineTiming{0, -1}),
      socket("socket"),
      g_(g),
      tickets_(tickets),
      filled_event_("filled") {
  buffer_ = std::make_unique<StreamFifo>("write_buffer", Stage::name() + ".write_buffer",
                                         int(g.buffer_beats()), 1, false, g.format.lanes, false);
  add_output(buffer_.get());
  ring_.resize(size_t(g.buffer_beats()) * size_t(g.format.beat_bytes()));
  chunk_.resize(size_t(g.transfer_beats) * size_t(g.format.beat_bytes()));
  SC_HAS_PROCESS(S2mmDma);
  SC_THREAD(s2mm);
}

S2mmDma::~S2mmDma() = default;

uint64_t S2mmDma::frames_done_by(int64_t cycle) const {
  return uint64_t(std::upper_bound(done_.begin(), done_.end(), cycle) - done_.begin());
}

bool S2mmDma::next_iteration(Iteration& it) {
  // The previous beat is in the buffer by now: tell a thread waiting for it.
  if (filled_wanted_ >= 0 && buffer_->written() >= filled_wanted_) {
    filled_wanted_ = -1;
    filled_event_.notify(sc_core::SC_ZERO_TIME);
  }
  it = {next_beat_++, 1, 1};
  return true;
}

// Called for each beat as it is taken (the virtual platform always carries
// data): places it in the buffer, beginning transactions and jobs. The
// buffer FIFO's capacity keeps a beat from overwriting one not yet written.
void S2mmDma::consume(int, const int32_t* beat) {
  const int64_t b = next_beat_ - 1;
  const size_t bb = size_t(g_.format.beat_bytes());
  if (b == cur_.end()) {
    if (b == job_end_) {
      if (tickets_.empty())
        SC_REPORT_ERROR(kDmaMsgType, (std::string(sc_object::name()) +
                                      ": a beat came out of the pipeline that no job put in")
                                         .c_str());
      job_ = tickets_.redeem();
      job_first_ = b;
      job_end_ = b + int64_t(job_.frames) * g_.beats_per_frame;
    }
    cur_.first = b;
    cur_.beats = g_.transfer_at(b - job_first_);
    cur_.job = job_.job;
    cur_.address = job_.out_addr + uint64_t(b - job_first_) * bb;
    cur_.job_first_beat = job_first_;
    cur_.job_frames = job_.frames;
    cur_.last_of_job = cur_.end() == job_end_;
    transfers_.push_back(cur_);
  }
  g_.format.pack(beat, ring_.data() + size_t(b % g_.buffer_beats()) * bb);
}

void S2mmDma::s2mm() {
  const size_t bb = size_t(g_.format.beat_bytes());
  for (;;) {
    while (transfers_.empty() || buffer_->written() < transfers_.front().end()) {
      filled_wanted_ = transfers_.empty() ? buffer_->written() + 1 : transfers_.front().end();
      sc_core::wait(filled_event_);
    }
    const DmaTransfer t = transfers_.front();
    transfers_.pop_front();
    // The transaction's last beat is readable in the buffer in this cycle.
    const int64_t last_in = buffer_->write_cycle_of(t.end() - 1) + 1;
    int64_t free_at;
    if (!tickets_.abandoned(t.job)) {  // to memory when it is due, unless RESET comes first
      const sc_core::sc_time at = g_.time_of(last_in), now = sc_core::sc_time_stamp();
      if (at < now)
        SC_REPORT_ERROR(kDmaMsgType, (std::string(sc_object::name()) + ": a write due in cycle " +
                                      std::to_string(last_in) + " is issued late, at " +
                                      now.to_string() + " (a synchronisation bug)")
                                         .c_str());
      if (at > now) sc_core::wait(at - now);
    }
    const bool dropped = tickets_.abandoned(t.job);
    if (dropped) {
      free_at = last_in + 1;  // taken and dropped as it comes
      st_.beats_dropped += uint64_t(t.beats);
    } else {
      const uint64_t len = uint64_t(t.beats) * bb;
      for (int64_t i = 0; i < t.beats; ++i)  // out of the ring, which may wrap
        std::memcpy(chunk_.data() + size_t(i) * bb,
                    ring_.data() + size_t((t.first + i) % g_.buffer_beats()) * bb, bb);
      tlm::tlm_generic_payload p;
      prepare_payload(p, tlm::TLM_WRITE_COMMAND, t.address, chunk_.data(), unsigned(len));
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      socket->b_transport(p, delay);
      ++st_.transactions;
      st_.bytes += len;
      if (p.is_response_error() && st_.errors++ == 0)
        SC_REPORT_WARNING(kDmaMsgType, (std::string(sc_object::name()) + ": write at " +
                                        std::to_string(p.get_address()) + " failed: " +
                                        p.get_response_string() + " (reported once)")
                                           .c_str());
      free_at = std::max(g_.cycle_at_or_after(sc_core::sc_time_stamp() + delay), last_in + 1);
      if (record_)
        log_.push_back({sc_core::sc_time_stamp(), sc_core::sc_time_stamp() + delay, t.address, len});
    }
    for (int64_t b = buffer_->read_count(); b < t.end(); ++b) buffer_->commit_read(free_at - 1);
    if (buffer_->producer_waits) {
      buffer_->producer_waits = false;
      accel_->scheduler().wake(this);
    }
    accel_->kick();
    if (dropped) continue;
    // Frames whose last beat this write carried are in memory now.
    const int64_t bpf = g_.beats_per_frame;
    for (int64_t f = (t.first - t.job_first_beat) / bpf; (f + 1) * bpf <= t.end() - t.job_first_beat; ++f)
      if ((f + 1) * bpf > t.first - t.job_first_beat) done_.push_back(free_at);
    if (!t.last_of_job) continue;
    const sc_core::sc_time at = g_.time_of(free_at), now = sc_core::sc_time_stamp();
    if (at > now) sc_core::wait(at - now);
    if (!tickets_.abandoned(t.job) && on_job_done) on_job_done(t.job);
  }
}

}  // namespace vine::models
