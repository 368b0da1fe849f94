// Shared command-line plumbing for the subcommands.
#pragma once

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/logging.h"
#include "sim/run/pe_backend.h"

namespace vine::cli {

// -v/--verbose and -q/--quiet: every command takes them (and main.cpp takes
// them before the command), so they read the same wherever they are given.
inline boost::program_options::options_description logging_options() {
  namespace po = boost::program_options;
  po::options_description o("logging to stderr (also accepted before the command)");
  o.add_options()("verbose,v", "also log debug detail: files, folding, every stage and FIFO")(
      "quiet,q", "log warnings only, no info lines");
  return o;
}

// A command's --help: its own options, then the logging ones.
inline void print_help(std::ostream& out,
                       const boost::program_options::options_description& visible) {
  out << visible << "\n" << logging_options() << "\n";
}

inline int usage_error(const std::string& cmd, const std::string& what,
                       const boost::program_options::options_description& opts) {
  std::cerr << "vine " << cmd << ": " << what << "\n\n" << opts << "\n";
  return kExitUsage;
}

// Parses args into vm; prints the problem and returns false on bad options.
inline bool parse_options(const Args& args, const boost::program_options::options_description& visible,
                          const boost::program_options::options_description& hidden,
                          const boost::program_options::positional_options_description& pos,
                          boost::program_options::variables_map& vm) {
  namespace po = boost::program_options;
  po::options_description all;
  all.add(visible).add(logging_options()).add(hidden);
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "error: " << e.what() << "\n\n";
    print_help(std::cerr, visible);
    return false;
  }
  std::string problem;
  for (const auto& [flag, v] :
       {std::pair{"verbose", Verbosity::kVerbose}, std::pair{"quiet", Verbosity::kQuiet}})
    if (vm.count(flag) && !choose_verbosity(v, problem)) {
      std::cerr << "error: " << problem << "\n\n";
      print_help(std::cerr, visible);
      return false;
    }
  return true;
}

// The common shape of a subcommand: `visible` options (a --help among them)
// plus one positional FILE argument stored under `positional`. Returns the
// exit code when the command is done (help shown, bad options, FILE missing),
// nothing when it should go on with vm filled in.
inline std::optional<int> parse_command(const std::string& cmd, const Args& args,
                                        const boost::program_options::options_description& visible,
                                        const std::string& positional, const std::string& missing_what,
                                        boost::program_options::variables_map& vm) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()(positional.c_str(), po::value<std::string>(), "");
  po::positional_options_description pos;
  pos.add(positional.c_str(), 1);
  if (!parse_options(args, visible, hidden, pos, vm)) return kExitUsage;
  if (vm.count("help")) {
    print_help(std::cout, visible);
    return kExitOk;
  }
  if (!vm.count(positional)) return usage_error(cmd, "missing " + missing_what, visible);
  return std::nullopt;
}

// The same with up to `most` positional FILE arguments, into `files`.
inline std::optional<int> parse_files_command(const Args& args,
                                              const boost::program_options::options_description& visible,
                                              int most, boost::program_options::variables_map& vm,
                                              std::vector<std::string>& files) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()("files", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("files", most);
  if (!parse_options(args, visible, hidden, pos, vm)) return kExitUsage;
  if (vm.count("help")) {
    print_help(std::cout, visible);
    return kExitOk;
  }
  files = vm.count("files") ? vm["files"].as<std::vector<std::string>>() : std::vector<std::string>{};
  return std::nullopt;
}

// --backend: "cpp" or "rtl" (absent: each layer's `backend` in the design).
inline std::optional<sim::BackendChoice> parse_backend(const boost::program_options::variables_map& vm) {
  if (!vm.count("backend")) return sim::BackendChoice::kDesign;
  const std::string b = vm["backend"].as<std::string>();
  if (b == "cpp") return sim::BackendChoice::kCpp;
  if (b == "rtl") return sim::BackendChoice::kRtl;
  return std::nullopt;
}

}  // namespace vine::cli
