// A design: a network mapped onto a device with a hardware template, per-layer
// folding and memory placement, and FIFO depths.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/ir/cluster.h"
#include "sim/ir/device.h"
#include "sim/ir/engine.h"
#include "sim/ir/network.h"

namespace vine::ir {

enum class Template { kStreaming, kEngine };
enum class MemoryStyle { kBram, kLutram, kUram, kDdr };
const char* to_string(MemoryStyle m);
// How often a conv layer whose weights are in DDR reads them, and the
// buffers that buys (docs/ddr-weights.md): once per output pixel (kVector,
// FINN's external weight stream), once per output row (kRow) or once per
// frame (kFrame), the schedules of Nguyen et al.
enum class WeightSchedule { kVector, kRow, kFrame };
const char* to_string(WeightSchedule s);
enum class WeightCompression { kDense, kBitmap };
const char* to_string(WeightCompression c);
// Where `vine run`'s input and output DMAs read and write their frames
// (models/layers/frame_buffers.h): an ideal memory that never makes them
// wait, as FINN's rtlsim drives the input every cycle (kIdeal), or the
// board's DDR model, on the channels the weight streams share (kDdr).
enum class DmaMemory { kIdeal, kDdr };
const char* to_string(DmaMemory m);
const char* to_string(Template t);

// Folding of one layer's stage(s). For MVAU: PE | MH, SIMD | MW; VVAU: PE | C,
// SIMD | k*k; pool/threshold/add/concat/pad: PE (channels per beat) | C.
// Where a layer's PE arithmetic runs in `vine run`: the C++ models, or the
// Verilated RTL lanes units (co-simulation).
enum class PeBackend { kCpp, kRtl };
const char* to_string(PeBackend b);

struct LayerFolding {
  int pe = 1;
  int simd = 1;
  MemoryStyle weight_memory = MemoryStyle::kBram;
  PeBackend backend = PeBackend::kCpp;
  SourceLocation where;       // the layer's entry in the design
  SourceLocation pe_where, simd_where, backend_where;  // the fields themselves, when given
  // The layer's own weight_memory field, or the design-wide default it took;
  // unknown (line 0) when neither was written.
  SourceLocation weight_memory_where;
  WeightSchedule weight_schedule = WeightSchedule::kVector;
  SourceLocation weight_schedule_where;  // the field, when given
  // How the layer's weight memory or DDR image stores its weights: every
  // weight (kDense), or the bitmap format that leaves pruned weights out
  // (kBitmap, sim/ir/weight_bitmap.h).
  WeightCompression weight_compression = WeightCompression::kDense;
  SourceLocation weight_compression_where;  // the field, when given
  // Bit-serial lanes (rtl/mvau_lanes_bitserial.sv): a w-bit weight takes w
  // cycles, one bit a cycle, so a fold of a channel group of w-bit weights
  // takes w cycles and narrower groups finish sooner (docs/bit-serial.md).
  // Fixed-point weights on a conv or fc layer's MVAU, on-chip weights.
  bool bit_serial = false;
  SourceLocation bit_serial_where;  // the field, when given
  // `window_simd:` a conv layer's sliding window (and padding) moves this
  // many channels a beat where it differs from its MVAU's SIMD, with FINN's
  // StreamingDataWidthConverter between the window and the MVAU; 0: the
  // MVAU's SIMD (no converter). The window's element order (kernel
  // positions, then channels) does not depend on its SIMD, so the converter
  // re-beats the same elements.
  int window_simd = 0;
  SourceLocation window_simd_where;  // the field, when given
  // `thresholds: {pe: N}`: a conv, dwconv or fc layer's thresholds are a
  // stage of their own (`<layer>.threshold`, FINN's Thresholding node after
  // an MVAU or VVAU with noActivation), N channels a beat; the MVAU or VVAU
  // writes its accumulators into it. 0: the thresholds sit inside the MVAU
  // or VVAU (FINN's embedded activation). The activations are the same.
  int threshold_pe = 0;
  SourceLocation threshold_pe_where;  // the field, when given
  // `padding_simd:` a padded conv or dwconv layer's FMPadding moves this many
  // channels a beat where it differs from its sliding window's, with FINN's
  // StreamingDataWidthConverter between the two; 0: the window's (no
  // converter). The padding writes each pixel's channels in order whatever
  // its SIMD, so the converter re-beats the same elements.
  int padding_simd = 0;
  SourceLocation padding_simd_where;  // the field, when given
  // `duplicate_pe:` the DuplicateStreams after a layer that several layers
  // read copies this many channels a beat where it differs from the layer's
  // output lanes, with FINN's StreamingDataWidthConverter before it (a
  // FINN build folds DuplicateStreams apart from its producer: ResNet-50's
  // Pool PE 4 into DuplicateStreams PE 2); 0: the layer's output lanes.
  int duplicate_pe = 0;
  SourceLocation duplicate_pe_where;  // the field, when given
  bool separate_thresholds() const { return threshold_pe > 0; }
  // The stage kinds the layer expands into, in stream order, when the design
  // lists them (`stages:`); empty: the layer kind's usual chain
  // (ir::layer_stages).
  std::vector<std::string> stages;
  SourceLocation stages_where;
  // The FINN implementation style ("hls" or "rtl") of this layer's stages
  // in a FINN build, by stage kind, where it differs from the design's
  // (`finn_impl:`, docs/finn-configs.md): it names the FINN nodes
  // (MVAU_rtl_0) that `vine export finn` writes. No effect on timing.
  std::map<std::string, std::string> finn_impl;
  // `impl_style:` which of the layer's stages are timed from FINN's RTL
  // templates instead of its HLS ones (docs/finn-rtl-templates.md): none
  // (`hls`, the default); every stage of its chain that has an RTL variant,
  // and the width converters that belong to the layer (`rtl`); or the HLS
  // kinds a map names (`{swg: rtl, mvau: hls}`). The data path is the same.
  enum class ImplStyle { kHls, kRtl, kPerKind };
  ImplStyle impl_style = ImplStyle::kHls;
  std::vector<std::string> rtl_kinds;  // kPerKind: the HLS kinds timed from RTL
  SourceLocation impl_style_where;
  // Whether stages of HLS kind `kind` ("swg", "dwc") are timed from RTL.
  bool rtl(const std::string& kind) const;
};

// Depth of the FIFO on one edge of the layer graph ("input" and "output" name
// the DMA ends).
struct FifoSpec {
  std::string from, to;
  int depth = 2;
  // HLS shift-register FIFO (holds depth beats, readable the cycle after the
  // write) or memory-style (depth + 1 beats, two cycles write to read).
  bool memory_style = false;
  int bits = 0;  // stream width on this edge; 0: the producer's PE x output bits
  // FINN's StreamingFIFO impl_style and ram_style for this FIFO, carried
  // from and into FINN folding configs (docs/finn-configs.md); empty:
  // FINN's rule for the depth, and "auto". No effect on timing.
  std::string finn_impl_style, finn_ram_style;
  SourceLocation where;
};

// Depth of a stream inside a layer (converter -> window -> MVAU ...), by its
// name in the stage plan ("conv1.swg->conv1.mvau"), overriding
// internal_fifo_depth: what `vine fifo-size` writes for each stream it sizes.
struct StreamFifoSpec {
  std::string stream;
  int depth = 2;
  bool memory_style = false;  // see FifoSpec
  std::string finn_impl_style, finn_ram_style;  // see FifoSpec
  SourceLocation where;
};

// Where a design's layers run on a cluster (`cluster:` and `placement:`,
// docs/partition.md): each board a range of consecutive layers, the boards
// in pipeline order, and each cut stream on the link between consecutive
// boards. Empty (no boards) for a design on one device.
struct PlacedBoard {
  int board = -1;           // index into Cluster::boards
  int first = 0, last = 0;  // layers [first, last)
  SourceLocation where;
};
struct Placement {
  Cluster cluster;
  SourceLocation cluster_where;
  std::vector<PlacedBoard> boards;
  std::vector<int> board_of_layer;  // per network layer: its cluster board
  bool placed() const { return !boards.empty(); }
};

struct Design {
  std::string name;
  std::string path;
  Template hw_template = Template::kStreaming;
  // The compute engine's parameters (template: engine; docs/engine.md).
  EngineConfig engine;
  double clock_mhz = 100;
  Network network;
  Device device;
  SourceLocation device_where;  // the design's `device` field
  std::vector<LayerFolding> folding;  // one per network layer, same order
  int default_fifo_depth = 2;         // FINN's default stream depth
  int dma_bits = 0;  // memory-interface width of the DMAs; 0: what the first and last layers stream
  DmaMemory dma_memory = DmaMemory::kIdeal;
  SourceLocation dma_memory_where;  // the field, when given
  int internal_fifo_depth = 2;        // streams inside a layer (converter -> window -> MVAU)
  // Pipeline depth (read-to-write cycles) per stage kind, by its registered
  // name ("mvau", "swg", "dwc", ...), overriding the kind's own.
  std::map<std::string, int> pipeline_depth;
  SourceLocation pipeline_depth_where;
  // Which stage kinds' pipelines flush (`pipeline_style:`, models/stage/
  // pipeline_timing.h): `flush` or `stall` for every kind, or a map by kind.
  // Default: stall (the style of the BNN-PYNQ builds' finn-hlslib).
  bool pipeline_flush = false;
  std::map<std::string, bool> pipeline_flush_kind;
  SourceLocation pipeline_style_where;
  bool flushes(const std::string& kind) const {
    const auto it = pipeline_flush_kind.find(kind);
    return it != pipeline_flush_kind.end() ? it->second : pipeline_flush;
  }
  std::vector<FifoSpec> fifos;        // one per graph edge, defaults filled in
  std::vector<StreamFifoSpec> stream_fifos;  // streams inside layers given their own depth
  int max_stream_bits = 8192;         // widest stream a stage may read or write
  // The FINN implementation style ("hls" or "rtl") of each stage kind in a
  // FINN build, where it differs from current finn-examples'
  // (sim/finn_config/finn_op_types.h); layers may override it.
  std::map<std::string, std::string> finn_impl;
  Placement placement;  // on a cluster's boards; not placed: one device

  const LayerFolding& folding_of(int layer) const { return folding.at(layer); }
};

// The widest stream a layer reads (SIMD * input bits) and writes (PE * output bits).
int input_stream_bits(const Layer& l, const LayerFolding& f);
// The stream a layer's sliding window (or, without one, its first stage)
// reads: input_stream_bits but for a padding of its own SIMD before it.
int window_input_bits(const Layer& l, const LayerFolding& f);
int output_stream_bits(const Layer& l, const LayerFolding& f);
// Bits of one accumulator an MVAU or VVAU writes where its layer's
// thresholds are a stage of their own: the accumulator range's width
// (FINN's MVAU with noActivation writes its minimised accDataType).
int accumulator_bits(const Layer& l);

// Checks folding divisibility and stream widths; throws ConfigError.
void check_design(const Design& d);

}  // namespace vine::ir
