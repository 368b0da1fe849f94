#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/config/loaders.h"
#include "sim/trace/golden_figures.h"

namespace vine::cli {

namespace po = boost::program_options;

// The golden figures of a design (traces/*.golden): written to stdout, or
// regenerated with a file's own frame counts and seed and compared with it.
int cmd_golden(const Args& args) {
  po::options_description opts(
      "vine golden DESIGN [options]: the design's golden figures (latency, steady interval, batch, "
      "every stage's "
      "first and last output cycle of frame 0, output checksums) as key: value lines; "
      "traces/README.md");
  opts.add_options()("help,h", "show this help")(
      "check", po::value<std::string>(),
      "compare with FILE, regenerated with its timing.frames, outputs.frames and outputs.seed: one "
      "line per "
      "differing figure, exit 2 when any differs")(
      "timing-frames", po::value<int>()->default_value(0),
      "frames of the timing-only run (0: the frames `vine run` names as reaching the steady "
      "state)")("output-frames", po::value<int>()->default_value(2),
                "frames of the bit-exact run whose outputs are checksummed")(
      "seed,s", po::value<uint64_t>()->default_value(1),
      "seed of the bit-exact run's weights and frames");
  po::variables_map vm;
  if (auto done = parse_command("golden", args, opts, "design", "DESIGN", vm)) return *done;
  const std::string design = vm["design"].as<std::string>();
  trace::GoldenOptions o;
  o.timing_frames = vm["timing-frames"].as<int>();
  o.output_frames = vm["output-frames"].as<int>();
  o.seed = vm["seed"].as<uint64_t>();
  if (o.timing_frames < 0 || o.output_frames < 1)
    return usage_error("golden", "--timing-frames must be >= 0 and --output-frames >= 1", opts);

  if (!vm.count("check")) {
    const ir::Design d = config::load_design(design);
    std::cout << trace::golden_figures(d, design, o);
    return kExitOk;
  }
  const std::string file = vm["check"].as<std::string>();
  std::ifstream in(file);
  if (!in) {
    std::cerr << "vine golden: no golden file '" << file
              << "': write it with scripts/update-traces\n";
    return kExitUsage;
  }
  std::stringstream expected;
  expected << in.rdbuf();
  try {
    o = trace::golden_options_of(expected.str());
  } catch (const std::runtime_error& e) {
    std::cerr << "vine golden: " << file << ": " << e.what() << "\n";
    return kExitUsage;
  }
  const ir::Design d = config::load_design(design);
  const auto diffs = trace::golden_diff(expected.str(), trace::golden_figures(d, design, o));
  if (diffs.empty()) {
    std::cout << "golden figures of " << design << " match " << file << "\n";
    return kExitOk;
  }
  std::cout << diffs.size() << " golden figure(s) of " << design << " differ from " << file
            << " (key: expected -> now):\n";
  for (const auto& line : diffs) std::cout << "  " << line << "\n";
  std::cout
      << "if the change is intended, regenerate with scripts/update-traces and commit the diff\n";
  return kExitSimulation;
}

}  // namespace vine::cli
