#include "sim/run/timing_run.h"

#include <algorithm>

#include "sim/golden/reference.h"

namespace vine::sim {

namespace {

// A timing-only network of `d`: the input DMA still asks for frames, which
// are never read.
std::unique_ptr<ProcessNetwork> timing_network(const ir::Design& d, const ElaborationOptions& eo) {
  const ir::Network& net = d.network;
  return std::make_unique<ProcessNetwork>(
      d, eo, nullptr,
      [&net](int frame, std::vector<int32_t>& elems) {
        elems = golden::synthesize_input(net, 1, frame).data;
      },
      models::OutputDma::FrameSink{});
}

}  // namespace

std::unique_ptr<ProcessNetwork> run_timing(const ir::Design& d, int frames, bool stall_counts) {
  ElaborationOptions eo{frames, true, false, BackendChoice::kCpp};
  eo.stall_counts = stall_counts;
  auto pn = timing_network(d, eo);
  pn->run();
  return pn;
}

EndlessInterval endless_interval(const ir::Design& d, int frames, int64_t* cycles, FrameStamps* whole_run,
                                 bool drift_jumps, double target) {
  ElaborationOptions eo{frames, true, false, BackendChoice::kCpp};
  eo.fast_forward_decide_only = true;
  eo.fast_forward_drift_jumps = drift_jumps;
  eo.fast_forward_decide_target = target;
  eo.stall_counts = false;
  const auto pn = timing_network(d, eo);
  const ProcessNetwork* watched = pn.get();
  if (whole_run)
    // A run that jumped is no longer the one `whole_run` asks for: once the
    // watch has ended without a decision, the rest of it is of no use.
    pn->run([watched] {
      return watched->fast_forward_found() ||
             (watched->fast_forward_settled() && watched->fast_forward_jumps() > 0);
    });
  else
    pn->run([watched] { return watched->fast_forward_settled(); });
  const models::FastForwardResult r = pn->fast_forward();
  if (cycles) *cycles += simulated_cycles(*pn) - r.cycles_skipped;
  if (whole_run && r.period_frames == 0 && r.bound == 0 && r.jumps == 0) *whole_run = frame_stamps(*pn);
  EndlessInterval e;
  e.jumps = r.jumps;
  e.bound = r.bound;
  e.bound_interval = r.bound_interval;
  e.found = r.period_frames > 0;
  e.period_frames = r.period_frames;
  e.period_cycles = r.period_cycles;
  e.from_frame = r.from_frame;
  return e;
}

int64_t simulated_cycles(const ProcessNetwork& pn) {
  int64_t c = 0;
  for (const auto& s : pn.stages()) c = std::max(c, s->local_cycle());
  return c;
}

FrameStamps frame_stamps(const ProcessNetwork& pn) {
  return FrameStamps{pn.output_dma().first_beat_cycles(), pn.output_dma().last_beat_cycles(),
                     pn.finished()};
}

SteadyState judge_timing(const ir::Design& d, int frames, int64_t* cycles) {
  return judge_run(frames, [&d, cycles](int n) {
    const auto pn = run_timing(d, n);
    if (cycles) *cycles += simulated_cycles(*pn);
    return frame_stamps(*pn);
  });
}

}  // namespace vine::sim
