// The one error `vine import` raises for a model it cannot take: it names the
// model node, the attribute (or tensor), the value found and what Vine
// supports, so that nothing is approximated silently. The command turns it
// into exit code 1.
#pragma once

#include <stdexcept>
#include <string>

namespace vine::import {

class ImportError : public std::runtime_error {
 public:
  explicit ImportError(const std::string& what) : std::runtime_error(what) {}
  // "node 'MVAU_hls_0' (MVAU_hls): attribute mem_mode = external: supported: ..."
  ImportError(const std::string& node, const std::string& op_type, const std::string& attribute,
              const std::string& value, const std::string& supported)
      : std::runtime_error("node '" + node + "' (" + op_type + "): " + attribute + " = " + value +
                           ": supported: " + supported) {}
};

}  // namespace vine::import
