// The one error type for bad configs: it always names the file, line, column,
// field, the offending value and what was expected.
#pragma once

#include <stdexcept>
#include <string>

#include "sim/ir/source_location.h"

namespace vine::config {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(const ir::SourceLocation& where, const std::string& value, const std::string& expected)
      : std::runtime_error(format(where, value, expected)), where_(where) {}
  const ir::SourceLocation& where() const { return where_; }

  static std::string format(const ir::SourceLocation& w, const std::string& value, const std::string& expected) {
    std::string s = w.file.empty() ? std::string("<config>") : w.file;
    if (w.line > 0) s += ":" + std::to_string(w.line) + ":" + std::to_string(w.column);
    s += ": ";
    if (!w.field.empty()) s += w.field + ": ";
    if (!value.empty()) s += "got " + value + ", ";
    s += "expected " + expected;
    return s;
  }

 private:
  ir::SourceLocation where_;
};

}  // namespace vine::config
