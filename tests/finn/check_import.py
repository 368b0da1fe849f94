"""`vine import finn` checked against an independent numpy evaluation.

  check_import.py VINE MODEL.onnx WORKDIR [--config JSON] [--frames N] [--prefixes]
                  [--same-cycles-as DESIGN.yaml [--design-has TEXT]...]

Draws N seeded input frames of the model's input type, evaluates the ONNX
model's own nodes with finn_eval.py, imports and runs the model with
`vine import finn ... --run --inputs --outputs`, and requires the simulated
output codes to equal the evaluation's bit for bit (and to vary, so that the
comparison says something). With --same-cycles-as, the imported design's
cycles (every frame's last output beat, the latency of frame 0 and of a frame
alone, the run's total) must equal those of the hand-written Vine design.
A model ending in a LabelSelect (which Vine imports as a graph tail it does
not simulate: the run's outputs are the scores) is checked twice: the scores
against the evaluation of the LabelSelect's input, and the top-K labels
taken from Vine's scores (ONNX TopK) against the evaluation's labels.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import finn_eval  # noqa: E402


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def input_type(model):
    name = model.graph.input[0].name
    for qa in model.graph.quantization_annotation:
        if qa.tensor_name == name:
            for kv in qa.quant_parameter_tensor_names:
                if kv.key == "finn_datatype":
                    return kv.value
    fail("the model's input has no finn_datatype annotation")


def draw(dtype, shape, rng):
    if dtype == "BIPOLAR":
        return rng.integers(0, 2, size=shape) * 2 - 1
    if dtype == "BINARY":
        return rng.integers(0, 2, size=shape)
    if dtype.startswith("UINT"):
        return rng.integers(0, 2 ** int(dtype[4:]), size=shape)
    if dtype.startswith("INT"):
        b = int(dtype[3:])
        return rng.integers(-(2 ** (b - 1)), 2 ** (b - 1), size=shape)
    fail("input type " + dtype)


def vine_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail(" ".join(cmd) + f" exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return json.loads(p.stdout)


def prefixes(model, workdir):
    """The model cut after each compute node (its output the graph's): every
    layer's codes get compared, not only the last one's."""
    out = []
    compute = ("MVAU", "MatrixVectorActivation", "VVAU", "Thresholding", "StreamingMaxPool", "Pool", "AddStreams",
               "ChannelwiseOp")
    for k, node in enumerate(model.graph.node[:-1]):
        if finn_eval.base_op(node.op_type) not in compute:
            continue
        m = onnx.ModelProto()
        m.CopyFrom(model)
        del m.graph.node[k + 1 :]
        del m.graph.output[:]
        m.graph.output.append(onnx.helper.make_tensor_value_info(node.output[0], onnx.TensorProto.FLOAT, [1]))
        path = os.path.join(workdir, f"prefix_{k}_{node.name or node.op_type}.onnx")
        onnx.save(m, path)
        out.append(path)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vine")
    ap.add_argument("model")
    ap.add_argument("workdir")
    ap.add_argument("--config")
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--same-cycles-as")
    ap.add_argument("--prefixes", action="store_true", help="also check the model cut after each compute node")
    ap.add_argument("--design-has", action="append", default=[],
                    help="text the imported design.yaml must hold (e.g. a FIFO entry)")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    if a.prefixes:
        for path in prefixes(onnx.load(a.model), a.workdir):
            check(a, path, os.path.join(a.workdir, os.path.basename(path)[:-5]), None)
    check(a, a.model, a.workdir, a.same_cycles_as)


def check(a, model_path, workdir, same_cycles_as):
    os.makedirs(workdir, exist_ok=True)
    model = onnx.load(model_path)
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    dt = input_type(model)
    rng = np.random.default_rng(a.seed)
    x = draw(dt, [a.frames] + dims[1:], rng)
    last = model.graph.node[-1]
    label_select = finn_eval.base_op(last.op_type) == "LabelSelect"
    if label_select:  # the labels, and the scores Vine's run writes
        want_labels = finn_eval.evaluate(model, x).reshape(a.frames, -1).astype(np.int64)
        scores = onnx.ModelProto()
        scores.CopyFrom(model)
        del scores.graph.node[-1]
        del scores.graph.output[:]
        scores.graph.output.append(onnx.helper.make_tensor_value_info(last.input[0], onnx.TensorProto.FLOAT, [1]))
        model = scores
        last = model.graph.node[-1]
    want = finn_eval.evaluate(model, x).reshape(a.frames, -1)

    # Vine's codes: bipolar -1/+1 as 0/1; every other type its value. An
    # XNOR-mode model's BINARY 0/1 already are those codes.
    codes_in = (x + 1) // 2 if dt == "BIPOLAR" else x
    in_npy = os.path.join(workdir, "inputs.npy")
    out_npy = os.path.join(workdir, "outputs.npy")
    if len(dims) == 2:  # (1, C): Vine's input is 1 x 1 x C
        codes_in = codes_in.reshape(a.frames, 1, 1, -1)
    np.save(in_npy, np.ascontiguousarray(codes_in).astype(np.int32))
    out_dir = os.path.join(workdir, "imported")
    cmd = [a.vine, "-q", "import", "finn", model_path, "-o", out_dir]
    if a.config:
        cmd += ["--config", a.config]
    cmd += ["--run", "--inputs", in_npy, "--outputs", out_npy, "--json", os.path.join(workdir, "run.json")]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail(" ".join(cmd) + f" exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    got = np.load(out_npy)
    out_dt = finn_eval.text(finn_eval.attrs(last).get("outputDataType", b""))
    want_codes = (want + 1) // 2 if out_dt == "BIPOLAR" else want
    want_codes = want_codes.astype(np.int64)
    if got.shape != want_codes.shape:
        fail(f"vine wrote outputs of shape {got.shape}, the evaluation has {want_codes.shape}")
    bad = np.argwhere(got != want_codes)
    if len(bad):
        f, i = bad[0]
        fail(f"{len(bad)} of {got.size} output codes differ; first: frame {f} element {i}: vine {got[f, i]}, "
             f"numpy evaluation {want_codes[f, i]}")
    if len(np.unique(want_codes)) < 2:
        fail("every output code is the same: the comparison would prove nothing")
    print(f"ok: {os.path.basename(model_path)}: {a.frames} frames, {got.size} output codes equal the numpy evaluation "
          f"({len(np.unique(want_codes))} distinct codes)")
    if label_select:
        design = open(os.path.join(out_dir, "design.yaml")).read()
        if "not simulated (Vine has no top-K stage)" not in design:
            fail("the imported design's notes do not say that the LabelSelect is not simulated:\n" + design)
        k = want_labels.shape[1]
        labels = np.argsort(-got.reshape(a.frames, -1), axis=1, kind="stable")[:, :k]
        if not np.array_equal(labels, want_labels):
            fail(f"the top-{k} labels of vine's scores {labels.tolist()} differ from the evaluation's "
                 f"{want_labels.tolist()}")
        print(f"ok: the top-{k} labels of vine's scores equal the evaluation's LabelSelect, frame by frame")

    if same_cycles_as:  # the whole model's check (prefixes have none)
        design = open(os.path.join(out_dir, "design.yaml")).read()
        for text in a.design_has:
            if text not in design:
                fail(f"the imported design has no '{text}':\n{design}")
        keys = ["frame_last_out_cycles", "latency_cycles", "single_frame_latency_cycles", "cycles_total"]
        mine = vine_json([a.vine, "-q", "run", os.path.join(out_dir, "design.yaml"), "-n", str(a.frames),
                          "--timing-only", "--json", "-"])
        ref = vine_json([a.vine, "-q", "run", same_cycles_as, "-n", str(a.frames), "--timing-only", "--json", "-"])
        for k in keys:
            if mine[k] != ref[k]:
                fail(f"{k}: imported {mine[k]}, hand-written {ref[k]} ({same_cycles_as})")
        print(f"ok: the same cycles as {same_cycles_as}: " + ", ".join(f"{k} {mine[k]}" for k in keys[1:]))


if __name__ == "__main__":
    main()
