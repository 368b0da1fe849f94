// The driver's one implementation of the C API over a Backend: the register
// protocol (platforms/board/register_map.h via the generated header's
// offsets, here taken from the table itself), the allocator, the waits.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "models/dma/beat_format.h"
#include "platforms/board/engine_register_map.h"
#include "platforms/board/register_map.h"
#include "platforms/driver/backend.h"
#include "platforms/driver/engine_image_reader.h"
#include "platforms/driver/vp_access.h"

namespace regs = vine::platforms::regs;
namespace engine_regs = vine::platforms::engine_regs;
using vine::driver::Backend;
using vine::driver::DriverError;

struct vine_device {
  std::unique_ptr<Backend> backend;
  std::string error;
  uint64_t next_free = 0;  // the allocator's bump pointer
  uint64_t poll_ns = 1000;
  vine_geometry geometry{};
  vine_kind kind = VINE_KIND_STREAMING;
};

namespace {

constexpr uint32_t kCtrl = regs::offset_of("CTRL"), kStatus = regs::offset_of("STATUS"),
                   kIrqEnable = regs::offset_of("IRQ_ENABLE"),
                   kIrqStatus = regs::offset_of("IRQ_STATUS");
constexpr uint32_t kStart = 1u << 0, kReset = 1u << 1, kGlobalIrq = 1u << 2;
constexpr uint32_t kBusy = 1u << 1, kDone = 1u << 2, kError = 1u << 3;
constexpr uint32_t kIrqAll = 3u;

const char* cause_text(vine_kind kind, uint32_t cause) {
  if (kind == VINE_KIND_ENGINE) switch (cause) {
      case engine_regs::kCauseDescriptorsOutsideDdr:
        return "the descriptor table is not inside DDR";
      case engine_regs::kCauseLayerCount:
        return "LAYERS is not the engine's layer count (load a network image first)";
      case engine_regs::kCauseUnknownKind:
        return "a descriptor's kind is unknown (ERROR_LAYER says which)";
      case engine_regs::kCausePlanMismatch:
        return "a descriptor's kind, shape or weight source is not the engine's plan for its layer "
               "(ERROR_LAYER says which: an image of another network?)";
      case engine_regs::kCauseRegionOutsideDdr:
        return "a descriptor's region is not inside DDR (ERROR_LAYER says which)";
      case regs::kCauseOverBudget:
        return "unknown cause";  // no frame budget on the engine
    }
  switch (cause) {
    case regs::kCauseZeroFrames:
      return "FRAMES is 0";
    case regs::kCauseInputOutsideDdr:
      return "the input buffer is not inside DDR";
    case regs::kCauseOutputOutsideDdr:
      return "the output buffer is not inside DDR";
    case regs::kCauseOverBudget:
      return "more frames than the virtual platform's budget";
  }
  return "unknown cause";
}

// Runs `body`, turning a thrown DriverError into the status and the device's error text.
template <class F>
vine_status guarded(vine_device* dev, F&& body) {
  if (!dev) return VINE_EINVAL;
  dev->error.clear();
  try {
    body();
    return VINE_OK;
  } catch (const DriverError& e) {
    dev->error = e.what();
    return e.status;
  } catch (const std::exception& e) {
    dev->error = e.what();
    return VINE_EIO;
  }
}

uint64_t read64(Backend& b, const char* lo) {
  const uint32_t off = regs::offset_of(lo);
  const uint64_t l = b.read32(off);  // latches HI
  return l | uint64_t(b.read32(off + 4)) << 32;
}

vine_stream_format format_of(uint32_t reg) {
  vine_stream_format f{};
  f.elem_bits = reg & 0xFF;
  f.is_signed = reg >> 8 & 1;
  f.lanes = reg >> 16;
  f.beat_bytes = (f.lanes * f.elem_bits + 7) / 8;
  return f;
}

vine::models::BeatFormat beat_format(const vine_stream_format& f) {
  return {int(f.lanes), int(f.elem_bits), f.is_signed != 0};
}

// The explanation of this thread's last failed vine_open, which has no device to hold it.
thread_local std::string open_error;

}  // namespace

namespace vine::driver {

std::map<std::string, std::string> parse_options(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (item.empty() || eq == std::string::npos || eq == 0)
      throw DriverError(VINE_EINVAL, "target option '" + item + "': expected key=value");
    out[item.substr(0, eq)] = item.substr(eq + 1);
    pos = end + 1;
  }
  return out;
}

}  // namespace vine::driver

namespace vine::driver {
platforms::VirtualPlatform* virtual_platform_of(vine_device* dev) {
  return dev && dev->backend ? virtual_platform_of(*dev->backend) : nullptr;
}
}  // namespace vine::driver

extern "C" {

const char* vine_status_string(vine_status s) {
  switch (s) {
    case VINE_OK:
      return "ok";
    case VINE_EINVAL:
      return "invalid argument";
    case VINE_EIO:
      return "input/output error";
    case VINE_ETIMEDOUT:
      return "timed out";
    case VINE_EDEVICE:
      return "refused by the accelerator";
    case VINE_ENOMEM:
      return "out of device memory";
    case VINE_EBUSY:
      return "the accelerator is busy";
  }
  return "unknown status";
}

vine_status vine_open(const char* target, vine_device** out) {
  if (!out) return VINE_EINVAL;
  *out = nullptr;
  std::string t = target ? target : "";
  if (t.empty()) {
    const char* env = std::getenv("VINE_TARGET");
    t = env ? env : "";
  }
  auto dev = std::make_unique<vine_device>();
  const vine_status s = guarded(dev.get(), [&] {
    if (t.rfind("vp:", 0) == 0)
      dev->backend = vine::driver::make_vp_backend(t.substr(3));
    else if (t.rfind("uio:", 0) == 0)
      dev->backend = vine::driver::make_uio_backend(t.substr(4));
    else
      throw DriverError(VINE_EINVAL, "target '" + t +
                                         "': expected vp:DESIGN.yaml or uio:/dev/uioN (or set "
                                         "VINE_TARGET)");
    Backend& b = *dev->backend;
    const uint32_t id = b.read32(regs::offset_of("ID"));
    if (id != regs::kIdValue && id != engine_regs::kIdValue) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08X", id);
      throw DriverError(VINE_EIO, "target '" + t + "': ID register reads " + hex +
                                      ", not a Vine accelerator or compute engine");
    }
    dev->kind = id == engine_regs::kIdValue ? VINE_KIND_ENGINE : VINE_KIND_STREAMING;
    const uint32_t speaks =
        dev->kind == VINE_KIND_ENGINE ? engine_regs::kVersionValue : regs::kVersionValue;
    const uint32_t version = b.read32(regs::offset_of("VERSION"));
    if (version >> 16 != speaks >> 16)
      throw DriverError(VINE_EIO, "target '" + t + "': register map version " +
                                      std::to_string(version >> 16) + ".x, the driver speaks " +
                                      std::to_string(speaks >> 16) + ".x");
    vine_geometry& g = dev->geometry;
    g.in_frame_bytes = b.read32(regs::offset_of("IN_FRAME_BYTES"));
    g.out_frame_bytes = b.read32(regs::offset_of("OUT_FRAME_BYTES"));
    g.in = format_of(b.read32(regs::offset_of("IN_FORMAT")));
    g.out = format_of(b.read32(regs::offset_of("OUT_FORMAT")));
    g.mem_base = b.mem_base();
    g.mem_bytes = b.mem_bytes();
    dev->next_free = g.mem_base;
  });
  if (s != VINE_OK) {
    // Keep the explanation: vine_error(NULL) answers it.
    open_error = dev->error;
    return s;
  }
  open_error.clear();
  *out = dev.release();
  return VINE_OK;
}

void vine_close(vine_device* dev) {
  delete dev;
}

const char* vine_error(const vine_device* dev) {
  if (dev) return dev->error.c_str();
  return open_error.empty() ? "no device" : open_error.c_str();
}

vine_status vine_geometry_get(vine_device* dev, vine_geometry* g) {
  return guarded(dev, [&] {
    if (!g) throw DriverError(VINE_EINVAL, "vine_geometry_get: null geometry");
    *g = dev->geometry;
  });
}

vine_kind vine_device_kind(const vine_device* dev) {
  return dev ? dev->kind : VINE_KIND_STREAMING;
}

vine_status vine_reset(vine_device* dev) {
  return guarded(dev, [&] {
    Backend& b = *dev->backend;
    b.write32(kCtrl, kReset);
  });
}

vine_status vine_alloc(vine_device* dev, uint64_t bytes, uint64_t* addr) {
  return guarded(dev, [&] {
    if (!addr || bytes == 0) throw DriverError(VINE_EINVAL, "vine_alloc: no bytes or no address");
    const uint64_t start = (dev->next_free + 4095) & ~uint64_t{4095};
    const uint64_t end_of_mem = dev->geometry.mem_base + dev->geometry.mem_bytes;
    if (start > end_of_mem || bytes > end_of_mem - start)
      throw DriverError(VINE_ENOMEM, "vine_alloc: " + std::to_string(bytes) + " bytes do not fit; " +
                                         std::to_string(end_of_mem > start ? end_of_mem - start : 0) +
                                         " left");
    *addr = start;
    dev->next_free = start + bytes;
  });
}

void vine_free_all(vine_device* dev) {
  if (dev) dev->next_free = dev->geometry.mem_base;
}

static void check_range(const vine_device* dev, const char* what, uint64_t addr, uint64_t bytes) {
  const vine_geometry& g = dev->geometry;
  if (addr < g.mem_base || addr - g.mem_base > g.mem_bytes || bytes > g.mem_bytes - (addr - g.mem_base))
    throw DriverError(VINE_EINVAL, std::string(what) + ": [" + std::to_string(addr) + ", +" +
                                       std::to_string(bytes) + ") is outside device memory");
}

vine_status vine_write(vine_device* dev, uint64_t addr, const void* src, uint64_t bytes) {
  return guarded(dev, [&] {
    if (!src && bytes) throw DriverError(VINE_EINVAL, "vine_write: null source");
    check_range(dev, "vine_write", addr, bytes);
    if (bytes) dev->backend->mem_write(addr, src, bytes);
  });
}

vine_status vine_read(vine_device* dev, uint64_t addr, void* dst, uint64_t bytes) {
  return guarded(dev, [&] {
    if (!dst && bytes) throw DriverError(VINE_EINVAL, "vine_read: null destination");
    check_range(dev, "vine_read", addr, bytes);
    if (bytes) dev->backend->mem_read(addr, dst, bytes);
  });
}

vine_status vine_start(vine_device* dev, uint64_t in_addr, uint64_t out_addr, uint32_t frames) {
  return guarded(dev, [&] {
    Backend& b = *dev->backend;
    // The hardware ignores a START while busy (and counts it): say so instead.
    if (b.read32(kStatus) & kBusy)
      throw DriverError(VINE_EBUSY, "vine_start: a job is running (wait for it or reset)");
    b.write32(regs::offset_of("IN_ADDR_LO"), uint32_t(in_addr));
    b.write32(regs::offset_of("IN_ADDR_HI"), uint32_t(in_addr >> 32));
    b.write32(regs::offset_of("OUT_ADDR_LO"), uint32_t(out_addr));
    b.write32(regs::offset_of("OUT_ADDR_HI"), uint32_t(out_addr >> 32));
    b.write32(regs::offset_of("FRAMES"), frames);
    // Both sources enabled, acknowledged before: the line reflects this job.
    b.write32(kIrqStatus, kIrqAll);
    b.write32(kIrqEnable, kIrqAll);
    b.write32(kCtrl, kGlobalIrq | kStart);
    const uint32_t status = b.read32(kStatus);
    if (status & kError)
      throw DriverError(VINE_EDEVICE, std::string("vine_start: the accelerator refused the job: ") +
                                          cause_text(dev->kind, status >> 8 & 0xFF));
  });
}

void vine_set_poll_interval(vine_device* dev, uint64_t ns) {
  if (dev) dev->poll_ns = std::max<uint64_t>(ns, 1);
}

vine_status vine_wait(vine_device* dev, vine_wait_mode mode, uint64_t timeout_ns) {
  return guarded(dev, [&] {
    Backend& b = *dev->backend;
    const uint64_t t0 = b.now_ns();
    auto left = [&]() -> uint64_t {
      const uint64_t spent = b.now_ns() - t0;
      return spent >= timeout_ns ? 0 : timeout_ns - spent;
    };
    uint32_t status = b.read32(kStatus);
    while (!(status & (kDone | kError))) {
      const uint64_t l = left();
      if (l == 0)
        throw DriverError(VINE_ETIMEDOUT, "vine_wait: the job did not finish within " +
                                              std::to_string(timeout_ns) + " ns");
      if (mode == VINE_WAIT_IRQ)
        b.wait_irq(l);
      else
        b.idle(std::min(dev->poll_ns, l));
      status = b.read32(kStatus);
    }
    b.write32(kIrqStatus, kIrqAll);  // acknowledge: the line falls
    if (status & kError)
      throw DriverError(VINE_EDEVICE, std::string("vine_wait: the job ended in error: ") +
                                          cause_text(dev->kind, status >> 8 & 0xFF));
  });
}

vine_status vine_counters_get(vine_device* dev, vine_counters* c) {
  return guarded(dev, [&] {
    if (!c) throw DriverError(VINE_EINVAL, "vine_counters_get: null counters");
    Backend& b = *dev->backend;
    c->cycles_busy = read64(b, "CYCLES_BUSY_LO");
    c->frames_done = b.read32(regs::offset_of("FRAMES_DONE"));
    c->stall_cycles = dev->kind == VINE_KIND_ENGINE ? 0 : read64(b, "STALL_CYCLES_LO");
    c->ddr_bytes = read64(b, "DDR_BYTES_LO");
    c->start_ignored = b.read32(regs::offset_of("START_IGNORED"));
  });
}

vine_status vine_engine_load(vine_device* dev, const char* image_path) {
  return guarded(dev, [&] {
    if (!image_path) throw DriverError(VINE_EINVAL, "vine_engine_load: null image path");
    if (dev->kind != VINE_KIND_ENGINE)
      throw DriverError(VINE_EINVAL, "vine_engine_load: the device is a streaming accelerator; only "
                                     "a compute engine runs layer descriptors");
    Backend& b = *dev->backend;
    const vine::driver::EngineImage im = vine::driver::read_engine_image(image_path);
    const std::string where = std::string("vine_engine_load: ") + image_path + ": ";
    const uint32_t desc_bytes = b.read32(engine_regs::offset_of("DESC_BYTES"));
    if (im.descriptor_bytes != desc_bytes)
      throw DriverError(VINE_EINVAL, where + "descriptors of " + std::to_string(im.descriptor_bytes) +
                                         " bytes, the engine reads " + std::to_string(desc_bytes));
    const vine_geometry& g = dev->geometry;
    if (im.in_frame_bytes != g.in_frame_bytes || im.out_frame_bytes != g.out_frame_bytes)
      throw DriverError(VINE_EINVAL, where + "the image's network takes " +
                                         std::to_string(im.in_frame_bytes) + "-byte input and " +
                                         std::to_string(im.out_frame_bytes) +
                                         "-byte output frames, the engine " +
                                         std::to_string(g.in_frame_bytes) + " and " +
                                         std::to_string(g.out_frame_bytes) +
                                         " (an image of another network?)");
    const uint32_t config_id = b.read32(engine_regs::offset_of("CONFIG_ID"));
    if (im.config_id != config_id) {
      char got[16], want[16];
      std::snprintf(got, sizeof got, "0x%08X", im.config_id);
      std::snprintf(want, sizeof want, "0x%08X", config_id);
      throw DriverError(VINE_EINVAL, where + "made for thresholds and re-quantisers " + got +
                                         ", the engine holds " + want +
                                         " (CONFIG_ID): its weights would give wrong results "
                                         "(another seed or network?)");
    }
    uint64_t base = 0;
    if (vine_status s = vine_alloc(dev, im.image_bytes, &base); s != VINE_OK)
      throw DriverError(s, where + dev->error);
    for (const auto& seg : im.segments)
      if (!seg.bytes.empty()) b.mem_write(base + seg.offset, seg.bytes.data(), seg.bytes.size());
    const std::vector<uint8_t> table = vine::driver::relocated_table(im, base);
    b.mem_write(base + im.table_offset, table.data(), table.size());
    const uint64_t desc = base + im.table_offset;
    b.write32(engine_regs::offset_of("DESC_ADDR_LO"), uint32_t(desc));
    b.write32(engine_regs::offset_of("DESC_ADDR_HI"), uint32_t(desc >> 32));
    b.write32(engine_regs::offset_of("LAYERS"), im.layers);
  });
}

vine_status vine_reg_read(vine_device* dev, uint32_t offset, uint32_t* value) {
  return guarded(dev, [&] {
    if (!value) throw DriverError(VINE_EINVAL, "vine_reg_read: null value");
    *value = dev->backend->read32(offset);
  });
}

vine_status vine_reg_write(vine_device* dev, uint32_t offset, uint32_t value) {
  return guarded(dev, [&] { dev->backend->write32(offset, value); });
}

uint64_t vine_time_ns(vine_device* dev) {
  return dev && dev->backend ? dev->backend->now_ns() : 0;
}

void vine_pack_frames(const vine_stream_format* f, uint64_t frame_bytes, const int32_t* codes,
                      uint32_t frames, void* bytes) {
  if (!f || !codes || !bytes || f->beat_bytes == 0) return;
  const auto bf = beat_format(*f);
  const uint64_t beats = frame_bytes / f->beat_bytes;
  auto* out = static_cast<uint8_t*>(bytes);
  for (uint64_t k = 0; k < uint64_t(frames) * beats; ++k)
    bf.pack(codes + k * f->lanes, out + k * f->beat_bytes);
}

void vine_unpack_frames(const vine_stream_format* f, uint64_t frame_bytes, const void* bytes,
                        uint32_t frames, int32_t* codes) {
  if (!f || !codes || !bytes || f->beat_bytes == 0) return;
  const auto bf = beat_format(*f);
  const uint64_t beats = frame_bytes / f->beat_bytes;
  const auto* in = static_cast<const uint8_t*>(bytes);
  for (uint64_t k = 0; k < uint64_t(frames) * beats; ++k)
    bf.unpack(in + k * f->beat_bytes, codes + k * f->lanes);
}

}  // extern "C"
