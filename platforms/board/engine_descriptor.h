// The compute engine's layer descriptors (docs/engine-vp.md, "Layer
// descriptors"): what software writes to DDR, one 72-byte record per layer,
// to tell the engine what each layer is and where its tensors lie; the
// engine reads the table at START, checks every record against its own plan
// for the layer (the hardware's fixed configuration: a descriptor cannot
// make the engine run a layer it was not built for) and refuses the job at
// the first bad one, with a cause and the layer.
//
// Byte by byte, little-endian:
//   0  u32  kind: 1 conv, 2 dwconv, 3 fc, 4 maxpool, 5 avgpool, 6 add, 7 pad,
//           8 threshold, 9 requant
//   4  u32  weight source: 0 none, 1 dense weights from DDR, 2 OVSF generator
//           (coefficients and codes from DDR)
//   8  u32  input height      12 u32 input width      16 u32 input channels
//  20  u32  output height     24 u32 output width     28 u32 output channels
//  32  u16  kernel            34 u16 stride
//  36  u32  bytes of the weights region (dense weights, or coefficients then codes; 0: none)
//  40  u64  input address (kNetworkFrame: the job's input frame)
//  48  u64  second input address (an add layer's; else 0)
//  56  u64  output address (kNetworkFrame: the job's output frame)
//  64  u64  weights address (0: none)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/engine_tiling.h"
#include "sim/ir/design.h"

namespace vine::platforms {

inline constexpr uint32_t kDescriptorBytes = 72;
// An address field that means the job's frame: IN_ADDR + f x IN_FRAME_BYTES
// for an input, OUT_ADDR + f x OUT_FRAME_BYTES for an output.
inline constexpr uint64_t kNetworkFrame = ~uint64_t{0};

enum class WeightSource : uint32_t { kNone = 0, kDdr = 1, kGenerator = 2 };

struct LayerDescriptor {
  uint32_t kind = 0;
  uint32_t weight_source = 0;
  uint32_t in_h = 0, in_w = 0, in_c = 0, out_h = 0, out_w = 0, out_c = 0;
  uint16_t kernel = 0, stride = 0;
  uint32_t weight_bytes = 0;
  uint64_t input = 0, input2 = 0, output = 0, weights = 0;
};

// The descriptor kind of a layer kind (0 for one the engine does not run).
uint32_t descriptor_kind(ir::LayerKind k);

std::vector<uint8_t> encode_descriptors(const std::vector<LayerDescriptor>& table);
std::vector<LayerDescriptor> decode_descriptors(const uint8_t* bytes, size_t count);

// The descriptors of the engine's plan at the plan's own DDR layout
// (engine_tiling.h), the network's input and output frames as kNetworkFrame:
// what the driver writes for the layout `vine run` uses.
std::vector<LayerDescriptor> plan_descriptors(const ir::Design& d, const engine::EnginePlan& plan);

// Every layer's region bytes: its input(s), output and weights.
struct LayerRegions {
  std::vector<uint64_t> input_bytes;
  uint64_t output_bytes = 0, weight_bytes = 0;
};
std::vector<LayerRegions> layer_regions(const ir::Design& d, const engine::EnginePlan& plan);

// A refusal: the STATUS.CAUSE value, the descriptor, and the words.
struct DescriptorCheck {
  uint32_t cause = 0;  // engine_regs::kCause..., 0 when the table is good
  uint32_t layer = 0;
  std::string message;
};

// Checks the table against the plan and the DDR ([0, ddr_bytes)); the
// network frames' addresses are the job's (checked at START).
DescriptorCheck check_descriptors(const ir::Design& d, const engine::EnginePlan& plan,
                                  const std::vector<LayerDescriptor>& table, uint64_t ddr_bytes);

// The plan with every transfer moved to the descriptors' addresses, for
// frame `frame` of a job whose frames lie from `in_addr` and `out_addr`.
engine::EnginePlan relocate(const ir::Design& d, const engine::EnginePlan& plan,
                            const std::vector<LayerDescriptor>& table, uint64_t in_addr,
                            uint64_t out_addr, uint32_t frame);

}  // namespace vine::platforms
