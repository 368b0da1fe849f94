// A streaming design elaborated into models: the stages and FIFOs of its
// process network (ir::plan_process_network), with the PE arithmetic and
// output units loaded from the network's parameters, ready to run.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/accelerator/accelerator.h"
#include "models/layers/dma.h"
#include "models/pe/rtl_output_array.h"
#include "models/pe/rtl_pe_array.h"
#include "models/shared/shared_port.h"
#include "models/stage/fast_forward.h"
#include "models/stage/scheduler.h"
#include "models/systemc/thread_stage.h"
#include "sim/golden/network_params.h"
#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/pe_backend.h"

namespace vine::sim {

// Builds a user's SystemC module for a stage and binds its ports to the
// adapter's beat channels (models/systemc/thread_stage.h). Called while the
// adapter is SystemC's current module, so the module becomes its child.
using SystemCModuleFactory =
    std::function<std::unique_ptr<sc_core::sc_module>(models::ThreadStage& stage)>;

// Builds the model of a plan stage in place of its stage kind's (called with
// the stage's basename on SystemC's name stack, as every stage is built).
using StageModelFactory = std::function<std::unique_ptr<models::Stage>(const ir::StagePlan& s)>;

struct ElaborationOptions {
  int frames = 1;
  bool timing_only = false;  // no data, no arithmetic: the same cycles
  bool record = false;       // keep every beat's stamps and stage activity, for traces
  BackendChoice backend = BackendChoice::kDesign;  // where the PE arithmetic runs
  std::string module_name = "accel";  // the accelerator's SystemC name (made unique if taken)
  models::HostOrder host_order = models::HostOrder::kFifo;  // never changes a cycle; tests vary it
  uint64_t host_order_seed = 1;
  // Stages (by plan name, e.g. "conv0.dwc_out") implemented by a user's
  // SystemC module instead of the built-in model; such a network runs under
  // sc_start only.
  std::map<std::string, SystemCModuleFactory> systemc_stages = {};
  // Stages (by plan name) whose model the caller provides: a virtual
  // platform's DDR-attached DMAs (platforms/board/vp_board.h).
  std::map<std::string, StageModelFactory> stage_models = {};
  // Skip the frames of a timing-only run once its timing repeats, exactly
  // (models/stage/fast_forward.h); only where every stage can take part: no
  // data, no traces, no shared ports, no SystemC or caller-made stages.
  bool fast_forward = true;
  // The fast-forward only finds the repetition and records it (no frame
  // skipped); run(pause_when_settled()) then stops once it has found one or
  // given up (FastForward::set_decide_only).
  bool fast_forward_decide_only = false;
  // Deciding only, the frames in which a producer fills a deep FIFO a little
  // more each frame are jumped (FastForward::set_decide_only).
  bool fast_forward_drift_jumps = false;
  // Deciding only, also decide by bounds whether the interval is at most
  // this many cycles per frame (FastForward::set_decide_target); 0: off.
  double fast_forward_decide_target = 0;
  // Off: the kinds whose busy and stall counts cost host time of their own
  // skip them (Stage::set_stall_counts), for searches that read only cycles.
  bool stall_counts = true;
};

class ProcessNetwork {
 public:
  // `params` and `input` are unused (may be null) when timing_only.
  using InputFrames = std::function<void(int frame, std::vector<int32_t>& elements)>;
  ProcessNetwork(const ir::Design& d, const ElaborationOptions& o,
                 const golden::NetworkParams* params, InputFrames input,
                 models::OutputDma::FrameSink sink);

  // Runs until every stage is done or none can go on; returns whether all finished.
  // `should_pause` lets the caller interleave (progress, SystemC time).
  bool run(const std::function<bool()>& should_pause = {});
  bool finished() const;

  const ir::StreamingPlan& plan() const { return plan_; }
  const std::vector<std::unique_ptr<models::Stage>>& stages() const { return accel_->stages(); }
  const std::vector<std::unique_ptr<models::StreamFifo>>& fifos() const { return accel_->fifos(); }
  models::Accelerator& accelerator() { return *accel_; }
  const models::Accelerator& accelerator() const { return *accel_; }
  // Whether some stage is a SystemC thread (then only sc_start runs it).
  bool has_systemc_stages() const { return !opts_.systemc_stages.empty(); }
  // The built-in DMAs (absent when stage_models replaced them).
  const models::InputDma& input_dma() const;
  const models::OutputDma& output_dma() const;
  int frames() const { return opts_.frames; }
  // The DDR channels the weight streamers share, by channel (null where none does).
  const std::vector<std::unique_ptr<models::SharedPort>>& ddr_channels() const { return ddr_channels_; }
  int64_t activations() const { return accel_->scheduler().activations(); }
  // The Verilated lanes units of the stages on the RTL back-end.
  struct RtlUnit {
    std::string stage;
    const models::RtlUnitStats* unit;  // a lanes unit's group or the output units
  };
  const std::vector<RtlUnit>& rtl_units() const { return rtl_units_; }
  // What the fast-forward skipped (frames_skipped 0: none, or it was off);
  // why it was off, when it was.
  models::FastForwardResult fast_forward() const {
    return ffwd_ ? ffwd_->result() : models::FastForwardResult{};
  }
  const std::string& fast_forward_off_reason() const {
    return ffwd_ ? ffwd_->result().off : ffwd_off_;
  }
  // Whether the fast-forward has nothing more to find: it found the
  // repetition, gave up, or was never on.
  bool fast_forward_settled() const { return !ffwd_ || ffwd_->settled(); }
  // Jumps made so far (a decide-only watch's drifting ones).
  int fast_forward_jumps() const { return ffwd_ ? ffwd_->result().jumps : 0; }
  // Whether it found the repetition (without copying its result: the run's
  // pause test asks once an activation).
  bool fast_forward_found() const {
    return ffwd_ && (ffwd_->result().period_frames > 0 || ffwd_->result().bound != 0);
  }

 private:
  std::unique_ptr<models::Stage> make_stage(const ir::StagePlan& s,
                                            const golden::NetworkParams* params, InputFrames& input,
                                            models::OutputDma::FrameSink& sink);
  std::unique_ptr<models::RtlPeArray> rtl_pe_array(const ir::StagePlan& s, const ir::Layer& l,
                                                   const golden::LayerParams* p, models::PipelineTiming& t);
  std::unique_ptr<models::RtlOutputArray> rtl_output_array(const ir::StagePlan& s, const ir::Layer& l,
                                                           const golden::LayerParams* p, models::PipelineTiming& t);

  void connect_ddr_channels();
  std::unique_ptr<models::Stage> make_systemc_stage(const ir::StagePlan& s,
                                                    const SystemCModuleFactory& make);

  const ir::Design& design_;
  ElaborationOptions opts_;
  ir::StreamingPlan plan_;
  models::InputDma* input_ = nullptr;
  models::OutputDma* output_ = nullptr;
  std::vector<RtlUnit> rtl_units_;
  std::unique_ptr<models::FastForward> ffwd_;  // outlives the stages that call it
  // The DDR channels the weight streamers share (by channel; null where none uses it).
  std::vector<std::unique_ptr<models::SharedPort>> ddr_channels_;
  std::string ffwd_off_;
  std::unique_ptr<models::Accelerator> accel_;
};

}  // namespace vine::sim
