"""Builds QONNX-style models as Brevitas exports them, with python3-onnx (no
Brevitas, no downloads), for the `vine import qonnx` tests: standard ONNX
MatMul, Conv, MaxPool, Add, Flatten and Reshape around qonnx's Quant,
BipolarQuant and MultiThreshold (domain qonnx.custom_op.general), float
initializers for the weights with their Quant's scale, zero point and bit
width, NCHW tensors.

  make_qonnx_models.py OUTDIR     writes qonnx_tfc.onnx, qonnx_cnv.onnx, qonnx_quant_act.onnx,
                                  qonnx_avgpool.onnx, qonnx_global_avgpool.onnx

- qonnx_tfc: a (1, 2, 4, 4) input (INT8, scale 2^-7) flattened by a Flatten
  (whose NCHW order the import must undo for Vine's HWC fc), an INT2 MatMul
  with per-output-channel power-of-two scales, UINT2 thresholds (out_scale
  0.5), a MatMul of BipolarQuant weights, INT2 thresholds (out_bias -2), a
  narrow-range INT4 MatMul, BIPOLAR thresholds (out_scale 2, out_bias -1),
  then bipolar x binary weights (XNOR popcount in Vine) with 5 UINT3
  thresholds, behind a Reshape to (1, -1);
- qonnx_cnv: a (1, 3, 8, 8) UINT8 input (scale 2^-8), a padded 3x3 Conv
  (INT4 weights, per-channel scales), UINT2 thresholds, a 2x2 MaxPool, a
  padded 3x3 Conv (unsigned 2-bit Quant weights: Vine fixed 3), UINT2
  thresholds, a residual Add of the pool's and the conv's outputs, UINT2
  thresholds on the sum, a stride-2 Conv (INT3), INT3 thresholds, Flatten and
  an INT4 MatMul with UINT2 thresholds.
- qonnx_quant_act: activations quantised as Brevitas' export writes them,
  by Quant nodes on the raw sums, and biases of whole accumulator units: a
  (1, 3, 6, 6) INT8 input, a padded Conv (INT4) with a bias input, Relu +
  unsigned 3-bit Quant (QuantReLU), MaxPool, a stride-2 Conv (INT2), an Add
  of a (1, 8, 1, 1) bias, a signed narrow 4-bit Quant, Flatten, an INT3
  MatMul, an Add of a (16,) bias, a
  BipolarQuant, a MatMul of BipolarQuant weights (XNOR popcount in Vine) and
  a signed 4-bit Quant on its sums.
- qonnx_avgpool: Brevitas' TruncAvgPool2d (AveragePool 2x2, Mul by 4, a
  FLOOR Trunc v1 from 6 to 4 bits) on signed 4-bit codes of a padded Conv
  whose sums a Mul by 0.5 rescales, a 1x1 Conv whose sums a Div by 4
  rescales, Flatten, MatMul;
- qonnx_global_avgpool (qonnx opset 2): a GlobalAveragePool (4x4) of
  signed codes, a Mul by 16, a Trunc v2 whose out_scale is 16 times its
  scale, a Div by 16, Flatten, MatMul, UINT2 thresholds.
Weights are drawn from a fixed seed as floats that the Quant rounds (ties
included); thresholds are set at quantiles of each channel's float values
on calibration frames, so that every output code occurs and some values
sit exactly on a threshold.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qonnx_eval  # noqa: E402

QONNX = "qonnx.custom_op.general"


class Graph:
    def __init__(self, seed, in_shape, in_signed, in_bits, in_scale, frames=64):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.count = 0
        self.qonnx_opset = 1  # 2: qonnx's Trunc v2
        self.in_shape = in_shape
        lo, hi = (-(2 ** (in_bits - 1)), 2 ** (in_bits - 1)) if in_signed else (0, 2 ** in_bits)
        self.calib = self.rng.integers(lo, hi, size=[frames] + in_shape[1:]) * in_scale
        self.x = self.quant("global_in", in_scale, in_bits, in_signed)

    def name(self, op):
        return f"{op}_{sum(n.op_type == op for n in self.nodes)}"

    def tensor(self):
        self.count += 1
        return f"t{self.count}"

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array, dtype=np.float32), name))
        return name

    def node(self, op, inputs, domain="", **attrs):
        out = self.tensor()
        name = self.name(op)
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, domain=domain, **attrs))
        return out

    def quant(self, x, scale, bits, signed, narrow=0):
        n = self.name("Quant")
        return self.node("Quant", [x, self.init(n + "_scale", scale), self.init(n + "_zeropt", 0.0),
                                   self.init(n + "_bitwidth", float(bits))],
                         QONNX, signed=signed, narrow=narrow, rounding_mode="ROUND")

    def weights(self, shape, scale, bits, signed, narrow=0):
        """Float weights whose Quant gives integers over the whole range (and a
        few ties, x.5 x scale, that round half to even)."""
        lo = -(2 ** (bits - 1)) if signed else 0
        hi = (2 ** (bits - 1) - 1) if signed else 2 ** bits - 1
        q = self.rng.integers(lo, hi + 1, size=shape) + self.rng.choice([-0.5, 0.0, 0.25, 0.5, 1.5], size=shape)
        w = self.init(f"w{len(self.inits)}", q * scale)
        return self.quant(w, scale, bits, signed, narrow)

    def bipolar_weights(self, shape, scale):
        w = self.init(f"w{len(self.inits)}", self.rng.normal(size=shape))
        n = self.name("BipolarQuant")
        return self.node("BipolarQuant", [w, self.init(n + "_scale", scale)], QONNX)

    def act_quant(self, x, bits, signed, narrow=0, relu=False):
        """A Quant on raw sums, its power-of-two scale such that the largest
        value reaches about the top code (so that codes clip and ties occur)."""
        v = self.value(x)
        hi = 2 ** (bits - 1) - 1 if signed else 2 ** bits - 1
        scale = 2.0 ** np.floor(np.log2(np.abs(v).max() / hi))
        self.act_scale = scale
        if relu:
            x = self.node("Relu", [x])
        return self.quant(x, scale, bits, signed, narrow)

    def bias(self, units, shape):
        """A bias of whole accumulator units (Brevitas' Int32Bias), about 1/8
        of the sums' spread."""
        return self.init(f"bias{len(self.inits)}", self.rng.integers(-6, 7, size=shape) * units)

    def act_bipolar(self, x):
        n = self.name("BipolarQuant")
        return self.node("BipolarQuant", [x, self.init(n + "_scale", 0.5)], QONNX)

    def value(self, tensor):
        return qonnx_eval.evaluate(self.model(tensor, [1]), self.calib, upto=tensor)

    def threshold(self, x, dtype, out_scale=1.0, out_bias=0.0, steps=None):
        v = self.value(x)
        c = v.shape[1]
        per_c = np.moveaxis(v, 1, -1).reshape(-1, c)
        if steps is None:
            steps = 1 if dtype == "BIPOLAR" else 2 ** int(dtype.replace("UINT", "").replace("INT", "")) - 1
        qs = np.linspace(0, 1, steps + 2)[1:-1]
        t = np.quantile(per_c, qs, axis=0, method="nearest").T  # (c, steps): values that occur, ties included
        gaps = np.diff(np.unique(per_c))
        t[::3] += 0.3 * (gaps.min() if len(gaps) else 1)  # every third channel between two values
        t = np.sort(t, axis=1)
        n = self.name("MultiThreshold")
        return self.node("MultiThreshold", [x, self.init(n + "_thresholds", t)], QONNX, out_dtype=dtype,
                         out_scale=float(out_scale), out_bias=float(out_bias), data_layout="NCHW")

    def trunc_v1(self, x, scale, in_bits, out_bits):
        n = self.name("Trunc")
        return self.node("Trunc", [x, self.init(n + "_scale", scale), self.init(n + "_zeropt", 0.0),
                                   self.init(n + "_in_bits", float(in_bits)), self.init(n + "_out_bits", float(out_bits))],
                         QONNX, rounding_mode="FLOOR")

    def trunc_v2(self, x, scale, out_scale, in_bits, out_bits, signed):
        n = self.name("Trunc")
        return self.node("Trunc", [x, self.init(n + "_scale", scale), self.init(n + "_zeropt", 0.0),
                                   self.init(n + "_in_bits", float(in_bits)), self.init(n + "_out_scale", out_scale),
                                   self.init(n + "_out_bits", float(out_bits))],
                         QONNX, rounding_mode="FLOOR", signed=signed, narrow=0)

    def model(self, out, out_shape, graph_name="partial"):
        g = helper.make_graph(self.nodes, graph_name,
                              [helper.make_tensor_value_info("global_in", TensorProto.FLOAT, self.in_shape)],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, out_shape)], self.inits)
        return helper.make_model(g, producer_name="vine make_qonnx_models.py",
                                 opset_imports=[helper.make_opsetid("", 11), helper.make_opsetid(QONNX, self.qonnx_opset)])


def tfc(path):
    g = Graph(5, [1, 2, 4, 4], True, 8, 2.0 ** -7)
    x = g.node("Flatten", [g.x], axis=1)
    x = g.node("MatMul", [x, g.weights([32, 24], 2.0 ** -np.array([1, 2, 3] * 8), 2, True)])
    x = g.threshold(x, "UINT2", out_scale=0.5)
    x = g.node("MatMul", [x, g.bipolar_weights([24, 16], 0.25)])
    x = g.threshold(x, "INT2", out_bias=-2.0)
    x = g.node("MatMul", [x, g.weights([16, 16], 0.5, 4, True, narrow=1)])
    x = g.threshold(x, "BIPOLAR", out_scale=2.0, out_bias=-1.0)
    x = g.node("MatMul", [x, g.bipolar_weights([16, 10], 1.0)])
    x = g.threshold(x, "UINT3", steps=5)
    x = g.node("Reshape", [x, g.init("flat_shape", np.array([1, -1]))])
    onnx.save(g.model(x, [1, 10], "qonnx_tfc"), path)


def cnv(path):
    g = Graph(7, [1, 3, 8, 8], False, 8, 2.0 ** -8)
    x = g.node("Conv", [g.x, g.weights([8, 3, 3, 3], 2.0 ** -(np.arange(8).reshape(8, 1, 1, 1) % 3), 4, True)],
               kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    x = g.threshold(x, "UINT2", out_scale=0.5)
    p = g.node("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
    x = g.node("Conv", [p, g.weights([8, 8, 3, 3], 0.25, 2, False)], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    x = g.threshold(x, "UINT2", out_scale=0.5)
    x = g.node("Add", [p, x])
    x = g.threshold(x, "UINT2")
    x = g.node("Conv", [x, g.weights([6, 8, 3, 3], 0.5, 3, True)], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
               strides=[2, 2])
    x = g.threshold(x, "INT3", out_bias=-4.0)
    x = g.node("Flatten", [x], axis=1)
    x = g.node("MatMul", [x, g.weights([24, 10], 1.0, 4, True)])
    x = g.threshold(x, "UINT2")
    onnx.save(g.model(x, [1, 10], "qonnx_cnv"), path)


def quant_act(path):
    g = Graph(11, [1, 3, 6, 6], True, 8, 2.0 ** -7)
    w0_scale = 2.0 ** -(np.arange(8) % 2)
    x = g.node("Conv", [g.x, g.weights([8, 3, 3, 3], w0_scale.reshape(8, 1, 1, 1), 4, True),
                        g.bias(2.0 ** -7 * w0_scale * 16, [8])], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    x = g.act_quant(x, 3, False, relu=True)
    x = g.node("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
    x = g.node("Conv", [x, g.weights([8, 8, 3, 3], 0.5, 2, True)], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
               strides=[2, 2])
    x = g.node("Add", [x, g.bias(g.act_scale * 0.5, [1, 8, 1, 1])])
    x = g.act_quant(x, 4, True, narrow=1)
    x = g.node("Flatten", [x], axis=1)
    x = g.node("MatMul", [x, g.weights([32, 16], 0.25, 3, True)])
    x = g.node("Add", [g.bias(g.act_scale * 0.25, [16]), x])
    x = g.act_bipolar(x)
    x = g.node("MatMul", [x, g.bipolar_weights([16, 10], 1.0)])
    x = g.act_quant(x, 4, True)
    onnx.save(g.model(x, [1, 10], "qonnx_quant_act"), path)


def avgpool(path):
    """Brevitas' TruncAvgPool2d as it exports it (AveragePool, Mul by K^2, a
    FLOOR Trunc v1 at the codes' scale and width), then power-of-two Mul and
    Div on raw sums."""
    g = Graph(17, [1, 4, 8, 8], False, 4, 2.0 ** -2)
    x = g.node("Conv", [g.x, g.weights([8, 4, 3, 3], 0.5, 3, True)], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    x = g.node("Mul", [x, g.init("mul_sums", 0.5)])
    x = g.act_quant(x, 4, True)
    s = g.act_scale
    x = g.node("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])
    x = g.node("Mul", [x, g.init("pool_area", 4.0)])
    x = g.trunc_v1(x, s, 6, 4)
    x = g.node("Conv", [x, g.weights([8, 8, 1, 1], 0.25, 4, True)], kernel_shape=[1, 1])
    x = g.node("Div", [x, g.init("div_sums", 4.0)])
    x = g.act_quant(x, 4, True)
    x = g.node("Flatten", [x], axis=1)
    x = g.node("MatMul", [x, g.weights([128, 10], 0.5, 3, True)])
    x = g.act_quant(x, 2, False)
    onnx.save(g.model(x, [1, 10], "qonnx_avgpool"), path)


def global_avgpool(path):
    """A GlobalAveragePool of signed codes (its floor rounds negative sums
    down) through qonnx's Trunc v2, its out_scale the sum's, a Div by 16 back
    to the codes' scale, and a MultiThreshold."""
    g = Graph(19, [1, 4, 4, 4], True, 4, 2.0 ** -3)
    g.qonnx_opset = 2
    x = g.node("Conv", [g.x, g.weights([8, 4, 3, 3], 0.5, 3, True)], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    x = g.act_quant(x, 4, True)
    s = g.act_scale
    x = g.node("GlobalAveragePool", [x])
    x = g.node("Mul", [g.init("pool_area", 16.0), x])
    x = g.trunc_v2(x, s, 16 * s, 8, 4, 1)
    x = g.node("Div", [x, g.init("back_to_codes", 16.0)])
    x = g.node("Flatten", [x], axis=1)
    x = g.node("MatMul", [x, g.weights([8, 10], 0.5, 4, True)])
    x = g.threshold(x, "UINT2")
    onnx.save(g.model(x, [1, 10], "qonnx_global_avgpool"), path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tfc(os.path.join(out, "qonnx_tfc.onnx"))
    cnv(os.path.join(out, "qonnx_cnv.onnx"))
    quant_act(os.path.join(out, "qonnx_quant_act.onnx"))
    avgpool(os.path.join(out, "qonnx_avgpool.onnx"))
    global_avgpool(os.path.join(out, "qonnx_global_avgpool.onnx"))


if __name__ == "__main__":
    main()
