#include "rtl/cosim/lanes_registry.h"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <mutex>

#include "rtl/cosim/units_module.h"

namespace vine::cosim {

namespace {

struct Registry {
  std::map<std::string, LanesFactory> table;
  std::string problem;  // empty once the module is loaded
};

Registry* adding = nullptr;  // the registry the module's entry adds to

void add_unit(const char* key, MakeUnit make) {
  adding->table.emplace(key, [make] { return std::unique_ptr<models::RtlLanes>(make()); });
}

// Loads the units module once, on first use: a run that co-simulates nothing
// never touches it. The module stays loaded for the process's life (its
// factories are in the table).
Registry& registry() {
  static Registry r;
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string path = units_module_path();
    if (path.empty()) {
      r.problem =
          "this build was configured without Verilator (or with -DVINE_BUILD_RTL=OFF), so it has no Verilated "
          "co-simulation units: install Verilator 5 (scripts/setup does) and configure again";
      return;
    }
    void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) {
      const char* e = dlerror();
#ifdef VINE_COSIM_BUILD_COMMAND
      if (!std::getenv(kUnitsEnv))
        r.problem = "the Verilated co-simulation units are not built yet (no " + path +
                    "): build them with `" VINE_COSIM_BUILD_COMMAND
                    "` (a few minutes on two cores; `scripts/setup --all` builds them with the tests)";
      else
#endif
        r.problem = "cannot load the co-simulation units " + path + " ($" + kUnitsEnv + "): " + (e ? e : "?");
      return;
    }
    auto entry = reinterpret_cast<UnitsEntry>(dlsym(module, kUnitsEntry));
    if (!entry) {
      r.problem = path + " is not a co-simulation units module (no " + kUnitsEntry + " in it)";
      dlclose(module);
      return;
    }
    adding = &r;
    entry(&add_unit);
    adding = nullptr;
  });
  return r;
}

}  // namespace

std::string units_module_path() {
  if (const char* p = std::getenv(kUnitsEnv); p && *p) return p;
#ifdef VINE_COSIM_UNITS_PATH
  return VINE_COSIM_UNITS_PATH;
#else
  return "";
#endif
}

std::unique_ptr<models::RtlLanes> make_lanes(const models::LanesConfig& c) {
  const auto& t = registry().table;
  const auto it = t.find(c.key());
  return it == t.end() ? nullptr : it->second();
}

std::vector<std::string> built_lanes() {
  std::vector<std::string> keys;
  for (const auto& [k, f] : registry().table) keys.push_back(k);
  return keys;
}

void install_lanes(const std::string& key, LanesFactory make) { registry().table[key] = std::move(make); }

bool cosim_available() { return registry().problem.empty(); }

std::string cosim_problem() { return registry().problem; }

}  // namespace vine::cosim
