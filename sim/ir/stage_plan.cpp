#include "sim/ir/stage_plan.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <unordered_map>
#include <stdexcept>

#include "models/layers/stage_kinds.h"
#include "sim/config/config_error.h"

namespace vine::ir {

const char* to_string(StageKind k) {
  const kinds::StageKindEntry* e = kinds::stage_kinds().find(k);
  return e ? e->name.c_str() : "?";
}

const char* family_name(StageKind k) {
  const kinds::StageKindEntry* e = kinds::stage_kinds().find(k);
  return e ? kinds::stage_kinds().family(*e).c_str() : "?";
}

bool rtl_variant(StageKind k) {
  const kinds::StageKindEntry* e = kinds::stage_kinds().find(k);
  return e && !e->hls_kind.empty();
}

std::vector<LayerStage> layer_stages(LayerKind k) {
  // conv -> [pad] -> [swg] -> mvau, ...: docs/estimate.md's table. The
  // optional stages are built where their kind's `needed` says the layer
  // needs them (padding, a window larger than 1x1 or strided).
  switch (k) {
    case LayerKind::kConv:
      return {{"fmpadding", true}, {"swg", true}, {"mvau", false}};
    case LayerKind::kDwConv:
      return {{"fmpadding", true}, {"swg", true}, {"vvau", false}};
    case LayerKind::kFc:
      return {{"mvau", false}};
    case LayerKind::kMaxPool:
      return {{"maxpool", false}};
    case LayerKind::kAvgPool:
      return {{"avgpool", false}};
    case LayerKind::kPad:
      return {{"fmpadding", false}};
    case LayerKind::kAdd:
      return {{"addstreams", false}};
    case LayerKind::kConcat:
      return {{"concat", false}};
    case LayerKind::kThreshold:
    case LayerKind::kRequant:
      return {{"threshold", false}};
    case LayerKind::kChannelwise:
      return {{"channelwise", false}};
  }
  return {};
}

namespace {

// Builds the process network: stages in topological order, and a stream for
// every producer-consumer pair.
class PlanBuilder {
 public:
  explicit PlanBuilder(const Design& d) : d_(d), net_(d.network) {
    // By endpoints, so that a plan is linear in the edges (validate builds it).
    for (const auto& f : d_.fifos) fifo_of_.emplace(f.from + "->" + f.to, &f);
    for (const auto& f : d_.stream_fifos) stream_fifo_of_.emplace(f.stream, &f);
  }

  StreamingPlan build() {
    consumers_.assign(net_.layers.size() + 1, 0);  // [0] is the network input
    for (const auto& l : net_.layers)
      for (int idx : l.input_index) consumers_[idx + 1]++;
    tails_.assign(net_.layers.size() + 1, {});

    // The input DMA, told the width its (first) consumer reads.
    const Shape& in = net_.input_shape;
    kinds::StreamSite in_site{d_};
    for (size_t i = 0; i < net_.layers.size() && !in_site.out_bits; ++i)
      for (int idx : net_.layers[i].input_index)
        if (idx < 0) in_site.out_bits = input_stream_bits(net_.layers[i], d_.folding[i]);
    in_site.elem_bits = net_.input_type.bits;
    in_site.elements = in.elements();
    in_site.h = in.h;
    in_site.w = in.w;
    const int id = push(on_stream("input_dma", "input_dma", -1, in_site));
    add_output_side(-1, id, plan_.stages[size_t(id)].out_stream_bits, net_.input_type.bits,
                    in.elements());

    for (size_t i = 0; i < net_.layers.size(); ++i) add_layer(int(i));

    // The output DMA, told the last layer's width.
    const int last = int(net_.layers.size()) - 1;
    const Layer& ol = net_.output_layer();
    kinds::StreamSite out_site{d_};
    out_site.in_bits = output_stream_bits(ol, d_.folding[size_t(last)]);
    out_site.elem_bits = ol.out_type.bits;
    out_site.elements = ol.out_shape.elements();
    out_site.h = ol.out_shape.h;
    out_site.w = ol.out_shape.w;
    const int od = push(on_stream("output_dma", "output_dma", -1, out_site));
    connect_edge(last, "output", od, plan_.stages[size_t(od)].in_stream_bits);
    check_stream_fifos();
    check_rtl_converters();
    return std::move(plan_);
  }

 private:
  struct Tail {
    int stage = -1;       // the stage that writes the layer's output (or its duplicator)
    int bits = 0, elem_bits = 0;
    int64_t elements = 0;  // per frame
  };

  int push(StagePlan s) {
    plan_.stages.push_back(std::move(s));
    return int(plan_.stages.size()) - 1;
  }

  // A stage of kind `kind` that the builder puts on a stream (converters,
  // duplicators, DMAs), as the kind fills it in.
  StagePlan on_stream(const std::string& kind, std::string name, int layer,
                      const kinds::StreamSite& site) const {
    const kinds::StageKindEntry& k = kinds::stage_kinds().at(kind);
    if (!k.on_stream) throw std::logic_error("stage kind '" + kind + "' is not placed on streams");
    StagePlan s;
    s.name = std::move(name);
    s.kind = k.id;
    s.layer = layer;
    k.on_stream(site, s);
    return s;
  }

  int stream(int from, int to, int bits, int elem_bits, int64_t elements, const FifoSpec* edge, std::string name) {
    StreamPlan s;
    s.name = std::move(name);
    s.producer = from;
    s.consumer = to;
    s.bits = bits;
    s.elem_bits = elem_bits;
    s.words = elements * elem_bits / bits;
    s.depth = edge ? edge->depth : d_.internal_fifo_depth;
    s.memory_style = edge && edge->memory_style;
    if (!edge) {
      const auto own = stream_fifo_of_.find(s.name);
      if (own != stream_fifo_of_.end()) {
        s.depth = own->second->depth;
        s.memory_style = own->second->memory_style;
      }
    }
    s.graph_edge = edge != nullptr;
    plan_.streams.push_back(s);
    const int id = int(plan_.streams.size()) - 1;
    plan_.stages[from].outputs.push_back(id);
    plan_.stages[to].inputs.push_back(id);
    return id;
  }

  void internal(int from, int to, int bits, int elem_bits, int64_t elements) {
    stream(from, to, bits, elem_bits, elements, nullptr, plan_.stages[from].name + "->" + plan_.stages[to].name);
  }

  // Records the stage that writes a layer's output, with a duplicator when
  // several layers read it (`layer` -1 is the network input).
  void add_output_side(int layer, int stage, int bits, int elem_bits, int64_t elements) {
    Tail t{stage, bits, elem_bits, elements};
    if (consumers_[layer + 1] > 1) {
      // A DuplicateStreams folded apart from its producer (`duplicate_pe`):
      // FINN's width converter before it.
      const int h = plan_.stages[size_t(stage)].ofm_h, w = plan_.stages[size_t(stage)].ofm_w;
      const LayerFolding* f = layer < 0 ? nullptr : &d_.folding[size_t(layer)];
      if (f && f->duplicate_pe > 0 && f->duplicate_pe * elem_bits != bits) {
        FifoSpec where;
        where.from = plan_.stages[size_t(stage)].name;
        where.to = net_.layers[size_t(layer)].name + ".dup";
        where.where = f->duplicate_pe_where.line ? f->duplicate_pe_where : f->where;
        for (auto& c : converters(net_.layers[size_t(layer)].name + ".dwc_dup", layer, elements, elem_bits, bits,
                                  f->duplicate_pe * elem_bits, where)) {
          const int ci = push(c);
          internal(stage, ci, bits, elem_bits, elements);
          stage = ci;
          bits = c.out_stream_bits;
        }
      }
      kinds::StreamSite site{d_};
      site.in_bits = site.out_bits = bits;
      site.elem_bits = elem_bits;
      site.elements = elements;
      site.h = h;
      site.w = w;
      const std::string name =
          (layer < 0 ? std::string("input") : net_.layers[size_t(layer)].name) + ".dup";
      StagePlan dup = on_stream("duplicate", name, layer < 0 ? 0 : layer, site);
      const int di = push(dup);
      internal(stage, di, bits, elem_bits, elements);
      t.stage = di;
      t.bits = bits;
    }
    tails_[layer + 1] = t;
  }

  // Every `fifos: - {stream: ...}` entry names a stream inside a layer.
  void check_stream_fifos() const {
    for (const StreamFifoSpec& f : d_.stream_fifos) {
      const StreamPlan* named = nullptr;
      std::string same_layer;  // the streams inside the layer the name starts with
      const std::string layer = f.stream.substr(0, f.stream.find('.'));
      for (const StreamPlan& sp : plan_.streams) {
        if (sp.name == f.stream) named = &sp;
        if (!sp.graph_edge && sp.name.compare(0, layer.size() + 1, layer + ".") == 0)
          same_layer += (same_layer.empty() ? "" : ", ") + sp.name;
      }
      if (named && !named->graph_edge) continue;
      if (named) {
        const auto arrow = f.stream.find("->");
        throw config::ConfigError(f.where, "stream '" + f.stream + "'",
                                  "a stream inside a layer; '" + f.stream +
                                      "' is an edge of the layer graph: give it as {from: " +
                                      f.stream.substr(0, arrow) + ", to: " + f.stream.substr(arrow + 2) + "}");
      }
      throw config::ConfigError(
          f.where, "stream '" + f.stream + "'",
          "a stream inside a layer, named <stage>-><stage> as `vine run` lists them (" +
              (same_layer.empty() ? "'" + layer + "' has no streams inside it"
                                  : "the streams inside '" + layer + "': " + same_layer) +
              ")");
    }
  }

  FifoSpec edge_spec(const std::string& from, const std::string& to) const {
    const auto it = fifo_of_.find(from + "->" + to);
    if (it != fifo_of_.end()) return *it->second;
    FifoSpec f;
    f.from = from;
    f.to = to;
    f.depth = d_.default_fifo_depth;
    return f;
  }

  // Width converters from `from_bits` to `to_bits`: one when one width divides
  // the other, else two through their least common multiple (FINN's
  // converters handle whole multiples only).
  std::vector<StagePlan> converters(const std::string& name, int layer, int64_t elements, int elem_bits, int from_bits,
                                    int to_bits, const FifoSpec& edge) const {
    std::vector<int> widths{from_bits};
    if (from_bits % to_bits != 0 && to_bits % from_bits != 0) {
      // In 64 bits: two 16-bit-range widths can have a 32-bit lcm.
      const int64_t via = std::lcm(int64_t{from_bits}, int64_t{to_bits});
      if (via > d_.max_stream_bits)
        throw config::ConfigError(edge.where, "widths " + std::to_string(from_bits) + " and " + std::to_string(to_bits) +
                                                  " bits, converted through " + std::to_string(via) + " bits",
                                  "stream widths on the edge " + edge.from + " -> " + edge.to +
                                      " whose least common multiple is at most max_stream_bits (" +
                                      std::to_string(d_.max_stream_bits) + "): make one width divide the other");
      widths.push_back(int(via));
    }
    widths.push_back(to_bits);
    std::vector<StagePlan> out;
    for (size_t k = 0; k + 1 < widths.size(); ++k) {
      kinds::StreamSite site{d_};
      site.in_bits = widths[k];
      site.out_bits = widths[k + 1];
      site.elem_bits = elem_bits;
      site.elements = elements;
      // The layer's `impl_style` times its converters from FINN's RTL one.
      const kinds::StageKindEntry* rtl = kinds::stage_kinds().rtl_variant("dwc");
      const bool use_rtl = layer >= 0 && rtl && d_.folding[size_t(layer)].rtl("dwc");
      out.push_back(on_stream(use_rtl ? rtl->name : "dwc", name + (k ? std::to_string(k + 1) : ""), layer, site));
    }
    return out;
  }

  // The stream of graph edge `producer` -> `consumer_name` into stage `to`:
  // converters from the producer's width to the edge's (the design's `bits`,
  // default the producer's width), the edge's FIFO, converters from the
  // edge's width to what the consumer reads. Converters are joined by
  // layer-internal streams.
  void connect_edge(int producer, const std::string& consumer_name, int to, int want_bits) {
    const Tail& t = tails_[producer + 1];
    const std::string from_name = producer < 0 ? "input" : net_.layers[producer].name;
    const FifoSpec spec = edge_spec(from_name, consumer_name);
    const std::string edge_name = from_name + "->" + consumer_name;
    const int edge_bits = spec.bits ? spec.bits : t.bits;
    // Converters belong to a layer for the estimate: the producer's, or the consumer's for the input.
    const int to_layer = plan_.stages[to].layer;
    const int out_layer = producer >= 0 ? producer : to_layer;
    const int in_layer = to_layer >= 0 ? to_layer : producer;

    int src = t.stage, src_bits = t.bits;
    if (edge_bits != t.bits) {
      const std::string name = from_name + ".dwc_out" + (consumers_[producer + 1] > 1 ? "_" + consumer_name : "");
      for (auto& c : converters(name, out_layer, t.elements, t.elem_bits, t.bits, edge_bits, spec)) {
        const int ci = insert_before(to, c);
        ++to;
        internal(src, ci, src_bits, t.elem_bits, t.elements);
        src = ci;
        src_bits = c.out_stream_bits;
      }
    }
    // A cut between two boards (docs/partition.md): the edge's FIFO on the
    // producer's board feeds the link stage, which writes the consumer's
    // board's input stream (named like a stream inside a layer).
    bool edge_made = false;
    if (const int link = cut_link(producer, to_layer); link >= 0) {
      kinds::StreamSite site{d_};
      site.in_bits = site.out_bits = edge_bits;
      site.elem_bits = t.elem_bits;
      site.elements = t.elements;
      StagePlan ls = on_stream("link", consumer_name + ".link", in_layer, site);
      ls.link = link;
      const ActivationType& type = producer < 0 ? net_.input_type : net_.layers[size_t(producer)].out_type;
      ls.elem_signed = type.kind == ActivationKind::kSigned;
      const int li = insert_before(to, ls);
      ++to;
      stream(src, li, edge_bits, t.elem_bits, t.elements, &spec, edge_name);
      src = li;
      edge_made = true;
    }
    if (edge_bits == want_bits) {
      if (edge_made)
        internal(src, to, edge_bits, t.elem_bits, t.elements);
      else
        stream(src, to, edge_bits, t.elem_bits, t.elements, &spec, edge_name);
      return;
    }
    const std::string dwc_name =
        consumer_name + ".dwc_in" + (plan_.stages[to].inputs.empty() ? "" : std::to_string(plan_.stages[to].inputs.size()));
    auto convs = converters(dwc_name, in_layer, t.elements, t.elem_bits, edge_bits, want_bits, spec);
    int prev = -1;
    for (size_t k = 0; k < convs.size(); ++k) {
      const int ci = insert_before(to, convs[k]);
      ++to;
      if (k == 0 && !edge_made)
        stream(src, ci, edge_bits, t.elem_bits, t.elements, &spec, edge_name);
      else if (k == 0)
        internal(src, ci, edge_bits, t.elem_bits, t.elements);
      else
        internal(prev, ci, convs[k].in_stream_bits, t.elem_bits, t.elements);
      prev = ci;
    }
    internal(prev, to, want_bits, t.elem_bits, t.elements);
  }

  // The cluster link an edge from layer `producer` (-1: the network input)
  // to layer `consumer` (-1: the output DMA) crosses, or -1 on one board.
  int cut_link(int producer, int consumer) const {
    const Placement& pl = d_.placement;
    if (!pl.placed()) return -1;
    const int a = producer < 0 ? pl.boards.front().board : pl.board_of_layer[size_t(producer)];
    const int b = consumer < 0 ? pl.boards.back().board : pl.board_of_layer[size_t(consumer)];
    if (a == b) return -1;
    for (size_t i = 0; i < pl.cluster.links.size(); ++i)
      if (pl.cluster.links[i].from_board == a && pl.cluster.links[i].to_board == b) return int(i);
    throw std::logic_error("no link from board " + std::to_string(a) + " to " + std::to_string(b) +
                           " (the design's placement should have been refused)");
  }

  // Inserts a stage just before stage `at`, keeping the topological order, and
  // renumbers stream endpoints.
  int insert_before(int at, StagePlan s) {
    plan_.stages.insert(plan_.stages.begin() + at, std::move(s));
    for (auto& st : plan_.streams) {
      if (st.producer >= at) ++st.producer;
      if (st.consumer >= at) ++st.consumer;
    }
    return at;
  }

  // The kind that times a stage of kind `k` in layer `li`: its RTL variant
  // where the layer's `impl_style` asks for it, else `k`. A kind whose RTL
  // template cannot build the layer (FINN's own conditions) is refused.
  const kinds::StageKindEntry* timed_kind(const kinds::StageKindEntry& k, int li) const {
    const LayerFolding& f = d_.folding[size_t(li)];
    const kinds::StageKindEntry* t = &k;
    if (f.rtl(k.name))
      if (const kinds::StageKindEntry* v = kinds::stage_kinds().rtl_variant(k.name)) t = v;
    if (t->refuses) {
      const std::string why = t->refuses(net_.layers[size_t(li)], f);
      if (!why.empty()) {
        const bool listed = t == &k;  // named in `stages:` itself
        const SourceLocation& where = listed ? f.stages_where : f.impl_style_where;
        throw config::ConfigError(where.line ? where : f.where, "'" + (listed ? t->name : std::string("rtl")) + "'",
                                  why + " for " + t->name + " (FINN's RTL " + t->hls_kind +
                                      " template); or keep this kind's HLS timing: impl_style: {" + t->hls_kind +
                                      ": hls, ...}");
      }
    }
    return t;
  }

  // `impl_style` names nothing the layer does not build: `rtl` needs a stage
  // with an RTL variant, a map's kinds each a stage of the chain (a width
  // converter is checked once the edges are made, check_rtl_converters).
  void check_impl_style(int li, const std::vector<StagePlan>& chain) const {
    const LayerFolding& f = d_.folding[size_t(li)];
    const auto& registry = kinds::stage_kinds();
    std::string built;
    bool any_rtl = false;
    for (const StagePlan& s : chain) {
      built += (built.empty() ? "" : ", ") + std::string(family_name(s.kind));
      any_rtl = any_rtl || rtl_variant(s.kind) || registry.rtl_variant(family_name(s.kind));
    }
    const std::string& layer = net_.layers[size_t(li)].name;
    if (f.impl_style == LayerFolding::ImplStyle::kRtl && !any_rtl)
      throw config::ConfigError(f.impl_style_where, "'rtl'",
                                "a layer with a stage Vine times from a FINN RTL template (" + layer +
                                    " builds " + built + ", none of which has an RTL variant)");
    if (f.impl_style != LayerFolding::ImplStyle::kPerKind) return;
    for (const std::string& kind : f.rtl_kinds) {
      if (kind == "dwc") continue;
      const bool in_chain = std::any_of(chain.begin(), chain.end(),
                                        [&](const StagePlan& s) { return family_name(s.kind) == kind; });
      if (!in_chain)
        throw config::ConfigError(f.impl_style_where, kind + ": rtl",
                                  "a stage kind of " + layer + "'s chain (it builds " + built + ")");
    }
  }

  // A layer whose `impl_style` map names `dwc` has a width converter.
  void check_rtl_converters() const {
    for (size_t li = 0; li < d_.folding.size(); ++li) {
      const LayerFolding& f = d_.folding[li];
      if (f.impl_style != LayerFolding::ImplStyle::kPerKind || !f.rtl("dwc")) continue;
      const bool has = std::any_of(plan_.stages.begin(), plan_.stages.end(), [&](const StagePlan& s) {
        return s.layer == int(li) && family_name(s.kind) == std::string("dwc");
      });
      if (!has)
        throw config::ConfigError(f.impl_style_where, "dwc: rtl",
                                  "a width converter on " + net_.layers[li].name +
                                      "'s streams (its neighbours' widths match its own: the plan puts none)");
    }
  }

  // The chain of stages layer `li` expands into (the design's `stages:`, else
  // the layer-kind table), each filled in by its kind, joined by
  // layer-internal streams, and its input edges.
  void add_layer(int li) {
    const Layer& l = net_.layers[size_t(li)];
    const LayerFolding& f = d_.folding[size_t(li)];
    const auto& registry = kinds::stage_kinds();
    std::vector<LayerStage> spec;
    for (const auto& name : f.stages) spec.push_back({name, false});
    if (spec.empty()) spec = layer_stages(l.kind);
    // Thresholds a stage of their own (`thresholds: {pe: N}`): a threshold
    // stage after the MVAU or VVAU, FINN's Thresholding node after an MVAU
    // with noActivation.
    const auto is_threshold = [&](const LayerStage& e) {
      const kinds::StageKindEntry* k = registry.find(e.kind);
      return k && registry.family(*k) == "threshold";
    };
    const bool listed_threshold = std::any_of(spec.begin(), spec.end(), is_threshold);
    if (l.has_weights() && listed_threshold && !f.separate_thresholds())
      throw config::ConfigError(f.stages_where, "'threshold'",
                                "thresholds: {pe: N} on " + l.name +
                                    " to list a threshold stage among its stages (its thresholds a stage of their own)");
    if (f.separate_thresholds() && !listed_threshold) spec.push_back({"threshold", false});

    StagePlan base;
    base.layer = li;
    base.pe = f.pe;
    base.simd = f.simd;
    base.ifm_h = l.in_shape.h;
    base.ifm_w = l.in_shape.w;
    base.channels = l.in_shape.c;
    base.ofm_h = l.out_shape.h;
    base.ofm_w = l.out_shape.w;
    base.kernel_h = l.kernel_h;
    base.kernel_w = l.kernel_w;
    base.stride_h = l.stride_h;
    base.stride_w = l.stride_w;
    const int out_bits = l.out_type.bits;

    std::vector<StagePlan> chain;  // in stream order: input 0 enters the first
    std::vector<int> elem_bits;    // bits per element each writes
    int reader = -1;               // the stage the further inputs enter
    for (const LayerStage& entry : spec) {
      const kinds::StageKindEntry* k = registry.find(entry.kind);
      if (!k || !k->from_layer)
        throw config::ConfigError(f.stages_where, "'" + entry.kind + "'",
                                  "a stage kind a layer expands into, for " + l.name);
      const int reads = elem_bits.empty() ? l.in_type.bits : elem_bits.back();
      const kinds::LayerSite site{d_, li, l, f, chain.empty() ? nullptr : &chain.back(), reads};
      if (entry.optional && k->needed && !k->needed(site)) continue;
      k = timed_kind(*k, li);
      StagePlan s = base;
      s.name = l.name + "." + k->role;
      for (int n = 2; std::any_of(chain.begin(), chain.end(),
                                  [&](const StagePlan& c) { return c.name == s.name; });
           ++n)
        s.name = l.name + "." + k->role + std::to_string(n);
      s.kind = k->id;
      k->from_layer(site, s);
      if (k->reads_every_input && reader < 0) reader = int(chain.size());
      // Before a threshold stage of their own, the MVAU's or VVAU's elements
      // are accumulators.
      const bool accumulates = f.separate_thresholds() && registry.family(*k) != "threshold";
      elem_bits.push_back(k->forwards_elements ? reads : accumulates ? accumulator_bits(l) : out_bits);
      chain.push_back(std::move(s));
    }
    if (chain.empty()) throw std::logic_error("layer " + l.name + " expands into no stage");
    check_impl_style(li, chain);
    if (l.input_index.size() > 1 && reader < 0)
      throw config::ConfigError(
          f.stages_where.line ? f.stages_where : f.where,
          std::to_string(l.input_index.size()) + " inputs",
          "a stage kind that reads every input of " + l.name + " among its stages");

    std::vector<int> ids;
    for (size_t k = 0; k < chain.size(); ++k) {
      if (k == 0) {
        ids.push_back(push(chain[k]));
        continue;
      }
      const StagePlan& p = plan_.stages[size_t(ids.back())];
      const int e = elem_bits[k - 1];
      const int64_t elements = p.out_words * p.out_stream_bits / e;
      // A window whose SIMD is not its MVAU's (`window_simd`), a padding
      // whose SIMD is not its window's (`padding_simd`), an MVAU or VVAU
      // whose PE is not its threshold stage's (`thresholds`): FINN's
      // StreamingDataWidthConverter between them, with a FIFO on each side.
      // It is named for the stage it feeds: `<layer>.dwc` before the MVAU
      // or VVAU, `<layer>.dwc_<role>` before another (dw1.dwc_swg).
      int src = ids.back(), src_bits = p.out_stream_bits;
      if (src_bits != chain[k].in_stream_bits) {
        FifoSpec where;
        where.from = p.name;
        where.to = chain[k].name;
        // The field that set the narrower or wider side apart.
        const SourceLocation& own = k == 1 && f.padding_simd > 0 ? f.padding_simd_where
                                    : f.separate_thresholds() && k + 1 == chain.size() ? f.threshold_pe_where
                                                                                          : f.window_simd_where;
        where.where = own.line ? own : f.where;
        const std::string role = chain[k].name.substr(l.name.size() + 1);
        const bool compute = role == "mvau" || role == "vvau";
        for (auto& c : converters(l.name + ".dwc" + (compute ? "" : "_" + role), li, elements, e, src_bits,
                                  chain[k].in_stream_bits, where)) {
          const int ci = push(c);
          internal(src, ci, src_bits, e, elements);
          src = ci;
          src_bits = c.out_stream_bits;
        }
      }
      ids.push_back(push(chain[k]));
      internal(src, ids.back(), src_bits, e, elements);
    }
    // Inputs: input 0 enters the chain's head; further inputs (add, concat)
    // enter the stage that reads every input (wherever converters have moved
    // it). Every input is read SIMD/PE lanes wide, in its own element width.
    for (size_t k = 0; k < l.input_index.size(); ++k) {
      const int head = k == 0 ? ids.front() : ids[size_t(reader)];
      const int idx = l.input_index[k];
      const int elem = idx < 0 ? net_.input_type.bits : net_.layers[size_t(idx)].out_type.bits;
      const int want =
          k == 0 ? plan_.stages[size_t(head)].in_stream_bits : plan_.stages[size_t(head)].pe * elem;
      const int before = int(plan_.stages.size());
      connect_edge(l.input_index[k], l.name, head, want);
      // Converters inserted before the head shift it and what follows it.
      const int shift = int(plan_.stages.size()) - before;
      for (auto& id : ids)
        if (id >= head) id += shift;
    }
    if (l.has_weights() && f.weight_memory == MemoryStyle::kDdr) add_weight_streamer(li, ids);
    const StagePlan& tail = plan_.stages[size_t(ids.back())];
    add_output_side(li, ids.back(), tail.out_stream_bits, out_bits, l.out_shape.elements());
  }

  // Weights in DDR: a weight streamer just before the layer's MVAU or VVAU,
  // its stream the compute stage's last input (FINN's external weight
  // stream), named <layer>.weights-><layer>.<mvau|vvau> for `fifos:`.
  void add_weight_streamer(int li, std::vector<int>& ids) {
    const Layer& l = net_.layers[size_t(li)];
    const LayerFolding& f = d_.folding[size_t(li)];
    auto compute = std::find_if(ids.begin(), ids.end(), [&](int id) {
      const StageKind k = plan_.stages[size_t(id)].kind;
      return k == StageKind::kMvau || k == StageKind::kVvau;
    });
    if (compute == ids.end())
      throw config::ConfigError(f.weight_memory_where.line ? f.weight_memory_where : f.where, "'ddr'",
                                "an MVAU or VVAU among the stages of " + l.name +
                                    " to stream its weights into");
    const bool dw = plan_.stages[size_t(*compute)].kind == StageKind::kVvau;
    kinds::StreamSite site{d_};
    site.elem_bits = l.max_weight_bits();
    site.out_bits = (dw ? f.pe : f.pe * f.simd) * site.elem_bits;
    site.elements = l.matrix_width() * l.matrix_height() * l.output_pixels();
    StagePlan ws = on_stream("weight_streamer", l.name + ".weights", li, site);
    ws.pe = f.pe;
    ws.simd = dw ? 1 : f.simd;
    const int at = *compute;
    insert_before(at, std::move(ws));
    for (auto& id : ids)
      if (id >= at) ++id;
    internal(at, at + 1, site.out_bits, site.elem_bits, site.elements);
  }

  const Design& d_;
  const Network& net_;
  std::unordered_map<std::string, const FifoSpec*> fifo_of_;  // first spec per edge, as the search found it
  std::unordered_map<std::string, const StreamFifoSpec*> stream_fifo_of_;
  StreamingPlan plan_;
  std::vector<int> consumers_;
  std::vector<Tail> tails_;
};

}  // namespace

StreamingPlan plan_process_network(const Design& d) { return PlanBuilder(d).build(); }

Design without_missing_stream_fifos(Design d) {
  if (d.stream_fifos.empty()) return d;
  Design bare = d;
  bare.stream_fifos.clear();  // stream depths change no stream's name
  std::set<std::string> inside;
  for (const StreamPlan& sp : plan_process_network(bare).streams)
    if (!sp.graph_edge) inside.insert(sp.name);
  d.stream_fifos.erase(std::remove_if(d.stream_fifos.begin(), d.stream_fifos.end(),
                                      [&](const StreamFifoSpec& f) { return !inside.count(f.stream); }),
                       d.stream_fifos.end());
  return d;
}

std::vector<StagePlan> plan_streaming_stages(const Design& d) {
  std::vector<StagePlan> out;
  for (auto& s : plan_process_network(d).stages)
    if (s.layer >= 0) out.push_back(std::move(s));  // the DMAs belong to no layer
  return out;
}

}  // namespace vine::ir
