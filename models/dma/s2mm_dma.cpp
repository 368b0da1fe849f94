#include "models/dma/s2mm_dma.h"

#include <algorithm>

#include "models/accelerator/accelerator.h"

namespace vine::models {

namespace {
const char* const kMsgType = "vine/dma";

int64_t transfer_end(const DmaGeometry& g, int64_t seq) {
  const int64_t tpf = g.transfers_per_frame(), frame = seq / tpf, t = seq % tpf;
  return frame * g.beats_per_frame + g.transfer_first_beat(t) + g.transfer_beats_of(t);
}
}  // namespace

S2mmDma::S2mmDma(std::string name, const DmaGeometry& g, int64_t frame_capacity,
                 FrameTickets& tickets)
    : Stage(std::move(name), PipelineTiming{0, -1}),
      socket("socket"),
      g_(g),
      capacity_(frame_capacity),
      tickets_(tickets),
      filled_event_("filled") {
  buffer_ = std::make_unique<StreamFifo>("write_buffer", Stage::name() + ".write_buffer",
                                         int(g.transfer_beats * g.buffers), 1, false,
                                         g.format.lanes, false);
  add_output(buffer_.get());
  staging_.resize(size_t(g.buffers) * size_t(g.transfer_beats) * size_t(g.format.beat_bytes()));
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
  if (next_beat_ >= capacity_ * g_.beats_per_frame) return false;
  it = {next_beat_++, 1, 1};
  return true;
}

void S2mmDma::consume(int, const int32_t* beat) {
  const int64_t b = next_beat_ - 1, frame = b / g_.beats_per_frame,
                off = b % g_.beats_per_frame, t = off / g_.transfer_beats;
  const int64_t seq = frame * g_.transfers_per_frame() + t;
  const size_t bb = size_t(g_.format.beat_bytes());
  uint8_t* bytes = staging_.data() + size_t(seq % g_.buffers) * size_t(g_.transfer_beats) * bb +
                   size_t(off - t * g_.transfer_beats) * bb;
  g_.format.pack(beat, bytes);
}

void S2mmDma::s2mm() {
  const int64_t tpf = g_.transfers_per_frame();
  const size_t bb = size_t(g_.format.beat_bytes());
  FrameTicket ticket;
  for (int64_t seq = 0;; ++seq) {
    const int64_t frame = seq / tpf, t = seq % tpf, end = transfer_end(g_, seq);
    if (frame >= capacity_) return;
    while (buffer_->written() < end) {
      filled_wanted_ = end;
      sc_core::wait(filled_event_);
    }
    if (t == 0) {
      if (tickets_.empty())
        SC_REPORT_ERROR(kMsgType, (std::string(sc_object::name()) +
                                   ": a frame came out of the pipeline that no job put in")
                                      .c_str());
      ticket = tickets_.redeem();
    }
    // The transaction's last beat is readable in the buffer in this cycle.
    const int64_t last_in = buffer_->write_cycle_of(end - 1) + 1;
    int64_t free_at;
    const bool dropped = tickets_.abandoned(ticket.job);
    if (dropped) {
      free_at = last_in + 1;  // taken and dropped as it comes
      if (t == tpf - 1) ++st_.frames_dropped;
    } else {
      const sc_core::sc_time at = g_.time_of(last_in), now = sc_core::sc_time_stamp();
      if (at < now)
        SC_REPORT_ERROR(kMsgType, (std::string(sc_object::name()) + ": a write due in cycle " +
                                   std::to_string(last_in) + " is issued late, at " +
                                   now.to_string() + " (a synchronisation bug)")
                                      .c_str());
      if (at > now) sc_core::wait(at - now);
      const uint64_t len = uint64_t(g_.transfer_beats_of(t)) * bb;
      tlm::tlm_generic_payload p;
      p.set_command(tlm::TLM_WRITE_COMMAND);
      p.set_address(ticket.out_addr + uint64_t(ticket.frame) * g_.frame_bytes() +
                    uint64_t(g_.transfer_first_beat(t)) * bb);
      p.set_data_ptr(staging_.data() + size_t(seq % g_.buffers) * size_t(g_.transfer_beats) * bb);
      p.set_data_length(unsigned(len));
      p.set_streaming_width(unsigned(len));
      p.set_byte_enable_ptr(nullptr);
      p.set_dmi_allowed(false);
      p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      socket->b_transport(p, delay);
      ++st_.transactions;
      st_.bytes += len;
      if (p.is_response_error() && st_.errors++ == 0)
        SC_REPORT_WARNING(kMsgType, (std::string(sc_object::name()) + ": write at " +
                                     std::to_string(p.get_address()) + " failed: " +
                                     p.get_response_string() + " (reported once)")
                                        .c_str());
      free_at = std::max(g_.cycle_at_or_after(sc_core::sc_time_stamp() + delay), last_in + 1);
    }
    for (int64_t b = buffer_->read_count(); b < end; ++b) buffer_->commit_read(free_at - 1);
    if (buffer_->producer_waits) {
      buffer_->producer_waits = false;
      accel_->scheduler().wake(this);
    }
    accel_->kick();
    if (dropped || t != tpf - 1) continue;
    done_.push_back(free_at);
    if (!ticket.last) continue;
    // The job is done when its last write completes: the interrupt's cycle.
    const sc_core::sc_time at = g_.time_of(free_at), now = sc_core::sc_time_stamp();
    if (at > now) sc_core::wait(at - now);
    if (!tickets_.abandoned(ticket.job) && on_job_done) on_job_done(ticket.job);
  }
}

}  // namespace vine::models
