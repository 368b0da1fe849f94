#include "sim/ir/design.h"

#include <algorithm>

#include "sim/config/config_error.h"

namespace vine::ir {

using config::ConfigError;

bool LayerFolding::rtl(const std::string& kind) const {
  switch (impl_style) {
    case ImplStyle::kHls: return false;
    case ImplStyle::kRtl: return true;
    case ImplStyle::kPerKind: return std::find(rtl_kinds.begin(), rtl_kinds.end(), kind) != rtl_kinds.end();
  }
  return false;
}

const char* to_string(WeightSchedule s) {
  switch (s) {
    case WeightSchedule::kVector: return "vector";
    case WeightSchedule::kRow: return "row";
    case WeightSchedule::kFrame: return "frame";
  }
  return "?";
}

const char* to_string(WeightCompression c) {
  switch (c) {
    case WeightCompression::kDense: return "dense";
    case WeightCompression::kBitmap: return "bitmap";
  }
  return "?";
}

const char* to_string(MemoryStyle m) {
  switch (m) {
    case MemoryStyle::kBram: return "bram";
    case MemoryStyle::kLutram: return "lutram";
    case MemoryStyle::kUram: return "uram";
    case MemoryStyle::kDdr: return "ddr";
  }
  return "?";
}

const char* to_string(DmaMemory m) { return m == DmaMemory::kDdr ? "ddr" : "ideal"; }

const char* to_string(PeBackend b) { return b == PeBackend::kRtl ? "rtl" : "cpp"; }

const char* to_string(Template t) { return t == Template::kStreaming ? "streaming" : "engine"; }

int input_stream_bits(const Layer& l, const LayerFolding& f) {
  // A window narrower or wider than its MVAU: the layer's input is the window's.
  if (l.kind == LayerKind::kConv && f.window_simd > 0) return f.window_simd * l.in_type.bits;
  int lanes = l.has_weights() && l.kind != LayerKind::kDwConv ? f.simd : f.pe;
  // A conv whose MVAU reads a whole window a beat (SIMD = K x K x C, from the
  // RTL window's parallel style) reads its input C channels a beat.
  if (l.kind == LayerKind::kConv && f.simd > l.in_shape.c) lanes = l.in_shape.c;
  return lanes * l.in_type.bits;
}

int output_stream_bits(const Layer& l, const LayerFolding& f) { return f.pe * l.out_type.bits; }

namespace {

SourceLocation field_location(const LayerFolding& f, const std::string& field) {
  const SourceLocation& given = field == "pe" ? f.pe_where : f.simd_where;
  if (given.line > 0) return given;
  SourceLocation w = f.where;
  w.field += "." + field;
  return w;
}

void require_divides(const LayerFolding& f, const std::string& field, int v, int64_t of, const std::string& what) {
  if (v < 1 || of % v != 0) {
    const SourceLocation w = field_location(f, field);
    throw ConfigError(w, std::to_string(v), "a divisor of " + what + " = " + std::to_string(of));
  }
}

// Bit-serial lanes exist for fixed-point weights in an MVAU whose weights sit
// on chip and run on the C++ back-end (docs/bit-serial.md says why each other
// case is refused).
void check_bit_serial(const Layer& l, const LayerFolding& f) {
  const SourceLocation& w = f.bit_serial_where;
  if (l.kind != LayerKind::kConv && l.kind != LayerKind::kFc)
    throw ConfigError(w, "bit_serial on the " + std::string(to_string(l.kind)) + " layer " + l.name,
                      "bit-serial lanes on a conv or fc layer (an MVAU; the VVAU has none)");
  auto check_fixed = [&](const WeightType& t) {
    if (t.arithmetic != WeightArithmetic::kFixed)
      throw ConfigError(w, std::string(arith::to_string(t.arithmetic)) + " weights on " + l.name,
                        "fixed-point weights under bit_serial (pow2, binary and ternary lanes are cheaper bit-parallel)");
  };
  if (l.channel_groups.empty())
    check_fixed(*l.weights);
  else
    for (const auto& g : l.channel_groups) check_fixed(g.weights);
  if (f.weight_memory == MemoryStyle::kDdr)
    throw ConfigError(w, "bit_serial with weight_memory: ddr on " + l.name,
                      "on-chip weights under bit_serial (a streamed weight word feeds one fold per cycle)");
}

// A window SIMD of its own: a divisor of the input channels (the window
// moves whole channel folds), on a layer that has a window, and not with
// the parallel-window MVAU (which reads the window's whole beat).
void check_window_simd(const Layer& l, const LayerFolding& f) {
  const SourceLocation& w = f.window_simd_where.line ? f.window_simd_where : f.where;
  const std::string v = std::to_string(f.window_simd);
  if (l.kernel == 1 && l.stride == 1)
    throw ConfigError(w, v, "no window_simd on " + l.name + ": a 1x1 stride-1 conv has no sliding window (its MVAU "
                            "reads the stream itself)");
  if (l.in_shape.c % f.window_simd != 0)
    throw ConfigError(w, v, "a divisor of the input channels of " + l.name + " = " + std::to_string(l.in_shape.c));
  if (f.simd > l.in_shape.c)
    throw ConfigError(w, v, "no window_simd on " + l.name + " with simd " + std::to_string(f.simd) +
                            " (the parallel-window style: the MVAU reads the window's whole beat)");
}

}  // namespace

void check_design(const Design& d) {
  const Network& net = d.network;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const LayerFolding& f = d.folding[i];
    switch (l.kind) {
      case LayerKind::kConv:
        // The sliding-window unit emits SIMD channels of one pixel per beat;
        // or, in the RTL generator's parallel style, a whole window of all C
        // channels (convolutioninputgenerator_rtl.py, select_impl_style:
        // SIMD = IFMChannels there), which the MVAU reads as one SIMD beat.
        if (f.simd > l.in_shape.c) {
          const int64_t window = int64_t{l.kernel} * l.kernel * l.in_shape.c;
          if (l.kernel == 1 || f.simd != window || !f.rtl("swg"))
            throw ConfigError(field_location(f, "simd"), std::to_string(f.simd),
                              "a divisor of the input channels of " + l.name + " = " + std::to_string(l.in_shape.c) +
                                  (l.kernel == 1 ? std::string()
                                                 : ", or K x K x C = " + std::to_string(window) +
                                                       " with the RTL window (impl_style: {swg: rtl}: FINN's "
                                                       "parallel-window style, a whole window a beat)"));
        } else {
          require_divides(f, "simd", f.simd, l.in_shape.c, "input channels of " + l.name);
        }
        require_divides(f, "pe", f.pe, l.matrix_height(), "MH (output channels) of " + l.name);
        if (f.window_simd > 0) check_window_simd(l, f);
        break;
      case LayerKind::kFc:
        require_divides(f, "simd", f.simd, l.matrix_width(), "MW of " + l.name);
        require_divides(f, "pe", f.pe, l.matrix_height(), "MH of " + l.name);
        break;
      case LayerKind::kDwConv:
        // The VVAU reads SIMD kernel positions of PE channels per beat: SIMD
        // divides K x K (FINN's vectorvectoractivation.py asserts it in
        // get_folded_input_shape, mvu_vvu_axi.sv checks MW % SIMD).
        require_divides(f, "simd", f.simd, int64_t{l.kernel} * l.kernel,
                        "K x K (kernel positions) of the depthwise layer " + l.name);
        if (f.simd > 1) {
          // What the wider beat is not modelled with: the streamed weight
          // word, the bitmap decoder's word and the Verilated lanes are
          // one kernel position of PE channels.
          const char* without = f.weight_memory == MemoryStyle::kDdr        ? "weight_memory: ddr"
                                : f.weight_compression == WeightCompression::kBitmap ? "weight_compression: bitmap"
                                : f.backend == PeBackend::kRtl                ? "backend: rtl"
                                                                              : nullptr;
          if (without)
            throw ConfigError(field_location(f, "simd"), std::to_string(f.simd),
                              std::string("simd 1 for the depthwise layer ") + l.name + " with " + without +
                                  " (Vine's streamed, compressed and Verilated VVAU weights are one kernel "
                                  "position of PE channels a beat)");
        }
        require_divides(f, "pe", f.pe, l.in_shape.c, "channels of " + l.name);
        break;
      default:
        require_divides(f, "pe", f.pe, l.out_shape.c, "channels of " + l.name);
        if (f.simd != 1) {
          throw ConfigError(field_location(f, "simd"), std::to_string(f.simd), "no simd for a " + std::string(to_string(l.kind)) +
                                                           " layer (its channels per beat are `pe`)");
        }
    }
    // A PE works on one channel group at a time, so groups are whole multiples of PE.
    for (const auto& g : l.channel_groups)
      if (g.channels % f.pe != 0)
        throw ConfigError(g.where, std::to_string(g.channels) + " channels",
                          "a multiple of " + l.name + "'s PE = " + std::to_string(f.pe));
    if (f.bit_serial) check_bit_serial(l, f);
    const int in_bits = input_stream_bits(l, f), out_bits = output_stream_bits(l, f);
    for (auto [bits, field] : {std::pair{in_bits, "simd"}, std::pair{out_bits, "pe"}}) {
      if (bits > d.max_stream_bits) {
        throw ConfigError(field_location(f, field), "a " + std::to_string(bits) + "-bit stream",
                          "streams of at most max_stream_bits = " + std::to_string(d.max_stream_bits) + " bits");
      }
    }
  }
}

}  // namespace vine::ir
