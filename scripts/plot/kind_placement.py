"""`vine plot placement DATAFLOW.json`: where `vine dataflow` put the weights.

From `vine dataflow DESIGN --json F` (or DIR/dataflow.json with -o DIR). Top:
the front of the placement, the fewest weight bytes read from DDR per frame
against the design's BRAM18, a step at every budget where the optimum
changes; the budget, the chosen placement and the design as given marked.
Bottom: each front point's fps from the estimate, which is not monotonic
(a DDR channel's cycles add up over the layers streaming on it).
"""

import json

from figure import PlotError, is_count, read_json

SUMMARY = "the weight placement's front, DDR bytes per frame and fps against BRAM18, " \
          "from `vine dataflow DESIGN --json F`"
INPUT = "the JSON that `vine dataflow DESIGN --json F` writes (or DIR/dataflow.json with -o DIR)"


def add_arguments(p):
    pass


def _point(p, where, path):
    if not isinstance(p, dict):
        raise PlotError("%s: %s: expected an object" % (path, where))
    for key in ("bram18", "ddr_bytes_per_frame", "fps", "layers_in_ddr"):
        if not is_count(p.get(key)):
            raise PlotError("%s: %s.%s: got %s, expected a number >= 0" % (path, where, key, json.dumps(p.get(key))))
    return p


class Placement:
    def __init__(self, path, j, front, chosen, given):
        self.path = path
        self.design = str(j.get("design", "?"))
        self.device = str(j.get("device", "?"))
        self.budget = j["budget_bram18"]
        self.front = front
        self.chosen = chosen
        self.given = given


def load(args):
    path = args.input
    j = read_json(path)
    if not isinstance(j, dict) or not isinstance(j.get("front"), list) or not j["front"]:
        raise PlotError("%s: expected the JSON of `vine dataflow --json`, with a non-empty front" % path)
    if not is_count(j.get("budget_bram18")):
        raise PlotError("%s: budget_bram18: got %s, expected a number >= 0" % (path, json.dumps(j.get("budget_bram18"))))
    front = [_point(p, "front[%d]" % i, path) for i, p in enumerate(j["front"])]
    return Placement(path, j, front, _point(j.get("chosen"), "chosen", path), _point(j.get("given"), "given", path))


def describe(s):
    return "%s: %s on %s, %d front points, budget %d BRAM18" % (s.path, s.design, s.device, len(s.front), s.budget)


def default_size(args, s):
    return 1100, 800


def draw(fig, args, s):
    fig.set_layout_engine("constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 2], sharex=True)
    x = [p["bram18"] for p in s.front]
    mb = [p["ddr_bytes_per_frame"] / 1e6 for p in s.front]
    # The optimum holds from a point's BRAM18 until the next point's.
    top.step(x, mb, where="post", color="#4c72b0", label="front: fewest DDR bytes per frame (%d points)" % len(s.front))
    top.scatter(x, mb, s=10, color="#4c72b0")
    top.axvline(s.budget, color="#c44e52", linestyle=":", label="budget %d BRAM18" % s.budget)
    for p, label, marker, colour in ((s.chosen, "chosen", "*", "#dd5500"), (s.given, "the design as given", "D", "#2ca02c")):
        top.scatter([p["bram18"]], [p["ddr_bytes_per_frame"] / 1e6], marker=marker, s=120, color=colour, zorder=4,
                    label="%s: %d BRAM18, %.3f MB/frame, %d layers in DDR" % (
                        label, p["bram18"], p["ddr_bytes_per_frame"] / 1e6, p["layers_in_ddr"]))
    top.set_ylabel("weights read from DDR, MB per frame")
    top.set_title("%s on %s: weights on chip or in DDR" % (s.design, s.device), fontsize=10, loc="left")
    top.legend(fontsize=8, loc="upper right")

    bottom.step(x, [p["fps"] for p in s.front], where="post", color="#55a868", label="front points' fps (estimate)")
    bottom.scatter(x, [p["fps"] for p in s.front], s=10, color="#55a868")
    bottom.axvline(s.budget, color="#c44e52", linestyle=":")
    bottom.scatter([s.chosen["bram18"]], [s.chosen["fps"]], marker="*", s=120, color="#dd5500", zorder=4,
                   label="chosen: %.1f fps" % s.chosen["fps"])
    bottom.set_yscale("log")
    bottom.set_xlabel("BRAM18 of the whole design (layers + FIFOs)")
    bottom.set_ylabel("frames/s")
    bottom.legend(fontsize=8, loc="lower right")
