// FINN's dataflow nodes (domain finn.custom_op.fpgadataflow[.hls|.rtl])
// translated into Vine layers, folding and FIFOs, exactly or not at all:
// an unsupported node, attribute value or data type is an ImportError
// naming the node, the attribute, the value and what is supported.
//
// The node-to-layer table (docs/coming-from-finn.md):
//   MVAU / MatrixVectorActivation        -> fc (one input vector) or, after
//     [FMPadding ->] ConvolutionInputGenerator, or over H x W vectors
//     (1x1 stride-1), a conv layer; weights and thresholds into sidecars
//   Thresholding                         -> after an MVAU or VVAU without
//     activation (through a converter where the PEs differ), that layer's
//     `thresholds: {pe: N}`; otherwise a threshold layer
//   StreamingMaxPool                     -> maxpool layer
//   AddStreams                           -> add layer
//   DuplicateStreams                     -> the fan-out Vine builds itself
//   StreamingDataWidthConverter          -> the converter Vine builds itself;
//     after a window or padding, its layer's `window_simd` / `padding_simd`
//   StreamingFIFO                        -> the depth and style of a graph edge,
//                                           or of a stream inside a conv layer
#pragma once

#include "sim/import/imported_design.h"
#include "sim/import/onnx_model.h"

namespace vine::import {

ImportedDesign translate_finn_model(const OnnxModel& m);

}  // namespace vine::import
