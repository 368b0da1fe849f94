#include <algorithm>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "platforms/board/register_map.h"
#include "platforms/vp/virtual_platform.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/golden/reference.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/simulation.h"

namespace vine::cli {

namespace po = boost::program_options;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace

// Speed figures measured in one process, on the same frames: the golden
// reference, the bit-exact simulation, the timing-only simulation.
int cmd_bench(const Args& args) {
  po::options_description opts(
      "vine bench DESIGN [options]: golden-reference frames/s, bit-exact simulation frames/s and their ratio, "
      "timing-only simulated cycles/s, peak memory");
  opts.add_options()("help,h", "show this help")("frames,n", po::value<int>()->default_value(4),
                                                 "frames per measurement (2 to 100000)")(
      "timing-frames", po::value<int>()->default_value(0), "frames of the timing-only run (default: 4x --frames)")(
      "seed,s", po::value<uint64_t>()->default_value(1), "seed of the synthetic weights and frames")(
      "json", po::value<std::string>(), "also write the figures as JSON to FILE; '-': to stdout, and the report to stderr")(
      "backend", po::value<std::string>(),
      "rtl: also time the RTL co-simulation (every layer's PEs on Verilated units) against the C++ back-end")(
      "vp", "also time a virtual-platform job of the same frames (host writes, START, interrupt, read-back) "
            "against the bit-exact simulation, three times each");
  po::variables_map vm;
  if (auto done = parse_command("bench", args, opts, "design", "DESIGN", vm)) return *done;
  // Bounds: the reference keeps every input frame in memory, and the
  // timing-only run's frame count is 4x this one.
  constexpr int kMaxFrames = 100000, kMaxTimingFrames = 10000000;
  const int frames = vm["frames"].as<int>();
  if (frames < 2 || frames > kMaxFrames)
    return usage_error("bench", "--frames must be in [2, " + std::to_string(kMaxFrames) + "], got " + std::to_string(frames),
                       opts);
  const int given_timing = vm["timing-frames"].as<int>();
  if (given_timing < 0 || given_timing > kMaxTimingFrames)
    return usage_error("bench",
                       "--timing-frames must be in [0, " + std::to_string(kMaxTimingFrames) + "], got " +
                           std::to_string(given_timing),
                       opts);
  const int timing_frames = given_timing > 0 ? given_timing : 4 * frames;
  const uint64_t seed = vm["seed"].as<uint64_t>();
  const auto backend = parse_backend(vm);
  if (!backend)
    return usage_error("bench", "--backend must be cpp or rtl", opts);
  const ir::Design d = config::load_design(vm["design"].as<std::string>());
  if (vm.count("json")) {  // checked before the minutes of measuring, written at the end
    const std::string problem = check_output_path("json", vm["json"].as<std::string>(), input_files(d));
    if (!problem.empty()) return usage_error("bench", problem, opts);
  }
  if (*backend == sim::BackendChoice::kRtl)
    if (const std::string problem = sim::rtl_units_problem(d, *backend); !problem.empty()) {
      std::cerr << "vine bench: " << problem << "\n";
      return kExitUsage;
    }
  log_design_loaded(d);
  sim::check_simulatable(d);  // before the reference is timed: a refused design fails at once
  if (d.hw_template == ir::Template::kStreaming) log_plan(ir::plan_process_network(d));

  // Golden reference: the same synthetic frames, parameters built outside the timing.
  const golden::NetworkParams params = golden::synthesize_params(d.network, seed);
  const golden::Reference ref(d.network, params);
  std::vector<golden::IntTensor> inputs;
  for (int f = 0; f < frames; ++f) inputs.push_back(golden::synthesize_input(d.network, seed, f));
  auto t0 = std::chrono::steady_clock::now();
  uint64_t sink = 0;
  for (const auto& in : inputs) sink ^= golden::checksum(ref.run(in));
  const double reference_fps = frames / seconds_since(t0);
  spdlog::debug("golden reference: {} frames timed", frames);

  sim::RunOptions o;
  o.frames = frames;
  o.seed = seed;
  o.check_reference = false;
  o.steady_state = false;  // its further runs are no part of the speed measured
  o.backend = sim::BackendChoice::kCpp;
  const auto elaboration_start = std::chrono::steady_clock::now();
  sim::Simulation bit_exact(d, o);  // elaboration (weights into PE units) outside the timing
  spdlog::info("elaborated in {:.3f} s", seconds_since(elaboration_start));
  t0 = std::chrono::steady_clock::now();
  const sim::RunReport& r = bit_exact.run();
  const double sim_fps = frames / seconds_since(t0);
  spdlog::debug("bit-exact simulation: {} frames, {} cycles", frames, r.cycles_total);
  if (!r.finished) {
    std::cerr << "vine bench: the design deadlocks: " << r.deadlock << "\n";
    return kExitSimulation;
  }

  sim::RunOptions to = o;
  to.frames = timing_frames;
  to.timing_only = true;
  sim::Simulation timing(d, to);
  t0 = std::chrono::steady_clock::now();
  const sim::RunReport& tr = timing.run();
  const double timing_secs = seconds_since(t0);
  const double cycles_per_second = double(tr.cycles_total) / timing_secs;
  spdlog::debug("timing-only simulation: {} frames, {} cycles", timing_frames, tr.cycles_total);

  // RTL co-simulation: the same frames with every PE on Verilated units.
  double cosim_fps = 0;
  int64_t cosim_unit_cycles = 0;
  if (*backend == sim::BackendChoice::kRtl) {
    sim::RunOptions ro = o;
    ro.backend = sim::BackendChoice::kRtl;
    sim::Simulation cosim(d, ro);
    t0 = std::chrono::steady_clock::now();
    const sim::RunReport& cr = cosim.run();
    cosim_fps = frames / seconds_since(t0);
    for (const auto& u : cr.rtl_units) cosim_unit_cycles += u.cycles;
    if (cr.cycles_total != r.cycles_total) {
      std::cerr << "vine bench: the RTL co-simulation took " << cr.cycles_total << " cycles, the C++ back-end "
                << r.cycles_total << "\n";
      return kExitSimulation;
    }
  }

  // The virtual platform: one job of the same frames through the host CPU,
  // registers, DDR and DMAs, against the bit-exact simulation of those
  // frames; each timed three times, the simulations first (SystemC
  // elaborates once: the VP, whose jobs run under sc_start, comes last).
  std::vector<double> vp_secs, sim_secs;
  if (vm.count("vp")) {
    for (int k = 0; k < 3; ++k) {
      sim::Simulation s(d, o);
      t0 = std::chrono::steady_clock::now();
      s.run();
      sim_secs.push_back(seconds_since(t0));
    }
    platforms::VpOptions vo;
    vo.board.seed = seed;
    platforms::VirtualPlatform vp(vm["design"].as<std::string>(), vo);
    const auto& ig = vp.board().input_geometry();
    std::vector<uint8_t> in_bytes(ig.frame_bytes() * size_t(frames));
    for (int f = 0; f < frames; ++f)
      for (int64_t b = 0; b < ig.beats_per_frame; ++b)
        ig.format.pack(&inputs[size_t(f)].data[size_t(b * ig.format.lanes)],
                       &in_bytes[size_t(f) * ig.frame_bytes() + size_t(b) * size_t(ig.format.beat_bytes())]);
    std::vector<uint8_t> out_bytes(vp.board().output_geometry().frame_bytes() * size_t(frames));
    const uint64_t ctrl = vp.board().ctrl_base(), in_addr = 0x1000000,
                   out_addr = in_addr + ((in_bytes.size() + 0xFFFFF) & ~uint64_t{0xFFFFF});
    namespace regs = platforms::regs;
    for (int k = 0; k < 3; ++k) {
      t0 = std::chrono::steady_clock::now();
      vp.write(in_addr, in_bytes.data(), in_bytes.size());
      vp.run([&] {
        auto& cpu = vp.cpu();
        cpu.write32(ctrl + regs::offset_of("IN_ADDR_LO"), uint32_t(in_addr));
        cpu.write32(ctrl + regs::offset_of("OUT_ADDR_LO"), uint32_t(out_addr));
        cpu.write32(ctrl + regs::offset_of("FRAMES"), uint32_t(frames));
        cpu.write32(ctrl + regs::offset_of("IRQ_STATUS"), 3);
        cpu.write32(ctrl + regs::offset_of("IRQ_ENABLE"), 1);
        cpu.write32(ctrl + regs::offset_of("CTRL"), 5);
      });
      if (!vp.wait_irq(1000000000000ull)) {
        std::cerr << "vine bench: the virtual-platform job did not finish\n";
        return kExitSimulation;
      }
      vp.read(out_addr, out_bytes.data(), out_bytes.size());
      vp_secs.push_back(seconds_since(t0));
    }
  }

  const double ratio = reference_fps / sim_fps;
  // The report goes to stderr when the JSON goes to stdout.
  FILE* const report = vm.count("json") && is_stdout(vm["json"].as<std::string>()) ? stderr : stdout;
  const double rss = peak_rss_mib();
  std::fprintf(report, "design %s (reference checksum xor %016llx)\n", d.name.c_str(), (unsigned long long)sink);
  std::fprintf(report, "  golden reference        %10.2f frames/s  (%d frames)\n", reference_fps, frames);
  std::fprintf(report, "  bit-exact simulation    %10.2f frames/s  (%d frames): %.2fx the reference's time per frame\n",
              sim_fps, frames, ratio);
  std::fprintf(report, "  timing-only simulation  %10.3g simulated cycles/s  (%d frames, %lld cycles)\n", cycles_per_second,
              timing_frames, (long long)tr.cycles_total);
  if (cosim_fps > 0)
    std::fprintf(report, "  RTL co-simulation       %10.2f frames/s  (%d frames, %lld unit cycles): %.1fx the C++ back-end's "
                "time per frame\n",
                cosim_fps, frames, (long long)cosim_unit_cycles, sim_fps / cosim_fps);
  double vp_ratio = 0, vp_lo = 0, vp_hi = 0;
  if (!vp_secs.empty()) {
    std::vector<double> ratios;
    for (size_t k = 0; k < vp_secs.size(); ++k) ratios.push_back(vp_secs[k] / sim_secs[k]);
    std::sort(ratios.begin(), ratios.end());
    std::vector<double> v = vp_secs;
    std::sort(v.begin(), v.end());
    vp_ratio = ratios[1];
    vp_lo = ratios.front();
    vp_hi = ratios.back();
    std::fprintf(report, "  virtual-platform job    %10.2f frames/s  (%d frames, median of 3): %.2fx the bit-exact "
                "simulation's time (%.2f to %.2f over the 3 pairs)\n",
                frames / v[1], frames, vp_ratio, vp_lo, vp_hi);
  }
  std::fprintf(report, "  peak memory             %10.1f MiB\n", rss);
  if (vm.count("json")) {
    nlohmann::json j = {{"design", d.name},
                        {"frames", frames},
                        {"reference_fps", reference_fps},
                        {"sim_fps", sim_fps},
                        {"sim_to_reference_ratio", ratio},
                        {"timing_only_cycles_per_second", cycles_per_second},
                        {"timing_only_frames", timing_frames},
                        {"peak_rss_mib", rss}};
    if (vp_ratio > 0) {
      j["vp_to_sim_ratio"] = vp_ratio;
      j["vp_to_sim_ratio_min"] = vp_lo;
      j["vp_to_sim_ratio_max"] = vp_hi;
    }
    if (cosim_fps > 0) {
      j["cosim_fps"] = cosim_fps;
      j["cosim_slowdown"] = sim_fps / cosim_fps;
      j["cosim_unit_cycles"] = cosim_unit_cycles;
    }
    if (!write_output("json", vm["json"].as<std::string>(), [&](std::ostream& out) { out << j.dump(2) << "\n"; }))
      return kExitUsage;
  }
  return kExitOk;
}

}  // namespace vine::cli
