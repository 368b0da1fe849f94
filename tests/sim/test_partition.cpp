// `vine partition` (sim/explore/partition.h): the dynamic programme and
// binary search against every split enumerated, the streams a cut carries
// (residual edges included), and the link's cycles per frame in closed form.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <set>

#include "sim/config/loaders.h"
#include "sim/explore/partition.h"

namespace vine::explore {
namespace {

namespace fs = std::filesystem;
const fs::path kConfigs = fs::path(VINE_SOURCE_DIR) / "configs";

// A chain of `boards` copies of the cluster's first board and link.
ir::Cluster chain_of(const ir::Cluster& base, int boards) {
  ir::Cluster c = base;
  c.boards.clear();
  c.links.clear();
  for (int b = 0; b < boards; ++b) {
    ir::ClusterBoard board = base.boards[0];
    board.name = "fpga" + std::to_string(b);
    c.boards.push_back(board);
    if (b > 0) {
      ir::ClusterLink l = base.links[0];
      l.from_board = b - 1;
      l.to_board = b;
      c.links.push_back(l);
    }
  }
  return c;
}

// Every split of n layers into at most k non-empty consecutive ranges.
void for_each_split(int n, int k, const std::function<void(const std::vector<int>&)>& f) {
  std::vector<int> cuts;
  std::function<void(int)> rec = [&](int from) {
    f(cuts);
    if (int(cuts.size()) + 1 == k) return;
    for (int at = from; at < n; ++at) {
      cuts.push_back(at);
      rec(at + 1);
      cuts.pop_back();
    }
  };
  rec(1);
}

// Checks the search against every split; returns what it chose.
PartitionResult expect_optimal(const std::string& design, const std::string& cluster, int boards,
                               double budget, double line_rate_gbps) {
  SCOPED_TRACE(design + " on " + std::to_string(boards) + " boards, budget " + std::to_string(budget) +
               ", link " + std::to_string(line_rate_gbps) + " Gb/s");
  const ir::Design d = config::load_design((kConfigs / design).string());
  ir::Cluster c = chain_of(config::load_cluster((kConfigs / cluster).string()), boards);
  c.utilisation_max = budget;
  for (ir::ClusterLink& l : c.links) l.config.line_rate_gbps = line_rate_gbps;
  const Partitioner part(d, c);
  const PartitionResult r = part.best();
  double best = 0;
  size_t best_boards = 0;
  int splits = 0;
  for_each_split(int(d.network.layers.size()), boards, [&](const std::vector<int>& cuts) {
    ++splits;
    const double t = part.split_interval(cuts);
    if (t > 0 && (best == 0 || t < best || (t == best && cuts.size() + 1 < best_boards))) {
      best = t;
      best_boards = cuts.size() + 1;
    }
  });
  EXPECT_GT(splits, 1);
  EXPECT_EQ(r.interval_cycles, best);
  EXPECT_EQ(r.boards.size(), best_boards);
  if (best == 0) return r;
  // The split it reports meets its interval, board by board and link by link.
  for (const BoardPart& b : r.boards) {
    EXPECT_LE(double(b.cycles), r.interval_cycles);
    EXPECT_LE(b.utilisation, budget + 1e-12);
  }
  for (const CutPart& cut : r.cuts) EXPECT_LE(cut.cycles_per_frame, r.interval_cycles);
  std::vector<int> cuts;
  for (const CutPart& cut : r.cuts) cuts.push_back(cut.at);
  EXPECT_EQ(part.split_interval(cuts), r.interval_cycles);
  return r;
}

TEST(Partition, TheDynamicProgrammeFindsTheBestOfEverySplit) {
  // Budgets where one board is too small or enough, links fast or slow
  // enough to move the cut or to make a split not worth it.
  std::set<size_t> boards_used;
  bool link_mattered = false;
  auto check = [&](const std::string& design, double budget, double rate) {
    const PartitionResult r = expect_optimal(design, "clusters/pynq-z1-x2.yaml", 3, budget, rate);
    boards_used.insert(r.boards.size());
    for (const CutPart& c : r.cuts) link_mattered |= c.cycles_per_frame > 0.2 * r.interval_cycles;
    if (r.single_board_interval_cycles > 0 && r.boards.size() == 1) {
      EXPECT_EQ(r.interval_cycles, r.single_board_interval_cycles);
    }
  };
  for (double budget : {0.2, 0.5, 0.85})
    for (double rate : {6.25, 0.6}) {
      check("designs/finn-examples/tfc-w1a1-pynq-z1.yaml", budget, rate);
      check("designs/default.yaml", budget, rate);
    }
  check("designs/finn-examples/tfc-w1a1-pynq-z1.yaml", 0.2, 0.05);  // a link too slow to cut at all
  EXPECT_EQ(boards_used, (std::set<size_t>{1, 2, 3}));
  EXPECT_TRUE(link_mattered);
}

TEST(Partition, MoreBoardsNeverSlower) {
  const ir::Design d = config::load_design((kConfigs / "designs/default.yaml").string());
  const ir::Cluster base = config::load_cluster((kConfigs / "clusters/pynq-z1-x2.yaml").string());
  double last = 0;
  for (int k = 1; k <= 4; ++k) {
    ir::Cluster c = chain_of(base, k);
    c.utilisation_max = 0.3;
    const PartitionResult r = Partitioner(d, c).best();
    if (last > 0) {
      ASSERT_GT(r.interval_cycles, 0);
      EXPECT_LE(r.interval_cycles, last);
    }
    if (r.interval_cycles > 0) last = r.interval_cycles;
  }
  EXPECT_GT(last, 0);
}

TEST(Partition, ACutInsideAResidualBlockCarriesBothEdges) {
  const ir::Network net = config::load_network((kConfigs / "networks/resnet18-mixed.yaml").string());
  bool found = false;
  for (int at = 1; at < int(net.layers.size()) && !found; ++at) {
    const ir::Layer& l = net.layers[size_t(at)];
    if (l.kind != ir::LayerKind::kAdd) continue;
    // Cut just before the add: its two inputs both cross.
    const std::vector<CutStream> s = cut_streams(net, at);
    ASSERT_EQ(s.size(), 2u) << l.name;
    for (const CutStream& c : s) {
      const ir::Layer& p = net.layers[size_t(c.producer)];
      EXPECT_EQ(c.bits_per_frame, p.out_shape.elements() * p.out_type.bits);
    }
    found = true;
  }
  EXPECT_TRUE(found);
  // A plain chain cut carries one stream, the producer's output.
  const std::vector<CutStream> first = cut_streams(net, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].producer, 0);
}

TEST(Partition, LinkCyclesPerFrameInClosedForm) {
  models::LinkConfig l;  // 4 lanes x 25.78125 Gb/s: 256-bit words at 402.83203125 MHz
  l.frame_words = 64;
  std::vector<CutStream> s{{0, "a", 256 * 1000 + 1}, {1, "b", 256}};
  int64_t words = 0;
  const double cycles = link_cycles_per_frame(s, l, 200.0, &words);
  EXPECT_EQ(words, 1001 + 1);
  // Over lcm(33, 4992) = 54912 cycles: 1664 gearbox pauses and 11 x 8
  // clock-compensation cycles, less those that are both.
  int overlap = 0;
  for (int w = 0; w < 11; ++w)
    for (int c = w * 4992; c < w * 4992 + 8; ++c) overlap += (c % 33 == 32);
  const double slots = double(54912 - 1664 - 88 + overlap) / 54912.0;
  EXPECT_DOUBLE_EQ(cycles, 1002 * 65.0 / 64.0 / slots * 200.0 / 402.83203125);
}

}  // namespace
}  // namespace vine::explore
