#include "models/dma/mm2s_dma.h"

#include <algorithm>
#include <cstring>

#include "models/accelerator/accelerator.h"
#include "models/memory/payload.h"

namespace vine::models {

Mm2sDma::Mm2sDma(std::string name, const DmaGeometry& g, JobTickets& tickets)
    : Stage(std::move(name), PipelineTiming{0, -1}),
      socket("socket"),
      g_(g),
      tickets_(tickets),
      job_event_("job"),
      space_event_("space"),
      abort_event_("abort") {
  // Data-less: the beats' data waits in staging_, the FIFO keeps their stamps.
  buffer_ = std::make_unique<StreamFifo>("read_buffer", Stage::name() + ".read_buffer",
                                         int(g.buffer_beats()), 1, false, g.format.lanes, false);
  add_input(buffer_.get());
  ring_.resize(size_t(g.buffer_beats()) * size_t(g.format.beat_bytes()));
  chunk_.resize(size_t(g.transfer_beats) * size_t(g.format.beat_bytes()));
  SC_HAS_PROCESS(Mm2sDma);
  SC_THREAD(mm2s);
}

Mm2sDma::~Mm2sDma() = default;

void Mm2sDma::start(const DmaJob& job) {
  jobs_.push_back(job);
  job_event_.notify(sc_core::SC_ZERO_TIME);
}

void Mm2sDma::abort() {
  aborting_ = true;
  abort_event_.notify(sc_core::SC_ZERO_TIME);
}

bool Mm2sDma::next_iteration(Iteration& it) {
  // The previous beat has left the buffer by now: tell a thread waiting for room.
  if (space_wanted_ >= 0 && buffer_->read_count() >= space_wanted_) {
    space_wanted_ = -1;
    space_event_.notify(sc_core::SC_ZERO_TIME);
  }
  it = {next_beat_++, 1, 1};  // the stream never ends: jobs come as they come
  return true;
}

void Mm2sDma::produce(int, int32_t* beat) {
  const int64_t b = next_beat_ - 1;
  const size_t bb = size_t(g_.format.beat_bytes());
  g_.format.unpack(ring_.data() + size_t(b % g_.buffer_beats()) * bb, beat);
}

int64_t Mm2sDma::room_cycle(int64_t end) {
  const int64_t must_leave = end - g_.buffer_beats();  // beats that must have left first
  if (must_leave <= 0) return 0;
  while (buffer_->read_count() < must_leave) {
    space_wanted_ = must_leave;
    sc_core::wait(space_event_);
  }
  return buffer_->read_cycle_of(must_leave - 1) + 1;
}

bool Mm2sDma::wait_until_cycle(int64_t cycle) {
  const sc_core::sc_time at = g_.time_of(cycle), now = sc_core::sc_time_stamp();
  if (at < now)
    SC_REPORT_ERROR(kDmaMsgType, (std::string(sc_object::name()) + ": a read due in cycle " +
                                  std::to_string(cycle) + " is issued late, at " + now.to_string() +
                                  " (a synchronisation bug)")
                                     .c_str());
  if (at > now && !aborting_) sc_core::wait(at - now, abort_event_);
  return !aborting_;
}

void Mm2sDma::push_transfer(const DmaTransfer& t, int64_t ready_cycle) {
  const size_t bb = size_t(g_.format.beat_bytes());
  for (int64_t i = 0; i < t.beats; ++i)  // into the ring, which may wrap
    std::memcpy(ring_.data() + size_t((t.first + i) % g_.buffer_beats()) * bb,
                chunk_.data() + size_t(i) * bb, bb);
  for (int64_t i = 0; i < t.beats; ++i) buffer_->commit_write(ready_cycle - 1);  // readable then
  if (buffer_->consumer_waits) {
    buffer_->consumer_waits = false;
    accel_->scheduler().wake(this);
  }
  accel_->kick();
}

void Mm2sDma::mm2s() {
  const size_t bb = size_t(g_.format.beat_bytes());
  for (;;) {
    while (jobs_.empty()) sc_core::wait(job_event_);
    const DmaJob job = jobs_.front();
    jobs_.pop_front();
    aborting_ = false;
    tickets_.issue({job.id, job.frames, job.out_addr});
    const int64_t total = int64_t(job.frames) * g_.beats_per_frame, job_first = issued_beats_;
    for (int64_t rel = 0; rel < total;) {
      DmaTransfer t;
      t.first = issued_beats_;
      t.beats = g_.transfer_at(rel);
      t.job = job.id;
      t.address = job.in_addr + uint64_t(rel) * bb;
      t.job_first_beat = job_first;
      t.job_frames = job.frames;
      t.last_of_job = rel + t.beats == total;
      // Issued once the buffer has room for all its beats.
      const int64_t issue = std::max({job.start_cycle, last_issue_, room_cycle(t.end())});
      const bool live = wait_until_cycle(issue);
      uint8_t* data = chunk_.data();
      const uint64_t len = uint64_t(t.beats) * bb;
      int64_t ready;
      if (!live) {
        // RESET: the job's loop is run out on zero beats, from now on, which
        // the output DMA drops (docs/vp.md, "Reset").
        std::memset(data, 0, len);
        ready = std::max(issue, g_.cycle_at_or_after(sc_core::sc_time_stamp()));
        st_.zero_beats += uint64_t(t.beats);
      } else {
        tlm::tlm_generic_payload p;
        prepare_payload(p, tlm::TLM_READ_COMMAND, t.address, data, unsigned(len));
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        socket->b_transport(p, delay);
        ++st_.transactions;
        st_.bytes += len;
        if (p.is_response_error()) {
          // The board checked the buffer against DDR at START; a bus error
          // here is still answered as hardware would: the data is zeros.
          if (st_.errors++ == 0)
            SC_REPORT_WARNING(kDmaMsgType, (std::string(sc_object::name()) + ": read at " +
                                            std::to_string(p.get_address()) + " failed: " +
                                            p.get_response_string() + " (reported once)")
                                               .c_str());
          std::memset(data, 0, len);
        }
        ready = g_.cycle_at_or_after(sc_core::sc_time_stamp() + delay);
        if (record_)
          log_.push_back({sc_core::sc_time_stamp(), sc_core::sc_time_stamp() + delay, t.address, len});
      }
      last_issue_ = issue;
      issued_beats_ += t.beats;
      rel += t.beats;
      push_transfer(t, ready);
    }
  }
}

}  // namespace vine::models
