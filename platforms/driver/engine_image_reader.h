// Reads a compute engine's network image (engine_image_format.h) for
// vine_engine_load(): every field checked against the file's size and the
// others, so that a truncated or foreign file is named with what is wrong
// and where, before anything reaches the device.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vine::driver {

struct EngineImage {
  uint32_t descriptor_bytes = 0, layers = 0;
  uint64_t image_bytes = 0, table_offset = 0, in_frame_bytes = 0, out_frame_bytes = 0;
  uint32_t config_id = 0;
  std::vector<uint32_t> relocations;  // per layer, engine_image::kRelocate* bits
  std::vector<uint8_t> table;         // layers x descriptor_bytes, addresses relative to the image
  struct Segment {
    uint64_t offset = 0;
    std::vector<uint8_t> bytes;
  };
  std::vector<Segment> segments;
};

// Throws DriverError(VINE_EINVAL) naming `path`, the byte offset and the field.
EngineImage read_engine_image(const std::string& path);

// The table with every relocated address field moved by `base`.
std::vector<uint8_t> relocated_table(const EngineImage& image, uint64_t base);

}  // namespace vine::driver
