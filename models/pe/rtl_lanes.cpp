#include "models/pe/rtl_lanes.h"

#include <stdexcept>

namespace vine::models {

std::string LanesConfig::key() const {
  std::string k = unit;
  for (const auto& [name, value] : params) k += " " + name + "=" + std::to_string(value);
  return k;
}

int LanesConfig::get(const std::string& name) const {
  for (const auto& [n, v] : params)
    if (n == name) return v;
  throw std::logic_error("lanes unit " + key() + " has no parameter " + name);
}

}  // namespace vine::models
