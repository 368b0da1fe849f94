// `vine fifo-size DESIGN`: the least FIFO depths that keep the design at its
// target interval (sim/explore/fifo_sizing.h), compared with FINN's rule,
// written as a Vine design and as FINN's hardware config.
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/explore/fifo_sizing.h"
#include "sim/explore/finn_fifo_style.h"
#include "sim/explore/finn_hw_config.h"
#include "sim/run/simulation.h"

namespace vine::cli {

namespace po = boost::program_options;

namespace {

std::string interval_text(double c) {
  std::ostringstream o;
  if (c == std::floor(c))
    o << int64_t(c);
  else
    o << std::fixed << std::setprecision(2) << c;
  return o.str();
}

// `frames`: the trials' frames; a check judged over others says so.
std::string check_text(const explore::SizingCheck& c, int frames) {
  const std::string over = c.frames != frames ? " (over " + std::to_string(c.frames) + " frames)" : "";
  if (c.reached) return "interval " + interval_text(c.interval) + " cycles per frame" + over;
  if (c.deadlock) return "deadlock" + over;
  return "no steady state in " + std::to_string(c.frames) + " frames";
}

nlohmann::json check_json(const explore::SizingCheck& c) {
  return {{"reached", c.reached},
          {"deadlock", c.deadlock},
          {"interval_cycles", c.reached ? nlohmann::json(c.interval) : nlohmann::json(nullptr)},
          {"frames", c.frames}};
}

// Memory of a set of depths, by FINN's style rules.
struct Memory {
  int64_t bits = 0, bram18 = 0, lut = 0, vivado = 0;
};

Memory memory(const explore::FifoSizing& s, int explore::SizedFifo::*depth) {
  Memory m;
  for (const auto& f : s.fifos) {
    const explore::FinnFifo ff = explore::finn_fifo(f.bits, f.*depth);
    m.bits += ff.bits;
    m.bram18 += ff.bram18;
    m.lut += ff.lut;
    m.vivado += ff.impl_style == "vivado";
  }
  return m;
}

nlohmann::json memory_json(const Memory& m) {
  return {{"bits", m.bits}, {"bram18", m.bram18}, {"lut", m.lut}, {"vivado_fifos", m.vivado}};
}

std::string format_sizing(const ir::Design& d, const explore::FifoSizing& s) {
  std::ostringstream o;
  o << "design " << d.name << ": FIFO depths sized by timing-only simulation, each trial " << s.frames
    << " frames\n\n";
  o << "  target     interval " << interval_text(s.target_interval) << " cycles per frame"
    << (s.target_interval == s.unbounded.interval ? " (what unbounded FIFOs give)" : "") << "\n";
  o << "  unbounded  " << check_text(s.unbounded, s.frames)
    << ": every FIFO deep enough never to fill\n";
  o << "  as given   " << check_text(s.before, s.frames) << ": the design's depths\n";
  o << "  FINN rule  " << check_text(s.finn_rule, s.frames)
    << ": each FIFO at its peak occupancy with FIFOs a frame deep, rounded as FINN rounds\n";
  o << "  sized      " << check_text(s.sized, s.frames) << "; again over " << s.long_frames << " frames: "
    << check_text(s.sized_long, s.long_frames) << "\n";
  if (s.given_start_tried)
    o << "  start      "
      << (s.given_start_met ? "the design's depths (each at least its floor): they meet the target, so the passes cut down from them"
                            : "the peaks: the design's depths (each at least its floor) miss the target")
      << "\n";
  o << "  least      "
    << (s.least ? "yes: with the others as sized, each FIFO one beat shallower misses the target (each checked by a run, or by a run whose exact verdict implies it)"
                : "not proven: the passes stopped before one changed nothing")
    << "\n";
  o << "  search     " << s.trials << " trials (" << s.trials_by_repetition
    << " decided at the first repetition of the timing state or by its bounds (" << s.trials_by_bound
    << " by bounds), " << s.trials_with_jumps
    << " of them after jumping frames in which a FIFO filled; " << s.trials_known
    << " known from earlier exact verdicts, without a run; " << s.trials_by_longer_run
    << " misses the steady-state rule's longer run showed alone), " << s.aimed_rounds << " aimed and "
    << s.plain_rounds << " plain bisection rounds (" << s.twin_rounds
    << " opening at the depth of an earlier FIFO of the same shape), " << s.trials_ahead
    << " trials run ahead on a free job (" << s.trials_ahead_used << " then asked for), "
    << s.fifos_with_rate_floor << " FIFOs with a rate floor above the minimum depth, " << s.runs
    << " timing-only runs, "
    << s.simulated_cycles << " simulated cycles, "
    << std::fixed << std::setprecision(2) << s.seconds << " s\n\n";
  o.unsetf(std::ios::fixed);

  size_t w = 4;
  for (const auto& f : s.fifos) w = std::max(w, f.name.size());
  o << "  " << std::left << std::setw(int(w)) << "fifo" << std::right << std::setw(7) << "bits" << std::setw(12)
    << "beats/frame" << std::setw(8) << "given" << std::setw(8) << "peak" << std::setw(8) << "FINN" << std::setw(8)
    << "sized" << "  FINN style (sized)\n";
  for (const auto& f : s.fifos) {
    const explore::FinnFifo ff = explore::finn_fifo(f.bits, f.depth);
    o << "  " << std::left << std::setw(int(w)) << f.name << std::right << std::setw(7) << f.bits << std::setw(12)
      << f.words << std::setw(8) << f.depth_before << std::setw(8) << f.unbounded_peak << std::setw(8)
      << f.finn_depth << std::setw(8) << f.depth << "  " << ff.impl_style
      << (ff.bram18 ? ", " + std::to_string(ff.bram18) + " RAMB18" : "") << "\n";
  }
  o << "\n  memory by FINN's style rules (FIFOs up to " << explore::kFinnMaxShiftRegisterDepth
    << " deep in LUTs, deeper in block RAM):\n";
  const std::pair<const char*, int explore::SizedFifo::*> sets[] = {{"given", &explore::SizedFifo::depth_before},
                                                                   {"FINN rule", &explore::SizedFifo::finn_depth},
                                                                   {"sized", &explore::SizedFifo::depth}};
  for (const auto& [name, depth] : sets) {
    const Memory m = memory(s, depth);
    o << "  " << std::left << std::setw(10) << name << std::right << std::setw(12) << m.bits << " bits"
      << std::setw(8) << m.bram18 << " RAMB18" << std::setw(9) << m.lut << " LUT\n";
  }
  return o.str();
}

nlohmann::json sizing_json(const ir::Design& d, const explore::FifoSizing& s) {
  nlohmann::json j;
  j["design"] = d.name;
  j["frames"] = s.frames;
  j["target_interval_cycles"] = s.target_interval;
  j["unbounded"] = check_json(s.unbounded);
  j["as_given"] = check_json(s.before);
  j["finn_rule"] = check_json(s.finn_rule);
  j["sized"] = check_json(s.sized);
  j["sized_long"] = check_json(s.sized_long);
  j["least"] = s.least;
  j["start"] = s.given_start_met ? "given" : "peaks";
  j["given_start_met"] = s.given_start_tried ? nlohmann::json(s.given_start_met) : nlohmann::json(nullptr);
  j["passes"] = s.passes;
  j["runs"] = s.runs;
  j["trials"] = s.trials;
  j["trials_by_repetition"] = s.trials_by_repetition;
  j["trials_with_jumps"] = s.trials_with_jumps;
  j["trials_by_bound"] = s.trials_by_bound;
  j["trials_known"] = s.trials_known;
  j["trials_by_longer_run"] = s.trials_by_longer_run;
  j["aimed_rounds"] = s.aimed_rounds;
  j["plain_rounds"] = s.plain_rounds;
  j["twin_rounds"] = s.twin_rounds;
  j["trials_ahead"] = s.trials_ahead;
  j["trials_ahead_used"] = s.trials_ahead_used;
  j["fifos_with_rate_floor"] = s.fifos_with_rate_floor;
  j["shortcuts"] = s.shortcuts;
  j["simulated_cycles"] = s.simulated_cycles;
  j["seconds"] = s.seconds;
  j["memory"] = {{"given", memory_json(memory(s, &explore::SizedFifo::depth_before))},
                 {"finn_rule", memory_json(memory(s, &explore::SizedFifo::finn_depth))},
                 {"sized", memory_json(memory(s, &explore::SizedFifo::depth))}};
  for (const auto& f : s.fifos)
    j["fifos"].push_back({{"name", f.name},
                          {"graph_edge", f.graph_edge},
                          {"bits", f.bits},
                          {"beats_per_frame", f.words},
                          {"style", f.memory_style ? "memory" : "shift"},
                          {"depth_given", f.depth_before},
                          {"unbounded_peak", f.unbounded_peak},
                          {"depth_finn_rule", f.finn_depth},
                          {"depth", f.depth},
                          {"finn_impl_style", explore::finn_fifo(f.bits, f.depth).impl_style}});
  return j;
}

}  // namespace

int cmd_fifo_size(const Args& args) {
  po::options_description opts(
      "vine fifo-size DESIGN [-o SIZED.yaml] [--finn-config FILE.json]: the least FIFO depths that keep the\n"
      "design at its target interval (default: what unbounded FIFOs give), found and checked by timing-only runs");
  opts.add_options()("help,h", "show this help")(
      "output,o", po::value<std::string>(), "write the sized design (Vine YAML) to FILE")(
      "finn-config", po::value<std::string>(),
      "write FINN's hardware config JSON (folding, inFIFODepths/outFIFODepths, FIFO depth and impl_style)")(
      "json", po::value<std::string>(), "also write the sizing as JSON to FILE; '-': to stdout, and the report to stderr")(
      "target-interval", po::value<double>()->default_value(0),
      "cycles per frame to keep (0: the interval unbounded FIFOs give)")(
      "frames,n", po::value<int>()->default_value(0),
      "frames each trial runs (0: the fewest whose run reaches the steady state with unbounded FIFOs)")(
      "min-depth", po::value<int>()->default_value(1), "the shallowest depth tried")(
      "jobs,j", po::value<int>()->default_value(0),
      "trials at once while bisecting a FIFO, each a forked process (0: one per core); a job a round leaves "
      "idle runs a trial ahead, and the report's checks run side by side")(
      "start", po::value<std::string>()->default_value("peaks"),
      "where the search starts: 'peaks' (each FIFO at its peak occupancy with unbounded FIFOs) or 'given' (the "
      "design's own depths, when with them the design meets the target, else the peaks): re-sizing a design "
      "from its last sizing")(
      "no-shortcuts", "the plain search: no frames jumped inside a trial, no verdict reused, no aimed probes, no "
                      "probes at a twin FIFO's depth, no probe below a FIFO's rate floor, no trial run ahead, no miss taken from "
                      "the steady-state rule's longer run alone (for comparison; the depths found are the same)");
  po::variables_map vm;
  if (auto done = parse_command("fifo-size", args, opts, "design", "DESIGN", vm)) return *done;
  explore::FifoSizingOptions o;
  o.target_interval = vm["target-interval"].as<double>();
  o.frames = vm["frames"].as<int>();
  o.min_depth = vm["min-depth"].as<int>();
  o.jobs = vm["jobs"].as<int>();
  o.shortcuts = !vm.count("no-shortcuts");
  const std::string start = vm["start"].as<std::string>();
  if (start != "peaks" && start != "given")
    return usage_error("fifo-size", "--start: expected peaks or given, got '" + start + "'", opts);
  o.start_from_given = start == "given";
  if (o.jobs < 0 || o.jobs > 64) return usage_error("fifo-size", "--jobs: expected 0 (one per core) to 64", opts);
  if (o.jobs == 0) o.jobs = int(std::max(1u, std::thread::hardware_concurrency()));
  if (!(o.target_interval >= 0) || !std::isfinite(o.target_interval))
    return usage_error("fifo-size", "--target-interval: expected cycles per frame, 0 or more", opts);
  if (o.frames < 0 || o.frames > 4096)
    return usage_error("fifo-size", "--frames: expected 0 (find them) to 4096", opts);
  if (o.min_depth < 1 || o.min_depth > (1 << 20))
    return usage_error("fifo-size", "--min-depth: expected 1 to 1048576", opts);
  const ir::Design d = config::load_design(vm["design"].as<std::string>());
  log_design_loaded(d);
  sim::check_simulatable(d);
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* f : {"output", "finn-config", "json"})
    if (vm.count(f)) outputs.emplace_back(f, vm[f].as<std::string>());
  if (vm.count("output") && is_stdout(vm["output"].as<std::string>()))
    return usage_error("fifo-size", "--output: expected a file (only --json takes '-')", opts);
  if (const std::string problem = check_output_paths(outputs, input_files(d)); !problem.empty())
    return usage_error("fifo-size", problem, opts);

  explore::FifoSizing s;
  try {
    s = explore::size_fifos(d, o, [](const std::string& line, bool detail) {
      if (detail)
        spdlog::debug("{}", line);
      else
        spdlog::info("{}", line);
    });
  } catch (const explore::SizingError& e) {
    std::cerr << "vine fifo-size: " << e.what() << "\n";
    return e.usage ? kExitUsage : kExitSimulation;
  }
  const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
  report_stream(json_path) << format_sizing(d, s) << std::flush;
  const ir::Design sized =
      explore::with_depths(d, s.fifos, [](const explore::SizedFifo& f) { return f.depth; });
  if (vm.count("output")) {
    const std::string path = vm["output"].as<std::string>();
    std::ostringstream header;
    header << "Written by `vine fifo-size " << d.path << "`: every FIFO at the least depth that keeps\n"
           << "interval " << interval_text(s.target_interval) << " cycles per frame (checked over " << s.frames
           << " and " << s.long_frames << " frames).";
    if (!write_output("output", path, [&](std::ostream& out) {
          config::write_design_with_fifos(sized, path, header.str(), out);
        }))
      return kExitUsage;
    spdlog::info("wrote the sized design {}", path);
  }
  if (vm.count("finn-config")) {
    if (!write_output("finn-config", vm["finn-config"].as<std::string>(), [&](std::ostream& out) {
          out << explore::finn_hw_config(sized, s).dump(2) << "\n";
        }))
      return kExitUsage;
    for (const auto& f : s.fifos)
      if (f.depth < 2) {
        spdlog::info("FINN's config has depth 2 where the sizing found 1 (FINN's FIFOs are at least 2 deep)");
        break;
      }
  }
  if (vm.count("json") && !write_output("json", json_path, [&](std::ostream& out) {
        out << sizing_json(d, s).dump(2) << "\n";
      }))
    return kExitUsage;
  return s.sized.reached && s.sized.interval <= s.target_interval + 1e-9 ? kExitOk : kExitSimulation;
}

}  // namespace vine::cli
