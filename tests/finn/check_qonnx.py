"""`vine import qonnx` checked against an independent float evaluation.

  check_qonnx.py VINE MODEL.onnx WORKDIR [--frames N] [--prefixes]

Draws N seeded input frames of the codes the model's input Quant produces
(as floats, codes x scale, which that Quant maps back to the same codes),
evaluates the model with qonnx_eval.py, imports and runs it with
`vine import qonnx ... --run --inputs --outputs`, and requires Vine's output
codes to equal the evaluation's bit for bit (and to vary). The model must
end in a MultiThreshold (and perhaps a Reshape): its count of thresholds
reached, (value - out_bias) / out_scale, is Vine's code, less 2^(b-1) for an
INTb out_dtype. With --prefixes the model is also cut after every
MultiThreshold, so that each layer's codes are compared.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qonnx_eval  # noqa: E402


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def inits(model):
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def draw_input(model, frames, rng):
    """(float frames for the evaluation, Vine's integer codes NHWC)."""
    g = model.graph
    dims = [d.dim_value for d in g.input[0].type.tensor_type.shape.dim]
    shape = [frames] + dims[1:]
    q = next(n for n in g.node if n.input and n.input[0] == g.input[0].name)
    init = inits(model)
    scale = float(init[q.input[1]].ravel()[0])
    a = qonnx_eval.attrs(q)
    if q.op_type == "BipolarQuant":
        codes = rng.integers(0, 2, size=shape)
        x = (codes * 2 - 1) * scale
    else:
        bits = int(init[q.input[3]].ravel()[0])
        lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1)) if a.get("signed", 1) else (0, 2 ** bits)
        codes = rng.integers(lo, hi, size=shape)
        x = codes * scale
    if len(dims) == 4:
        codes = codes.transpose(0, 2, 3, 1)  # NCHW -> Vine's HWC
    else:
        codes = codes.reshape(frames, 1, 1, -1)
    return x, codes


def activation_quantiser(model, node):
    inits = {t.name for t in model.graph.initializer}
    return node.op_type in ("MultiThreshold", "Trunc") or (
        node.op_type in ("Quant", "BipolarQuant") and node.input[0] not in inits
        and node.input[0] != model.graph.input[0].name)


def expected_codes(model, v):
    last = next(n for n in reversed(model.graph.node) if activation_quantiser(model, n))
    a = qonnx_eval.attrs(last)
    if last.op_type == "MultiThreshold":
        counts = np.round((v - a.get("out_bias", 0.0)) / a.get("out_scale", 1.0)).astype(np.int64)
        dt = a["out_dtype"]
        codes = counts - 2 ** (int(dt[3:]) - 1) if dt.startswith("INT") else counts
    elif last.op_type == "Trunc":  # the integer v / out_scale (v2) or v / scale (v1)
        scale = inits(model)[last.input[4] if len(last.input) == 6 else last.input[1]].ravel()[0]
        codes = np.round(v / scale).astype(np.int64)
    else:  # Quant: the integer v / scale; BipolarQuant: -1/+1 as codes 0/1
        scale = inits(model)[last.input[1]].ravel()[0]
        q = np.round(v / scale).astype(np.int64)
        codes = (q + 1) // 2 if last.op_type == "BipolarQuant" else q
    if codes.ndim == 4:
        codes = codes.transpose(0, 2, 3, 1)  # NCHW -> Vine's HWC
    return codes.reshape(codes.shape[0], -1)


def prefixes(model, workdir):
    out = []
    for k, node in enumerate(model.graph.node[:-1]):
        if not activation_quantiser(model, node):
            continue
        m = onnx.ModelProto()
        m.CopyFrom(model)
        del m.graph.node[k + 1 :]
        del m.graph.output[:]
        m.graph.output.append(onnx.helper.make_tensor_value_info(node.output[0], onnx.TensorProto.FLOAT, None))
        used = {i for n in m.graph.node for i in n.input}
        keep = [t for t in m.graph.initializer if t.name in used]
        del m.graph.initializer[:]
        m.graph.initializer.extend(keep)
        path = os.path.join(workdir, f"prefix_{k}_{node.name}.onnx")
        onnx.save(m, path)
        out.append(path)
    return out


def check(a, model_path, workdir):
    os.makedirs(workdir, exist_ok=True)
    model = onnx.load(model_path)
    rng = np.random.default_rng(a.seed)
    x, codes_in = draw_input(model, a.frames, rng)
    want = expected_codes(model, qonnx_eval.evaluate(model, x))
    in_npy = os.path.join(workdir, "inputs.npy")
    out_npy = os.path.join(workdir, "outputs.npy")
    np.save(in_npy, np.ascontiguousarray(codes_in).astype(np.int32))
    cmd = [a.vine, "-q", "import", "qonnx", model_path, "-o", os.path.join(workdir, "imported"), "--run", "--inputs",
           in_npy, "--outputs", out_npy]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail(" ".join(cmd) + f" exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    got = np.load(out_npy).reshape(a.frames, -1)
    if got.shape != want.shape:
        fail(f"vine wrote outputs of shape {got.shape}, the evaluation has {want.shape}")
    bad = np.argwhere(got != want)
    if len(bad):
        f, i = bad[0]
        fail(f"{os.path.basename(model_path)}: {len(bad)} of {got.size} output codes differ; first: frame {f} "
             f"element {i}: vine {got[f, i]}, numpy evaluation {want[f, i]}")
    if len(np.unique(want)) < 2:
        fail("every output code is the same: the comparison would prove nothing")
    print(f"ok: {os.path.basename(model_path)}: {a.frames} frames, {got.size} output codes equal the numpy evaluation "
          f"({len(np.unique(want))} distinct codes)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vine")
    ap.add_argument("model")
    ap.add_argument("workdir")
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--prefixes", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    if a.prefixes:
        for path in prefixes(onnx.load(a.model), a.workdir):
            check(a, path, os.path.join(a.workdir, os.path.basename(path)[:-5]))
    check(a, a.model, a.workdir)


if __name__ == "__main__":
    main()
