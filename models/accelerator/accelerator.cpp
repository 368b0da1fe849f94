// sc_spawn: the engine thread is created at elaboration.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "models/accelerator/accelerator.h"

#include <algorithm>

namespace vine::models {

namespace {

// A layer's module: only a scope in the hierarchy; its stages are its children.
class LayerModule final : public sc_core::sc_module {
 public:
  LayerModule(sc_core::sc_module_name name, const std::function<void()>& build) : sc_module(name) {
    build();
  }
  const char* kind() const override { return "vine_layer"; }
};

// "conv1.mvau" -> group "conv1", basename "mvau"; "input_dma" -> no group.
std::pair<std::string, std::string> split(const std::string& name) {
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return {"", name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

// SystemC reserves '.' for the hierarchy.
std::string legal(std::string s) {
  std::replace(s.begin(), s.end(), '.', ':');
  return s;
}

}  // namespace

Accelerator::Accelerator(sc_core::sc_module_name name, const Topology& topo,
                         const StageFactory& make_stage, const StreamFactory& make_stream)
    : sc_module(name) {
  const size_t n = topo.stages.size();
  std::vector<std::string> group(n), base(n);
  for (size_t i = 0; i < n; ++i) std::tie(group[i], base[i]) = split(topo.stages[i]);
  // A stream lives in its ends' layer module when they share one, else here.
  std::vector<std::string> stream_group(topo.streams.size()), stream_base(topo.streams.size());
  for (size_t k = 0; k < topo.streams.size(); ++k) {
    const auto& s = topo.streams[k];
    const size_t p = size_t(s.producer), c = size_t(s.consumer);
    if (!group[p].empty() && group[p] == group[c]) {
      stream_group[k] = group[p];
      stream_base[k] = legal(base[p]) + "->" + legal(base[c]);
    } else {
      stream_base[k] = legal(s.name);
    }
  }

  stages_.resize(n);
  fifos_.resize(topo.streams.size());
  auto build_in = [&](const std::string& g) {
    for (size_t i = 0; i < n; ++i)
      if (group[i] == g) {
        const std::string b = legal(base[i]);
        sc_core::sc_module_name scope(b.c_str());  // the stage's name while it is constructed
        stages_[i] = make_stage(int(i));
      }
    for (size_t k = 0; k < topo.streams.size(); ++k)
      if (stream_group[k] == g) fifos_[k] = make_stream(int(k), stream_base[k].c_str());
  };
  build_in("");
  std::vector<std::string> seen;
  for (size_t i = 0; i < n; ++i)
    if (!group[i].empty() && std::find(seen.begin(), seen.end(), group[i]) == seen.end()) {
      seen.push_back(group[i]);
      const std::string g = legal(group[i]);
      groups_.push_back(std::make_unique<LayerModule>(g.c_str(), [&] { build_in(group[i]); }));
    }

  for (size_t i = 0; i < n; ++i) {
    for (int id : topo.inputs[i]) stages_[i]->add_input(fifos_[size_t(id)].get());
    for (int id : topo.outputs[i]) stages_[i]->add_output(fifos_[size_t(id)].get());
  }
  for (auto& s : stages_) s->attach(*this);
  bool flushing = false;
  for (auto& s : stages_) flushing = flushing || s->timing().flushing();
  if (flushing) {
    std::vector<Stage*> all;
    for (auto& s : stages_) all.push_back(s.get());
    sched_.watch_flushing(std::move(all));
  }
}

Accelerator::~Accelerator() {
  stages_.clear();
  fifos_.clear();
  groups_.clear();
}

void Accelerator::wake_all_once() {
  if (started_) return;
  started_ = true;
  for (auto& s : stages_) sched_.wake(s.get());
}

bool Accelerator::run(const std::function<bool()>& should_pause) {
  wake_all_once();
  sched_.run(should_pause);
  return finished();
}

bool Accelerator::finished() const {
  for (const auto& s : stages_)
    if (s->state() != StageState::kDone) return false;
  return true;
}

// The thread exists only when SystemC elaborates (sc_start): an accelerator
// run directly (run()) leaves no process behind in the kernel.
void Accelerator::before_end_of_elaboration() {
  sc_core::sc_spawn_options opts;
  sc_core::sc_spawn([this] { engine_thread(); }, "engine", &opts);
}

void Accelerator::engine_thread() {
  try {
    wake_all_once();
    for (;;) {
      sched_.run();
      progress_.notify(sc_core::SC_ZERO_TIME);
      if (finished()) return;
      wait(kick_);
    }
  } catch (const sc_core::sc_unwind_exception&) {
    throw;  // SystemC's own: a process killed or reset
  } catch (...) {
    failure_ = std::current_exception();
    sc_core::sc_stop();
  }
}

void write_hierarchy(std::ostream& out, const sc_core::sc_object* top) {
  std::function<void(const sc_core::sc_object*, int)> walk = [&](const sc_core::sc_object* o,
                                                                 int depth) {
    out << std::string(size_t(depth) * 2, ' ') << o->name() << "  (" << o->kind() << ")\n";
    for (const auto* c : o->get_child_objects()) walk(c, depth + 1);
  };
  if (top) {
    walk(top, 0);
    return;
  }
  for (const auto* o : sc_core::sc_get_top_level_objects()) walk(o, 0);
}

}  // namespace vine::models
