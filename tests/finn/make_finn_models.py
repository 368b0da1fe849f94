"""Builds FINN-style dataflow models with python3-onnx (no FINN, no downloads)
for the `vine import finn` tests: nodes in FINN's fpgadataflow domains with
FINN's attribute names, weights as (MW, MH) initializers and thresholds as
(channels, steps) initializers, FINN data types in quantization annotations.

  make_finn_models.py OUTDIR     writes tfc.onnx, tfc_unfolded.onnx, tfc_fifo_after_dwc.onnx,
                                 cnv_block.onnx, dw_block.onnx, dw_rtl_block.onnx, residual.onnx,
                                 pool_block.onnx, tfc_label_select.onnx, window_dwc_block.onnx,
                                 window_dwc_lcm_block.onnx, threshold_node_block.onnx, padding_simd_block.onnx,
                                 downsampler_block.onnx, conv1d_block.onnx, channelwise_block.onnx

- tfc: TFC-W1A1 as FINN builds it (XNOR-popcount MVAUs on BINARY codes,
  finn-examples' folding, a width converter where fc0's 16-bit stream meets
  fc1's 8-bit input, depth-2 FIFOs), the last layer raw popcounts;
- tfc_fifo_after_dwc: the same with fc0's FIFO after the converter, where
  the stream is 8 bits wide, instead of before it;
- tfc_unfolded: the same behind a Thresholding that binarises a UINT8
  image, every PE and SIMD 1: what finn-examples' TFC folding config (in
  ../shared/data/finn) applies to;
- cnv_block: FMPadding -> sliding window -> MVAU (UINT8 in, INT2 weights,
  UINT2 out) -> max pool -> window -> MVAU without activation -> a
  Thresholding with INT4 output, ActVal -1 and three thresholds; the
  windows, the second MVAU and the Thresholding are _rtl nodes;
- dw_block: FMPadding -> depthwise window -> VVAU (INT4 weights, UINT4
  thresholds) -> FIFO -> 1x1 MVAU, a MobileNet-like pair;
- dw_rtl_block: the same pair as FINN specializes it for a Versal part: a
  VVAU_rtl without activation (FINN's RTL VVU writes accumulators) and a
  Thresholding_rtl after it;
- pool_block: FINN's Pool nodes after depthwise windows: a 3x3 MaxPool of
  stride 2 (windows overlap), a 2x2 QuantAvgPool (UINT4 in and out: a shift
  by 2), then a 1x1 MVAU;
- tfc_label_select: tfc ending in a LabelSelect (top-3 of the 10 scores);
- residual: a stream duplicated into a 1x1 conv MVAU and a shortcut FIFO,
  added and re-thresholded;
- window_dwc_block, window_dwc_lcm_block, threshold_node_block,
  padding_simd_block: FINN's
  converter chains inside a layer (a window, a padding, an MVAU or VVAU
  without activation folded apart from what follows it, with InsertDWC's
  StreamingDataWidthConverter between them): Vine's window_simd,
  thresholds: {pe: N} and padding_simd;
- downsampler_block: two strided 1x1 convs with FINN's DownSampler, one
  folded apart from its MVAU (a converter between them);
- channelwise_block: FINN's ChannelwiseOp inside a network, as ResNet-50
  has it between two Thresholding nodes: a 1x1 conv, a per-channel mul, a
  Thresholding, a per-channel add and a cmp_le whose 1-bit codes feed a
  second 1x1 conv.
Weights and thresholds are drawn from a fixed seed; thresholds spread over
the accumulators' likely range so that every output code occurs.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HLS = "finn.custom_op.fpgadataflow.hls"
RTL = "finn.custom_op.fpgadataflow.rtl"


class Graph:
    def __init__(self, seed):
        self.nodes, self.inits, self.types = [], [], {}
        self.rng = np.random.default_rng(seed)
        self.count = 0

    def tensor(self):
        self.count += 1
        return f"t{self.count}"

    def node(self, op, inputs, domain=HLS, outputs=1, **attrs):
        outs = [self.tensor() for _ in range(outputs)]
        name = f"{op}_{sum(n.op_type == op for n in self.nodes)}"
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, domain=domain, backend="fpgadataflow", **attrs))
        return outs[0] if outputs == 1 else outs

    def init(self, name, array, finn_type, typed_fields=False):
        if typed_fields:  # int32_data instead of raw bytes: the other encoding ONNX allows
            self.inits.append(helper.make_tensor(name, TensorProto.INT32, array.shape, array.astype(np.int32).ravel(),
                                                 raw=False))
        else:
            self.inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        self.types[name] = finn_type
        return name

    def weights(self, name, mw, mh, finn_type):
        if finn_type == "BINARY":
            w = self.rng.integers(0, 2, size=(mw, mh))
        else:
            b = int(finn_type[3:])
            w = self.rng.integers(-(2 ** (b - 1)), 2 ** (b - 1), size=(mw, mh))
        return self.init(name, w, finn_type)

    def thresholds(self, name, channels, steps, lo, hi, typed_fields=False):
        t = np.sort(self.rng.integers(lo, hi + 1, size=(channels, steps)), axis=1)
        return self.init(name, t, "INT32", typed_fields)

    def mvau(self, x, mw, mh, simd, pe, idt, wdt, odt, vectors=(1,), act=True, xnor=0, act_val=0, thr=None, domain=HLS):
        op = "MVAU_hls" if domain == HLS else "MVAU_rtl"
        k = sum(n.op_type == op for n in self.nodes)
        inputs = [x, self.weights(f"{op}_{k}_weights", mw, mh, wdt)]
        if act:
            steps = 1 if odt in ("BINARY", "BIPOLAR") else 2 ** int(odt.replace("UINT", "").replace("INT", "")) - 1
            inputs.append(self.thresholds(f"{op}_{k}_thresholds", mh, steps, *thr))
        return self.node(op, inputs, domain=domain, MW=mw, MH=mh, SIMD=simd, PE=pe, inputDataType=idt,
                         weightDataType=wdt, outputDataType=odt, ActVal=act_val, binaryXnorMode=xnor,
                         noActivation=0 if act else 1, numInputVectors=list(vectors), mem_mode="internal_decoupled",
                         ram_style="auto")

    def fifo(self, x, depth, style="rtl", dtype="UINT2"):
        return self.node("StreamingFIFO_rtl", [x], domain=RTL, depth=depth, impl_style=style, dataType=dtype)

    def save(self, path, in_name, in_shape, in_type, out, out_shape, graph_name):
        g = helper.make_graph(self.nodes, graph_name, [helper.make_tensor_value_info(in_name, TensorProto.FLOAT, in_shape)],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, out_shape)], initializer=self.inits)
        for t, ft in [(in_name, in_type)] + list(self.types.items()):
            a = onnx.TensorAnnotation(tensor_name=t)
            a.quant_parameter_tensor_names.append(onnx.StringStringEntryProto(key="finn_datatype", value=ft))
            g.quantization_annotation.append(a)
        opsets = [helper.make_opsetid("", 11), helper.make_opsetid(HLS, 1), helper.make_opsetid(RTL, 1)]
        m = helper.make_model(g, producer_name="vine tests/finn/make_finn_models.py", opset_imports=opsets)
        onnx.checker.check_model(m)
        onnx.save(m, path)


def tfc(path, unfolded=False, fifo_after_dwc=False):
    g = Graph(11)
    fold = [(784, 64, 49, 16), (64, 64, 8, 8), (64, 64, 8, 8), (64, 10, 8, 10)]
    x, in_type = "global_in", "BINARY"
    if unfolded:
        # As FINN's TFC build has it before its folding config is applied:
        # the UINT8 image binarised by a Thresholding (one threshold shared
        # by every pixel), every PE and SIMD 1, no converters or FIFOs yet.
        fold = [(mw, mh, 1, 1) for mw, mh, _, _ in fold]
        thr = g.thresholds("Thresholding_rtl_0_thresholds", 1, 1, 100, 150)
        x = g.node("Thresholding_rtl", [x, thr], domain=RTL, NumChannels=784, PE=1, numSteps=1, inputDataType="UINT8",
                   weightDataType="UINT8", outputDataType="BINARY", ActVal=0, numInputVectors=[1])
        in_type = "UINT8"
    for i, (mw, mh, simd, pe) in enumerate(fold):
        last = i == len(fold) - 1
        half = mw // 2
        x = g.mvau(x, mw, mh, simd, pe, "BINARY", "BINARY", "UINT7" if last else "BINARY", xnor=1, act=not last,
                   thr=(half - 8, half + 8))
        if not last and not unfolded:
            dwc = pe != fold[i + 1][2]  # fc0's PE 16 feeds fc1's SIMD 8
            if not (dwc and fifo_after_dwc):
                x = g.fifo(x, 2, dtype="BINARY")
            if dwc:
                x = g.node("StreamingDataWidthConverter_hls", [x], inWidth=pe, outWidth=fold[i + 1][2],
                           dataType="BINARY")
                if fifo_after_dwc:
                    x = g.fifo(x, 2, dtype="BINARY")
    g.save(path, "global_in", [1, 784], in_type, x, [1, 10], "tfc_w1a1")


def cnv_block(path):
    g = Graph(12)
    x = g.node("FMPadding_hls", ["global_in"], ImgDim=[8, 8], Padding=[1, 1, 1, 1], NumChannels=3, SIMD=3,
               inputDataType="UINT8", numInputVectors=1)
    x = g.node("ConvolutionInputGenerator_rtl", [x], domain=RTL, ConvKernelDim=[3, 3], IFMChannels=3, IFMDim=[10, 10],
               OFMDim=[8, 8], SIMD=3, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT8", outputDataType="UINT8",
               depthwise=0)
    x = g.fifo(x, 16, dtype="UINT8")
    x = g.mvau(x, 27, 16, 3, 4, "UINT8", "INT2", "UINT2", vectors=(1, 8, 8), thr=(-600, 600))
    x = g.node("StreamingMaxPool_hls", [x], PoolDim=[2, 2], ImgDim=[8, 8], NumChannels=16, PE=4, dataType="UINT2",
               CeilMode=0)
    x = g.fifo(x, 64, style="vivado")
    x = g.node("ConvolutionInputGenerator_rtl", [x], domain=RTL, ConvKernelDim=[3, 3], IFMChannels=16, IFMDim=[4, 4],
               OFMDim=[2, 2], SIMD=4, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT2", outputDataType="UINT2",
               depthwise=0)
    # As FINN specializes them: an MVAU without activation and a Thresholding
    # after it, both from their RTL templates (Vine's impl_style).
    x = g.mvau(x, 144, 8, 4, 2, "UINT2", "INT2", "INT10", vectors=(1, 2, 2), act=False, domain=RTL)
    thr = g.thresholds("Thresholding_rtl_0_thresholds", 8, 3, -45, -10)
    x = g.node("Thresholding_rtl", [x, thr], domain=RTL, NumChannels=8, PE=2, numSteps=3, inputDataType="INT10",
               weightDataType="INT32", outputDataType="INT4", ActVal=-1, numInputVectors=[1, 2, 2])
    g.save(path, "global_in", [1, 8, 8, 3], "UINT8", x, [1, 2, 2, 8], "cnv_block")


def dw_block(path):
    g = Graph(14)
    x = g.node("FMPadding_rtl", ["global_in"], domain=RTL, ImgDim=[6, 6], Padding=[1, 1, 1, 1], NumChannels=8, SIMD=2,
               inputDataType="UINT4", numInputVectors=1)
    x = g.node("ConvolutionInputGenerator_rtl", [x], domain=RTL, ConvKernelDim=[3, 3], IFMChannels=8, IFMDim=[8, 8],
               OFMDim=[6, 6], SIMD=2, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT4", outputDataType="UINT4",
               depthwise=1)
    w = g.init("VVAU_hls_0_weights", g.rng.integers(-8, 8, size=(8, 1, 3, 3)), "INT4")  # FINN's (C, 1, k, k)
    thr = g.thresholds("VVAU_hls_0_thresholds", 8, 15, -60, 60)
    x = g.node("VVAU_hls", [x, w, thr], PE=2, SIMD=1, Dim=[6, 6], Channels=8, Kernel=[3, 3], inputDataType="UINT4",
               weightDataType="INT4", outputDataType="UINT4", ActVal=0, noActivation=0, mem_mode="internal_embedded")
    x = g.fifo(x, 8, dtype="UINT4")
    x = g.mvau(x, 8, 16, 4, 4, "UINT4", "INT2", "UINT2", vectors=(1, 6, 6), thr=(-40, 40))
    g.save(path, "global_in", [1, 6, 6, 8], "UINT4", x, [1, 6, 6, 16], "dw_block")


def dw_rtl_block(path):
    g = Graph(15)
    x = g.node("FMPadding_rtl", ["global_in"], domain=RTL, ImgDim=[6, 6], Padding=[1, 1, 1, 1], NumChannels=8, SIMD=2,
               inputDataType="UINT4", numInputVectors=1)
    x = g.node("ConvolutionInputGenerator_rtl", [x], domain=RTL, ConvKernelDim=[3, 3], IFMChannels=8, IFMDim=[8, 8],
               OFMDim=[6, 6], SIMD=2, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT4", outputDataType="UINT4",
               depthwise=1)
    w = g.init("VVAU_rtl_0_weights", g.rng.integers(-8, 8, size=(8, 1, 3, 3)), "INT4")
    x = g.node("VVAU_rtl", [x, w], domain=RTL, PE=2, SIMD=1, Dim=[6, 6], Channels=8, Kernel=[3, 3],
               inputDataType="UINT4", weightDataType="INT4", outputDataType="INT12", ActVal=0, noActivation=1,
               mem_mode="internal_decoupled", resType="dsp")
    thr = g.thresholds("Thresholding_rtl_0_thresholds", 8, 15, -60, 60)
    x = g.node("Thresholding_rtl", [x, thr], domain=RTL, NumChannels=8, PE=2, numSteps=15, inputDataType="INT12",
               weightDataType="INT32", outputDataType="UINT4", ActVal=0, numInputVectors=[1, 6, 6])
    x = g.fifo(x, 8, dtype="UINT4")
    x = g.mvau(x, 8, 16, 4, 4, "UINT4", "INT2", "UINT2", vectors=(1, 6, 6), thr=(-40, 40))
    g.save(path, "global_in", [1, 6, 6, 8], "UINT4", x, [1, 6, 6, 16], "dw_rtl_block")


def pool_block(path):
    g = Graph(16)
    x = g.node("ConvolutionInputGenerator_rtl", ["global_in"], domain=RTL, ConvKernelDim=[3, 3], IFMChannels=4,
               IFMDim=[9, 9], OFMDim=[4, 4], SIMD=2, Stride=[2, 2], Dilation=[1, 1], inputDataType="UINT4",
               outputDataType="UINT4", depthwise=1)
    x = g.node("Pool_hls", [x], Channels=4, PE=2, KernelSize=[3, 3], Function="MaxPool", OutImgDims=[4, 4],
               InputDataType="UINT4", OutputDataType="UINT4", AccumBits=4, Size=1, BatchSize=1)
    x = g.fifo(x, 4, dtype="UINT4")
    x = g.node("ConvolutionInputGenerator_rtl", [x], domain=RTL, ConvKernelDim=[2, 2], IFMChannels=4, IFMDim=[4, 4],
               OFMDim=[2, 2], SIMD=4, Stride=[2, 2], Dilation=[1, 1], inputDataType="UINT4", outputDataType="UINT4",
               depthwise=1)
    x = g.node("Pool_hls", [x], Channels=4, PE=4, KernelSize=[2, 2], Function="QuantAvgPool", OutImgDims=[2, 2],
               InputDataType="UINT4", OutputDataType="UINT4", AccumBits=6, Size=1, BatchSize=1)
    x = g.mvau(x, 4, 8, 2, 2, "UINT4", "INT2", "UINT2", vectors=(1, 2, 2), thr=(-20, 20))
    g.save(path, "global_in", [1, 9, 9, 4], "UINT4", x, [1, 2, 2, 8], "pool_block")


def tfc_label_select(path):
    tfc(path)
    m = onnx.load(path)
    last = m.graph.node[-1]
    m.graph.node.append(helper.make_node("LabelSelect_hls", [last.output[0]], ["labels"], name="LabelSelect_hls_0",
                                         domain=HLS, backend="fpgadataflow", Labels=10, PE=10, K=3,
                                         inputDataType="UINT7", outputDataType="UINT8", numInputVectors=[1]))
    del m.graph.output[:]
    m.graph.output.append(helper.make_tensor_value_info("labels", TensorProto.FLOAT, [1, 3]))
    onnx.checker.check_model(m)
    onnx.save(m, path)


def residual(path):
    g = Graph(13)
    a, b = g.node("DuplicateStreams_hls", ["global_in"], outputs=2, NumChannels=8, PE=2, inputDataType="UINT2",
                  numInputVectors=[1, 4, 4], NumOutputStreams=2)
    a = g.mvau(a, 8, 8, 2, 2, "UINT2", "INT2", "UINT2", vectors=(1, 4, 4), thr=(-8, 8))
    b = g.fifo(b, 32)
    x = g.node("AddStreams_hls", [a, b], NumChannels=8, PE=2, inputDataTypes=["UINT2", "UINT2"],
               numInputVectors=[1, 4, 4])
    thr = g.thresholds("Thresholding_hls_0_thresholds", 8, 3, 0, 6, typed_fields=True)
    x = g.node("Thresholding_hls", [x, thr], NumChannels=8, PE=2, numSteps=3, inputDataType="UINT3",
               weightDataType="INT32", outputDataType="UINT2", ActVal=0, numInputVectors=[1, 4, 4])
    g.save(path, "global_in", [1, 4, 4, 8], "UINT2", x, [1, 4, 4, 8], "residual")


def window_dwc_block(path):
    g = Graph(17)
    # A conv whose padding and window move one channel a beat into an MVAU
    # of SIMD 3 (a widening converter between them, FINN's InsertDWC), then
    # a conv whose window moves all 8 channels into an MVAU of SIMD 2.
    x = g.node("FMPadding_hls", ["global_in"], ImgDim=[6, 6], Padding=[1, 1, 1, 1], NumChannels=3, SIMD=1,
               inputDataType="UINT4", numInputVectors=1)
    x = g.node("ConvolutionInputGenerator_rtl", [x], domain=RTL, ConvKernelDim=[3, 3], IFMChannels=3, IFMDim=[8, 8],
               OFMDim=[6, 6], SIMD=1, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT4", outputDataType="UINT4",
               depthwise=0)
    x = g.fifo(x, 32, dtype="UINT4")
    x = g.node("StreamingDataWidthConverter_rtl", [x], domain=RTL, inWidth=4, outWidth=12, dataType="UINT4")
    x = g.fifo(x, 32, dtype="UINT4")
    x = g.mvau(x, 27, 8, 3, 2, "UINT4", "INT2", "UINT2", vectors=(1, 6, 6), thr=(-60, 60))
    x = g.fifo(x, 8, dtype="UINT2")
    x = g.node("ConvolutionInputGenerator_hls", [x], ConvKernelDim=[3, 3], IFMChannels=8, IFMDim=[6, 6],
               OFMDim=[4, 4], SIMD=8, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT2", outputDataType="UINT2",
               depthwise=0)
    x = g.fifo(x, 16, dtype="UINT2")
    x = g.node("StreamingDataWidthConverter_hls", [x], inWidth=16, outWidth=4, dataType="UINT2")
    x = g.mvau(x, 72, 8, 2, 4, "UINT2", "INT2", "UINT2", vectors=(1, 4, 4), thr=(-30, 30))
    g.save(path, "global_in", [1, 6, 6, 3], "UINT4", x, [1, 4, 4, 8], "window_dwc_block")


def window_dwc_lcm_block(path):
    g = Graph(21)
    # A window of SIMD 2 into an MVAU of SIMD 3: neither width divides the
    # other, so Vine converts through their lcm with two converters (dwc,
    # dwc2); FINN's FIFO after its one converter is on dwc2's output.
    x = g.node("ConvolutionInputGenerator_hls", ["global_in"], ConvKernelDim=[3, 3], IFMChannels=6, IFMDim=[6, 6],
               OFMDim=[4, 4], SIMD=2, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT4", outputDataType="UINT4",
               depthwise=0)
    x = g.fifo(x, 8, dtype="UINT4")
    x = g.node("StreamingDataWidthConverter_hls", [x], inWidth=8, outWidth=12, dataType="UINT4")
    x = g.fifo(x, 6, dtype="UINT4")
    x = g.mvau(x, 54, 8, 3, 2, "UINT4", "INT2", "UINT2", vectors=(1, 4, 4), thr=(-260, -140))
    g.save(path, "global_in", [1, 6, 6, 6], "UINT4", x, [1, 4, 4, 8], "window_dwc_lcm_block")


def threshold_node_block(path):
    g = Graph(18)
    # A 1x1 conv MVAU without activation (PE 4) and its Thresholding node
    # (PE 1) with a converter between them, then a depthwise VVAU without
    # activation and its Thresholding of the same PE, none between them.
    x = g.mvau("global_in", 4, 16, 4, 4, "UINT4", "INT2", "INT10", vectors=(1, 4, 4), act=False)
    x = g.fifo(x, 8, dtype="INT10")
    x = g.node("StreamingDataWidthConverter_rtl", [x], domain=RTL, inWidth=40, outWidth=10, dataType="INT10")
    thr = g.thresholds("Thresholding_rtl_0_thresholds", 16, 3, -40, 40)
    x = g.node("Thresholding_rtl", [x, thr], domain=RTL, NumChannels=16, PE=1, numSteps=3, inputDataType="INT10",
               weightDataType="INT32", outputDataType="UINT2", ActVal=0, numInputVectors=[1, 4, 4])
    x = g.fifo(x, 4, dtype="UINT2")
    x = g.node("FMPadding_hls", [x], ImgDim=[4, 4], Padding=[1, 1, 1, 1], NumChannels=16, SIMD=2,
               inputDataType="UINT2", numInputVectors=1)
    x = g.node("ConvolutionInputGenerator_hls", [x], ConvKernelDim=[3, 3], IFMChannels=16, IFMDim=[6, 6],
               OFMDim=[4, 4], SIMD=2, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT2", outputDataType="UINT2",
               depthwise=1)
    w = g.init("VVAU_hls_0_weights", g.rng.integers(-2, 2, size=(16, 1, 3, 3)), "INT2")
    x = g.node("VVAU_hls", [x, w], PE=2, SIMD=1, Dim=[4, 4], Channels=16, Kernel=[3, 3], inputDataType="UINT2",
               weightDataType="INT2", outputDataType="INT7", ActVal=0, noActivation=1, mem_mode="internal_embedded")
    x = g.fifo(x, 2, dtype="INT7")
    thr = g.thresholds("Thresholding_hls_0_thresholds", 16, 3, -8, 8)
    x = g.node("Thresholding_hls", [x, thr], NumChannels=16, PE=2, numSteps=3, inputDataType="INT7",
               weightDataType="INT32", outputDataType="UINT2", ActVal=0, numInputVectors=[1, 4, 4])
    g.save(path, "global_in", [1, 4, 4, 4], "UINT4", x, [1, 4, 4, 16], "threshold_node_block")


def padding_simd_block(path):
    g = Graph(19)
    # A depthwise conv whose padding moves one channel a beat into a window
    # of 8 (MobileNet-V1 ZCU104's FMPadding_rtl_0 before its window), then a
    # conv with a converter after its padding and another after its window.
    x = g.node("FMPadding_rtl", ["global_in"], domain=RTL, ImgDim=[6, 6], Padding=[1, 1, 1, 1], NumChannels=8, SIMD=1,
               inputDataType="UINT4", numInputVectors=1)
    x = g.fifo(x, 4, dtype="UINT4")
    x = g.node("StreamingDataWidthConverter_rtl", [x], domain=RTL, inWidth=4, outWidth=32, dataType="UINT4")
    x = g.fifo(x, 4, dtype="UINT4")
    x = g.node("ConvolutionInputGenerator_rtl", [x], domain=RTL, ConvKernelDim=[3, 3], IFMChannels=8, IFMDim=[8, 8],
               OFMDim=[6, 6], SIMD=8, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT4", outputDataType="UINT4",
               depthwise=1)
    w = g.init("VVAU_hls_0_weights", g.rng.integers(-8, 8, size=(8, 1, 3, 3)), "INT4")
    thr = g.thresholds("VVAU_hls_0_thresholds", 8, 15, -60, 60)
    x = g.node("VVAU_hls", [x, w, thr], PE=8, SIMD=1, Dim=[6, 6], Channels=8, Kernel=[3, 3], inputDataType="UINT4",
               weightDataType="INT4", outputDataType="UINT4", ActVal=0, noActivation=0, mem_mode="internal_embedded")
    x = g.fifo(x, 8, dtype="UINT4")
    x = g.node("FMPadding_hls", [x], ImgDim=[6, 6], Padding=[1, 1, 1, 1], NumChannels=8, SIMD=1,
               inputDataType="UINT4", numInputVectors=1)
    x = g.node("StreamingDataWidthConverter_hls", [x], inWidth=4, outWidth=8, dataType="UINT4")
    x = g.fifo(x, 4, dtype="UINT4")
    x = g.node("ConvolutionInputGenerator_hls", [x], ConvKernelDim=[3, 3], IFMChannels=8, IFMDim=[8, 8],
               OFMDim=[6, 6], SIMD=2, Stride=[1, 1], Dilation=[1, 1], inputDataType="UINT4", outputDataType="UINT4",
               depthwise=0)
    x = g.fifo(x, 16, dtype="UINT4")
    x = g.node("StreamingDataWidthConverter_hls", [x], inWidth=8, outWidth=16, dataType="UINT4")
    x = g.mvau(x, 72, 8, 4, 4, "UINT4", "INT2", "UINT2", vectors=(1, 6, 6), thr=(-150, 150))
    g.save(path, "global_in", [1, 6, 6, 8], "UINT4", x, [1, 6, 6, 8], "padding_simd_block")


def downsampler_block(path):
    g = Graph(23)
    # Two strided 1x1 convs, as ResNet-50's shortcut convolutions: FINN's
    # DownSampler keeps every second pixel of every second row. The first
    # moves one channel a beat into an MVAU of SIMD 2 (a converter between
    # them); the second all 8, as its MVAU reads them.
    x = g.node("DownSampler_hls", ["global_in"], ImgDim=7, NumChannels=4, SIMD=1, Stride=2, inputDataType="UINT2",
               numInputVectors=1, is1D=0)
    x = g.fifo(x, 4, dtype="UINT2")
    x = g.node("StreamingDataWidthConverter_rtl", [x], domain=RTL, inWidth=2, outWidth=4, dataType="UINT2")
    x = g.fifo(x, 6, dtype="UINT2")
    x = g.mvau(x, 4, 8, 2, 2, "UINT2", "INT2", "UINT2", vectors=(1, 4, 4), thr=(-8, 8))
    x = g.fifo(x, 8, dtype="UINT2")
    x = g.node("DownSampler_hls", [x], ImgDim=4, NumChannels=8, SIMD=8, Stride=2, inputDataType="UINT2",
               numInputVectors=1, is1D=0)
    x = g.mvau(x, 8, 4, 8, 1, "UINT2", "INT2", "UINT2", vectors=(1, 2, 2), thr=(-16, 16))
    g.save(path, "global_in", [1, 7, 7, 4], "UINT2", x, [1, 2, 2, 4], "downsampler_block")


def channelwise(g, x, func, pe, idt, pdt, odt, params, vectors):
    """A ChannelwiseOp_hls node (channelwise_op.py's attributes) with its
    parameters initializer, one per channel."""
    k = sum(n.op_type == "ChannelwiseOp_hls" for n in g.nodes)
    p = g.init(f"ChannelwiseOp_hls_{k}_param", np.asarray(params), pdt)
    return g.node("ChannelwiseOp_hls", [x, p], Func=func, PE=pe, NumChannels=len(params), inputDataType=idt,
                  paramDataType=pdt, outputDataType=odt, numInputVectors=list(vectors), ram_style="distributed")


def channelwise_block(path):
    g = Graph(24)
    v = (1, 4, 4)
    x = g.mvau("global_in", 8, 8, 2, 2, "UINT4", "INT2", "UINT4", vectors=v, thr=(-60, 60))
    # UINT4 x INT3: -60 .. 45, INT7.
    x = channelwise(g, x, "mul", 2, "UINT4", "INT3", "INT7", g.rng.integers(-4, 4, size=8), v)
    x = g.fifo(x, 4, dtype="INT7")
    thr = g.thresholds("Thresholding_hls_0_thresholds", 8, 3, -30, 30)
    x = g.node("Thresholding_hls", [x, thr], NumChannels=8, PE=2, numSteps=3, inputDataType="INT7",
               weightDataType="INT32", outputDataType="UINT2", ActVal=0, numInputVectors=list(v))
    # UINT2 + INT2: -2 .. 4, INT4; then 1 where the parameter is at most the
    # input (finn-hlslib's comp::less_equal(parameter, input)).
    x = channelwise(g, x, "add", 2, "UINT2", "INT2", "INT4", g.rng.integers(-2, 2, size=8), v)
    x = channelwise(g, x, "cmp_le", 2, "INT4", "INT4", "BINARY", g.rng.integers(-1, 4, size=8), v)
    x = g.fifo(x, 2, dtype="BINARY")
    x = g.mvau(x, 8, 4, 2, 2, "BINARY", "INT2", "UINT2", vectors=v, thr=(-3, 3))
    g.save(path, "global_in", [1, 4, 4, 8], "UINT4", x, [1, 4, 4, 4], "channelwise_block")


def conv1d_block(path):
    """A VGG10-RadioML block as FINN builds it: Conv1d made 4D by qonnx's
    Change3DTo4DTensors, a [3, 1] window down a 16 x 1 map of 2 channels
    (padding [1, 0, 1, 0]), the RTL window narrower than its MVAU (SIMD 2
    into 6, the whole 3 x 1 x 2 window, through a width converter), and a
    [2, 1] StreamingMaxPool of PE 2."""
    g = Graph(21)
    x = g.node("FMPadding_rtl", ["global_in"], domain=RTL, ImgDim=[16, 1], Padding=[1, 0, 1, 0], NumChannels=2,
               SIMD=2, inputDataType="INT8", numInputVectors=1)
    x = g.node("ConvolutionInputGenerator_rtl", [x], domain=RTL, ConvKernelDim=[3, 1], IFMChannels=2, IFMDim=[18, 1],
               OFMDim=[16, 1], SIMD=2, Stride=[1, 1], Dilation=[1, 1], inputDataType="INT8", outputDataType="INT8",
               depthwise=0, parallel_window=0)
    x = g.node("StreamingDataWidthConverter_hls", [x], inWidth=16, outWidth=48, dataType="INT8")
    x = g.mvau(x, 6, 8, 6, 4, "INT8", "INT4", "UINT4", vectors=(1, 16, 1), thr=(-300, 300))
    x = g.node("StreamingMaxPool_hls", [x], PoolDim=[2, 1], ImgDim=[16, 1], NumChannels=8, PE=2, dataType="UINT4",
               CeilMode=0)
    g.save(path, "global_in", [1, 16, 1, 2], "INT8", x, [1, 8, 1, 8], "conv1d_block")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, build in [("tfc", tfc), ("tfc_unfolded", lambda p: tfc(p, unfolded=True)),
                        ("tfc_fifo_after_dwc", lambda p: tfc(p, fifo_after_dwc=True)), ("cnv_block", cnv_block),
                        ("dw_block", dw_block), ("dw_rtl_block", dw_rtl_block),
                        ("residual", residual), ("pool_block", pool_block), ("tfc_label_select", tfc_label_select),
                        ("window_dwc_block", window_dwc_block), ("window_dwc_lcm_block", window_dwc_lcm_block),
                        ("threshold_node_block", threshold_node_block),
                        ("padding_simd_block", padding_simd_block), ("downsampler_block", downsampler_block),
                        ("conv1d_block", conv1d_block), ("channelwise_block", channelwise_block)]:
        build(os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main()
