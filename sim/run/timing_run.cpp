#include "sim/run/timing_run.h"

#include <algorithm>

#include "sim/golden/reference.h"

namespace vine::sim {

std::unique_ptr<ProcessNetwork> run_timing(const ir::Design& d, int frames) {
  const ElaborationOptions eo{frames, true, false, BackendChoice::kCpp};
  const ir::Network& net = d.network;
  // Timing only: the input DMA still asks for frames, which are never read.
  auto pn = std::make_unique<ProcessNetwork>(
      d, eo, nullptr,
      [&net](int frame, std::vector<int32_t>& elems) {
        elems = golden::synthesize_input(net, 1, frame).data;
      },
      models::OutputDma::FrameSink{});
  pn->run();
  return pn;
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
