#include "models/dma/mm2s_dma.h"

#include <algorithm>
#include <cstring>

#include "models/accelerator/accelerator.h"

namespace vine::models {

namespace {
const char* const kMsgType = "vine/dma";
}

Mm2sDma::Mm2sDma(std::string name, const DmaGeometry& g, int64_t frame_capacity,
                 FrameTickets& tickets)
    : Stage(std::move(name), PipelineTiming{0, -1}),
      socket("socket"),
      g_(g),
      capacity_(frame_capacity),
      tickets_(tickets),
      job_event_("job"),
      space_event_("space"),
      abort_event_("abort") {
  // Data-less: the beats' data waits in staging_, the FIFO keeps their stamps.
  buffer_ = std::make_unique<StreamFifo>("read_buffer", Stage::name() + ".read_buffer",
                                         int(g.transfer_beats * g.buffers), 1, false,
                                         g.format.lanes, false);
  add_input(buffer_.get());
  staging_.resize(size_t(g.buffers) * size_t(g.transfer_beats) * size_t(g.format.beat_bytes()));
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
  if (next_beat_ >= capacity_ * g_.beats_per_frame) return false;
  it = {next_beat_++, 1, 1};
  return true;
}

void Mm2sDma::produce(int, int32_t* beat) {
  const int64_t b = next_beat_ - 1, frame = b / g_.beats_per_frame,
                off = b % g_.beats_per_frame, t = off / g_.transfer_beats;
  const int64_t seq = frame * g_.transfers_per_frame() + t;
  const size_t slot = size_t(seq % g_.buffers);
  const size_t bb = size_t(g_.format.beat_bytes());
  const uint8_t* bytes = staging_.data() + slot * size_t(g_.transfer_beats) * bb +
                         size_t(off - t * g_.transfer_beats) * bb;
  g_.format.unpack(bytes, beat);
}

// The end (in beats through the buffer) of global transfer `seq`.
static int64_t transfer_end(const DmaGeometry& g, int64_t seq) {
  const int64_t tpf = g.transfers_per_frame(), frame = seq / tpf, t = seq % tpf;
  return frame * g.beats_per_frame + g.transfer_first_beat(t) + g.transfer_beats_of(t);
}

int64_t Mm2sDma::buffer_free_cycle(int64_t seq) {
  const int64_t prev = seq - g_.buffers;
  if (prev < 0) return 0;
  const int64_t end = transfer_end(g_, prev);
  while (buffer_->read_count() < end) {
    space_wanted_ = end;
    sc_core::wait(space_event_);
  }
  return buffer_->read_cycle_of(end - 1) + 1;
}

bool Mm2sDma::wait_until_cycle(int64_t cycle) {
  const sc_core::sc_time at = g_.time_of(cycle), now = sc_core::sc_time_stamp();
  if (at < now)
    SC_REPORT_ERROR(kMsgType, (std::string(sc_object::name()) + ": a read due in cycle " +
                               std::to_string(cycle) + " is issued late, at " + now.to_string() +
                               " (a synchronisation bug)")
                                  .c_str());
  if (at > now && !aborting_) sc_core::wait(at - now, abort_event_);
  return !aborting_;
}

void Mm2sDma::push_transfer(int64_t ready_cycle) {
  const int64_t n = transfer_end(g_, next_transfer_) - buffer_->written();
  for (int64_t i = 0; i < n; ++i) buffer_->commit_write(ready_cycle - 1);  // readable at ready_cycle
  ++next_transfer_;
  if (buffer_->consumer_waits) {
    buffer_->consumer_waits = false;
    accel_->scheduler().wake(this);
  }
  accel_->kick();
}

void Mm2sDma::mm2s() {
  const int64_t tpf = g_.transfers_per_frame();
  const size_t bb = size_t(g_.format.beat_bytes());
  for (;;) {
    while (jobs_.empty()) sc_core::wait(job_event_);
    const DmaJob job = jobs_.front();
    jobs_.pop_front();
    aborting_ = false;
    for (int64_t k = 0; k < int64_t(job.frames) * tpf; ++k) {
      const int64_t frame = k / tpf, t = k % tpf;
      if (aborting_ && t == 0) break;  // abandoned: the frame never enters
      if (next_transfer_ >= capacity_ * tpf)
        SC_REPORT_ERROR(kMsgType, (std::string(sc_object::name()) +
                                   ": the model's frame budget is spent (the board should have "
                                   "refused the job)")
                                      .c_str());
      const int64_t issue =
          std::max({job.start_cycle, last_issue_, buffer_free_cycle(next_transfer_)});
      const bool live = wait_until_cycle(issue);
      if (!live && t == 0) break;  // abandoned before the frame's first read
      const size_t slot = size_t(next_transfer_ % g_.buffers);
      uint8_t* data = staging_.data() + slot * size_t(g_.transfer_beats) * bb;
      const uint64_t len = uint64_t(g_.transfer_beats_of(t)) * bb;
      int64_t ready;
      if (!live) {
        // RESET during the frame: it is completed with zero beats from now on,
        // so that the pipeline stays frame-aligned (docs/vp.md, "Reset").
        std::memset(data, 0, len);
        ready = std::max(issue, g_.cycle_at_or_after(sc_core::sc_time_stamp()));
      } else {
        if (t == 0) {
          tickets_.issue({job.id, uint32_t(frame), job.out_addr, frame + 1 == int64_t(job.frames)});
          ++st_.frames_entered;
        }
        tlm::tlm_generic_payload p;
        p.set_command(tlm::TLM_READ_COMMAND);
        p.set_address(job.in_addr + uint64_t(frame) * g_.frame_bytes() +
                      uint64_t(g_.transfer_first_beat(t)) * bb);
        p.set_data_ptr(data);
        p.set_data_length(unsigned(len));
        p.set_streaming_width(unsigned(len));
        p.set_byte_enable_ptr(nullptr);
        p.set_dmi_allowed(false);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        socket->b_transport(p, delay);
        ++st_.transactions;
        st_.bytes += len;
        if (p.is_response_error()) {
          // The board checked the buffer against DDR at START; a bus error
          // here is still answered as hardware would: the data is zeros.
          if (st_.errors++ == 0)
            SC_REPORT_WARNING(kMsgType, (std::string(sc_object::name()) + ": read at 0x" +
                                         std::to_string(p.get_address()) + " failed: " +
                                         p.get_response_string() + " (reported once)")
                                            .c_str());
          std::memset(data, 0, len);
        }
        ready = g_.cycle_at_or_after(sc_core::sc_time_stamp() + delay);
      }
      last_issue_ = issue;
      push_transfer(ready);
    }
  }
}

}  // namespace vine::models
