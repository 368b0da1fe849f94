#include "sim/config/yaml_fields.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace vine::config {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string resolve_path(const std::string& config_path, const Field& f, const std::string& kind) {
  namespace fs = std::filesystem;
  const std::string p = f.as_string();
  const fs::path full = fs::path(p).is_absolute() ? fs::path(p) : fs::path(config_path).parent_path() / p;
  if (!fs::exists(full))
    f.fail("a path to an existing file (relative to the " + kind + " file): " + full.string());
  return full.lexically_normal().string();
}

Field::Field(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

ir::SourceLocation Field::where() const {
  ir::SourceLocation w;
  w.file = file_;
  w.field = path_;
  const YAML::Mark m = node_.Mark();
  if (m.line >= 0) {  // nodes made by yaml-cpp itself carry no mark (line -1)
    w.line = m.line + 1;
    w.column = m.column + 1;
  }
  return w;
}

std::string Field::value_text() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsScalar()) return "'" + node_.Scalar() + "'";
  if (node_.IsSequence()) return "a list";
  if (node_.IsMap()) return "a map";
  return "?";
}

void Field::fail(const std::string& expected) const { throw ConfigError(where(), value_text(), expected); }

int64_t Field::as_int(int64_t min, int64_t max) const {
  if (!node_.IsScalar()) fail("an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  const std::string& s = node_.Scalar();
  // Decimal digits only: YAML 1.1 would read 010 as 8 and 0x10 as 16, which
  // no one writing a PE count means.
  const size_t digits = s.size() > 0 && s[0] == '-' ? 1 : 0;
  bool decimal = s.size() > digits && s.size() - digits <= 18;
  for (size_t i = digits; decimal && i < s.size(); ++i) decimal = s[i] >= '0' && s[i] <= '9';
  if (decimal && s[digits] == '0' && s.size() > digits + 1) decimal = false;  // a leading zero
  if (!decimal)
    fail("a decimal integer in [" + std::to_string(min) + ", " + std::to_string(max) + "] (no leading zeros)");
  const long long v = std::stoll(s, nullptr, 10);
  if (v < min || v > max) fail("an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return v;
}

double Field::as_double(double min, double max) const {
  std::ostringstream range;
  range << "a number in [" << min << ", " << max << "]";
  if (!node_.IsScalar()) fail(range.str());
  const std::string& s = node_.Scalar();
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (...) {
    pos = 0;
  }
  if (pos == 0 || pos != s.size() || !std::isfinite(v) || v < min || v > max) fail(range.str());
  return v;
}

bool Field::as_bool() const {
  if (node_.IsScalar()) {
    const std::string& s = node_.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  fail("true or false");
}

namespace {
// Whether `s` is well-formed UTF-8 (names end up in JSON, which requires it).
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + size_t(extra) >= s.size() + (extra == 0 ? 1 : 0)) return false;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + size_t(k)]) >> 6) != 0x2) return false;
    i += size_t(extra) + 1;
  }
  return true;
}
}  // namespace

std::string Field::as_string() const {
  if (!node_.IsScalar() || node_.Scalar().empty()) fail("a non-empty string");
  if (!valid_utf8(node_.Scalar())) fail("a string in UTF-8");
  return node_.Scalar();
}

std::string Field::as_choice(const std::vector<std::string>& choices) const {
  if (node_.IsScalar())
    for (const auto& c : choices)
      if (node_.Scalar() == c) return c;
  fail("one of: " + join(choices));
}

std::vector<Field> Field::items() const {
  if (!node_.IsSequence()) fail("a list");
  std::vector<Field> out;
  size_t i = 0;
  for (const auto& n : node_) out.emplace_back(n, file_, path_ + "[" + std::to_string(i++) + "]");
  return out;
}

static std::string child_path(const Field& parent, const std::string& key) {
  return parent.path().empty() ? key : parent.path() + "." + key;
}

MapReader::MapReader(const Field& f) : self_(f) {
  if (!f.is_map()) f.fail("a map of fields");
  // yaml-cpp keeps every entry of a map and finds the first of equal keys: a
  // key written twice would silently lose one of its values.
  std::set<std::string> seen;
  for (const auto& kv : f.node()) {
    const Field key(kv.first, f.file(), f.path());
    if (!kv.first.IsScalar()) key.fail("a plain name as the key");
    if (!seen.insert(kv.first.Scalar()).second)
      Field(kv.first, f.file(), child_path(f, kv.first.Scalar()))
          .fail("each key once in a map ('" + kv.first.Scalar() + "' is given twice)");
  }
}


bool MapReader::has(const std::string& key) const { return bool(self_.node()[key]); }

std::optional<Field> MapReader::find(const std::string& key) {
  read_.insert(key);
  YAML::Node n = self_.node()[key];
  if (!n) return std::nullopt;
  return Field(n, self_.file(), child_path(self_, key));
}

Field MapReader::get(const std::string& key) {
  auto f = find(key);
  if (!f) {
    ir::SourceLocation w = self_.where();
    w.field = child_path(self_, key);
    throw ConfigError(w, "nothing", "required field '" + key + "'");
  }
  return *f;
}

std::vector<std::pair<std::string, Field>> MapReader::entries() {
  std::vector<std::pair<std::string, Field>> out;
  for (const auto& kv : self_.node()) {
    const std::string key = kv.first.as<std::string>();
    read_.insert(key);
    out.emplace_back(key, Field(kv.second, self_.file(), child_path(self_, key)));
  }
  return out;
}

int64_t MapReader::get_int(const std::string& key, int64_t min, int64_t max) { return get(key).as_int(min, max); }
int64_t MapReader::get_int(const std::string& key, int64_t min, int64_t max, int64_t fallback) {
  auto f = find(key);
  return f ? f->as_int(min, max) : fallback;
}
double MapReader::get_double(const std::string& key, double min, double max) {
  return get(key).as_double(min, max);
}
double MapReader::get_double(const std::string& key, double min, double max, double fallback) {
  auto f = find(key);
  return f ? f->as_double(min, max) : fallback;
}
bool MapReader::get_bool(const std::string& key, bool fallback) {
  auto f = find(key);
  return f ? f->as_bool() : fallback;
}
std::string MapReader::get_string(const std::string& key) { return get(key).as_string(); }
std::string MapReader::get_string(const std::string& key, const std::string& fallback) {
  auto f = find(key);
  return f ? f->as_string() : fallback;
}
std::string MapReader::get_choice(const std::string& key, const std::vector<std::string>& choices) {
  return get(key).as_choice(choices);
}
std::string MapReader::get_choice(const std::string& key, const std::vector<std::string>& choices,
                                  const std::string& fallback) {
  auto f = find(key);
  return f ? f->as_choice(choices) : fallback;
}

void MapReader::done() const {
  std::vector<std::string> known(read_.begin(), read_.end());
  for (const auto& kv : self_.node()) {
    const std::string key = kv.first.as<std::string>();
    if (!read_.count(key)) {
      Field k(kv.first, self_.file(), child_path(self_, key));
      throw ConfigError(k.where(), "unknown field '" + key + "'", "one of: " + join(known));
    }
  }
}

YAML::Node load_yaml_file(const std::string& path) {
  // A directory, a pipe (which would block) or a device is no config.
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw ConfigError(ir::SourceLocation{path, 0, 0, ""}, "", "a readable YAML file (" + ec.message() + ")");
  if (!ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
    throw ConfigError(ir::SourceLocation{path, 0, 0, ""},
                      std::filesystem::is_directory(st) ? "a directory" : "a special file (pipe, device or socket)",
                      "a regular YAML file");
  std::ifstream in(path);
  if (!in) throw ConfigError(ir::SourceLocation{path, 0, 0, ""}, "", "a readable YAML file (cannot open it)");
  try {
    return YAML::Load(in);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(ir::SourceLocation{path, e.mark.line + 1, e.mark.column + 1, ""}, "",
                      "valid YAML (" + e.msg + ")");
  }
}

}  // namespace vine::config
