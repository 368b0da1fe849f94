#include "sim/explore/accuracy_proxy.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "sim/config/config_error.h"
#include "sim/config/yaml_fields.h"
#include "sim/golden/network_params.h"

namespace vine::explore {

namespace {

// The scale ladder: the layer's largest |weight| times 2^(-j/4), j = 0 ..
// kRungs - 1, down to 2^-17 of it (below a 16-bit grid's finest step).
constexpr int kRungs = 4 * 17 + 1;

// The grid point of type `t` at scale `s` nearest to `w`.
double nearest(double w, const ir::WeightType& t, double s) {
  const double a = w / s;
  switch (t.arithmetic) {
    case ir::WeightArithmetic::kBinary: return a < 0 ? -s : s;
    case ir::WeightArithmetic::kTernary: return s * std::clamp(std::round(a), -1.0, 1.0);
    case ir::WeightArithmetic::kFixed: {
      const double lo = -std::ldexp(1.0, t.bits - 1), hi = std::ldexp(1.0, t.bits - 1) - 1;
      return s * std::clamp(std::round(a), lo, hi);
    }
    case ir::WeightArithmetic::kPow2: {
      // {0} and +-2^j, j = 0 .. 2^exponent_bits - 1 (the bias only rescales: the ladder absorbs it).
      const int top = (1 << t.exponent_bits) - 1;
      const double m = std::abs(a);
      const int j = std::clamp(m >= 1 ? int(std::floor(std::log2(m))) : 0, 0, top);
      double best = 0;
      for (double c : {std::ldexp(1.0, j), std::ldexp(1.0, std::min(j + 1, top))})
        if (std::abs(m - c) < std::abs(m - best)) best = c;
      return std::copysign(best * s, a);
    }
  }
  return 0;
}

// The least squared error over the ladder of the sampled weights whose
// channels are in [first, last).
double group_error(const WeightSample& s, const ir::WeightType& t, int first, int last, double top) {
  double best = 1e300;
  for (int j = 0; j < kRungs; ++j) {
    const double scale = top * std::exp2(-j / 4.0);
    double e = 0;
    for (size_t k = 0; k < s.values.size(); ++k) {
      if (s.channel[k] < first || s.channel[k] >= last) continue;
      const double d = s.values[k] - nearest(s.values[k], t, scale);
      e += d * d;
    }
    best = std::min(best, e);
  }
  return best;
}

std::string trim(const std::string& x) {
  const auto b = x.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return x.substr(b, x.find_last_not_of(" \t\r") - b + 1);
}

void check_layer(const ir::Network& net, const std::string& name, const ir::SourceLocation& where,
                 std::set<std::string>& seen) {
  const int i = net.find_layer(name);
  if (i < 0 || !net.layers[size_t(i)].has_weights()) {
    std::string names;
    for (const auto& l : net.layers)
      if (l.has_weights()) names += (names.empty() ? "" : ", ") + l.name;
    throw config::ConfigError(where, "'" + name + "'",
                              i < 0 ? "a layer of network " + net.name + " with weights (" + names + ")"
                                    : "a layer with weights (" + name + " has none; those with: " + names + ")");
  }
  if (!seen.insert(name).second) throw config::ConfigError(where, "'" + name + "' again", "each layer once");
}

}  // namespace

WeightSample sample_weights(const ir::Layer& l, uint64_t seed) {
  WeightSample s;
  const std::vector<int32_t> v = golden::layer_weight_values(l, seed);
  const int64_t cols = l.matrix_width();
  const size_t stride = std::max<size_t>(1, (v.size() + WeightSample::kMaxSampled - 1) / WeightSample::kMaxSampled);
  for (size_t k = 0; k < v.size(); k += stride) {
    s.values.push_back(double(v[k]));
    s.channel.push_back(int(int64_t(k) / cols));
    s.energy += double(v[k]) * double(v[k]);
  }
  return s;
}

double quantisation_error(const WeightSample& s, const ir::WeightType& weights,
                          const std::vector<ir::ChannelGroup>& groups) {
  if (s.energy <= 0) return 0;  // all zero: every grid holds them
  double top = 0;
  for (double v : s.values) top = std::max(top, std::abs(v));
  double e = 0;
  if (groups.empty()) {
    e = group_error(s, weights, 0, 1 << 30, top);
  } else {
    int first = 0;
    for (const ir::ChannelGroup& g : groups) {
      e += group_error(s, g.weights, first, first + g.channels, top);
      first += g.channels;
    }
  }
  return e / s.energy;
}

std::map<std::string, double> load_sensitivities(const std::string& path, const ir::Network& net) {
  std::map<std::string, double> out;
  std::set<std::string> seen;
  const bool csv = path.size() >= 4 && path.substr(path.size() - 4) == ".csv";
  if (!csv) {
    const config::Field root(config::load_yaml_file(path), path, "");
    config::MapReader top(root);
    std::optional<config::MapReader> under;
    if (top.has("sensitivities")) {
      under.emplace(top.get("sensitivities"));
      top.done();
    }
    for (auto& [name, f] : (under ? *under : top).entries()) {
      check_layer(net, name, f.where(), seen);
      out[name] = f.as_double(0, 1e6);
    }
    return out;
  }
  std::ifstream in(path);
  if (!in) throw config::ConfigError(ir::SourceLocation{path, 0, 0, ""}, "", "a readable CSV file (cannot open it)");
  std::string line;
  int n = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++n;
    if (trim(line).empty()) continue;
    const auto comma = line.find(',');
    const std::string a = trim(line.substr(0, comma)), b = comma == std::string::npos ? "" : trim(line.substr(comma + 1));
    const ir::SourceLocation at{path, n, 1, ""};
    if (!header) {
      if (a != "layer" || b != "sensitivity")
        throw config::ConfigError(at, "'" + trim(line) + "'", "the header 'layer,sensitivity'");
      header = true;
      continue;
    }
    if (comma == std::string::npos || b.find(',') != std::string::npos)
      throw config::ConfigError(at, "'" + trim(line) + "'", "two fields: layer,sensitivity");
    check_layer(net, a, at, seen);
    const ir::SourceLocation value_at{path, n, int(comma) + 2, "sensitivity"};
    double v = 0;
    size_t used = 0;
    try {
      v = std::stod(b, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != b.size() || !(v >= 0 && v <= 1e6))
      throw config::ConfigError(value_at, "'" + b + "'", "a number from 0 to 1e6");
    out[a] = v;
  }
  if (!header) throw config::ConfigError(ir::SourceLocation{path, 1, 1, ""}, "an empty file", "the header 'layer,sensitivity'");
  return out;
}

}  // namespace vine::explore
