"""An independent float evaluation of a QONNX model in numpy, NCHW as ONNX.

Written from the operators' definitions (ONNX's MatMul, Conv, MaxPool,
AveragePool, GlobalAveragePool, Add, Mul, Div, Reshape, Flatten, Relu;
qonnx's Quant, BipolarQuant, Trunc and MultiThreshold as qonnx documents
them), not from Vine's code: `vine import qonnx` is compared against it bit
for bit. Quant: y = (clip(round_half_even(x / scale + zp), lo, hi) - zp) x
scale. Trunc v1 (5 inputs): y = (floor(round(x / scale + zp) / 2^(in_bits -
out_bits)) - zp) x scale; v2 (6 inputs): round(x / scale + zp) divided by
2^round(log2(out_scale / scale)), clipped to out_bits' range, floored, less
the rescaled zero point, x out_scale.
"""
import numpy as np
from onnx import helper, numpy_helper


def attrs(node):
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else v
    return out


def quant(x, scale, zp, bits, signed, narrow):
    bits = int(np.asarray(bits).ravel()[0])
    if signed:
        lo, hi = -(2 ** (bits - 1)) + (1 if narrow else 0), 2 ** (bits - 1) - 1
    else:
        lo, hi = 0, 2 ** bits - 1 - (1 if narrow else 0)
    q = np.clip(np.round(x / scale + zp), lo, hi)  # np.round: half to even
    return (q - zp) * scale


def multithreshold(x, thr, a):
    """Channel axis 1 (NCHW or (N, C)); the count of thresholds x reaches."""
    c = x.shape[1]
    thr = np.broadcast_to(thr, (c, thr.shape[1]))
    xc = np.moveaxis(x, 1, -1)  # channels last
    counts = (xc[..., None] >= thr).sum(axis=-1)
    y = counts * a.get("out_scale", 1.0) + a.get("out_bias", 0.0)
    return np.moveaxis(y, -1, 1)


def conv(x, w, a):
    n, c, h, wd = x.shape
    oc, ic, k, _ = w.shape
    t, l, b, r = a.get("pads", [0, 0, 0, 0])
    s = a.get("strides", [1, 1])[0]
    xp = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)))
    oh, ow = (h + t + b - k) // s + 1, (wd + l + r - k) // s + 1
    out = np.zeros((n, oc, oh, ow))
    for y in range(oh):
        for xx in range(ow):
            win = xp[:, :, y * s : y * s + k, xx * s : xx * s + k]  # (n, ic, k, k)
            out[:, :, y, xx] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


def maxpool(x, a):
    k = a["kernel_shape"][0]
    s = a.get("strides", [1, 1])[0]
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for xx in range(ow):
            out[:, :, y, xx] = x[:, :, y * s : y * s + k, xx * s : xx * s + k].max(axis=(2, 3))
    return out


def avgpool(x, k, s):
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for xx in range(ow):
            out[:, :, y, xx] = x[:, :, y * s : y * s + k, xx * s : xx * s + k].mean(axis=(2, 3))
    return out


def trunc(i, a):
    if a.get("rounding_mode", "FLOOR").upper() != "FLOOR":
        raise ValueError("qonnx_eval: Trunc rounding_mode " + a["rounding_mode"])
    x, scale, zp = i[0], i[1], i[2]
    y = np.round(x / scale + zp)
    if len(i) == 5:  # v1
        y = np.floor(y / 2.0 ** (i[3] - i[4]))
        return (y - zp) * scale
    out_scale, bits = i[4], int(np.asarray(i[5]).ravel()[0])
    t = 2.0 ** np.round(np.log2(out_scale / scale))
    y = y / t
    signed, narrow = a.get("signed", 1), a.get("narrow", 0)
    lo = -(2 ** (bits - 1)) + narrow if signed else 0
    hi = 2 ** (bits - 1) - 1 if signed else 2 ** bits - 1 - narrow
    y = np.floor(np.clip(y, lo, hi))
    return (y - zp / t) * out_scale


def evaluate(model, x, upto=None):
    """x: the graph input, (N, ...) with N frames; returns the graph output
    (or tensor `upto`)."""
    g = model.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    env[g.input[0].name] = x.astype(np.float64)
    for node in g.node:
        a = attrs(node)
        i = [env[name] for name in node.input]
        op = node.op_type
        if op == "Quant":
            y = quant(i[0], i[1], i[2], i[3], a.get("signed", 1), a.get("narrow", 0))
        elif op == "BipolarQuant":
            y = np.where(i[0] >= 0, 1.0, -1.0) * i[1]
        elif op == "MatMul":
            y = i[0] @ i[1]
        elif op == "Conv":
            y = conv(i[0], i[1], a)
            if len(i) > 2:
                y = y + i[2].reshape(1, -1, 1, 1)
        elif op == "MultiThreshold":
            y = multithreshold(i[0], i[1], a)
        elif op == "MaxPool":
            y = maxpool(i[0], a)
        elif op == "AveragePool":
            y = avgpool(i[0], a["kernel_shape"][0], a.get("strides", [1, 1])[0])
        elif op == "GlobalAveragePool":
            y = i[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Trunc":
            y = trunc(i, a)
        elif op == "Mul":
            y = i[0] * i[1]
        elif op == "Div":
            y = i[0] / i[1]
        elif op == "Relu":
            y = np.maximum(i[0], 0.0)
        elif op == "Add":
            y = i[0] + i[1]
        elif op in ("Reshape", "Flatten"):
            y = i[0].reshape(i[0].shape[0], -1)  # batch kept: the model's batch is 1
        else:
            raise ValueError(f"qonnx_eval: no evaluation for {op} ({node.name})")
        env[node.output[0]] = y
        if upto == node.output[0]:
            return y
    return env[g.output[0].name]
