#!/usr/bin/env python3
"""A PYNQ-style driver for Vine's streaming accelerator.

Written as for a PYNQ board: Overlay, MMIO and allocate come from `pynq`
when it is installed, otherwise from `vine_vp`, Vine's virtual platform in
this process (build/python on PYTHONPATH). The accelerator class only uses
what both provide: the overlay's ip_dict, 32-bit MMIO accesses, buffers with
physical_address and sync_to_device/sync_from_device.

    pynq_driver.py DESIGN.yaml|BITSTREAM.bit FRAMES_FILE [--classes N] [--opt key=value ...]

FRAMES_FILE holds input frames packed as the input DMA reads them
(`vine reference DESIGN --write-inputs FILE`). Prints each frame's output
checksum and top-1 class in `vine reference`'s format.
"""
import argparse
import sys
import time

import numpy as np

try:
    from pynq import MMIO, Overlay, allocate  # on the board
    ON_BOARD = True
except ImportError:
    from vine_vp import MMIO, Overlay, allocate  # the virtual platform
    ON_BOARD = False

# Register offsets (docs/registers.md, generated from register_map.h).
REGISTERS = {
    "ID": 0x00, "VERSION": 0x04, "CTRL": 0x08, "STATUS": 0x0C,
    "IRQ_ENABLE": 0x10, "IRQ_STATUS": 0x14,
    "IN_ADDR_LO": 0x18, "IN_ADDR_HI": 0x1C, "OUT_ADDR_LO": 0x20, "OUT_ADDR_HI": 0x24,
    "FRAMES": 0x28, "FRAMES_DONE": 0x38,
    "IN_FRAME_BYTES": 0x50, "OUT_FRAME_BYTES": 0x54, "IN_FORMAT": 0x58, "OUT_FORMAT": 0x5C,
}
ACCEL_ID = 0x56494E45  # "VINE"
CTRL_START, CTRL_IRQ_GLOBAL_ENABLE = 1 << 0, 1 << 2
STATUS_DONE, STATUS_ERROR = 1 << 2, 1 << 3
IRQ_DONE, IRQ_ERROR = 1 << 0, 1 << 1


class StreamFormat:
    """A stream's beat packing, from an IN_FORMAT/OUT_FORMAT register."""

    def __init__(self, reg):
        self.elem_bits = reg & 0xFF
        self.signed = bool(reg >> 8 & 1)
        self.lanes = reg >> 16 & 0xFFFF
        self.beat_bytes = (self.lanes * self.elem_bits + 7) // 8

    def unpack(self, frames):
        """uint8 array (frames, frame_bytes) -> int64 array (frames, elements).

        Element e of a beat is bits [e*elem_bits, (e+1)*elem_bits) of the beat
        read as one little-endian integer."""
        beats = frames.reshape(frames.shape[0], -1, self.beat_bytes)
        bits = np.unpackbits(beats, axis=-1, bitorder="little")
        bits = bits[..., : self.lanes * self.elem_bits].reshape(*beats.shape[:2], self.lanes, self.elem_bits)
        values = bits.astype(np.int64) @ (np.int64(1) << np.arange(self.elem_bits, dtype=np.int64))
        if self.signed:  # two's complement: the top bit weighs -2^(elem_bits-1)
            values -= bits[..., -1].astype(np.int64) << self.elem_bits
        return values.reshape(frames.shape[0], -1)


class VineAccelerator:
    """The accelerator's registers and a job over buffers in DDR."""

    def __init__(self, overlay, ip_name="vine_accel"):
        self.overlay = overlay
        ip = overlay.ip_dict[ip_name]
        self.mmio = MMIO(ip["phys_addr"], ip["addr_range"])
        if self.read("ID") != ACCEL_ID:
            raise RuntimeError(f"{ip_name}: ID {self.read('ID'):#010x} is not Vine's accelerator")
        self.in_frame_bytes = self.read("IN_FRAME_BYTES")
        self.out_frame_bytes = self.read("OUT_FRAME_BYTES")
        self.out_format = StreamFormat(self.read("OUT_FORMAT"))

    def read(self, name):
        return self.mmio.read(REGISTERS[name])

    def write(self, name, value):
        self.mmio.write(REGISTERS[name], value)

    def wait_done(self, timeout_s):
        # The VP models the interrupt line; on a board this polls STATUS
        # (pynq's interrupts need an interrupt controller in the overlay).
        if hasattr(self.overlay, "wait_interrupt"):
            self.overlay.wait_interrupt(int(timeout_s * 1e9))
        else:
            deadline = time.monotonic() + timeout_s
            while not self.read("STATUS") & (STATUS_DONE | STATUS_ERROR) and time.monotonic() < deadline:
                time.sleep(1e-4)
        status = self.read("STATUS")
        self.write("IRQ_STATUS", IRQ_DONE | IRQ_ERROR)  # W1C: lowers the line for the next job
        if status & STATUS_ERROR:
            raise RuntimeError(f"job refused: STATUS {status:#x}, cause {status >> 8 & 0xFF}")
        if not status & STATUS_DONE:
            raise TimeoutError(f"job not done after {timeout_s} s: STATUS {status:#x}")

    def run(self, frames_bytes, timeout_s=10.0):
        """Runs one job over packed input frames (uint8, frames x in_frame_bytes);
        returns the outputs' codes (frames x elements)."""
        frames = len(frames_bytes)
        inp = allocate((frames, self.in_frame_bytes), np.uint8)
        out = allocate((frames, self.out_frame_bytes), np.uint8)
        try:
            inp[:] = frames_bytes
            inp.sync_to_device()
            for reg, addr in (("IN_ADDR", inp.physical_address), ("OUT_ADDR", out.physical_address)):
                self.write(reg + "_LO", addr & 0xFFFFFFFF)
                self.write(reg + "_HI", addr >> 32)
            self.write("FRAMES", frames)
            self.write("IRQ_ENABLE", IRQ_DONE | IRQ_ERROR)
            self.write("CTRL", CTRL_IRQ_GLOBAL_ENABLE | CTRL_START)
            self.wait_done(timeout_s)
            out.sync_from_device()
            return self.out_format.unpack(np.array(out))
        finally:
            inp.freebuffer()
            out.freebuffer()


def checksum(codes):
    """FNV-1a 64 over the codes as little-endian int32 bytes (golden::checksum)."""
    h = 1469598103934665603
    for byte in np.asarray(codes, dtype="<i4").tobytes():
        h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def top1(codes, classes):
    return int(np.argmax(codes[:classes]))  # argmax: the lowest index on ties


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("overlay", help="design file (virtual platform) or bitstream (board)")
    ap.add_argument("frames_file", help="packed input frames (vine reference --write-inputs)")
    ap.add_argument("--classes", type=int, help="outputs top-1 ranges over (default: the design's)")
    ap.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                    help="virtual platform option (seed, ddr_mts, ...)")
    args = ap.parse_args(argv)

    options = dict(o.split("=", 1) for o in args.opt)
    overlay = Overlay(args.overlay, **options)
    accel = VineAccelerator(overlay)
    classes = args.classes or getattr(overlay, "classes", None)
    if not classes:
        ap.error("--classes is needed on a board")
    data = np.fromfile(args.frames_file, dtype=np.uint8)
    if data.size == 0 or data.size % accel.in_frame_bytes:
        sys.exit(f"{args.frames_file}: {data.size} bytes is not a whole number of "
                 f"{accel.in_frame_bytes}-byte frames")
    outputs = accel.run(data.reshape(-1, accel.in_frame_bytes))
    print(f"{'frame':>6}  {'checksum':<18}  top1")
    for f, codes in enumerate(outputs):
        print(f"{f:6d}  0x{checksum(codes):016x}  {top1(codes, classes)}")
    if not ON_BOARD:
        print(f"{len(outputs)} frame(s) in {overlay.time_ns} ns of simulated host time")


if __name__ == "__main__":
    main()
