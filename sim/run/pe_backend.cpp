#include "sim/run/pe_backend.h"

#include <algorithm>
#include <set>

#include "models/pe/rtl_dot_product.h"
#include "rtl/cosim/lanes_registry.h"
#include "sim/config/config_error.h"
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
  return l.kind == ir::LayerKind::kDwConv ? int64_t{l.kernel} * l.kernel : l.matrix_width();
}

bool runs_on_rtl(const ir::Design& d, int layer, BackendChoice c) {
  if (!d.network.layers[size_t(layer)].has_weights()) return false;
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
      c = {"mvau_lanes_fixed", {{"SIMD", simd}, {"W", widest}, {"A", act.bits}, {"A_SIGNED", a_signed}, {"MW", m}}};
      break;
    case WeightArithmetic::kPow2:
      c = {"mvau_lanes_pow2", {{"SIMD", simd}, {"E", widest}, {"A", act.bits}, {"A_SIGNED", a_signed}, {"MW", m}}};
      break;
    case WeightArithmetic::kBinary:
      c = {"mvau_lanes_binary",
           {{"SIMD", simd}, {"A", act.bits}, {"A_SIGNED", a_signed}, {"BIPOLAR", bipolar ? 1 : 0}, {"MW", m}}};
      break;
    case WeightArithmetic::kTernary:
      c = {"mvau_lanes_ternary", {{"SIMD", simd}, {"A", act.bits}, {"A_SIGNED", a_signed}, {"MW", m}}};
      break;
  }
  return c;
}

std::vector<RtlLanesUse> rtl_lanes_of(const ir::Design& d, BackendChoice c) {
  std::vector<RtlLanesUse> uses;
  for (int i = 0; i < int(d.network.layers.size()); ++i) {
    if (!runs_on_rtl(d, i, c)) continue;
    const ir::Layer& l = d.network.layers[size_t(i)];
    std::set<WeightArithmetic> seen;
    for (const auto& w : group_types(l))
      if (seen.insert(w.arithmetic).second)
        uses.push_back({l.name, lanes_config(d, i, w.arithmetic, lanes_simd(d, i), lanes_row_width(l))});
  }
  return uses;
}

std::string rtl_units_problem(const ir::Design& d, BackendChoice c) {
  for (int i = 0; i < int(d.network.layers.size()); ++i) {
    if (!runs_on_rtl(d, i, c)) continue;
    if (d.folding_of(i).bit_serial)
      return "layer " + d.network.layers[size_t(i)].name +
             " has bit-serial lanes, which are not co-simulated in a design yet (run it with --backend cpp)";
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
  const bool xnor = l.in_type.kind == ActivationKind::kBipolar;
  std::vector<std::unique_ptr<models::RtlDotProductUnit>> groups;
  latency = 0;
  int64_t first = 0;
  const auto types = group_types(l);
  for (size_t g = 0; g < types.size(); ++g) {
    const int64_t rows = l.channel_groups.empty() ? l.matrix_height() : l.channel_groups[g].channels;
    const models::LanesConfig c = lanes_config(d, layer, types[g].arithmetic, simd, width);
    std::vector<std::unique_ptr<models::RtlLanes>> pes;  // one instance per PE, as the hardware has
    for (int k = 0; k < pe; ++k) {
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
    int acc_bits = 0;
    const int a = c.get("A"), s = c.get("A_SIGNED"), mw = c.get("MW");
    switch (types[g].arithmetic) {
      case WeightArithmetic::kFixed: acc_bits = rtl::mvau_lanes_fixed_acc_bits(c.get("W"), a, s, mw); break;
      case WeightArithmetic::kPow2: acc_bits = rtl::mvau_lanes_pow2_acc_bits(c.get("E"), a, s, mw); break;
      case WeightArithmetic::kBinary: acc_bits = rtl::mvau_lanes_binary_acc_bits(a, s, c.get("BIPOLAR"), mw); break;
      case WeightArithmetic::kTernary: acc_bits = rtl::mvau_lanes_ternary_acc_bits(a, s, mw); break;
    }
    auto unit = std::make_unique<models::RtlDotProductUnit>(std::move(pes), c, types[g], l.in_type, acc_bits,
                                                            /*acc_signed=*/!xnor, p.weight_codes.data(), first, rows,
                                                            width);
    latency = std::max(latency, unit->latency());
    groups.push_back(std::move(unit));
    first += rows;
  }
  return groups;
}

}  // namespace vine::sim
