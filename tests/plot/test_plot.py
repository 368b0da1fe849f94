#!/usr/bin/python3
"""`vine plot` through the real binary: every plot kind renders to PNG and SVG
at the asked size, the options narrow what is drawn, and bad inputs are clear
errors with exit code 1.

usage: test_plot.py VINE DESIGN PLOT_DIR CASE
CASE: timeline, layers, front, placement, timescale, errors or binning. matplotlib must be
installed (scripts/setup installs python3-matplotlib): without it this test
fails, it is never skipped.
"""

import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

VINE, DESIGN, PLOT_DIR, CASE = sys.argv[1:5]
SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(PLOT_DIR)))  # PLOT_DIR is <source>/scripts/plot
DPI = 100  # scripts/plot/figure.py's DEFAULT_DPI
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)


def vine(*args, env=None):
    p = subprocess.run([VINE, *args], capture_output=True, text=True,
                       env=None if env is None else {**os.environ, **env})
    return p.returncode, p.stdout + p.stderr


def png_size(path):
    """IHDR's width and height, after checking the signature and the chunk's name."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def svg_root(path):
    """The parsed SVG's root element (None if it is not XML with an <svg> root)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return None
    return root if root.tag == "{http://www.w3.org/2000/svg}svg" else None


def svg_text(path):
    """The texts drawn: matplotlib draws glyphs as paths with each text in a comment."""
    if not os.path.exists(path):
        return []  # the failed render is already reported
    with open(path, encoding="utf-8") as f:
        return re.findall(r"<!-- (.*?) -->", f.read())


def render(kind, inp, out, *opts, size=None):
    """Runs `vine plot` and checks the file is a valid image of `size` (W, H) pixels."""
    code, text = vine("plot", kind, inp, "-o", out, *opts)
    check(code == 0, "vine plot %s %s -o %s %s: exit %d\n%s" % (kind, inp, out, " ".join(opts), code, text))
    if code != 0:
        return
    if out.endswith(".png"):
        got = png_size(out)
        check(got == size, "%s: PNG size %s, expected %s" % (out, got, size))
    else:
        root = svg_root(out)
        check(root is not None, "%s: not an SVG document" % out)
        if root is not None:
            want = ("%gpt" % (size[0] * 72 / DPI), "%gpt" % (size[1] * 72 / DPI))
            got = (root.get("width"), root.get("height"))
            check(got == want, "%s: SVG width/height %s, expected %s" % (out, got, want))


def expect_error(args, message, env=None):
    code, text = vine("plot", *args, env=env)
    check(code == 1, "vine plot %s: exit %d, expected 1\n%s" % (" ".join(args), code, text))
    check(message in text, "vine plot %s: expected '%s' in:\n%s" % (" ".join(args), message, text))


def run_design(tmp):
    vcd, run_json, est_json = (os.path.join(tmp, n) for n in ("run.vcd", "run.json", "estimate.json"))
    code, text = vine("-q", "run", DESIGN, "--frames", "3", "--vcd", vcd, "--json", run_json)
    assert code == 0, text
    code, text = vine("-q", "estimate", DESIGN, "--json", est_json)
    assert code == 0, text
    return vcd, run_json, est_json


def vcd_vars(path):
    """(scope, name, kind) of every $var, read here independently of the plot script."""
    out, scope = [], []
    with open(path) as f:
        for line in f:
            t = line.split()
            if t[:1] == ["$scope"]:
                scope.append(t[2])
            elif t[:1] == ["$upscope"]:
                scope.pop()
            elif t[:1] == ["$var"]:
                out.append((scope[-1], t[4], t[1]))
            elif t[:1] == ["$enddefinitions"]:
                break
    return out


def case_timeline(tmp):
    vcd, _, _ = run_design(tmp)
    variables = vcd_vars(vcd)
    stages = [n for _, n, k in variables if k == "wire"]
    # Default size: 1600 wide, 150 px of margins and 26 per row, a row per $var.
    for ext in ("png", "svg"):
        out = os.path.join(tmp, "timeline." + ext)
        render("timeline", vcd, out, size=(1600, 150 + 26 * len(variables)))
    labels = svg_text(os.path.join(tmp, "timeline.svg"))
    for s in stages:
        check(s in labels, "timeline.svg: no row for the stage %s (labels: %s)" % (s, labels))
    # A chosen size, a window and a layer: only fc1's stages and their input FIFOs.
    fc1 = [(n, k) for sc, n, k in variables if sc == "fc1"]
    check(len(fc1) >= 2, "the trace has no layer fc1 with a stage and a FIFO: %s" % variables)
    for ext in ("png", "svg"):
        out = os.path.join(tmp, "fc1." + ext)
        render("timeline", vcd, out, "--stages", "fc1", "--from", "40", "--to", "140",
               size=(1600, 150 + 26 * len(fc1)))
        render("timeline", vcd, os.path.join(tmp, "sized." + ext), "--size", "900x333", "--stages", "fc1.mvau,fc3*",
               size=(900, 333))
    labels = svg_text(os.path.join(tmp, "fc1.svg"))
    check(any("cycles 40 to 139" in t for t in labels), "fc1.svg: no title for the window 40..139: %s" % labels)
    for n, k in fc1:
        check(any(t.startswith(n) for t in labels), "fc1.svg: no row %s" % n)
    check(not any(t.startswith("fc3_mvau") or t == "input_dma" for t in labels),
          "fc1.svg: rows of other layers: %s" % labels)
    # A window longer than the plot is wide: columns of several cycles.
    code, text = vine("run", DESIGN, "--frames", "40", "--vcd", os.path.join(tmp, "long.vcd"))
    check(code == 0, text)
    render("timeline", os.path.join(tmp, "long.vcd"), os.path.join(tmp, "long.svg"), "--size", "600x500",
           size=(600, 500))
    labels = svg_text(os.path.join(tmp, "long.svg"))
    check(any("cycles per pixel column" in t for t in labels), "long.svg: not binned: %s" % labels)


def case_layers(tmp):
    _, run_json, est_json = run_design(tmp)
    for ext in ("png", "svg"):
        render("layers", est_json, os.path.join(tmp, "estimate." + ext), size=(1000, 900))
        render("layers", run_json, os.path.join(tmp, "run." + ext), "--size", "1280x720", size=(1280, 720))
    est = svg_text(os.path.join(tmp, "estimate.svg"))
    # TFC-W1A1's estimate: fc0 is the bottleneck at 64 cycles (vine estimate's table says so).
    check(any("bottleneck fc0, interval 64 cycles" in t for t in est), "estimate.svg: bottleneck: %s" % est)
    for r in ("LUT", "FF", "BRAM18", "DSP"):
        check(r in est, "estimate.svg: no %s bar: %s" % (r, est))
    check("URAM" not in est, "estimate.svg: a URAM bar for a device without URAM")
    run = svg_text(os.path.join(tmp, "run.svg"))
    # Two frames of TFC reach no steady state (vine run's report says so);
    # three do, and six.
    code, text = vine("-q", "run", DESIGN, "--frames", "2", "--json", run_json)
    check(code == 0, text)
    render("layers", run_json, os.path.join(tmp, "run2.svg"), size=(1000, 900))
    run2 = svg_text(os.path.join(tmp, "run2.svg"))
    check(any("no steady state in 2 frames" in t for t in run2), "run2.svg: title: %s" % run2)
    check(any("bottleneck fc0, steady interval 99 cycles" in t for t in run), "run.svg: title: %s" % run)
    code, text = vine("-q", "run", DESIGN, "--frames", "6", "--json", run_json)
    check(code == 0, text)
    render("layers", run_json, os.path.join(tmp, "run6.svg"), size=(1000, 900))
    run6 = svg_text(os.path.join(tmp, "run6.svg"))
    check(any("bottleneck fc0, steady interval 99 cycles" in t for t in run6), "run6.svg: title: %s" % run6)
    check("estimate" in run and "busy (simulated)" in run, "run.svg: legend: %s" % run)


def case_front(tmp):
    """`vine dse --json`'s space: PNG and SVG at the asked size, the front and both baselines drawn."""
    dse_json = os.path.join(tmp, "dse.json")
    code, text = vine("-q", "dse", DESIGN, "--verify", "0", "--json", dse_json)
    check(code == 0, "vine dse: " + text)
    for ext in ("png", "svg"):
        render("front", dse_json, os.path.join(tmp, "front." + ext), size=(1100, 900))
    render("front", dse_json, os.path.join(tmp, "small.png"), "--size", "640x480", size=(640, 480))
    texts = svg_text(os.path.join(tmp, "front.svg"))
    with open(dse_json) as f:
        j = json.load(f)
    front = sum(p["pareto"] for p in j["points"])
    check(any("Pareto front (%d points)" % front in t for t in texts), "front.svg: legend: %s" % texts)
    check(any("SetFolding" in t for t in texts), "front.svg: no SetFolding marker: %s" % texts)
    check(any("%d foldings explored" % len(j["points"]) in t for t in texts), "front.svg: title: %s" % texts)
    check(not any("accuracy proxy" in t for t in texts), "front.svg: a proxy panel without a proxy: %s" % texts)
    expect_error(["front", os.path.join(tmp, "front.svg"), "-o", os.path.join(tmp, "x.png")], "not JSON")
    # With the weights' arithmetic and placement explored: the proxy's panel.
    space_json = os.path.join(tmp, "space.json")
    code, text = vine("-q", "dse", os.path.join(SOURCE, "tests", "sim", "data", "residual-bram-poor.yaml"),
                      "--arith", "fixed,binary", "--widths", "2", "--placement", "--verify", "0", "--json", space_json)
    check(code == 0, "vine dse --arith: " + text)
    render("front", space_json, os.path.join(tmp, "space.svg"), size=(1100, 1200))
    texts = svg_text(os.path.join(tmp, "space.svg"))
    check(any("accuracy proxy" in t for t in texts), "space.svg: no proxy panel: %s" % texts)
    check(any("some weights in DDR" in t for t in texts), "space.svg: no DDR points: %s" % texts)


def case_placement(tmp):
    """`vine dataflow --json`'s front: PNG and SVG at the asked size, the front, budget and chosen point drawn."""
    df_json = os.path.join(tmp, "dataflow.json")
    code, text = vine("-q", "dataflow", DESIGN, "--bram-budget", "10", "--json", df_json)
    check(code == 0, "vine dataflow: " + text)
    for ext in ("png", "svg"):
        render("placement", df_json, os.path.join(tmp, "placement." + ext), size=(1100, 800))
    render("placement", df_json, os.path.join(tmp, "small.png"), "--size", "640x480", size=(640, 480))
    texts = svg_text(os.path.join(tmp, "placement.svg"))
    with open(df_json) as f:
        j = json.load(f)
    check(any("fewest DDR bytes per frame (%d points)" % len(j["front"]) in t for t in texts),
          "placement.svg: legend: %s" % texts)
    check(any("budget 10 BRAM18" in t for t in texts), "placement.svg: no budget: %s" % texts)
    check(any("chosen: %d BRAM18" % j["chosen"]["bram18"] in t for t in texts), "placement.svg: no chosen point: %s" % texts)
    # Another command's JSON is not a placement.
    est_json = os.path.join(tmp, "estimate.json")
    code, text = vine("-q", "estimate", DESIGN, "--json", est_json)
    check(code == 0, "vine estimate: " + text)
    expect_error(["placement", est_json, "-o", os.path.join(tmp, "x.png")], "expected the JSON of `vine dataflow --json`")


def case_timescale(tmp):
    """The same trace in other time units reads as the same cycles."""
    vcd, _, _ = run_design(tmp)
    with open(vcd) as f:
        text = f.read()
    head, body = text.split("$enddefinitions $end\n")
    variants = {
        # a unit of one cycle at 100 MHz, spelt with a space, over three lines
        "period.vcd": (re.sub(r"\$timescale [^$]*\$end", "$timescale\n  10 ns\n$end", head), body, ["--clock-mhz", "100"]),
        # times in picoseconds: 10000 per cycle at 100 MHz; a $comment among the changes
        "ps.vcd": (re.sub(r"\$timescale [^$]*\$end", "$timescale 1ps $end", head),
                   re.sub(r"(?m)^#(\d+)$", lambda m: "#%d" % (int(m.group(1)) * 10000), body)
                   .replace("$end\n", "$end\n$comment not a time: #999999999 $end\n", 1), ["--clock-mhz", "100"]),
    }
    titles = {}
    for name, (h, b, opts) in [("cycles.vcd", (head, body, []))] + list(variants.items()):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(h + "$enddefinitions $end\n" + b)
        out = os.path.join(tmp, name + ".svg")
        render("timeline", path, out, "--size", "800x600", *opts, size=(800, 600))
        titles[name] = [t for t in svg_text(out) if t.startswith(name + ": cycles")]
    end = max(int(m) for m in re.findall(r"(?m)^#(\d+)$", body))
    for name, t in titles.items():
        check(len(t) == 1 and ("cycles 0 to %d" % end) in t[0], "%s: title %s, expected cycles 0 to %d" % (name, t, end))


def case_errors(tmp):
    vcd, _, est_json = run_design(tmp)
    png = os.path.join(tmp, "out.png")
    missing = os.path.join(tmp, "missing.vcd")
    expect_error(["timeline", missing, "-o", png], missing + ": cannot read")
    expect_error(["layers", os.path.join(tmp, "missing.json"), "-o", png], "missing.json: cannot read")
    not_vcd = os.path.join(tmp, "not.vcd")
    with open(not_vcd, "w") as f:
        f.write("hello\n")
    expect_error(["timeline", not_vcd, "-o", png], not_vcd + ":1: got 'hello' in the header")
    bad_scale = os.path.join(tmp, "scale.vcd")
    with open(vcd) as f, open(bad_scale, "w") as g:
        g.write(re.sub(r"\$timescale [^$]*\$end", "$timescale 3ns $end", f.read()))
    expect_error(["timeline", bad_scale, "-o", png], "$timescale: got '3ns', expected 1, 10 or 100")
    expect_error(["layers", vcd, "-o", png], vcd + ": not JSON")
    expect_error(["layers", est_json.replace("estimate.json", "run.vcd"), "-o", png], "not JSON")
    no_layers = os.path.join(tmp, "nolayers.json")
    with open(no_layers, "w") as f:
        f.write('{"design": "x"}')
    expect_error(["layers", no_layers, "-o", png], no_layers + ": layers: missing, expected a non-empty list")
    expect_error(["histogram", vcd, "-o", png], "unknown plot kind 'histogram': expected one of timeline, layers")
    expect_error(["timeline", vcd, "-o", os.path.join(tmp, "out.pdf")], "expected a file name ending in .png or .svg")
    expect_error(["timeline", vcd, "-o", os.path.join(tmp, "nowhere", "out.png")], "does not exist")
    expect_error(["timeline", vcd, "-o", png, "--stages", "conv9"], "--stages: 'conv9' matches no stage or layer")
    expect_error(["timeline", vcd, "-o", png, "--from", "50", "--to", "50"], "the window is empty")
    expect_error(["timeline", vcd, "-o", png, "--size", "12"], "--size: got '12', expected WIDTHxHEIGHT")
    expect_error(["timeline", vcd, "-o", png, "--bogus"], "unrecognized arguments: --bogus")
    expect_error(["timeline", vcd], "the following arguments are required: -o/--output")
    check(not os.path.exists(png), "a failed plot left %s" % png)
    # matplotlib missing: a Python that does not see Debian's packages (-S: no site directories).
    no_mpl = os.path.join(tmp, "python-without-matplotlib")
    with open(no_mpl, "w") as f:
        f.write('#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n')
    os.chmod(no_mpl, 0o755)
    expect_error(["timeline", vcd, "-o", png], "matplotlib is not installed", env={"VINE_PLOT_PYTHON": no_mpl})
    expect_error(["timeline", vcd, "-o", png], "install Debian's python3-matplotlib", env={"VINE_PLOT_PYTHON": no_mpl})
    expect_error(["timeline", vcd, "-o", png], "Python interpreter /nonexistent/python3 is not there",
                 env={"VINE_PLOT_PYTHON": "/nonexistent/python3"})
    expect_error(["timeline", vcd, "-o", png], "plot.py does not exist", env={"VINE_PLOT_DIR": tmp})
    # An old file survives a failed plot.
    with open(png, "w") as f:
        f.write("old")
    vine("plot", "timeline", vcd, "-o", png, "--stages", "conv9")
    with open(png) as f:
        check(f.read() == "old", "a failed plot changed the file at -o")
    # -q before the command reaches the script: nothing said; -v says what was read.
    code, text = vine("-q", "plot", "timeline", vcd, "-o", png)
    check(code == 0 and text == "", "vine -q plot: exit %d, said: %s" % (code, text))
    code, text = vine("plot", "timeline", vcd, "-o", png, "-v")
    check(code == 0 and "stage rows" in text and "wrote " + png in text, "vine plot -v: exit %d, said: %s" % (code, text))
    code, text = vine("-v", "plot", "timeline", vcd, "-o", png, "-q")
    check(code == 1 and "give one of them" in text, "vine -v plot -q: exit %d, said: %s" % (code, text))
    code, text = vine("plot", "--help")
    check(code == 0 and "timeline" in text and "layers" in text, "vine plot --help: exit %d\n%s" % (code, text))


def case_binning(tmp):
    """The columns' state shares and FIFO ranges against values worked by hand."""
    sys.path.insert(0, PLOT_DIR)
    import numpy as np
    import kind_timeline as k
    # busy over [0, 2), stalled on input over [2, 5), busy from 5 on; columns [0, 4) and [4, 8).
    shares = k.state_shares(np.array([0.0, 2, 5]), np.array([1.0, 2, 1]), np.array([0.0, 4, 8]))
    check(np.allclose(shares[1], [0.5, 0.75]) and np.allclose(shares[2], [0.5, 0.25]), "state shares: %s" % shares)
    # 0 beats over [0, 3), 2 over [3, 6), 1 from 6 on.
    lo, mean, hi = k.value_range(np.array([0.0, 3, 6]), np.array([0.0, 2, 1]), np.array([0.0, 4, 8]))
    check(np.allclose(lo, [0, 1]) and np.allclose(hi, [2, 2]) and np.allclose(mean, [0.5, 1.5]),
          "FIFO range: lo %s mean %s hi %s" % (lo, mean, hi))
    # One column per cycle: the exact values.
    lo, mean, hi = k.value_range(np.array([0.0, 3, 6]), np.array([0.0, 2, 1]), np.arange(0.0, 9))
    check(np.array_equal(lo, hi) and np.array_equal(mean, [0, 0, 0, 2, 2, 2, 1, 1]), "per cycle: %s" % mean)


def main():
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        print("FAIL: /usr/bin/python3 cannot import matplotlib (%s): scripts/setup installs python3-matplotlib" % e)
        return 1
    cases = {"timeline": case_timeline, "layers": case_layers, "front": case_front, "placement": case_placement, "timescale": case_timescale,
             "errors": case_errors, "binning": case_binning}
    with tempfile.TemporaryDirectory(prefix="vine-plot-test-") as tmp:
        cases[CASE](tmp)
    print("plot.%s: %s" % (CASE, "ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
