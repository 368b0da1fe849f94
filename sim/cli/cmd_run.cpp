#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "platforms/board/streaming_board.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/config/loaders.h"
#include "sim/run/run_format.h"
#include "sim/run/simulation.h"
#include "sim/trace/traces.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_run(const Args& args) {
  po::options_description opts(
      "vine run DESIGN [options]: cycle-accurate simulation of a streaming design, checked against the golden "
      "reference");
  opts.add_options()("help,h", "show this help")("frames", po::value<int>()->default_value(3),
                                                 "frames to stream through the pipeline (>= 1)")(
      "seed", po::value<uint64_t>()->default_value(1), "seed of the synthetic weights and input frames")(
      "json", po::value<std::string>(), "write the report as JSON")(
      "vcd", po::value<std::string>(), "write FIFO occupancies and stage states as VCD (GTKWave)")(
      "perfetto", po::value<std::string>(), "write a Chrome/Perfetto JSON timeline, one track per stage")(
      "timing-only", "skip the arithmetic: the same cycles, no output check")(
      "backend", po::value<std::string>(),
      "PE arithmetic of every layer: cpp (C++ models) or rtl (Verilated lanes units, co-simulation); default: "
      "each layer's `backend` in the design");
  po::variables_map vm;
  if (auto done = parse_command("run", args, opts, "design", "DESIGN", vm)) return *done;
  sim::RunOptions o;
  o.frames = vm["frames"].as<int>();
  if (o.frames < 1) return usage_error("run", "--frames must be >= 1, got " + std::to_string(o.frames), opts);
  o.seed = vm["seed"].as<uint64_t>();
  o.timing_only = vm.count("timing-only") > 0;
  o.record = vm.count("vcd") || vm.count("perfetto");
  // A run too short for the steady state says how many frames reach it.
  o.find_frames_needed = true;
  const auto backend = parse_backend(vm);
  if (!backend) return usage_error("run", "--backend must be cpp or rtl, got '" + vm["backend"].as<std::string>() + "'", opts);
  o.backend = *backend;
  if (o.timing_only && o.backend == sim::BackendChoice::kRtl)
    return usage_error("run", "--timing-only runs no arithmetic, so there is nothing for --backend rtl to co-simulate",
                       opts);
  for (const char* f : {"json", "vcd", "perfetto"})
    if (vm.count(f)) {
      const std::string path = vm[f].as<std::string>();
      if (!std::ofstream(path)) {
        std::cerr << "error: cannot write --" << f << " file '" << path << "'\n";
        return kExitUsage;
      }
    }

  const ir::Design d = config::load_design(vm["design"].as<std::string>());
  sim::Simulation simulation(d, o);
  // The pipeline runs inside a SystemC board: sc_time follows the frames.
  platforms::StreamingBoard board("board", simulation, d.clock_mhz);
  const auto t0 = std::chrono::steady_clock::now();
  bool progress_shown = false;
  const bool tty = isatty(fileno(stderr));
  board.on_frame = [&](int done) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!tty || secs < 1.0) return;
    const double cycles = sc_core::sc_time_stamp() / board.clock_period();
    std::fprintf(stderr, "\r  %d/%d frames, %.0f cycles simulated, %.3g cycles/s   ", done, o.frames, cycles,
                 cycles / secs);
    progress_shown = true;
  };
  sc_core::sc_start();
  if (progress_shown) std::fprintf(stderr, "\n");
  const sim::RunReport& r = simulation.report();
  std::cout << sim::format_summary(r);
  if (vm.count("json") &&
      !write_output_file("json", vm["json"].as<std::string>(), sim::to_json(r, simulation.estimate()).dump(2) + "\n"))
    return kExitUsage;
  if (vm.count("vcd")) {
    std::ofstream out(vm["vcd"].as<std::string>());
    trace::write_vcd(simulation.network(), out);
  }
  if (vm.count("perfetto")) {
    std::ofstream out(vm["perfetto"].as<std::string>());
    trace::write_perfetto(simulation.network(), d.clock_mhz, out);
  }
  if (!r.finished) return kExitSimulation;
  if (r.outputs_match_reference && !*r.outputs_match_reference) return kExitSimulation;
  return kExitOk;
}

}  // namespace vine::cli
