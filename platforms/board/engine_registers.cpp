#include "platforms/board/engine_registers.h"

#include "platforms/board/engine_descriptor.h"

namespace vine::platforms {

using namespace engine_regs;

namespace {
constexpr uint32_t kCtrl = offset_of("CTRL"), kStatus = offset_of("STATUS"),
                   kIrqEnable = offset_of("IRQ_ENABLE"), kIrqStatus = offset_of("IRQ_STATUS"),
                   kInLo = offset_of("IN_ADDR_LO"), kInHi = offset_of("IN_ADDR_HI"),
                   kOutLo = offset_of("OUT_ADDR_LO"), kOutHi = offset_of("OUT_ADDR_HI"),
                   kFrames = offset_of("FRAMES"), kStartIgnored = offset_of("START_IGNORED"),
                   kCyclesLo = offset_of("CYCLES_BUSY_LO"), kCyclesHi = offset_of("CYCLES_BUSY_HI"),
                   kFramesDone = offset_of("FRAMES_DONE"), kDdrLo = offset_of("DDR_BYTES_LO"),
                   kDdrHi = offset_of("DDR_BYTES_HI"), kInFrameBytes = offset_of("IN_FRAME_BYTES"),
                   kOutFrameBytes = offset_of("OUT_FRAME_BYTES"),
                   kDescLo = offset_of("DESC_ADDR_LO"), kDescHi = offset_of("DESC_ADDR_HI"),
                   kLayers = offset_of("LAYERS"), kErrorLayer = offset_of("ERROR_LAYER"),
                   kDescBytes = offset_of("DESC_BYTES");
constexpr uint32_t kStart = 1u << 0, kReset = 1u << 1, kGlobalIrq = 1u << 2;
constexpr uint32_t kIdle = 1u << 0, kBusy = 1u << 1, kDone = 1u << 2, kError = 1u << 3;
constexpr uint32_t kIrqDone = 1u << 0, kIrqError = 1u << 1;
constexpr int kCauseLsb = 8;

void set_lo(uint64_t& r, uint32_t v) {
  r = (r & ~uint64_t{0xFFFFFFFF}) | v;
}
void set_hi(uint64_t& r, uint32_t v) {
  r = (r & 0xFFFFFFFF) | uint64_t{v} << 32;
}

// Whether [addr, addr + bytes) lies in DDR, without overflow.
bool inside(uint64_t addr, uint64_t bytes, uint64_t size) {
  return addr <= size && bytes <= size - addr;
}

}  // namespace

EngineRegisters::EngineRegisters(sc_core::sc_module_name name, const Geometry& g, Runner runner)
    : RegisterBlock(name, &engine_regs::find, g.clock, g.access_cycles),
      g_(g),
      runner_(std::move(runner)) {}

uint64_t EngineRegisters::busy_cycles() const {
  uint64_t c = busy_before_;
  if (busy_) c += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  return c;
}

uint32_t EngineRegisters::read(uint32_t offset) {
  auto lo = [&](int i, uint64_t v) {
    latched_hi_[i] = uint32_t(v >> 32);
    return uint32_t(v);
  };
  switch (offset) {
    case kCtrl:
      return ctrl_ & kGlobalIrq;
    case kStatus:
      return status_;
    case kIrqEnable:
      return irq_enable_;
    case kIrqStatus:
      return irq_status_;
    case kInLo:
      return uint32_t(in_addr_);
    case kInHi:
      return uint32_t(in_addr_ >> 32);
    case kOutLo:
      return uint32_t(out_addr_);
    case kOutHi:
      return uint32_t(out_addr_ >> 32);
    case kFrames:
      return frames_;
    case kStartIgnored:
      return start_ignored_;
    case kCyclesLo:
      return lo(0, busy_cycles());
    case kCyclesHi:
      return latched_hi_[0];
    case kFramesDone:
      return uint32_t(runner_.frames_done() - frames_base_);
    case kDdrLo:
      return lo(1, runner_.ddr_bytes() - ddr_base_);
    case kDdrHi:
      return latched_hi_[1];
    case kInFrameBytes:
      return uint32_t(g_.in_frame_bytes);
    case kOutFrameBytes:
      return uint32_t(g_.out_frame_bytes);
    case kDescLo:
      return uint32_t(desc_addr_);
    case kDescHi:
      return uint32_t(desc_addr_ >> 32);
    case kLayers:
      return layers_;
    case kErrorLayer:
      return error_layer_;
    case kDescBytes:
      return kDescriptorBytes;
  }
  const regs::Register* r = find(offset);
  return r ? r->reset : 0;  // ID, VERSION
}

void EngineRegisters::write(const regs::Register& r, uint32_t v) {
  switch (r.offset) {
    case kCtrl:
      ctrl_ = v & kGlobalIrq;
      if (v & kReset) {
        if (busy_) runner_.abort();
        busy_ = false;
        busy_before_ = 0;
        start_ignored_ = 0;
        status_ = kIdle;
        irq_status_ = 0;
        error_layer_ = 0;
        frames_base_ = runner_.frames_done();
        ddr_base_ = runner_.ddr_bytes();
      } else if (v & kStart) {
        start();
      }
      break;
    case kIrqEnable:
      irq_enable_ = v & (kIrqDone | kIrqError);
      break;
    case kIrqStatus:
      irq_status_ &= ~v;
      break;
    case kInLo:
      set_lo(in_addr_, v);
      return;
    case kInHi:
      set_hi(in_addr_, v);
      return;
    case kOutLo:
      set_lo(out_addr_, v);
      return;
    case kOutHi:
      set_hi(out_addr_, v);
      return;
    case kDescLo:
      set_lo(desc_addr_, v);
      return;
    case kDescHi:
      set_hi(desc_addr_, v);
      return;
    case kFrames:
      frames_ = v;
      return;
    case kLayers:
      layers_ = v;
      return;
  }
  update_irq();
}

void EngineRegisters::refuse(uint32_t cause, uint32_t layer) {
  status_ = kIdle | kError | (cause << kCauseLsb);
  error_layer_ = layer;
  irq_status_ |= kIrqError;
}

void EngineRegisters::start() {
  if (busy_) {
    ++start_ignored_;
    return;
  }
  error_layer_ = 0;
  uint32_t cause = regs::kCauseNone;
  if (frames_ == 0)
    cause = regs::kCauseZeroFrames;
  else if (!inside(in_addr_, g_.in_frame_bytes * frames_, g_.ddr_bytes))
    cause = regs::kCauseInputOutsideDdr;
  else if (!inside(out_addr_, g_.out_frame_bytes * frames_, g_.ddr_bytes))
    cause = regs::kCauseOutputOutsideDdr;
  else if (layers_ != g_.layers)
    cause = kCauseLayerCount;
  else if (!inside(desc_addr_, uint64_t(layers_) * kDescriptorBytes, g_.ddr_bytes))
    cause = kCauseDescriptorsOutsideDdr;
  if (cause != regs::kCauseNone) {
    refuse(cause, 0);
    return;
  }
  status_ = kBusy;
  busy_ = true;
  job_start_ = sc_core::sc_time_stamp();
  runner_.start({in_addr_, out_addr_, desc_addr_, frames_, layers_});
}

void EngineRegisters::job_done() {
  if (!busy_) return;  // abandoned by RESET
  busy_before_ += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  busy_ = false;
  status_ = kIdle | kDone;
  irq_status_ |= kIrqDone;
  update_irq();
}

void EngineRegisters::job_refused(uint32_t cause, uint32_t layer) {
  if (!busy_) return;
  busy_before_ += uint64_t((sc_core::sc_time_stamp() - job_start_) / g_.clock);
  busy_ = false;
  refuse(cause, layer);
  update_irq();
}

void EngineRegisters::update_irq() {
  set_irq_level((ctrl_ & kGlobalIrq) && (irq_status_ & irq_enable_));
}

}  // namespace vine::platforms
