#include "models/systemc/thread_stage.h"

#include <algorithm>
#include <cstring>

#include "models/accelerator/accelerator.h"

namespace vine::models {

class ThreadStage::Reader final : public sc_core::sc_object, public BeatReadIf {
 public:
  Reader(const char* name, ThreadStage& s, int port) : sc_object(name), s_(s), port_(port) {}
  const char* kind() const override { return "vine_beat_reader"; }
  int lanes() const override { return s_.inputs().at(size_t(port_))->elements_per_word(); }
  const sc_core::sc_time& cycle() const override { return s_.cycle_; }
  void wait_readable() override { s_.wait_readable(port_); }
  void read(int32_t* beat) override { s_.read(port_, beat); }

 private:
  ThreadStage& s_;
  int port_;
};

class ThreadStage::Writer final : public sc_core::sc_object, public BeatWriteIf {
 public:
  Writer(const char* name, ThreadStage& s, int port) : sc_object(name), s_(s), port_(port) {}
  const char* kind() const override { return "vine_beat_writer"; }
  int lanes() const override { return s_.outputs().at(size_t(port_))->elements_per_word(); }
  const sc_core::sc_time& cycle() const override { return s_.cycle_; }
  void wait_writable() override { s_.wait_writable(port_); }
  void write(const int32_t* beat) override { s_.write(port_, beat); }

 private:
  ThreadStage& s_;
  int port_;
};

ThreadStage::ThreadStage(std::string name, int frames, std::vector<int64_t> in_words,
                         std::vector<int64_t> out_words, sc_core::sc_time cycle)
    : Stage(std::move(name), PipelineTiming{0, -1}),
      frames_(frames),
      in_words_(std::move(in_words)),
      out_words_(std::move(out_words)),
      last_read_(in_words_.size(), -1),
      last_write_(out_words_.size(), -1),
      cycle_(cycle) {
  mark_external();
  for (size_t p = 0; p < in_words_.size(); ++p)
    readers_.push_back(
        std::make_unique<Reader>(("beats_in" + std::to_string(p)).c_str(), *this, int(p)));
  for (size_t p = 0; p < out_words_.size(); ++p)
    writers_.push_back(
        std::make_unique<Writer>(("beats_out" + std::to_string(p)).c_str(), *this, int(p)));
}

ThreadStage::~ThreadStage() {
  impl_.reset();  // the user's module first: it holds ports bound to the channels below
  readers_.clear();
  writers_.clear();
}

BeatReadIf& ThreadStage::input(int port) {
  return *readers_.at(size_t(port));
}
BeatWriteIf& ThreadStage::output(int port) {
  return *writers_.at(size_t(port));
}

int64_t ThreadStage::now_cycle() const {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (now.value() % cycle_.value() != 0)
    SC_REPORT_ERROR("vine/systemc_stage",
                    (std::string(sc_object::name()) + ": a beat moved at " + now.to_string() +
                     ", between two clock edges (wait whole cycles)")
                        .c_str());
  return int64_t(now.value() / cycle_.value());
}

void ThreadStage::wait_cycles(int64_t n, bool on_read, int port) {
  if (n <= 0) return;
  StageStats& st = mutable_stats();
  (on_read ? st.stalled_input : st.stalled_output) += n;
  (on_read ? st.stalled_on_input : st.stalled_on_output)[size_t(port)] += n;
  sc_core::wait(cycle_ * double(n));
}

void ThreadStage::wait_readable(int port) {
  StreamFifo* f = inputs().at(size_t(port));
  for (;;) {
    const int64_t r = f->read_ready_cycle();
    if (r == kUnknownCycle) {  // the producer has not written it yet: wait for its news
      set_state(StageState::kBlockedOnRead, f);
      f->consumer_waits = true;
      const int64_t from = now_cycle();
      sc_core::wait(wake_);
      const int64_t waited = now_cycle() - from;
      mutable_stats().stalled_input += waited;
      mutable_stats().stalled_on_input[size_t(port)] += waited;
      continue;
    }
    set_state(StageState::kBlockedOnRead, f);
    // One beat per cycle per stream.
    wait_cycles(std::max(r, last_read_[size_t(port)] + 1) - now_cycle(), true, port);
    set_state(StageState::kReady, nullptr);
    return;
  }
}

void ThreadStage::wait_writable(int port) {
  StreamFifo* f = outputs().at(size_t(port));
  for (;;) {
    const int64_t w = f->write_ready_cycle();
    if (w == kUnknownCycle) {  // the FIFO is full until the consumer reads
      set_state(StageState::kBlockedOnWrite, f);
      f->producer_waits = true;
      const int64_t from = now_cycle();
      sc_core::wait(wake_);
      const int64_t waited = now_cycle() - from;
      mutable_stats().stalled_output += waited;
      mutable_stats().stalled_on_output[size_t(port)] += waited;
      continue;
    }
    set_state(StageState::kBlockedOnWrite, f);
    wait_cycles(std::max(w, last_write_[size_t(port)] + 1) - now_cycle(), false, port);
    set_state(StageState::kReady, nullptr);
    return;
  }
}

void ThreadStage::read(int port, int32_t* beat) {
  StreamFifo* f = inputs().at(size_t(port));
  const int64_t now = now_cycle(), r = f->read_ready_cycle();
  if (r == kUnknownCycle || r > now || last_read_[size_t(port)] >= now)
    SC_REPORT_ERROR(
        "vine/systemc_stage",
        (std::string(sc_object::name()) + ": read from " + f->name() + " in cycle " +
         std::to_string(now) + ", before its beat is readable or after a read in the same cycle (call wait_readable first)")
            .c_str());
  if (f->carries_data())
    std::memcpy(beat, f->read_slot(), size_t(f->elements_per_word()) * sizeof(int32_t));
  else
    std::fill(beat, beat + f->elements_per_word(), 0);
  f->commit_read(now);
  last_read_[size_t(port)] = now;
  if (f->producer_waits) {
    f->producer_waits = false;
    accel_->scheduler().wake(f->producer);
  }
  committed(now);
}

void ThreadStage::write(int port, const int32_t* beat) {
  StreamFifo* f = outputs().at(size_t(port));
  const int64_t now = now_cycle(), w = f->write_ready_cycle();
  if (w == kUnknownCycle || w > now || last_write_[size_t(port)] >= now)
    SC_REPORT_ERROR("vine/systemc_stage",
                    (std::string(sc_object::name()) + ": write to " + f->name() + " in cycle " +
                     std::to_string(now) + ", while it is full or after a write in the same cycle (call wait_writable first)")
                        .c_str());
  if (f->carries_data())
    std::memcpy(f->write_slot(), beat, size_t(f->elements_per_word()) * sizeof(int32_t));
  f->commit_write(now);
  last_write_[size_t(port)] = now;
  StageStats& st = mutable_stats();
  if (st.first_write < 0) st.first_write = now;
  st.last_write = now;
  if (f->consumer_waits) {
    f->consumer_waits = false;
    accel_->scheduler().wake(f->consumer);
  }
  committed(now);
}

// Counts the cycle as busy once, tells the engine, and notes the end.
void ThreadStage::committed(int64_t cycle) {
  if (cycle != last_busy_) {
    ++mutable_stats().busy;
    last_busy_ = cycle;
    set_local_cycle(cycle);
  }
  check_done();
  accel_->kick();
}

void ThreadStage::check_done() {
  for (size_t p = 0; p < in_words_.size(); ++p)
    if (inputs()[p]->read_count() < in_words_[p] * frames_) return;
  for (size_t p = 0; p < out_words_.size(); ++p)
    if (outputs()[p]->written() < out_words_[p] * frames_) return;
  set_state(StageState::kDone, nullptr);
}

}  // namespace vine::models
