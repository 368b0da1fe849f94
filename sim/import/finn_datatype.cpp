#include "sim/import/finn_datatype.h"

#include <cctype>

namespace vine::import {

namespace {

std::optional<int> bits_after(const std::string& name, const std::string& prefix) {
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() || name.size() > prefix.size() + 2) return {};
  for (size_t k = prefix.size(); k < name.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(name[k]))) return {};
  return std::stoi(name.substr(prefix.size()));
}

}  // namespace

std::optional<FinnDataType> parse_finn_datatype(const std::string& name) {
  FinnDataType t;
  t.name = name;
  if (name == "BIPOLAR") {
    t.kind = FinnDataType::Kind::kBipolar;
    t.bits = 1;
  } else if (name == "BINARY") {
    t.kind = FinnDataType::Kind::kBinary;
    t.bits = 1;
  } else if (name == "TERNARY") {
    t.kind = FinnDataType::Kind::kTernary;
    t.bits = 2;
  } else if (auto b = bits_after(name, "UINT")) {
    t.kind = FinnDataType::Kind::kUint;
    t.bits = *b;
  } else if (auto b2 = bits_after(name, "INT")) {
    t.kind = FinnDataType::Kind::kInt;
    t.bits = *b2;
  } else {
    return {};
  }
  return t;
}

std::optional<ir::ActivationType> vine_activation(const FinnDataType& t, bool as_bipolar) {
  ir::ActivationType a;
  switch (t.kind) {
    case FinnDataType::Kind::kBipolar: a.kind = ir::ActivationKind::kBipolar; a.bits = 1; return a;
    case FinnDataType::Kind::kBinary:
      if (as_bipolar) {
        a.kind = ir::ActivationKind::kBipolar;
        a.bits = 1;
      } else {
        a.kind = ir::ActivationKind::kUnsigned;
        a.bits = 1;
      }
      return a;
    case FinnDataType::Kind::kTernary:  // -1, 0, +1: held exactly by 2-bit signed codes
      a.kind = ir::ActivationKind::kSigned;
      a.bits = 2;
      return a;
    case FinnDataType::Kind::kUint:
      if (t.bits < 1 || t.bits > 16) return {};
      a.kind = ir::ActivationKind::kUnsigned;
      a.bits = t.bits;
      return a;
    case FinnDataType::Kind::kInt:
      if (t.bits < 2 || t.bits > 16) return {};
      a.kind = ir::ActivationKind::kSigned;
      a.bits = t.bits;
      return a;
  }
  return {};
}

}  // namespace vine::import
