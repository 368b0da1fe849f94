// The FINN graph a Vine design would have in a FINN build, node by node,
// with FINN's node names: what `vine export finn` writes and `vine import
// finn-config` reads (docs/finn-configs.md).
//
// FINN names nodes after its FIFOs and width converters are in the graph
// (build step set_fifo_depths: InsertDWC, InsertFIFO with shallow FIFOs,
// SpecializeLayers, GiveUniqueNodeNames, then ApplyConfig): each node is
// `<op_type>_<index>`, the index counting that op_type (style included:
// MVAU_hls and MVAU_rtl count apart) in graph order. InsertDWC and
// InsertFIFO put each new node right after its producer, so a node's output
// FIFOs (and converters) follow it, a multi-output node's in reverse port
// order; the graph input's FIFO comes first and the graph output's last.
// qonnx's SortGraph then lists that graph level by level (a node's level is
// its longest path from the graph input), each level in that order: the
// branches of a residual block interleave.
//
// Vine's process network and FINN's graph differ in known places, each
// handled here:
// - Vine's DMAs are not nodes: FINN inserts its IODMAs after the FIFOs are
//   named; the input DMA's stream is FINN's graph-input FIFO, the output
//   DMA's its graph-output FIFO.
// - A Vine average pool, or max pool whose kernel is not its stride, is one
//   stage; FINN builds it as a sliding window (ConvolutionInputGenerator,
//   SIMD = the pool's PE) and a Pool node, with a FIFO between them that
//   Vine has no stream for.
// - Vine converts between widths that do not divide each other with two
//   converters (through their least common multiple), and converts on both
//   sides of an edge given its own `bits`; FINN has one converter between
//   two nodes whose widths differ and none where they agree. Every chain of
//   Vine converters between two other stages is one FINN converter, or
//   none, accordingly; FINN's FIFO before it is Vine's graph-edge stream
//   (or the chain's first stream), the one after it the chain's last
//   stream, and Vine's other streams on the chain have no FINN FIFO.
// - Nodes FINN has that Vine's network has no stage for (FinnOnlyNodes):
//   the input quantiser a Brevitas model starts with (a Thresholding node
//   before the first layer: BNN-PYNQ's CNV and TFC), and the nodes after
//   the last layer (ChannelwiseOp, the scaling of MobileNet's logits;
//   LabelSelect, the top-k). They are named at their place, so that the
//   other nodes' indices are FINN's, and map to no Vine stage. (A
//   ChannelwiseOp inside the network is a channelwise layer's stage.)
#pragma once

#include <string>
#include <vector>

#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine::finn {

struct FinnOnlyNodes {
  std::string input_thresholding;  // its style ("rtl", "hls"); empty: no input quantiser node
  // After the last layer, in graph order, each as "<op_type>_<style>"
  // ("ChannelwiseOp_hls", "LabelSelect_hls").
  std::vector<std::string> tail;
};

struct FinnNode {
  std::string name;   // "MVAU_hls_3", "StreamingFIFO_rtl_12"
  std::string op;     // "MVAU", "StreamingFIFO"
  std::string style;  // "hls", "rtl"
  bool fifo = false;
  int stage = -1;   // a compute node: the Vine stage it is (plan index); -1: none
  int stream = -1;  // a FIFO: the Vine stream it is (plan index); -1: none
  // A sliding window FINN puts before a Pool: the pool's stage, not a stage of its own.
  bool pool_window = false;
  std::string finn_only;  // why FINN has this node and Vine not (empty when Vine has it)
};

// The styles of each stage of `d`: the layer's `finn_impl`, the design's,
// else current finn-examples' (finn_op_types.h).
std::string finn_style_of(const ir::Design& d, int layer, const std::string& kind);

// FINN's graph of `d` (whose plan is `plan`), in graph order, FIFOs included.
std::vector<FinnNode> finn_graph(const ir::Design& d, const ir::StreamingPlan& plan, const FinnOnlyNodes& extra);

}  // namespace vine::finn
