"""`vine plot timeline TRACE.vcd`: a logic analyser's view of a run.

One row per stage with its state in each cycle (busy, stalled on an empty
input, stalled on a full output, idle), and above each stage a row per input
FIFO with the beats it holds, from the VCD `vine run DESIGN --vcd F` writes
(sim/trace/traces.cpp). Rows follow the trace's declaration order, which is
pipeline order, layer by layer.

When the window has more cycles than the plot has pixel columns, a column
covers several cycles: a stage row then stacks the share of those cycles in
each state, and a FIFO row shades the range its occupancy took and draws its
mean; in an SVG those waveforms are then embedded images at the figure's
resolution. With a column per cycle or fewer, both are the exact waveform,
and vectors in an SVG.
"""

import fnmatch
import math
import os
import re

import numpy as np

import vcd
from figure import PlotError

SUMMARY = "stage states and FIFO occupancy over cycles, from `vine run DESIGN --vcd TRACE`"
INPUT = "the VCD that `vine run DESIGN --vcd TRACE` writes"

# Vine's stage encoding (the VCD's $comment): the 2-bit state's value, its
# name, its colour. Drawn stacked from the bottom of a row in this order.
STATES = [
    (1, "busy", "#2ca02c"),
    (2, "stalled: input empty", "#ffbf00"),
    (3, "stalled: output full", "#d62728"),
    (0, "idle", "#d9d9d9"),
]
OTHER_STATE_COLOURS = ["#9467bd", "#8c564b", "#e377c2", "#17becf"]  # a trace with more states
FIFO_COLOUR = "#1f77b4"

DEFAULT_WIDTH = 1600
ROW_PX = 26        # a row's height in the default size
MARGIN_PX = 150    # title, legend and the cycle axis


def add_arguments(p):
    p.add_argument("--from", dest="first", type=int, metavar="CYCLE", default=0,
                   help="the first cycle shown (default 0)")
    p.add_argument("--to", dest="last", type=int, metavar="CYCLE",
                   help="the cycle the window ends before (default: one past the trace's last change)")
    p.add_argument("--stages", metavar="LIST",
                   help="comma-separated stage or layer names, wildcards allowed (fc1, 'conv*', fc1.mvau): "
                        "only those stages and their input FIFOs (default: every stage and FIFO)")
    p.add_argument("--clock-mhz", type=float, metavar="MHZ",
                   help="the clock, to turn the trace's $timescale into cycles; without it the clock "
                        "period that `vine run --vcd` states in its $comment, else one cycle per time unit")


def is_stage(var):
    """A stage's state is a narrow wire; a FIFO's occupancy is an integer."""
    return var.kind in ("wire", "reg", "logic") and var.width <= 2


def vcd_name(name):
    """A name as the VCD spells it (traces.cpp's vcd_name), keeping wildcards:
    fc1.mvau -> fc1_mvau, fc0->fc1 -> fc0__fc1."""
    return re.sub(r"[^A-Za-z0-9_*?\[\]]", "_", name)


class Row:
    def __init__(self, var, consumer):
        self.var = var
        self.stage = is_stage(var)
        self.consumer = consumer  # a FIFO's: the stage declared after it in its scope, else None


def rows_of(variables):
    """Every variable as a row; each FIFO is declared just before the stage that reads it."""
    rows = [Row(v, None) for v in variables]
    for i, r in enumerate(rows):
        if r.stage:
            continue
        for later in rows[i + 1:]:
            if later.var.scope != r.var.scope:
                break
            if later.stage:
                r.consumer = later.var
                break
    return rows


def choose_rows(rows, stages_arg, path):
    if not stages_arg:
        return rows
    patterns = [p.strip() for p in stages_arg.split(",") if p.strip()]
    if not patterns:
        raise PlotError("--stages: got '%s', expected comma-separated stage or layer names" % stages_arg)
    stage_rows = [r for r in rows if r.stage]
    chosen = set()
    for p in patterns:
        q = vcd_name(p)
        hits = [r.var for r in stage_rows
                if fnmatch.fnmatchcase(r.var.name, q) or (r.var.scope and fnmatch.fnmatchcase(r.var.scope[-1], q))]
        if not hits:
            raise PlotError("--stages: '%s' matches no stage or layer of %s; its stages: %s"
                            % (p, path, ", ".join(r.var.name for r in stage_rows)))
        chosen.update(id(v) for v in hits)
    return [r for r in rows if id(r.var if r.stage else r.consumer) in chosen]


class Timeline:
    def __init__(self, path, rows, first, last, cycles_per_unit, clock_mhz):
        self.path = path
        self.rows = rows
        self.first = first
        self.last = last
        self.cycles_per_unit = cycles_per_unit
        self.clock_mhz = clock_mhz


def load(args):
    if args.clock_mhz is not None and not (args.clock_mhz > 0 and math.isfinite(args.clock_mhz)):
        raise PlotError("--clock-mhz: got %g, expected a positive frequency in MHz" % args.clock_mhz)
    if args.first < 0:
        raise PlotError("--from: got %d, expected a cycle >= 0" % args.first)
    chosen = []

    def choose(variables):
        chosen.extend(choose_rows(rows_of(variables), args.stages, args.input))
        return [r.var for r in chosen]

    try:
        trace = vcd.read(args.input, choose)
    except vcd.VcdError as e:
        raise PlotError(str(e))
    if not any(r.stage for r in chosen):
        raise PlotError("%s: no stage states in the trace (a 1- or 2-bit wire per stage, as `vine run --vcd` writes)"
                        % args.input)
    # Cycles per time unit: the clock's cycles in one unit. The clock is
    # --clock-mhz, else the period `vine run --vcd` states in its $comment
    # ("Clock 10000 ps (100 MHz)"), else one cycle per unit.
    per_unit = 1.0
    if args.clock_mhz:
        per_unit = trace.timescale_seconds * args.clock_mhz * 1e6
    else:
        for c in trace.comments:
            m = re.search(r"\bClock ([0-9]+(?:\.[0-9]+)?) ps\b", c)
            if m and float(m.group(1)) > 0:
                per_unit = trace.timescale_seconds / (float(m.group(1)) * 1e-12)
                break
    end = int(math.floor(trace.end_time * per_unit + 1e-9)) + 1
    last = end if args.last is None else args.last
    if last <= args.first:
        raise PlotError("--from %d --to %d: the window is empty, expected --to > --from (the trace ends at cycle %d)"
                        % (args.first, last, end - 1))
    return Timeline(args.input, chosen, args.first, last, per_unit, args.clock_mhz)


def describe(t):
    stages = sum(1 for r in t.rows if r.stage)
    return "%s: %d stage rows, %d FIFO rows, cycles %d to %d, %g cycles per time unit" % (
        t.path, stages, len(t.rows) - stages, t.first, t.last - 1, t.cycles_per_unit)


def default_size(args, t):
    return DEFAULT_WIDTH, MARGIN_PX + ROW_PX * len(t.rows)


def _steps(var, per_unit):
    """A variable's changes as arrays: times in cycles, values (NaN for x/z)."""
    times = np.asarray(var.times, dtype=float) * per_unit
    # A clock period that is no whole number of time units puts cycle c at
    # round(c * period): back to whole cycles.
    snapped = np.rint(times)
    if times.size and np.all(np.abs(times - snapped) < 1e-3):
        times = snapped
    values = np.array([np.nan if v is None else v for v in var.values], dtype=float)
    if times.size == 0 or times[0] > 0:  # unknown until its first change
        times = np.concatenate(([0.0], times))
        values = np.concatenate(([np.nan], values))
    return times, values


def _integral(times, weights, x):
    """The integral from 0 to each x of the step function that is `weights` from each time on."""
    w = np.nan_to_num(weights)
    at_knots = np.concatenate(([0.0], np.cumsum(w[:-1] * np.diff(times))))
    k = np.searchsorted(times, x, side="right") - 1
    return at_knots[k] + w[k] * (x - times[k])


def state_shares(times, values, edges):
    """{state: the share of each column's cycles in that state}."""
    widths = np.diff(edges)
    shares = {}
    for s in np.unique(values[~np.isnan(values)]):
        shares[int(s)] = np.diff(_integral(times, (values == s).astype(float), edges)) / widths
    return shares


def value_range(times, values, edges):
    """Each column's lowest, mean and highest value."""
    mean = np.diff(_integral(times, values, edges)) / np.diff(edges)
    left = np.searchsorted(times, edges[:-1], side="right") - 1  # the change holding at the column's start
    right = np.searchsorted(times, edges[1:], side="left")       # the first change at or after its end
    idx = np.empty(2 * left.size, dtype=np.intp)
    idx[0::2], idx[1::2] = left, right
    padded = np.concatenate((values, values[-1:]))  # reduceat's indices may reach len(values)
    lo = np.fmin.reduceat(padded, idx)[0::2]
    hi = np.fmax.reduceat(padded, idx)[0::2]
    return lo, mean, hi


def _runs(edges, *columns):
    """The columns merged where they repeat: (edges, columns), each column
    extended by its last value for a step plot that ends at edges[-1]."""
    keep = np.ones(len(columns[0]), dtype=bool)
    for c in columns:
        keep[1:] &= c[1:] == c[:-1]
    keep = ~keep
    keep[0] = True
    x = np.append(edges[:-1][keep], edges[-1])
    return x, [np.append(c[keep], c[keep][-1]) for c in columns]


def _row_label(row, peak):
    if row.stage:
        return row.var.name
    return "%s  [0..%d]" % (row.var.name, peak)


def draw(fig, args, t):
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D

    fig.set_layout_engine("constrained")
    ax = fig.add_subplot()
    cycles = t.last - t.first
    columns = max(1, min(cycles, int(fig.get_figwidth() * fig.dpi)))
    edges = np.linspace(t.first, t.last, columns + 1)
    # Columns of several cycles draw waveforms with a vertex or more per pixel:
    # an SVG holds them as one image each (its text and axes stay vectors).
    dense = cycles > columns
    n = len(t.rows)
    labels = []
    other_states = {}
    seen = set()  # the states drawn, for the legend
    for i, row in enumerate(t.rows):
        y0 = n - 1 - i - 0.4  # the row's band: [y0, y0 + 0.8]
        times, values = _steps(row.var, t.cycles_per_unit)
        if row.stage:
            shares = state_shares(times, values, edges)
            seen.update(s for s, v in shares.items() if v.any())
            bottom = np.full(columns, y0)
            order = [s for s, _, _ in STATES] + sorted(set(shares) - {s for s, _, _ in STATES})
            for s in order:
                if s not in shares:
                    continue
                colour = next((c for v, _, c in STATES if v == s), None)
                if colour is None:
                    colour = other_states.setdefault(s, OTHER_STATE_COLOURS[len(other_states) % len(OTHER_STATE_COLOURS)])
                top = bottom + 0.8 * shares[s]
                x, (b, u) = _runs(edges, bottom, top)
                ax.fill_between(x, b, u, step="post", color=colour, linewidth=0, rasterized=dense)
                bottom = top
            labels.append(_row_label(row, 0))
        else:
            finite = values[~np.isnan(values)]
            peak = int(finite.max()) if finite.size else 0
            scale = 0.8 / max(peak, 1)
            lo, mean, hi = value_range(times, values, edges)
            x, (l, m, h) = _runs(edges, y0 + scale * lo, y0 + scale * mean, y0 + scale * hi)
            ax.fill_between(x, l, h, step="post", color=FIFO_COLOUR, alpha=0.3, linewidth=0, rasterized=dense)
            ax.stairs(m[:-1], x, baseline=None, color=FIFO_COLOUR, linewidth=1, rasterized=dense)
            ax.axhline(y0, color="#bbbbbb", linewidth=0.5)
            labels.append(_row_label(row, peak))
        # A line between layers.
        if i + 1 < n and t.rows[i + 1].var.scope != row.var.scope:
            ax.axhline(n - 1 - i - 0.5, color="#888888", linewidth=0.6)

    ax.set_yticks(range(n - 1, -1, -1), labels, fontsize=8)
    ax.set_ylim(-0.5, n - 0.5)
    ax.set_xlim(t.first, t.last)
    ax.set_xlabel("cycle")
    ax.tick_params(axis="y", length=0)

    title = "%s: cycles %d to %d" % (os.path.basename(t.path), t.first, t.last - 1)
    if t.clock_mhz:
        title += " at %g MHz (%.4g us)" % (t.clock_mhz, cycles / t.clock_mhz)
    per_column = cycles / columns
    if per_column > 1:
        title += "; %.3g cycles per pixel column: shares of states, FIFO range and mean" % per_column
    fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    handles = [Patch(color=c, label=name) for s, name, c in STATES if s in seen]
    handles += [Patch(color=c, label="state %d" % s) for s, c in sorted(other_states.items()) if s in seen]
    if not all(r.stage for r in t.rows):
        handles.append(Line2D([], [], color=FIFO_COLOUR, label="FIFO beats (row scaled to 0..peak)"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1), ncol=len(handles), fontsize=8,
              frameon=False, borderaxespad=0.2)
