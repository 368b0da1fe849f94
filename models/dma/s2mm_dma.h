// The output DMA of a virtual platform (S2MM, stream to memory-mapped): takes
// the pipeline's output beats one per cycle into a buffer and writes each
// transaction's worth to DDR as a TLM-2.0 initiator (docs/vp.md).
//
// As the input DMA (mm2s_dma.h), two halves. The stage half reads the stream
// and writes the buffer (an internal FIFO, `write_buffer`, of `buffers`
// transactions); the thread (`s2mm`) issues transaction k in the cycle after
// its last beat entered the buffer, and its buffer is free again in the
// first accelerator cycle at or after b_transport's completion: so a slow
// DDR fills the buffers and back-pressures the pipeline. A frame is done
// when the write holding its last beat completes; the job is done, and
// `on_job_done` called, at the SystemC time of the cycle its last write
// completed: the interrupt's cycle. The buffer is a FIFO of `buffers` x
// transfer_beats beats; a transaction's beats leave it when it completes.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <deque>
#include <functional>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/dma/dma_job.h"
#include "models/stage/stage.h"

namespace vine::models {

class Accelerator;

class S2mmDma final : public Stage {
 public:
  tlm_utils::simple_initiator_socket<S2mmDma> socket;

  S2mmDma(std::string name, const DmaGeometry& g, JobTickets& tickets);
  ~S2mmDma() override;
  const char* kind() const override { return "s2mm_dma"; }

  // Called in the thread at the cycle a job's last write completed.
  std::function<void(uint64_t job)> on_job_done;

  struct Stats {
    uint64_t transactions = 0, bytes = 0;  // DDR writes issued (SystemC time has reached them)
    uint64_t errors = 0;
    uint64_t beats_dropped = 0;  // beats of abandoned jobs
  };
  const Stats& dma_stats() const { return st_; }
  // Every DDR transaction, when recording (traces).
  void record_transactions(bool on) { record_ = on; }
  const std::vector<DmaTransaction>& transactions() const { return log_; }
  // The cycle each frame of every job is complete in memory, in order
  // (dropped frames excluded); the newest may lie ahead of SystemC time.
  const std::vector<int64_t>& frame_done_cycles() const { return done_; }
  // Frames complete in memory by `cycle` (inclusive).
  uint64_t frames_done_by(int64_t cycle) const;
  void attach(Accelerator& accel) override { accel_ = &accel; }

 protected:
  bool next_iteration(Iteration& it) override;
  void consume(int port, const int32_t* beat) override;

 private:
  void s2mm();  // the thread

  DmaGeometry g_;
  JobTickets& tickets_;
  std::unique_ptr<StreamFifo> buffer_;
  std::vector<uint8_t> ring_;   // the buffer's bytes: beat b at b % buffer_beats
  std::vector<uint8_t> chunk_;  // one transaction's data
  Accelerator* accel_ = nullptr;
  sc_core::sc_event filled_event_;
  int64_t filled_wanted_ = -1;  // buffer beats written the thread waits for, or -1
  int64_t next_beat_ = 0;
  // The stage's view: the transfer and job the beats it takes belong to.
  DmaTransfer cur_;
  JobTicket job_;
  int64_t job_first_ = 0, job_end_ = 0;
  std::deque<DmaTransfer> transfers_;  // begun by the stage, not yet written by the thread
  std::vector<int64_t> done_;
  Stats st_;
  bool record_ = false;
  std::vector<DmaTransaction> log_;
};

}  // namespace vine::models
