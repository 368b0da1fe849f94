// Shared by the FINN folding-config tests (test_finn_config.cpp, and
// test_finn_data.cpp on the real configs): a design's effective FIFOs and
// folding, to compare two designs by what they build.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/finn_config/finn_graph.h"
#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine_test {

// Equal folding, weight memories, FINN styles, and every stream's depth,
// style and FINN styles: the two designs build the same hardware.
inline void expect_same_design(const vine::ir::Design& a, const vine::ir::Design& b, const std::string& what) {
  ASSERT_EQ(a.folding.size(), b.folding.size()) << what;
  for (size_t i = 0; i < a.folding.size(); ++i) {
    const std::string layer = what + " layer " + a.network.layers[i].name;
    EXPECT_EQ(a.folding[i].pe, b.folding[i].pe) << layer;
    EXPECT_EQ(a.folding[i].simd, b.folding[i].simd) << layer;
    EXPECT_EQ(a.folding[i].window_simd, b.folding[i].window_simd) << layer;
    EXPECT_EQ(a.folding[i].threshold_pe, b.folding[i].threshold_pe) << layer;
    EXPECT_EQ(a.folding[i].padding_simd, b.folding[i].padding_simd) << layer;
    EXPECT_EQ(a.folding[i].duplicate_pe, b.folding[i].duplicate_pe) << layer;
    EXPECT_EQ(a.folding[i].weight_memory, b.folding[i].weight_memory) << layer;
    EXPECT_EQ(a.folding[i].finn_impl, b.folding[i].finn_impl) << layer;
  }
  EXPECT_EQ(a.finn_impl, b.finn_impl) << what;
  EXPECT_EQ(a.pipeline_flush, b.pipeline_flush) << what << ": pipeline_style";
  EXPECT_EQ(a.pipeline_flush_kind, b.pipeline_flush_kind) << what << ": pipeline_style";
  const auto pa = vine::ir::plan_process_network(a), pb = vine::ir::plan_process_network(b);
  // The same templates time the same stages (impl_style).
  ASSERT_EQ(pa.stages.size(), pb.stages.size()) << what;
  for (size_t i = 0; i < pa.stages.size(); ++i)
    EXPECT_EQ(vine::ir::to_string(pa.stages[i].kind), vine::ir::to_string(pb.stages[i].kind)) << what << " "
                                                                                              << pa.stages[i].name;
  ASSERT_EQ(pa.streams.size(), pb.streams.size()) << what;
  for (size_t i = 0; i < pa.streams.size(); ++i) {
    EXPECT_EQ(pa.streams[i].name, pb.streams[i].name) << what;
    EXPECT_EQ(pa.streams[i].depth, pb.streams[i].depth) << what << " " << pa.streams[i].name;
    EXPECT_EQ(pa.streams[i].memory_style, pb.streams[i].memory_style) << what << " " << pa.streams[i].name;
  }
  auto styles = [](const vine::ir::Design& d) {
    std::string s;
    for (const auto& f : d.fifos) s += f.from + "->" + f.to + ":" + f.finn_impl_style + "/" + f.finn_ram_style + " ";
    for (const auto& f : d.stream_fifos)
      if (!f.finn_impl_style.empty() || !f.finn_ram_style.empty())
        s += f.stream + ":" + f.finn_impl_style + "/" + f.finn_ram_style + " ";
    return s;
  };
  EXPECT_EQ(styles(a), styles(b)) << what;
}

// A design's FINN graph in order: each node's FINN name, and each FIFO as
// the plan's stream it sits on ("-" for one on no stream).
inline std::vector<std::string> finn_graph_order(const vine::ir::Design& d) {
  const vine::ir::StreamingPlan plan = vine::ir::plan_process_network(d);
  std::vector<std::string> order;
  for (const auto& n : vine::finn::finn_graph(d, plan, {}))
    order.push_back(n.fifo ? (n.stream >= 0 ? plan.streams[size_t(n.stream)].name : "-") : n.name);
  return order;
}

inline const vine::finn::FinnNode* node_named(const std::vector<vine::finn::FinnNode>& g, const std::string& name) {
  for (const auto& n : g)
    if (n.name == name) return &n;
  return nullptr;
}

}  // namespace vine_test
