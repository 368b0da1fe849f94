#include "platforms/board/control_registers.h"

namespace vine::platforms {

using namespace regs;

namespace {
constexpr uint32_t kStallLo = offset_of("STALL_CYCLES_LO"), kStallHi = offset_of("STALL_CYCLES_HI");
}  // namespace

ControlRegisters::ControlRegisters(sc_core::sc_module_name name, const Geometry& g,
                                   JobRunner& runner)
    : JobRegisters(name, &regs::find, g), runner_(runner) {}

bool ControlRegisters::read_own(uint32_t offset, uint32_t& value) {
  switch (offset) {
    case kStallLo:
      value = latch(runner_.counters().stall_cycles, stall_hi_);
      return true;
    case kStallHi:
      value = stall_hi_;
      return true;
  }
  return false;
}

uint32_t ControlRegisters::own_start_cause() {
  return runner_.fits(frames()) ? kCauseNone : kCauseOverBudget;
}

void ControlRegisters::start_job() {
  runner_.start_job({in_addr(), out_addr(), frames()});
}

}  // namespace vine::platforms
