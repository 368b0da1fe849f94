#include "platforms/board/engine_image.h"

#include <cstring>

#include "models/engine/engine_ddr_image.h"
#include "platforms/board/engine_descriptor.h"
#include "platforms/driver/engine_image_format.h"

namespace vine::platforms {

namespace {

void put(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int b = 0; b < bytes; ++b) out.push_back(uint8_t(v >> (8 * b)));
}

}  // namespace

uint32_t engine_config_id(const golden::NetworkParams& params) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](int64_t v) {
    for (int b = 0; b < 8; ++b) {
      h ^= uint64_t(v) >> (8 * b) & 0xFF;
      h *= 1099511628211ull;
    }
  };
  for (const golden::LayerParams& l : params.layers) {
    mix(l.thresholds.steps);
    mix(int64_t(l.thresholds.values.size()));
    for (int64_t t : l.thresholds.values) mix(t);
    mix(l.thresholds.out_bias);
    const golden::Requantizer& r = l.requant;
    mix(int64_t(r.multiplier.size()));
    for (size_t i = 0; i < r.multiplier.size(); ++i) {
      mix(r.multiplier[i]);
      mix(i < r.shift.size() ? r.shift[i] : 0);
    }
    mix(r.zero_point);
    mix(r.lo);
    mix(r.hi);
    mix(int64_t(r.rounding));
  }
  return uint32_t(h ^ h >> 32);
}

std::vector<uint8_t> engine_image(const ir::Design& d, const engine::EnginePlan& plan,
                                  const golden::NetworkParams& params) {
  namespace fmt = engine_image;
  // The plan's layout starts at address 0, so its addresses are already
  // offsets in the image; the table follows it, on its own page.
  const std::vector<LayerDescriptor> table = plan_descriptors(d, plan);
  const std::vector<uint8_t> table_bytes = encode_descriptors(table);
  const uint64_t table_offset = (plan.ddr_bytes + fmt::kAlignment - 1) / fmt::kAlignment * fmt::kAlignment;
  const uint64_t image_bytes =
      (table_offset + table_bytes.size() + fmt::kAlignment - 1) / fmt::kAlignment * fmt::kAlignment;
  const std::vector<LayerRegions> regions = layer_regions(d, plan);
  const std::vector<models::DdrRegion> segments = models::parameter_image(d, plan, params);

  std::vector<uint8_t> out(fmt::kMagic, fmt::kMagic + sizeof fmt::kMagic);
  put(out, fmt::kVersion, 4);
  put(out, kDescriptorBytes, 4);
  put(out, table.size(), 4);
  put(out, segments.size(), 4);
  put(out, image_bytes, 8);
  put(out, table_offset, 8);
  put(out, regions.at(0).input_bytes.at(0), 8);
  put(out, regions.back().output_bytes, 8);
  put(out, engine_config_id(params), 4);
  put(out, 0, 4);
  for (size_t i = 0; i < table.size(); ++i) {
    const LayerDescriptor& x = table[i];
    uint32_t bits = 0;
    if (x.input != kNetworkFrame) bits |= fmt::kRelocateInput;
    if (regions[i].input_bytes.size() > 1 && x.input2 != kNetworkFrame) bits |= fmt::kRelocateInput2;
    if (x.output != kNetworkFrame) bits |= fmt::kRelocateOutput;
    if (x.weight_source != uint32_t(WeightSource::kNone)) bits |= fmt::kRelocateWeights;
    put(out, bits, 4);
  }
  out.insert(out.end(), table_bytes.begin(), table_bytes.end());
  for (const models::DdrRegion& r : segments) {
    put(out, r.address, 8);
    put(out, r.bytes.size(), 8);
    out.insert(out.end(), r.bytes.begin(), r.bytes.end());
  }
  return out;
}

}  // namespace vine::platforms
