#include "sim/run/simulation.h"

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>

#include "sim/config/config_error.h"
#include "models/layers/frame_buffers.h"
#include "models/layers/weight_stream.h"
#include "sim/golden/reference.h"
#include "sim/run/run_metrics.h"
#include "sim/run/timing_run.h"

namespace vine::sim {

void check_simulatable(const ir::Design& d) {
  // Weights in DDR: the streams must be plannable (a DDR, words that fit a
  // burst, images that fit the memory).
  models::plan_weight_streams(d);
  // Frames in DDR: the DMAs' buffers must fit after the weight images.
  if (d.dma_memory == ir::DmaMemory::kDdr) models::plan_frame_buffers(d, ir::plan_process_network(d));
}

struct Simulation::Golden {
  golden::NetworkParams params;
  std::unique_ptr<golden::Reference> ref;
  // Frames the input DMA has streamed and the output check has not yet used.
  std::map<int, golden::IntTensor> inputs;
  std::vector<int> mismatched;
  int checked = 0;
};

Simulation::Simulation(const ir::Design& d, const RunOptions& o) : d_(d), o_(o) {
  check_simulatable(d);
  const ir::Network& net = d.network;
  if (!o.timing_only) {
    golden_ = std::make_unique<Golden>();
    golden_->params = golden::synthesize_params(net, o.seed);
    golden_->ref = std::make_unique<golden::Reference>(net, golden_->params);
  }
  ElaborationOptions eo;
  eo.frames = o.frames;
  eo.timing_only = o.timing_only;
  eo.record = o.record;
  eo.fast_forward = o.fast_forward;
  eo.backend = o.backend;
  eo.host_order = o.host_order;
  eo.host_order_seed = o.host_order_seed;
  eo.systemc_stages = o.systemc_stages;
  Golden* check = golden_ && o.check_reference ? golden_.get() : nullptr;
  // The frame the DMA streams is kept for the reference to run on when the
  // frame comes out.
  auto input = [this, check](int frame, std::vector<int32_t>& elems) {
    golden::IntTensor t = input_frame(frame);
    elems = t.data;
    if (check && !o_.distributed) check->inputs.emplace(frame, std::move(t));
  };
  models::OutputDma::FrameSink sink;
  if (check || o.keep_outputs) {
    sink = [this, check](int frame, const std::vector<int32_t>& elems, int64_t) {
      if (o_.keep_outputs) {
        if (outputs_.size() <= size_t(frame)) outputs_.resize(size_t(frame) + 1);
        outputs_[size_t(frame)] = elems;
      }
      if (!check) return;
      // In a distributed run the input DMA runs in another process
      // (docs/parallel.md): the frame is made again, from its seed or file.
      const auto in = check->inputs.find(frame);
      const golden::IntTensor made = in == check->inputs.end() ? input_frame(frame) : golden::IntTensor{};
      if (check->ref->run(in == check->inputs.end() ? made : in->second).data != elems)
        check->mismatched.push_back(frame);
      if (in != check->inputs.end()) check->inputs.erase(in);
      ++check->checked;
    };
  }
  pn_ = std::make_unique<ProcessNetwork>(d, eo, golden_ ? &golden_->params : nullptr, input, sink);
  estimate_ = estimate::estimate_design(d);  // after the network: its errors name `vine run`
  // A network with SystemC-module stages runs only under sc_start, so no twin
  // of it can run ahead: its steady state is not judged.
  if (o.steady_state && o.systemc_stages.empty()) judge_steady_state_ahead();
}

Simulation::~Simulation() = default;

golden::IntTensor Simulation::input_frame(int frame) const {
  if (o_.input_frames && !o_.input_frames->empty())
    return (*o_.input_frames)[size_t(frame) % o_.input_frames->size()];
  return golden::synthesize_input(d_.network, o_.seed, frame);
}

const RunReport& Simulation::run() {
  pn_->run();
  return finish();
}

FrameStamps Simulation::frame_stamps(int frames) const {
  // On the C++ back-end a timing-only run gives the same cycles
  // (tests/sim/test_simulation.cpp), much faster; co-simulated PEs take their
  // latencies from the RTL, so such a run is repeated as it is.
  const bool rtl = !pn_->rtl_units().empty();
  ElaborationOptions eo{frames, !rtl, false, rtl ? o_.backend : BackendChoice::kCpp};
  eo.fast_forward = o_.fast_forward;
  ProcessNetwork pn(d_, eo, rtl ? &golden_->params : nullptr,
                    [this](int frame, std::vector<int32_t>& elems) { elems = input_frame(frame).data; }, {});
  pn.run();
  return sim::frame_stamps(pn);
}

// The judgement needs the run's output cycles and those of longer runs. The
// longer runs are built and run here, before the run: under SystemC, models
// can be built only before sc_start, and `vine run` runs this one on a
// SystemC board (platforms/board), whose thread calls finish(). The run's own
// cycles come from a twin of it with the same timing, which finish() compares
// with the run's.
void Simulation::judge_steady_state_ahead() {
  // A timing-only run on the C++ back-end in this process is its own twin:
  // it runs here, outside SystemC time, and the run under sc_start then
  // finds every stage done (the board still follows its frames in SystemC
  // time). That saves one of the run's three long simulations (the run, its
  // twin and the longer run). A distributed rank holds part of the design,
  // and co-simulated PEs clock their RTL in the run.
  if (o_.timing_only && !o_.distributed && pn_->rtl_units().empty()) {
    const auto t0 = std::chrono::steady_clock::now();
    pn_->run();
    seconds_run_ahead_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ran_ahead_ = true;
  }
  const RunFrames run = remember_runs([this](int frames) {
    if (ran_ahead_ && frames == o_.frames)
      return sim::frame_stamps(*pn_);
    if (ran_ahead_ && frames == o_.frames + kReferenceExtraFrames)
      if (std::optional<FrameStamps> longer = longer_run_from_repetition()) {
        longer_read_off_ = true;
        return *longer;
      }
    return frame_stamps(frames);
  });
  twin_ = run(o_.frames);
  if (!twin_.finished) return;  // a deadlock: the report diagnoses it, no steady state to judge
  single_ = run(1);
  const int longer = o_.frames + kReferenceExtraFrames;
  steady_ = judge_steady_state(twin_, run(longer), longer);
  if (!steady_.reached && o_.find_frames_needed) {
    steady_.frames_needed = frames_to_reach_steady_state(steady_, run, &steady_);
  }
  // Slower than the bottleneck allows: why, and the FIFO depths that help,
  // measured on timing-only copies, which must be built before sc_start too.
  if (o_.diagnose_interval && steady_.reached &&
      steady_.interval_cycles() > double(estimate_.interval_cycles))
    diagnosis_ = diagnose_interval(d_, estimate_, o_.frames, steady_.interval_cycles());
}

// The longer run of the judgement (kReferenceExtraFrames more frames), read
// off the run's own fast-forward instead of simulated. The run's timing
// state at the cut of frame g + p repeated its state at the cut of frame g,
// D cycles later (models/stage/fast_forward.h), so for p dividing 2 its
// state at the cut of frame g + 2 is its state at the cut of frame g, 2D/p
// cycles later. The longer run makes the same advances as the run up to
// every stage's cut of frame g + 2 (an advance depends only on beats of
// earlier or the same frames, and both runs have frames left there), so it
// reaches the same state at that cut; from there it has N - g frames left,
// as the run had from the cut of frame g. Its frames from g + 2 on are
// therefore the run's frames 2 before, 2D/p cycles later, and its frames
// before g + 2 are the run's own. tests/sim/test_fast_forward.cpp compares it
// with the longer run simulated in full.
std::optional<FrameStamps> Simulation::longer_run_from_repetition() const {
  const models::FastForwardResult ff = pn_->fast_forward();
  const int p = ff.period_frames;
  // A last jump that drifted is no steady state: the longer run's FIFOs
  // fill in other frames.
  if (!pn_->finished() || ff.frames_skipped <= 0 || p <= 0 || kReferenceExtraFrames % p != 0 ||
      !ff.drifting.empty())
    return std::nullopt;
  const std::vector<int64_t>& first = pn_->output_dma().first_beat_cycles();
  const std::vector<int64_t>& last = pn_->output_dma().last_beat_cycles();
  const size_t g = size_t(ff.from_frame), extra = size_t(kReferenceExtraFrames);
  if (ff.from_frame < 0 || g + extra >= last.size()) return std::nullopt;
  const int64_t shift = ff.period_cycles * (kReferenceExtraFrames / p);
  FrameStamps longer{first, last, true};
  longer.first.resize(first.size() + extra);
  longer.last.resize(last.size() + extra);
  for (size_t f = g + extra; f < longer.last.size(); ++f) {
    longer.first[f] = first[f - extra] + shift;
    longer.last[f] = last[f - extra] + shift;
  }
  return longer;
}

Simulation::Results Simulation::results() const {
  // What stopped the accelerator's SystemC thread, as it was thrown.
  if (const std::exception_ptr f = pn_->accelerator().failure()) std::rethrow_exception(f);
  Results x;
  x.measured = measure_run(*pn_, d_);
  if (golden_) {
    x.mismatched = golden_->mismatched;
    x.checked = golden_->checked;
  }
  return x;
}

const RunReport& Simulation::finish() { return finish_from(results()); }

const RunReport& Simulation::finish(Results gathered) {
  outputs_ = std::move(gathered.outputs);
  return finish_from(std::move(gathered));
}

const RunReport& Simulation::finish_from(Results x) {
  SteadyState steady;
  const RunReport& m = x.measured.report;
  if (o_.steady_state && o_.systemc_stages.empty() && m.finished) {
    if (!twin_.finished || x.measured.output_first_beat_cycles != twin_.first ||
        m.frame_last_out_cycles != twin_.last)
      throw std::logic_error(
          "the run's frames left in other cycles than those of its timing twin, which judged its "
          "steady state");
    steady = steady_;
  }
  const int64_t first_in = x.measured.first_input_write;
  report_ = complete_report(std::move(x.measured), *pn_, d_, estimate_, steady);
  if (!diagnosis_.text.empty()) {
    report_.interval_explanation = diagnosis_.text;
    report_.interval_remedy = diagnosis_.remedy;
    report_.interval_remedy_cycles = diagnosis_.remedy_interval;
  }
  if (single_.finished && !single_.last.empty() && report_.latency_cycles > 0)
    report_.single_frame_latency_cycles = single_.last.front() - first_in + 1;
  report_.timing_only = o_.timing_only;
  if (golden_ && o_.check_reference && report_.finished) {
    report_.mismatched_frames = x.mismatched;
    report_.outputs_match_reference = x.mismatched.empty() && x.checked == o_.frames;
  }
  return report_;
}

}  // namespace vine::sim
