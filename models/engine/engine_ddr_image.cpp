#include "models/engine/engine_ddr_image.h"

#include <stdexcept>

namespace vine::models {

using engine::element_bytes;

std::vector<uint8_t> encode_elements(const int32_t* values, size_t n, int eb,
                                     const std::string& what) {
  std::vector<uint8_t> out(n * size_t(eb));
  const int bits = 8 * eb;
  const int64_t lo = bits >= 32 ? INT32_MIN : -(int64_t{1} << (bits - 1));
  const int64_t hi = bits >= 32 ? int64_t{UINT32_MAX} : (int64_t{1} << bits) - 1;
  for (size_t i = 0; i < n; ++i) {
    const int64_t v = values[i];
    // Either reading (signed or unsigned) must give the value back.
    if (v < lo || v > hi)
      throw std::invalid_argument(what + ": element " + std::to_string(i) + " is " +
                                  std::to_string(v) + ", which " + std::to_string(eb) +
                                  " byte(s) cannot hold");
    const uint32_t u = uint32_t(v);
    for (int b = 0; b < eb; ++b) out[i * size_t(eb) + size_t(b)] = uint8_t(u >> (8 * b));
  }
  return out;
}

std::vector<int32_t> decode_elements(const uint8_t* bytes, size_t n, int eb, bool is_signed) {
  std::vector<int32_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = 0;
    for (int b = 0; b < eb; ++b) u |= uint32_t(bytes[i * size_t(eb) + size_t(b)]) << (8 * b);
    if (is_signed && eb < 4 && (u >> (8 * eb - 1)) & 1u) u |= ~uint32_t(0) << (8 * eb);
    out[i] = int32_t(u);
  }
  return out;
}

std::vector<DdrRegion> parameter_image(const ir::Design& d, const engine::EnginePlan& plan,
                                       const golden::NetworkParams& params) {
  std::vector<DdrRegion> image;
  for (const engine::EngineLayerPlan& lp : plan.layers) {
    const ir::Layer& l = d.network.layers[size_t(lp.layer)];
    const golden::LayerParams& p = params.layers[size_t(lp.layer)];
    if (!l.has_weights()) continue;
    if (lp.generated) {
      // One transfer loads both (the plan's coefficient load).
      const int cb = int(element_bytes(l.generated_weights->coeff_bits));
      DdrRegion r{lp.coefficient_loads.at(0).address,
                  encode_elements(p.ovsf->coeffs.data(), p.ovsf->coeffs.size(), cb,
                                  "coefficients of " + l.name),
                  "coefficients and codes of " + l.name};
      const std::vector<uint8_t> codes =
          encode_elements(p.ovsf->codes.data(), p.ovsf->codes.size(), 4, "codes of " + l.name);
      r.bytes.insert(r.bytes.end(), codes.begin(), codes.end());
      if (r.bytes.size() != lp.coefficient_loads[0].bytes)
        throw std::logic_error("engine: " + l.name + "'s coefficients take " +
                               std::to_string(r.bytes.size()) + " bytes, the plan loads " +
                               std::to_string(lp.coefficient_loads[0].bytes));
      image.push_back(std::move(r));
    } else {
      // The first tile loads from the region's start (its group begins at filter 0).
      const uint64_t at = lp.tiles.at(0).weight_loads.at(0).address;
      image.push_back(
          {at,
           encode_elements(p.weight_values.data(), p.weight_values.size(),
                           int(element_bytes(l.max_weight_bits())), "weights of " + l.name),
           "weights of " + l.name});
    }
  }
  return image;
}

DdrRegion input_image(const ir::Design& d, const engine::EnginePlan& plan,
                      const golden::IntTensor& frame) {
  const ir::Network& net = d.network;
  if (frame.h != net.input_shape.h || frame.w != net.input_shape.w || frame.c != net.input_shape.c)
    throw std::invalid_argument(
        "engine: an input frame of " + std::to_string(frame.h) + "x" + std::to_string(frame.w) +
        "x" + std::to_string(frame.c) + ", the network takes " + std::to_string(net.input_shape.h) +
        "x" + std::to_string(net.input_shape.w) + "x" + std::to_string(net.input_shape.c));
  return {plan.input_address,
          encode_elements(frame.data.data(), frame.data.size(),
                          int(element_bytes(net.input_type.bits)), "the input frame"),
          "input frame"};
}

engine::Transfer output_region(const ir::Design& d, const engine::EnginePlan& plan) {
  const ir::Layer& last = d.network.layers.back();
  return {plan.layers.back().output_address,
          uint64_t(last.out_shape.elements() * element_bytes(last.out_type.bits))};
}

golden::IntTensor decode_output(const ir::Design& d, const std::vector<uint8_t>& bytes) {
  const ir::Layer& last = d.network.layers.back();
  golden::IntTensor t(last.out_shape.h, last.out_shape.w, last.out_shape.c);
  t.data = decode_elements(bytes.data(), t.size(), int(element_bytes(last.out_type.bits)),
                           last.out_type.kind == ir::ActivationKind::kSigned);
  return t;
}

}  // namespace vine::models
