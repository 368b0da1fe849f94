#include "sim/run/simulation.h"

#include <chrono>
#include <cstdio>
#include <unistd.h>

#include "sim/golden/reference.h"

namespace vine::sim {

struct Simulation::Golden {
  golden::NetworkParams params;
  std::unique_ptr<golden::Reference> ref;
  std::vector<int> mismatched;
  int checked = 0;
};

Simulation::Simulation(const ir::Design& d, const RunOptions& o) : d_(d), o_(o) {
  const ir::Network& net = d.network;
  if (!o.timing_only) {
    golden_ = std::make_unique<Golden>();
    golden_->params = golden::synthesize_params(net, o.seed);
    golden_->ref = std::make_unique<golden::Reference>(net, golden_->params);
  }
  ElaborationOptions eo{o.frames, o.timing_only, o.record};
  const uint64_t seed = o.seed;
  auto input = [&net, seed](int frame, std::vector<int32_t>& elems) {
    elems = golden::synthesize_input(net, seed, frame).data;
  };
  models::OutputDma::FrameSink sink;
  if (golden_ && o.check_reference) {
    Golden* g = golden_.get();
    sink = [g, &net, seed](int frame, const std::vector<int32_t>& elems, int64_t) {
      const golden::IntTensor expect = g->ref->run(golden::synthesize_input(net, seed, frame));
      if (expect.data != elems) g->mismatched.push_back(frame);
      ++g->checked;
    };
  }
  pn_ = std::make_unique<ProcessNetwork>(d, eo, golden_ ? &golden_->params : nullptr, input, sink);
}

Simulation::~Simulation() = default;

const RunReport& Simulation::run() {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto last_print = t0;
  bool printed = false;
  const bool tty = o_.progress && isatty(fileno(stderr));
  int64_t polls = 0;
  auto pause = [&]() {
    if (!tty || (++polls & 1023)) return false;
    const auto now = clock::now();
    if (now - t0 < std::chrono::seconds(1) || now - last_print < std::chrono::milliseconds(250)) return false;
    last_print = now;
    const auto& out = pn_->output_dma();
    const double secs = std::chrono::duration<double>(now - t0).count();
    const int64_t cycle = out.local_cycle() > 0 ? out.local_cycle() : 0;
    std::fprintf(stderr, "\r  %d/%d frames, %lld cycles simulated, %.3g cycles/s   ", out.frames_done(),
                 pn_->frames(), (long long)cycle, double(cycle) / secs);
    printed = true;
    return false;
  };
  pn_->run(pause);
  if (printed) std::fprintf(stderr, "\n");
  finish();
  report_.wall_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  return report_;
}

const RunReport& Simulation::finish() {
  const estimate::Estimate e = estimate::estimate_design(d_);
  report_ = make_report(*pn_, d_, e);
  report_.timing_only = o_.timing_only;
  if (golden_ && o_.check_reference && report_.finished) {
    report_.mismatched_frames = golden_->mismatched;
    report_.outputs_match_reference = golden_->mismatched.empty() && golden_->checked == o_.frames;
  }
  return report_;
}

}  // namespace vine::sim
