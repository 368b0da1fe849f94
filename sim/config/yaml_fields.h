// Strict reading of YAML maps: every field is looked up by name, typed and
// range-checked, and whatever key nobody asked for is an error (no typo is
// silently ignored). Each accessor knows its dotted field path and source mark.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/config/config_error.h"

namespace vine::config {

// A YAML node plus where it came from.
class Field {
 public:
  Field(YAML::Node node, std::string file, std::string path);

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  ir::SourceLocation where() const;
  [[noreturn]] void fail(const std::string& expected) const;  // reports this node's value
  std::string value_text() const;

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  int64_t as_int(int64_t min, int64_t max) const;
  double as_double(double min, double max) const;
  bool as_bool() const;
  std::string as_string() const;  // non-empty scalar
  std::string as_choice(const std::vector<std::string>& choices) const;
  std::vector<Field> items() const;  // sequence elements (errors if not a sequence)

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
};

// A map whose keys are checked: call done() after reading every field.
class MapReader {
 public:
  explicit MapReader(const Field& f);  // errors unless f is a map

  bool has(const std::string& key) const;
  Field get(const std::string& key);                 // required
  std::optional<Field> find(const std::string& key); // optional
  const Field& self() const { return self_; }
  std::vector<std::pair<std::string, Field>> entries();  // all entries, marking each as read

  int64_t get_int(const std::string& key, int64_t min, int64_t max);
  int64_t get_int(const std::string& key, int64_t min, int64_t max, int64_t fallback);
  double get_double(const std::string& key, double min, double max);
  double get_double(const std::string& key, double min, double max, double fallback);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key);
  std::string get_string(const std::string& key, const std::string& fallback);
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices);
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices,
                         const std::string& fallback);

  // Every key not read is an unknown field.
  void done() const;

 private:
  Field self_;
  std::set<std::string> read_;
};

// Loads a YAML file; syntax errors become ConfigErrors with the parser's mark.
YAML::Node load_yaml_file(const std::string& path);

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ");

// The file a field names, relative to the config file holding it (`kind`:
// "design", "cluster"); an error at the field unless it exists.
std::string resolve_path(const std::string& config_path, const Field& f, const std::string& kind);

}  // namespace vine::config
