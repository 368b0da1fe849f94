// QONNX models as Brevitas exports them (standard ONNX MatMul, Conv,
// MaxPool, Add, Relu, Reshape/Flatten around qonnx's Quant, BipolarQuant and
// MultiThreshold) translated into Vine layers with their integer weights and
// thresholds, exactly or not at all: a node, attribute, scale or data type
// Vine cannot reproduce bit for bit is an ImportError naming the node and
// what is supported.
//
// A tensor of the graph is followed as integer codes times a scale: the
// graph input's Quant gives the input type and scale, each weight Quant the
// integer weights and their per-output-channel scale, so a MatMul's or
// Conv's float result is its integer accumulator times (input scale x weight
// scale). MultiThreshold compares that float with its thresholds, and an
// activation Quant rounds it; either becomes thresholds on the integer
// accumulator, exact because every scale must be a power of two
// (docs/coming-from-finn.md).
//
// The node-to-layer table:
//   Quant / BipolarQuant on the graph input    -> the network's input type
//   Quant / BipolarQuant on an initializer     -> a layer's integer weights
//   MatMul                                     -> fc
//   Conv (NCHW, weights [out, in, kh, kw])     -> conv (HWC, (out, kh, kw, in))
//   Quant / BipolarQuant on raw sums [via Relu] -> that layer's threshold output
//                                                 (round half to even as thresholds)
//   MultiThreshold after MatMul/Conv           -> that layer's threshold output
//   MultiThreshold elsewhere                   -> threshold layer
//   MaxPool                                    -> maxpool
//   Add of a bias initializer, Conv's bias     -> folded into the thresholds that follow
//   Add of two streams                         -> add
//   Reshape / Flatten to (1, N)                -> nothing (fc reads its input flattened)
#pragma once

#include "sim/import/imported_design.h"
#include "sim/import/onnx_model.h"

namespace vine::import {

ImportedDesign translate_qonnx_model(const OnnxModel& m);

}  // namespace vine::import
