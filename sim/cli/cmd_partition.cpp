// `vine partition DESIGN CLUSTER`: the design's layers split over the
// cluster's boards in pipeline order, each board folded under its device's
// budget, the cut streams on the links (sim/explore/partition.h).
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
#include "sim/explore/partition.h"

namespace vine::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

std::string layer_range(const ir::Network& net, const explore::BoardPart& b) {
  const std::string first = net.layers[size_t(b.first)].name, last = net.layers[size_t(b.last - 1)].name;
  return b.last - b.first == 1 ? first : first + " .. " + last;
}

nlohmann::json resources_json(const ir::Resources& r) {
  return {{"lut", r.lut}, {"ff", r.ff}, {"bram18", r.bram18}, {"uram", r.uram}, {"dsp", r.dsp}};
}

}  // namespace

int cmd_partition(const Args& args) {
  po::options_description opts(
      "vine partition DESIGN CLUSTER [-o DIR]: the design's layers split over the cluster's boards in\n"
      "pipeline order for the least interval, links included; each board's layers folded under its budget");
  opts.add_options()("help,h", "show this help")(
      "boards", po::value<int>()->default_value(0), "use at most this many boards (0: all of the cluster's)")(
      "output,o", po::value<std::string>(), "write partition.json and the design with the chosen folding here")(
      "json", po::value<std::string>(), "also write the result as JSON to FILE; '-': to stdout, and the report to stderr");
  po::variables_map vm;
  std::vector<std::string> files;
  if (auto done = parse_files_command(args, opts, 2, vm, files)) return *done;
  if (files.size() != 2) return usage_error("partition", "expected DESIGN CLUSTER", opts);
  const int max_boards = vm["boards"].as<int>();
  if (max_boards < 0 || max_boards > 64) return usage_error("partition", "--boards: expected 0 to 64", opts);
  const ir::Design d = config::load_design(files[0]);
  log_design_loaded(d);
  const ir::Cluster cl = config::load_cluster(files[1]);
  std::vector<std::string> inputs = input_files(d);
  inputs.push_back(cl.path);
  for (const auto& b : cl.boards) inputs.push_back(b.device.path);
  const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (vm.count("json")) {
    const std::string problem = check_output_path("json", json_path, inputs);
    if (!problem.empty()) return usage_error("partition", problem, opts);
  }

  const explore::Partitioner partitioner(d, cl);
  const explore::PartitionResult r = partitioner.best(max_boards);
  const ir::Network& net = d.network;
  std::ostream& out = report_stream(json_path);
  out << "design " << d.name << " on cluster " << cl.name << " (" << cl.boards.size() << " boards, "
      << cl.links.size() << " links, at most " << 100 * cl.utilisation_max << "% of each resource per board) at "
      << d.clock_mhz << " MHz\n\n";
  auto cycles_text = [](double c) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(c == std::floor(c) ? 0 : 1) << c;
    return o.str();
  };
  if (r.single_board_interval_cycles > 0)
    out << "  one board (" << cl.boards[0].name << "): interval " << cycles_text(r.single_board_interval_cycles)
        << " cycles, " << std::fixed << std::setprecision(1) << d.clock_mhz * 1e6 / r.single_board_interval_cycles
        << " fps\n";
  else
    out << "  one board (" << cl.boards[0].name << "): the network fits no folding within its budget\n";
  out.unsetf(std::ios::floatfield);
  if (r.interval_cycles == 0) {
    out << "  no split over the cluster's boards fits: every layer's cheapest folding on its board\n"
           "  exceeds the budget, or consecutive boards have no link\n";
    return kExitSimulation;
  }
  out << "  split:          interval " << cycles_text(r.interval_cycles) << " cycles, " << std::fixed
      << std::setprecision(1) << r.fps << " fps, on " << r.boards.size() << " board(s)\n\n";
  out << "  " << std::left << std::setw(8) << "board" << std::setw(28) << "layers" << std::right << std::setw(10)
      << "cycles" << std::setw(10) << "LUT" << std::setw(8) << "BRAM18" << std::setw(6) << "URAM" << std::setw(6)
      << "DSP" << std::setw(8) << "use" << "\n";
  for (const auto& b : r.boards) {
    out << "  " << std::left << std::setw(8) << cl.boards[size_t(b.board)].name << std::setw(28)
        << layer_range(net, b) << std::right << std::setw(10) << b.cycles << std::setprecision(0) << std::setw(10)
        << b.resources.lut << std::setw(8) << b.resources.bram18 << std::setw(6) << b.resources.uram
        << std::setw(6) << b.resources.dsp << std::setw(7) << std::setprecision(1) << 100 * b.utilisation
        << "%\n";
  }
  if (!r.cuts.empty()) {
    out << "\n  " << std::left << std::setw(16) << "link" << std::setw(24) << "streams" << std::right
        << std::setw(12) << "Mbit/frame" << std::setw(12) << "words" << std::setw(12) << "cycles" << std::setw(8)
        << "load" << "\n";
    for (const auto& c : r.cuts) {
      const ir::ClusterLink& l = cl.links[size_t(c.link)];
      std::string names;
      int64_t bits = 0;
      for (const auto& s : c.streams) {
        names += (names.empty() ? "" : ", ") + s.name;
        bits += s.bits_per_frame;
      }
      out << "  " << std::left << std::setw(16) << (l.from + "->" + l.to) << std::setw(24) << names << std::right
          << std::setprecision(3) << std::setw(12) << double(bits) / 1e6 << std::setw(12) << c.words_per_frame
          << std::setprecision(1) << std::setw(12) << c.cycles_per_frame << std::setw(7)
          << 100 * c.cycles_per_frame / r.interval_cycles << "%\n";
    }
  }
  out.unsetf(std::ios::floatfield);
  for (const auto& l : cl.links)
    if (l.config.bit_error_rate > 0 || l.config.burst_every_bits > 0)
      out << "\n  note: link " << l.from << "->" << l.to
          << " injects bit errors; its cycles here assume no resends (the payload rate without errors)\n";
  out << "\n  (cycles: per frame at the design's clock; a board's are its slowest layer's at the chosen folding,\n"
         "  a link's the cycles its payload rate needs for the cut streams (docs/partition.md); use: the largest\n"
         "  fraction of one resource; load: the link's cycles over the interval. "
      << r.targets << " candidate intervals, " << r.searches << " searches.)\n"
      << std::flush;

  nlohmann::json j;
  j["design"] = d.name;
  j["cluster"] = cl.name;
  j["interval_cycles"] = r.interval_cycles;
  j["fps"] = r.fps;
  j["single_board_interval_cycles"] =
      r.single_board_interval_cycles > 0 ? nlohmann::json(r.single_board_interval_cycles) : nlohmann::json(nullptr);
  for (const auto& b : r.boards) {
    nlohmann::json layers = nlohmann::json::array();
    for (int i = b.first; i < b.last; ++i)
      layers.push_back({{"layer", net.layers[size_t(i)].name},
                        {"PE", r.folding[size_t(i)].pe},
                        {"SIMD", r.folding[size_t(i)].simd}});
    j["boards"].push_back({{"board", cl.boards[size_t(b.board)].name},
                           {"device", cl.boards[size_t(b.board)].device.name},
                           {"cycles", b.cycles},
                           {"resources", resources_json(b.resources)},
                           {"utilisation", b.utilisation},
                           {"layers", layers}});
  }
  j["links"] = nlohmann::json::array();
  for (const auto& c : r.cuts) {
    nlohmann::json streams = nlohmann::json::array();
    for (const auto& s : c.streams) streams.push_back({{"from", s.name}, {"bits_per_frame", s.bits_per_frame}});
    const ir::ClusterLink& l = cl.links[size_t(c.link)];
    j["links"].push_back({{"from", l.from},
                          {"to", l.to},
                          {"before_layer", net.layers[size_t(c.at)].name},
                          {"streams", streams},
                          {"words_per_frame", c.words_per_frame},
                          {"cycles_per_frame", c.cycles_per_frame}});
  }
  if (vm.count("json") && !write_output("json", json_path, [&](std::ostream& f) { f << j.dump(2) << "\n"; }))
    return kExitUsage;
  if (vm.count("output")) {
    const fs::path dir = vm["output"].as<std::string>();
    if (const std::string problem = make_output_folder("output", dir.string()); !problem.empty())
      return usage_error("partition", problem, opts);
    bool ok = write_output("output", (dir / "partition.json").string(), [&](std::ostream& f) { f << j.dump(2) << "\n"; });
    const fs::path yaml = dir / (d.name + "-partitioned.yaml");
    // The split as the design's own placement: `vine run` simulates it as it is.
    ir::Design split = explore::with_folding(d, r.folding);
    split.placement = ir::Placement{};
    split.placement.cluster = cl;
    split.placement.board_of_layer.assign(net.layers.size(), -1);
    for (const auto& b : r.boards) {
      split.placement.boards.push_back({b.board, b.first, b.last, {}});
      for (int i = b.first; i < b.last; ++i) split.placement.board_of_layer[size_t(i)] = b.board;
    }
    // A design states a cut that one stream crosses (docs/partition.md); a
    // cut inside a residual block carries two, and such a split is written
    // as its folding alone, its placement in partition.json.
    std::string several;
    for (const auto& c : r.cuts)
      if (c.streams.size() > 1 && several.empty())
        several = "the cut before " + net.layers[size_t(c.at)].name + " carries " + std::to_string(c.streams.size()) +
                  " streams, and a design's placement may cut one stream per link";
    ok = ok && write_output("output", yaml.string(), [&](std::ostream& f) {
      const std::string head = "Written by `vine partition` for cluster " + cl.name + ": the folding of the split (interval " +
                               cycles_text(r.interval_cycles) + " cycles per frame)";
      if (several.empty())
        config::write_design_with_placement(
            split, yaml.string(), head + " and its placement; `vine run` simulates the cut streams on the cluster's links",
            f);
      else
        config::write_design_with_folding(
            split, yaml.string(),
            head + "; its placement is in partition.json only: " + several, f);
    });
    if (!several.empty())
      spdlog::warn("{} is the folding alone, without its placement: {} (the split is in partition.json)", yaml.string(),
                   several);
    if (!ok) return kExitUsage;
    spdlog::info("wrote {}", dir.string());
  }
  return kExitOk;
}

}  // namespace vine::cli
