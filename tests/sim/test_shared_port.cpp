// A shared port is granted in simulated-time order whatever order the host
// runs the stages in, and exactly as a per-cycle arbiter grants it.
//
// Three requesters share one port: A writes a beat to a 2-deep FIFO every
// advance, B reads it every advance, C advances every other cycle on its
// own. Every advance needs a grant, so the port is oversubscribed and A and B
// also wait on each other through the FIFO: a grant to A depends on whether
// B, blocked on A's beats, could still ask earlier (the lookahead).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "models/accelerator/accelerator.h"
#include "models/shared/shared_port.h"

namespace vine {
namespace {

using models::SharedPort;

// n advances, `gap` cycles apart at best, each needing a grant from shared port 0.
class Requester final : public models::Stage {
 public:
  Requester(std::string name, int64_t n, int gap, bool reads, bool writes)
      : Stage(std::move(name), models::PipelineTiming{0, -1}),
        n_(n),
        gap_(gap),
        reads_(reads),
        writes_(writes) {}
  const char* kind() const override { return "requester"; }

 protected:
  bool next_iteration(models::Iteration& it) override {
    if (k_ == n_) return false;
    it = {k_ * gap_, reads_ ? 1u : 0u, writes_ ? 1u : 0u, 0};
    ++k_;
    return true;
  }

 private:
  int64_t n_, k_ = 0;
  int gap_;
  bool reads_, writes_;
};

struct Contention {
  int64_t n = 300;
  int gap_a = 1, gap_b = 1, gap_c = 2;
  int depth = 2;  // the A -> B FIFO
  int occupancy = 1;
};

using Grants =
    std::vector<std::tuple<int, int64_t, int64_t>>;  // requester, request cycle, grant cycle

// The per-cycle arbiter: every cycle, the requesters that could advance
// (clock, FIFO beat or slot) ask; the port, when free, grants the one that
// has asked since the earliest cycle (ties: A, B, C).
Grants per_cycle(const Contention& s) {
  Grants out;
  int64_t k[3] = {0, 0, 0}, earliest[3] = {0, 0, 0}, since[3] = {-1, -1, -1};
  const int gap[3] = {s.gap_a, s.gap_b, s.gap_c};
  std::vector<int64_t> written, read;  // the FIFO's beats: write and read cycles
  int64_t port_free = 0;
  for (int64_t c = 0; k[0] < s.n || k[1] < s.n || k[2] < s.n; ++c) {
    bool ready[3];
    const int64_t w = int64_t(written.size());
    const bool slot_free =
        w < s.depth || (w - s.depth < int64_t(read.size()) && read[size_t(w - s.depth)] < c);
    ready[0] = k[0] < s.n && c >= earliest[0] && slot_free;
    ready[1] = k[1] < s.n && c >= earliest[1] && k[1] < w && written[size_t(k[1])] + 1 <= c;
    ready[2] = k[2] < s.n && c >= earliest[2];
    int win = -1;
    for (int r = 0; r < 3; ++r) {
      if (!ready[r]) continue;
      if (since[r] < 0) since[r] = c;
      if (win < 0 || since[r] < since[win]) win = r;
    }
    if (win < 0 || c < port_free) continue;
    out.emplace_back(win, since[win], c);
    if (win == 0) written.push_back(c);
    if (win == 1) read.push_back(c);
    ++k[win];
    earliest[win] = c + gap[win];
    since[win] = -1;
    port_free = c + s.occupancy;
  }
  return out;
}

Grants stamp_engine(const Contention& s, models::HostOrder order, uint64_t seed) {
  models::Topology topo;
  topo.stages = {"a", "b", "c"};
  topo.streams = {{"a->b", 0, 1}};
  topo.inputs = {{}, {0}, {}};
  topo.outputs = {{0}, {}, {}};
  auto make_stage = [&](int i) -> std::unique_ptr<models::Stage> {
    if (i == 0) return std::make_unique<Requester>("a", s.n, s.gap_a, false, true);
    if (i == 1) return std::make_unique<Requester>("b", s.n, s.gap_b, true, false);
    return std::make_unique<Requester>("c", s.n, s.gap_c, false, false);
  };
  auto make_stream = [&](int, const char* base) {
    return std::make_unique<models::StreamFifo>(base, "a->b", s.depth, 1, false, 1, false);
  };
  models::Accelerator accel("ports", topo, make_stage, make_stream);
  SharedPort port("ports_ddr", s.occupancy);
  port.record_grants(true);
  for (const auto& st : accel.stages()) st->add_shared_port(&port);
  accel.scheduler().add_shared_port(&port);
  accel.scheduler().set_order(order, seed);
  EXPECT_TRUE(accel.run());
  Grants out;
  for (const auto& g : port.grants()) out.emplace_back(g.requester, g.request, g.grant);
  // The FIFO agrees with the grants: A's beats are written in A's granted cycles.
  std::vector<int64_t> a_grants;
  for (const auto& [r, t, g] : out)
    if (r == 0) a_grants.push_back(g);
  const auto& times = accel.fifos()[0]->times();
  for (size_t k = 0; k < times.size() && k < a_grants.size(); ++k)
    EXPECT_EQ(times[k].write, a_grants[k]);
  return out;
}

TEST(SharedPort, GrantsInCycleOrderUnderAnyHostOrderEqualToAPerCycleArbiter) {
  for (const auto& [occupancy, depth, gap_c] : std::vector<std::tuple<int, int, int>>{
           {1, 2, 2}, {2, 2, 2}, {1, 1, 3}, {2, 3, 1}, {3, 2, 5}}) {
    Contention s;
    s.occupancy = occupancy;
    s.depth = depth;
    s.gap_c = gap_c;
    const Grants want = per_cycle(s);
    ASSERT_EQ(want.size(), size_t(3 * s.n));
    // The port really is contended: some requests wait.
    int64_t waited = 0;
    for (const auto& [r, t, g] : want) waited += g - t;
    EXPECT_GT(waited, s.n);
    const std::vector<std::pair<models::HostOrder, uint64_t>> orders = {
        {models::HostOrder::kFifo, 1},
        {models::HostOrder::kLifo, 1},
        {models::HostOrder::kShuffled, 1},
        {models::HostOrder::kShuffled, 7},
        {models::HostOrder::kShuffled, 12345}};
    for (const auto& [order, seed] : orders) {
      const Grants got = stamp_engine(s, order, seed);
      ASSERT_EQ(got.size(), want.size())
          << "occupancy " << occupancy << " order " << int(order) << " seed " << seed;
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i], want[i]) << "grant " << i << " (requester, request, grant), occupancy "
                                   << occupancy << ", order " << int(order) << " seed " << seed;
        if (i > 0) {  // at most one grant per `occupancy` cycles, in cycle order
          ASSERT_GE(std::get<2>(got[i]), std::get<2>(got[i - 1]) + occupancy);
        }
      }
    }
  }
}

}  // namespace
}  // namespace vine
