// The streaming accelerator as a SystemC module: `accel`, holding one child
// module per layer (`accel.conv1`) with the layer's stages in it
// (`accel.conv1.swg`, `accel.conv1.mvau`), the DMAs (`accel.input_dma`), and
// the streams as channels in the innermost module that holds both their
// ends (`accel.conv0->conv1`, `accel.conv1.swg->mvau`).
//
// Its one thread runs the stamp engine: every stage that can move runs ahead
// on its FIFOs' stamps until it blocks. When nothing can move, the thread
// waits for a kick from a stage driven by a SystemC thread (models/systemc/),
// which is a wait, not a deadlock; if nobody kicks, SystemC runs out of
// events and sc_start returns with the pipeline stuck, which the report
// diagnoses. Without sc_start the same engine runs directly (run()).
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <systemc>
#include <vector>

#include "models/stage/scheduler.h"
#include "models/stage/stage.h"
#include "models/stream/stream_fifo.h"

namespace vine::models {

// The shape of the process network, by plan names: which stages exist and
// which stream joins which ports. Stage names are "<group>.<role>" for a
// layer's stages or a bare name at the accelerator's level.
struct Topology {
  struct Stream {
    std::string name;
    int producer = -1, consumer = -1;  // stage indices
  };
  std::vector<std::string> stages;
  std::vector<Stream> streams;
  std::vector<std::vector<int>> inputs, outputs;  // per stage, stream indices by port
};

class Accelerator : public sc_core::sc_module {
 public:
  // Builds every stage (make_stage(i) is called with SystemC's name stack
  // holding the stage's basename, inside its layer's module) and every
  // stream, then binds the ports in plan order.
  using StageFactory = std::function<std::unique_ptr<Stage>(int stage)>;
  using StreamFactory =
      std::function<std::unique_ptr<StreamFifo>(int stream, const char* basename)>;
  Accelerator(sc_core::sc_module_name name, const Topology& topology,
              const StageFactory& make_stage, const StreamFactory& make_stream);
  ~Accelerator() override;
  const char* kind() const override { return "vine_accelerator"; }

  const std::vector<std::unique_ptr<Stage>>& stages() const { return stages_; }
  const std::vector<std::unique_ptr<StreamFifo>>& fifos() const { return fifos_; }
  Scheduler& scheduler() { return sched_; }

  // Runs the engine outside SystemC until it finishes or nothing can move.
  bool run(const std::function<bool()>& should_pause = {});
  bool finished() const;
  // Notified (delta) whenever the engine has moved; a board watches it for frames.
  const sc_core::sc_event& progress_event() const { return progress_; }
  // A SystemC-driven stage committed a beat: the engine has stages to wake.
  void kick() { kick_.notify(sc_core::SC_ZERO_TIME); }
  // What stopped the engine's SystemC thread (an RtlTimingError, any error
  // of a stage), or null. SystemC would turn an exception leaving a thread
  // into a report of its own, type and message wrapped; the thread keeps it
  // instead and stops the simulation (sc_stop), and whoever ran sc_start
  // rethrows it (Simulation::finish, VirtualPlatform's host accesses).
  std::exception_ptr failure() const { return failure_; }

 private:
  void before_end_of_elaboration() override;
  void engine_thread();
  void wake_all_once();

  // Destroyed in reverse: stages and streams before the layer modules that parent them.
  std::vector<std::unique_ptr<sc_core::sc_module>> groups_;
  std::vector<std::unique_ptr<StreamFifo>> fifos_;
  std::vector<std::unique_ptr<Stage>> stages_;
  Scheduler sched_;
  sc_core::sc_event kick_, progress_;
  bool started_ = false;
  std::exception_ptr failure_;
};

// The module hierarchy under `top` (or every top-level object), one object per
// line, indented, with its SystemC kind.
void write_hierarchy(std::ostream& out, const sc_core::sc_object* top = nullptr);

}  // namespace vine::models
