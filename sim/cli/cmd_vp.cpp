// `vine vp`: the virtual platform (docs/vp.md). Without --app it runs the
// built-in driver job: seeded synthetic frames through the driver API in
// batches, every output checked against the golden reference, host-visible
// time per batch, then the VP's report. With --app it runs a driver program
// against the VP (VINE_TARGET tells the program's vine_open where) and
// prints the report the program's session leaves.
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "platforms/driver/vine_driver.hpp"
#include "platforms/driver/vp_access.h"
#include "platforms/vp/engine_platform.h"
#include "platforms/vp/vp_trace.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"

extern char** environ;

namespace vine::cli {

namespace po = boost::program_options;

namespace {

// The built-in job: frames through the driver, checked frame by frame.
int run_job(vine::Device& dev, const ir::Design& d, int frames, int batch, uint64_t seed,
            vine_wait_mode mode, const po::variables_map& vm);

int run_builtin(const std::string& target, const ir::Design& d, int frames, int batch,
                uint64_t seed, vine_wait_mode mode, const po::variables_map& vm) {
  vine::Device dev(target);
  try {
    return run_job(dev, d, frames, batch, seed, mode, vm);
  } catch (const vine::Error&) {
    // The driver's C interface carries only a status and a message: an error
    // that stopped the accelerator (an RtlTimingError, exit 2) is rethrown
    // as it was thrown, and `vine` reports it as `vine run` does.
    if (const platforms::VirtualPlatform* vp = driver::virtual_platform_of(dev.handle())) vp->rethrow_failure();
    throw;
  }
}

int run_job(vine::Device& dev, const ir::Design& d, int frames, int batch, uint64_t seed,
            vine_wait_mode mode, const po::variables_map& vm) {
  const vine_geometry& g = dev.geometry();
  const ir::Network& net = d.network;
  const golden::NetworkParams params = golden::synthesize_params(net, seed);
  const golden::Reference ref(net, params);
  const uint32_t per_job = uint32_t(std::min(batch, frames));
  const uint64_t in_buf = dev.alloc(g.in_frame_bytes * per_job);
  const uint64_t out_buf = dev.alloc(g.out_frame_bytes * per_job);
  std::printf("virtual platform job: %d frame(s) of %s in jobs of %u, waiting by %s\n", frames,
              d.name.c_str(), per_job, mode == VINE_WAIT_IRQ ? "interrupt" : "polling");
  std::printf("  %6s %8s %14s %12s %14s\n", "job", "frames", "host-visible", "frames/s",
              "golden");
  int mismatched = 0;
  uint64_t total_ns = 0;
  for (int first = 0, job = 1; first < frames; first += int(per_job), ++job) {
    const uint32_t n = uint32_t(std::min<int>(int(per_job), frames - first));
    std::vector<int32_t> codes;
    std::vector<std::vector<int32_t>> want;
    for (uint32_t f = 0; f < n; ++f) {
      const golden::IntTensor in = golden::synthesize_input(net, seed, first + int(f));
      codes.insert(codes.end(), in.data.begin(), in.data.end());
      want.push_back(ref.run(in).data);
    }
    const std::vector<uint8_t> in_bytes = dev.pack_inputs(codes, n);
    const uint64_t t0 = dev.time_ns();
    dev.write(in_buf, in_bytes.data(), in_bytes.size());
    dev.start(in_buf, out_buf, n);
    dev.wait(mode, 1000000000000ull);  // 1000 s of simulated time
    std::vector<uint8_t> out_bytes(size_t(n) * g.out_frame_bytes);
    dev.read(out_buf, out_bytes.data(), out_bytes.size());
    const uint64_t ns = dev.time_ns() - t0;
    total_ns += ns;
    const std::vector<int32_t> got = dev.unpack_outputs(out_bytes, n);
    int bad = 0;
    const size_t per_frame = got.size() / n;
    for (uint32_t f = 0; f < n; ++f)
      if (!std::equal(want[f].begin(), want[f].end(), got.begin() + std::ptrdiff_t(f * per_frame)))
        ++bad;
    mismatched += bad;
    std::printf("  %6d %8u %11.3f us %12.1f %14s\n", job, n, ns / 1e3, n * 1e9 / double(ns),
                bad ? (std::to_string(bad) + " differ").c_str() : "bit-exact");
  }
  std::printf("  all %d frame(s): %.3f us host-visible (driver, DDR copies and the accelerator), "
              "%.1f frames/s\n\n",
              frames, total_ns / 1e3, frames * 1e9 / double(total_ns));
  platforms::VirtualPlatform* vp = driver::virtual_platform_of(dev.handle());
  vp->write_report(std::cout);
  bool ok = true;
  if (vm.count("trace-regs"))
    ok &= write_output("trace-regs", vm["trace-regs"].as<std::string>(),
                       [&](std::ostream& o) { vp->write_register_trace(o); });
  if (vm.count("vcd"))
    ok &= write_output("vcd", vm["vcd"].as<std::string>(),
                       [&](std::ostream& o) { platforms::write_vp_vcd(o, *vp); });
  if (mismatched) {
    std::fprintf(stderr, "vine vp: %d frame(s) differ from the golden reference\n", mismatched);
    return kExitSimulation;
  }
  return ok ? kExitOk : kExitUsage;
}

// `vine vp` of a compute-engine design (docs/engine-vp.md): the driver
// routine on the engine's board, every output checked against the golden
// reference, the engine's per-layer cycles as `vine run` reports them.
int run_engine_vp(const ir::Design& d, int frames, const po::variables_map& vm,
                  const po::options_description& opts) {
  for (const char* f : {"batch", "trace-regs", "vcd", "app"})
    if (vm.count(f))
      return usage_error("vp", std::string("--") + f + " is for streaming designs; " + d.path +
                                   " is a compute engine (template: engine): its driver runs one "
                                   "frame per job (docs/engine-vp.md); a program of your own drives "
                                   "it through the driver library (VINE_TARGET=vp:DESIGN, its "
                                   "network image from `vine export engine-image`, docs/driver.md)",
                         opts);
  if (vm["wait"].as<std::string>() != "irq")
    return usage_error("vp", "--wait poll is for streaming designs; the engine's driver waits for the interrupt", opts);
  std::map<std::string, std::string> kv;
  if (vm.count("set"))
    for (const auto& s : vm["set"].as<std::vector<std::string>>()) {
      const size_t eq = s.find('=');
      if (eq == std::string::npos) return usage_error("vp", "--set takes KEY=VALUE, got '" + s + "'", opts);
      const std::string key = s.substr(0, eq);
      if (key != "access_cycles" && key != "quantum_ns" && key != "ddr_mts" && key != "ddr_latency_ns" &&
          key != "ddr_efficiency")
        return usage_error("vp", "--set " + s + ": a compute engine's board takes access_cycles, quantum_ns, "
                                 "ddr_mts, ddr_latency_ns or ddr_efficiency (the others are the streaming DMAs')",
                           opts);
      kv[key] = s.substr(eq + 1);
    }
  std::vector<std::pair<std::string, std::string>> outputs;
  if (vm.count("json")) outputs.emplace_back("json", vm["json"].as<std::string>());
  if (const std::string p = check_output_paths(outputs, input_files(d)); !p.empty()) return usage_error("vp", p, opts);
  platforms::VpOptions o;
  try {
    o = platforms::parse_vp_options(kv, d.device);
  } catch (const std::invalid_argument& e) {
    return usage_error("vp", e.what(), opts);
  }
  o.board.seed = vm["seed"].as<uint64_t>();
  platforms::EngineDriverOptions driver;
  driver.frames = frames;
  driver.seed = o.board.seed;
  driver.load_next_during_job = vm.count("load-next") > 0;
  std::unique_ptr<platforms::EngineVirtualPlatform> vp;
  try {
    vp = std::make_unique<platforms::EngineVirtualPlatform>(d, o);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "vine vp: %s\n", e.what());
    return kExitUsage;
  }
  platforms::EngineDriverResult r;
  try {
    r = platforms::run_engine_driver(*vp, driver);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vine vp: %s\n", e.what());
    return kExitSimulation;
  }
  // With --json -, stdout holds the JSON alone and the report goes to stderr.
  std::ostream& report = report_stream(vm.count("json") ? vm["json"].as<std::string>() : "");
  report << "virtual platform job: " << frames << " frame(s) of " << d.name
         << " on the compute engine, one job each, waiting by interrupt"
         << (driver.load_next_during_job ? ", the next frame's input loaded during each job" : "") << "\n";
  platforms::write_engine_vp_report(report, *vp, r);
  bool ok = true;
  if (vm.count("json"))
    ok &= write_output("json", vm["json"].as<std::string>(),
                       [&](std::ostream& out) { out << platforms::engine_vp_json(*vp, r).dump(2) << "\n"; });
  if (r.cause) {
    std::fprintf(stderr, "vine vp: the engine refused the job: %s\n", r.refusal.c_str());
    return kExitSimulation;
  }
  if (!r.outputs_match) {
    std::fprintf(stderr, "vine vp: frame %d differs from the golden reference\n", r.first_mismatch);
    return kExitSimulation;
  }
  return ok ? kExitOk : kExitUsage;
}

// Runs `argv` with VINE_TARGET set; returns its exit status (or -1).
int run_program(const std::vector<std::string>& argv, const std::string& target) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("VINE_TARGET=", 0) != 0) env_strings.push_back(*e);
  env_strings.push_back("VINE_TARGET=" + target);
  std::vector<char*> env, args;
  for (auto& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  std::vector<std::string> a = argv;
  for (auto& s : a) args.push_back(s.data());
  args.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), env.data()) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

int cmd_vp(const Args& args_in) {
  po::options_description opts(
      "vine vp DESIGN [options] [--app PROGRAM [-- ARGS...]]: the virtual platform: the board's\n"
      "registers, DDR, DMAs and interrupt under a host CPU in SystemC/TLM-2.0 (docs/vp.md); runs\n"
      "the built-in driver job, or PROGRAM with VINE_TARGET set for its vine_open()");
  opts.add_options()("help,h", "show this help")(
      "frames,n", po::value<int>()->default_value(16), "built-in job: frames to run (1 to 10^6)")(
      "batch", po::value<int>(), "built-in job: frames per START (default: all in one job)")(
      "seed,s", po::value<uint64_t>()->default_value(1),
      "seed of the synthetic weights (and the built-in job's frames)")(
      "wait", po::value<std::string>()->default_value("irq"),
      "built-in job: wait for each job by irq or poll")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "a platform option KEY=VALUE (repeatable): transfer_bytes, dma_buffers, access_cycles, "
      "quantum_ns, ddr_mts, ddr_latency_ns, ddr_efficiency, frame_budget (docs/vp.md)")(
      "trace-regs", po::value<std::string>(), "write every register access with its time to FILE")(
      "vcd", po::value<std::string>(),
      "write the interrupt line, job spans, DMA transactions and DDR occupancy as VCD")(
      "app", po::value<std::string>(), "run PROGRAM against the VP (its arguments after --)")(
      "json", po::value<std::string>(), "compute engine: write the report as JSON to FILE")(
      "load-next", "compute engine: the host loads the next frame's input while each job runs "
                   "(its DDR writes contend with the engine's)");
  // Everything after "--" belongs to the program.
  Args args = args_in;
  std::vector<std::string> program_args;
  if (auto dd = std::find(args.begin(), args.end(), "--"); dd != args.end()) {
    program_args.assign(dd + 1, args.end());
    args.erase(dd, args.end());
  }
  po::variables_map vm;
  if (auto done = parse_command("vp", args, opts, "design", "DESIGN", vm)) return *done;
  const std::string path = vm["design"].as<std::string>();
  const ir::Design d = config::load_design(path);
  log_design_loaded(d);
  const int frames = vm["frames"].as<int>();
  if (frames < 1 || frames > 1000000)
    return usage_error("vp", "--frames must be in [1, 10^6], got " + std::to_string(frames), opts);
  if (d.hw_template == ir::Template::kEngine) return run_engine_vp(d, frames, vm, opts);
  for (const char* f : {"json", "load-next"})
    if (vm.count(f))
      return usage_error("vp", std::string("--") + f + " is for compute-engine designs (template: engine)", opts);
  const int batch = vm.count("batch") ? vm["batch"].as<int>() : frames;
  if (batch < 1) return usage_error("vp", "--batch must be at least 1", opts);
  const std::string wait = vm["wait"].as<std::string>();
  if (wait != "irq" && wait != "poll")
    return usage_error("vp", "--wait must be irq or poll, got '" + wait + "'", opts);
  // The target string: the design, then key=value options (docs/driver.md).
  if (path.find(',') != std::string::npos)
    return usage_error("vp", "the design path '" + path + "' has a comma, which target strings use between options", opts);
  std::string target = "vp:" + path + ",seed=" + std::to_string(vm["seed"].as<uint64_t>());
  if (vm.count("set"))
    for (const auto& kv : vm["set"].as<std::vector<std::string>>()) {
      if (kv.find('=') == std::string::npos || kv.find(',') != std::string::npos)
        return usage_error("vp", "--set takes KEY=VALUE without commas, got '" + kv + "'", opts);
      target += "," + kv;
    }
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* f : {"trace-regs", "vcd"})
    if (vm.count(f)) {
      const std::string file = vm[f].as<std::string>();
      if (file.find(',') != std::string::npos)
        return usage_error("vp", std::string("--") + f + " '" + file + "' has a comma", opts);
      outputs.emplace_back(f, file);
    }
  if (const std::string p = check_output_paths(outputs, input_files(d)); !p.empty()) return usage_error("vp", p, opts);
  if (vm.count("trace-regs") || vm.count("vcd")) target += ",trace_regs=1";

  if (!vm.count("app")) {
    if (!program_args.empty()) return usage_error("vp", "arguments after -- need --app", opts);
    try {
      return run_builtin(target, d, frames, batch, vm["seed"].as<uint64_t>(),
                         wait == "irq" ? VINE_WAIT_IRQ : VINE_WAIT_POLL, vm);
    } catch (const vine::Error& e) {
      // A bad option or design is the user's; anything else the platform's.
      std::fprintf(stderr, "vine vp: %s\n", e.what());
      return e.status == VINE_EINVAL ? kExitUsage : kExitSimulation;
    }
  }
  // The program's session writes its report (and traces) when it closes the device.
  // In $TMPDIR (else /tmp), under a name of its own: concurrent runs never share it.
  std::string report_template = (std::filesystem::temp_directory_path() / "vine-vp-report-XXXXXX").string();
  char* report_path = report_template.data();
  const int fd = mkstemp(report_path);
  if (fd < 0) return usage_error("vp", "cannot create a temporary file for the report", opts);
  close(fd);
  target += std::string(",report=") + report_path;
  if (vm.count("trace-regs")) target += ",trace_regs_file=" + vm["trace-regs"].as<std::string>();
  if (vm.count("vcd")) target += ",vcd_file=" + vm["vcd"].as<std::string>();
  std::vector<std::string> argv{vm["app"].as<std::string>()};
  argv.insert(argv.end(), program_args.begin(), program_args.end());
  spdlog::info("running {} with VINE_TARGET={}", argv[0], target);
  std::fflush(stdout);
  const int status = run_program(argv, target);
  std::ifstream report(report_path);
  std::stringstream text;
  text << report.rdbuf();
  std::remove(report_path);
  if (status < 0) {
    std::fprintf(stderr, "vine vp: cannot run '%s'\n", argv[0].c_str());
    return kExitUsage;
  }
  if (text.str().empty())
    std::fprintf(stderr, "vine vp: %s left no report (did it open the VP with vine_open and close it?)\n",
                 argv[0].c_str());
  else
    std::printf("\n%s", text.str().c_str());
  if (status != 0) {
    std::fprintf(stderr, "vine vp: %s exited with status %d\n", argv[0].c_str(), status);
    return kExitSimulation;
  }
  return kExitOk;
}

}  // namespace vine::cli
