// Opening a config file of an expected kind, inside the loaders.
#pragma once

#include <string>

#include "sim/config/loaders.h"
#include "sim/config/yaml_fields.h"

namespace vine::config {

// The root of a config file that must be of kind `want`. A file of another
// kind is loaded as what it is first, so that its own errors are the ones
// reported, as `vine validate` reports them: every command refuses a bad
// file with the same error. If it has none, the error says which kind it is
// and which was wanted.
Field open_config(const std::string& path, ConfigKind want);

}  // namespace vine::config
