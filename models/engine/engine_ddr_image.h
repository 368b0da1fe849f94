// What the compute engine's tensors look like as bytes in the board's DDR
// (docs/engine.md, "DDR layout"): every element in whole bytes, little-endian,
// two's complement where the element is signed; activations HWC, dense
// weights [oc][kh][kw][ic] (their integer values, arith::weight_value), a
// generated layer's coefficients [filter][kept] then its kept code indices
// as 4-byte unsigned words. The plan (sim/engine/engine_tiling.h) says where
// each region lies; this file says what its bytes are, for the engine's DMA
// that reads and writes them and for the software (`vine run`'s loader, the
// VP's driver) that puts the network's parameters and frames there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/engine_tiling.h"
#include "sim/golden/network_params.h"
#include "sim/golden/tensor.h"

namespace vine::models {

// `n` elements of `element_bytes` bytes each. Throws std::invalid_argument,
// naming `what`, for a value the element cannot hold (the DDR image would
// not be the tensor).
std::vector<uint8_t> encode_elements(const int32_t* values, size_t n, int element_bytes,
                                     const std::string& what);
// The inverse: sign-extended from the element's top bit when `is_signed`.
std::vector<int32_t> decode_elements(const uint8_t* bytes, size_t n, int element_bytes,
                                     bool is_signed);

// One region of the DDR image: its address and bytes.
struct DdrRegion {
  uint64_t address = 0;
  std::vector<uint8_t> bytes;
  std::string what;  // "weights of conv1", "coefficients of b1_conv_a", ...
};

// Every weighted layer's dense weights, or its coefficients and kept codes,
// at the plan's addresses: what the software writes once before the first
// frame.
std::vector<DdrRegion> parameter_image(const ir::Design& d, const engine::EnginePlan& plan,
                                       const golden::NetworkParams& params);
// The network's input frame at the plan's input address.
DdrRegion input_image(const ir::Design& d, const engine::EnginePlan& plan,
                      const golden::IntTensor& frame);
// The bytes of the network's output frame (the last layer's output region),
// decoded.
golden::IntTensor decode_output(const ir::Design& d, const std::vector<uint8_t>& bytes);
// Where the network's output frame lies, and its bytes.
engine::Transfer output_region(const ir::Design& d, const engine::EnginePlan& plan);

}  // namespace vine::models
