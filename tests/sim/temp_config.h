// Configs written by a test to the temporary directory, and the message of
// the ConfigError a load throws.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "sim/config/config_error.h"

namespace vine::testing_support {

// `text` written as <tmp>/vine-test-<name>.yaml, removed afterwards. Give
// networks and devices absolute paths in it.
struct TempConfig {
  std::filesystem::path path;
  TempConfig(const std::string& name, const std::string& text) {
    path = std::filesystem::temp_directory_path() / ("vine-test-" + name + ".yaml");
    std::ofstream(path) << text;
  }
  ~TempConfig() { std::filesystem::remove(path); }
  TempConfig(const TempConfig&) = delete;
  TempConfig& operator=(const TempConfig&) = delete;
};

// The ConfigError `f` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace vine::testing_support
