#include "sim/finn_config/finn_graph.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>

#include "sim/config/config_error.h"
#include "sim/finn_config/finn_op_types.h"
#include "models/layers/stage_kinds.h"

namespace vine::finn {

std::string finn_style_of(const ir::Design& d, int layer, const std::string& kind) {
  if (layer >= 0 && size_t(layer) < d.folding.size()) {
    const auto& own = d.folding[size_t(layer)].finn_impl;
    if (auto it = own.find(kind); it != own.end()) return it->second;
  }
  if (auto it = d.finn_impl.find(kind); it != d.finn_impl.end()) return it->second;
  const FinnOpType* t = finn_op_type_of(kind);
  return t && !t->default_style.empty() ? t->default_style : "hls";
}

namespace {

constexpr int kGraphInput = -1;

// An edge of FINN's graph out of a node: where InsertFIFO puts a FIFO.
struct Edge {
  bool to_output = false;  // into the graph output (its FIFO comes last)
  int stream = -1;         // the Vine stream FINN's FIFO on this edge is; -1: none
  std::string finn_only;   // why there is none
  // Where the edge goes: a node, or a plan stage whose first node it enters
  // (resolved once every node is made); neither: the graph output.
  int to_node = -1, to_stage = -1;
};

class GraphBuilder {
 public:
  GraphBuilder(const ir::Design& d, const ir::StreamingPlan& p, const FinnOnlyNodes& extra)
      : d_(d), plan_(p), extra_(extra), node_in_(p.stages.size(), -1), node_out_(p.stages.size(), -1) {}

  std::vector<FinnNode> build() {
    if (!extra_.input_thresholding.empty()) {
      FinnNode n;
      n.op = "Thresholding";
      n.style = extra_.input_thresholding;
      n.finn_only = "the input quantiser FINN puts before the first layer (Vine's network takes its input as is)";
      head_ = push(n);
    }
    // Compute nodes in plan order, each stage's converters right after it.
    for (size_t i = 0; i < plan_.stages.size(); ++i) {
      const ir::StagePlan& s = plan_.stages[i];
      const std::string kind = ir::family_name(s.kind);
      // A weight streamer is FINN's external weight input of the MVAU, fed
      // from outside the dataflow graph: no node, no FIFO of the graph's.
      if (kind == "dwc" || kind == "output_dma" || kind == "weight_streamer") continue;
      if (kind != "input_dma") add_stage(int(i), kind);
      follow_outputs(int(i));
    }
    for (const std::string& t : extra_.tail) {
      FinnNode n;
      const auto cut = t.rfind('_');
      n.op = t.substr(0, cut);
      n.style = cut == std::string::npos ? "hls" : t.substr(cut + 1);
      n.finn_only = "after the last layer in FINN's graph (" + n.op + "), no stage in Vine's network";
      tail_.push_back(push(n));
    }
    // The last Vine node's output edge goes into the tail's head instead.
    if (!tail_.empty()) {
      for (auto& e : out_edges_)
        for (Edge& edge : e)
          if (edge.to_output) {
            edge.to_output = false;
            edge.to_node = tail_.front();
          }
      for (size_t k = 0; k < tail_.size(); ++k)
        out_edges_[size_t(tail_[k])].push_back({k + 1 == tail_.size(), -1, "after the last layer, beyond Vine's output",
                                                k + 1 < tail_.size() ? tail_[k + 1] : -1, -1});
    }
    return with_fifos_named();
  }

 private:
  int push(FinnNode n) {
    nodes_.push_back(std::move(n));
    out_edges_.emplace_back();
    return int(nodes_.size()) - 1;
  }

  void add_stage(int i, const std::string& kind) {
    const ir::StagePlan& s = plan_.stages[size_t(i)];
    const FinnOpType* t = finn_op_type_of(kind);
    if (!t) throw std::invalid_argument("stage " + s.name + ": kind '" + kind + "' has no FINN node");
    if (kind == "avgpool" || (kind == "maxpool" && pool_by_window(s))) {
      // FINN's pool is a sliding window and a Pool node (an average pool,
      // or a max pool whose windows overlap or skip: FINN's
      // StreamingMaxPool takes kernel = stride only).
      FinnNode w;
      w.op = "ConvolutionInputGenerator";
      // Vine times the pool's window inside its pool, from HLS: FINN's
      // HLS window unless `finn_impl` names the one FINN built.
      w.style = named(s.layer, "swg") ? finn_style_of(d_, s.layer, "swg") : "hls";
      w.stage = i;
      w.pool_window = true;
      const int wi = push(w);
      FinnNode p;
      p.op = "Pool";
      p.style = "hls";
      p.stage = i;
      const int pi = push(p);
      out_edges_[size_t(wi)].push_back(
          {false, -1, "between the sliding window and the Pool FINN builds a pool of, one stage in Vine", pi, -1});
      node_in_[size_t(i)] = wi;
      node_out_[size_t(i)] = pi;
      return;
    }
    FinnNode n;
    n.op = t->op;
    // A stage timed from the RTL template is FINN's _rtl node.
    n.style = ir::rtl_variant(s.kind) ? "rtl" : hls_timed_style(s, kind);
    n.stage = i;
    node_in_[size_t(i)] = node_out_[size_t(i)] = push(n);
  }

  // Whether the layer's or the design's `finn_impl` names kind's style.
  bool named(int layer, const std::string& kind) const {
    return d_.finn_impl.count(kind) || (layer >= 0 && d_.folding[size_t(layer)].finn_impl.count(kind));
  }

  // The node of a stage Vine times from FINN's HLS template: the style the
  // layer's or the design's `finn_impl` names; else the HLS node where Vine
  // could time the RTL one (its variant takes the layer), so that a config
  // read back times what this design times (an _rtl node picks the RTL
  // variant, finn_apply.h); else current finn-examples' style.
  std::string hls_timed_style(const ir::StagePlan& s, const std::string& kind) const {
    if (s.layer < 0 || named(s.layer, kind)) return finn_style_of(d_, s.layer, kind);
    const kinds::StageKindEntry* v = kinds::stage_kinds().rtl_variant(kind);
    if (v && (!v->refuses || v->refuses(d_.network.layers[size_t(s.layer)], d_.folding[size_t(s.layer)]).empty()))
      return "hls";
    return finn_style_of(d_, s.layer, kind);
  }

  // A max pool FINN builds as a window and a Pool: kernel and stride differ
  // along a side (FINN's StreamingMaxPool takes non-overlapping windows only;
  // ResNet-50's 3 x 3 / 2 pool is ConvolutionInputGenerator and Pool).
  static bool pool_by_window(const ir::StagePlan& s) {
    return s.kernel_h != s.stride_h || s.kernel_w != s.stride_w;
  }

  // The streams from stage `from`'s output port through converters to the
  // next other stage: FINN's edge, with a converter or without.
  void follow_outputs(int from) {
    const ir::StagePlan& s = plan_.stages[size_t(from)];
    const bool from_input = ir::family_name(s.kind) == std::string("input_dma");
    const int producer = from_input ? (head_ >= 0 ? head_ : kGraphInput) : node_out_[size_t(from)];
    if (from_input && head_ >= 0)
      graph_input_edges_.push_back({false, -1, "the graph input, into the input quantiser", head_, -1});
    for (size_t port = s.outputs.size(); port-- > 0;) {
      std::vector<int> streams{s.outputs[port]};
      std::vector<int> dwcs;
      for (;;) {
        const int c = plan_.streams[size_t(streams.back())].consumer;
        if (ir::family_name(plan_.stages[size_t(c)].kind) != std::string("dwc")) break;
        dwcs.push_back(c);
        streams.push_back(plan_.stages[size_t(c)].outputs.at(0));
      }
      const int consumer = plan_.streams[size_t(streams.back())].consumer;
      const bool to_output = ir::family_name(plan_.stages[size_t(consumer)].kind) == std::string("output_dma");
      int graph_edge = -1;
      for (int id : streams)
        if (plan_.streams[size_t(id)].graph_edge) graph_edge = id;
      const int in_bits = plan_.streams[size_t(streams.front())].bits;
      const int out_bits = plan_.streams[size_t(streams.back())].bits;
      // FINN converts between two nodes only, where their widths differ.
      const bool finn_dwc = !dwcs.empty() && in_bits != out_bits && producer != kGraphInput && !to_output;
      const int to_stage = to_output ? -1 : consumer;
      if (!finn_dwc) {
        add_edge(producer, {to_output, graph_edge >= 0 ? graph_edge : streams.back(), "", -1, to_stage});
        continue;
      }
      FinnNode c;
      c.op = "StreamingDataWidthConverter";
      c.style = finn_dwc_style(in_bits, out_bits);
      c.stage = dwcs.front();
      const int ci = push(c);
      const int before = graph_edge >= 0 && graph_edge != streams.back() ? graph_edge : streams.front();
      add_edge(producer, {false, before, "", ci, -1});
      add_edge(ci, {false, streams.back(), "", -1, to_stage});
    }
  }

  void add_edge(int producer, const Edge& e) {
    (producer == kGraphInput ? graph_input_edges_ : out_edges_[size_t(producer)]).push_back(e);
  }

  // FIFOs after their producers (a node's in reverse port order, as
  // InsertFIFO inserts each right after it), the graph input's first and
  // the graph output's last: the node list before FINN sorts it. Then
  // qonnx's SortGraph (transformation/general.py), which FINN applies after
  // inserting them: toposort_flatten, level by level (a node's level is the
  // longest path to it from the graph's inputs), each level in the list's
  // order. On a chain this is the list itself; across the branches of a
  // residual block it interleaves them. Then every node named.
  std::vector<FinnNode> with_fifos_named() {
    auto fifo = [](const Edge& e) {
      FinnNode f;
      f.op = "StreamingFIFO";
      f.style = "rtl";
      f.fifo = true;
      f.stream = e.stream;
      f.finn_only = e.stream < 0 ? e.finn_only : "";
      return f;
    };
    std::vector<FinnNode> out;
    std::vector<int> pred;          // a FIFO's producer's position in `out` (-1: none)
    std::vector<const Edge*> edge;  // a FIFO's edge
    std::vector<int> at(nodes_.size(), -1);  // a node's position in `out`
    std::vector<FinnNode> graph_out;
    std::vector<std::pair<int, const Edge*>> graph_out_edges;
    auto add_fifo = [&](const Edge& e, int producer) {
      out.push_back(fifo(e));
      pred.push_back(producer);
      edge.push_back(&e);
    };
    for (const Edge& e : graph_input_edges_) add_fifo(e, -1);
    for (size_t n = 0; n < nodes_.size(); ++n) {
      at[n] = int(out.size());
      out.push_back(nodes_[n]);
      pred.push_back(-1);
      edge.push_back(nullptr);
      // out_edges_ were recorded in reverse port order already (follow_outputs walks ports backwards).
      for (const Edge& e : out_edges_[n]) {
        if (e.to_output)
          graph_out_edges.push_back({at[n], &e});
        else
          add_fifo(e, at[n]);
      }
    }
    for (const auto& [p, e] : graph_out_edges) add_fifo(*e, p);
    // Levels: a FIFO one past its producer, a node one past its latest
    // input FIFO. The list is in topological order (Vine's plan is, and
    // each FIFO follows its producer), so one pass sets them.
    std::vector<int> level(out.size(), 0);
    std::vector<std::vector<int>> inputs(out.size());
    for (size_t k = 0; k < out.size(); ++k) {
      if (!out[k].fifo) continue;
      const Edge& e = *edge[k];
      const int to = e.to_node >= 0 ? at[size_t(e.to_node)] : e.to_stage >= 0 ? at[size_t(node_in_[size_t(e.to_stage)])] : -1;
      if (to >= 0) inputs[size_t(to)].push_back(int(k));
    }
    for (size_t k = 0; k < out.size(); ++k) {
      if (out[k].fifo) {
        if (pred[k] >= 0) level[k] = level[size_t(pred[k])] + 1;
        continue;
      }
      for (int i : inputs[k]) {
        if (size_t(i) > k) throw std::logic_error("FINN graph: " + out[k].op + " listed before its input FIFO");
        level[k] = std::max(level[k], level[size_t(i)] + 1);
      }
    }
    std::vector<size_t> order(out.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return level[a] < level[b]; });
    std::vector<FinnNode> sorted;
    sorted.reserve(out.size());
    for (size_t k : order) sorted.push_back(std::move(out[k]));
    std::map<std::string, int> count;
    for (FinnNode& n : sorted) {
      const std::string op = n.op + "_" + n.style;
      n.name = op + "_" + std::to_string(count[op]++);
    }
    return sorted;
  }

  const ir::Design& d_;
  const ir::StreamingPlan& plan_;
  const FinnOnlyNodes& extra_;
  std::vector<FinnNode> nodes_;
  std::vector<std::vector<Edge>> out_edges_;
  std::vector<Edge> graph_input_edges_;
  std::vector<int> node_in_;   // the node a stage's inputs enter (a pool's: its window)
  std::vector<int> node_out_;  // the node a stage's outputs leave (a pool's: its Pool)
  std::vector<int> tail_;
  int head_ = -1;
};

}  // namespace

std::vector<FinnNode> finn_graph(const ir::Design& d, const ir::StreamingPlan& plan, const FinnOnlyNodes& extra) {
  // A FINN folding config is one board's build; a split design's link
  // stages have no FINN node.
  if (d.placement.placed())
    throw config::ConfigError(d.placement.cluster_where, "a design placed on cluster " + d.placement.cluster.name,
                              "a design on one device (a FINN folding config is one board's build: give each "
                              "board's layers a design of their own)");
  return GraphBuilder(d, plan, extra).build();
}

}  // namespace vine::finn
