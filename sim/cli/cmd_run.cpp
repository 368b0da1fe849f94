#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "platforms/board/streaming_board.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/frame_files.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/run_format.h"
#include "sim/run/simulation.h"
#include "sim/trace/traces.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_run(const Args& args) {
  po::options_description opts(
      "vine run DESIGN [options]: cycle-accurate simulation of a streaming design, checked against "
      "the golden "
      "reference");
  opts.add_options()("help,h", "show this help")("frames", po::value<int>()->default_value(8),
                                                 "frames to stream through the pipeline (1 to 10^7)")(
      "seed", po::value<uint64_t>()->default_value(1),
      "seed of the synthetic weights and input frames")("json", po::value<std::string>(),
                                                        "write the report as JSON")(
      "vcd", po::value<std::string>(), "write FIFO occupancies and stage states as VCD (GTKWave)")(
      "perfetto", po::value<std::string>(),
      "write a Chrome/Perfetto JSON timeline, one track per stage")(
      "timing-only", "skip the arithmetic: the same cycles, no output check")(
      "list-modules",
      "print the elaborated SystemC hierarchy (modules, stages, streams, ports) and exit")(
      "backend", po::value<std::string>(),
      "PE arithmetic of every layer: cpp (C++ models) or rtl (Verilated lanes units, "
      "co-simulation); default: "
      "each layer's `backend` in the design");
  // Real input frames and the output codes (docs/data.md).
  opts.add_options()("inputs", po::value<std::string>(),
                     "take the input frames from FILE: .npy (N, H, W, C) of input codes or raw bytes as "
                     "`vine reference --write-inputs` writes them; all its frames, or the first --frames")(
      "outputs", po::value<std::string>(), "write every frame's output codes to FILE as .npy int32 (N, outputs)");
  po::variables_map vm;
  if (auto done = parse_command("run", args, opts, "design", "DESIGN", vm)) return *done;
  sim::RunOptions o;
  o.frames = vm["frames"].as<int>();
  // Each frame's input is kept until its output is checked, and its output
  // cycles are reported: bounded, as FIFO depths are.
  constexpr int kMaxFrames = 10000000;
  if (o.frames < 1 || o.frames > kMaxFrames)
    return usage_error("run", "--frames must be in [1, " + std::to_string(kMaxFrames) + "], got " +
                                  std::to_string(o.frames), opts);
  o.seed = vm["seed"].as<uint64_t>();
  o.timing_only = vm.count("timing-only") > 0;
  o.record = vm.count("vcd") || vm.count("perfetto");
  // A run too short for the steady state says how many frames reach it.
  o.find_frames_needed = true;
  const auto backend = parse_backend(vm);
  if (!backend)
    return usage_error(
        "run", "--backend must be cpp or rtl, got '" + vm["backend"].as<std::string>() + "'", opts);
  o.backend = *backend;
  if (o.timing_only && o.backend == sim::BackendChoice::kRtl)
    return usage_error(
        "run",
        "--timing-only runs no arithmetic, so there is nothing for --backend rtl to co-simulate",
        opts);
  const ir::Design d = config::load_design(vm["design"].as<std::string>());
  log_design_loaded(d);
  std::vector<std::string> read_files = input_files(d);
  if (vm.count("outputs") && o.timing_only)
    return usage_error("run", "--outputs needs the outputs' values, which --timing-only does not compute", opts);
  if (vm.count("inputs")) {
    const std::string path = vm["inputs"].as<std::string>();
    const models::BeatFormat raw = input_beat_format(d);
    try {
      o.input_frames = std::make_shared<const std::vector<golden::IntTensor>>(read_input_frames(path, d.network, &raw));
    } catch (const FrameFileError& e) {
      return usage_error("run", std::string("--inputs: ") + e.what(), opts);
    }
    std::string problem;
    o.frames = frames_to_run(int(o.input_frames->size()), !vm["frames"].defaulted(), o.frames, path, problem);
    if (!problem.empty()) return usage_error("run", problem, opts);
    read_files.push_back(path);
  }
  o.keep_outputs = vm.count("outputs") > 0;
  // Outputs are checked (not opened) before the run and written at its end.
  for (const char* f : {"json", "vcd", "perfetto", "outputs"})
    if (vm.count(f)) {
      const std::string problem = check_output_path(f, vm[f].as<std::string>(), read_files);
      if (!problem.empty()) return usage_error("run", problem, opts);
    }
  if (d.hw_template == ir::Template::kStreaming) log_plan(ir::plan_process_network(d));
  const auto elaboration_start = std::chrono::steady_clock::now();
  sim::Simulation simulation(d, o);
  // The pipeline runs inside a SystemC board: sc_time follows the frames.
  platforms::StreamingBoard board("board", simulation, d.clock_mhz);
  if (vm.count("list-modules")) {
    models::write_hierarchy(std::cout);
    return kExitOk;
  }
  spdlog::info(
      "elaborated in {:.3f} s ({}, {})",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - elaboration_start).count(),
      o.timing_only ? "timing only" : "bit-exact, checked against the golden reference",
      o.backend == sim::BackendChoice::kRtl   ? "every PE on RTL"
      : o.backend == sim::BackendChoice::kCpp ? "every PE on C++"
                                              : "PE back-ends as the design says");
  const auto t0 = std::chrono::steady_clock::now();
  bool progress_shown = false;
  // The progress line is for a person at a terminal, and --quiet silences it too.
  const bool tty = isatty(fileno(stderr)) && verbosity() != Verbosity::kQuiet;
  board.on_frame = [&](int done) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!tty || secs < 1.0) return;
    const double cycles = sc_core::sc_time_stamp() / board.clock_period();
    std::fprintf(stderr, "\r  %d/%d frames, %.0f cycles simulated, %.3g cycles/s   ", done,
                 o.frames, cycles, cycles / secs);
    progress_shown = true;
  };
  sc_core::sc_start();
  if (progress_shown) std::fprintf(stderr, "\n");
  const sim::RunReport& r = simulation.finish();
  const double run_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  spdlog::info("ran {} frame(s), {} cycles, in {:.3f} s ({:.3g} cycles/s)", r.frames,
               r.cycles_total, run_secs, run_secs > 0 ? double(r.cycles_total) / run_secs : 0.0);
  spdlog::debug("SystemC time at the end: {}", sc_core::sc_time_stamp().to_string());
  std::cout << sim::format_summary(r);
  if (vm.count("json") &&
      !write_output("json", vm["json"].as<std::string>(),
                    [&](std::ostream& out) { out << sim::to_json(r, simulation.estimate()).dump(2) << "\n"; }))
    return kExitUsage;
  if (vm.count("vcd")) {
    if (!write_output("vcd", vm["vcd"].as<std::string>(),
                      [&](std::ostream& out) { trace::write_vcd(simulation.network(), out); }))
      return kExitUsage;
    spdlog::debug("wrote VCD {}", vm["vcd"].as<std::string>());
  }
  if (vm.count("perfetto")) {
    if (!write_output("perfetto", vm["perfetto"].as<std::string>(),
                      [&](std::ostream& out) { trace::write_perfetto(simulation.network(), d.clock_mhz, out); }))
      return kExitUsage;
    spdlog::debug("wrote Perfetto timeline {}", vm["perfetto"].as<std::string>());
  }
  if (vm.count("outputs") && r.finished &&
      !write_output("outputs", vm["outputs"].as<std::string>(),
                    [&](std::ostream& out) { write_output_codes(out, simulation.outputs()); }))
    return kExitUsage;
  if (!r.finished) return kExitSimulation;
  if (r.outputs_match_reference && !*r.outputs_match_reference) return kExitSimulation;
  return kExitOk;
}

}  // namespace vine::cli
