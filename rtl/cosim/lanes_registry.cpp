#include "rtl/cosim/lanes_registry.h"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unistd.h>

#include "rtl/cosim/unit_cache.h"
#include "rtl/cosim/units_module.h"

namespace vine::cosim {

namespace {

struct Registry {
  std::map<std::string, LanesFactory> table;
  std::string problem;  // empty once the module is loaded, or when units come on demand
};

Registry* adding = nullptr;  // the registry the module's entry adds to

void add_unit(const char* key, MakeUnit make) {
  adding->table.emplace(key, [make] { return std::unique_ptr<models::RtlUnit>(make()); });
}

// Adds the units of a loaded module to the table; the problem, or "".
std::string add_module(Registry& r, void* module, const std::string& path) {
  auto entry = reinterpret_cast<UnitsEntry>(dlsym(module, kUnitsEntry));
  if (!entry) {
    dlclose(module);
    return path + " is not a co-simulation units module (no " + kUnitsEntry + " in it)";
  }
  adding = &r;
  entry(&add_unit);
  adding = nullptr;
  return "";
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
    // Without the build's module, every unit comes on demand (unit_cache.h).
    if (!std::getenv(kUnitsEnv) && on_demand_available() && access(path.c_str(), F_OK) != 0) return;
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
    r.problem = add_module(r, module, path);
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

namespace {

std::unique_ptr<models::RtlUnit> make_unit(const models::LanesConfig& c, std::string* why) {
  static std::mutex building;  // one on-demand build at a time in this process
  std::lock_guard<std::mutex> hold(building);
  Registry& r = registry();
  auto it = r.table.find(c.key());
  if (it == r.table.end() && r.problem.empty() && on_demand_available()) {
    // Not in the build's module: Verilated now, or loaded from the cache.
    const UnitModule m = unit_module_on_demand(c);
    std::string problem = m.error;
    if (problem.empty()) {
      if (void* module = dlopen(m.path.c_str(), RTLD_NOW | RTLD_LOCAL))
        problem = add_module(r, module, m.path);
      else
        problem = std::string("cannot load the co-simulation unit ") + m.path + ": " + dlerror();
    }
    if (!problem.empty()) {
      if (why) *why = problem;
      return nullptr;
    }
    it = r.table.find(c.key());
  }
  if (it == r.table.end()) {
    if (why) *why = "no unit built for it";
    return nullptr;
  }
  return it->second();
}

}  // namespace

// The key's unit name says what the factory makes (models::is_output_unit).
std::unique_ptr<models::RtlLanes> make_lanes(const models::LanesConfig& c, std::string* why) {
  if (models::is_output_unit(c.unit) || models::is_generator_unit(c.unit))
    throw std::logic_error("make_lanes: " + c.key() + " is not a lanes unit");
  return std::unique_ptr<models::RtlLanes>(static_cast<models::RtlLanes*>(make_unit(c, why).release()));
}

std::unique_ptr<models::RtlOutput> make_output_unit(const models::LanesConfig& c, std::string* why) {
  if (!models::is_output_unit(c.unit)) throw std::logic_error("make_output_unit: " + c.key() + " is a lanes unit");
  return std::unique_ptr<models::RtlOutput>(static_cast<models::RtlOutput*>(make_unit(c, why).release()));
}

std::unique_ptr<models::RtlGenerator> make_generator(const models::LanesConfig& c, std::string* why) {
  if (!models::is_generator_unit(c.unit)) throw std::logic_error("make_generator: " + c.key() + " is not a generator");
  return std::unique_ptr<models::RtlGenerator>(static_cast<models::RtlGenerator*>(make_unit(c, why).release()));
}

std::vector<std::string> built_lanes() {
  std::vector<std::string> keys;
  for (const auto& [k, f] : registry().table) keys.push_back(k);
  return keys;
}

void install_lanes(const std::string& key, LanesFactory make) {
  if (make)
    registry().table[key] = std::move(make);
  else
    registry().table.erase(key);
}

LanesFactory installed_lanes(const std::string& key) {
  const auto& t = registry().table;
  const auto it = t.find(key);
  return it == t.end() ? LanesFactory{} : it->second;
}

bool cosim_available() { return registry().problem.empty(); }

std::string cosim_problem() { return registry().problem; }

}  // namespace vine::cosim
