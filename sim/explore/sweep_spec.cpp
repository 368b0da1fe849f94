#include "sim/explore/sweep_spec.h"

#include <filesystem>
#include <map>
#include <set>

#include "sim/config/yaml_fields.h"

namespace vine::explore {

namespace fs = std::filesystem;

namespace {

enum class OptionType { kInt, kDouble, kBool, kChoice };

struct OptionRule {
  OptionType type;
  double min = 0, max = 0;
  std::vector<std::string> choices;
};

// The options each command takes in a sweep: the ones that change what is
// measured. Outputs (--json, traces) are the sweep's own business.
const std::map<std::string, std::map<std::string, OptionRule>>& commands() {
  static const std::map<std::string, std::map<std::string, OptionRule>> c{
      {"run",
       {{"frames", {OptionType::kInt, 1, 1 << 20, {}}},
        {"seed", {OptionType::kInt, 0, 4294967295.0, {}}},
        {"timing-only", {OptionType::kBool, 0, 0, {}}},
        {"backend", {OptionType::kChoice, 0, 0, {"design", "cpp", "rtl"}}}}},
      {"estimate", {}},
      {"fifo-size",
       {{"frames", {OptionType::kInt, 0, 4096, {}}},
        {"target-interval", {OptionType::kDouble, 0, 1e15, {}}},
        {"min-depth", {OptionType::kInt, 1, 1 << 20, {}}},
        {"jobs", {OptionType::kInt, 0, 64, {}}}}},
      {"bench", {{"frames", {OptionType::kInt, 1, 1 << 20, {}}}, {"seed", {OptionType::kInt, 0, 4294967295.0, {}}}}},
  };
  return c;
}

std::string value_of(const config::Field& f, const OptionRule& r) {
  switch (r.type) {
    case OptionType::kInt:
      return std::to_string(f.as_int(int64_t(r.min), int64_t(r.max)));
    case OptionType::kDouble:
      f.as_double(r.min, r.max);
      return f.as_string();
    case OptionType::kBool:
      return f.as_bool() ? "true" : "false";
    case OptionType::kChoice:
      return f.as_choice(r.choices);
  }
  return {};
}

}  // namespace

std::vector<std::string> SweepPoint::args(const std::string& command) const {
  std::vector<std::string> a{command, design};
  for (const auto& [name, value] : options) {
    if (value == "false") continue;
    a.push_back("--" + name);
    if (value != "true") a.push_back(value);
  }
  return a;
}

SweepSpec load_sweep_spec(const std::string& path) {
  SweepSpec s;
  s.path = path;
  config::Field root(config::load_yaml_file(path), path, "");
  config::MapReader m(root);
  s.name = m.get_string("sweep");
  std::vector<std::string> names;
  for (const auto& [name, rules] : commands()) names.push_back(name);
  s.command = m.get_choice("command", names);
  const auto& rules = commands().at(s.command);

  std::vector<std::string> designs;
  const config::Field ds = m.get("designs");
  if (ds.items().empty()) ds.fail("a list of at least one design path");
  for (const config::Field& d : ds.items()) {
    const std::string p = d.as_string();
    const fs::path full = fs::path(p).is_absolute() ? fs::path(p) : fs::path(path).parent_path() / p;
    if (!fs::is_regular_file(full)) d.fail("a path to an existing design file (relative to the sweep spec): " + full.string());
    designs.push_back(full.lexically_normal().string());
  }

  // Each option's values, in the spec's order.
  std::vector<std::vector<std::string>> values;
  if (auto opts = m.find("options")) {
    config::MapReader om(*opts);
    for (auto& [name, field] : om.entries()) {
      const auto rule = rules.find(name);
      if (rule == rules.end()) {
        std::string known;
        for (const auto& [n, r] : rules) known += (known.empty() ? "" : ", ") + n;
        field.fail("an option of `vine " + s.command + "` a sweep can vary (" +
                   (known.empty() ? "it takes none" : known) + ")");
      }
      std::vector<std::string> v;
      std::set<std::string> seen;
      const std::vector<config::Field> items = field.is_sequence() ? field.items() : std::vector<config::Field>{field};
      if (items.empty()) field.fail("a value or a list of at least one value");
      for (const config::Field& item : items) {
        const std::string text = value_of(item, rule->second);
        if (!seen.insert(text).second) item.fail("each value once (" + text + " is repeated)");
        v.push_back(text);
      }
      s.option_names.push_back(name);
      values.push_back(v);
    }
  }
  m.done();

  // Designs outermost, then the options' values in the spec's order, the
  // last varying fastest.
  size_t n = 0;
  for (const std::string& d : designs) {
    std::vector<size_t> at(values.size(), 0);
    for (;;) {
      SweepPoint p;
      char id[16];
      std::snprintf(id, sizeof id, "p%04zu", ++n);
      p.id = id;
      p.design = d;
      for (size_t i = 0; i < values.size(); ++i) p.options.emplace_back(s.option_names[i], values[i][at[i]]);
      s.points.push_back(p);
      size_t i = values.size();
      while (i > 0 && ++at[i - 1] == values[i - 1].size()) at[--i] = 0;
      if (i == 0) break;
    }
  }
  if (s.points.size() > 100000)
    root.fail("a sweep of at most 100000 points (this one has " + std::to_string(s.points.size()) + ")");
  return s;
}

}  // namespace vine::explore
