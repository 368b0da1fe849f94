#include <algorithm>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>
#include <sys/wait.h>

#include "platforms/board/register_map.h"
#include "platforms/vp/virtual_platform.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/engine/engine_figures.h"
#include "sim/golden/reference.h"
#include "models/engine/compute_engine.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/simulation.h"

namespace vine::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// How many times a measurement is repeated: at least `min_samples` times,
// and on until its samples add up to `min_seconds` of measured time
// (whichever gives more samples), never more than kMaxSamples times. A short
// measurement thus gets many samples and a long one the minimum.
struct SampleRule {
  static constexpr int kMaxSamples = 1000;
  int min_samples = 5;
  double min_seconds = 1.0;
  bool enough(int samples, double measured_seconds) const {
    return samples >= kMaxSamples || (samples >= min_samples && measured_seconds >= min_seconds);
  }
  std::string describe() const {
    std::ostringstream s;
    s << "at least " << min_samples << ", and until they add up to " << min_seconds << " s of measured time";
    return s.str();
  }
};

// A figure's samples: the median (the mean of the middle two for an even
// count) and the spread, min .. max, also relative to the median.
struct Spread {
  double median = 0, min = 0, max = 0;
  double relative() const { return median > 0 ? (max - min) / median : 0; }
  std::vector<double> samples;  // in the order taken
};

Spread spread_of(std::vector<double> v) {
  Spread s;
  s.samples = v;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  s.min = v.front();
  s.max = v.back();
  s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return s;
}

nlohmann::json to_json(const Spread& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"relative_spread", s.relative()},
          {"samples", s.samples}};
}

// "276.10 (270.02 .. 281.33, 4.0%)": median, range, relative spread.
std::string show(const Spread& s, const char* fmt) {
  char m[32], lo[32], hi[32], out[160];
  std::snprintf(m, sizeof m, fmt, s.median);
  std::snprintf(lo, sizeof lo, fmt, s.min);
  std::snprintf(hi, sizeof hi, fmt, s.max);
  std::snprintf(out, sizeof out, "%s (%s .. %s, spread %.1f%%)", m, lo, hi, 100 * s.relative());
  return out;
}

}  // namespace

namespace {

struct BenchSettings {
  int frames = 4, timing_frames = 16;
  uint64_t seed = 1;
  SampleRule rule;
};

// The reference and simulation sample pairs, as both kinds of design report
// them: the reference's and the simulation's frames/s and their time ratio.
struct PairFigures {
  Spread reference_fps, sim_fps, ratio;
};

// The report's lines on the sample rule, the reference, the simulation (its
// `sim_label`, `sim_note` in its brackets) and their ratio.
void print_pairs(FILE* report, const BenchSettings& b, int frames, const PairFigures& p, const char* sim_label,
                 const char* sim_note) {
  std::fprintf(report, "  each figure: median (min .. max, spread = (max - min) / median) over its samples (%s)\n",
               b.rule.describe().c_str());
  std::fprintf(report, "  golden reference        %s frames/s  (%d frames, %zu samples)\n",
               show(p.reference_fps, "%.2f").c_str(), frames, p.reference_fps.samples.size());
  std::fprintf(report, "  %-22s  %s frames/s  (%d frames, %s%zu samples)\n", sim_label, show(p.sim_fps, "%.2f").c_str(),
               frames, sim_note, p.sim_fps.samples.size());
  std::fprintf(report, "  sim / reference time    %s  (the simulation's time per frame over the reference's, "
               "per sample pair)\n",
               show(p.ratio, "%.2fx").c_str());
}

// The JSON both kinds of design write: the flat figures are the medians,
// "stats" holds every figure's spread and samples; each adds its own.
nlohmann::json pairs_json(const ir::Design& d, const BenchSettings& b, int frames, const PairFigures& p, double rss) {
  return {{"design", d.name},
          {"frames", frames},
          {"reference_fps", p.reference_fps.median},
          {"sim_fps", p.sim_fps.median},
          {"sim_to_reference_ratio", p.ratio.median},
          {"samples", {{"min_samples", b.rule.min_samples},
                       {"min_seconds", b.rule.min_seconds},
                       {"max_samples", SampleRule::kMaxSamples}}},
          {"stats", {{"reference_fps", to_json(p.reference_fps)},
                     {"sim_fps", to_json(p.sim_fps)},
                     {"sim_to_reference_ratio", to_json(p.ratio)}}},
          {"peak_rss_mib", rss}};
}

// A compute-engine design (docs/engine.md), in this process: the golden
// reference and the engine's simulation of the same frames in sample pairs,
// as a streaming design's. The engine simulates on data only (it has no
// timing-only mode), so its simulated cycles/s come from the same samples.
// Each sample builds its engine (the weights into its DDR) outside the
// timing; every sample's outputs must be the reference's, bit for bit.
int bench_engine(const ir::Design& d, const BenchSettings& b, const po::variables_map& vm,
                 sim::BackendChoice backend) {
  for (const char* streaming_only : {"vp", "timing-frames"})
    if (vm.count(streaming_only) && !vm[streaming_only].defaulted()) {
      std::cerr << "vine bench: --" << streaming_only << ": " << d.path
                << " is a compute engine (template: engine), which has no "
                << (std::string(streaming_only) == "vp" ? "streaming board to time (`vine vp` runs its own)"
                                                          : "timing-only mode (its samples give the cycles/s)")
                << "\n";
      return kExitUsage;
    }
  if (backend == sim::BackendChoice::kRtl) {
    std::cerr << "vine bench: --backend rtl: time an engine's generator on RTL with `vine run --backend rtl` "
                 "(docs/engine.md); the bench measures the C++ model\n";
    return kExitUsage;
  }
  log_design_loaded(d);
  const int frames = b.frames;
  const golden::NetworkParams params = golden::synthesize_params(d.network, b.seed);
  const golden::Reference ref(d.network, params);
  std::vector<golden::IntTensor> inputs;
  for (int f = 0; f < frames; ++f) inputs.push_back(golden::synthesize_input(d.network, b.seed, f));

  std::vector<double> ref_fps, sim_fps, ratios, cycles_per_second;
  uint64_t checksum = 0;
  int64_t sim_cycles = -1;
  double measured = 0;
  while (!b.rule.enough(int(ratios.size()), measured)) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<uint64_t> expected;
    for (const auto& in : inputs) expected.push_back(golden::checksum(ref.run(in)));
    const double ref_secs = seconds_since(t0);

    models::ComputeEngine engine(d, params);  // the parameters into its DDR, outside the timing
    std::vector<uint64_t> got;
    int64_t cycles = 0;
    t0 = std::chrono::steady_clock::now();
    for (const auto& in : inputs) {
      engine::EngineFigures figures;
      got.push_back(golden::checksum(engine.run_frame(in, cycles, figures)));
      cycles += figures.cycles;
    }
    const double sim_secs = seconds_since(t0);
    if (got != expected) {
      std::cerr << "vine bench: the engine's outputs differ from the golden reference's (vine run "
                << d.path << " names the frame)\n";
      return kExitSimulation;
    }
    if (sim_cycles >= 0 && cycles != sim_cycles)
      throw std::logic_error("the engine took other cycles than in the sample before");
    sim_cycles = cycles;
    if (ref_fps.empty())
      for (uint64_t c : expected) checksum ^= c;
    ref_fps.push_back(frames / ref_secs);
    sim_fps.push_back(frames / sim_secs);
    ratios.push_back(sim_secs / ref_secs);
    cycles_per_second.push_back(double(cycles) / sim_secs);
    measured += ref_secs + sim_secs;
  }
  const PairFigures pairs{spread_of(ref_fps), spread_of(sim_fps), spread_of(ratios)};
  const Spread cps_s = spread_of(cycles_per_second);
  FILE* const report = vm.count("json") && is_stdout(vm["json"].as<std::string>()) ? stderr : stdout;
  const double rss = peak_rss_mib();
  std::fprintf(report, "design %s, compute engine (reference checksum xor %016llx)\n", d.name.c_str(),
               (unsigned long long)checksum);
  print_pairs(report, b, frames, pairs, "engine simulation", "bit-exact, ");
  std::fprintf(report, "  simulated cycles/s      %s  (the same samples: %lld cycles for the %d frames)\n",
               show(cps_s, "%.3g").c_str(), (long long)sim_cycles, frames);
  std::fprintf(report, "  peak memory             %10.1f MiB\n", rss);
  if (vm.count("json")) {
    nlohmann::json j = pairs_json(d, b, frames, pairs, rss);
    j["template"] = "engine";
    j["sim_cycles_per_second"] = cps_s.median;
    j["sim_cycles"] = sim_cycles;
    j["stats"]["sim_cycles_per_second"] = to_json(cps_s);
    if (!write_output("json", vm["json"].as<std::string>(), [&](std::ostream& out) { out << j.dump(2) << "\n"; }))
      return kExitUsage;
  }
  return kExitOk;
}

// One design, in this process: the golden reference and the bit-exact
// simulation in sample pairs (reference then simulation, the same frames, so
// that both see the same machine), then the timing-only simulation's samples.
// Every sample elaborates a fresh simulation outside its timing.
int bench_design(const std::string& design_path, const BenchSettings& b, const po::variables_map& vm,
                 sim::BackendChoice backend) {
  const int frames = b.frames, timing_frames = b.timing_frames;
  const uint64_t seed = b.seed;
  const ir::Design d = config::load_design(design_path);
  if (vm.count("json")) {  // checked before the minutes of measuring, written at the end
    const std::string problem = check_output_path("json", vm["json"].as<std::string>(), input_files(d));
    if (!problem.empty()) {
      std::cerr << "vine bench: " << problem << "\n";
      return kExitUsage;
    }
  }
  if (d.hw_template == ir::Template::kEngine) return bench_engine(d, b, vm, backend);
  if (backend == sim::BackendChoice::kRtl)
    if (const std::string problem = sim::rtl_units_problem(d, backend); !problem.empty()) {
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

  sim::RunOptions o;
  o.frames = frames;
  o.seed = seed;
  o.check_reference = false;
  o.steady_state = false;  // its further runs are no part of the speed measured
  o.backend = sim::BackendChoice::kCpp;

  // Reference and bit-exact simulation, sample pairs.
  std::vector<double> ref_fps, sim_fps, ratios;
  uint64_t checksum = 0;
  int64_t sim_cycles = -1;
  double measured = 0;
  while (!b.rule.enough(int(ratios.size()), measured)) {
    auto t0 = std::chrono::steady_clock::now();
    uint64_t sink = 0;
    for (const auto& in : inputs) sink ^= golden::checksum(ref.run(in));
    const double ref_secs = seconds_since(t0);
    // The reference is deterministic: every sample computes the same outputs.
    if (ref_fps.empty())
      checksum = sink;
    else if (sink != checksum)
      throw std::logic_error("the golden reference's outputs changed from one sample to the next");

    const auto elaboration_start = std::chrono::steady_clock::now();
    sim::Simulation bit_exact(d, o);  // elaboration (weights into PE units) outside the timing
    spdlog::debug("elaborated in {:.3f} s", seconds_since(elaboration_start));
    t0 = std::chrono::steady_clock::now();
    const sim::RunReport& r = bit_exact.run();
    const double sim_secs = seconds_since(t0);
    if (!r.finished) {
      std::cerr << "vine bench: the design deadlocks: " << r.deadlock << "\n";
      return kExitSimulation;
    }
    if (sim_cycles >= 0 && r.cycles_total != sim_cycles)
      throw std::logic_error("the bit-exact simulation took other cycles than in the sample before");
    sim_cycles = r.cycles_total;
    ref_fps.push_back(frames / ref_secs);
    sim_fps.push_back(frames / sim_secs);
    ratios.push_back(sim_secs / ref_secs);  // time per frame, simulation over reference
    measured += ref_secs + sim_secs;
  }
  spdlog::debug("reference and bit-exact simulation: {} sample pairs of {} frames", ratios.size(), frames);

  sim::RunOptions to = o;
  to.frames = timing_frames;
  to.timing_only = true;
  // The engine's speed: every frame simulated (fast-forwarded frames are not
  // simulated cycles).
  to.fast_forward = false;
  std::vector<double> cycles_per_second;
  int64_t timing_cycles = -1;
  measured = 0;
  while (!b.rule.enough(int(cycles_per_second.size()), measured)) {
    sim::Simulation timing(d, to);
    const auto t0 = std::chrono::steady_clock::now();
    const sim::RunReport& tr = timing.run();
    const double secs = seconds_since(t0);
    if (timing_cycles >= 0 && tr.cycles_total != timing_cycles)
      throw std::logic_error("the timing-only simulation took other cycles than in the sample before");
    timing_cycles = tr.cycles_total;
    cycles_per_second.push_back(double(timing_cycles) / secs);
    measured += secs;
  }
  spdlog::debug("timing-only simulation: {} samples of {} frames, {} cycles", cycles_per_second.size(),
                timing_frames, timing_cycles);
  const PairFigures pairs{spread_of(ref_fps), spread_of(sim_fps), spread_of(ratios)};
  const Spread& sim_s = pairs.sim_fps;
  const Spread cps_s = spread_of(cycles_per_second);

  // RTL co-simulation: the same frames with every PE on Verilated units, once.
  double cosim_fps = 0;
  int64_t cosim_unit_cycles = 0;
  if (backend == sim::BackendChoice::kRtl) {
    sim::RunOptions ro = o;
    ro.backend = sim::BackendChoice::kRtl;
    sim::Simulation cosim(d, ro);
    const auto t0 = std::chrono::steady_clock::now();
    const sim::RunReport& cr = cosim.run();
    cosim_fps = frames / seconds_since(t0);
    for (const auto& u : cr.rtl_units) cosim_unit_cycles += u.cycles;
    if (cr.cycles_total != sim_cycles) {
      std::cerr << "vine bench: the RTL co-simulation took " << cr.cycles_total << " cycles, the C++ back-end "
                << sim_cycles << "\n";
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
      const auto t0 = std::chrono::steady_clock::now();
      s.run();
      sim_secs.push_back(seconds_since(t0));
    }
    platforms::VpOptions vo;
    vo.board.seed = seed;
    platforms::VirtualPlatform vp(design_path, vo);
    const auto& ig = vp.board().input_geometry();
    std::vector<uint8_t> in_bytes(ig.frame_bytes() * size_t(frames));
    for (int f = 0; f < frames; ++f)
      for (int64_t k = 0; k < ig.beats_per_frame; ++k)
        ig.format.pack(&inputs[size_t(f)].data[size_t(k * ig.format.lanes)],
                       &in_bytes[size_t(f) * ig.frame_bytes() + size_t(k) * size_t(ig.format.beat_bytes())]);
    std::vector<uint8_t> out_bytes(vp.board().output_geometry().frame_bytes() * size_t(frames));
    const uint64_t ctrl = vp.board().ctrl_base(), in_addr = 0x1000000,
                   out_addr = in_addr + ((in_bytes.size() + 0xFFFFF) & ~uint64_t{0xFFFFF});
    namespace regs = platforms::regs;
    for (int k = 0; k < 3; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
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

  // The report goes to stderr when the JSON goes to stdout.
  FILE* const report = vm.count("json") && is_stdout(vm["json"].as<std::string>()) ? stderr : stdout;
  const double rss = peak_rss_mib();
  std::fprintf(report, "design %s (reference checksum xor %016llx)\n", d.name.c_str(), (unsigned long long)checksum);
  print_pairs(report, b, frames, pairs, "bit-exact simulation", "");
  std::fprintf(report, "  timing-only simulation  %s simulated cycles/s  (%d frames, %lld cycles, %zu samples)\n",
               show(cps_s, "%.3g").c_str(), timing_frames, (long long)timing_cycles, cycles_per_second.size());
  if (cosim_fps > 0)
    std::fprintf(report, "  RTL co-simulation       %10.2f frames/s  (%d frames, %lld unit cycles, 1 sample): %.1fx "
                 "the C++ back-end's time per frame\n",
                 cosim_fps, frames, (long long)cosim_unit_cycles, sim_s.median / cosim_fps);
  double vp_ratio = 0, vp_lo = 0, vp_hi = 0;
  if (!vp_secs.empty()) {
    std::vector<double> vp_ratios;
    for (size_t k = 0; k < vp_secs.size(); ++k) vp_ratios.push_back(vp_secs[k] / sim_secs[k]);
    std::sort(vp_ratios.begin(), vp_ratios.end());
    std::vector<double> v = vp_secs;
    std::sort(v.begin(), v.end());
    vp_ratio = vp_ratios[1];
    vp_lo = vp_ratios.front();
    vp_hi = vp_ratios.back();
    std::fprintf(report, "  virtual-platform job    %10.2f frames/s  (%d frames, median of 3): %.2fx the bit-exact "
                 "simulation's time (%.2f to %.2f over the 3 pairs)\n",
                 frames / v[1], frames, vp_ratio, vp_lo, vp_hi);
  }
  std::fprintf(report, "  peak memory             %10.1f MiB\n", rss);
  if (vm.count("json")) {
    nlohmann::json j = pairs_json(d, b, frames, pairs, rss);
    j["timing_only_cycles_per_second"] = cps_s.median;
    j["timing_only_frames"] = timing_frames;
    j["timing_only_cycles"] = timing_cycles;
    j["stats"]["timing_only_cycles_per_second"] = to_json(cps_s);
    if (vp_ratio > 0) {
      j["vp_to_sim_ratio"] = vp_ratio;
      j["vp_to_sim_ratio_min"] = vp_lo;
      j["vp_to_sim_ratio_max"] = vp_hi;
    }
    if (cosim_fps > 0) {
      j["cosim_fps"] = cosim_fps;
      j["cosim_slowdown"] = sim_s.median / cosim_fps;
      j["cosim_unit_cycles"] = cosim_unit_cycles;
    }
    if (!write_output("json", vm["json"].as<std::string>(), [&](std::ostream& out) { out << j.dump(2) << "\n"; }))
      return kExitUsage;
  }
  return kExitOk;
}

// Runs this program as `vine -q bench DESIGN ... --json FILE` in a child
// process, so that each design's peak memory is its own; the child's report
// goes to `err_file`. Its exit code, or -1 when it did not exit.
int bench_child(const std::string& design, const BenchSettings& b, const std::string& json_file,
                const std::string& err_file) {
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::ostringstream min_secs;
  min_secs << b.rule.min_seconds;
  const std::vector<std::string> argv_s = {self, "-q", "bench", design,
                                           "--frames", std::to_string(b.frames),
                                           "--timing-frames", std::to_string(b.timing_frames),
                                           "--seed", std::to_string(b.seed),
                                           "--samples", std::to_string(b.rule.min_samples),
                                           "--min-time", min_secs.str(),
                                           "--json", json_file};
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    FILE* out = std::freopen(err_file.c_str(), "w", stdout);
    if (!out || dup2(fileno(stdout), STDERR_FILENO) < 0) _exit(127);
    execv(self.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "1.8e+07" -> "1.8e7": the table's cycles/s.
std::string short_g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", v);
  std::string s = buf;
  if (const auto e = s.find("e+"); e != std::string::npos) {
    std::string exp = s.substr(e + 2);
    while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
    s = s.substr(0, e) + "e" + exp;
  }
  return s;
}

// A frame rate or ratio as a table shows it: whole numbers from 100 up, else
// three significant digits.
std::string rate(double v, const char* unit) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f%s" : "%.3g%s", v, unit);
  return buf;
}

// "median (min .. max)"; `cycles`: in the 1.8e7 form.
std::string cell(const nlohmann::json& stat, bool cycles, const char* unit = "") {
  const double m = stat["median"], lo = stat["min"], hi = stat["max"];
  if (cycles) return short_g(m) + " (" + short_g(lo) + " .. " + short_g(hi) + ")";
  return rate(m, unit) + " (" + rate(lo, unit) + " .. " + rate(hi, unit) + ")";
}

// `vine bench --all [DIR]`: every design under DIR (configs/designs), each in
// its own process, one table. A design the simulation refuses (weights in
// DDR) is skipped, with the reason.
int bench_all(const std::string& dir, const BenchSettings& b, const po::variables_map& vm) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::cerr << "vine bench: --all: '" << dir
              << "' is not a folder; give the designs folder (configs/designs in the source tree)\n";
    return kExitUsage;
  }
  const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (!json_path.empty()) {
    const std::string problem = check_output_path("json", json_path, {});
    if (!problem.empty()) {
      std::cerr << "vine bench: " << problem << "\n";
      return kExitUsage;
    }
  }
  std::vector<fs::path> designs;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".yaml") designs.push_back(e.path());
  std::sort(designs.begin(), designs.end());
  if (designs.empty()) {
    std::cerr << "vine bench: --all: no .yaml design under '" << dir << "'\n";
    return kExitUsage;
  }

  FILE* const report = !json_path.empty() && is_stdout(json_path) ? stderr : stdout;
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  const std::string tmp = (fs::temp_directory_path() / ("vine-bench-" + std::to_string(::getpid()))).string();
  nlohmann::json all = {{"designs_dir", dir},
                        {"date", date},
                        {"frames", b.frames},
                        {"timing_only_frames", b.timing_frames},
                        {"seed", b.seed},
                        {"samples", {{"min_samples", b.rule.min_samples},
                                     {"min_seconds", b.rule.min_seconds},
                                     {"max_samples", SampleRule::kMaxSamples}}},
                        {"designs", nlohmann::json::array()},
                        {"skipped", nlohmann::json::array()}};
  bool failed = false;
  for (const auto& path : designs) {
    const std::string rel = fs::relative(path, dir).string();
    // Refused designs are found here, without running anything.
    try {
      sim::check_simulatable(config::load_design(path.string()));
    } catch (const std::exception& e) {
      all["skipped"].push_back({{"design", rel}, {"reason", e.what()}});
      spdlog::info("{}: skipped: {}", rel, e.what());
      continue;
    }
    spdlog::info("{}: measuring", rel);
    const int code = bench_child(path.string(), b, tmp + ".json", tmp + ".log");
    const std::string log = read_text(tmp + ".log");
    nlohmann::json j;
    if (code == kExitOk) {
      std::ifstream in(tmp + ".json");
      j = nlohmann::json::parse(in, nullptr, false);
    }
    fs::remove(tmp + ".json", ec);
    fs::remove(tmp + ".log", ec);
    if (code != kExitOk || j.is_discarded()) {
      std::cerr << "vine bench: " << rel << " failed (exit code " << code << "):\n" << log;
      failed = true;
      continue;
    }
    j["path"] = rel;
    all["designs"].push_back(j);
  }

  std::fprintf(report, "vine bench --all %s: %d frames (timing-only %d), seed %llu, measured %s; "
               "each figure: median (min .. max) over its samples (%s)\n\n",
               dir.c_str(), b.frames, b.timing_frames, (unsigned long long)b.seed, date, b.rule.describe().c_str());
  std::fprintf(report, "| design | samples | reference frames/s | bit-exact frames/s | sim / reference time | "
               "timing-only cycles/s | peak memory |\n|---|---|---|---|---|---|---|\n");
  for (const auto& j : all["designs"]) {
    const auto& s = j["stats"];
    std::fprintf(report, "| `%s` | %zu, %zu | %s | %s | %s | %s | %.0f MiB |\n", j["path"].get<std::string>().c_str(),
                 s["sim_to_reference_ratio"]["samples"].size(), s["timing_only_cycles_per_second"]["samples"].size(),
                 cell(s["reference_fps"], false).c_str(), cell(s["sim_fps"], false).c_str(),
                 cell(s["sim_to_reference_ratio"], false, "x").c_str(),
                 cell(s["timing_only_cycles_per_second"], true).c_str(), j["peak_rss_mib"].get<double>());
  }
  for (const auto& s : all["skipped"])
    std::fprintf(report, "\nskipped %s: %s\n", s["design"].get<std::string>().c_str(),
                 s["reason"].get<std::string>().c_str());
  if (!json_path.empty() &&
      !write_output("json", json_path, [&](std::ostream& out) { out << all.dump(2) << "\n"; }))
    return kExitUsage;
  return failed ? kExitSimulation : kExitOk;
}

}  // namespace

// Speed figures measured in one process, on the same frames: the golden
// reference, the bit-exact simulation, the timing-only simulation, each
// repeated (SampleRule) and reported as median and spread.
int cmd_bench(const Args& args) {
  po::options_description opts(
      "vine bench DESIGN [options]: golden-reference frames/s, bit-exact simulation frames/s and their ratio, "
      "timing-only simulated cycles/s, peak memory; each the median of repeated samples, with its spread\n"
      "vine bench --all [DIR] [options]: every design under DIR (default configs/designs), one table");
  opts.add_options()("help,h", "show this help")("frames,n", po::value<int>()->default_value(4),
                                                 "frames per measurement (2 to 100000)")(
      "timing-frames", po::value<int>()->default_value(0), "frames of the timing-only run (default: 4x --frames)")(
      "seed,s", po::value<uint64_t>()->default_value(1), "seed of the synthetic weights and frames")(
      "samples", po::value<int>()->default_value(5),
      "each measurement is taken at least this many times (1 to 1000) ...")(
      "min-time", po::value<double>()->default_value(1.0),
      "... and on until its samples add up to this many seconds (0 to 3600)")(
      "quick", "--frames 2 and --min-time 0 (each measurement exactly --samples times), unless given")(
      "all", "measure every design under DIR (default configs/designs), each in its own process, and print one "
             "table; designs the simulation refuses are skipped and named")(
      "json", po::value<std::string>(), "also write the figures as JSON to FILE; '-': to stdout, and the report to stderr")(
      "backend", po::value<std::string>(),
      "rtl: also time the RTL co-simulation (every layer's PEs on Verilated units) against the C++ back-end")(
      "vp", "also time a virtual-platform job of the same frames (host writes, START, interrupt, read-back) "
            "against the bit-exact simulation, three times each");
  po::variables_map vm;
  {
    po::options_description hidden;
    hidden.add_options()("design", po::value<std::string>(), "");
    po::positional_options_description pos;
    pos.add("design", 1);
    if (!parse_options(args, opts, hidden, pos, vm)) return kExitUsage;
    if (vm.count("help")) {
      print_help(std::cout, opts);
      return kExitOk;
    }
    if (!vm.count("design") && !vm.count("all")) return usage_error("bench", "missing DESIGN", opts);
  }
  // Bounds: the reference keeps every input frame in memory, and the
  // timing-only run's frame count is 4x this one.
  constexpr int kMaxFrames = 100000, kMaxTimingFrames = 10000000;
  const bool quick = vm.count("quick") > 0;
  BenchSettings b;
  b.frames = quick && vm["frames"].defaulted() ? 2 : vm["frames"].as<int>();
  if (b.frames < 2 || b.frames > kMaxFrames)
    return usage_error("bench", "--frames must be in [2, " + std::to_string(kMaxFrames) + "], got " +
                                    std::to_string(b.frames),
                       opts);
  const int given_timing = vm["timing-frames"].as<int>();
  if (given_timing < 0 || given_timing > kMaxTimingFrames)
    return usage_error("bench",
                       "--timing-frames must be in [0, " + std::to_string(kMaxTimingFrames) + "], got " +
                           std::to_string(given_timing),
                       opts);
  b.timing_frames = given_timing > 0 ? given_timing : 4 * b.frames;
  b.seed = vm["seed"].as<uint64_t>();
  b.rule.min_samples = vm["samples"].as<int>();
  if (b.rule.min_samples < 1 || b.rule.min_samples > SampleRule::kMaxSamples)
    return usage_error("bench", "--samples must be in [1, " + std::to_string(SampleRule::kMaxSamples) + "], got " +
                                    std::to_string(b.rule.min_samples),
                       opts);
  b.rule.min_seconds = quick && vm["min-time"].defaulted() ? 0.0 : vm["min-time"].as<double>();
  if (!(b.rule.min_seconds >= 0 && b.rule.min_seconds <= 3600))
    return usage_error("bench", "--min-time must be in [0, 3600] seconds, got " +
                                    std::to_string(vm["min-time"].as<double>()),
                       opts);
  const auto backend = parse_backend(vm);
  if (!backend)
    return usage_error("bench", "--backend must be cpp or rtl", opts);
  if (vm.count("all")) {
    if (vm.count("vp") || *backend == sim::BackendChoice::kRtl)
      return usage_error("bench", "--all measures the C++ back-end only: no --vp, no --backend rtl", opts);
    return bench_all(vm.count("design") ? vm["design"].as<std::string>() : "configs/designs", b, vm);
  }
  return bench_design(vm["design"].as<std::string>(), b, vm, *backend);
}

}  // namespace vine::cli
