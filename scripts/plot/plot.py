#!/usr/bin/python3
"""`vine plot KIND INPUT -o OUTPUT`: figures of Vine's traces and reports.

`vine plot` runs this script with Debian's /usr/bin/python3 (sim/cli/cmd_plot.cpp);
it can also be run directly. Errors are reported in one line and exit 1;
anything else that goes wrong is an internal error, exit 2 (README.md's codes).

The plot kinds are a registry, KINDS below: one entry per kind, naming the
module that draws it. A kind's module provides

    SUMMARY        one line for `vine plot --help`
    INPUT          what its INPUT file is, for its --help
    add_arguments(parser)      its own options (the common ones are added here)
    default_size(args, data) -> (width_px, height_px)
    load(args) -> data         reads and checks INPUT; raises PlotError
    describe(data) -> str      one line on what was read, for -v
    draw(fig, args, data)      draws on a matplotlib Figure of the chosen size

and this script does the rest: the command line, -o's format (.png or .svg),
--size and --dpi, and the write. A new kind (a DSE Pareto front, a bandwidth
sweep) is a new kind_*.py and one line here, once a command writes its data.
"""

import argparse
import importlib
import os
import sys
import traceback

sys.dont_write_bytecode = True  # nothing written into the source tree
from figure import DEFAULT_DPI, PlotError, new_figure, output_format, parse_size, save  # noqa: E402

# name -> module. Kept in the order `vine plot --help` lists them.
KINDS = {
    "timeline": "kind_timeline",  # stage states and FIFO occupancy over cycles, from `vine run --vcd`
    "layers": "kind_layers",      # cycles and resources per layer against the device, from --json
    "front": "kind_front",        # the DSE's foldings and Pareto front, from `vine dse --json`
    "placement": "kind_placement",  # the weight placement's front and fps, from `vine dataflow --json`
}

PROG = "vine plot"


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with Vine's exit code 1 for a usage error instead of 2."""

    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("%s: %s\n" % (self.prog, message))
        sys.exit(1)


def load_kind(name):
    return importlib.import_module(KINDS[name])


def import_matplotlib():
    try:
        import matplotlib
    except ImportError as e:
        raise PlotError("matplotlib is not installed for %s (%s): install Debian's python3-matplotlib "
                        "(scripts/setup does)" % (sys.executable, e))
    matplotlib.use("Agg")  # files only, no display


def usage(out):
    out.write("usage: vine plot KIND INPUT -o OUTPUT.{png,svg} [options]   (vine plot KIND --help for its options)\n\n"
              "kinds:\n")
    for name in KINDS:
        out.write("  %-10s %s\n" % (name, load_kind(name).SUMMARY))
    out.write("\nthe format follows OUTPUT's extension: .png (WIDTHxHEIGHT pixels) or .svg\n")


def kind_parser(name, kind):
    p = ArgumentParser(prog="%s %s" % (PROG, name), description=kind.SUMMARY)
    p.add_argument("input", metavar="INPUT", help=kind.INPUT)
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the figure to write: .png or .svg, by its extension")
    p.add_argument("--size", metavar="WxH", help="the figure's size in pixels (default: the kind's own)")
    p.add_argument("--dpi", type=int, default=DEFAULT_DPI,
                   help="pixels per inch: sets the text's size against the figure's (default %d)" % DEFAULT_DPI)
    kind.add_arguments(p)
    log = p.add_argument_group("logging to stderr (also accepted before the command)")
    log.add_argument("-v", "--verbose", action="store_true", help="also say what was read")
    log.add_argument("-q", "--quiet", action="store_true", help="say nothing but errors")
    return p


def run(argv):
    if not argv:
        usage(sys.stderr)
        return 1
    if argv[0] in ("-h", "--help", "help"):
        usage(sys.stdout)
        return 0
    name = argv[0]
    if name not in KINDS:
        raise PlotError("unknown plot kind '%s': expected one of %s" % (name, ", ".join(KINDS)))
    if not any(a in ("-h", "--help") for a in argv[1:]):
        import_matplotlib()  # before the kind's module, which may need it (or numpy, which it brings)
    kind = load_kind(name)
    args = kind_parser(name, kind).parse_args(argv[1:])
    if args.verbose and args.quiet:
        raise PlotError("-v/--verbose and -q/--quiet: give one of them")
    if not 10 <= args.dpi <= 1000:
        raise PlotError("--dpi: got %d, expected an integer in [10, 1000]" % args.dpi)
    output_format(args.output)  # a bad -o is reported before any work
    size = parse_size(args.size) if args.size is not None else None
    data = kind.load(args)
    if args.verbose:
        sys.stderr.write("vine plot %s: read %s\n" % (name, kind.describe(data)))
    width, height = size or kind.default_size(args, data)
    fig = new_figure(width, height, args.dpi)
    kind.draw(fig, args, data)
    save(fig, args.output, args.dpi)
    if not args.quiet:
        sys.stderr.write("vine plot %s: wrote %s (%dx%d px)\n" % (name, args.output, width, height))
    return 0


def main():
    try:
        return run(sys.argv[1:])
    except PlotError as e:
        sys.stderr.write("vine plot: %s\n" % e)
        return 1
    except KeyboardInterrupt:
        return 1
    except Exception:
        sys.stderr.write("vine plot: internal error:\n" + traceback.format_exc())
        return 2


if __name__ == "__main__":
    sys.exit(main())
