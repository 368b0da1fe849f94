// The compute engine's network image (docs/driver.md, "The compute engine"):
// what `vine export engine-image` writes and vine_engine_load() puts in
// device memory. It holds the software's share of a network on the engine:
// every weighted layer's dense weights, or its OVSF coefficients and kept
// codes, and the layer-descriptor table, laid out relative to the image's
// own base, so that a driver can place the image wherever its allocator
// finds room and move the descriptors' addresses there.
//
// Little-endian throughout:
//
//   header, kHeaderBytes:
//     0  char[8] magic "VENGIMG\0"
//     8  u32     format version (kVersion)
//    12  u32     bytes of one layer descriptor (the engine's DESC_BYTES)
//    16  u32     layers: descriptors in the table
//    20  u32     segments
//    24  u64     image bytes: device memory the image takes, its
//                intermediate activations included (a multiple of 4096)
//    32  u64     the table's offset in the image
//    40  u64     bytes of one input frame  (the engine's IN_FRAME_BYTES)
//    48  u64     bytes of one output frame (the engine's OUT_FRAME_BYTES)
//    56  u32     configuration id: the fingerprint of the thresholds and
//                re-quantisers the network needs, which are the engine's
//                configuration and not in DDR (its CONFIG_ID register must
//                read the same)
//    60  u32     0 (reserved)
//   then per layer, a u32 of relocation bits: which of the descriptor's
//     address fields lie in the image (kRelocate*) and move with its base;
//     the others are "the job's frame" (all ones) or "none" (0)
//   then the table: layers x descriptor bytes, addresses relative to the image
//   then each segment: u64 offset in the image, u64 bytes, the bytes
//   and nothing after the last segment.
#pragma once

#include <cstdint>

namespace vine::engine_image {

inline constexpr char kMagic[8] = {'V', 'E', 'N', 'G', 'I', 'M', 'G', '\0'};
inline constexpr uint32_t kVersion = 1;
inline constexpr uint64_t kHeaderBytes = 64;
inline constexpr uint64_t kAlignment = 4096;

// A descriptor's address fields (platforms/board/engine_descriptor.h), by
// byte offset in the descriptor, and their relocation bits.
inline constexpr uint32_t kInputField = 40, kInput2Field = 48, kOutputField = 56,
                          kWeightsField = 64;
inline constexpr uint32_t kRelocateInput = 1u << 0, kRelocateInput2 = 1u << 1,
                          kRelocateOutput = 1u << 2, kRelocateWeights = 1u << 3;
inline constexpr uint32_t kRelocateAll =
    kRelocateInput | kRelocateInput2 | kRelocateOutput | kRelocateWeights;

}  // namespace vine::engine_image
