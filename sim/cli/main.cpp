// `vine`: the command-line front end. Subcommands live in cmd_*.cpp.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <systemc>

#include "models/pe/rtl_timing_error.h"
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/logging.h"
#include "sim/config/config_error.h"
#include "vine_version.h"

namespace {

struct Subcommand {
  std::function<int(const vine::cli::Args&)> run;
  const char* summary;
};

const std::map<std::string, Subcommand>& subcommands() {
  static const std::map<std::string, Subcommand> cmds = {
      {"validate", {vine::cli::cmd_validate, "check a network, device or design config"}},
      {"reference",
       {vine::cli::cmd_reference,
        "bit-exact golden inference of a network (or a design's network)"}},
      {"estimate", {vine::cli::cmd_estimate, "analytic cycles, fps and resources of a design"}},
      {"bench", {vine::cli::cmd_bench, "speed of the reference and the simulation on a design"}},
      {"run",
       {vine::cli::cmd_run,
        "cycle-accurate simulation of a design, checked against the reference"}},
      {"rtl-units",
       {vine::cli::cmd_rtl_units, "the Verilated units (lanes, output units) co-simulating designs needs"}},
      {"golden",
       {vine::cli::cmd_golden, "a design's golden figures (traces/*.golden), written or checked"}},
      {"vp",
       {vine::cli::cmd_vp,
        "the virtual platform: a driver job or an application against registers, DDR, DMAs, IRQ"}},
      {"dse",
       {vine::cli::cmd_dse,
        "the folding explored under a device's resources, FINN's SetFolding beside it, simulated"}},
      {"partition",
       {vine::cli::cmd_partition,
        "a design split over a cluster's boards for the least interval, links included, exactly"}},
      {"dataflow",
       {vine::cli::cmd_dataflow,
        "each layer's weights on chip or in DDR: the fewest DDR bytes per frame within the BRAM, exactly"}},
      {"export", {vine::cli::cmd_export, "a design in another format: export finn (FINN's folding config), export engine-image (a compute engine's network image for its driver)"}},
      {"import",
       {vine::cli::cmd_import,
        "other toolflows' files into Vine: import finn (a FINN dataflow ONNX model, its weights; --run), "
        "import finn-config (a FINN folding config on a design), import qonnx (a QONNX model, its weights and "
        "quantisers; --run)"}},
      {"fifo-size",
       {vine::cli::cmd_fifo_size,
        "the least FIFO depths that keep a design's interval, checked by simulation; FINN's config"}},
      {"sweep",
       {vine::cli::cmd_sweep,
        "one command over a grid of designs and options, a pool of processes, one CSV"}},
      {"plot",
       {vine::cli::cmd_plot,
        "figures (PNG, SVG): a run's stage/FIFO timeline, per-layer cycles and resources"}},
  };
  return cmds;
}

void usage(FILE* out) {
  std::fprintf(out,
               "vine: cycle-accurate simulator of FPGA CNN accelerators\n\n"
               "usage: vine [-v|-q] <command> [options]   (vine <command> --help for its "
               "options)\n       vine --version\n\ncommands:\n");
  for (const auto& [name, c] : subcommands()) std::fprintf(out, "  %-10s %s\n", name.c_str(), c.summary);
  std::fprintf(
      out,
      "\nlogging (to stderr; reports go to stdout), before the command or among its options:\n"
      "  -v, --verbose  also log debug detail: files, folding, every stage and FIFO\n"
      "  -q, --quiet    log warnings only, no info lines\n"
      "\nexit codes: 0 ok, 1 usage or config error, 2 simulation/validation failure\n");
}

}  // namespace

// SystemC's entry point runs sc_main inside its kernel; `vine run`
// elaborates its board there.
int sc_main(int argc, char** argv) {
  vine::cli::init_logging();
  // Leading -v/-q apply to whatever command follows.
  int first = 1;
  for (; first < argc; ++first) {
    const std::string a = argv[first];
    vine::cli::Verbosity v;
    if (a == "-v" || a == "--verbose")
      v = vine::cli::Verbosity::kVerbose;
    else if (a == "-q" || a == "--quiet")
      v = vine::cli::Verbosity::kQuiet;
    else
      break;
    std::string problem;
    if (!vine::cli::choose_verbosity(v, problem)) {
      std::fprintf(stderr, "vine: %s\n\n", problem.c_str());
      usage(stderr);
      return vine::cli::kExitUsage;
    }
  }
  if (first >= argc) {
    usage(stderr);
    return vine::cli::kExitUsage;
  }
  const std::string cmd = argv[first];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    usage(stdout);
    return vine::cli::kExitOk;
  }
  if (cmd == "--version") {
    // The commit is the one the build was configured at (sim/cli/CMakeLists.txt).
    if (*VINE_GIT_COMMIT)
      std::printf("vine %s (commit %s)\n", VINE_VERSION, VINE_GIT_COMMIT);
    else
      std::printf("vine %s\n", VINE_VERSION);
    return vine::cli::kExitOk;
  }
  const auto it = subcommands().find(cmd);
  if (it == subcommands().end()) {
    std::fprintf(stderr, "vine: unknown command '%s'\n\n", cmd.c_str());
    usage(stderr);
    return vine::cli::kExitUsage;
  }
  try {
    return it->second.run(vine::cli::Args(argv + first + 1, argv + argc));
  } catch (const vine::config::ConfigError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return vine::cli::kExitUsage;
  } catch (const vine::models::RtlTimingError& e) {
    // A pipeline too shallow for the RTL is a bad design (exit 1); a result
    // at another cycle than the model's is a failed check, as a mismatch is.
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.kind() == vine::models::RtlTimingError::Kind::kDesign ? vine::cli::kExitUsage
                                                                   : vine::cli::kExitSimulation;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vine %s: internal error: %s\n", cmd.c_str(), e.what());
    return vine::cli::kExitSimulation;
  }
}

int main(int argc, char** argv) {
  // SystemC prints a banner on start-up unless told not to; vine's output is data.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
