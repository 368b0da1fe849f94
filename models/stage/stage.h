// A stage of the streaming pipeline, modelled as the HLS pipeline that FINN's
// templates compile to: a loop of iterations at II = 1 whose reads happen at
// the pipeline's first step and whose writes happen `pipeline_depth` steps
// later. The pipeline advances as a whole: in a cycle either every iteration
// in flight moves one step, or none does, because the iteration at the read
// step finds its FIFO empty or the one at the write step finds its FIFO full
// (an II=1 HLS pipeline's stall behaviour). Advance n happens in cycle
//   c(n) = max(c(n-1) + 1, readable cycle of every beat it reads,
//              free cycle of every slot it writes),
// computed from the FIFOs' stamps (docs/simulation.md). A flushing pipeline
// (PipelineTiming::flushes) differs in one rule: an iteration that cannot read
// yet lets the pipeline advance without it (a bubble), so the iterations in
// flight write on time; advances then count the pipeline's steps, bubbles
// included, and an iteration issued after b bubbles writes at advance index +
// b + depth. A subclass describes
// only its loop: which iterations read and write which ports (next_iteration)
// and the data (consume, produce). Iterations without reads or writes cost no
// host time.
//
// In SystemC a stage is an sc_module with no process of its own (the
// accelerator's one thread runs every stage): `accel.conv1.mvau`. Its input
// and output streams are bound to its `in` and `out` multiports in port
// order; after elaboration the ports are checked against the FIFOs the stamp
// engine calls directly, so the hot path pays nothing for them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <systemc>
#include <vector>

#include "models/stage/pipeline_timing.h"
#include "models/stream/stream_fifo.h"

namespace vine::models {

// One iteration of a stage's loop that touches a stream.
struct Iteration {
  int64_t index = 0;    // its advance in the stage's loop (gaps for re-entered loops)
  uint32_t reads = 0;   // bit p set: reads one beat from input port p
  uint32_t writes = 0;  // bit p set: writes one beat to output port p
  int32_t shared =
      -1;  // the stage's shared port (add_shared_port order) it needs a grant from, or -1
  int64_t occupancy = 0;  // cycles the grant holds the port; 0: the port's own figure
};

struct StageStats {
  int64_t busy = 0;                           // cycles in which the pipeline advanced
  int64_t stalled_input = 0;                  // cycles waiting for a beat to read
  int64_t stalled_output = 0;                 // cycles waiting for a slot to write
  int64_t stalled_grant = 0;                  // cycles waiting for a shared port's grant
  int64_t first_write = -1, last_write = -1;  // cycles of its first and last output beats
  std::vector<int64_t> stalled_on_input, stalled_on_output;  // by port
};

// A span of consecutive cycles in which a stage did one thing, for traces.
enum class Activity : uint8_t { kBusy, kStalledInput, kStalledOutput };
struct ActivitySpan {
  int64_t begin = 0, end = 0;  // [begin, end)
  Activity what = Activity::kBusy;
};

enum class StageState { kReady, kBlockedOnRead, kBlockedOnWrite, kWaitingForGrant, kDone };
// kBlockedOn* of a stage driven by a SystemC thread (models/systemc/) means
// that thread is waiting in SystemC time; only when nothing at all can move
// any more is that a deadlock.
const char* to_string(StageState s);

class Scheduler;
class Accelerator;
class SharedPort;
class FastForward;

class Stage : public sc_core::sc_module {
 public:
  // Constructed with an sc_module_name on SystemC's name stack (the basename,
  // e.g. "mvau"); `name` is the stage's name in the plan and the reports,
  // relative to the accelerator ("conv1.mvau").
  Stage(std::string name, PipelineTiming timing);
  Stage(const Stage&) = delete;
  Stage& operator=(const Stage&) = delete;

  sc_core::sc_port<StreamReadIf, 0, sc_core::SC_ZERO_OR_MORE_BOUND> in;
  sc_core::sc_port<StreamWriteIf, 0, sc_core::SC_ZERO_OR_MORE_BOUND> out;

  // The plan's name. (sc_object::name() is the full hierarchical one.)
  const std::string& name() const { return name_; }
  const PipelineTiming& timing() const { return timing_; }
  // sc_object::kind(): the stage kind ("mvau", "swg", ...), as sc_fifo says "sc_fifo".
  const char* kind() const override = 0;

  // Binds the next input (output) port to `f`.
  void add_input(StreamFifo* f);
  void add_output(StreamFifo* f);
  // Makes the stage a requester of `port`: iterations with `shared` set to
  // its index (in the order of these calls) advance only in a granted cycle.
  void add_shared_port(SharedPort* port);
  // A stage driven from outside the stamp engine (a SystemC thread) is never
  // activated by the scheduler; waking it calls wake_external() instead.
  bool external() const { return external_; }
  virtual void wake_external() {}
  // Called once the accelerator holding the stage is built.
  virtual void attach(Accelerator& accel) {}
  const std::vector<StreamFifo*>& inputs() const { return in_; }
  const std::vector<StreamFifo*>& outputs() const { return out_; }

  // One more run of the stage's loop, over `frames` frames, begun once the
  // current run has ended and its pipeline drained: a virtual platform's job
  // is one invocation of every stage's loop, as a host call with the batch
  // size runs FINN's and BNN-PYNQ's layers (docs/vp.md, "Jobs"). The new
  // run's first iteration comes at the earliest in the cycle after the
  // drain. The caller wakes the stage. False when the kind cannot.
  bool queue_frames(int64_t frames);
  bool can_queue_frames() { return extend_frames(0); }

  // Whether consume/produce are called: off in timing-only runs.
  void set_data(bool on) { data_ = on; }
  // Whether a kind whose busy and stall counts cost host time of their own
  // (the RTL sliding window merges its two sides' events for them) keeps
  // them: off in the runs of a search that reads only cycles (`vine
  // fifo-size`'s trials); its counts are then zero. The cycles are the same.
  void set_stall_counts(bool on) { stall_counts_ = on; }
  void record_activity(bool on) { record_ = on; }
  bool records_activity() const { return record_; }

  // The loop indices one frame spans: frame f's iterations have indices
  // [f * frame_span(), (f + 1) * frame_span()) (a re-entered loop's drain and
  // entry cycles included). 0: the kind does not say, and the run is not
  // fast-forwarded (models/stage/fast_forward.h).
  virtual int64_t frame_span() const { return 0; }
  // Beats of frame f that the kind reads before its cut of frame f (a read
  // buffer taking the next vector's beats early, as the RTL MVAU's replay
  // buffer does): the fast-forward keeps that many more read stamps on its input.
  virtual int64_t beats_read_before_cut() const { return 0; }

  // Runs the pipeline until it blocks or its loop ends. Wakes the stages on
  // the other side of every FIFO it touches through `sched`.
  // A kind whose stage steps a clock of its own (models/link/link_stage.h)
  // runs its own activation, with the same wake-ups and states.
  virtual void activate(Scheduler& sched);

  StageState state() const { return state_; }
  // The FIFO it is blocked on (state kBlockedOn*), else nullptr.
  const StreamFifo* blocked_on() const { return blocked_on_; }
  // The cycle of the request it waits to have granted (state kWaitingForGrant).
  int64_t grant_request_cycle() const { return grant_request_; }
  int64_t local_cycle() const { return last_cycle_; }  // cycle of its last advance (-1 before any)
  const StageStats& stats() const { return stats_; }
  const std::vector<ActivitySpan>& activity() const { return spans_; }

  bool queued = false;  // owned by the scheduler

  // Flushing pipelines (PipelineTiming::flushes). A stage whose next
  // iteration waits for a beat whose stamp is not yet known cannot tell
  // whether the iterations in flight may write first: they may if the beat
  // is readable only after their write. The scheduler settles it when no
  // stage can run (Scheduler::decide_flush): the cycle of the stage's next
  // write if it is blocked so with a write in flight whose slot is known
  // (else kUnknownCycle)...
  int64_t pending_flush_cycle() const;
  // ...and, once every beat still to come is known to be readable only
  // after cycle `c`, lets the stage take the beats it waits for as not
  // readable up to c.
  void flush_until(int64_t c) { read_floor_ = std::max(read_floor_, c + 1); }

 protected:
  friend class FastForward;
  // The next iteration (in increasing index order) that reads or writes;
  // false once the loop over all frames is done.
  virtual bool next_iteration(Iteration& it) = 0;
  // A beat read from input `port` (its elements_per_word() elements).
  virtual void consume(int port, const int32_t* beat) {}
  // Fills the beat the current iteration writes to output `port`; called right
  // after the iteration's reads, as the datapath computes it.
  virtual void produce(int port, int32_t* beat) {}

  bool data_enabled() const { return data_; }
  bool stall_counts_enabled() const { return stall_counts_; }

  // With set_advance_hook(true), activate() calls this at every step, once
  // the cycle of the step's advance is known and before its reads: that
  // advance is made in `cycle`, the `advances` - 1 before it since the
  // previous call in the cycles right after that call's, and the cycles
  // between are stalls. `index` is the kind's loop index (as next_iteration
  // numbers it) of the iteration the advance takes in. A flushing
  // pipeline's bubbles are advances that take no iteration in: the last
  // `bubbles` of the advances before this one are, and with `bubble` this
  // one is too (its writes go; `index` is then the iteration still waiting).
  // Loop indices run on without gaps across the advances that are not
  // bubbles. A kind whose datapath is clocked cycle by cycle (the RTL
  // co-simulation, models/pe/rtl_pe_array.h) follows the pipeline with it:
  // a bubble is an enabled cycle with nothing offered to the units. The
  // beats that produce() fills stay in place until their write, so such a
  // kind may fill them in later, at the latest in the call for the advance
  // that writes them.
  virtual void advancing(int64_t index, int64_t cycle, int64_t advances, int64_t bubbles, bool bubble) {}
  void set_advance_hook(bool on) { advance_hook_ = on; }

  // Lengthens the loop by `frames` frames, its cursors where they are (the
  // base class re-bases the iteration indices). extend_frames(0) asks
  // whether the kind can; a kind that can overrides it. The fast-forward
  // shortens a loop with it (frames < 0), its cursors well before the end.
  virtual bool extend_frames(int64_t frames) { return false; }
  // The fast-forward skipped `frames` frames whose timing repeats the last
  // `period` frames', each period `cycles` later: a stage that records
  // per-frame figures extrapolates them (the output DMA's frame cycles).
  virtual void frames_skipped(int64_t frames, int period, int64_t cycles) {}

  // For stages driven from outside (external()): their state and statistics
  // are kept by the subclass.
  void mark_external() { external_ = true; }
  void set_state(StageState s, const StreamFifo* on) {
    state_ = s;
    blocked_on_ = on;
  }
  StageStats& mutable_stats() { return stats_; }
  void set_local_cycle(int64_t c) { last_cycle_ = c; }
  // For a kind that runs its own activation (activate() overridden): the
  // next run queued with queue_frames (false when none), and its activity
  // spans (record_activity), noted in increasing order.
  bool take_queued_frames(int64_t& frames) {
    if (queued_frames_.empty()) return false;
    frames = queued_frames_.front();
    queued_frames_.pop_front();
    return true;
  }
  void note_activity(int64_t begin, int64_t end, Activity what) { note_span(begin, end, what); }

  // Checks that the ports are bound to exactly the FIFOs the engine calls.
  void end_of_elaboration() override;

 private:
  struct InFlight {   // an issued iteration whose writes are still ahead; its beats
    int64_t due = 0;  // wait in flight_data_ at its ring index
    uint32_t writes = 0;
  };
  bool block(StreamFifo* f, bool on_read);
  void note_span(int64_t begin, int64_t end, Activity what);

  std::string name_;
  PipelineTiming timing_;
  std::vector<StreamFifo*> in_, out_;  // the ports, resolved
  struct SharedRef {
    SharedPort* port;
    int requester;
  };
  std::vector<SharedRef> shared_;
  int64_t grant_request_ = -1;
  bool data_ = true, record_ = false, external_ = false, advance_hook_ = false, stall_counts_ = true;

  Iteration cur_;
  bool have_cur_ = false, loop_done_ = false;
  std::deque<int64_t> queued_frames_;  // further runs of the loop (queue_frames)
  bool rebase_ = false;
  int64_t index_offset_ = 0;  // added to the kind's indices since the last re-base
  std::vector<InFlight> in_flight_;  // ring
  size_t flight_head_ = 0, flight_count_ = 0;
  std::vector<int32_t> flight_data_;  // per ring slot, every output port's beat
  std::vector<size_t> out_offset_;    // offset of each output port's beat in a slot
  size_t slot_words_ = 0;

  // A flushing pipeline's bubbles so far: advance (tick) = loop index +
  // index_offset_ + bubbles_. read_floor_: the current iteration's beats are
  // not readable before this cycle (a lower bound, from the producer's
  // progress or the scheduler's word).
  int64_t bubbles_ = 0, read_floor_ = -1;
  int64_t pending_bubbles_ = 0;  // bubbles since the last advance, counted as input stalls
  // The lower bound on the cycle in which every beat the current iteration
  // reads is readable, from what is known now.
  int64_t readable_floor() const;
  // The first cycle from `from` on in which every output in `writes` has a
  // free slot, and the first port that set it (left as it is when none did);
  // kUnknownCycle, with `full` the first output whose slot is not yet known.
  int64_t writable_from(uint32_t writes, int64_t from, int& port, StreamFifo*& full) const;
  int64_t last_advance_ = -1, last_cycle_ = -1;
  StageState state_ = StageState::kReady;
  const StreamFifo* blocked_on_ = nullptr;
  StageStats stats_;
  std::vector<ActivitySpan> spans_;

  // Fast-forward: the first loop index of the next frame whose cut the
  // FastForward is told of (never, when it is off), and the stage's number there.
  FastForward* ffwd_ = nullptr;
  int64_t next_cut_ = kUnknownCycle;
  int ffwd_index_ = -1;
};

}  // namespace vine::models
