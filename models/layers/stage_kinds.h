// The stage-kind registry: every kind of pipeline stage by name and by id
// (ir::StageKind), each with its entry (stage_kind.h). The plan builder, the
// simulator's elaboration, the config reader and the estimate look kinds up
// here; none of them names a kind in a switch.
//
// The built-in kinds are registered explicitly, by the list in
// builtin_kinds.cpp, when the process's registry is first used: no static
// initialisers, which a static library's link would drop. A program or test
// may add kinds of its own (add()) before it plans a design that uses them;
// the registry is not locked, so register before any thread plans or runs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "models/layers/stage_kind.h"

namespace vine::kinds {

class StageKindRegistry {
 public:
  // Adds a kind under a new id, which it returns. Throws std::invalid_argument
  // when the name is taken or the entry lacks a placement, factory, timing
  // or cycles.
  ir::StageKind add(StageKindEntry kind);
  // Adds a kind under a given id: the built-in kinds keep the ids that
  // ir::StageKind names.
  ir::StageKind add(StageKindEntry kind, ir::StageKind id);

  // Throws std::out_of_range for an unknown id or name.
  const StageKindEntry& operator[](ir::StageKind id) const;
  const StageKindEntry& at(const std::string& name) const;
  const StageKindEntry* find(const std::string& name) const;  // null if unknown
  const StageKindEntry* find(ir::StageKind id) const;
  // In id order: the built-in kinds first, in ir::StageKind's order.
  std::vector<const StageKindEntry*> entries() const;
  std::vector<std::string> names() const;
  // The RTL variant of HLS kind `name` (the entry whose hls_kind it is),
  // null when it has none.
  const StageKindEntry* rtl_variant(const std::string& name) const;
  // The HLS kind a kind re-times (its hls_kind), or the kind's own name.
  const std::string& family(const StageKindEntry& k) const { return k.hls_kind.empty() ? k.name : k.hls_kind; }

 private:
  std::map<int, StageKindEntry> by_id_;
  std::map<std::string, int> by_name_;
};

// Registers Vine's own kinds (builtin_kinds.cpp).
void register_builtin_stage_kinds(StageKindRegistry& r);

// The process's registry, holding the built-in kinds from its first use.
StageKindRegistry& stage_kinds();

// The pipeline timing of a planned stage: its kind's, with the depth the
// design's `pipeline_depth` gives the kind, if any.
models::PipelineTiming pipeline_timing(const ir::StagePlan& s, const ir::Design& d);

// The kinds as Markdown, one section each: what it is, where the plan puts
// it, the parameters it reads (docs/stage-kinds.md holds this for the
// built-in kinds, and a test keeps it current).
std::string describe_stage_kinds(const StageKindRegistry& r);

}  // namespace vine::kinds
