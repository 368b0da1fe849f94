// models::WeightsGeneratorTiming, the closed form of the OVSF weights
// generator's cycles, against a cycle-by-cycle count of its protocol and
// against the cycles tb_ovsf_generator measured on the Verilated RTL.
#include "models/pe/weights_generator_timing.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

using vine::models::WeightsGeneratorTiming;

// Cycle by cycle: one beat (a group of `lanes` positions) accepted whenever
// II cycles have passed since the previous one, its output LATENCY cycles
// after acceptance; counts cycles from the first acceptance to the last
// output inclusive.
int64_t count_cycles(const WeightsGeneratorTiming& t, int64_t filters, int64_t filter_len) {
  const int64_t beats = filters * ((filter_len + t.lanes - 1) / t.lanes);
  int64_t accepted = 0, last_out = -1, last_accept = -1, cycle = 0;
  for (; accepted < beats || cycle <= last_out; ++cycle) {
    if (accepted < beats && (last_accept < 0 || cycle - last_accept >= t.ii())) {
      last_accept = cycle;
      last_out = cycle + t.latency();
      ++accepted;
    }
  }
  return cycle;
}

TEST(WeightsGeneratorTiming, LatencyFollowsTheAdderTree) {
  // 2 + tree_stages(kept), two adder levels per stage.
  EXPECT_EQ(WeightsGeneratorTiming(2, 1, 1).latency(), 2);
  EXPECT_EQ(WeightsGeneratorTiming(8, 4, 2).latency(), 3);
  EXPECT_EQ(WeightsGeneratorTiming(64, 16, 8).latency(), 4);
  EXPECT_EQ(WeightsGeneratorTiming(1024, 256, 16).latency(), 6);
  EXPECT_EQ(WeightsGeneratorTiming(64, 16, 8).ii(), 1);
}

TEST(WeightsGeneratorTiming, ClosedFormEqualsTheCycleCount) {
  for (int length : {2, 8, 64, 1024})
    for (int lanes = 1; lanes <= length; lanes *= 4)
      for (int kept : {1, length / 4 + 1, length}) {
        const WeightsGeneratorTiming t(length, kept, lanes);
        for (int64_t filters : {1, 3, 64})
          for (int64_t len : {int64_t(1), int64_t(length / 2 + 1), int64_t(length)}) {
            if (len > length) continue;
            ASSERT_EQ(t.layer_cycles(filters, len), count_cycles(t, filters, len))
                << "L " << length << " kept " << kept << " lanes " << lanes << " " << filters << " x " << len;
          }
      }
}

TEST(WeightsGeneratorTiming, MatchesTheRtlBench) {
  // tb_ovsf_generator l64_k16_c8_p8_o16: 8 filters x 47 weights took 52
  // cycles = 8 * ceil(47 / 8) + LATENCY 4.
  EXPECT_EQ(WeightsGeneratorTiming(64, 16, 8).layer_cycles(8, 47), 52);
  // tb_ovsf_generator l8_k4_c4_p2_o4: 8 x 5 weights, 27 cycles = 8 * 3 + 3.
  EXPECT_EQ(WeightsGeneratorTiming(8, 4, 2).layer_cycles(8, 5), 27);
  // l32_k32_c5_p32_o12: one group per filter, 8 + 5.
  EXPECT_EQ(WeightsGeneratorTiming(32, 32, 32).layer_cycles(8, 23), 13);
}

TEST(WeightsGeneratorTiming, ResNetLayer) {
  // A 3x3x64 -> 64 convolution: filters of 576 weights pad to L = 1024;
  // 16 lanes generate a filter in ceil(576 / 16) = 36 cycles, so the layer's
  // 64 filters take 64 * 36 + LATENCY(256 kept: 2 + tree_stages(256) = 6).
  const WeightsGeneratorTiming t(1024, 256, 16);
  EXPECT_EQ(t.groups_per_filter(576), 36);
  EXPECT_EQ(t.layer_cycles(64, 576), 64 * 36 + 6);
}

TEST(WeightsGeneratorTiming, BadParametersAreNamed) {
  EXPECT_THROW(WeightsGeneratorTiming(12, 4, 2), std::invalid_argument);
  EXPECT_THROW(WeightsGeneratorTiming(16, 4, 3), std::invalid_argument);
  EXPECT_THROW(WeightsGeneratorTiming(16, 4, 32), std::invalid_argument);
  EXPECT_THROW(WeightsGeneratorTiming(16, 0, 4), std::invalid_argument);
  EXPECT_THROW(WeightsGeneratorTiming(16, 17, 4), std::invalid_argument);
  EXPECT_THROW(WeightsGeneratorTiming(16, 4, 4).layer_cycles(1, 17), std::invalid_argument);
  EXPECT_THROW(WeightsGeneratorTiming(16, 4, 4).layer_cycles(0, 9), std::invalid_argument);
}

}  // namespace
