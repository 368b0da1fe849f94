// Runs a design under the FIFO, LIFO and two shuffled host orders
// (models/stage/scheduler.h) and checks that every beat of every FIFO moves
// in the same cycle under each: the order in which the host runs ready
// stages must never change a cycle.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/run/simulation.h"

namespace vine::testing_support {

// `orders_differ`: also require that the orders really ran the stages
// differently (their activation counts differ from the FIFO order's).
inline void expect_host_order_never_changes_a_cycle(const ir::Design& d, int frames, const std::string& label,
                                                    bool orders_differ) {
  std::vector<std::vector<models::FifoTimes>> want;
  int64_t want_activations = 0;
  for (int variant = 0; variant < 4; ++variant) {
    sim::RunOptions o;
    o.frames = frames;
    o.timing_only = true;
    o.record = true;
    o.host_order = variant == 0   ? models::HostOrder::kFifo
                   : variant == 1 ? models::HostOrder::kLifo
                                  : models::HostOrder::kShuffled;
    o.host_order_seed = uint64_t(variant);
    sim::Simulation s(d, o);
    ASSERT_TRUE(s.run().finished) << label << " order " << variant;
    std::vector<std::vector<models::FifoTimes>> got;
    for (const auto& f : s.network().fifos()) got.push_back(f->times());
    if (variant == 0) {
      want = got;
      want_activations = s.network().activations();
      continue;
    }
    if (orders_differ) {
      EXPECT_NE(s.network().activations(), want_activations) << label << " order " << variant;
    }
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].size(), want[i].size()) << label << " " << s.network().fifos()[i]->name();
      for (size_t k = 0; k < got[i].size(); ++k) {
        ASSERT_EQ(got[i][k].write, want[i][k].write)
            << label << " " << s.network().fifos()[i]->name() << " beat " << k << " order " << variant;
        ASSERT_EQ(got[i][k].read, want[i][k].read)
            << label << " " << s.network().fifos()[i]->name() << " beat " << k << " order " << variant;
      }
    }
  }
}

}  // namespace vine::testing_support
