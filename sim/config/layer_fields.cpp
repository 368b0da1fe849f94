#include "sim/config/layer_fields.h"

namespace vine::config {

ir::ActivationType read_activation_type(MapReader& m) {
  ir::ActivationType t;
  const std::string kind = m.get_choice("type", {"unsigned", "signed", "bipolar"});
  if (kind == "bipolar") {
    t.kind = ir::ActivationKind::kBipolar;
    t.bits = int(m.get_int("bits", 1, 1, 1));
  } else {
    t.kind = kind == "signed" ? ir::ActivationKind::kSigned : ir::ActivationKind::kUnsigned;
    t.bits = int(m.get_int("bits", kind == "signed" ? 2 : 1, 16));
  }
  return t;
}

ir::WeightType read_weight_type(const Field& f) {
  MapReader m(f);
  ir::WeightType w;
  const std::string a = m.get_choice("arithmetic", {"fixed", "pow2", "binary", "ternary"});
  if (a == "fixed") {
    w.arithmetic = ir::WeightArithmetic::kFixed;
    w.bits = int(m.get_int("bits", 2, 16));
  } else if (a == "pow2") {
    w.arithmetic = ir::WeightArithmetic::kPow2;
    // Exponents beyond 4 bits would shift an activation past any sane accumulator.
    w.exponent_bits = int(m.get_int("exponent_bits", 1, 4));
    w.exponent_bias = int(m.get_int("exponent_bias", 0, 15, 0));
    w.bits = w.exponent_bits + 2;
  } else if (a == "binary") {
    w.arithmetic = ir::WeightArithmetic::kBinary;
    w.bits = int(m.get_int("bits", 1, 1, 1));
  } else {
    w.arithmetic = ir::WeightArithmetic::kTernary;
    w.bits = int(m.get_int("bits", 2, 2, 2));
  }
  m.done();
  return w;
}

std::vector<ir::ChannelGroup> read_channel_groups(const Field& f) {
  std::vector<ir::ChannelGroup> groups;
  const auto items = f.items();
  if (items.empty()) f.fail("a non-empty list of channel groups");
  for (const auto& item : items) {
    MapReader m(item);
    ir::ChannelGroup g;
    g.where = item.where();
    g.channels = int(m.get_int("channels", 1, 1 << 20));
    g.weights = read_weight_type(m.get("weights"));
    m.done();
    groups.push_back(g);
  }
  return groups;
}

ir::OutputSpec read_output(const Field& f, ir::LayerKind kind) {
  MapReader m(f);
  ir::OutputSpec o;
  std::string k;
  if (kind == ir::LayerKind::kThreshold) {
    k = m.get_choice("kind", {"threshold"}, "threshold");
  } else if (kind == ir::LayerKind::kRequant) {
    k = m.get_choice("kind", {"requant"}, "requant");
  } else {
    k = m.get_choice("kind", {"accumulator", "threshold", "requant"});
  }
  if (k == "accumulator") {
    o.kind = ir::OutputKind::kAccumulator;
  } else {
    o.kind = k == "threshold" ? ir::OutputKind::kThreshold : ir::OutputKind::kRequant;
    o.type = read_activation_type(m);
  }
  m.done();
  return o;
}

}  // namespace vine::config
