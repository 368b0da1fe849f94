// vine_vp: the virtual platform (platforms/vp/virtual_platform.h) as a
// Python module shaped like the `pynq` module on a board, so one driver
// script runs on both (examples/python/pynq_driver.py):
//
//   ol = Overlay("design.yaml", seed=1)       # elaborates the VP (pynq: loads a bitstream)
//   regs = MMIO(ol.ctrl_base, 0x1000)          # 32-bit accesses at host addresses
//   buf = allocate((4, ol.in_frame_bytes), np.uint8)  # host array with a DDR home
//   buf.sync_to_device(); ol.wait_interrupt(10**9); buf.sync_from_device()
//
// Every access is one of the VP's host CPU's TLM transactions, so it costs
// simulated time as the driver's would on the board. SystemC elaborates once
// per process: the module holds the process's one platform, and a second
// Overlay raises the platform's own refusal.
//
// The GIL stays held across the VP's calls: the simulation runs in the
// calling thread, is not reentrant, and never calls back into Python, so
// holding it is what serialises Python threads' accesses.
#include <pybind11/eval.h>
#include <pybind11/pybind11.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "platforms/board/register_map.h"
#include "platforms/vp/virtual_platform.h"
#include "sim/config/loaders.h"

namespace py = pybind11;
using vine::platforms::VirtualPlatform;

// SystemC's shared library refers to sc_main; a Python process has its own
// main(), so this one only satisfies the link and is never called. Exported
// (the module hides its symbols otherwise): libsystemc resolves sc_main when
// the module is loaded, from the module's own scope.
extern "C" __attribute__((weak, visibility("default"))) int sc_main(int, char**) {
  std::fprintf(stderr, "vine_vp: sc_main is not used by the Python module\n");
  return 1;
}

namespace {

std::unique_ptr<VirtualPlatform> g_vp;  // the process's one platform, once an Overlay loads it

VirtualPlatform& vp() {
  if (!g_vp) throw std::runtime_error("load an Overlay first");
  return *g_vp;
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// How a stream's beats are packed (the IN_FORMAT/OUT_FORMAT registers' fields).
struct StreamFormat {
  int lanes, elem_bits;
  bool is_signed;
  int beat_bytes;
};

StreamFormat format_of(const vine::models::DmaGeometry& g) {
  return {g.format.lanes, g.format.elem_bits, g.format.is_signed, g.format.beat_bytes()};
}

// A handle on the loaded platform. Only one can be made per process, and the
// module, not the handle, owns the platform: MMIO and buffers made before
// the handle is dropped keep working.
struct Overlay {
  Overlay(const std::string& design_path, const py::kwargs& options) {
    std::map<std::string, std::string> kv;
    for (const auto& [k, v] : options) {
      // str(True) would be "True"; the options' flags are 0/1.
      kv[py::str(k)] = py::isinstance<py::bool_>(v) ? (v.cast<bool>() ? "1" : "0")
                                                    : std::string(py::str(v));
    }
    // The device's DDR is needed to check the DDR options before elaborating.
    const auto design = vine::config::load_design(design_path);
    g_vp = std::make_unique<VirtualPlatform>(design_path,
                                             vine::platforms::parse_vp_options(kv, design.device));
  }
};

// 32-bit accesses inside a window of host addresses, as a board's MMIO maps
// a physical range: offsets are relative to `base`.
class Mmio {
 public:
  Mmio(uint64_t base, int64_t length) : base_(base), length_(length) {
    vp();  // refuse before an Overlay, as mapping needs a loaded design
    if (length <= 0) throw py::value_error("MMIO length must be positive, got " + std::to_string(length));
  }

  uint32_t read(int64_t offset) const {
    check(offset, "read");
    try {
      return vp().read32(base_ + uint64_t(offset));
    } catch (const vine::platforms::HostCpu::AccessError& e) {
      throw access_error(e);
    }
  }

  void write(int64_t offset, int64_t value) const {
    check(offset, "write");
    if (value < -(int64_t(1) << 31) || value > int64_t(0xFFFFFFFF))
      throw py::value_error("MMIO write of " + std::to_string(value) + ": not a 32-bit value");
    try {
      vp().write32(base_ + uint64_t(offset), uint32_t(value));
    } catch (const vine::platforms::HostCpu::AccessError& e) {
      throw access_error(e);
    }
  }

  uint64_t base() const { return base_; }
  int64_t length() const { return length_; }

 private:
  void check(int64_t offset, const char* what) const {
    if (offset < 0 || offset > length_ - 4)
      throw py::index_error(std::string("MMIO ") + what + " at offset " +
                            (offset < 0 ? std::to_string(offset) : hex(uint64_t(offset))) +
                            ": outside the window of " + hex(uint64_t(length_)) + " bytes at " +
                            hex(base_));
    // AXI-Lite registers take whole, aligned words.
    if (offset % 4 != 0)
      throw py::value_error(std::string("MMIO ") + what + " at offset " + hex(uint64_t(offset)) +
                            ": 32-bit accesses must be 4-byte aligned");
  }

  // The board's error response, with what it means on this map (docs/registers.md).
  static std::runtime_error access_error(const vine::platforms::HostCpu::AccessError& e) {
    const char* why = e.status == tlm::TLM_ADDRESS_ERROR_RESPONSE ? " (nothing is mapped there)"
                      : e.status == tlm::TLM_COMMAND_ERROR_RESPONSE
                          ? " (the register does not take this access: a write to a read-only one)"
                          : "";
    return std::runtime_error(std::string("MMIO ") + e.what() + why);
  }

  uint64_t base_;
  int64_t length_;
};

// The buffers' copies: a contiguous byte buffer to or from DDR, in the host
// CPU's timed bulk transactions.
py::buffer_info contiguous_bytes(const py::buffer& b, bool writable) {
  py::buffer_info info = b.request(writable);
  if (info.itemsize != 1 || info.ndim != 1 || (info.ndim == 1 && info.strides[0] != 1))
    throw py::value_error("expected a contiguous 1-D buffer of bytes");
  return info;
}

void ddr_check(uint64_t address, uint64_t bytes) {
  const uint64_t ddr = vp().board().ddr_bytes();
  if (address > ddr || bytes > ddr - address)
    throw py::value_error("DDR copy of " + std::to_string(bytes) + " bytes at " + hex(address) +
                          ": outside DDR (" + hex(ddr) + " bytes)");
}

void ddr_write(uint64_t address, const py::buffer& data) {
  const py::buffer_info info = contiguous_bytes(data, false);
  ddr_check(address, uint64_t(info.size));
  vp().write(address, info.ptr, uint64_t(info.size));
}

void ddr_read(uint64_t address, const py::buffer& data) {
  const py::buffer_info info = contiguous_bytes(data, true);
  ddr_check(address, uint64_t(info.size));
  vp().read(address, info.ptr, uint64_t(info.size));
}

// The buffers themselves are numpy arrays, hence Python classes: numpy
// subclasses are made in Python. DDR is handed out by a bump allocator from
// 16 MiB (below it, room for a user's fixed addresses), 4 KiB aligned as a
// board's contiguous-memory allocator gives pages.
const char* const kBuffers = R"PY(
import numpy as _np

_DDR_START = 16 << 20
_PAGE = 4096
_top = _DDR_START
_allocations = []  # live and freed, in address order: the top ones freed give their space back


class _Allocation:
    def __init__(self, address, array):
        self.address = address
        self.bytes = array.reshape(-1).view(_np.uint8)  # the host copy, flat
        self.host_ptr = array.__array_interface__["data"][0]
        self.pages = max(-(-self.bytes.size // _PAGE), 1) * _PAGE
        self.freed = False

    def holds(self, array):
        p = array.__array_interface__["data"][0]
        return self.host_ptr <= p < self.host_ptr + max(self.bytes.size, 1)


class DeviceBuffer(_np.ndarray):
    """A numpy array whose bytes also have a home in the VP's DDR.

    Fill it as any array, then sync_to_device() before the accelerator reads
    it; sync_from_device() after the accelerator wrote it. A view (slice,
    reshape) has the physical address of its first byte; the syncs copy the
    whole allocation it belongs to."""

    def __array_finalize__(self, obj):
        # Views keep their allocation; results of arithmetic are new host
        # memory with no DDR home.
        alloc = getattr(obj, "_alloc", None)
        self._alloc = alloc if alloc is not None and alloc.holds(self) else None

    def _live(self):
        if self._alloc is None:
            raise RuntimeError("this array has no DDR home (not a view of an allocate() buffer)")
        if self._alloc.freed:
            raise RuntimeError("the buffer was freed")
        return self._alloc

    @property
    def physical_address(self):
        a = self._live()
        return a.address + self.__array_interface__["data"][0] - a.host_ptr

    device_address = physical_address

    def sync_to_device(self):
        a = self._live()
        _ddr_write(a.address, a.bytes)

    def sync_from_device(self):
        a = self._live()
        _ddr_read(a.address, a.bytes)

    def freebuffer(self):
        global _top
        if self._alloc is None or self._alloc.freed:
            return
        self._alloc.freed = True
        while _allocations and _allocations[-1].freed:
            _top = _allocations.pop().address

    close = freebuffer

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.freebuffer()


def allocate(shape, dtype="u4", **kwargs):
    """A zeroed DeviceBuffer of `shape` and `dtype` with a DDR address
    (pynq.allocate's arguments; target/cacheable have no meaning on the VP)."""
    global _top
    ddr = _ddr_bytes()  # RuntimeError before an Overlay
    nbytes = int(_np.prod(shape, dtype=_np.int64)) * _np.dtype(dtype).itemsize
    if _top + nbytes > ddr:  # before the host copy: DDR is the smaller memory
        raise MemoryError(f"allocate: {nbytes} bytes do not fit in DDR above "
                          f"{_top:#x} ({ddr:#x} bytes)")
    array = _np.zeros(shape, dtype)
    a = _Allocation(_top, array)
    _top += a.pages
    _allocations.append(a)
    buf = array.view(DeviceBuffer)
    buf._alloc = a
    return buf
)PY";

}  // namespace

PYBIND11_MODULE(vine_vp, m) {
  m.doc() = "Vine's virtual platform in this process, with pynq's Overlay/MMIO/allocate shape";

  py::class_<StreamFormat>(m, "StreamFormat", "How a stream's beats lie in DDR (IN_FORMAT/OUT_FORMAT)")
      .def_readonly("lanes", &StreamFormat::lanes, "elements per beat")
      .def_readonly("elem_bits", &StreamFormat::elem_bits, "bits per element")
      .def_readonly("signed", &StreamFormat::is_signed, "elements are two's complement")
      .def_readonly("beat_bytes", &StreamFormat::beat_bytes, "bytes per beat")
      .def("__repr__", [](const StreamFormat& f) {
        return "StreamFormat(lanes=" + std::to_string(f.lanes) +
               ", elem_bits=" + std::to_string(f.elem_bits) +
               ", signed=" + (f.is_signed ? "True" : "False") +
               ", beat_bytes=" + std::to_string(f.beat_bytes) + ")";
      });

  py::class_<Overlay>(m, "Overlay",
                      "Overlay(design_path, **options): elaborates the virtual platform of a design "
                      "(options as `vine vp`'s key=value: seed, transfer_bytes, dma_buffers, ddr_mts, "
                      "trace_regs, ...). One per process.")
      .def(py::init<const std::string&, const py::kwargs&>(), py::arg("design_path"))
      .def_property_readonly("design", [](const Overlay&) { return vp().design().name; })
      .def_property_readonly("classes", [](const Overlay&) { return vp().design().network.classes; })
      .def_property_readonly("ctrl_base", [](const Overlay&) { return vp().board().ctrl_base(); })
      .def_property_readonly("ddr_bytes", [](const Overlay&) { return vp().board().ddr_bytes(); })
      .def_property_readonly("in_frame_bytes",
                             [](const Overlay&) { return vp().board().input_geometry().frame_bytes(); })
      .def_property_readonly("out_frame_bytes",
                             [](const Overlay&) { return vp().board().output_geometry().frame_bytes(); })
      .def_property_readonly("in_format",
                             [](const Overlay&) { return format_of(vp().board().input_geometry()); })
      .def_property_readonly("out_format",
                             [](const Overlay&) { return format_of(vp().board().output_geometry()); })
      // As a board's overlay names its IP blocks, so drivers find the registers the same way.
      .def_property_readonly("ip_dict",
                             [](const Overlay&) {
                               py::dict accel;
                               accel["phys_addr"] = vp().board().ctrl_base();
                               accel["addr_range"] = vine::platforms::regs::kMapBytes;
                               accel["type"] = "vine:accelerator";
                               py::dict d;
                               d["vine_accel"] = accel;
                               return d;
                             })
      .def_property_readonly("time_ns", [](const Overlay&) { return vp().now_ns(); },
                             "the host CPU's simulated time")
      .def("wait_interrupt", [](const Overlay&, uint64_t timeout_ns) { return vp().wait_irq(timeout_ns); },
           py::arg("timeout_ns"),
           "waits until the accelerator's interrupt line is high or timeout_ns pass; returns the line")
      .def("idle", [](const Overlay&, uint64_t ns) { vp().idle(ns); }, py::arg("ns"),
           "lets ns of simulated time pass on the host (a polling loop's pause)")
      .def("report", [](const Overlay&) {
        std::ostringstream s;
        vp().write_report(s);
        return s.str();
      })
      .def("register_trace", [](const Overlay&) {
        std::ostringstream s;
        vp().write_register_trace(s);
        return s.str();
      }, "the register accesses so far (recorded with the option trace_regs=1)");

  py::class_<Mmio>(m, "MMIO", "MMIO(base_addr, length): 32-bit accesses to a window of host addresses")
      .def(py::init<uint64_t, int64_t>(), py::arg("base_addr"), py::arg("length") = 4)
      .def("read", &Mmio::read, py::arg("offset") = 0)
      .def("write", &Mmio::write, py::arg("offset"), py::arg("value"))
      .def_property_readonly("base_addr", &Mmio::base)
      .def_property_readonly("length", &Mmio::length);

  m.def("_ddr_write", &ddr_write);
  m.def("_ddr_read", &ddr_read);
  m.def("_ddr_bytes", [] { return vp().board().ddr_bytes(); });
  py::exec(kBuffers, m.attr("__dict__"));

  // Tear the platform down while the interpreter and SystemC are both still
  // whole, not among the shared objects' static destructors.
  py::module_::import("atexit").attr("register")(py::cpp_function([] { g_vp.reset(); }));
}
