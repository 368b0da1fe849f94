"""A reader of Value Change Dump files (IEEE 1364 section 18), as `vine run --vcd` writes them.

Only what the plots need: the time scale, the variables with their scopes
and declaration order, and each variable's changes as (time, value) pairs.
Times stay in the file's own units; `timescale_seconds` says how long one is.
"""

import math
import re

UNIT_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}


class VcdError(Exception):
    """A file that is not a VCD this reader understands: the message names the file and line."""


class Var:
    """One declared variable: `$var KIND WIDTH ID NAME $end` inside its scopes."""

    def __init__(self, kind, width, code, name, scope):
        self.kind = kind      # "wire", "integer", "reg", ...
        self.width = width
        self.code = code      # the identifier code its changes use
        self.name = name
        self.scope = scope    # the enclosing scopes, outermost first
        self.times = []       # times at which it changes, increasing
        self.values = []      # the value from that time on; None for x/z bits

    def __repr__(self):
        return "Var(%s %s)" % (".".join(self.scope), self.name)


class Vcd:
    def __init__(self, path, timescale_seconds, variables, end_time, comments):
        self.path = path
        self.timescale_seconds = timescale_seconds  # the length of one time unit
        self.variables = variables                  # in declaration order
        self.end_time = end_time                    # the last time stamp in the file
        self.comments = comments                    # the text of every $comment in the header


def parse_timescale(text, where):
    """'1ns', '10 ps', '100us' -> seconds per time unit."""
    m = re.fullmatch(r"\s*(1|10|100)\s*(s|ms|us|ns|ps|fs)\s*", text)
    if not m:
        raise VcdError("%s: $timescale: got '%s', expected 1, 10 or 100 followed by s, ms, us, ns, ps or fs"
                       % (where, text.strip()))
    return int(m.group(1)) * UNIT_SECONDS[m.group(2)]


def _header_tokens(lines):
    """Yields (line number, token) over the header, up to and including $enddefinitions."""
    for number, line in lines:
        for token in line.split():
            yield number, token


def read(path, choose=None):
    """Reads a VCD. `choose(variables) -> variables` picks, from every declared
    variable, those whose changes are kept (all when None): a big trace need not
    be held whole for a few rows."""
    try:
        f = open(path, "r", encoding="ascii", errors="replace")
    except OSError as e:
        raise VcdError("%s: cannot read: %s" % (path, e.strerror))
    with f:
        lines = enumerate(f, start=1)
        timescale = None
        variables = []
        by_code = {}
        comments = []
        scope = []
        tokens = _header_tokens(lines)
        number = 0
        ended = False

        def section(keyword):
            """The tokens of a $keyword ... $end section."""
            body = []
            for n, t in tokens:
                if t == "$end":
                    return body
                body.append(t)
            raise VcdError("%s:%d: %s is not closed by $end" % (path, number, keyword))

        for number, token in tokens:
            if token == "$timescale":
                timescale = parse_timescale("".join(section(token)), "%s:%d" % (path, number))
            elif token == "$scope":
                body = section(token)
                if len(body) != 2:
                    raise VcdError("%s:%d: $scope: expected a kind and a name, got '%s'" % (path, number, " ".join(body)))
                scope.append(body[1])
            elif token == "$upscope":
                section(token)
                if not scope:
                    raise VcdError("%s:%d: $upscope with no open $scope" % (path, number))
                scope.pop()
            elif token == "$var":
                body = section(token)
                if len(body) < 4 or not body[1].isdigit():
                    raise VcdError("%s:%d: $var: expected KIND WIDTH ID NAME, got '%s'" % (path, number, " ".join(body)))
                variables.append(Var(body[0], int(body[1]), body[2], body[3], tuple(scope)))
            elif token == "$comment":
                comments.append(" ".join(section(token)))
            elif token == "$enddefinitions":
                section(token)
                ended = True
                break
            elif token in ("$date", "$version"):
                section(token)
            else:
                raise VcdError("%s:%d: got '%s' in the header, expected a $keyword section" % (path, number, token))
        if not ended:
            raise VcdError("%s: no $enddefinitions: not a VCD, or cut short" % path)
        if timescale is None:
            raise VcdError("%s: no $timescale in the header" % path)
        if not variables:
            raise VcdError("%s: declares no $var" % path)
        for var in (variables if choose is None else choose(variables)):
            by_code.setdefault(var.code, []).append(var)

        time = 0
        end_time = 0
        vector = None  # a "bVALUE" or "rVALUE" whose identifier is the next token
        in_comment = False
        for number, line in lines:
            for token in line.split():
                if in_comment:
                    in_comment = token != "$end"
                    continue
                if vector is not None:
                    _change(by_code, token, time, vector, path, number)
                    vector = None
                    continue
                c = token[0]
                if c == "#":
                    try:
                        t = int(token[1:])
                    except ValueError:
                        raise VcdError("%s:%d: got '%s', expected #TIME with TIME an integer" % (path, number, token))
                    if t < time:
                        raise VcdError("%s:%d: time %d goes back from %d" % (path, number, t, time))
                    time = end_time = t
                elif c in "bBrR":
                    vector = token
                elif c in "01xXzZ":
                    _change(by_code, token[1:], time, token[0], path, number)
                elif token == "$comment":
                    in_comment = True
                elif c == "$":
                    pass  # $dumpvars, $dumpall, $dumpon, $dumpoff, $end: the values inside read as any others
                else:
                    raise VcdError("%s:%d: got '%s', expected a value change or #TIME" % (path, number, token))
        if vector is not None:
            raise VcdError("%s: ends inside the value change '%s'" % (path, vector))
        return Vcd(path, timescale, variables, end_time, comments)


def _value(text, path, number):
    """'b1011' -> 11, 'r2.5' -> 2.5, '1' -> 1; None when a bit is x or z."""
    c = text[0]
    try:
        if c in "bB":
            bits = text[1:]
            if any(b in "xXzZ" for b in bits):
                return None
            return int(bits, 2)
        if c in "rR":
            v = float(text[1:])
            return None if math.isnan(v) else v
        return None if c in "xXzZ" else int(c)
    except ValueError:
        raise VcdError("%s:%d: got the value '%s', expected bBITS, rREAL or a bit 0, 1, x, z" % (path, number, text))


def _change(by_code, code, time, text, path, number):
    vars_ = by_code.get(code)
    if vars_ is None:
        return  # a variable not kept (or never declared: viewers ignore those too)
    value = _value(text, path, number)
    for var in vars_:
        if var.times and var.times[-1] == time:
            var.values[-1] = value  # the last change in a time step wins
        else:
            var.times.append(time)
            var.values.append(value)
