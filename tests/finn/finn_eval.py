"""An independent evaluation of a FINN dataflow model's own nodes in numpy.

Written from FINN's documented node semantics (the custom ops' execute_node
in Xilinx/finn src/finn/custom_op/fpgadataflow/ and qonnx's MultiThreshold),
not from Vine's code: the test compares what `vine import finn` simulates
against it bit for bit. Values are FINN's (bipolar -1/+1), NHWC.
"""
import numpy as np
from onnx import helper, numpy_helper


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def base_op(op_type):
    for suffix in ("_hls", "_rtl", "_Batch"):
        if op_type.endswith(suffix):
            op_type = op_type[: -len(suffix)]
    return op_type


def multithreshold(x, thr, out_scale, out_bias):
    """qonnx MultiThreshold on channels-last x: count of thresholds reached."""
    c = x.shape[-1]
    thr = np.broadcast_to(thr, (c, thr.shape[1]))
    counts = (x[..., :, None] >= thr).sum(axis=-1)
    return counts * out_scale + out_bias


def mvau(x, w, thr, a):
    xnor = a.get("binaryXnorMode", 0) == 1
    idt, wdt = text(a["inputDataType"]), text(a["weightDataType"])
    if xnor:  # binary 0/1 operands: count of agreements
        acc = x @ w + (1 - x) @ (1 - w)
    elif idt == "BIPOLAR" and wdt == "BIPOLAR":
        xb, wb = (x + 1) / 2, (w + 1) / 2
        acc = xb @ wb + (1 - xb) @ (1 - wb)
    else:
        acc = x @ w
    if a.get("noActivation", 0) == 1:
        return acc
    bipolar = text(a["outputDataType"]) == "BIPOLAR"
    return multithreshold(acc, thr, 2 if bipolar else 1, -1 if bipolar else a.get("ActVal", 0))


def im2col(x, k, s):
    """k = (kh, kw), s = (sh, sw): any window, one-dimensional ones too."""
    n, h, w, c = x.shape
    (kh, kw), (sh, sw) = k, s
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.zeros((n, oh, ow, kh * kw * c), dtype=x.dtype)
    for y in range(oh):
        for xx in range(ow):
            win = x[:, y * sh : y * sh + kh, xx * sw : xx * sw + kw, :]  # (n, ky, kx, c)
            out[:, y, xx, :] = win.reshape(n, -1)
    return out


def pair(v):
    """An [h, w] attribute (or k: (k, k))."""
    return (v[0], v[-1]) if isinstance(v, (list, tuple)) else (v, v)


def evaluate(model, x):
    """x: the graph input in FINN values, shape (N, ...) as the model's with N frames."""
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    env = {g.input[0].name: x.astype(np.float64)}
    for node in g.node:
        a = attrs(node)
        op = base_op(node.op_type)
        i0 = env[node.input[0]]
        if op in ("StreamingFIFO", "StreamingDataWidthConverter"):
            outs = [i0]
        elif op == "DuplicateStreams":
            outs = [i0] * len(node.output)
        elif op in ("MVAU", "MatrixVectorActivation"):
            thr = inits[node.input[2]] if len(node.input) > 2 else None
            outs = [mvau(i0, inits[node.input[1]], thr, a)]
        elif op in ("VVAU", "VectorVectorActivation"):
            # The window's (ky, kx, c) elements, each channel against its own
            # k x k kernel, weights (C, 1, k, k).
            kh, kw = pair(a["Kernel"])
            c = a["Channels"]
            w = inits[node.input[1]].reshape(c, kh * kw).T  # (kh*kw, C)
            acc = (i0.reshape(i0.shape[:-1] + (kh * kw, c)) * w).sum(axis=-2)
            if a.get("noActivation", 0) == 1:
                outs = [acc]
            else:
                bipolar = text(a["outputDataType"]) == "BIPOLAR"
                outs = [multithreshold(acc, inits[node.input[2]], 2 if bipolar else 1,
                                       -1 if bipolar else a.get("ActVal", 0))]
        elif op == "Thresholding":
            bipolar = text(a["outputDataType"]) == "BIPOLAR"
            outs = [multithreshold(i0, inits[node.input[1]], 2 if bipolar else 1, -1 if bipolar else a.get("ActVal", 0))]
        elif op == "FMPadding":
            t, l, b, r = a["Padding"]
            outs = [np.pad(i0, ((0, 0), (t, b), (l, r), (0, 0)))]
        elif op == "DownSampler":
            st = a["Stride"]
            outs = [i0[:, ::st, ::st, :]]
        elif op == "ConvolutionInputGenerator":
            outs = [im2col(i0, pair(a["ConvKernelDim"]), pair(a["Stride"]))]
        elif op == "StreamingMaxPool":
            kh, kw = pair(a["PoolDim"])
            n, h, w, c = i0.shape
            outs = [i0.reshape(n, h // kh, kh, w // kw, kw, c).max(axis=(2, 4))]
        elif op == "Pool":
            # pool.py's execute_node: the window's K*K values of each channel,
            # their max, or (QuantAvgPool) their sum shifted right by
            # bitlength((2^ibits - 1) K*K) - obits.
            k2 = int(np.prod(a["KernelSize"]))
            c = a["Channels"]
            v = i0.reshape(i0.shape[:-1] + (k2, c))
            if text(a["Function"]) == "MaxPool":
                outs = [v.max(axis=-2)]
            else:
                ibits = int(text(a["InputDataType"]).replace("UINT", "").replace("INT", ""))
                obits = int(text(a["OutputDataType"]).replace("UINT", "").replace("INT", ""))
                shift = max(int((2 ** ibits - 1) * k2).bit_length() - obits, 0)
                outs = [np.right_shift(v.sum(axis=-2).astype(np.int64), shift).astype(np.float64)]
        elif op == "LabelSelect":
            # ONNX TopK (labelselect.py's execute_node): the indices of the K
            # largest of each frame's scores, largest first, a tie to the
            # lower index.
            flat = i0.reshape(i0.shape[0], -1)
            order = np.argsort(-flat, axis=1, kind="stable")[:, : a["K"]]
            outs = [order.astype(np.float64)]
        elif op == "ChannelwiseOp":
            # channelwise_op.py's execute_node runs ONNX Add or Mul of the
            # input and the (NumChannels,) parameters, broadcast over the
            # channels (last axis); the comparisons are finn-hlslib's
            # ChannelWiseOperation, Fxn()(parameter, input): cmp_le is
            # parameter <= input, cmp_ge parameter >= input.
            p = inits[node.input[1]]
            func = text(a.get("Func", "cmp_le"))
            outs = [{"add": lambda: i0 + p, "mul": lambda: i0 * p,
                     "cmp_le": lambda: (p <= i0).astype(np.float64),
                     "cmp_ge": lambda: (p >= i0).astype(np.float64)}[func]()]
        elif op == "AddStreams":
            outs = [i0 + env[node.input[1]]]
        else:
            raise ValueError(f"finn_eval: no evaluation for {node.op_type} ({node.name})")
        for name, v in zip(node.output, outs):
            env[name] = v
    return env[g.output[0].name]
