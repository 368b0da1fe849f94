// What the three libFuzzer targets share (docs/fuzzing.md).
//
// The loaders read paths, not buffers, so each input is written to a file in
// a scratch directory that also holds a copy of the shipped configs: a design
// (or a design the harness writes around a fuzzed network or device) names
// its network and device by relative path, and those must resolve for the
// fuzzing to get past the first lines of a design.
//
// The contract under test: whatever the bytes, a loader returns or throws
// config::ConfigError. Any other exception is what `vine` reports as an
// internal error (exit 2), so it aborts here and libFuzzer keeps the input;
// crashes and sanitizer reports abort by themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include "sim/config/config_error.h"
#include "sim/ir/design.h"

namespace vine::fuzz {

// The scratch tree, made once per process under $TMPDIR and removed at exit:
//   <root>/configs/{networks,devices,designs}/...  the shipped configs
//   <root>/configs/designs/{networks,devices}       links to the two above, so
//                                                  that both `../networks/x` and
//                                                  `../../networks/x` resolve
//   <root>/configs/designs/fuzz/                    where inputs are written
class Scratch {
 public:
  static const Scratch& get();
  // The input's file: <root>/configs/designs/fuzz/<name>.
  std::string write(const std::string& name, const uint8_t* data, size_t size) const;
  std::string write(const std::string& name, const std::string& text) const;
  const std::string& configs() const { return configs_; }  // <root>/configs

 private:
  Scratch();
  std::string root_, configs_, inputs_;
};

// The steps after a load that `vine estimate` runs on what `vine validate`
// accepts, all cheap (no simulation): the stage plan, the estimate, its
// table and its JSON. Only ConfigError may come out of them.
void downstream(const ir::Design& d);

// config::load_design on the file at `path` and, when it accepts it,
// downstream(): what every target does with a design, fuzzed or written
// around a fuzzed network or device.
void load_design_and_downstream(const std::string& path);

// Prints what threw and its message, then aborts: libFuzzer saves the input.
[[noreturn]] void internal_error(const char* what, const char* message);

// Whether VINE_FUZZ_VERBOSE is set: then each step says on stderr whether it
// accepted the input and, if not, why (to check a seed, or see how far a
// saved input gets, by running the target on the file).
bool verbose();

// Runs f; returns whether it returned (false: it threw ConfigError). Any
// other exception is reported as an internal error and aborts.
template <class F>
bool config_errors_only(const char* what, F&& f) {
  try {
    f();
    if (verbose()) std::fprintf(stderr, "%s: ok\n", what);
    return true;
  } catch (const config::ConfigError& e) {
    if (verbose()) std::fprintf(stderr, "%s: %s\n", what, e.what());
    return false;
  } catch (const std::exception& e) {
    internal_error(what, e.what());
  } catch (...) {
    internal_error(what, "an exception that is no std::exception");
  }
}

}  // namespace vine::fuzz
