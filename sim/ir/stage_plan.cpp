#include "sim/ir/stage_plan.h"

#include <numeric>

namespace vine::ir {

const char* to_string(StageKind k) {
  switch (k) {
    case StageKind::kFmPadding: return "fmpadding";
    case StageKind::kSlidingWindow: return "swg";
    case StageKind::kMvau: return "mvau";
    case StageKind::kVvau: return "vvau";
    case StageKind::kThreshold: return "threshold";
    case StageKind::kMaxPool: return "maxpool";
    case StageKind::kAvgPool: return "avgpool";
    case StageKind::kAddStreams: return "addstreams";
    case StageKind::kConcat: return "concat";
    case StageKind::kDuplicate: return "duplicate";
    case StageKind::kWidthConverter: return "dwc";
    case StageKind::kInputDma: return "input_dma";
    case StageKind::kOutputDma: return "output_dma";
  }
  return "?";
}

namespace {

// Builds the process network: stages in topological order, and a stream for
// every producer-consumer pair.
class PlanBuilder {
 public:
  explicit PlanBuilder(const Design& d) : d_(d), net_(d.network) {}

  StreamingPlan build() {
    consumers_.assign(net_.layers.size() + 1, 0);  // [0] is the network input
    for (const auto& l : net_.layers)
      for (int idx : l.input_index) consumers_[idx + 1]++;
    tails_.assign(net_.layers.size() + 1, {});

    StagePlan dma;
    dma.name = "input_dma";
    dma.kind = StageKind::kInputDma;
    dma.channels = net_.input_shape.c;
    dma.ofm_h = net_.input_shape.h;
    dma.ofm_w = net_.input_shape.w;
    // The DMA writes at the design's memory-interface width, or at the width
    // its (first) consumer reads.
    dma.out_stream_bits = d_.dma_bits;
    for (size_t i = 0; i < net_.layers.size() && !dma.out_stream_bits; ++i)
      for (int idx : net_.layers[i].input_index)
        if (idx < 0) dma.out_stream_bits = input_stream_bits(net_.layers[i], d_.folding[i]);
    dma.out_words = net_.input_shape.elements() * net_.input_type.bits / dma.out_stream_bits;
    add_output_side(-1, push(dma), dma.out_stream_bits, net_.input_type.bits, net_.input_shape.elements());

    for (size_t i = 0; i < net_.layers.size(); ++i) add_layer(int(i));

    const int last = int(net_.layers.size()) - 1;
    const Layer& ol = net_.output_layer();
    StagePlan out;
    out.name = "output_dma";
    out.kind = StageKind::kOutputDma;
    out.channels = ol.out_shape.c;
    out.ifm_h = ol.out_shape.h;
    out.ifm_w = ol.out_shape.w;
    // The output DMA packs whole elements: at the design's DMA width when the
    // elements fit it exactly, else at the last layer's width.
    const bool packs = d_.dma_bits && d_.dma_bits % ol.out_type.bits == 0;
    out.in_stream_bits = packs ? d_.dma_bits : output_stream_bits(ol, d_.folding[last]);
    out.in_words = ol.out_shape.elements() * ol.out_type.bits / out.in_stream_bits;
    const int od = push(out);
    connect_edge(last, "output", od, out.in_stream_bits);
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
      const StagePlan& src = plan_.stages[stage];
      StagePlan dup;
      dup.name = (layer < 0 ? std::string("input") : net_.layers[layer].name) + ".dup";
      dup.kind = StageKind::kDuplicate;
      dup.layer = layer < 0 ? 0 : layer;
      dup.pe = bits / elem_bits;
      dup.ifm_h = dup.ofm_h = src.ofm_h;
      dup.ifm_w = dup.ofm_w = src.ofm_w;
      dup.channels = int(elements / (int64_t{src.ofm_h} * src.ofm_w));
      dup.in_stream_bits = dup.out_stream_bits = bits;
      dup.in_words = dup.out_words = elements * elem_bits / bits;
      const int di = push(dup);
      internal(stage, di, bits, elem_bits, elements);
      t.stage = di;
    }
    tails_[layer + 1] = t;
  }

  FifoSpec edge_spec(const std::string& from, const std::string& to) const {
    for (const auto& f : d_.fifos)
      if (f.from == from && f.to == to) return f;
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
                                    int to_bits) const {
    std::vector<int> widths{from_bits};
    if (from_bits % to_bits != 0 && to_bits % from_bits != 0) widths.push_back(std::lcm(from_bits, to_bits));
    widths.push_back(to_bits);
    std::vector<StagePlan> out;
    for (size_t k = 0; k + 1 < widths.size(); ++k) {
      StagePlan s;
      s.name = name + (k ? std::to_string(k + 1) : "");
      s.kind = StageKind::kWidthConverter;
      s.layer = layer;
      s.in_stream_bits = widths[k];
      s.out_stream_bits = widths[k + 1];
      s.in_words = elements * elem_bits / widths[k];
      s.out_words = elements * elem_bits / widths[k + 1];
      out.push_back(s);
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
      for (auto& c : converters(name, out_layer, t.elements, t.elem_bits, t.bits, edge_bits)) {
        const int ci = insert_before(to, c);
        ++to;
        internal(src, ci, src_bits, t.elem_bits, t.elements);
        src = ci;
        src_bits = c.out_stream_bits;
      }
    }
    if (edge_bits == want_bits) {
      stream(src, to, edge_bits, t.elem_bits, t.elements, &spec, edge_name);
      return;
    }
    const std::string dwc_name =
        consumer_name + ".dwc_in" + (plan_.stages[to].inputs.empty() ? "" : std::to_string(plan_.stages[to].inputs.size()));
    auto convs = converters(dwc_name, in_layer, t.elements, t.elem_bits, edge_bits, want_bits);
    int prev = -1;
    for (size_t k = 0; k < convs.size(); ++k) {
      const int ci = insert_before(to, convs[k]);
      ++to;
      if (k == 0)
        stream(src, ci, edge_bits, t.elem_bits, t.elements, &spec, edge_name);
      else
        internal(prev, ci, convs[k].in_stream_bits, t.elem_bits, t.elements);
      prev = ci;
    }
    internal(prev, to, want_bits, t.elem_bits, t.elements);
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

  void add_layer(int li) {
    const Layer& l = net_.layers[li];
    const LayerFolding& f = d_.folding[li];
    StagePlan base;
    base.layer = li;
    base.pe = f.pe;
    base.simd = f.simd;
    base.ifm_h = l.in_shape.h;
    base.ifm_w = l.in_shape.w;
    base.channels = l.in_shape.c;
    base.ofm_h = l.out_shape.h;
    base.ofm_w = l.out_shape.w;
    base.kernel = l.kernel;
    base.stride = l.stride;
    const int in_bits = l.in_type.bits, out_bits = l.out_type.bits;
    auto make = [&](const std::string& role, StageKind kind) {
      StagePlan s = base;
      s.name = l.name + "." + role;
      s.kind = kind;
      return s;
    };

    const bool windowed = l.kind == LayerKind::kConv || l.kind == LayerKind::kDwConv;
    // channels per beat entering a conv's window generator
    const int window_lanes = l.kind == LayerKind::kDwConv ? f.pe : f.simd;
    std::vector<StagePlan> chain;  // the stages reading input 0, in order
    int h = l.in_shape.h, w = l.in_shape.w;
    if (windowed && l.pad.any()) {
      StagePlan s = make("pad", StageKind::kFmPadding);
      s.pe = window_lanes;
      s.ofm_h = h + l.pad.top + l.pad.bottom;
      s.ofm_w = w + l.pad.left + l.pad.right;
      s.in_stream_bits = s.out_stream_bits = window_lanes * in_bits;
      s.in_words = int64_t{h} * w * l.in_shape.c / window_lanes;
      s.out_words = int64_t{s.ofm_h} * s.ofm_w * l.in_shape.c / window_lanes;
      chain.push_back(s);
      h = s.ofm_h;
      w = s.ofm_w;
    }
    // A 1x1 stride-1 conv reads pixels straight from the stream: no window unit.
    if (windowed && !(l.kernel == 1 && l.stride == 1)) {
      StagePlan s = make("swg", StageKind::kSlidingWindow);
      s.ifm_h = h;
      s.ifm_w = w;
      s.pe = s.simd = window_lanes;
      s.depthwise = l.kind == LayerKind::kDwConv;
      s.in_stream_bits = s.out_stream_bits = window_lanes * in_bits;
      s.in_words = int64_t{h} * w * l.in_shape.c / window_lanes;
      s.out_words = l.output_pixels() * l.kernel * l.kernel * l.in_shape.c / window_lanes;
      chain.push_back(s);
    }
    switch (l.kind) {
      case LayerKind::kConv:
      case LayerKind::kFc: {
        StagePlan s = make("mvau", StageKind::kMvau);
        s.in_stream_bits = f.simd * in_bits;
        s.out_stream_bits = f.pe * out_bits;
        s.in_words = l.output_pixels() * l.matrix_width() / f.simd;
        s.out_words = l.output_pixels() * l.matrix_height() / f.pe;
        chain.push_back(s);
        break;
      }
      case LayerKind::kDwConv: {
        StagePlan s = make("vvau", StageKind::kVvau);
        s.in_stream_bits = f.pe * in_bits;
        s.out_stream_bits = f.pe * out_bits;
        s.in_words = l.output_pixels() * l.kernel * l.kernel * l.in_shape.c / f.pe;
        s.out_words = l.output_pixels() * l.in_shape.c / f.pe;
        chain.push_back(s);
        break;
      }
      default: {
        StageKind k = StageKind::kThreshold;
        const char* role = "threshold";
        switch (l.kind) {
          case LayerKind::kMaxPool: k = StageKind::kMaxPool; role = "pool"; break;
          case LayerKind::kAvgPool: k = StageKind::kAvgPool; role = "pool"; break;
          case LayerKind::kPad: k = StageKind::kFmPadding; role = "pad"; break;
          case LayerKind::kAdd: k = StageKind::kAddStreams; role = "add"; break;
          case LayerKind::kConcat: k = StageKind::kConcat; role = "concat"; break;
          default: break;
        }
        StagePlan s = make(role, k);
        s.in_stream_bits = f.pe * in_bits;
        s.out_stream_bits = f.pe * out_bits;
        s.in_words = l.in_shape.elements() / f.pe;
        s.out_words = l.out_shape.elements() / f.pe;
        chain.push_back(s);
      }
    }
    std::vector<int> ids;
    for (auto& s : chain) ids.push_back(push(s));
    for (size_t k = 1; k < ids.size(); ++k) {
      const StagePlan& p = plan_.stages[ids[k - 1]];
      internal(ids[k - 1], ids[k], p.out_stream_bits, in_bits, p.out_words * p.out_stream_bits / in_bits);
    }
    // Inputs: input 0 enters the chain's head; further inputs (add, concat)
    // enter the main stage (the chain's last, wherever converters have moved
    // it). Every input is read SIMD/PE lanes wide, in its own element width.
    for (size_t k = 0; k < l.input_index.size(); ++k) {
      const int head = k == 0 ? ids.front() : ids.back();
      const int idx = l.input_index[k];
      const int elem_bits = idx < 0 ? net_.input_type.bits : net_.layers[size_t(idx)].out_type.bits;
      const int want = k == 0 ? plan_.stages[head].in_stream_bits : plan_.stages[head].pe * elem_bits;
      const int before = int(plan_.stages.size());
      connect_edge(l.input_index[k], l.name, head, want);
      // Converters inserted before the head shift it and what follows it.
      const int shift = int(plan_.stages.size()) - before;
      for (auto& id : ids)
        if (id >= head) id += shift;
    }
    const StagePlan& tail = plan_.stages[ids.back()];
    add_output_side(li, ids.back(), tail.out_stream_bits, out_bits, l.out_shape.elements());
  }

  const Design& d_;
  const Network& net_;
  StreamingPlan plan_;
  std::vector<int> consumers_;
  std::vector<Tail> tails_;
};

}  // namespace

StreamingPlan plan_process_network(const Design& d) { return PlanBuilder(d).build(); }

std::vector<StagePlan> plan_streaming_stages(const Design& d) {
  std::vector<StagePlan> out;
  for (auto& s : plan_process_network(d).stages)
    if (s.kind != StageKind::kInputDma && s.kind != StageKind::kOutputDma) out.push_back(std::move(s));
  return out;
}

}  // namespace vine::ir
