"""The output file: its format from its extension, its size in pixels, and a
write that leaves any old file whole when it fails."""

import json
import math
import os
import re
import tempfile

# The formats a plot is written in, by the output file's extension.
FORMATS = {".png": "png", ".svg": "svg"}

# Pixels per inch. A PNG is exactly WIDTHxHEIGHT pixels; an SVG holds the same
# figure sized in points (72 per inch): WIDTH*72/DPI by HEIGHT*72/DPI pt.
DEFAULT_DPI = 100


class PlotError(Exception):
    """A problem with the command line or an input: reported as it is, exit code 1."""


def read_json(path):
    """The JSON document in an input file: PlotError when it cannot be read or is not JSON."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise PlotError("%s: cannot read: %s" % (path, e.strerror))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise PlotError("%s: not JSON: %s" % (path, e))


def is_count(v):
    """A JSON number that can be a cycle count or a resource: finite, >= 0, not a boolean."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0


def output_format(path):
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise PlotError("-o %s: expected a file name ending in %s (the format follows the extension)"
                        % (path, " or ".join(sorted(FORMATS))))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise PlotError("-o %s: the folder %s does not exist" % (path, folder))
    if os.path.isdir(path):
        raise PlotError("-o %s: is a folder, expected a file name" % path)
    return FORMATS[ext]


def parse_size(text):
    """'1600x900' -> (1600, 900)."""
    m = re.fullmatch(r"(\d+)[xX](\d+)", text or "")
    if not m or not (16 <= int(m.group(1)) <= 20000 and 16 <= int(m.group(2)) <= 20000):
        raise PlotError("--size: got '%s', expected WIDTHxHEIGHT in pixels, each in [16, 20000]" % text)
    return int(m.group(1)), int(m.group(2))


def new_figure(width_px, height_px, dpi=DEFAULT_DPI):
    # pyplot is not used: a Figure on the Agg canvas needs no display and no global state.
    from matplotlib.figure import Figure
    return Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)


def save(fig, path, dpi=DEFAULT_DPI):
    """Writes fig to path through a temporary file in the same folder, renamed
    over path only once it is whole."""
    fmt = output_format(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".vine-tmp-", suffix="." + fmt, dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as out:
            fig.savefig(out, format=fmt, dpi=dpi)
        os.replace(tmp, path)
    except OSError as e:
        os.unlink(tmp)
        raise PlotError("-o %s: cannot write: %s" % (path, e.strerror))
    except BaseException:
        os.unlink(tmp)
        raise
