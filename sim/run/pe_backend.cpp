#include "sim/run/pe_backend.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "models/pe/rtl_dot_product.h"
#include "rtl/cosim/lanes_registry.h"
#include "sim/config/config_error.h"
#include "sim/engine/engine_run.h"
#include "vine_rtl_timing.h"

namespace vine::sim {

using arith::ActivationKind;
using arith::WeightArithmetic;

namespace {

// The weight types of a layer's channel groups (or its one type), in order.
std::vector<ir::WeightType> group_types(const ir::Layer& l) {
  if (l.channel_groups.empty()) return {*l.weights};
  std::vector<ir::WeightType> t;
  for (const auto& g : l.channel_groups) t.push_back(g.weights);
  return t;
}

ir::SourceLocation backend_location(const ir::Design& d, int layer) {
  const ir::LayerFolding& f = d.folding_of(layer);
  if (!f.backend_where.file.empty()) return f.backend_where;
  ir::SourceLocation w = f.where;
  w.field += ".backend";
  return w;
}

}  // namespace

int lanes_simd(const ir::Design& d, int layer) {
  return d.network.layers[size_t(layer)].kind == ir::LayerKind::kDwConv ? 1 : d.folding_of(layer).simd;
}

int64_t lanes_row_width(const ir::Layer& l) {
  return l.kind == ir::LayerKind::kDwConv ? l.kernel_positions() : l.matrix_width();
}

bool has_rtl_units(const ir::Layer& l) {
  return l.has_weights() || l.kind == ir::LayerKind::kThreshold || l.kind == ir::LayerKind::kRequant ||
         (l.kind == ir::LayerKind::kAdd && l.output.kind != ir::OutputKind::kAccumulator);
}

bool runs_on_rtl(const ir::Design& d, int layer, BackendChoice c) {
  if (!has_rtl_units(d.network.layers[size_t(layer)])) return false;
  switch (c) {
    case BackendChoice::kCpp: return false;
    case BackendChoice::kRtl: return true;
    case BackendChoice::kDesign: return d.folding_of(layer).backend == ir::PeBackend::kRtl;
  }
  return false;
}

models::LanesConfig lanes_config(const ir::Design& d, int layer, WeightArithmetic a, int simd, int64_t mw) {
  const ir::Layer& l = d.network.layers[size_t(layer)];
  const arith::ActivationType& act = l.in_type;
  const bool bipolar = act.kind == ActivationKind::kBipolar;
  const int a_signed = act.kind == ActivationKind::kSigned ? 1 : 0;
  const int m = int(mw);
  if (bipolar && a != WeightArithmetic::kBinary)
    throw config::ConfigError(backend_location(d, layer),
                              std::string(arith::to_string(a)) + " weights on bipolar activations",
                              "binary weights for an RTL back-end on layer " + l.name +
                                  " (the RTL lanes take bipolar activations in the XNOR-popcount unit only)");
  int widest = 0;
  for (const auto& w : group_types(l))
    if (w.arithmetic == a) widest = std::max(widest, a == WeightArithmetic::kPow2 ? w.exponent_bits : w.bits);
  models::LanesConfig c;
  switch (a) {
    case WeightArithmetic::kFixed:
      // Bit-serial lanes (docs/bit-serial.md): one unit sized for the widest
      // group, a narrower group's beats taking fewer cycles.
      if (d.folding_of(layer).bit_serial)
        c = {"mvau_lanes_bitserial",
             {{"SIMD", simd}, {"W_MAX", widest}, {"A", act.bits}, {"A_SIGNED", a_signed}, {"MW", m}}};
      else
        c = {"mvau_lanes_fixed", {{"SIMD", simd}, {"W", widest}, {"A", act.bits}, {"A_SIGNED", a_signed}, {"MW", m}}};
      break;
    case WeightArithmetic::kPow2:
      c = {"mvau_lanes_pow2", {{"SIMD", simd}, {"E", widest}, {"A", act.bits}, {"A_SIGNED", a_signed}, {"MW", m}}};
      break;
    case WeightArithmetic::kBinary:
      // The stage's PEs in PE array units (rtl/mvau_lanes_binary_pes.sv) of
      // at most kPeArrayMaxPes PEs: one model evaluation a cycle for each.
      c = {"mvau_lanes_binary_pes",
           {{"PE", models::pe_array_size(d.folding_of(layer).pe)},
            {"SIMD", simd},
            {"A", act.bits},
            {"A_SIGNED", a_signed},
            {"BIPOLAR", bipolar ? 1 : 0},
            {"MW", m}}};
      break;
    case WeightArithmetic::kTernary:
      c = {"mvau_lanes_ternary", {{"SIMD", simd}, {"A", act.bits}, {"A_SIGNED", a_signed}, {"MW", m}}};
      break;
  }
  return c;
}

namespace {

int acc_bits_of(const models::LanesConfig& c) {
  const int a = c.get("A"), s = c.get("A_SIGNED"), mw = c.get("MW");
  if (c.unit == "mvau_lanes_fixed") return rtl::mvau_lanes_fixed_acc_bits(c.get("W"), a, s, mw);
  if (c.unit == "mvau_lanes_bitserial") return rtl::mvau_lanes_bitserial_acc_bits(c.get("W_MAX"), a, s, mw);
  if (c.unit == "mvau_lanes_pow2") return rtl::mvau_lanes_pow2_acc_bits(c.get("E"), a, s, mw);
  if (c.unit == "mvau_lanes_binary" || c.unit == "mvau_lanes_binary_pes")
    return rtl::mvau_lanes_binary_acc_bits(a, s, c.get("BIPOLAR"), mw);
  return rtl::mvau_lanes_ternary_acc_bits(a, s, mw);
}

// XNOR-popcount counts agreements: its accumulator is unsigned.
bool acc_signed_of(const models::LanesConfig& c) {
  return !((c.unit == "mvau_lanes_binary" || c.unit == "mvau_lanes_binary_pes") && c.get("BIPOLAR"));
}

std::vector<models::LanesConfig> lanes_configs(const ir::Design& d, int layer) {
  const ir::Layer& l = d.network.layers[size_t(layer)];
  std::set<WeightArithmetic> seen;
  std::vector<models::LanesConfig> out;
  if (!l.has_weights()) return out;  // a standalone threshold layer
  for (const auto& w : group_types(l))
    if (seen.insert(w.arithmetic).second)
      out.push_back(lanes_config(d, layer, w.arithmetic, lanes_simd(d, layer), lanes_row_width(l)));
  return out;
}

}  // namespace

LanesAccumulator lanes_accumulator(const ir::Design& d, int layer) {
  const ir::Layer& l = d.network.layers[size_t(layer)];
  // The add's output unit takes the sum of its inputs' codes (its range,
  // one bit wider than the inputs).
  if (l.kind == ir::LayerKind::kAdd) return {l.acc_range.bits(), l.acc_range.lo < 0};
  // A standalone threshold layer compares its input's codes.
  if (!l.has_weights()) return {l.in_type.bits, l.in_type.kind == ActivationKind::kSigned};
  const auto configs = lanes_configs(d, layer);
  LanesAccumulator a;
  for (const auto& c : configs) a.is_signed |= acc_signed_of(c);
  // An unsigned accumulator among signed ones needs a bit more as two's complement.
  for (const auto& c : configs) a.bits = std::max(a.bits, acc_bits_of(c) + (a.is_signed && !acc_signed_of(c)));
  return a;
}

std::optional<models::LanesConfig> output_unit_config(const ir::Design& d, int layer) {
  const ir::Layer& l = d.network.layers[size_t(layer)];
  if (!has_rtl_units(l) || l.output.kind == ir::OutputKind::kAccumulator) return std::nullopt;
  const LanesAccumulator acc = lanes_accumulator(d, layer);
  const arith::ActivationType& out = l.out_type;
  const bool out_signed = out.kind == ActivationKind::kSigned;
  if (l.output.kind == ir::OutputKind::kThreshold) {
    // As the thresholds are made (sim/golden/network_params.cpp): 2^bits - 1
    // of them (1 for a bipolar output), counted from -2^(bits-1) when signed.
    const int n = out.kind == ActivationKind::kBipolar ? 1 : (1 << out.bits) - 1;
    const int bias = out_signed ? -(1 << (out.bits - 1)) : 0;
    // Thresholds clamped to [min, max + 1] of the accumulator (rtl_output_unit.h).
    const int t_bits = acc.bits + (acc.is_signed ? 1 : 2);
    return models::LanesConfig{"multithreshold",
                               {{"N", n},
                                {"ACC_BITS", acc.bits},
                                {"ACC_SIGNED", acc.is_signed ? 1 : 0},
                                {"T_BITS", t_bits},
                                {"OUT_BITS", out.bits},
                                {"OUT_BIAS", bias}}};
  }
  if (out.kind == ActivationKind::kBipolar)
    throw config::ConfigError(backend_location(d, layer), "a requantiser to bipolar codes",
                              "a signed or unsigned output for the RTL requantizer of layer " + l.name);
  // 32-bit multipliers and zero points, shifts 0..63: any scale the
  // calibration makes (16-bit multipliers) and any int32 zero point.
  return models::LanesConfig{"requantizer",
                             {{"ACC_BITS", acc.bits},
                              {"ACC_SIGNED", acc.is_signed ? 1 : 0},
                              {"M_BITS", 32},
                              {"S_BITS", 6},
                              {"ZP_BITS", 32},
                              {"OUT_BITS", out.bits},
                              {"OUT_SIGNED", out_signed ? 1 : 0}}};
}

std::vector<RtlLanesUse> rtl_lanes_of(const ir::Design& d, BackendChoice c) {
  std::vector<RtlLanesUse> uses;
  // A compute engine's only Verilated unit is its weights generator (docs/engine.md).
  if (d.hw_template == ir::Template::kEngine) {
    if (c == BackendChoice::kRtl)
      for (auto& [layer, config] : engine::generator_units(d)) uses.push_back({layer, std::move(config)});
    return uses;
  }
  for (int i = 0; i < int(d.network.layers.size()); ++i) {
    if (!runs_on_rtl(d, i, c)) continue;
    const ir::Layer& l = d.network.layers[size_t(i)];
    for (auto& lanes : lanes_configs(d, i)) uses.push_back({l.name, std::move(lanes)});
    if (auto out = output_unit_config(d, i)) uses.push_back({l.name, std::move(*out)});
  }
  return uses;
}

std::string rtl_units_problem(const ir::Design& d, BackendChoice c) {
  for (int i = 0; i < int(d.network.layers.size()); ++i) {
    if (!runs_on_rtl(d, i, c)) continue;
    if (!cosim::cosim_available())
      return "layer " + d.network.layers[size_t(i)].name + " runs on RTL, but " + cosim::cosim_problem();
  }
  return "";
}

std::vector<std::unique_ptr<models::RtlDotProductUnit>> rtl_lanes_groups(const ir::Design& d, int layer,
                                                                         const golden::LayerParams& p, int pe,
                                                                         int& latency) {
  const ir::Layer& l = d.network.layers[size_t(layer)];
  const int simd = lanes_simd(d, layer);
  const int64_t width = lanes_row_width(l);
  std::vector<std::unique_ptr<models::RtlDotProductUnit>> groups;
  latency = 0;
  int64_t first = 0;
  const auto types = group_types(l);
  for (size_t g = 0; g < types.size(); ++g) {
    const int64_t rows = l.channel_groups.empty() ? l.matrix_height() : l.channel_groups[g].channels;
    const models::LanesConfig c = lanes_config(d, layer, types[g].arithmetic, simd, width);
    // One instance per PE, as the hardware has; a PE array unit holds up to
    // kPeArrayMaxPes of them.
    const bool array = models::is_pe_array_unit(c.unit);
    if (array && c.get("PE") != models::pe_array_size(pe))
      throw std::logic_error("rtl_lanes_groups: layer " + l.name + "'s stage has " + std::to_string(pe) +
                             " PEs, its unit '" + c.key() + "' another array size");
    const int instances = array ? (pe + c.get("PE") - 1) / c.get("PE") : pe;
    std::vector<std::unique_ptr<models::RtlLanes>> pes;
    for (int k = 0; k < instances; ++k) {
      std::string why;
      auto lanes = cosim::make_lanes(c, &why);
      if (!lanes) {
        if (!cosim::cosim_available())
          throw config::ConfigError(backend_location(d, layer), "rtl",
                                    "the Verilated units: " + cosim::cosim_problem());
        throw config::ConfigError(backend_location(d, layer), "rtl",
                                  "an RTL unit for layer " + l.name + ", '" + c.key() + "': " + why);
      }
      pes.push_back(std::move(lanes));
    }
    auto unit = std::make_unique<models::RtlDotProductUnit>(std::move(pes), pe, c, types[g], l.in_type, acc_bits_of(c),
                                                            acc_signed_of(c), p.weight_codes.data(), first, rows,
                                                            width);
    latency = std::max(latency, unit->latency());
    groups.push_back(std::move(unit));
    first += rows;
  }
  return groups;
}

std::unique_ptr<models::RtlOutputUnit> rtl_output_unit(const ir::Design& d, int layer, const golden::LayerParams& p,
                                                       int pe) {
  const auto c = output_unit_config(d, layer);
  if (!c) return nullptr;
  const ir::Layer& l = d.network.layers[size_t(layer)];
  std::vector<std::unique_ptr<models::RtlOutput>> pes;  // one instance per PE, as the hardware has
  for (int k = 0; k < pe; ++k) {
    std::string why;
    auto unit = cosim::make_output_unit(*c, &why);
    if (!unit) {
      if (!cosim::cosim_available())
        throw config::ConfigError(backend_location(d, layer), "rtl", "the Verilated units: " + cosim::cosim_problem());
      throw config::ConfigError(backend_location(d, layer), "rtl",
                                "an RTL unit for layer " + l.name + ", '" + c->key() + "': " + why);
    }
    pes.push_back(std::move(unit));
  }
  try {
    return std::make_unique<models::RtlOutputUnit>(std::move(pes), *c, l, p);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError(backend_location(d, layer), "rtl",
                              "the C++ back-end for layer " + l.name + ": " + e.what());
  }
}

}  // namespace vine::sim
