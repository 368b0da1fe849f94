// A sweep: one `vine` command over a grid of designs and option values,
// read from a YAML spec (docs/sweeps.md):
//
//   sweep: cnv-depths            # a name
//   command: run                 # run | estimate | fifo-size | bench
//   designs: [../designs/default.yaml, ../designs/bnn-pynq/cnv-w2a2-pynq-z1.yaml]
//   options:                     # every combination of these values, per design
//     frames: [4, 8]
//     seed: [1, 2]
//     timing-only: [true]
//
// Each point of the grid is one run of the command with `--json`; `vine
// sweep` (sim/cli/cmd_sweep.cpp) runs them in a pool of processes and
// gathers their JSON into one CSV.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace vine::explore {

struct SweepPoint {
  std::string id;      // "p0007": its files' names
  std::string design;  // as the spec gives it, resolved against the spec's folder
  std::vector<std::pair<std::string, std::string>> options;  // (option, value), in the spec's order
  // The command line after `vine`: the command, the design, the options
  // (a `true` flag alone, a `false` one left out).
  std::vector<std::string> args(const std::string& command) const;
};

struct SweepSpec {
  std::string name;
  std::string path;
  std::string command;
  std::vector<std::string> option_names;  // the grid's columns, in the spec's order
  std::vector<SweepPoint> points;         // designs outermost, then options in order
};

// Reads and expands a spec; errors are config::ConfigErrors at the field.
SweepSpec load_sweep_spec(const std::string& path);

}  // namespace vine::explore
