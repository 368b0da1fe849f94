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
  // A padding of its own SIMD: the layer's input is the padding's.
  if (f.padding_simd > 0) return f.padding_simd * l.in_type.bits;
  return window_input_bits(l, f);
}

int window_input_bits(const Layer& l, const LayerFolding& f) {
  // A window narrower or wider than its MVAU: the layer's input is the window's.
  if (l.kind == LayerKind::kConv && f.window_simd > 0) return f.window_simd * l.in_type.bits;
  int lanes = l.has_weights() && l.kind != LayerKind::kDwConv ? f.simd : f.pe;
  // A conv whose MVAU reads a whole window a beat (SIMD = K x K x C, from the
  // RTL window's parallel style) reads its input C channels a beat.
  if (l.kind == LayerKind::kConv && f.simd > l.in_shape.c) lanes = l.in_shape.c;
  return lanes * l.in_type.bits;
}

int output_stream_bits(const Layer& l, const LayerFolding& f) {
  // Separate thresholds: the threshold stage writes the layer's output.
  return (f.separate_thresholds() ? f.threshold_pe : f.pe) * l.out_type.bits;
}

int accumulator_bits(const Layer& l) { return l.acc_range.bits(); }

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
// moves whole channel folds), on a layer that has a window. Its MVAU may
// then read more than C elements a beat (SIMD a divisor of KH x KW x C):
// the width converter between them packs consecutive window beats, kernel
// position after kernel position, as FINN's InsertDWC does before an MVAU
// whose SIMD is wider than its default-style window's (finn-examples'
// VGG10: a window of SIMD 2 into an MVAU of SIMD 6 = 3 x 1 x 2).
void check_window_simd(const Layer& l, const LayerFolding& f) {
  const SourceLocation& w = f.window_simd_where.line ? f.window_simd_where : f.where;
  const std::string v = std::to_string(f.window_simd);
  if (l.pointwise())
    throw ConfigError(w, v, "no window_simd on " + l.name + ": a 1x1 stride-1 conv has no sliding window (its MVAU "
                            "reads the stream itself)");
  if (l.in_shape.c % f.window_simd != 0)
    throw ConfigError(w, v, "a divisor of the input channels of " + l.name + " = " + std::to_string(l.in_shape.c));
}

// Thresholds as a stage of their own: a layer with an MVAU or VVAU and
// thresholds, a PE that divides its channels, accumulators that fit the
// 32-bit beat elements, and the C++ PE models (the Verilated lanes carry
// their output unit inside the PE array).
void check_separate_thresholds(const Layer& l, const LayerFolding& f) {
  const SourceLocation& w = f.threshold_pe_where.line ? f.threshold_pe_where : f.where;
  const std::string v = std::to_string(f.threshold_pe);
  if (!l.has_weights() || l.output.kind != OutputKind::kThreshold)
    throw ConfigError(w, v, "no thresholds stage on " + l.name + " (a conv, dwconv or fc layer with a threshold "
                            "output only; its output is " + std::string(to_string(l.output.kind)) + ")");
  if (l.out_shape.c % f.threshold_pe != 0)
    throw ConfigError(w, v, "a divisor of the output channels of " + l.name + " = " + std::to_string(l.out_shape.c));
  if (accumulator_bits(l) > 32)
    throw ConfigError(w, v, "accumulators of at most 32 bits on " + l.name + " (its are " +
                            std::to_string(accumulator_bits(l)) + "; streams carry 32-bit elements)");
  if (f.backend == PeBackend::kRtl)
    throw ConfigError(f.backend_where.line ? f.backend_where : w, "rtl",
                      "backend: cpp on " + l.name + " with its thresholds a stage of their own (the Verilated "
                      "PE array has its output unit inside)");
}

// A padding SIMD of its own: a padded conv or dwconv layer (FMPadding is the
// chain's head), a divisor of its input channels.
void check_padding_simd(const Layer& l, const LayerFolding& f) {
  const SourceLocation& w = f.padding_simd_where.line ? f.padding_simd_where : f.where;
  const std::string v = std::to_string(f.padding_simd);
  if ((l.kind != LayerKind::kConv && l.kind != LayerKind::kDwConv) || !l.pad.any())
    throw ConfigError(w, v, "no padding_simd on " + l.name + " (a padded conv or dwconv layer only: " + l.name +
                            " has no FMPadding)");
  if (!f.stages.empty())
    throw ConfigError(w, v, "no padding_simd on " + l.name + " with its own stages: list (its chain need not start "
                            "with the padding)");
  if (l.in_shape.c % f.padding_simd != 0)
    throw ConfigError(w, v, "a divisor of the input channels of " + l.name + " = " + std::to_string(l.in_shape.c));
  if (l.kind == LayerKind::kConv && f.simd > l.in_shape.c && f.window_simd == 0)
    throw ConfigError(w, v, "no padding_simd on " + l.name + " with simd " + std::to_string(f.simd) +
                            " (the parallel-window style)");
}

// A DuplicateStreams folding of its own: a layer that several layers read,
// a divisor of its output channels.
void check_duplicate_pe(const Network& net, size_t i, const LayerFolding& f) {
  const Layer& l = net.layers[i];
  const SourceLocation& w = f.duplicate_pe_where.line ? f.duplicate_pe_where : f.where;
  const std::string v = std::to_string(f.duplicate_pe);
  int readers = 0;
  for (const Layer& r : net.layers)
    for (int idx : r.input_index) readers += idx == int(i);
  if (readers < 2)
    throw ConfigError(w, v, "no duplicate_pe on " + l.name + " (a layer that several layers read only: " +
                            std::to_string(readers) + " reads it, so it has no DuplicateStreams)");
  if (l.out_shape.c % f.duplicate_pe != 0)
    throw ConfigError(w, v, "a divisor of the output channels of " + l.name + " = " + std::to_string(l.out_shape.c));
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
        if (f.simd > l.in_shape.c && f.window_simd > 0) {
          // A default-style window of its own SIMD, and a converter packing
          // its beats into the MVAU's wider ones.
          require_divides(f, "simd", f.simd, l.matrix_width(), "KH x KW x C (MW) of " + l.name);
        } else if (f.simd > l.in_shape.c) {
          const int64_t window = l.kernel_positions() * l.in_shape.c;
          const bool one_position = l.kernel_positions() == 1;
          if (one_position || f.simd != window || !f.rtl("swg"))
            throw ConfigError(field_location(f, "simd"), std::to_string(f.simd),
                              "a divisor of the input channels of " + l.name + " = " + std::to_string(l.in_shape.c) +
                                  (one_position ? std::string()
                                                : ", or KH x KW x C = " + std::to_string(window) +
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
        require_divides(f, "simd", f.simd, l.kernel_positions(),
                        "KH x KW (kernel positions) of the depthwise layer " + l.name);
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
    if (f.separate_thresholds()) check_separate_thresholds(l, f);
    if (f.padding_simd > 0) check_padding_simd(l, f);
    if (f.duplicate_pe > 0) check_duplicate_pe(net, i, f);
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
