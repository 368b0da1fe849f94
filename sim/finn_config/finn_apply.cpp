#include "sim/finn_config/finn_apply.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "sim/config/config_error.h"
#include "sim/explore/finn_fifo_style.h"
#include "sim/finn_config/finn_op_types.h"
#include "sim/finn_config/finn_weight_memory.h"
#include "sim/ir/stage_plan.h"
#include "models/layers/stage_kinds.h"

namespace vine::finn {

using Json = nlohmann::ordered_json;

nlohmann::ordered_json read_finn_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw FinnConfigError(path + ": cannot be read");
  try {
    return Json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw FinnConfigError(path + ": not valid JSON (" + e.what() + ")");
  }
}

namespace {

struct NodeName {
  std::string op, style;
  int index = 0;
};

// <op_type>_<hls|rtl>_<index>, as FINN names its nodes.
std::optional<NodeName> parse_name(const std::string& n) {
  const auto last = n.rfind('_');
  if (last == std::string::npos || last == 0 || last + 1 == n.size()) return std::nullopt;
  const std::string digits = n.substr(last + 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) || digits.size() > 6)
    return std::nullopt;
  const auto mid = n.rfind('_', last - 1);
  if (mid == std::string::npos || mid == 0) return std::nullopt;
  NodeName out{n.substr(0, mid), n.substr(mid + 1, last - mid - 1), std::stoi(digits)};
  if (out.style != "hls" && out.style != "rtl") return std::nullopt;
  return out;
}

// Attributes FINN nodes carry that change nothing Vine simulates: checked
// for their type, reported as not applied.
const std::set<std::string>& carried_attributes() {
  static const std::set<std::string> a{"resType", "runtime_writeable_weights", "parallel_window",
                                       "depth_trigger_uram", "depth_trigger_bram", "inFIFODepths",
                                       "outFIFODepths", "ram_style", "mem_mode"};
  return a;
}

class Applier {
 public:
  Applier(const ir::Design& d, const Json& cfg, const std::string& path) : d_(d), cfg_(cfg), path_(path) {}

  AppliedConfig run() {
    read_entries();
    infer_finn_only();
    separate_listed_thresholds();
    set_styles();
    note_pipeline_style();
    // Pass 1: the compute nodes (their names do not depend on the folding).
    {
      const ir::StreamingPlan plan = ir::plan_process_network(d_);
      const auto graph = finn_graph(d_, plan, out_.finn_only);
      for (const auto& [name, e] : entries_) {
        const FinnNode* n = find(graph, name);
        if (n && n->fifo) continue;
        if (!n) {
          if (e.parsed.op == "StreamingDataWidthConverter" || e.parsed.op == "StreamingFIFO") continue;  // pass 2
          not_found(graph, name, e.parsed);
        }
        apply_compute(*n, plan, name, e.value);
        note_timing_node(*n, plan, name, e.parsed.style);
      }
      commit_layer_values();
      set_timing_styles();
    }
    // Pass 2: FIFOs and converters, on the folding just applied (it decides
    // where FINN converts widths, and so the FIFOs' indices).
    const ir::StreamingPlan plan = checked_plan("the folding it sets");
    const auto graph = finn_graph(d_, plan, out_.finn_only);
    std::set<int> listed;
    bool any_fifo = false;
    for (const auto& [name, e] : entries_) {
      if (e.parsed.op != "StreamingFIFO" && e.parsed.op != "StreamingDataWidthConverter") continue;
      const FinnNode* n = find(graph, name);
      if (!n) not_found(graph, name, e.parsed);
      if (!n->fifo) {  // a width converter: nothing to fold
        note_timing_node(*n, plan, name, e.parsed.style);
        for (const auto& [key, v] : e.value.items()) {
          // The FIFO depths InsertFIFO reads around it: the FIFOs' own entries set them.
          if (key == "inFIFODepths" || key == "outFIFODepths")
            out_.not_applied.push_back({name, key, v.dump(), "no effect on Vine's timing (the FIFOs' depths are applied)"});
          else
            fail(name, key, v.dump(), "no attribute but inFIFODepths, outFIFODepths: a width converter has no folding");
        }
        ++out_.nodes;
        continue;
      }
      any_fifo = true;
      apply_fifo(*n, plan, name, e.value);
      listed.insert(n->stream);
    }
    if (any_fifo)
      for (const FinnNode& n : graph)
        if (n.fifo && n.stream >= 0 && !listed.count(n.stream)) {
          set_stream(plan.streams[size_t(n.stream)], kInsertFifoDefault, "", "");
          ++out_.fifos_defaulted;
        }
    set_timing_styles();
    checked_plan("the FIFOs it sets");
    drop_implied_styles();
    out_.design = d_;
    return out_;
  }

 private:
  static constexpr int kInsertFifoDefault = 2;  // InsertFIFO: max(outFIFODepths, inFIFODepths), each [2] by default

  struct Entry {
    NodeName parsed;
    Json value;
  };

  [[noreturn]] void fail(const std::string& node, const std::string& field, const std::string& got,
                         const std::string& expected) const {
    std::string m = path_ + ": " + node;
    if (!field.empty()) m += ": " + field;
    if (!got.empty()) m += ": got " + got;
    m += (got.empty() ? ": expected " : ", expected ") + expected;
    throw FinnConfigError(m);
  }

  void read_entries() {
    if (!cfg_.is_object()) fail("(top level)", "", cfg_.type_name(), "a JSON object of FINN node names");
    for (const auto& [name, v] : cfg_.items()) {
      if (name == "Defaults") {
        if (!v.is_object() || !v.empty())
          fail(name, "", v.dump(), "{} (Vine applies values given on each node, not FINN's Defaults)");
        continue;
      }
      const auto parsed = parse_name(name);
      if (!parsed) fail(name, "", "", "a FINN node name <op_type>_<hls|rtl>_<index> (MVAU_hls_0)");
      if (!v.is_object()) fail(name, "", v.dump(), "an object of the node's attributes");
      entries_.push_back({name, {*parsed, v}});
    }
  }

  // FINN-only nodes, recognised by their place: a Thresholding listed first
  // when Vine's first stage is no threshold; ChannelwiseOp and LabelSelect.
  void infer_finn_only() {
    const ir::StreamingPlan plan = ir::plan_process_network(d_);
    int first = plan.streams[size_t(plan.stages.front().outputs.at(0))].consumer;
    while (ir::family_name(plan.stages[size_t(first)].kind) == std::string("dwc"))
      first = plan.streams[size_t(plan.stages[size_t(first)].outputs.at(0))].consumer;
    for (const auto& [name, e] : entries_) {
      if (e.parsed.op == "StreamingFIFO") continue;
      if (e.parsed.op == "Thresholding" && e.parsed.index == 0 &&
          ir::family_name(plan.stages[size_t(first)].kind) != std::string("threshold")) {
        out_.finn_only.input_thresholding = e.parsed.style;
        head_ = name;
      }
      break;
    }
    // The design's channelwise layers are the first ChannelwiseOp nodes in
    // graph order; one after them is FINN's alone (MobileNet's scaling of
    // its logits, after the last layer).
    int channelwise_layers = 0;
    for (const ir::Layer& l : d_.network.layers) channelwise_layers += l.kind == ir::LayerKind::kChannelwise;
    for (const auto& [name, e] : entries_)
      if ((e.parsed.op == "ChannelwiseOp" && e.parsed.index >= channelwise_layers) || e.parsed.op == "LabelSelect")
        out_.finn_only.tail.push_back(e.parsed.op + "_" + e.parsed.style);
  }

  // A config from a build whose thresholds are nodes of their own (FINN's
  // MVAU or VVAU with noActivation, then a Thresholding node: finn-examples'
  // MobileNet-V1 ZCU102 and ZCU104) applied to a design whose thresholds
  // sit inside its MVAUs and VVAUs: where the config lists as many
  // Thresholding nodes (the input quantiser aside) as the design has layers
  // with thresholds and an MVAU or VVAU (besides its threshold layers' own),
  // and the design's graph has fewer,
  // every such layer gets a threshold stage of its own (its PE from its
  // node in pass 1). Any other count is left to the name look-up, which
  // refuses what the graph does not have.
  void separate_listed_thresholds() {
    int listed = 0;
    for (const auto& [name, e] : entries_) listed += e.parsed.op == "Thresholding" && name != head_;
    if (listed == 0) return;
    std::vector<size_t> eligible;
    int separate = 0;
    for (size_t i = 0; i < d_.folding.size(); ++i) {
      const ir::Layer& l = d_.network.layers[i];
      listed -= l.kind == ir::LayerKind::kThreshold;  // a threshold layer's node is there either way
      if (!l.has_weights() || l.output.kind != ir::OutputKind::kThreshold) continue;
      eligible.push_back(i);
      separate += d_.folding[i].separate_thresholds();
    }
    if (listed != int(eligible.size()) || separate == listed) return;
    for (size_t i : eligible)
      if (!d_.folding[i].separate_thresholds()) d_.folding[i].threshold_pe = 1;
  }

  // Every node name the config may have (<op_type>_<hls|rtl>_<index>, read
  // above) is a FINN v0.10 one, whose templates flush; the design's style is
  // left as it is (the report points at a design that states none).
  void note_pipeline_style() { out_.style_unstated = d_.pipeline_style_where.line == 0; }

  // The _hls/_rtl suffixes as the design's finn_impl: one style for a kind
  // design-wide, or, where the config mixes them, per layer in graph order.
  void set_styles() {
    const ir::StreamingPlan plan = ir::plan_process_network(d_);
    for (const std::string& kind : kinds_with_both_styles()) {
      const FinnOpType& t = *finn_op_type_of(kind);
      std::vector<const std::pair<std::string, Entry>*> listed;
      for (const auto& entry : entries_)
        if (entry.second.parsed.op == t.op && entry.first != head_) listed.push_back(&entry);
      std::map<std::string, int> count;
      for (const auto* e : listed) count[e->second.parsed.style]++;
      if (count.empty()) continue;
      // The config decides this kind's timing (set_timing_styles); until
      // then every layer times it from HLS, so that the graph names its
      // nodes by the config's styles alone.
      if (kinds::stage_kinds().rtl_variant(kind)) clear_rtl(kind, plan);
      const std::string main = count.size() == 1 ? count.begin()->first : (count["hls"] >= count["rtl"] ? "hls" : "rtl");
      // Named explicitly while the graph is matched (every stage is timed
      // from HLS until set_timing_styles); dropped at the end where the
      // timing names the nodes alike (drop_implied_styles).
      d_.finn_impl[kind] = main;
      for (auto& f : d_.folding) f.finn_impl.erase(kind);
      if (count.size() == 1) continue;
      std::vector<const FinnNode*> nodes;
      const auto graph = finn_graph(d_, plan, out_.finn_only);
      for (const FinnNode& n : graph)
        if (n.op == t.op && n.finn_only.empty() && !n.fifo) nodes.push_back(&n);
      if (nodes.size() != listed.size())
        fail(listed.front()->first, "", "",
             "every " + t.op + " node listed, in graph order, when a config mixes " + t.op + "_hls and " + t.op +
                 "_rtl (design " + d_.name + " has " + std::to_string(nodes.size()) + ", the config lists " +
                 std::to_string(listed.size()) + ")");
      for (size_t i = 0; i < nodes.size(); ++i) {
        const std::string& style = listed[i]->second.parsed.style;
        if (style != main) d_.folding[size_t(plan.stages[size_t(nodes[i]->stage)].layer)].finn_impl[kind] = style;
      }
    }
  }

  // --- Timing: the template FINN built each node from times its stage.
  // A config's node names say which one (ConvolutionInputGenerator_rtl_0);
  // where Vine has that template's RTL variant (docs/finn-rtl-templates.md)
  // the stage's layer gets it in its `impl_style`, its HLS kind where FINN
  // built the HLS node. Where Vine's variant refuses the layer, or Vine has
  // no stage to time (a pool's window), the node keeps its HLS timing and
  // the report says so.

  struct TimingNode {
    std::string node, kind, style;
  };

  // The kinds a layer times from RTL, as a set (impl_style `rtl` is every
  // kind of its chain with a variant, and its converters).
  std::set<std::string> rtl_kinds_of(int layer, const ir::StreamingPlan& plan) const {
    const ir::LayerFolding& f = d_.folding[size_t(layer)];
    std::set<std::string> out;
    if (f.impl_style == ir::LayerFolding::ImplStyle::kPerKind) out.insert(f.rtl_kinds.begin(), f.rtl_kinds.end());
    if (f.impl_style != ir::LayerFolding::ImplStyle::kRtl) return out;
    for (const ir::StagePlan& s : plan.stages)
      if (s.layer == layer && kinds::stage_kinds().rtl_variant(ir::family_name(s.kind)))
        out.insert(ir::family_name(s.kind));
    return out;
  }

  void set_rtl_kinds(int layer, const std::set<std::string>& kinds) {
    ir::LayerFolding& f = d_.folding[size_t(layer)];
    f.rtl_kinds.assign(kinds.begin(), kinds.end());
    f.impl_style = kinds.empty() ? ir::LayerFolding::ImplStyle::kHls : ir::LayerFolding::ImplStyle::kPerKind;
    if (!f.impl_style_where.line) f.impl_style_where = f.where;
  }

  void clear_rtl(const std::string& kind, const ir::StreamingPlan& plan) {
    for (size_t i = 0; i < d_.folding.size(); ++i) {
      std::set<std::string> k = rtl_kinds_of(int(i), plan);
      if (k.erase(kind)) set_rtl_kinds(int(i), k);
    }
  }

  void note_timing_node(const FinnNode& n, const ir::StreamingPlan& plan, const std::string& name,
                        const std::string& style) {
    if (!n.finn_only.empty() || n.stage < 0) return;
    const ir::StagePlan& st = plan.stages[size_t(n.stage)];
    const std::string kind = n.pool_window ? "swg" : ir::family_name(st.kind);
    if (!kinds::stage_kinds().rtl_variant(kind) || st.layer < 0) return;
    if (n.pool_window) {
      if (style == "rtl")
        out_.not_applied.push_back({name, "op_type", "\"" + n.op + "_rtl\"",
                                    "a pool's window: Vine times " + d_.network.layers[size_t(st.layer)].name +
                                        " as one pool stage, which has no RTL window inside it"});
      return;
    }
    timing_nodes_[st.layer].push_back({name, kind, style});
  }

  // Each noted node's template on its layer's stage, then forgotten (the
  // compute nodes after pass 1, the converters after pass 2).
  void set_timing_styles() {
    ir::StreamingPlan plan;
    try {
      plan = ir::plan_process_network(d_);
    } catch (const config::ConfigError& e) {
      throw FinnConfigError(path_ + ": the folding it sets on design " + d_.name + " is refused: " + e.what());
    }
    for (const auto& [layer, nodes] : timing_nodes_) {
      const ir::Layer& l = d_.network.layers[size_t(layer)];
      std::set<std::string> rtl = rtl_kinds_of(layer, plan);
      std::map<std::string, std::vector<const TimingNode*>> by_kind;
      for (const TimingNode& n : nodes) by_kind[n.kind].push_back(&n);
      for (const auto& [kind, list] : by_kind) {
        // Vine times a layer's stages of one kind (its converters) alike.
        const TimingNode* hls = nullptr;
        for (const TimingNode* n : list)
          if (n->style != "rtl") hls = n;
        std::string refused;
        if (!hls)
          if (const auto* v = kinds::stage_kinds().rtl_variant(kind); v->refuses) refused = v->refuses(l, d_.folding[size_t(layer)]);
        if (!hls && refused.empty()) {
          rtl.insert(kind);
          continue;
        }
        rtl.erase(kind);
        const std::string variant = kinds::stage_kinds().rtl_variant(kind)->name;
        for (const TimingNode* n : list)
          if (n->style == "rtl")
            out_.not_applied.push_back(
                {n->node, "op_type", "\"" + finn_op_type_of(kind)->op + "_rtl\"",
                 "timed from Vine's HLS " + kind + " on " + l.name + ": " +
                     (hls ? hls->node + " is HLS, and Vine times a layer's " + kind + " stages alike"
                          : "Vine's " + variant + " refuses it (" + refused + ")")});
      }
      set_rtl_kinds(layer, rtl);
    }
    timing_nodes_.clear();
  }

  // The design-wide `finn_impl` entries set_styles made, each replaced by
  // the layers' own where a listed node would otherwise be named otherwise
  // (an _rtl node Vine times from HLS: a pool's window, a refused
  // template); every other node is named by its timing (finn_graph.h).
  void drop_implied_styles() {
    const ir::StreamingPlan plan = ir::plan_process_network(d_);
    std::set<std::string> listed;
    for (const auto& e : entries_) listed.insert(e.first);
    for (const std::string& kind : kinds_with_both_styles()) {
      if (!d_.finn_impl.count(kind)) continue;
      ir::Design without = d_;
      without.finn_impl.erase(kind);
      const auto now = finn_graph(d_, plan, out_.finn_only), alt = finn_graph(without, plan, out_.finn_only);
      for (size_t i = 0; i < now.size() && i < alt.size(); ++i) {
        if (now[i].style == alt[i].style || !listed.count(now[i].name) || now[i].stage < 0) continue;
        const int layer = plan.stages[size_t(now[i].stage)].layer;
        if (layer >= 0) without.folding[size_t(layer)].finn_impl[kind] = now[i].style;
      }
      d_ = std::move(without);
    }
    // A layer's own entry its timing implies (set where the config mixed styles).
    auto names = [&](const ir::Design& d) {
      std::vector<std::string> out;
      for (const FinnNode& n : finn_graph(d, plan, out_.finn_only)) out.push_back(n.name);
      return out;
    };
    const std::vector<std::string> now = names(d_);
    for (size_t i = 0; i < d_.folding.size(); ++i)
      for (const std::string& kind : kinds_with_both_styles()) {
        if (!d_.folding[i].finn_impl.count(kind)) continue;
        ir::Design without = d_;
        without.folding[i].finn_impl.erase(kind);
        if (names(without) == now) d_ = std::move(without);
      }
  }

  const FinnNode* find(const std::vector<FinnNode>& g, const std::string& name) const {
    for (const FinnNode& n : g)
      if (n.name == name) return &n;
    return nullptr;
  }

  [[noreturn]] void not_found(const std::vector<FinnNode>& g, const std::string& name, const NodeName& p) const {
    std::vector<std::string> same;
    for (const FinnNode& n : g)
      if (n.op == p.op && n.style == p.style) same.push_back(n.name);
    std::string have = same.empty() ? "no " + p.op + "_" + p.style + " node"
                                    : std::to_string(same.size()) + " " + p.op + "_" + p.style + " nodes (" +
                                          same.front() + (same.size() > 1 ? " to " + same.back() : "") + ")";
    // FINN reads a strided 1x1 conv through a DownSampler; Vine's conv
    // does so only where its design lists the stage.
    const std::string hint =
        same.empty() && p.op == "DownSampler" ? "; a strided 1x1 conv has one with stages: [downsampler, mvau]" : "";
    fail(name, "", "", "a node of design " + d_.name + "'s FINN graph, which has " + have +
                           " (docs/finn-configs.md: how Vine names them" + hint + ")");
  }

  int positive(const std::string& node, const std::string& key, const Json& v) const {
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > (1 << 24))
      fail(node, key, v.dump(), "a positive integer");
    return int(v.get<int64_t>());
  }

  std::string choice(const std::string& node, const std::string& key, const Json& v,
                     const std::vector<std::string>& choices) const {
    if (v.is_string() && std::find(choices.begin(), choices.end(), v.get<std::string>()) != choices.end())
      return v.get<std::string>();
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    fail(node, key, v.dump(), "one of " + list);
  }

  void divides(const std::string& node, const std::string& key, int v, int64_t what, const std::string& of) const {
    if (what % v != 0) fail(node, key, std::to_string(v), "a divisor of " + of + " (" + std::to_string(what) + ")");
  }

  // A layer's pe or simd from a node; two nodes must agree.
  void set_layer(int layer, const std::string& field, int v, const std::string& node, const std::string& key) {
    auto [it, fresh] = layer_values_.emplace(std::make_pair(layer, field), std::make_pair(v, node));
    if (!fresh && it->second.first != v)
      fail(node, key, std::to_string(v),
           std::to_string(it->second.first) + ", the " + field + " of layer " + d_.network.layers[size_t(layer)].name +
               " that " + it->second.second + " gives");
  }

  void apply_compute(const FinnNode& n, const ir::StreamingPlan& plan, const std::string& name, const Json& e) {
    ++out_.nodes;
    if (!n.finn_only.empty()) {
      for (const auto& [key, v] : e.items()) out_.not_applied.push_back({name, key, v.dump(), n.finn_only});
      return;
    }
    const ir::StagePlan& st = plan.stages[size_t(n.stage)];
    const int L = st.layer;
    const ir::Layer& l = d_.network.layers[size_t(L)];
    const std::string kind = n.pool_window ? "swg" : ir::family_name(st.kind);
    const FinnOpType& t = *finn_op_type_of(kind);
    std::string ram, mem;
    for (const auto& [key, v] : e.items()) {
      if (key == "PE" || key == "SIMD") {
        const int x = positive(name, key, v);
        if ((key == "PE" && !t.pe) || (key == "SIMD" && !t.simd))
          fail(name, key, v.dump(), std::string("no ") + key + ": FINN's " + t.op + " is folded by its " +
                                        (t.pe ? "PE" : "SIMD"));
        if (kind == "mvau") {
          if (key == "PE") divides(name, key, x, l.matrix_height(), l.name + "'s matrix height");
          if (key == "SIMD") divides(name, key, x, l.matrix_width(), l.name + "'s matrix width");
          set_layer(L, key == "PE" ? "pe" : "simd", x, name, key);
        } else if (kind == "vvau") {
          if (key == "SIMD")
            divides(name, key, x, l.kernel_positions(), l.name + "'s KH x KW (kernel positions)");
          if (key == "PE") divides(name, key, x, l.in_shape.c, l.name + "'s channels");
          set_layer(L, key == "PE" ? "pe" : "simd", x, name, key);
        } else if (kind == "swg" || kind == "fmpadding" || kind == "downsampler") {
          // The lanes of the layer the window or padding feeds: a conv's
          // window (or DownSampler) has its own (window_simd, a width converter before the
          // MVAU where they differ), a depthwise conv's or pool's is its PE.
          // A conv's or depthwise conv's padding has its own (padding_simd,
          // a width converter before the window where they differ).
          divides(name, key, x, l.in_shape.c, l.name + "'s input channels");
          const bool windowed = l.kind == ir::LayerKind::kConv || l.kind == ir::LayerKind::kDwConv;
          set_layer(L,
                    kind == "fmpadding" && windowed       ? "padding_simd"
                    : l.kind == ir::LayerKind::kConv ? "window_simd"
                                                     : "pe",
                    x, name, key);
        } else if (kind == "duplicate") {
          // The network input's DuplicateStreams has no layer to fold it
          // apart: it copies the input DMA's beats.
          if (st.name.rfind("input.", 0) == 0) {
            if (x != st.pe)
              fail(name, key, v.dump(), std::to_string(st.pe) + ", the elements per beat of the stream " + st.name +
                                            " duplicates in design " + d_.name);
          } else {
            // Folded apart from its producer: the layer's duplicate_pe, a
            // width converter before it where it differs from the layer's
            // output lanes (commit_layer_values).
            divides(name, key, x, l.out_shape.c, l.name + "'s channels");
            set_layer(L, "duplicate_pe", x, name, key);
          }
        } else {
          divides(name, key, x, l.out_shape.c, l.name + "'s channels");
          // A Thresholding node after an MVAU or VVAU with noActivation: the
          // PE of the layer's threshold stage (`thresholds: {pe: N}`).
          set_layer(L, kind == "threshold" && l.has_weights() ? "threshold_pe" : "pe", x, name, key);
        }
      } else if (key == "ram_style") {
        ram = choice(name, key, v, {"auto", "block", "distributed", "ultra"});
        if (kind != "mvau" && kind != "vvau")
          out_.not_applied.push_back({name, key, v.dump(), "no weights: Vine models no memory style for it"});
      } else if (key == "mem_mode") {
        mem = choice(name, key, v, {"internal_embedded", "internal_decoupled", "external", "const", "decoupled"});
        if (kind != "mvau" && kind != "vvau") fail(name, key, v.dump(), "no mem_mode: only MVAU and VVAU hold weights");
      } else if (carried_attributes().count(key)) {
        // A conv window's default style (parallel_window 0) before an MVAU
        // wider than its input channels: a converter between them, so the
        // window's SIMD stays its own (commit_layer_values).
        if (key == "parallel_window" && kind == "swg" && l.kind == ir::LayerKind::kConv && v.is_number_integer() &&
            v.get<int64_t>() == 0)
          default_style_windows_.insert(L);
        out_.not_applied.push_back({name, key, v.dump(), "no effect on Vine's timing"});
      } else {
        fail(name, key, v.dump(),
             "a FINN folding attribute: PE, SIMD, ram_style, mem_mode, resType, runtime_writeable_weights, "
             "parallel_window, depth_trigger_uram, depth_trigger_bram");
      }
    }
    if (kind == "mvau" || kind == "vvau") {
      if (mem == "const" || mem == "decoupled") mem = "internal_" + std::string(mem == "const" ? "embedded" : "decoupled");
      ir::LayerFolding& f = d_.folding[size_t(L)];
      if (auto m = vine_weight_memory(ram, mem, f.weight_memory)) {
        f.weight_memory = *m;
        // A schedule says how weights in DDR are read: on chip there is none.
        if (*m != ir::MemoryStyle::kDdr) f.weight_schedule = ir::WeightSchedule::kVector;
      }
    }
  }

  void commit_layer_values() {
    for (const auto& [key, v] : layer_values_) {
      ir::LayerFolding& f = d_.folding[size_t(key.first)];
      if (key.second == "threshold_pe")
        f.threshold_pe = v.first;
      else if (key.second == "duplicate_pe")
        f.duplicate_pe = v.first;
      else if (key.second != "window_simd" && key.second != "padding_simd")
        (key.second == "pe" ? f.pe : f.simd) = v.first;
    }
    // A conv window's SIMD: the layer's SIMD where the config gives no MVAU
    // SIMD; its own window_simd where it differs from the lanes the window
    // has without one (the MVAU's SIMD, or C in the parallel-window style).
    for (const auto& [key, v] : layer_values_) {
      if (key.second != "window_simd") continue;
      ir::LayerFolding& f = d_.folding[size_t(key.first)];
      const ir::Layer& l = d_.network.layers[size_t(key.first)];
      if (!layer_values_.count({key.first, "simd"})) {
        f.simd = v.first;
        f.window_simd = 0;
        continue;
      }
      ir::LayerFolding plain = f;
      plain.window_simd = 0;
      // An MVAU wider than the input channels after a default-style window
      // (parallel_window 0): FINN puts a converter between them, which the
      // window's own SIMD gives Vine's plan too.
      const bool converter = f.simd > l.in_shape.c && default_style_windows_.count(key.first);
      f.window_simd = !converter && v.first * l.in_type.bits == ir::window_input_bits(l, plain) ? 0 : v.first;
    }
    // A DuplicateStreams' PE: the layer's duplicate_pe where it differs from
    // the lanes the layer writes (its PE just set), else none.
    for (const auto& [key, v] : layer_values_) {
      if (key.second != "duplicate_pe") continue;
      ir::LayerFolding& f = d_.folding[size_t(key.first)];
      const ir::Layer& l = d_.network.layers[size_t(key.first)];
      f.duplicate_pe = 0;
      if (v.first * l.out_type.bits != ir::output_stream_bits(l, f)) f.duplicate_pe = v.first;
    }
    // A padding's SIMD: its own padding_simd where it differs from the
    // window's (set above), else none.
    for (const auto& [key, v] : layer_values_) {
      if (key.second != "padding_simd") continue;
      ir::LayerFolding& f = d_.folding[size_t(key.first)];
      const ir::Layer& l = d_.network.layers[size_t(key.first)];
      f.padding_simd = v.first * l.in_type.bits == ir::window_input_bits(l, f) ? 0 : v.first;
    }
  }

  ir::StreamingPlan checked_plan(const std::string& what) const {
    try {
      ir::check_design(d_);
      return ir::plan_process_network(d_);
    } catch (const config::ConfigError& e) {
      throw FinnConfigError(path_ + ": " + what + " on design " + d_.name + " is refused: " + e.what());
    }
  }

  void apply_fifo(const FinnNode& n, const ir::StreamingPlan& plan, const std::string& name, const Json& e) {
    ++out_.nodes;
    ++out_.fifos;
    if (n.stream < 0) {
      // A FIFO Vine has no stream for (between a pool's window and its
      // Pool, after the last layer) at FINN's minimum depth, 2, as every
      // build with the config's depths lists them: reported, not applied.
      // Any other depth would change what FINN builds and Vine cannot show.
      if (e.contains("depth") && e["depth"].is_number_integer() && e["depth"].get<int64_t>() == kInsertFifoDefault) {
        for (const auto& [key, v] : e.items()) out_.not_applied.push_back({name, key, v.dump(), n.finn_only});
        return;
      }
      fail(name, "depth", e.contains("depth") ? e["depth"].dump() : "nothing",
           std::to_string(kInsertFifoDefault) + " (FINN's minimum) on a FIFO Vine has no stream for; this one is " +
               n.finn_only);
    }
    const ir::StreamPlan& s = plan.streams[size_t(n.stream)];
    if (!e.contains("depth")) fail(name, "depth", "nothing", "the FIFO's depth");
    int depth = 0;
    std::string impl, ram;
    for (const auto& [key, v] : e.items()) {
      if (key == "depth")
        depth = positive(name, key, v);
      else if (key == "impl_style")
        impl = choice(name, key, v, {"rtl", "vivado"});
      else if (key == "ram_style")
        ram = choice(name, key, v, {"auto", "block", "distributed", "ultra"});
      else if (key == "inFIFODepths" || key == "outFIFODepths")  // a FIFO's own: [0] in FINN's configs
        out_.not_applied.push_back({name, key, v.dump(), "no effect on Vine's timing"});
      else
        fail(name, key, v.dump(), "a StreamingFIFO attribute: depth, impl_style, ram_style, inFIFODepths, outFIFODepths");
    }
    // Carried only where they differ from what FINN would choose itself.
    if (impl == explore::finn_fifo(s.bits, depth).impl_style) impl.clear();
    if (ram == "auto") ram.clear();
    set_stream(s, depth, impl, ram);
  }

  void set_stream(const ir::StreamPlan& s, int depth, const std::string& impl, const std::string& ram) {
    if (s.graph_edge) {
      const auto arrow = s.name.find("->");
      const std::string from = s.name.substr(0, arrow), to = s.name.substr(arrow + 2);
      for (ir::FifoSpec& f : d_.fifos)
        if (f.from == from && f.to == to) {
          f.depth = depth;
          f.finn_impl_style = impl;
          f.finn_ram_style = ram;
        }
      return;
    }
    auto& list = d_.stream_fifos;
    auto it = std::find_if(list.begin(), list.end(), [&](const ir::StreamFifoSpec& f) { return f.stream == s.name; });
    const bool memory = it != list.end() && it->memory_style;
    const bool plain = depth == d_.internal_fifo_depth && !memory && impl.empty() && ram.empty();
    if (it == list.end()) {
      if (!plain) list.push_back({s.name, depth, false, impl, ram, {}});
      return;
    }
    if (plain) {
      list.erase(it);
      return;
    }
    it->depth = depth;
    it->finn_impl_style = impl;
    it->finn_ram_style = ram;
  }

  ir::Design d_;
  const Json& cfg_;
  std::string path_;
  std::vector<std::pair<std::string, Entry>> entries_;
  std::string head_;
  std::map<std::pair<int, std::string>, std::pair<int, std::string>> layer_values_;
  std::set<int> default_style_windows_;  // conv layers whose window the config gives parallel_window 0
  std::map<int, std::vector<TimingNode>> timing_nodes_;  // by layer: nodes whose template times a stage
  AppliedConfig out_;
};

}  // namespace

AppliedConfig apply_finn_config(const ir::Design& d, const nlohmann::ordered_json& config,
                                const std::string& config_path) {
  return Applier(d, config, config_path).run();
}

}  // namespace vine::finn
