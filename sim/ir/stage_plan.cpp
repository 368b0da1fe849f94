#include "sim/ir/stage_plan.h"

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
  }
  return "?";
}

namespace {

StagePlan converter(const std::string& name, int layer, int64_t elements, int elem_bits, int in_bits, int out_bits) {
  StagePlan s;
  s.name = name;
  s.kind = StageKind::kWidthConverter;
  s.layer = layer;
  s.in_stream_bits = in_bits;
  s.out_stream_bits = out_bits;
  s.in_words = elements * elem_bits / in_bits;
  s.out_words = elements * elem_bits / out_bits;
  return s;
}

}  // namespace

std::vector<StagePlan> plan_streaming_stages(const Design& d) {
  const Network& net = d.network;
  std::vector<StagePlan> plan;
  std::vector<int> consumers(net.layers.size(), 0);
  for (const auto& l : net.layers)
    for (int idx : l.input_index)
      if (idx >= 0) consumers[idx]++;

  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const LayerFolding& f = d.folding[i];
    const int li = int(i);
    // Width converters on every input whose stream is not what this layer
    // reads. The input DMA writes at its consumer's width, so it needs none;
    // a layer writes PE values per beat.
    const int want_bits = input_stream_bits(l, f);
    for (size_t k = 0; k < l.input_index.size(); ++k) {
      const int idx = l.input_index[k];
      if (idx < 0) continue;
      const Layer& p = net.layers[idx];
      const int bits = output_stream_bits(p, d.folding[idx]);
      if (bits != want_bits)
        plan.push_back(converter(l.name + ".dwc_in" + (k ? std::to_string(k) : ""), li, p.out_shape.elements(),
                                 p.out_type.bits, bits, want_bits));
    }
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
    const int in_elem_bits = l.in_type.bits, out_elem_bits = l.out_type.bits;

    auto add = [&](const std::string& role, StageKind kind, auto&& adjust) {
      StagePlan s = base;
      s.name = l.name + "." + role;
      s.kind = kind;
      adjust(s);
      plan.push_back(s);
    };
    const bool windowed = l.kind == LayerKind::kConv || l.kind == LayerKind::kDwConv;
    // channels per beat entering a conv's window generator
    const int window_lanes = l.kind == LayerKind::kDwConv ? f.pe : f.simd;
    int h = l.in_shape.h, w = l.in_shape.w;
    if (windowed && l.pad.any()) {
      add("pad", StageKind::kFmPadding, [&](StagePlan& s) {
        s.pe = window_lanes;
        s.ofm_h = h + l.pad.top + l.pad.bottom;
        s.ofm_w = w + l.pad.left + l.pad.right;
        s.in_stream_bits = s.out_stream_bits = window_lanes * in_elem_bits;
        s.in_words = int64_t{h} * w * l.in_shape.c / window_lanes;
        s.out_words = int64_t{s.ofm_h} * s.ofm_w * l.in_shape.c / window_lanes;
      });
      h += l.pad.top + l.pad.bottom;
      w += l.pad.left + l.pad.right;
    }
    // A 1x1 stride-1 conv reads pixels straight from the stream: no window unit.
    const bool needs_window = windowed && !(l.kernel == 1 && l.stride == 1);
    if (needs_window) {
      add("swg", StageKind::kSlidingWindow, [&](StagePlan& s) {
        s.ifm_h = h;
        s.ifm_w = w;
        s.pe = s.simd = window_lanes;
        s.in_stream_bits = s.out_stream_bits = window_lanes * in_elem_bits;
        s.in_words = int64_t{h} * w * l.in_shape.c / window_lanes;
        s.out_words = l.output_pixels() * l.kernel * l.kernel * l.in_shape.c / window_lanes;
      });
    }
    switch (l.kind) {
      case LayerKind::kConv:
      case LayerKind::kFc:
        add("mvau", StageKind::kMvau, [&](StagePlan& s) {
          s.in_stream_bits = f.simd * in_elem_bits;
          s.out_stream_bits = f.pe * out_elem_bits;
          s.in_words = l.output_pixels() * l.matrix_width() / f.simd;
          s.out_words = l.output_pixels() * l.matrix_height() / f.pe;
        });
        break;
      case LayerKind::kDwConv:
        add("vvau", StageKind::kVvau, [&](StagePlan& s) {
          s.in_stream_bits = f.pe * in_elem_bits;
          s.out_stream_bits = f.pe * out_elem_bits;
          s.in_words = l.output_pixels() * l.kernel * l.kernel * l.in_shape.c / f.pe;
          s.out_words = l.output_pixels() * l.in_shape.c / f.pe;
        });
        break;
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
        add(role, k, [&](StagePlan& s) {
          s.in_stream_bits = f.pe * in_elem_bits;
          s.out_stream_bits = f.pe * out_elem_bits;
          s.in_words = l.in_shape.elements() / f.pe;
          s.out_words = l.out_shape.elements() / f.pe;
        });
      }
    }
    if (consumers[i] > 1) {
      add("dup", StageKind::kDuplicate, [&](StagePlan& s) {
        s.ifm_h = s.ofm_h;
        s.ifm_w = s.ofm_w;
        s.channels = l.out_shape.c;
        s.in_stream_bits = s.out_stream_bits = f.pe * out_elem_bits;
        s.in_words = s.out_words = l.out_shape.elements() / f.pe;
      });
    }
  }
  return plan;
}

}  // namespace vine::ir
