#include "platforms/board/engine_registers.h"

#include "platforms/board/engine_descriptor.h"

namespace vine::platforms {

using namespace engine_regs;

namespace {
constexpr uint32_t kDescLo = offset_of("DESC_ADDR_LO"), kDescHi = offset_of("DESC_ADDR_HI"),
                   kLayers = offset_of("LAYERS"), kErrorLayer = offset_of("ERROR_LAYER"),
                   kDescBytes = offset_of("DESC_BYTES"), kConfigId = offset_of("CONFIG_ID");

// The job's registers (job_registers.cpp, the frames' formats among them) are at the
// accelerator's offsets: the driver library reads either board's.
constexpr bool same_offsets() {
  for (const char* name :
       {"CTRL", "STATUS", "IRQ_ENABLE", "IRQ_STATUS", "IN_ADDR_LO", "IN_ADDR_HI", "OUT_ADDR_LO",
        "OUT_ADDR_HI", "FRAMES", "START_IGNORED", "CYCLES_BUSY_LO", "CYCLES_BUSY_HI",
        "FRAMES_DONE", "DDR_BYTES_LO", "DDR_BYTES_HI", "IN_FRAME_BYTES", "OUT_FRAME_BYTES",
        "IN_FORMAT", "OUT_FORMAT"})
    if (offset_of(name) != regs::offset_of(name) || offset_of(name) == 0xFFFFFFFF) return false;
  return true;
}
static_assert(same_offsets(), "the engine's job registers must sit at the accelerator's offsets");

}  // namespace

EngineRegisters::EngineRegisters(sc_core::sc_module_name name, const Geometry& g, Runner runner)
    : JobRegisters(name, &engine_regs::find, g),
      layers_in_plan_(g.layers),
      config_id_(g.config_id),
      runner_(std::move(runner)) {}

bool EngineRegisters::read_own(uint32_t offset, uint32_t& value) {
  switch (offset) {
    case kDescLo:
      value = uint32_t(desc_addr_);
      return true;
    case kDescHi:
      value = uint32_t(desc_addr_ >> 32);
      return true;
    case kLayers:
      value = layers_;
      return true;
    case kErrorLayer:
      value = error_layer_;
      return true;
    case kDescBytes:
      value = kDescriptorBytes;
      return true;
    case kConfigId:
      value = config_id_;
      return true;
  }
  return false;
}

void EngineRegisters::write_own(const regs::Register& r, uint32_t v) {
  switch (r.offset) {
    case kDescLo:
      set_lo(desc_addr_, v);
      return;
    case kDescHi:
      set_hi(desc_addr_, v);
      return;
    case kLayers:
      layers_ = v;
      return;
  }
}

uint32_t EngineRegisters::own_start_cause() {
  error_layer_ = 0;  // every START not ignored clears the last refusal's layer
  if (layers_ != layers_in_plan_) return kCauseLayerCount;
  const uint64_t bytes = uint64_t(layers_) * kDescriptorBytes, size = geometry().ddr_bytes;
  if (desc_addr_ > size || bytes > size - desc_addr_) return kCauseDescriptorsOutsideDdr;
  return regs::kCauseNone;
}

void EngineRegisters::start_job() {
  runner_.start({in_addr(), out_addr(), desc_addr_, frames(), layers_});
}

void EngineRegisters::reset_counters() {
  error_layer_ = 0;
  frames_base_ = runner_.frames_done();
  ddr_base_ = runner_.ddr_bytes();
}

void EngineRegisters::job_refused(uint32_t cause, uint32_t layer) {
  if (!end_job()) return;
  error_layer_ = layer;
  refuse(cause);
  update_irq();
}

}  // namespace vine::platforms
