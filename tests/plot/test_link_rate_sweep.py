#!/usr/bin/python3
"""scripts/link-rate-sweep through the real binary: the closed form of a
split design against its link's rate (the link's cycles scale as 1 / rate,
the interval is the larger of the interval without links and the link's), a
simulated point, the PNG and SVG, and bad inputs as clear errors with exit
code 1.

usage: test_link_rate_sweep.py VINE SOURCE_DIR
matplotlib must be installed (scripts/setup installs python3-matplotlib):
without it this test fails, it is never skipped.
"""

import csv
import os
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

VINE, SOURCE = sys.argv[1:3]
SCRIPT = os.path.join(SOURCE, "scripts", "link-rate-sweep")
EXAMPLES = os.path.join(SOURCE, "examples", "multi-fpga")
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)


def sweep(*args):
    p = subprocess.run(["/usr/bin/python3", SCRIPT, "--vine", VINE, *args], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def rows(out_dir):
    with open(os.path.join(out_dir, "sweep.csv")) as f:
        return list(csv.DictReader(f))


def check_images(out_dir):
    png = os.path.join(out_dir, "fps-vs-line-rate.png")
    svg = os.path.join(out_dir, "fps-vs-line-rate.svg")
    with open(png, "rb") as f:
        head = f.read(24)
    check(head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", "the PNG is a PNG")
    if head[12:16] == b"IHDR":
        w, h = struct.unpack(">II", head[16:24])
        check(w > 300 and h > 200, f"the PNG has a plot's size, got {w} x {h}")
    try:
        root = ET.parse(svg).getroot()
        check(root.tag == "{http://www.w3.org/2000/svg}svg", "the SVG's root is <svg>")
    except ET.ParseError as e:
        check(False, f"the SVG parses: {e}")


with tempfile.TemporaryDirectory() as tmp:
    # The closed form of the CNV split: a link limits below its knee.
    out = os.path.join(tmp, "cnv")
    code, text = sweep(os.path.join(EXAMPLES, "cnv-w1a1-pynq-z1-x2-slow.yaml"), "--rates", "0.5,1,6.25", "-o", out)
    check(code == 0, f"the CNV sweep runs: {text}")
    if code == 0:
        r = rows(out)
        check(len(r) == 3, f"one row per rate, got {len(r)}")
        by_rate = {float(x["line_rate_gbps"]): x for x in r}
        for rate, x in by_rate.items():
            link, est, one = (int(x["link_cycles_per_frame"]), int(x["estimate_interval_cycles"]),
                              int(x["no_link_interval_cycles"]))
            check(est == max(link, one), f"at {rate} Gb/s the interval {est} is max(link {link}, without links {one})")
            check((x["link_bound"] == "True") == (link >= est), f"at {rate} Gb/s link_bound says {x['link_bound']}")
        slow, fast = int(by_rate[0.5]["link_cycles_per_frame"]), int(by_rate[6.25]["link_cycles_per_frame"])
        # Saturated cycles scale as 1 / rate; each is rounded up to whole cycles.
        check(abs(slow / fast - 12.5) < 12.5 / fast + 1e-9, f"link cycles at 0.5 and 6.25 Gb/s: {slow}, {fast}")
        check(by_rate[0.5]["link_bound"] == "True" and by_rate[6.25]["link_bound"] == "False",
              "the CNV split is link-bound at 0.5 Gb/s and not at 6.25")
        check("the link limits below" in text, f"the knee is printed: {text}")
        check_images(out)

    # A simulated point: the TFC split behind a fast link meets its estimate.
    out = os.path.join(tmp, "tfc")
    code, text = sweep(os.path.join(EXAMPLES, "tfc-w1a1-pynq-z1-x2.yaml"), "--rates", "6.25", "--lanes", "1,2",
                       "--simulate", "4", "-o", out)
    check(code == 0, f"the TFC sweep runs: {text}")
    if code == 0:
        r = rows(out)
        check([x["lanes"] for x in r] == ["1", "2"], f"one row per lane count, got {[x['lanes'] for x in r]}")
        for x in r:
            check(x["simulated_interval_cycles"] != "" and
                  float(x["simulated_interval_cycles"]) == float(x["estimate_interval_cycles"]),
                  f"{x['lanes']} lanes: simulated {x['simulated_interval_cycles']} = estimate {x['estimate_interval_cycles']}")
        check_images(out)

    # Errors: exit code 1 and a message naming what is wrong.
    code, text = sweep(os.path.join(SOURCE, "configs", "designs", "finn-examples", "tfc-w1a1-pynq-z1.yaml"),
                       "-o", os.path.join(tmp, "e1"))
    check(code == 1 and "no 'cluster:' line" in text and "tfc-w1a1-pynq-z1.yaml" in text,
          f"a design without placement: {code} {text}")
    code, text = sweep(os.path.join(EXAMPLES, "tfc-w1a1-pynq-z1-x2.yaml"), "--rates", "1,x", "-o", os.path.join(tmp, "e2"))
    check(code == 1 and "--rates takes numbers" in text and "'1,x'" in text, f"a bad --rates: {code} {text}")
    code, text = sweep(os.path.join(EXAMPLES, "tfc-w1a1-pynq-z1-x2.yaml"), "--rates", "0.1", "-o", os.path.join(tmp, "e3"))
    check(code == 1 and "line_rate_gbps" in text, f"a rate the cluster refuses: {code} {text}")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
