// Where in a config file a value came from, so errors can point at it.
#pragma once

#include <string>

namespace vine::ir {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
  std::string field;  // dotted path, e.g. layers[3].weights.bits
};

}  // namespace vine::ir
