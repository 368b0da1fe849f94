#include "models/layers/stage_kinds.h"

#include <sstream>
#include <stdexcept>

namespace vine::kinds {

namespace {

void check_entry(const StageKindEntry& k) {
  auto missing = [&](const char* what) {
    throw std::invalid_argument("stage kind '" + k.name + "' has no " + what);
  };
  if (k.name.empty()) throw std::invalid_argument("a stage kind needs a name");
  if (k.role.empty()) missing("role (its stage's name in a layer)");
  if (!k.from_layer && !k.on_stream) missing("placement (from_layer or on_stream)");
  if (!k.make) missing("model factory (make)");
  if (!k.timing) missing("pipeline timing");
  if (!k.cycles) missing("closed-form cycles");
}

}  // namespace

ir::StageKind StageKindRegistry::add(StageKindEntry kind) {
  const int id = by_id_.empty() ? 0 : by_id_.rbegin()->first + 1;
  return add(std::move(kind), ir::StageKind(id));
}

ir::StageKind StageKindRegistry::add(StageKindEntry kind, ir::StageKind id) {
  check_entry(kind);
  if (!kind.hls_kind.empty() && !by_name_.count(kind.hls_kind))
    throw std::invalid_argument("stage kind '" + kind.name + "' re-times '" + kind.hls_kind +
                                "', which is not registered (register it first)");
  if (by_name_.count(kind.name))
    throw std::invalid_argument("stage kind '" + kind.name + "' is registered already");
  if (by_id_.count(int(id)))
    throw std::invalid_argument("stage kind '" + kind.name + "': id " + std::to_string(int(id)) +
                                " is " + by_id_.at(int(id)).name + "'s");
  kind.id = id;
  by_name_[kind.name] = int(id);
  by_id_.emplace(int(id), std::move(kind));
  return id;
}

const StageKindEntry& StageKindRegistry::operator[](ir::StageKind id) const {
  if (const StageKindEntry* k = find(id)) return *k;
  throw std::out_of_range("no stage kind with id " + std::to_string(int(id)));
}

const StageKindEntry* StageKindRegistry::find(const std::string& name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &by_id_.at(it->second);
}

const StageKindEntry* StageKindRegistry::find(ir::StageKind id) const {
  const auto it = by_id_.find(int(id));
  return it == by_id_.end() ? nullptr : &it->second;
}

const StageKindEntry& StageKindRegistry::at(const std::string& name) const {
  if (const StageKindEntry* k = find(name)) return *k;
  throw std::out_of_range("no stage kind '" + name + "'");
}

std::vector<const StageKindEntry*> StageKindRegistry::entries() const {
  std::vector<const StageKindEntry*> out;
  for (const auto& [id, k] : by_id_) out.push_back(&k);
  return out;
}

std::vector<std::string> StageKindRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [id, k] : by_id_) out.push_back(k.name);
  return out;
}

const StageKindEntry* StageKindRegistry::rtl_variant(const std::string& name) const {
  for (const auto& [id, k] : by_id_)
    if (k.hls_kind == name) return &k;
  return nullptr;
}

StageKindRegistry& stage_kinds() {
  // Built on first use (thread-safe), from the explicit list.
  static StageKindRegistry registry = [] {
    StageKindRegistry r;
    register_builtin_stage_kinds(r);
    return r;
  }();
  return registry;
}

models::PipelineTiming pipeline_timing(const ir::StagePlan& s, const ir::Design& d) {
  const StageKindEntry& k = stage_kinds()[s.kind];
  models::PipelineTiming t = k.timing(s, d);
  const auto it = d.pipeline_depth.find(k.name);
  if (it != d.pipeline_depth.end()) t.depth = it->second;
  t.flushes = d.flushes(k.name);
  return t;
}

std::string describe_stage_kinds(const StageKindRegistry& r) {
  std::ostringstream o;
  bool first = true;
  for (const StageKindEntry* k : r.entries()) {
    if (!first) o << "\n";  // a blank line between sections, none after the last
    first = false;
    o << "### `" << k->name << "`\n\n" << k->summary << "\n\n";
    if (k->from_layer) {
      o << "In a layer's chain as `<layer>." << k->role << "`";
      if (k->needed)
        o << "; where the layer-kind table marks it optional, only when the layer needs it";
      o << ". "
        << (k->forwards_elements ? "Writes the elements it reads."
                                 : "Writes the layer's output elements.");
      if (k->reads_every_input) o << " Reads one stream per layer input.";
      o << "\n\n";
    }
    if (k->on_stream) o << "Placed on a stream by the plan builder.\n\n";
    if (!k->hls_kind.empty())
      o << "The RTL variant of `" << k->hls_kind << "`: placed, computed and named in FINN as it is, timed "
        << "from FINN's RTL template; a layer's `impl_style: rtl` picks it.\n\n";
    o << "| parameter | type | meaning |\n|---|---|---|\n";
    for (const StageParam& p : k->params)
      o << "| `" << p.name << "` | " << p.type() << " | " << p.description << " |\n";
  }
  return o.str();
}

}  // namespace vine::kinds
