// `vine dataflow DESIGN`: each layer's weights on chip or in DDR, the fewest
// DDR bytes per frame within the BRAM18 budget, exactly; the front of BRAM18
// against DDR traffic with each point's fps (sim/explore/weight_placement.h).
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/explore/weight_placement.h"
#include "sim/run/simulation.h"

namespace vine::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

std::string megabytes(uint64_t bytes) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(3) << double(bytes) / 1e6;
  return o.str();
}

std::string bytes_text(uint64_t bytes) { return std::to_string(bytes); }

std::string fps_text(double fps) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << fps;
  return o.str();
}

// What sets the point's interval: a layer, or a DDR channel its weight streams share.
std::string bottleneck_text(const estimate::Estimate& e) {
  if (e.bottleneck_ddr_channel >= 0) return "DDR channel " + std::to_string(e.bottleneck_ddr_channel);
  return e.bottleneck.empty() ? "-" : e.bottleneck;
}

// "bram", "ddr" (FINN's vector schedule), "ddr/row", "ddr/frame".
std::string placement_text(ir::MemoryStyle m, ir::WeightSchedule s) {
  std::string t = ir::to_string(m);
  if (m == ir::MemoryStyle::kDdr && s != ir::WeightSchedule::kVector) t += std::string("/") + ir::to_string(s);
  return t;
}

ir::WeightSchedule schedule_of(const explore::PlacementPoint& p, size_t i) {
  return i < p.schedule.size() ? p.schedule[i] : ir::WeightSchedule::kVector;
}

std::string ddr_layers(const ir::Network& net, const explore::PlacementPoint& p) {
  std::string s;
  for (size_t i = 0; i < p.memory.size(); ++i)
    if (net.layers[i].has_weights() && p.memory[i] == ir::MemoryStyle::kDdr) {
      s += (s.empty() ? "" : " ") + net.layers[i].name;
      if (schedule_of(p, i) != ir::WeightSchedule::kVector) s += std::string("(") + ir::to_string(schedule_of(p, i)) + ")";
    }
  return s;
}

nlohmann::json point_json(const ir::Network& net, const explore::PlacementPoint& p) {
  nlohmann::json memory = nlohmann::json::object(), schedule = nlohmann::json::object();
  for (size_t i = 0; i < p.memory.size(); ++i) {
    if (!net.layers[i].has_weights()) continue;
    memory[net.layers[i].name] = ir::to_string(p.memory[i]);
    if (p.memory[i] == ir::MemoryStyle::kDdr) schedule[net.layers[i].name] = ir::to_string(schedule_of(p, i));
  }
  const auto& e = p.estimate;
  return {{"bram18", p.bram18},
          {"ddr_bytes_per_frame", p.ddr_bytes_per_frame},
          {"layers_in_ddr", p.layers_in_ddr},
          {"interval_cycles", e.interval_cycles},
          {"fps", e.fps},
          {"bottleneck", e.bottleneck},
          {"bottleneck_ddr_channel",
           e.bottleneck_ddr_channel >= 0 ? nlohmann::json(e.bottleneck_ddr_channel) : nlohmann::json(nullptr)},
          {"fits", e.fits},
          {"weight_memory", memory},
          {"weight_schedule", schedule}};
}

void row(std::ostream& o, const std::string& mark, const std::string& name, const explore::PlacementPoint& p) {
  o << mark << std::left << std::setw(10) << name << std::right << std::setw(8) << p.bram18 << std::setw(14)
    << bytes_text(p.ddr_bytes_per_frame) << std::setw(8) << p.layers_in_ddr << std::setw(12)
    << p.estimate.interval_cycles << std::setw(11) << fps_text(p.estimate.fps) << "  " << bottleneck_text(p.estimate)
    << "\n";
}

}  // namespace

int cmd_dataflow(const Args& args) {
  po::options_description opts(
      "vine dataflow DESIGN [-o DIR]: each layer's weights on chip or streamed from DDR, the fewest DDR bytes per\n"
      "frame with the design's BRAM18 within the budget (exact: a knapsack by dynamic programming); the front of\n"
      "BRAM18 against DDR traffic, each point's fps from the estimate");
  opts.add_options()("help,h", "show this help")(
      "bram-budget", po::value<long long>(), "BRAM18 the whole design may use (default: the device's)")(
      "output,o", po::value<std::string>(),
      "write dataflow.json, front.csv and the design with the chosen placement (DESIGN-placed.yaml) here")(
      "json", po::value<std::string>(), "also write the result as JSON to FILE; '-': to stdout, and the report to stderr");
  po::variables_map vm;
  std::vector<std::string> files;
  if (auto done = parse_files_command(args, opts, 1, vm, files)) return *done;
  if (files.size() != 1) return usage_error("dataflow", "expected DESIGN", opts);
  int64_t budget = -1;
  if (vm.count("bram-budget")) {
    budget = vm["bram-budget"].as<long long>();
    if (budget < 0) return usage_error("dataflow", "--bram-budget: expected 0 or more BRAM18, got " + std::to_string(budget), opts);
  }
  const ir::Design d = config::load_design(files[0]);
  log_design_loaded(d);
  sim::check_simulatable(d);
  const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (vm.count("json")) {
    const std::string problem = check_output_path("json", json_path, input_files(d));
    if (!problem.empty()) return usage_error("dataflow", problem, opts);
  }

  const explore::PlacementResult r = explore::place_weights(d, budget);
  const ir::Network& net = d.network;
  if (!r.feasible) {
    std::cerr << "vine dataflow: " << d.path << ": no placement fits " << r.budget_bram18 << " BRAM18"
              << (budget < 0 ? " (the device " + d.device.name + "'s)" : " (--bram-budget)")
              << ": the fewest any placement needs is " << r.least_bram18
              << " BRAM18 (every layer's weights at its cheapest option; the design as given needs "
              << r.given_bram18 << "); what remains is the layers' other memories (thresholds, buffers) and the FIFOs\n";
    return kExitUsage;
  }

  std::ostream& out = report_stream(json_path);
  out << "design " << d.name << ": weights placed on " << d.device.name << " at " << d.clock_mhz << " MHz, budget "
      << r.budget_bram18 << " BRAM18" << (budget < 0 ? " (the device's)" : " (--bram-budget)") << "\n\n";
  out << "  " << r.layers.size() << " layers with weights; a placement needs " << r.least_bram18 << " to "
      << r.most_bram18 << " BRAM18 (layers + FIFOs)\n\n";
  out << "  " << std::left << std::setw(22) << "layer" << std::setw(10) << "given" << std::setw(10) << "on chip"
      << std::right << std::setw(16) << "BRAM18 on chip" << std::setw(14) << "DDR B/frame" << "  chosen\n";
  for (size_t k = 0; k < r.layers.size(); ++k) {
    const int i = r.layers[k];
    const auto& opts = r.options[k];
    const explore::PlacementOption* chip = nullptr;
    const explore::PlacementOption* ddr = nullptr;
    // The DDR option shown: FINN's (vector) schedule; the others are in the JSON.
    for (const auto& o : opts)
      if (o.memory != ir::MemoryStyle::kDdr)
        chip = &o;
      else if (o.schedule == ir::WeightSchedule::kVector)
        ddr = &o;
    out << "  " << std::left << std::setw(22) << net.layers[size_t(i)].name << std::setw(10)
        << ir::to_string(d.folding[size_t(i)].weight_memory) << std::setw(10)
        << (chip ? ir::to_string(chip->memory) : "-") << std::right << std::setw(16);
    // What keeping the weights on chip costs over streaming them.
    if (chip && ddr)
      out << (chip->bram18_delta - ddr->bram18_delta >= 0 ? "+" : "") + std::to_string(chip->bram18_delta - ddr->bram18_delta);
    else
      out << "-";
    out << std::setw(14) << (ddr ? bytes_text(ddr->ddr_bytes_per_frame) : "-") << "  "
        << placement_text(r.chosen.memory[size_t(i)], schedule_of(r.chosen, size_t(i))) << "\n";
  }
  out << "\n  " << std::left << std::setw(12) << "point" << std::right << std::setw(8) << "BRAM18" << std::setw(14)
      << "DDR B/frame" << std::setw(8) << "in DDR" << std::setw(12) << "interval" << std::setw(11) << "fps"
      << "  bottleneck\n";
  // The front around the chosen point on screen; all of it in front.csv and the JSON.
  constexpr int kShown = 20;
  const int n = int(r.front.size());
  int first = std::max(0, std::min(r.chosen_index - kShown / 2, n - kShown)), last = std::min(n, first + kShown);
  if (first > 0) out << "  ... " << first << " cheaper front points (-o DIR: front.csv, or --json)\n";
  for (int i = first; i < last; ++i)
    row(out, i == r.chosen_index ? "* " : "  ", "front " + std::to_string(i + 1), r.front[size_t(i)]);
  if (last < n) out << "  ... " << n - last << " dearer front points (-o DIR: front.csv, or --json)\n";
  row(out, "  ", "as given", r.given);
  const explore::PlacementPoint& c = r.chosen;
  out << "\n  chosen (*): " << c.bram18 << " of " << r.budget_bram18 << " BRAM18, " << c.ddr_bytes_per_frame << " bytes ("
      << megabytes(c.ddr_bytes_per_frame) << " MB) of weights from DDR per frame (" << c.layers_in_ddr << " layers in DDR), " << fps_text(c.estimate.fps)
      << " fps; the design as given: " << r.given_bram18 << " BRAM18, " << r.given.ddr_bytes_per_frame
      << " bytes per frame, " << fps_text(r.given.estimate.fps) << " fps\n";
  if (!c.estimate.fits)
    out << "  note: the chosen placement fits the BRAM18 budget but the estimate says the design exceeds another of "
        << d.device.name << "'s resources (URAM, LUT, FF or DSP)\n";
  out << "  (front: the fewest DDR bytes per frame at every BRAM18 budget where it changes; BRAM18 and DDR bytes are\n"
         "  the whole design's estimate, fps and the bottleneck from estimating each point whole, docs/dataflow.md)\n"
      << std::flush;

  nlohmann::json j;
  j["design"] = d.name;
  j["device"] = d.device.name;
  j["budget_bram18"] = r.budget_bram18;
  j["least_bram18"] = r.least_bram18;
  j["most_bram18"] = r.most_bram18;
  j["layers"] = nlohmann::json::array();
  for (size_t k = 0; k < r.layers.size(); ++k) {
    const int i = r.layers[k];
    nlohmann::json options = nlohmann::json::array();
    for (const auto& o : r.options[k])
      options.push_back({{"memory", ir::to_string(o.memory)},
                         {"schedule", ir::to_string(o.schedule)},
                         {"bram18_delta", o.bram18_delta},
                         {"ddr_bytes_per_frame", o.ddr_bytes_per_frame}});
    j["layers"].push_back({{"layer", net.layers[size_t(i)].name},
                           {"given", ir::to_string(d.folding[size_t(i)].weight_memory)},
                           {"chosen", placement_text(r.chosen.memory[size_t(i)], schedule_of(r.chosen, size_t(i)))},
                           {"options", options}});
  }
  j["front"] = nlohmann::json::array();
  for (const auto& p : r.front) j["front"].push_back(point_json(net, p));
  j["chosen_index"] = r.chosen_index;
  j["chosen"] = point_json(net, r.chosen);
  j["given"] = point_json(net, r.given);
  if (vm.count("json") && !write_output("json", json_path, [&](std::ostream& f) { f << j.dump(2) << "\n"; }))
    return kExitUsage;

  if (vm.count("output")) {
    const fs::path dir = vm["output"].as<std::string>();
    if (const std::string problem = make_output_folder("output", dir.string()); !problem.empty())
      return usage_error("dataflow", problem, opts);
    bool ok = write_output("output", (dir / "dataflow.json").string(), [&](std::ostream& f) { f << j.dump(2) << "\n"; });
    ok = ok && write_output("output", (dir / "front.csv").string(), [&](std::ostream& f) {
      f << "bram18,ddr_bytes_per_frame,layers_in_ddr,interval_cycles,fps,bottleneck,fits,chosen,ddr_layers\n";
      for (size_t i = 0; i < r.front.size(); ++i) {
        const auto& p = r.front[i];
        f << p.bram18 << "," << p.ddr_bytes_per_frame << "," << p.layers_in_ddr << "," << p.estimate.interval_cycles
          << "," << p.estimate.fps << "," << bottleneck_text(p.estimate) << "," << (p.estimate.fits ? "true" : "false")
          << "," << (int(i) == r.chosen_index ? "true" : "false") << "," << ddr_layers(net, p) << "\n";
      }
    });
    const fs::path yaml = dir / (d.name + "-placed.yaml");
    ok = ok && write_output("output", yaml.string(), [&](std::ostream& f) {
      config::write_design_with_weight_memory(
          explore::with_weight_memory(d, c.memory, c.schedule), yaml.string(),
          "Written by `vine dataflow`: the weight placement with the fewest DDR bytes per frame within " +
              std::to_string(r.budget_bram18) + " BRAM18 (estimate: " + std::to_string(c.bram18) + " BRAM18, " +
              std::to_string(c.ddr_bytes_per_frame) + " DDR bytes per frame, " + fps_text(c.estimate.fps) + " fps).",
          f);
    });
    if (!ok) return kExitUsage;
    spdlog::info("wrote {}", dir.string());
  }
  return kExitOk;
}

}  // namespace vine::cli
