// The compute engine's control registers (docs/engine-vp.md), declared once
// in the streaming accelerator's register-table style (register_map.h): the
// model (engine_registers.cpp) and docs/engine-registers.md (`vine-regs
// --engine --markdown`, checked by a test) come from this table.
//
// The registers a driver of the streaming accelerator uses for a job (CTRL,
// STATUS, the interrupt pair, IN_ADDR, OUT_ADDR, FRAMES, the counters, the
// frame sizes) keep their offsets and meaning, so the driver library's
// start, wait and counter calls program either; the engine adds the layer-
// descriptor table (DESC_ADDR, LAYERS) and where a refusal was found
// (ERROR_LAYER).
#pragma once

#include "platforms/board/register_map.h"

namespace vine::platforms::engine_regs {

using regs::Access;
using regs::Field;
using regs::Register;
using regs::find_in;
using regs::offset_in;

inline constexpr uint32_t kIdValue = 0x56454E47;       // "VENG"
inline constexpr uint32_t kVersionValue = 0x00010000;  // 1.0

inline constexpr Field kStatusFields[] = {
    {"IDLE", 0, 1, "no job running"},
    {"BUSY", 1, 1, "a job is running"},
    {"DONE", 2, 1,
     "the last job completed (its last output row is in DDR); cleared by START or RESET"},
    {"ERROR", 3, 1,
     "the last START was refused, at START or when its descriptors were read; CAUSE says why, "
     "ERROR_LAYER where; cleared by START or RESET"},
    {"CAUSE", 8, 8,
     "0 none, 1 FRAMES is 0, 2 input frames outside DDR, 3 output frames outside DDR, 5 "
     "descriptor table outside DDR, 6 LAYERS is not the engine's layer count, 7 a descriptor's "
     "kind is unknown, 8 a descriptor's kind, shape or weight source is not the engine's plan "
     "for the layer, 9 a descriptor's region lies outside DDR"},
};

inline constexpr uint32_t kCauseDescriptorsOutsideDdr = 5, kCauseLayerCount = 6,
                          kCauseUnknownKind = 7, kCausePlanMismatch = 8, kCauseRegionOutsideDdr = 9;

inline constexpr Register kRegisters[] = {
    {"ID", 0x00, Access::kRO, kIdValue, "identifies the compute engine: 0x56454E47 (\"VENG\")",
     nullptr, 0},
    {"VERSION", 0x04, Access::kRO, kVersionValue, "register map version: (major << 16) + minor",
     nullptr, 0},
    {"CTRL", 0x08, Access::kRW, 0, "control (as the streaming accelerator's)", regs::kCtrlFields,
     3},
    {"STATUS", 0x0C, Access::kRO, 1, "state of the engine and of its last job", kStatusFields, 5},
    {"IRQ_ENABLE", 0x10, Access::kRW, 0, "interrupt sources that drive the line", regs::kIrqFields,
     2},
    {"IRQ_STATUS", 0x14, Access::kW1C, 0,
     "interrupt sources raised (level: the line is high while an enabled bit is set and "
     "IRQ_GLOBAL_ENABLE is on)",
     regs::kIrqFields, 2},
    {"IN_ADDR_LO", 0x18, Access::kRW, 0,
     "DDR address of the input frames (back to back), bits 31:0", nullptr, 0},
    {"IN_ADDR_HI", 0x1C, Access::kRW, 0, "bits 63:32", nullptr, 0},
    {"OUT_ADDR_LO", 0x20, Access::kRW, 0,
     "DDR address of the output frames (back to back), bits 31:0", nullptr, 0},
    {"OUT_ADDR_HI", 0x24, Access::kRW, 0, "bits 63:32", nullptr, 0},
    {"FRAMES", 0x28, Access::kRW, 0, "frames in the next job", nullptr, 0},
    {"START_IGNORED", 0x2C, Access::kRO, 0, "STARTs written while busy, since reset", nullptr, 0},
    {"CYCLES_BUSY_LO", 0x30, Access::kRO, 0,
     "engine clock cycles spent busy, since reset, bits 31:0", nullptr, 0},
    {"CYCLES_BUSY_HI", 0x34, Access::kRO, 0, "bits 63:32 (latched by reading CYCLES_BUSY_LO)",
     nullptr, 0},
    {"FRAMES_DONE", 0x38, Access::kRO, 0, "frames completed, since reset", nullptr, 0},
    {"DDR_BYTES_LO", 0x48, Access::kRO, 0,
     "bytes the engine's DMA moved to and from DDR, since reset, bits 31:0", nullptr, 0},
    {"DDR_BYTES_HI", 0x4C, Access::kRO, 0, "bits 63:32 (latched by reading DDR_BYTES_LO)", nullptr,
     0},
    {"IN_FRAME_BYTES", 0x50, Access::kRO, 0,
     "bytes of one input frame in DDR (HWC, a byte per element up to 8 bits)", nullptr, 0, true},
    {"OUT_FRAME_BYTES", 0x54, Access::kRO, 0, "bytes of one output frame in DDR", nullptr, 0, true},
    {"IN_FORMAT", 0x58, Access::kRO, 0,
     "how the input frame's elements lie in DDR: LANES 1, ELEM_BITS 8 x the element's whole bytes",
     regs::kFormatFields, 3, true},
    {"OUT_FORMAT", 0x5C, Access::kRO, 0, "how the output frame's elements lie in DDR, as IN_FORMAT",
     regs::kFormatFields, 3, true},
    {"DESC_ADDR_LO", 0x60, Access::kRW, 0,
     "DDR address of the layer-descriptor table (docs/engine-vp.md), bits 31:0", nullptr, 0},
    {"DESC_ADDR_HI", 0x64, Access::kRW, 0, "bits 63:32", nullptr, 0},
    {"LAYERS", 0x68, Access::kRW, 0, "descriptors in the table: one per layer, in network order",
     nullptr, 0},
    {"ERROR_LAYER", 0x6C, Access::kRO, 0,
     "the descriptor a refusal of cause 7, 8 or 9 was found in (0-based); 0 otherwise", nullptr, 0},
    {"DESC_BYTES", 0x70, Access::kRO, 0, "bytes of one layer descriptor", nullptr, 0, true},
    {"CONFIG_ID", 0x74, Access::kRO, 0,
     "fingerprint of the thresholds and re-quantisers the engine holds as configuration (not in "
     "DDR): a network image carries the one its weights need (docs/driver.md)",
     nullptr, 0, true},
};
inline constexpr int kRegisterCount = int(sizeof(kRegisters) / sizeof(kRegisters[0]));

constexpr const Register* find(uint32_t offset) { return find_in(kRegisters, offset); }
constexpr uint32_t offset_of(const char* name) { return offset_in(kRegisters, name); }

}  // namespace vine::platforms::engine_regs
