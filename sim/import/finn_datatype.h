// FINN's data types (qonnx DataType names: BIPOLAR, BINARY, TERNARY, INTn,
// UINTn) and the Vine activation and weight types that hold exactly the same
// values.
#pragma once

#include <optional>
#include <string>

#include "sim/ir/network.h"

namespace vine::import {

struct FinnDataType {
  enum class Kind { kBipolar, kBinary, kTernary, kInt, kUint } kind = Kind::kInt;
  int bits = 0;
  std::string name;  // as FINN writes it
};

// Nothing for a name Vine does not take (FLOAT32, FIXED<..>, SCALEDINT<..>, ...).
std::optional<FinnDataType> parse_finn_datatype(const std::string& name);

// What the supported names are, for error messages.
inline const char* kSupportedFinnActivationTypes =
    "BIPOLAR, BINARY, TERNARY, INT2..INT16, UINT1..UINT16 (FLOAT32, FIXED<..> and SCALEDINT<..> are not integer codes)";

// The Vine activation type whose codes carry the FINN values. `as_bipolar`:
// BINARY read by an XNOR-popcount MVAU (binaryXnorMode), whose 0/1 stand for
// -1/+1 as Vine's bipolar codes do. Nothing when Vine has no such type.
std::optional<ir::ActivationType> vine_activation(const FinnDataType& t, bool as_bipolar);

// The Vine value of a FINN value of type t (bipolar: -1/+1 -> code 0/1).
inline int64_t vine_code(const ir::ActivationType& t, int64_t finn_value) {
  return t.kind == ir::ActivationKind::kBipolar && finn_value < 0 ? 0 : finn_value;
}

}  // namespace vine::import
