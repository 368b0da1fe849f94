"""`vine plot front DSE.json`: the design space `vine dse` explored.

From `vine dse DESIGN --json F` (or DIR/dse.json with -o DIR). Top: every
folding explored, interval (cycles per frame) against its cost (the sum of
the fractions of the device's LUT, FF, BRAM18, URAM and DSP it uses); the
Pareto front joined, the foldings that do not fit the device hollow, FINN's
SetFolding and the design's own folding marked. Bottom: each front point's
share of the device, per resource. With `vine dse --arith` or `--placement`
(points with an accuracy proxy or DDR traffic), a third panel: each front
point's accuracy proxy against its interval, the points with weights in DDR
marked apart.
"""

import json

from figure import PlotError, is_count, read_json

SUMMARY = "the DSE's foldings, interval against cost, the Pareto front, SetFolding and the design's own " \
          "folding marked, from `vine dse DESIGN --json F`"
INPUT = "the JSON that `vine dse DESIGN --json F` writes (or DIR/dse.json with -o DIR)"

RESOURCES = [("lut", "LUT", "#4c72b0"), ("ff", "FF", "#55a868"), ("bram18", "BRAM18", "#c44e52"),
             ("uram", "URAM", "#8172b2"), ("dsp", "DSP", "#ccb974")]


def add_arguments(p):
    pass


def _point(p, where, path):
    if not isinstance(p, dict):
        raise PlotError("%s: %s: expected an object" % (path, where))
    for key in ("interval_cycles", "cost"):
        if not is_count(p.get(key)):
            raise PlotError("%s: %s.%s: got %s, expected a number >= 0" % (path, where, key, json.dumps(p.get(key))))
    if not isinstance(p.get("fits"), bool) or not isinstance(p.get("pareto"), bool):
        raise PlotError("%s: %s: expected booleans fits and pareto" % (path, where))
    r = p.get("resources")
    if not isinstance(r, dict) or not all(is_count(r.get(k)) for k, _, _ in RESOURCES):
        raise PlotError("%s: %s.resources: expected lut, ff, bram18, uram, dsp, each a number >= 0" % (path, where))
    return p


class Space:
    def __init__(self, path, design, device, points, set_folding, given):
        self.path = path
        self.design = design
        self.device = device
        self.points = points
        self.set_folding = set_folding
        self.given = given


def load(args):
    path = args.input
    j = read_json(path)
    if not isinstance(j, dict) or not isinstance(j.get("points"), list) or not j["points"]:
        raise PlotError("%s: expected the JSON of `vine dse --json`, with a non-empty list of points" % path)
    points = [_point(p, "points[%d]" % i, path) for i, p in enumerate(j["points"])]
    return Space(path, str(j.get("design", "?")), str(j.get("device", "?")), points,
                 _point(j.get("set_folding"), "set_folding", path), _point(j.get("given"), "given", path))


def describe(s):
    return "%s: %d foldings of %s on %s, %d on the front" % (s.path, len(s.points), s.design, s.device,
                                                            sum(p["pareto"] for p in s.points))


def _has_space(s):
    """Whether the DSE explored more than the folding: some point has a proxy or DDR traffic."""
    return any(p.get("proxy", 0) > 0 or p.get("ddr_bytes_per_frame", 0) > 0 for p in s.points)


def default_size(args, s):
    return (1100, 1200) if _has_space(s) else (1100, 900)


def draw(fig, args, s):
    fig.set_layout_engine("constrained")
    if _has_space(s):
        top, bottom, third = fig.subplots(3, 1, height_ratios=[3, 2, 2])
    else:
        top, bottom = fig.subplots(2, 1, height_ratios=[3, 2])
        third = None
    fits = [p for p in s.points if p["fits"]]
    misfits = [p for p in s.points if not p["fits"]]
    front = sorted((p for p in s.points if p["pareto"]), key=lambda p: p["interval_cycles"])
    top.scatter([p["cost"] for p in fits], [p["interval_cycles"] for p in fits], s=14, color="#999999",
                label="explored, fits")
    if misfits:
        top.scatter([p["cost"] for p in misfits], [p["interval_cycles"] for p in misfits], s=14,
                    facecolors="none", edgecolors="#999999", label="explored, does not fit")
    top.plot([p["cost"] for p in front], [p["interval_cycles"] for p in front], "-o", color="#4c72b0", ms=4,
             label="Pareto front (%d points)" % len(front))
    for p, label, marker, colour in ((s.set_folding, "SetFolding", "X", "#dd5500"),
                                     (s.given, "the design's own folding", "D", "#2ca02c")):
        top.scatter([p["cost"]], [p["interval_cycles"]], marker=marker, s=90, color=colour, zorder=4,
                    label="%s%s" % (label, "" if p["fits"] else " (does not fit)"))
    top.set_yscale("log")
    top.set_xlabel("cost: sum of the fractions of the device's LUT, FF, BRAM18, URAM, DSP used")
    top.set_ylabel("interval, cycles per frame (estimate)")
    top.set_title("%s on %s: %d foldings explored" % (s.design, s.device, len(s.points)), fontsize=10, loc="left")
    top.legend(fontsize=8, loc="upper right")

    x = range(len(front))
    width = 0.8 / len(RESOURCES)
    for k, (key, label, colour) in enumerate(RESOURCES):
        bottom.bar([i + (k - 2) * width for i in x], [p["resources"][key] for p in front], width=width,
                   color=colour, label=label)
    bottom.set_yscale("symlog")
    bottom.set_xticks(list(x))
    bottom.set_xticklabels(["%d" % p["interval_cycles"] for p in front], rotation=60, fontsize=7)
    bottom.set_xlabel("front points, by interval (cycles per frame)")
    bottom.set_ylabel("resources used")
    bottom.legend(fontsize=8, ncol=5, loc="upper right")

    if third is None:
        return
    on_chip = [p for p in front if not p.get("ddr_bytes_per_frame", 0)]
    in_ddr = [p for p in front if p.get("ddr_bytes_per_frame", 0)]
    third.scatter([p["interval_cycles"] for p in on_chip], [p.get("proxy", 0) for p in on_chip], s=16,
                  color="#4c72b0", label="weights on chip")
    if in_ddr:
        third.scatter([p["interval_cycles"] for p in in_ddr], [p.get("proxy", 0) for p in in_ddr], s=22,
                      marker="s", facecolors="none", edgecolors="#c44e52", label="some weights in DDR")
    third.set_xscale("log")
    third.set_yscale("symlog", linthresh=1e-3)
    third.set_ylim(bottom=0)
    third.set_xlabel("interval, cycles per frame (estimate)")
    third.set_ylabel("accuracy proxy")
    third.set_title("front points: accuracy proxy (weight quantisation error, docs/dse.md)", fontsize=10,
                    loc="left")
    third.legend(fontsize=8, loc="upper right")
