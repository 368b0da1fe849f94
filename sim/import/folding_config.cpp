#include "sim/import/folding_config.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/import/import_error.h"

namespace vine::import {

namespace {

OnnxAttribute to_attribute(const nlohmann::json& v, const std::string& where) {
  OnnxAttribute a;
  if (v.is_number_integer()) {
    a.kind = OnnxAttribute::Kind::kInt;
    a.i = v.get<int64_t>();
  } else if (v.is_boolean()) {
    a.kind = OnnxAttribute::Kind::kInt;
    a.i = v.get<bool>() ? 1 : 0;
  } else if (v.is_string()) {
    a.kind = OnnxAttribute::Kind::kString;
    a.s = v.get<std::string>();
  } else if (v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_number_integer(); })) {
    a.kind = OnnxAttribute::Kind::kInts;
    for (const auto& e : v) a.ints.push_back(e.get<int64_t>());
  } else {
    throw ImportError(where + ": got " + v.dump() + ", expected an integer, a string or a list of integers");
  }
  return a;
}

}  // namespace

std::vector<std::string> apply_folding_config(OnnxModel& m, const std::string& json_path) {
  std::vector<std::string> unused;
  std::ifstream f(json_path);
  if (!f) throw ImportError(json_path + ": cannot open the folding config");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw ImportError(json_path + ": not JSON: " + e.what());
  }
  if (!j.is_object()) throw ImportError(json_path + ": expected a JSON object keyed by FINN node names");
  // Defaults first, then the per-node entries, as FINN's ApplyConfig.
  if (j.contains("Defaults")) {
    const auto& defaults = j["Defaults"];
    if (!defaults.is_object()) throw ImportError(json_path + ": Defaults: expected an object");
    for (const auto& [attr, spec] : defaults.items()) {
      const std::string where = json_path + ": Defaults." + attr;
      if (!spec.is_array() || spec.size() != 2 || !(spec[1].is_array() || spec[1] == "all"))
        throw ImportError(where + ": got " + spec.dump() + ", expected [value, [op_type, ...]] or [value, \"all\"]");
      const OnnxAttribute a = to_attribute(spec[0], where);
      for (auto& n : m.nodes) {
        bool applies = spec[1] == "all";
        if (!applies)
          for (const auto& op : spec[1]) applies = applies || (op.is_string() && op.get<std::string>() == n.op_type);
        if (applies) n.attributes[attr] = a;
      }
    }
  }
  for (const auto& [name, entry] : j.items()) {
    if (name == "Defaults") continue;
    auto it = std::find_if(m.nodes.begin(), m.nodes.end(), [&](const OnnxNode& n) { return n.name == name; });
    if (it == m.nodes.end()) {
      unused.push_back(name);
      continue;
    }
    if (!entry.is_object()) throw ImportError(json_path + ": " + name + ": expected an object of attributes");
    for (const auto& [attr, v] : entry.items()) it->attributes[attr] = to_attribute(v, json_path + ": " + name + "." + attr);
  }
  return unused;
}

}  // namespace vine::import
