"""`vine plot layers REPORT.json`: each layer's cycles, and its resources against the device.

From `vine estimate DESIGN --json F` (the analytic cycles per layer) or
`vine run DESIGN --json F` (the cycles of each layer's busiest stage over the
run, divided by the frames: busy, stalled on an empty input, stalled on a full
output; the estimate's cycles marked). Top: a bar per layer, the bottleneck
(the estimate's, or the layer of the run's first bottleneck stage) in its own colour.
Bottom: a bar per resource, the share of the device's total that each layer
and the FIFOs take, stacked, with the device's 100% marked.
"""

import json
import math
import os

from figure import PlotError, is_count, read_json

SUMMARY = "cycles per layer (bottleneck marked) and LUT/FF/BRAM/DSP per layer against the device, " \
          "from `vine estimate|run DESIGN --json REPORT`"
INPUT = "the JSON that `vine estimate DESIGN --json REPORT` or `vine run DESIGN --json REPORT` writes"

# The device's resources, in the order drawn, with their labels.
RESOURCES = [("lut", "LUT"), ("ff", "FF"), ("bram18", "BRAM18"), ("uram", "URAM"), ("dsp", "DSP")]
LAYER_COLOUR = "#4c72b0"
BOTTLENECK_COLOUR = "#dd5500"
SIM_COLOURS = [("cycles_busy", "busy", "#2ca02c"), ("cycles_stalled_input", "stalled: input empty", "#ffbf00"),
               ("cycles_stalled_output", "stalled: output full", "#d62728")]
FIFO_COLOUR = "#999999"


def add_arguments(p):
    pass


class Report:
    def __init__(self, path, source, design, device_name, device, layers, fifos, bottleneck, interval, frames):
        self.path = path
        self.source = source            # "estimate" or "run"
        self.design = design
        self.device_name = device_name
        self.device = device            # {resource: total}
        self.layers = layers            # [{name, cycles, resources, (run: per-frame busy/stalls)}]
        self.fifos = fifos              # {resource: total over every FIFO}
        self.bottleneck = bottleneck    # a layer's name
        self.interval = interval        # cycles per frame in steady state (None: a run that reached none)
        self.frames = frames            # run: frames simulated


def _field(obj, key, where, path, check, expected):
    if not isinstance(obj, dict) or key not in obj:
        raise PlotError("%s: %s%s: missing, expected %s" % (path, where, key, expected))
    v = obj[key]
    if not check(v):
        raise PlotError("%s: %s%s: got %s, expected %s" % (path, where, key, json.dumps(v)[:60], expected))
    return v


def _resources(obj, where, path):
    r = _field(obj, "resources", where, path, lambda v: isinstance(v, dict), "an object of resources")
    return {k: _field(r, k, where + "resources.", path, is_count, "a number >= 0") for k, _ in RESOURCES}


def load(args):
    path = args.input
    j = read_json(path)
    if not isinstance(j, dict):
        raise PlotError("%s: expected a JSON object from `vine estimate --json` or `vine run --json`" % path)
    layers_json = _field(j, "layers", "", path, lambda v: isinstance(v, list) and len(v) > 0, "a non-empty list")
    # A run's layers carry the estimate's cycles beside the simulated ones.
    source = "run" if isinstance(layers_json[0], dict) and "estimate_cycles" in layers_json[0] else "estimate"
    frames = _field(j, "frames", "", path, lambda v: isinstance(v, int) and v > 0, "an integer > 0") \
        if source == "run" else None
    layers = []
    for i, lj in enumerate(layers_json):
        where = "layers[%d]." % i
        layer = {
            "name": _field(lj, "name", where, path, lambda v: isinstance(v, str), "a name"),
            "cycles": _field(lj, "estimate_cycles" if source == "run" else "cycles", where, path, is_count,
                             "a number of cycles >= 0"),
            "resources": _resources(lj, where, path),
        }
        if source == "run":
            for key, _, _ in SIM_COLOURS:
                layer[key] = _field(lj, key, where, path, is_count, "a number of cycles >= 0") / frames
        layers.append(layer)
    device = _field(j, "device", "", path, lambda v: isinstance(v, dict), "the device's resources")
    device_totals = {k: _field(device, k, "device.", path, is_count, "a number >= 0") for k, _ in RESOURCES}
    # The FIFOs' resources: each FIFO's in an estimate; in a run, what the
    # total holds beyond the layers.
    fifos = {k: 0.0 for k, _ in RESOURCES}
    fifo_list = _field(j, "fifos", "", path, lambda v: isinstance(v, list), "a list")
    if source == "estimate":
        for i, fj in enumerate(fifo_list):
            for k, v in _resources(fj, "fifos[%d]." % i, path).items():
                fifos[k] += v
    else:
        total = _resources(j, "", path)
        for k in fifos:
            fifos[k] = max(0.0, total[k] - sum(l["resources"][k] for l in layers))
    names = [l["name"] for l in layers]
    if source == "estimate":
        bottleneck = _field(j, "bottleneck", "", path, lambda v: v in names, "one of the layers: " + ", ".join(names))
    else:
        # The bottleneck as the run reports it (the estimate's definition): the
        # layer of its first bottleneck stage ("fc0.mvau").
        stages = _field(j, "bottleneck_stages", "", path,
                        lambda v: isinstance(v, list) and len(v) > 0 and all(isinstance(x, str) for x in v),
                        "a non-empty list of stage names")
        bottleneck = stages[0].split(".")[0]
    if source == "estimate":
        interval = _field(j, "interval_cycles", "", path, is_count, "a number of cycles >= 0")
    else:
        # null when the run was too short to reach the steady state
        interval = _field(j, "steady_interval_cycles", "", path, lambda v: v is None or is_count(v),
                          "a number of cycles >= 0 or null")
    return Report(path, source, j.get("design", os.path.basename(path)), device.get("name", "the device"),
                  device_totals, layers, fifos, bottleneck, interval, frames)


def describe(r):
    return "%s: %s of %s on %s, %d layers, bottleneck %s" % (r.path, r.source, r.design, r.device_name,
                                                          len(r.layers), r.bottleneck)


def default_size(args, r):
    return max(1000, 160 + 70 * len(r.layers)), 900


def _draw_cycles(ax, r):
    x = range(len(r.layers))
    names = [l["name"] for l in r.layers]
    hot = [l["name"] == r.bottleneck for l in r.layers]
    if r.source == "estimate":
        cycles = [l["cycles"] for l in r.layers]
        ax.bar(x, cycles, color=[BOTTLENECK_COLOUR if h else LAYER_COLOUR for h in hot])
        for i, c in enumerate(cycles):
            ax.annotate("%d" % c, (i, c), ha="center", va="bottom", fontsize=7, xytext=(0, 2),
                        textcoords="offset points")
        ax.set_ylabel("cycles per frame (estimate)")
        ax.set_title("%s on %s: cycles per layer; bottleneck %s, interval %d cycles"
                     % (r.design, r.device_name, r.bottleneck, r.interval), fontsize=10, loc="left")
    else:
        bottom = [0.0] * len(r.layers)
        for key, label, colour in SIM_COLOURS:
            v = [l[key] for l in r.layers]
            ax.bar(x, v, bottom=bottom, color=colour, label=label + " (simulated)")
            bottom = [b + c for b, c in zip(bottom, v)]
        ax.scatter(x, [l["cycles"] for l in r.layers], marker="_", s=400, color="black", zorder=3,
                   label="estimate")
        ax.set_ylabel("cycles / frames (%d frames simulated)" % r.frames)
        ax.legend(fontsize=8, loc="upper right")
        steady = "steady interval %g cycles" % r.interval if r.interval is not None else \
            "no steady state in %d frames" % r.frames
        ax.set_title("%s on %s: each layer's busiest stage, cycles per frame over the run; bottleneck %s, %s"
                     % (r.design, r.device_name, r.bottleneck, steady), fontsize=10, loc="left")
    if r.interval is not None:
        ax.axhline(r.interval, color="black", linestyle=":", linewidth=1, label="interval")
    ax.set_xticks(list(x), names, rotation=45 if len(names) > 12 else 0, ha="right" if len(names) > 12 else "center",
                  fontsize=8)
    for tick, h in zip(ax.get_xticklabels(), hot):
        if h:
            tick.set_color(BOTTLENECK_COLOUR)
            tick.set_fontweight("bold")


def _draw_resources(ax, r):
    import matplotlib
    shown = [(k, label) for k, label in RESOURCES if r.device[k] > 0 or
             sum(l["resources"][k] for l in r.layers) + r.fifos[k] > 0]
    cmap = matplotlib.colormaps["tab20"]
    y = list(range(len(shown) - 1, -1, -1))
    left = [0.0] * len(shown)
    highest = 100.0

    def share(used, k):
        return 100.0 * used / r.device[k] if r.device[k] > 0 else (float("inf") if used > 0 else 0.0)

    parts = [(l["name"], l["resources"], cmap(i % 20)) for i, l in enumerate(r.layers)]
    parts.append(("FIFOs", r.fifos, FIFO_COLOUR))
    for name, res, colour in parts:
        widths = [min(share(res[k], k), 1e4) for k, _ in shown]
        ax.barh(y, widths, left=left, color=colour, label=name, edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, widths)]
    for yi, (k, _), total in zip(y, shown, left):
        used = sum(l["resources"][k] for l in r.layers) + r.fifos[k]
        text = "%.1f%%  (%.0f of %.0f)" % (total, used, r.device[k]) if r.device[k] > 0 else \
            "%.0f used, none on the device" % used
        ax.annotate(text, (total, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                    color="#b00000" if total > 100 else "black")
        highest = max(highest, total)
    ax.axvline(100, color="black", linewidth=1)
    ax.set_xlim(0, highest * 1.25)
    ax.set_yticks(y, [label for _, label in shown])
    ax.set_xlabel("share of %s's total (%%); the line is the device's 100%%" % r.device_name)
    ax.set_title("resources per layer against the device", fontsize=10, loc="left")
    ax.legend(fontsize=7, loc="lower right", ncol=max(1, math.ceil(len(parts) / 8)))


def draw(fig, args, r):
    fig.set_layout_engine("constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 2])
    _draw_cycles(top, r)
    _draw_resources(bottom, r)
