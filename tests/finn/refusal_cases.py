"""What check_refusals.py (`vine import finn`) and check_qonnx_refusals.py
(`vine import qonnx`) share: editing a node of a model, and running the
cases, each an edit of a model the kind's maker wrote and the words its
refusal must contain.

  main(KIND, CASES) reads VINE MODELS_DIR WORKDIR from the command line.
The unedited models must import, so that each refusal is its edit's.
"""
import os
import subprocess
import sys

import onnx
from onnx import helper


def node(m, name):
    return next(n for n in m.graph.node if n.name == name)


def set_attr(m, name, attr, value):
    n = node(m, name)
    for a in list(n.attribute):
        if a.name == attr:
            n.attribute.remove(a)
    n.attribute.append(helper.make_attribute(attr, value))


def main(kind, cases):
    vine, models, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)

    def run(model, out):
        return subprocess.run([vine, "-q", "import", kind, model, "-o", out], capture_output=True, text=True)

    failures = 0
    for base in sorted({c[0] for c in cases}):
        p = run(os.path.join(models, base + ".onnx"), os.path.join(work, base))
        if p.returncode != 0:
            print(f"FAIL: the unedited {base}.onnx does not import:\n{p.stderr}")
            failures += 1
    for k, (base, edit, want) in enumerate(cases):
        m = onnx.load(os.path.join(models, base + ".onnx"))
        edit(m)
        path = os.path.join(work, f"case{k}.onnx")
        onnx.save(m, path)
        p = run(path, os.path.join(work, f"case{k}"))
        missing = [w for w in want if w not in p.stderr]
        if p.returncode != 1 or missing:
            print(f"FAIL: case {k} ({base}): exit {p.returncode}, missing {missing} in:\n{p.stderr}")
            failures += 1
        else:
            print(f"ok: case {k}: {p.stderr.strip()}")
    sys.exit(1 if failures else 0)
