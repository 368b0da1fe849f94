// What `vine import finn` makes of a FINN dataflow model before writing it:
// Vine layers (with their weights and thresholds as numbers), each layer's
// folding and memory, and the FIFOs on the layer graph's edges. Written out
// as a network, a design and .npy sidecars by write_vine.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/ir/network.h"

namespace vine::import {

// A parameter array for a `weights_file:` / `thresholds_file:` sidecar.
struct ParameterArray {
  std::vector<int64_t> shape;
  std::vector<int64_t> values;  // C order
};

struct ImportedLayer {
  std::string name;                 // the FINN node's name (the MVAU's for a window + MVAU pair)
  std::vector<std::string> finn_nodes;  // the FINN nodes it stands for, in stream order
  ir::LayerKind kind = ir::LayerKind::kFc;
  std::vector<std::string> inputs;  // Vine layer names, "input" for the network input
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;  // conv, dwconv, pools: KH x KW at SH, SW
  ir::Padding pad;
  int out_channels = 0;             // conv out_channels, fc out_features
  std::optional<ir::WeightType> weights;
  ir::OutputSpec output;            // conv, fc, threshold, add
  std::optional<ParameterArray> weights_values, thresholds;
  // channelwise: its function and types, and its parameters (one per channel).
  std::optional<ir::ChannelwiseSpec> channelwise;
  std::optional<ParameterArray> parameters;
  // Folding and memory.
  int pe = 1, simd = 1;
  bool has_simd = false;            // conv, fc
  // FINN's nodes folded apart inside the layer, each with its width
  // converter (docs/finn-configs.md): the window's SIMD (`window_simd`), the
  // padding's (`padding_simd`), the Thresholding node's PE after an MVAU or
  // VVAU without activation (`thresholds: {pe: N}`); 0 where there is none.
  int window_simd = 0, padding_simd = 0, threshold_pe = 0;
  std::string weight_memory;        // "" (the design's default), bram, lutram, uram
  // The HLS kinds of its stages that FINN built from RTL templates (an _rtl
  // node, or its width converter's): the design's `impl_style` map.
  std::vector<std::string> rtl_kinds;
  // Its chain of stages where it is not the layer kind's default (the
  // design's `stages:`): a strided 1x1 conv FINN built with a DownSampler.
  std::vector<std::string> stages;
};

struct ImportedFifo {
  std::string from, to;             // Vine layer names, "input" / "output" for the DMAs
  std::string stream;               // or a stream inside a layer ("conv1.swg->conv1.mvau")
  std::string finn_node;            // the StreamingFIFO node
  int depth = 2;
  bool memory_style = false;
  int bits = 0;                     // the edge's width when the FIFO sits after a width converter
};

struct ImportedDesign {
  std::string name;
  std::string source = "finn";      // the `vine import` kind that made it: finn, qonnx
  ir::Shape input_shape;
  ir::ActivationType input_type;
  std::vector<ImportedLayer> layers;
  std::vector<ImportedFifo> fifos;
  std::vector<std::string> notes;   // what the import decided that a reader should know
  // The build's pipelines flush (`pipeline_style: flush`): a FINN graph in
  // the op vocabulary of FINN v0.10 on (MVAU, VVAU, _hls/_rtl), whose
  // finn-hlslib templates and RTL MVU flush; false for the older names
  // (MatrixVectorActivation, VectorVectorActivation, _Batch).
  bool flushing = false;
};

}  // namespace vine::import
