#!/usr/bin/python3
"""scripts/engine-bandwidth-sweep through the real binary (docs/engine.md): on
the small ResNet, dense and generated, at three bandwidths it writes its CSVs
and both figures as PNG and SVG; the point at the device's own bandwidth is
`vine estimate` of the design itself; a frame never gets slower as the
bandwidth rises; the generator's speed-up is read against the first design;
the memory-bound flag is the rule the docs give; bad inputs are errors with
exit code 1.

usage: test_engine_sweep.py VINE SOURCE_DIR
matplotlib must be installed (scripts/setup installs python3-matplotlib):
without it this test fails, it is never skipped.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

VINE, SOURCE = sys.argv[1:3]
SCRIPT = os.path.join(SOURCE, "scripts", "engine-bandwidth-sweep")
DENSE = os.path.join(SOURCE, "examples", "engine", "resnet-tiny-zcu104.yaml")
GEN = os.path.join(SOURCE, "examples", "engine", "resnet-tiny-ovsf-zcu104.yaml")
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)


def run(*args):
    p = subprocess.run(["/usr/bin/python3", SCRIPT, "--vine", VINE, *args], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


with tempfile.TemporaryDirectory() as out:
    code, text = run(DENSE, GEN, "--gbytes", "19.2,0.5,2", "-o", out)
    check(code == 0, f"the sweep ran (exit {code}): {text}")
    for name in ("fps-vs-bandwidth", "memory-bound-layers"):
        png = os.path.join(out, name + ".png")
        check(os.path.exists(png) and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", f"{name}.png is a PNG")
        try:
            root = ET.parse(os.path.join(out, name + ".svg")).getroot()
            check(root.tag == "{http://www.w3.org/2000/svg}svg", f"{name}.svg is an SVG")
        except (ET.ParseError, FileNotFoundError) as e:
            check(False, f"{name}.svg: {e}")
    rows = list(csv.DictReader(open(os.path.join(out, "sweep.csv"))))
    layers = list(csv.DictReader(open(os.path.join(out, "layers.csv"))))
    check(len(rows) == 6, f"2 designs x 3 bandwidths, got {len(rows)} rows")
    est = json.loads(subprocess.run([VINE, "-q", "estimate", DENSE, "--json", "-"], capture_output=True,
                                    text=True, check=True).stdout)
    at_own = [r for r in rows if r["design"] == "resnet-tiny-zcu104" and float(r["gbytes_per_s"]) == 19.2]
    check(len(at_own) == 1 and int(at_own[0]["cycles_per_frame"]) == est["cycles_per_frame"],
          f"at the ZCU104's 19.2 GB/s the sweep's cycles are vine estimate's {est['cycles_per_frame']}: {at_own}")
    for design in ("resnet-tiny-zcu104", "resnet-tiny-ovsf-zcu104"):
        pts = sorted((float(r["gbytes_per_s"]), int(r["cycles_per_frame"])) for r in rows if r["design"] == design)
        check([b for b, _ in pts] == [0.5, 2.0, 19.2], f"{design}: the bandwidths, sorted: {pts}")
        check(all(a[1] >= b[1] for a, b in zip(pts, pts[1:])), f"{design}: cycles fall as bandwidth rises: {pts}")
        check(pts[0][1] > pts[-1][1], f"{design}: 0.5 GB/s is slower than 19.2: {pts}")
    sp = {float(r["gbytes_per_s"]): float(r["speedup_over_resnet-tiny-zcu104"]) for r in rows
          if r["design"] == "resnet-tiny-ovsf-zcu104"}
    dense = {float(r["gbytes_per_s"]): int(r["cycles_per_frame"]) for r in rows if r["design"] == "resnet-tiny-zcu104"}
    gen = {float(r["gbytes_per_s"]): int(r["cycles_per_frame"]) for r in rows if r["design"] == "resnet-tiny-ovsf-zcu104"}
    check(all(abs(sp[b] - dense[b] / gen[b]) < 1e-9 for b in sp), f"speed-up = dense / generated cycles: {sp}")
    check(sp[0.5] > 1.0, f"the generator speeds up the frame at 0.5 GB/s: {sp}")
    check(len(layers) == 6 * 11, f"11 layers a point, got {len(layers)} rows")
    for l in layers:
        waits = int(l["weight_wait_cycles"]) + int(l["activation_wait_cycles"])
        check(int(l["cycles"]) == int(l["compute_cycles"]) + waits, f"{l['layer']}: cycles = computing + waiting")
        check((l["memory_bound"] == "True") == (waits > int(l["compute_cycles"])),
              f"{l['layer']} at {l['gbytes_per_s']}: memory-bound iff it waits more than it computes")
    bound = {float(r["gbytes_per_s"]): int(r["memory_bound_layers"]) for r in rows if r["design"] == "resnet-tiny-zcu104"}
    check(bound[0.5] > bound[19.2], f"more layers memory-bound at 0.5 GB/s than at 19.2: {bound}")

    code, text = run(DENSE, "--gbytes", "0,1", "-o", out)
    check(code == 1 and "--gbytes takes positive bandwidths, got '0,1'" in text, f"zero bandwidth refused: {text}")
    code, text = run(DENSE, "--gbytes", "a", "-o", out)
    check(code == 1 and "--gbytes takes numbers separated by commas" in text, f"a non-number refused: {text}")
    streaming = os.path.join(SOURCE, "configs", "designs", "finn-examples", "tfc-w1a1-pynq-z1.yaml")
    code, text = run(streaming, "-o", out)
    check(code == 1 and "not a compute-engine design (template: engine)" in text, f"a streaming design refused: {text}")
    code, text = run(os.path.join(out, "missing.yaml"), "-o", out)
    check(code == 1 and "no design file" in text, f"a missing design refused: {text}")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
