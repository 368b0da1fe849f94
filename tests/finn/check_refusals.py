"""`vine import finn` refuses what it cannot translate exactly: exit 1 and a
message naming the node, the attribute, the value and what is supported.

  check_refusals.py VINE MODELS_DIR WORKDIR

Each case edits one thing of a model make_finn_models.py wrote; the
unedited model must import (so that the refusal is the edit's).
"""
import numpy as np
from onnx import helper, numpy_helper

from refusal_cases import main, node, set_attr


def set_init(m, name, fn):
    for i, t in enumerate(m.graph.initializer):
        if t.name == name:
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(fn(numpy_helper.to_array(t)), name))


def append_node(m, op, domain, **attrs):
    last = m.graph.node[-1]
    new = helper.make_node(op, [last.output[0]], ["appended_out"], name=op + "_0", domain=domain, **attrs)
    m.graph.node.append(new)
    m.graph.output[0].name = "appended_out"


def plain_matmul(m):
    w = m.graph.initializer[0].name
    m.graph.node.insert(0, helper.make_node("MatMul", ["global_in", w], ["mm_out"], name="MatMul_0"))
    node(m, "DuplicateStreams_hls_0").input[0] = "mm_out"


def to_rtl(m, name):
    n = node(m, name)
    n.op_type = n.op_type.replace("_hls", "_rtl")
    n.domain = "finn.custom_op.fpgadataflow.rtl"


def converter_after_depthwise_window(m):
    swg = node(m, "ConvolutionInputGenerator_rtl_0")
    set_attr(m, "ConvolutionInputGenerator_rtl_0", "SIMD", 1)
    k = list(m.graph.node).index(swg)
    m.graph.node.insert(k + 1, helper.make_node(
        "StreamingDataWidthConverter_hls", [swg.output[0]], ["dwc_out"], name="StreamingDataWidthConverter_hls_0",
        domain="finn.custom_op.fpgadataflow.hls", inWidth=4, outWidth=8, dataType="UINT4"))
    node(m, "VVAU_hls_0").input[0] = "dwc_out"


CASES = [
    # (model, what to do, strings the message must hold)
    ("residual", lambda m: append_node(m, "Lookup_hls", "finn.custom_op.fpgadataflow.hls"),
     ["Lookup_hls_0", "op_type", "Lookup_hls", "supported:", "MVAU"]),
    ("residual", lambda m: append_node(m, "Pool_hls", "finn.custom_op.fpgadataflow.hls", Channels=8, PE=2),
     ["Pool_hls_0", "input", "supported:", "a depthwise ConvolutionInputGenerator before it"]),
    ("pool_block", lambda m: set_attr(m, "Pool_hls_1", "OutputDataType", "UINT3"),
     ["Pool_hls_1", "OutputDataType", "UINT3", "supported:", "log2(K x K) = 2", "shifts by 3"]),
    ("pool_block", lambda m: set_attr(m, "Pool_hls_0", "Function", "QuantAvgPool"),
     ["Pool_hls_0", "KernelSize", "[3, 3]", "power-of-two area"]),
    ("pool_block", lambda m: set_attr(m, "Pool_hls_0", "Function", "AccPool"),
     ["Pool_hls_0", "Function", "AccPool", "MaxPool, QuantAvgPool"]),
    ("pool_block", lambda m: set_attr(m, "Pool_hls_0", "OutImgDims", [3, 3]),
     ["Pool_hls_0", "OutImgDims", "[4, 4]"]),
    ("tfc_label_select", lambda m: set_attr(m, "LabelSelect_hls_0", "K", 11),
     ["LabelSelect_hls_0", "K", "11", "supported: 1..10"]),
    ("tfc_label_select", lambda m: set_attr(m, "LabelSelect_hls_0", "Labels", 12),
     ["LabelSelect_hls_0", "Labels", "12", "10 elements"]),
    ("tfc", lambda m: m.graph.node.insert(len(m.graph.node) - 1, helper.make_node(
        "LabelSelect_hls", [m.graph.node[-2].output[0]], ["ls_out"], name="LabelSelect_hls_0",
        domain="finn.custom_op.fpgadataflow.hls", Labels=64, K=1, PE=1, inputDataType="BINARY")),
     ["LabelSelect_hls_0", "position", "not the graph's last node", "supported:"]),
    ("residual", lambda m: set_attr(m, "MVAU_hls_0", "mem_mode", "external"),
     ["MVAU_hls_0", "mem_mode", "external", "supported:", "internal_decoupled"]),
    ("residual", lambda m: set_attr(m, "MVAU_hls_0", "weightDataType", "UINT2"),
     ["MVAU_hls_0", "weightDataType", "UINT2", "supported:", "INT2..INT16"]),
    ("residual", lambda m: set_attr(m, "MVAU_hls_0", "outputDataType", "FLOAT32"),
     ["MVAU_hls_0", "outputDataType", "FLOAT32", "supported:"]),
    ("residual", lambda m: set_attr(m, "Thresholding_hls_0", "ActVal", 5),
     ["Thresholding_hls_0", "ActVal", "5", "supported:", "UINT2"]),
    ("residual", lambda m: set_attr(m, "MVAU_hls_0", "PE", 3),
     ["MVAU_hls_0", "PE", "3", "divisor of MH = 8"]),
    ("residual", lambda m: set_init(m, "MVAU_hls_0_weights", lambda w: (w + 0.5).astype(np.float32)),
     ["MVAU_hls_0", "MVAU_hls_0_weights", "weightDataType INT2"]),
    ("residual", lambda m: set_init(m, "MVAU_hls_0_weights", lambda w: np.full_like(w, 2)),
     ["MVAU_hls_0", "MVAU_hls_0_weights", "= 2", "weightDataType INT2"]),
    ("residual", lambda m: set_attr(m, "StreamingFIFO_rtl_0", "impl_style", "bram"),
     ["StreamingFIFO_rtl_0", "impl_style", "bram", "supported:", "vivado"]),
    ("residual", plain_matmul, ["MatMul_0", "domain", "supported:", "finn.custom_op.fpgadataflow"]),
    ("cnv_block", lambda m: set_attr(m, "ConvolutionInputGenerator_rtl_0", "Dilation", [2, 2]),
     ["ConvolutionInputGenerator_rtl_0", "Dilation", "[2, 2]", "supported:", "[1, 1]"]),
    ("cnv_block", lambda m: set_attr(m, "ConvolutionInputGenerator_rtl_0", "SIMD", 1),
     ["ConvolutionInputGenerator_rtl_0", "SIMD", "the MVAU's SIMD, 3"]),
    ("dw_block", lambda m: set_attr(m, "VVAU_hls_0", "SIMD", 2),
     ["VVAU_hls_0", "SIMD", "2", "supported:", "a divisor of Kernel's KH x KW = 9"]),
    ("dw_block", lambda m: set_attr(m, "ConvolutionInputGenerator_rtl_0", "depthwise", 0),
     ["ConvolutionInputGenerator_rtl_0", "depthwise", "0", "1 before a VVAU"]),
    # The converter chains inside a layer (window_simd, thresholds: {pe: N}, padding_simd).
    ("window_dwc_block", lambda m: set_attr(m, "StreamingDataWidthConverter_rtl_0", "outWidth", 8),
     ["StreamingDataWidthConverter_rtl_0", "inWidth/outWidth", "4/8", "supported: 4/12"]),
    ("window_dwc_block", lambda m: set_attr(m, "ConvolutionInputGenerator_hls_0", "SIMD", 3),
     ["ConvolutionInputGenerator_hls_0", "SIMD", "3", "a divisor of IFMChannels = 8"]),
    ("window_dwc_block", lambda m: set_attr(m, "MVAU_hls_0", "SIMD", 1),
     ["StreamingDataWidthConverter_rtl_0", "position", "both 1 lanes wide", "of different SIMD"]),
    ("dw_block", converter_after_depthwise_window,
     ["StreamingDataWidthConverter_hls_0", "position", "a converter after a conv's window only"]),
    ("padding_simd_block", lambda m: to_rtl(m, "StreamingDataWidthConverter_hls_1"),
     ["StreamingDataWidthConverter_hls_1", "(StreamingDataWidthConverter_rtl)", "converters of one style",
      "StreamingDataWidthConverter_hls_0"]),
    ("padding_simd_block", lambda m: set_attr(m, "FMPadding_rtl_0", "SIMD", 3),
     ["FMPadding_rtl_0", "SIMD", "3", "a divisor of NumChannels = 8"]),
    ("threshold_node_block", lambda m: set_attr(m, "Thresholding_hls_0", "PE", 4),
     ["Thresholding_hls_0", "PE", "4", "the PE of 'VVAU_hls_0', 2", "StreamingDataWidthConverter"]),
    ("threshold_node_block", lambda m: set_attr(m, "Thresholding_rtl_0", "inputDataType", "INT12"),
     ["Thresholding_rtl_0", "inputDataType", "INT12", "INT10, the outputDataType of 'MVAU_hls_0'"]),
    ("threshold_node_block", lambda m: set_attr(m, "StreamingDataWidthConverter_rtl_0", "inWidth", 32),
     ["StreamingDataWidthConverter_rtl_0", "inWidth/outWidth", "32/10", "supported: 40/10"]),
    # FINN's DownSampler: 2D, square, its stride keeping the MVAU's pixels.
    ("downsampler_block", lambda m: set_attr(m, "DownSampler_hls_0", "is1D", 1),
     ["DownSampler_hls_0", "is1D", "1", "0 (Vine's DownSampler is 2D)"]),
    ("downsampler_block", lambda m: set_attr(m, "DownSampler_hls_1", "ImgDim", 5),
     ["DownSampler_hls_1", "ImgDim", "5", "4 (its square input)"]),
    ("downsampler_block", lambda m: set_attr(m, "DownSampler_hls_1", "SIMD", 4),
     ["DownSampler_hls_1", "SIMD", "4", "the MVAU's SIMD, 8"]),
    # FINN's ChannelwiseOp: its Func, its parameters' type and shape, the output type holding its results.
    ("channelwise_block", lambda m: set_attr(m, "ChannelwiseOp_hls_0", "Func", "max"),
     ["ChannelwiseOp_hls_0", "Func", "max", "add, mul, cmp_le, cmp_ge"]),
    ("channelwise_block", lambda m: set_init(m, "ChannelwiseOp_hls_1_param", lambda p: np.full_like(p, 2)),
     ["ChannelwiseOp_hls_1", "ChannelwiseOp_hls_1_param", "paramDataType INT2"]),
    ("channelwise_block", lambda m: set_init(m, "ChannelwiseOp_hls_1_param", lambda p: p.reshape(8, 1)),
     ["ChannelwiseOp_hls_1", "(8, 1)", "(8,): one per channel"]),
    ("channelwise_block", lambda m: set_attr(m, "ChannelwiseOp_hls_0", "outputDataType", "INT5"),
     ["ChannelwiseOp_hls_0", "outputDataType", "INT5 ([-16, 15])", "an output type holding every result of mul"]),
    ("channelwise_block", lambda m: set_attr(m, "ChannelwiseOp_hls_0", "PE", 3),
     ["ChannelwiseOp_hls_0", "PE", "3", "a divisor of NumChannels = 8"]),
    ("tfc", lambda m: set_attr(m, "MVAU_hls_1", "binaryXnorMode", 0),
     ["MVAU_hls_1", "weightDataType", "BINARY", "binaryXnorMode = 1"]),
]


if __name__ == "__main__":
    main("finn", CASES)
