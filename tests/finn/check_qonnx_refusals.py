"""`vine import qonnx` refuses what it cannot translate exactly: exit 1 and
a message naming the node, what it found and what is supported.

  check_qonnx_refusals.py VINE MODELS_DIR WORKDIR

Each case edits one thing of a model make_qonnx_models.py wrote; the
unedited model must import (so that the refusal is the edit's).
"""
import numpy as np
from onnx import helper, numpy_helper

from refusal_cases import main, node, set_attr


def set_init(m, name, value):
    for i, t in enumerate(m.graph.initializer):
        if t.name == name:
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))


def append_node(m, op, **attrs):
    last = m.graph.node[-1]
    m.graph.node.append(helper.make_node(op, [last.output[0]], ["appended_out"], name=op + "_0", **attrs))
    m.graph.output[0].name = "appended_out"


def bypass_quant(m, consumer, quant):
    node(m, consumer).input[1] = node(m, quant).input[0]


def add_bias(m, conv):
    m.graph.initializer.append(numpy_helper.from_array(np.zeros(8, dtype=np.float32), "conv_bias"))
    node(m, conv).input.append("conv_bias")


CASES = [
    # (model, what to do, strings the message must hold)
    ("qonnx_tfc", lambda m: set_init(m, "Quant_0_scale", 0.1),
     ["Quant_0", "scale", "0.1", "supported:", "power of two"]),
    ("qonnx_tfc", lambda m: set_init(m, "Quant_1_scale", 0.3),
     ["MultiThreshold_0", "scale of input", "channel 0", "supported:", "power of two"]),
    ("qonnx_tfc", lambda m: set_init(m, "Quant_1_zeropt", 1.0),
     ["Quant_1", "zero_point", "= 1", "supported: 0"]),
    ("qonnx_tfc", lambda m: set_attr(m, "Quant_1", "rounding_mode", "FLOOR"),
     ["Quant_1", "rounding_mode", "FLOOR", "supported: ROUND"]),
    ("qonnx_tfc", lambda m: (set_init(m, "Quant_1_bitwidth", 16.0), set_attr(m, "Quant_1", "signed", 0)),
     ["Quant_1", "bitwidth", "16 unsigned", "supported:"]),
    ("qonnx_tfc", lambda m: set_attr(m, "MultiThreshold_1", "out_bias", 0.0),
     ["MultiThreshold_1", "out_bias", "= 0", "supported: -2"]),
    ("qonnx_tfc", lambda m: set_attr(m, "MultiThreshold_0", "out_dtype", "FLOAT32"),
     ["MultiThreshold_0", "out_dtype", "FLOAT32", "supported:"]),
    ("qonnx_tfc", lambda m: bypass_quant(m, "MatMul_0", "Quant_1"),
     ["MatMul_0", "float initializer without a Quant", "supported:"]),
    ("qonnx_tfc", lambda m: set_init(m, "flat_shape", [2, -1]),
     ["Reshape_0", "shape", "(2, -1)", "supported:", "only flattens"]),
    ("qonnx_cnv", lambda m: set_attr(m, "Conv_0", "dilations", [2, 2]),
     ["Conv_0", "dilations", "[2, 2]", "supported: [1, 1]"]),
    ("qonnx_cnv", lambda m: set_attr(m, "Conv_0", "strides", [1, 2]),
     ["Conv_0", "strides", "[1, 2]", "supported:", "square"]),
    ("qonnx_cnv", lambda m: set_attr(m, "MaxPool_0", "pads", [1, 1, 1, 1]),
     ["MaxPool_0", "pads", "supported: [0, 0, 0, 0]"]),
    ("qonnx_cnv", lambda m: add_bias(m, "Conv_2"),
     ["Conv_2", "bias", "conv_bias", "(6,)", "supported:"]),
    ("qonnx_cnv", lambda m: append_node(m, "Sigmoid"),
     ["Sigmoid_0", "op_type", "Sigmoid", "supported:", "MultiThreshold"]),
    ("qonnx_quant_act", lambda m: set_attr(m, "Quant_2", "signed", 1),
     ["Relu_0", "consumer", "the signed Quant 'Quant_2'", "supported:", "unsigned Quant"]),
    ("qonnx_quant_act", lambda m: set_init(m, node(m, "Conv_0").input[2], np.full(8, 0.3)),
     ["Conv_0", "bias", "0.3", "supported:", "a whole number of the sums' units"]),
    ("qonnx_quant_act", lambda m: set_init(m, node(m, "Add_0").input[1], np.zeros(8)),
     ["Add_0", "bias", "(8,)", "supported:", "(8, 1, 1) or (1, 8, 1, 1)"]),
    ("qonnx_quant_act", lambda m: set_init(m, "Quant_4_scale", 0.75),
     ["Quant_4", "scale", "0.75", "supported:", "power of two"]),
    ("qonnx_avgpool", lambda m: set_attr(m, "Trunc_0", "rounding_mode", "ROUND"),
     ["Trunc_0", "rounding_mode", "ROUND", "supported: FLOOR"]),
    ("qonnx_avgpool", lambda m: set_init(m, "Trunc_0_in_bits", 5.0),
     ["Trunc_0", "input bit width", "= 5", "supported:", "= 4, the pool's K^2", "gives 2"]),
    ("qonnx_avgpool", lambda m: set_init(m, "Trunc_0_out_bits", 3.0),
     ["Trunc_0", "output bit width", "= 3", "supported: 4"]),
    ("qonnx_avgpool", lambda m: set_init(m, "pool_area", 2.0),
     ["Trunc_0", "scale", "supported:", "the unit of the pool's sum of codes"]),
    ("qonnx_avgpool", lambda m: set_attr(m, "AveragePool_0", "kernel_shape", [3, 3]),
     ["AveragePool_0", "kernel_shape", "3 x 3", "power-of-two area"]),
    ("qonnx_avgpool", lambda m: set_init(m, "mul_sums", 0.3),
     ["Mul_0", "factor", "0.3", "supported:", "power of two"]),
    ("qonnx_avgpool", lambda m: bypass_trunc(m),
     ["Conv_1", "the output of the average pool 'AveragePool_0' before a Trunc", "supported:"]),
    ("qonnx_global_avgpool", lambda m: set_init(m, "Trunc_0_out_scale", float(
         numpy_helper.to_array(next(t for t in m.graph.initializer if t.name == "Trunc_0_out_scale"))) / 2),
     ["Trunc_0", "output scale", "supported:", "out_scale / scale = 16", "gives 8"]),
    ("qonnx_global_avgpool", lambda m: set_attr(m, "Trunc_0", "signed", 0),
     ["Trunc_0", "signed", "= 0", "supported: 1"]),
]


def bypass_trunc(m):
    node(m, "Conv_1").input[0] = node(m, "Mul_1").output[0]


if __name__ == "__main__":
    main("qonnx", CASES)
