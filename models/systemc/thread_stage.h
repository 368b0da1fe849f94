// A stage of the pipeline implemented by an ordinary SystemC module: the
// adapter between the stamp engine, which runs ahead of SystemC time, and a
// thread that lives in it. The adapter is the stage (`accel.conv1.dwc_in`,
// kind "systemc"); the user's module is its child and binds its ports to the
// adapter's beat channels (BeatReadIf / BeatWriteIf, models/systemc/beat_if.h).
//
// Synchronisation is conservative and exact: the thread commits a beat only
// in a cycle that SystemC time has reached and the FIFO's stamps allow; every
// stamp the engine derives from it is later than that cycle, so the engine,
// woken by the commit (Accelerator::kick), has always computed a stamp before
// SystemC time reaches it. While the thread waits for a stamp not yet known,
// the stage is blocked in a wait, not a deadlock; a real deadlock leaves
// SystemC without events, and the report names the stages and FIFOs.
#pragma once

#include <memory>
#include <systemc>
#include <vector>

#include "models/stage/stage.h"
#include "models/systemc/beat_if.h"

namespace vine::models {

class ThreadStage final : public Stage {
 public:
  // `in_words`/`out_words`: beats per frame on each input/output port;
  // the stage is done when `frames` frames have passed on every port.
  ThreadStage(std::string name, int frames, std::vector<int64_t> in_words,
              std::vector<int64_t> out_words, sc_core::sc_time cycle);
  ~ThreadStage() override;
  const char* kind() const override { return "systemc"; }

  // What the user's module binds its ports to.
  BeatReadIf& input(int port);
  BeatWriteIf& output(int port);
  int input_ports() const { return int(readers_.size()); }
  int output_ports() const { return int(writers_.size()); }
  int frames() const { return frames_; }
  int64_t input_beats_per_frame(int port) const { return in_words_.at(size_t(port)); }
  int64_t output_beats_per_frame(int port) const { return out_words_.at(size_t(port)); }
  // Keeps the user's module alive as long as the stage.
  void own(std::unique_ptr<sc_core::sc_module> m) { impl_ = std::move(m); }

  void wake_external() override { wake_.notify(sc_core::SC_ZERO_TIME); }
  void attach(Accelerator& accel) override { accel_ = &accel; }

 protected:
  bool next_iteration(Iteration&) override {
    return false;
  }  // never activated: see Scheduler::wake

 private:
  class Reader;
  class Writer;
  friend class Reader;
  friend class Writer;

  int64_t now_cycle() const;
  void wait_cycles(int64_t n, bool on_read, int port);
  void wait_readable(int port);
  void read(int port, int32_t* beat);
  void wait_writable(int port);
  void write(int port, const int32_t* beat);
  void committed(int64_t cycle);
  void check_done();

  int frames_;
  std::vector<int64_t> in_words_, out_words_;
  std::vector<int64_t> last_read_, last_write_;  // cycle of each port's last commit (-1: none)
  sc_core::sc_time cycle_;
  sc_core::sc_event wake_;
  Accelerator* accel_ = nullptr;
  int64_t last_busy_ = -1;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::vector<std::unique_ptr<Writer>> writers_;
  std::unique_ptr<sc_core::sc_module> impl_;
};

}  // namespace vine::models
