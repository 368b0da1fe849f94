// The input DMA of a virtual platform (MM2S, memory-mapped to stream): a
// TLM-2.0 initiator that reads each job's frames from DDR in transactions
// and streams their beats into the pipeline, one beat per cycle, never
// before the transaction that brought them has completed (docs/vp.md).
//
// Two halves, one per kind of time. The thread (`mm2s`) issues the reads in
// SystemC time: transaction k starts at the latest of the job's START, the
// previous issue, and the cycle after the buffer it lands in was emptied
// (`buffers` transactions' worth); b_transport's annotated delay gives its
// completion, and its beats become readable in the first accelerator cycle
// at or after it. The stage half is an ordinary stamp-engine stage reading
// the buffer (an internal FIFO, `read_buffer`) and writing the stream, so
// the pipeline runs ahead of SystemC time between transactions exactly as it
// does in `vine run`, and the thread is woken once per transaction, not per
// beat. The thread only ever waits for a cycle the engine has already
// computed, which is never in SystemC's past (docs/vp.md, "Synchronisation").
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <deque>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/dma/dma_job.h"
#include "models/stage/stage.h"

namespace vine::models {

class Accelerator;

class Mm2sDma final : public Stage {
 public:
  tlm_utils::simple_initiator_socket<Mm2sDma> socket;

  // `frame_capacity`: frames the stage's loop runs for (the model's budget).
  Mm2sDma(std::string name, const DmaGeometry& g, int64_t frame_capacity, FrameTickets& tickets);
  ~Mm2sDma() override;
  const char* kind() const override { return "mm2s_dma"; }

  // The board's commands, at the current SystemC time.
  void start(const DmaJob& job);
  void abort();  // RESET: no more reads; a frame begun is completed with zero beats

  struct Stats {
    uint64_t transactions = 0, bytes = 0;  // DDR reads issued (SystemC time has reached them)
    uint64_t errors = 0;                   // reads answered with an error response
    uint64_t frames_entered = 0;           // frames whose first read was issued
  };
  const Stats& dma_stats() const { return st_; }
  int64_t frame_capacity() const { return capacity_; }
  int64_t frames_started() const { return int64_t(next_transfer_ / g_.transfers_per_frame()); }
  void attach(Accelerator& accel) override { accel_ = &accel; }

 protected:
  bool next_iteration(Iteration& it) override;
  void produce(int port, int32_t* beat) override;

 private:
  void mm2s();                              // the thread
  bool wait_until_cycle(int64_t cycle);     // false: aborted meanwhile
  int64_t buffer_free_cycle(int64_t transfer);  // waits until the transfer's buffer is empty
  void push_transfer(int64_t ready_cycle);  // publishes the next transfer's beats

  DmaGeometry g_;
  int64_t capacity_;
  FrameTickets& tickets_;
  std::unique_ptr<StreamFifo> buffer_;
  std::vector<uint8_t> staging_;  // `buffers` transfers of bytes, slot = transfer % buffers
  Accelerator* accel_ = nullptr;

  std::deque<DmaJob> jobs_;
  sc_core::sc_event job_event_, space_event_, abort_event_;
  bool aborting_ = false;
  int64_t next_transfer_ = 0;  // global transfer sequence (frames x transfers per frame)
  int64_t last_issue_ = 0;
  int64_t space_wanted_ = -1;  // read count the thread waits for, or -1
  int64_t next_beat_ = 0;      // the stage loop's next beat
  Stats st_;
};

}  // namespace vine::models
