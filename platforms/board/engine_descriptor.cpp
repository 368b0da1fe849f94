#include "platforms/board/engine_descriptor.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "platforms/board/engine_register_map.h"

namespace vine::platforms {

using ir::LayerKind;

namespace {

template <typename T>
void put(std::vector<uint8_t>& b, size_t at, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) b[at + i] = uint8_t(uint64_t(v) >> (8 * i));
}
template <typename T>
T get(const uint8_t* b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= uint64_t(b[at + i]) << (8 * i);
  return T(v);
}

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

// Where the plan puts a layer's weights (or coefficients), or 0.
uint64_t plan_weights_address(const engine::EngineLayerPlan& lp) {
  if (lp.generated) return lp.coefficient_loads.at(0).address;
  for (const auto& t : lp.tiles)
    if (!t.weight_loads.empty()) return t.weight_loads[0].address;
  return 0;
}

uint64_t plan_input_address(const engine::EnginePlan& plan, int idx) {
  return idx < 0 ? plan.input_address : plan.layers[size_t(idx)].output_address;
}

}  // namespace

uint32_t descriptor_kind(LayerKind k) {
  switch (k) {
    case LayerKind::kConv:
      return 1;
    case LayerKind::kDwConv:
      return 2;
    case LayerKind::kFc:
      return 3;
    case LayerKind::kMaxPool:
      return 4;
    case LayerKind::kAvgPool:
      return 5;
    case LayerKind::kAdd:
      return 6;
    case LayerKind::kPad:
      return 7;
    case LayerKind::kThreshold:
      return 8;
    case LayerKind::kRequant:
      return 9;
    default:
      return 0;
  }
}

std::vector<uint8_t> encode_descriptors(const std::vector<LayerDescriptor>& table) {
  std::vector<uint8_t> b(table.size() * kDescriptorBytes, 0);
  for (size_t i = 0; i < table.size(); ++i) {
    const LayerDescriptor& d = table[i];
    const size_t o = i * kDescriptorBytes;
    put<uint32_t>(b, o + 0, d.kind);
    put<uint32_t>(b, o + 4, d.weight_source);
    put<uint32_t>(b, o + 8, d.in_h);
    put<uint32_t>(b, o + 12, d.in_w);
    put<uint32_t>(b, o + 16, d.in_c);
    put<uint32_t>(b, o + 20, d.out_h);
    put<uint32_t>(b, o + 24, d.out_w);
    put<uint32_t>(b, o + 28, d.out_c);
    put<uint16_t>(b, o + 32, d.kernel);
    put<uint16_t>(b, o + 34, d.stride);
    put<uint32_t>(b, o + 36, d.weight_bytes);
    put<uint64_t>(b, o + 40, d.input);
    put<uint64_t>(b, o + 48, d.input2);
    put<uint64_t>(b, o + 56, d.output);
    put<uint64_t>(b, o + 64, d.weights);
  }
  return b;
}

std::vector<LayerDescriptor> decode_descriptors(const uint8_t* b, size_t count) {
  std::vector<LayerDescriptor> table(count);
  for (size_t i = 0; i < count; ++i) {
    LayerDescriptor& d = table[i];
    const size_t o = i * kDescriptorBytes;
    d.kind = get<uint32_t>(b, o + 0);
    d.weight_source = get<uint32_t>(b, o + 4);
    d.in_h = get<uint32_t>(b, o + 8);
    d.in_w = get<uint32_t>(b, o + 12);
    d.in_c = get<uint32_t>(b, o + 16);
    d.out_h = get<uint32_t>(b, o + 20);
    d.out_w = get<uint32_t>(b, o + 24);
    d.out_c = get<uint32_t>(b, o + 28);
    d.kernel = get<uint16_t>(b, o + 32);
    d.stride = get<uint16_t>(b, o + 34);
    d.weight_bytes = get<uint32_t>(b, o + 36);
    d.input = get<uint64_t>(b, o + 40);
    d.input2 = get<uint64_t>(b, o + 48);
    d.output = get<uint64_t>(b, o + 56);
    d.weights = get<uint64_t>(b, o + 64);
  }
  return table;
}

std::vector<LayerRegions> layer_regions(const ir::Design& d, const engine::EnginePlan& plan) {
  const ir::Network& net = d.network;
  std::vector<LayerRegions> r(plan.layers.size());
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    const engine::EngineLayerPlan& lp = plan.layers[i];
    const ir::Layer& l = net.layers[size_t(lp.layer)];
    for (int idx : l.input_index) {
      const ir::ActivationType& t = idx < 0 ? net.input_type : net.layers[size_t(idx)].out_type;
      const ir::Shape& s = idx < 0 ? net.input_shape : net.layers[size_t(idx)].out_shape;
      r[i].input_bytes.push_back(uint64_t(s.elements() * engine::element_bytes(t.bits)));
    }
    r[i].output_bytes = uint64_t(l.out_shape.elements() * engine::element_bytes(l.out_type.bits));
    if (lp.generated)
      r[i].weight_bytes = uint64_t(lp.coefficient_bytes);
    else if (l.has_weights())
      r[i].weight_bytes = uint64_t(l.matrix_height() * l.matrix_width() *
                                   engine::element_bytes(l.max_weight_bits()));
  }
  return r;
}

std::vector<LayerDescriptor> plan_descriptors(const ir::Design& d, const engine::EnginePlan& plan) {
  const std::vector<LayerRegions> regions = layer_regions(d, plan);
  std::vector<LayerDescriptor> table;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    const engine::EngineLayerPlan& lp = plan.layers[i];
    const ir::Layer& l = d.network.layers[size_t(lp.layer)];
    LayerDescriptor x;
    x.kind = descriptor_kind(l.kind);
    x.weight_source = uint32_t(lp.generated      ? WeightSource::kGenerator
                               : l.has_weights() ? WeightSource::kDdr
                                                 : WeightSource::kNone);
    x.in_h = uint32_t(l.in_shape.h), x.in_w = uint32_t(l.in_shape.w),
    x.in_c = uint32_t(l.in_shape.c);
    x.out_h = uint32_t(l.out_shape.h), x.out_w = uint32_t(l.out_shape.w),
    x.out_c = uint32_t(l.out_shape.c);
    // Square windows only on the engine (load_design refuses the others).
    x.kernel = uint16_t(l.kernel_h), x.stride = uint16_t(l.stride_h);
    x.weight_bytes = uint32_t(regions[i].weight_bytes);
    auto input = [&](int idx) { return idx < 0 ? kNetworkFrame : plan_input_address(plan, idx); };
    x.input = input(l.input_index.at(0));
    x.input2 = l.input_index.size() > 1 ? input(l.input_index[1]) : 0;
    x.output = i + 1 == plan.layers.size() ? kNetworkFrame : lp.output_address;
    x.weights = plan_weights_address(lp);
    table.push_back(x);
  }
  return table;
}

DescriptorCheck check_descriptors(const ir::Design& d, const engine::EnginePlan& plan,
                                  const std::vector<LayerDescriptor>& table, uint64_t ddr_bytes) {
  const std::vector<LayerRegions> regions = layer_regions(d, plan);
  const std::vector<LayerDescriptor> want = plan_descriptors(d, plan);
  for (uint32_t i = 0; i < table.size(); ++i) {
    const LayerDescriptor& x = table[i];
    const LayerDescriptor& p = want[i];
    const ir::Layer& l = d.network.layers[size_t(plan.layers[i].layer)];
    const std::string where = "descriptor " + std::to_string(i) + " (layer " + l.name + "): ";
    if (x.kind < 1 || x.kind > 9)
      return {engine_regs::kCauseUnknownKind, i,
              where + "kind " + std::to_string(x.kind) +
                  " is not a layer kind the engine runs (1 conv, 2 dwconv, 3 fc, 4 maxpool, 5 "
                  "avgpool, 6 add, 7 pad, 8 threshold, 9 requant)"};
    const struct {
      const char* field;
      uint64_t got, expected;
    } fields[] = {{"kind", x.kind, p.kind},
                  {"weight source", x.weight_source, p.weight_source},
                  {"input height", x.in_h, p.in_h},
                  {"input width", x.in_w, p.in_w},
                  {"input channels", x.in_c, p.in_c},
                  {"output height", x.out_h, p.out_h},
                  {"output width", x.out_w, p.out_w},
                  {"output channels", x.out_c, p.out_c},
                  {"kernel", x.kernel, p.kernel},
                  {"stride", x.stride, p.stride},
                  {"weight bytes", x.weight_bytes, p.weight_bytes}};
    for (const auto& f : fields)
      if (f.got != f.expected)
        return {engine_regs::kCausePlanMismatch, i,
                where + f.field + " " + std::to_string(f.got) + ", expected " +
                    std::to_string(f.expected) + " (the engine's plan for the layer)"};
    if ((x.input2 != 0) != (l.input_index.size() > 1))
      return {engine_regs::kCausePlanMismatch, i,
              where + "second input address " + hex(x.input2) + ", expected " +
                  (l.input_index.size() > 1 ? "one (an add layer has two inputs)"
                                            : "0 (the layer has one input)")};
    // Every region inside DDR, without overflow.
    auto outside = [&](uint64_t a, uint64_t n) { return a >= ddr_bytes || n > ddr_bytes - a; };
    const struct {
      const char* field;
      uint64_t address, bytes;
    } spans[] = {{"input", x.input, regions[i].input_bytes.at(0)},
                 {"second input", x.input2,
                  regions[i].input_bytes.size() > 1 ? regions[i].input_bytes[1] : 0},
                 {"output", x.output, regions[i].output_bytes},
                 {"weights", x.weights, regions[i].weight_bytes}};
    for (const auto& s : spans) {
      if (s.bytes == 0 || s.address == kNetworkFrame) continue;
      if (outside(s.address, s.bytes))
        return {engine_regs::kCauseRegionOutsideDdr, i,
                where + s.field + " region [" + hex(s.address) + ", +" + std::to_string(s.bytes) +
                    " bytes) lies outside the DDR's " + std::to_string(ddr_bytes) + " bytes"};
    }
  }
  return {};
}

engine::EnginePlan relocate(const ir::Design& d, const engine::EnginePlan& plan,
                            const std::vector<LayerDescriptor>& table, uint64_t in_addr,
                            uint64_t out_addr, uint32_t frame) {
  const std::vector<LayerRegions> regions = layer_regions(d, plan);
  const uint64_t in_frame = regions.at(0).input_bytes.at(0),
                 out_frame = regions.back().output_bytes;
  auto input_at = [&](uint64_t a) { return a == kNetworkFrame ? in_addr + frame * in_frame : a; };
  auto output_at = [&](uint64_t a) {
    return a == kNetworkFrame ? out_addr + frame * out_frame : a;
  };
  engine::EnginePlan r = plan;
  for (size_t i = 0; i < r.layers.size(); ++i) {
    engine::EngineLayerPlan& lp = r.layers[i];
    const ir::Layer& l = d.network.layers[size_t(lp.layer)];
    const LayerDescriptor& x = table.at(i);
    std::vector<int64_t> in_shift;
    for (size_t k = 0; k < l.input_index.size(); ++k)
      in_shift.push_back(int64_t(input_at(k == 0 ? x.input : x.input2)) -
                         int64_t(plan_input_address(plan, l.input_index[k])));
    const int64_t out_shift = int64_t(output_at(x.output)) - int64_t(lp.output_address);
    const int64_t w_shift = int64_t(x.weights) - int64_t(plan_weights_address(plan.layers[i]));
    lp.output_address = output_at(x.output);
    for (auto& c : lp.coefficient_loads) c.address = uint64_t(int64_t(c.address) + w_shift);
    for (auto& t : lp.tiles) {
      for (auto& w : t.weight_loads) w.address = uint64_t(int64_t(w.address) + w_shift);
      for (size_t k = 0; k < t.input_loads.size(); ++k)
        t.input_loads[k].address = uint64_t(int64_t(t.input_loads[k].address) + in_shift.at(k));
      if (t.stores_outputs)
        t.output_store.address = uint64_t(int64_t(t.output_store.address) + out_shift);
    }
  }
  return r;
}

}  // namespace vine::platforms
