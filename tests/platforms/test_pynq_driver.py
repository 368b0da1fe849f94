#!/usr/bin/env python3
"""The PYNQ-style driver (examples/python/pynq_driver.py) on the virtual
platform gives `vine reference`'s checksums and top-1 classes; vine_vp's
Overlay, MMIO and allocate behave as a board's do.

    test_pynq_driver.py VINE_BINARY DESIGN DRIVER DOCS_REGISTERS_MD [DESIGN...]

The driver runs on every design given (more designs: other output formats,
e.g. signed elements); the API checks use the first. Run with the Python vine_vp was built for, vine_vp on PYTHONPATH.
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

vine, design, driver, registers_md = sys.argv[1:5]
designs = [design] + sys.argv[5:]
FRAMES = 4
LINE = re.compile(r"^\s*\d+\s+0x[0-9a-f]{16}\s+\d+$")


def result_lines(text):
    return [l for l in text.splitlines() if LINE.match(l)]


def raises(kind, fn, *args):
    try:
        fn(*args)
    except kind as e:
        return str(e)
    raise AssertionError(f"{getattr(fn, '__name__', fn)}{args} did not raise {kind.__name__}")


for d in designs:
    with tempfile.TemporaryDirectory() as tmp:
        frames_file = os.path.join(tmp, "frames.bin")
        ref = subprocess.run([vine, "reference", d, "--frames", str(FRAMES),
                              "--write-inputs", frames_file],
                             check=True, capture_output=True, text=True).stdout
        # The driver as a user runs it, in its own process (one VP per process).
        run = subprocess.run([sys.executable, driver, d, frames_file],
                             capture_output=True, text=True)
        assert run.returncode == 0, f"{d}: driver failed:\n{run.stdout}{run.stderr}"
        want, got = result_lines(ref), result_lines(run.stdout)
        assert len(want) == FRAMES, f"{d}: vine reference printed:\n{ref}"
        assert got == want, f"{d}: driver:\n{run.stdout}\nvine reference:\n{ref}"
        print(f"{os.path.basename(d)}:\n" + "\n".join(got))

# The driver's register offsets are the documented ones.
sys.path.insert(0, os.path.dirname(driver))
import pynq_driver  # noqa: E402

documented = dict(re.findall(r"^\| (0x[0-9a-f]+) \| (\w+) \|", open(registers_md).read(), re.M))
documented = {name: int(off, 16) for off, name in documented.items()}
for name, offset in pynq_driver.REGISTERS.items():
    assert documented.get(name) == offset, f"{name}: driver {offset:#x}, docs {documented.get(name)}"

import vine_vp  # noqa: E402

# Nothing to map before an Overlay is loaded.
assert "load an Overlay first" in raises(RuntimeError, vine_vp.MMIO, 0, 4096)
assert "load an Overlay first" in raises(RuntimeError, vine_vp.allocate, (4,), np.uint8)

ol = vine_vp.Overlay(design, seed=1, trace_regs=True)
regs = vine_vp.MMIO(ol.ctrl_base, 0x1000)
assert regs.read(0x00) == 0x56494E45, hex(regs.read(0x00))
assert regs.read(0x50) == ol.in_frame_bytes and regs.read(0x54) == ol.out_frame_bytes
assert regs.read(0x58) == (ol.in_format.lanes << 16 | int(ol.in_format.signed) << 8
                           | ol.in_format.elem_bits)
assert "error" in raises(RuntimeError, regs.write, 0x00, 0).lower()  # ID is read-only
assert "error" in raises(RuntimeError, regs.read, 0x3C).lower()      # unmapped
assert "outside the window" in raises(IndexError, regs.read, 0x1000)
assert "outside the window" in raises(IndexError, regs.write, -4, 0)
assert "aligned" in raises(ValueError, regs.read, 0x02)
assert "0x000  0x56494e45" in ol.register_trace()

# Buffers: page-aligned DDR homes from 16 MiB, round trips through DDR.
a = vine_vp.allocate((3, 5), np.int16)
b = vine_vp.allocate(5000, np.uint8)
assert a.physical_address == 16 << 20 and b.physical_address == (16 << 20) + 4096
assert b.physical_address % 4096 == 0 and isinstance(a, np.ndarray)
assert a[1:].physical_address == a.physical_address + 10
assert "no DDR home" in raises(RuntimeError, lambda: (a + 1).physical_address)
a[:] = np.arange(15, dtype=np.int16).reshape(3, 5) - 7
a.sync_to_device()
ddr = vine_vp.MMIO(a.physical_address, 4096)  # a window in DDR works too
assert ddr.read(0) == 0xFFFAFFF9, hex(ddr.read(0))  # int16 -7, -6, little-endian
kept = a.copy()
a[:] = 0
a.sync_from_device()
assert (np.asarray(a) == np.asarray(kept)).all()
t0 = ol.time_ns
ol.idle(1000)
assert ol.time_ns >= t0 + 1000
b.freebuffer()
assert "freed" in raises(RuntimeError, b.sync_to_device)
assert vine_vp.allocate(1, np.uint8).physical_address == (16 << 20) + 4096  # the top given back

# SystemC elaborates once per process: a second platform is refused.
assert "exists" in raises(ValueError, vine_vp.Overlay, design)
print("vine_vp API checks passed")
