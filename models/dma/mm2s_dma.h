// The input DMA of a virtual platform (MM2S, memory-mapped to stream): a
// TLM-2.0 initiator that reads each job's frames from DDR in transactions
// and streams their beats into the pipeline, one beat per cycle, never
// before the transaction that brought them has completed (docs/vp.md).
//
// Two halves, one per kind of time. The thread (`mm2s`) issues the reads in
// SystemC time: transaction k starts at the latest of the job's START, the
// previous issue, and the first cycle in which its beats fit the buffer
// (`buffers` x transfer_beats beats); b_transport's annotated delay gives its
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

  Mm2sDma(std::string name, const DmaGeometry& g, JobTickets& tickets);
  ~Mm2sDma() override;
  const char* kind() const override { return "mm2s_dma"; }

  // The board's commands, at the current SystemC time.
  void start(const DmaJob& job);
  void abort();  // RESET: no more reads; the job's remaining beats are zeros

  struct Stats {
    uint64_t transactions = 0, bytes = 0;  // DDR reads issued (SystemC time has reached them)
    uint64_t errors = 0;                   // reads answered with an error response
    uint64_t zero_beats = 0;               // beats of abandoned jobs, streamed as zeros
  };
  const Stats& dma_stats() const { return st_; }
  // Every DDR transaction, when recording (traces).
  void record_transactions(bool on) { record_ = on; }
  const std::vector<DmaTransaction>& transactions() const { return log_; }
  void attach(Accelerator& accel) override { accel_ = &accel; }

 protected:
  bool next_iteration(Iteration& it) override;
  void produce(int port, int32_t* beat) override;

 private:
  void mm2s();                              // the thread
  bool wait_until_cycle(int64_t cycle);  // false: aborted meanwhile
  int64_t room_cycle(int64_t end);       // waits until beats up to `end` fit the buffer
  void push_transfer(const DmaTransfer& t, int64_t ready_cycle);  // publishes its beats

  DmaGeometry g_;
  JobTickets& tickets_;
  std::unique_ptr<StreamFifo> buffer_;
  std::vector<uint8_t> ring_;   // the buffer's bytes: beat b at b % buffer_beats
  std::vector<uint8_t> chunk_;  // one transaction's data
  Accelerator* accel_ = nullptr;

  std::deque<DmaJob> jobs_;
  sc_core::sc_event job_event_, space_event_, abort_event_;
  bool aborting_ = false;
  int64_t issued_beats_ = 0;
  int64_t last_issue_ = 0;
  int64_t space_wanted_ = -1;  // read count the thread waits for, or -1
  int64_t next_beat_ = 0;      // the stage loop's next beat
  Stats st_;
  bool record_ = false;
  std::vector<DmaTransaction> log_;
};

}  // namespace vine::models
