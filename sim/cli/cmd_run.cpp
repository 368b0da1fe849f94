#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "platforms/board/streaming_board.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/frame_files.h"
#include "sim/cli/mpi_transport.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/engine/engine_run.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/distributed_run.h"
#include "sim/run/run_format.h"
#include "sim/run/simulation.h"
#include "sim/trace/gzip_stream.h"
#include "sim/trace/traces.h"

namespace vine::cli {

namespace po = boost::program_options;

namespace {

// `vine run` of a compute-engine design (docs/engine.md): the frames through
// the engine on data, checked against the golden reference; the per-layer
// report of the simulated schedule.
int run_engine_design(const po::variables_map& vm, const ir::Design& d, sim::RunOptions o,
                      const po::options_description& opts) {
  for (const char* f : {"vcd", "perfetto", "timing-only", "no-fast-forward", "list-modules", "trace-frames",
                        "trace-stages"})
    if (vm.count(f))
      return usage_error("run", std::string("--") + f + " is for streaming designs; " + d.path +
                                    " is a compute engine (template: engine), which has no streaming stages",
                         opts);
  std::vector<golden::IntTensor> frames;
  std::vector<std::string> read_files = input_files(d);
  if (vm.count("inputs")) {
    const std::string path = vm["inputs"].as<std::string>();
    try {
      frames = read_input_frames(path, d.network, nullptr);
    } catch (const FrameFileError& e) {
      return usage_error("run", std::string("--inputs: ") + e.what(), opts);
    }
    std::string problem;
    o.frames = frames_to_run(int(frames.size()), !vm["frames"].defaulted(), o.frames, path, problem);
    if (!problem.empty()) return usage_error("run", problem, opts);
    read_files.push_back(path);
  }
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* f : {"json", "outputs"})
    if (vm.count(f)) outputs.emplace_back(f, vm[f].as<std::string>());
  if (const std::string problem = check_output_paths(outputs, read_files); !problem.empty())
    return usage_error("run", problem, opts);
  const auto t0 = std::chrono::steady_clock::now();
  // --backend rtl: the weights generator on Verilated RTL (docs/engine.md).
  engine::EngineRunResult r;
  try {
    r = engine::run_engine(d, o.frames, o.seed, frames.empty() ? nullptr : &frames, vm.count("outputs") > 0,
                           o.backend == sim::BackendChoice::kRtl);
  } catch (const engine::EngineRtlUnitError& e) {
    std::cerr << "vine run: " << e.what() << "\n";
    return kExitUsage;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  spdlog::info("ran {} frame(s) on the compute engine, {} cycles, in {:.3f} s", r.frames, r.cycles_total, secs);
  const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
  report_stream(json_path) << engine::format_engine_run(r);
  if (vm.count("json") &&
      !write_output("json", json_path, [&](std::ostream& out) { out << engine::to_json(r).dump(2) << "\n"; }))
    return kExitUsage;
  if (vm.count("outputs")) {
    std::vector<std::vector<int32_t>> codes;
    for (const auto& t : r.outputs) codes.push_back(t.data);
    if (!write_output("outputs", vm["outputs"].as<std::string>(),
                      [&](std::ostream& out) { write_output_codes(out, codes); }))
      return kExitUsage;
  }
  return r.outputs_match ? kExitOk : kExitSimulation;
}

// `--inputs` and `--outputs`, as the one-process and the distributed run
// take them: the frames read (and the frame count they set) into `o`, the
// file added to `read_files`; a usage problem, or "".
std::string read_run_inputs(const po::variables_map& vm, const ir::Design& d, sim::RunOptions& o,
                            std::vector<std::string>& read_files) {
  if (vm.count("outputs") && o.timing_only)
    return "--outputs needs the outputs' values, which --timing-only does not compute";
  o.keep_outputs = vm.count("outputs") > 0;
  if (!vm.count("inputs")) return "";
  const std::string path = vm["inputs"].as<std::string>();
  const models::BeatFormat raw = input_beat_format(d);
  try {
    o.input_frames = std::make_shared<const std::vector<golden::IntTensor>>(read_input_frames(path, d.network, &raw));
  } catch (const FrameFileError& e) {
    return std::string("--inputs: ") + e.what();
  }
  std::string problem;
  o.frames = frames_to_run(int(o.input_frames->size()), !vm["frames"].defaulted(), o.frames, path, problem);
  if (problem.empty()) read_files.push_back(path);
  return problem;
}

// `mpirun -n K vine run DESIGN`: this rank's boards of a placed design
// (sim/run/distributed_run.h, docs/parallel.md); rank 0 reports the whole run
// as the one-process run does, and every rank exits with its code.
int run_distributed(const po::variables_map& vm, const ir::Design& d, sim::RunOptions o,
                    const po::options_description& opts, MpiTransport& mpi) {
  const bool root = mpi.rank() == 0;
  std::vector<std::string> read_files = input_files(d);
  if (const std::string problem = read_run_inputs(vm, d, o, read_files); !problem.empty())
    return usage_error("run", problem, opts);
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* f : {"json", "outputs"})
    if (vm.count(f)) outputs.emplace_back(f, vm[f].as<std::string>());
  if (const std::string problem = check_output_paths(outputs, read_files); !problem.empty())
    return usage_error("run", problem, opts);
  if (const std::string problem = sim::rtl_units_problem(d, o.backend); !problem.empty()) {
    std::cerr << "vine run: " << problem << "\n";
    return kExitUsage;
  }
  // Each rank checks only the frames that leave on its boards, and the
  // steady state is judged once, on rank 0, from timing runs of its own.
  o.distributed = true;
  o.steady_state = root;
  if (root) log_plan(ir::plan_process_network(d));
  const auto t0 = std::chrono::steady_clock::now();
  sim::Simulation simulation(d, o);
  if (const std::string problem = sim::distributed_network_problem(simulation); !problem.empty())
    return usage_error("run", "under mpirun: " + problem, opts);
  mpi.wait_for_all();  // rank 0's steady-state judgement, without the others polling
  {
    const int boards = int(d.placement.boards.size());
    std::string mine;
    for (int b = 0; b < boards; ++b)
      if (sim::rank_of_board(b, boards, mpi.ranks()) == mpi.rank())
        mine += (mine.empty() ? "" : ", ") + d.placement.cluster.boards.at(size_t(d.placement.boards[size_t(b)].board)).name;
    spdlog::info("rank {} of {} runs {}", mpi.rank(), mpi.ranks(), mine);
  }
  const double elaborated = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto cpu_seconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
  };
  const double cpu0 = cpu_seconds();
  const auto run_start = std::chrono::steady_clock::now();
  sim::DistributedRun run(simulation, d, mpi);
  try {
    run.run();
  } catch (const std::exception& e) {
    std::cerr << "vine run: rank " << mpi.rank() << " of " << mpi.ranks() << ": " << e.what() << "\n";
    mpi.abort(kExitSimulation);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  // The run's CPU time over every rank (microseconds), for the log.
  std::vector<int64_t> cpu{int64_t((cpu_seconds() - cpu0) * 1e6)};
  const double cpu_here = double(cpu[0]) * 1e-6;
  mpi.sum(cpu);
  const sim::DistributedStats& st = run.stats();
  spdlog::info("elaborated in {:.3f} s (rank 0: the steady-state judgement's timing runs too)", elaborated);
  spdlog::info("distributed over {} ranks: {} rounds; rank 0 sent {} link messages in {} batches, {} bytes",
               mpi.ranks(), st.rounds, st.link_messages_sent, st.batches_sent, st.bytes_sent);
  spdlog::info("the distributed run: {:.3f} s wall, {:.3f} s CPU on rank 0, {:.3f} s CPU over all ranks", secs,
               cpu_here, double(cpu[0]) * 1e-6);
  int code = kExitOk;
  if (root) {
    const sim::RunReport& r = simulation.report();
    spdlog::info("ran {} frame(s), {} cycles", r.frames, r.cycles_total);
    const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
    report_stream(json_path) << sim::format_summary(r);
    if (vm.count("json") &&
        !write_output("json", json_path,
                      [&](std::ostream& out) { out << sim::to_json(r, simulation.estimate()).dump(2) << "\n"; }))
      code = kExitUsage;
    else if (vm.count("outputs") && r.finished &&
             !write_output("outputs", vm["outputs"].as<std::string>(),
                           [&](std::ostream& out) { write_output_codes(out, simulation.outputs()); }))
      code = kExitUsage;
    else if (!r.finished || (r.outputs_match_reference && !*r.outputs_match_reference))
      code = kExitSimulation;
  }
  return int(mpi.broadcast(code));
}

}  // namespace

int cmd_run(const Args& args) {
  po::options_description opts(
      "vine run DESIGN [options]: cycle-accurate simulation of a streaming design or a compute engine (docs/engine.md), checked against "
      "the golden "
      "reference");
  opts.add_options()("help,h", "show this help")("frames,n", po::value<int>()->default_value(8),
                                                 "frames to stream through the pipeline (1 to 10^7)")(
      "seed,s", po::value<uint64_t>()->default_value(1),
      "seed of the synthetic weights and input frames")(
      "json", po::value<std::string>(),
      "write the report as JSON to FILE; '-': to stdout, and the report to stderr")(
      "vcd", po::value<std::string>(), "write FIFO occupancies and stage states as VCD (GTKWave)")(
      "perfetto", po::value<std::string>(),
      "write a Chrome/Perfetto JSON timeline, one track per stage; Perfetto's protobuf format when F ends "
      "in .pftrace or .perfetto-trace; gzip-compressed when F ends in .gz")(
      "trace-frames", po::value<std::string>(),
      "A:B (or A): --vcd and --perfetto show only frames A to B (0-based), from frame A's first "
      "input beat to frame B's last output beat")(
      "trace-stages", po::value<std::string>(),
      "PATTERN[,PATTERN...]: --vcd and --perfetto show only the stages whose names match a glob "
      "(e.g. 'conv1.*'), with the FIFOs they read or write")(
      "timing-only", "skip the arithmetic: the same cycles, no output check")(
      "no-fast-forward",
      "simulate every frame of a timing-only run (and of the timing runs that judge the steady "
      "state), instead of skipping, exactly, the frames whose timing repeats")(
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
  // Launched by mpirun: the design's boards over the job's ranks (docs/parallel.md).
  std::unique_ptr<MpiTransport> mpi;
  if (mpi_job_size() > 0) {
    std::string problem;
    mpi = MpiTransport::start(problem);
    if (!mpi) return usage_error("run", problem, opts);
    if (mpi->ranks() == 1) mpi.reset();  // one rank: the one-process run
    else if (mpi->rank() != 0) spdlog::set_level(spdlog::level::warn);  // one log: rank 0's
  }
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
  o.fast_forward = vm.count("no-fast-forward") == 0;
  o.record = vm.count("vcd") || vm.count("perfetto");
  // A run too short for the steady state says how many frames reach it.
  o.find_frames_needed = true;
  // And when it is slower than its bottleneck, why, and what FIFO depths fix it.
  o.diagnose_interval = true;
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
  const bool tracing = vm.count("vcd") || vm.count("perfetto");
  for (const char* f : {"trace-frames", "trace-stages"})
    if (vm.count(f) && !tracing)
      return usage_error("run", std::string("--") + f + " restricts the traces: give --vcd or --perfetto too",
                         opts);
  // --trace-frames A:B, checked against --frames before the run.
  int trace_first = 0, trace_last = 0;
  if (vm.count("trace-frames")) {
    const std::string v = vm["trace-frames"].as<std::string>();
    const std::string expected = "expected A:B or A, frame numbers with 0 <= A <= B <= " +
                                 std::to_string(o.frames - 1) + " (the run's --frames " +
                                 std::to_string(o.frames) + ", counted from 0)";
    const size_t colon = v.find(':');
    const std::string a = v.substr(0, colon), b = colon == std::string::npos ? a : v.substr(colon + 1);
    auto number = [](const std::string& t, int& out) {
      if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) return false;
      out = std::stoi(t);
      return true;
    };
    if (!number(a, trace_first) || !number(b, trace_last))
      return usage_error("run", "--trace-frames: got '" + v + "', " + expected, opts);
    if (trace_first > trace_last)
      return usage_error("run", "--trace-frames: got '" + v + "', whose first frame " + a + " comes after its last " +
                                    b + "; " + expected, opts);
    if (trace_last >= o.frames)
      return usage_error("run", "--trace-frames: got '" + v + "', but frame " + std::to_string(trace_last) +
                                    " is not in the run; " + expected, opts);
  }
  const ir::Design d = config::load_design(vm["design"].as<std::string>());
  log_design_loaded(d);
  if (mpi) {
    for (const char* f : {"vcd", "perfetto", "list-modules"})
      if (vm.count(f))
        return usage_error("run", std::string("--") + f + " needs every stage in one process: run it without mpirun",
                           opts);
    if (const std::string problem = sim::distributed_design_problem(d, mpi->ranks()); !problem.empty())
      return usage_error("run", "under mpirun: " + problem, opts);
    return run_distributed(vm, d, o, opts, *mpi);
  }
  if (d.hw_template == ir::Template::kEngine) return run_engine_design(vm, d, o, opts);
  // --trace-stages, checked against the design's stages before the run.
  trace::TraceSelection selection;
  if (vm.count("trace-stages")) {
    if (d.hw_template != ir::Template::kStreaming)
      return usage_error("run", "--trace-stages: the design has no streaming stages to select", opts);
    std::vector<std::string> names;
    for (const auto& s : ir::plan_process_network(d).stages) names.push_back(s.name);
    const std::string v = vm["trace-stages"].as<std::string>();
    std::string unmatched;
    selection.stages = trace::select_stages(names, v, unmatched);
    if (selection.stages.empty()) {
      std::string some;
      for (size_t i = 0; i < names.size() && i < 6; ++i) some += (i ? ", " : "") + names[i];
      if (names.size() > 6) some += ", ... (`vine run DESIGN --list-modules` lists them all)";
      return usage_error("run",
                         "--trace-stages: got '" + v + "', whose pattern '" + unmatched +
                             "' matches no stage; expected comma-separated globs over the stage names: " + some,
                         opts);
    }
  }
  std::vector<std::string> read_files = input_files(d);
  if (const std::string problem = read_run_inputs(vm, d, o, read_files); !problem.empty())
    return usage_error("run", problem, opts);
  // The file set the frame count: the trace window must lie within it.
  if (vm.count("inputs") && vm.count("trace-frames") && trace_last >= o.frames)
    return usage_error("run", "--trace-frames: got '" + vm["trace-frames"].as<std::string>() + "', but frame " +
                                  std::to_string(trace_last) + " is not in the run of the " +
                                  std::to_string(o.frames) + " frame(s) in " + vm["inputs"].as<std::string>(),
                       opts);
  // Outputs are checked (not opened) before the run and written at its end.
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* f : {"json", "vcd", "perfetto", "outputs"})
    if (vm.count(f)) outputs.emplace_back(f, vm[f].as<std::string>());
  if (const std::string problem = check_output_paths(outputs, read_files); !problem.empty())
    return usage_error("run", problem, opts);
  if (const std::string problem = sim::rtl_units_problem(d, o.backend); !problem.empty()) {
    std::cerr << "vine run: " << problem << "\n";
    return kExitUsage;
  }
  const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (d.hw_template == ir::Template::kStreaming) log_plan(ir::plan_process_network(d));
  const auto elaboration_start = std::chrono::steady_clock::now();
  sim::Simulation simulation(d, o);
  // The pipeline runs inside a SystemC board: sc_time follows the frames.
  platforms::StreamingBoard board("board", simulation, d.clock_mhz);
  if (vm.count("list-modules")) {
    models::write_hierarchy(std::cout);
    return kExitOk;
  }
  // A timing-only run has run while it was elaborated (Simulation::ran_ahead):
  // its time is counted as the run's, not the elaboration's.
  spdlog::info(
      "elaborated in {:.3f} s ({}, {})",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - elaboration_start).count() -
          simulation.seconds_run_ahead(),
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
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() +
      simulation.seconds_run_ahead();
  spdlog::info("ran {} frame(s), {} cycles, in {:.3f} s ({:.3g} cycles/s)", r.frames,
               r.cycles_total, run_secs, run_secs > 0 ? double(r.cycles_total) / run_secs : 0.0);
  spdlog::debug("SystemC time at the end: {}", sc_core::sc_time_stamp().to_string());
  report_stream(json_path) << sim::format_summary(r);
  if (vm.count("json") &&
      !write_output("json", vm["json"].as<std::string>(),
                    [&](std::ostream& out) { out << sim::to_json(r, simulation.estimate()).dump(2) << "\n"; }))
    return kExitUsage;
  if (vm.count("trace-frames")) {
    const trace::FrameWindow win = trace::frame_window(simulation.network(), trace_first, trace_last);
    if (!win.note.empty()) spdlog::warn("--trace-frames: {}", win.note);
    selection.begin = win.begin;
    selection.end = win.end;
    spdlog::info("traces: frames {} to {}, cycles {} to {}", trace_first, trace_last, win.begin,
                 win.end == std::numeric_limits<int64_t>::max() ? std::string("the end") : std::to_string(win.end - 1));
  }
  if (vm.count("vcd")) {
    if (!write_output("vcd", vm["vcd"].as<std::string>(), [&](std::ostream& out) {
          trace::write_vcd(simulation.network(), d.clock_mhz, out, selection);
        }))
      return kExitUsage;
    spdlog::debug("wrote VCD {}", vm["vcd"].as<std::string>());
  }
  if (vm.count("perfetto")) {
    const auto written_from = std::chrono::steady_clock::now();
    if (!write_output("perfetto", vm["perfetto"].as<std::string>(),
                      [&](std::ostream& out) {
                        const std::string& path = vm["perfetto"].as<std::string>();
                        const auto write = trace::is_protobuf_trace_path(path) ? trace::write_perfetto_protobuf
                                                                               : trace::write_perfetto;
                        if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
                          trace::GzipOstream gz(out);
                          write(simulation.network(), d.clock_mhz, gz, selection);
                          gz.finish();
                        } else {
                          write(simulation.network(), d.clock_mhz, out, selection);
                        }
                      }))
      return kExitUsage;
    spdlog::debug("wrote Perfetto timeline {} in {:.2f} s", vm["perfetto"].as<std::string>(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - written_from).count());
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
