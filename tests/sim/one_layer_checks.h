// Checks a test of one folded layer makes (a window with its own SIMD, a
// padding with its own, thresholds as a stage of their own): find a stage in
// the plan, its closed-form cycles, and a full run's frame spacing, bit-exact
// against the golden reference.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/simulation.h"

namespace vine::testing_support {

inline const vine::ir::StagePlan* planned(const vine::ir::StreamingPlan& plan, const std::string& name) {
  for (const auto& s : plan.stages)
    if (s.name == name) return &s;
  return nullptr;
}

// The estimate's cycles a frame of the stage `name`.
inline int64_t estimated_cycles(const vine::ir::Design& d, const std::string& name) {
  for (const auto& l : vine::estimate::estimate_design(d).layers)
    for (const auto& s : l.stages)
      if (s.plan.name == name) return s.cycles;
  ADD_FAILURE() << "no stage " << name;
  return -1;
}

// A full run (data and timing): bit-exact against the golden reference, and
// the spacing of consecutive frames' last output beats.
inline std::vector<int64_t> run_bit_exact(const vine::ir::Design& d, int frames) {
  vine::sim::RunOptions o;
  o.frames = frames;
  o.fast_forward = false;
  vine::sim::Simulation run(d, o);
  const vine::sim::RunReport& r = run.run();
  EXPECT_TRUE(r.finished) << r.deadlock;
  EXPECT_TRUE(r.outputs_match_reference.has_value() && *r.outputs_match_reference);
  std::vector<int64_t> gaps;
  for (size_t f = 1; f < r.frame_last_out_cycles.size(); ++f)
    gaps.push_back(r.frame_last_out_cycles[f] - r.frame_last_out_cycles[f - 1]);
  return gaps;
}

// The spacing once the pipeline is full (frames 4 to n - 3) is `cycles`.
inline void expect_steady(const std::vector<int64_t>& gaps, int64_t cycles) {
  ASSERT_GE(gaps.size(), 8u);
  for (size_t f = 3; f + 3 < gaps.size(); ++f) EXPECT_EQ(gaps[f], cycles) << "frame " << f + 1;
}

}  // namespace vine::testing_support
