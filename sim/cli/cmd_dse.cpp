// `vine dse DESIGN` or `vine dse NETWORK DEVICE`: the folding explored under
// the device's resources on the analytic estimate (sim/explore/folding_dse.h),
// FINN's SetFolding beside it, the fastest front points simulated.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/finn_config/finn_export.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/explore/folding_dse.h"
#include "sim/run/simulation.h"

namespace vine::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

std::string folding_text(const ir::Network& net, const std::vector<explore::Folding>& f) {
  std::string s;
  for (size_t i = 0; i < f.size(); ++i)
    s += (i ? " " : "") + net.layers[i].name + ":" + std::to_string(f[i].pe) + "x" + std::to_string(f[i].simd);
  return s;
}

std::string sim_text(const explore::DsePoint& p) {
  if (p.simulated_frames == 0) return "-";
  if (p.simulated_interval == 0) return "no steady state";
  std::ostringstream o;
  o << std::setprecision(10) << p.simulated_interval;
  return o.str();
}

void row(std::ostream& o, const std::string& name, const explore::DsePoint& p) {
  const auto& r = p.estimate.resources;
  o << "  " << std::left << std::setw(12) << name << std::right << std::setw(10) << p.estimate.interval_cycles
    << std::setw(12) << std::fixed << std::setprecision(1) << p.estimate.fps << std::setw(9) << std::setprecision(0)
    << r.lut << std::setw(9) << r.ff << std::setw(7) << r.bram18 << std::setw(6) << r.uram << std::setw(6) << r.dsp
    << std::setw(8) << std::setprecision(3) << p.cost << std::setw(16) << sim_text(p) << "\n";
  o.unsetf(std::ios::fixed);
}

nlohmann::json point_json(const ir::Network& net, const explore::DsePoint& p) {
  nlohmann::json f = nlohmann::json::object();
  for (size_t i = 0; i < p.folding.size(); ++i) f[net.layers[i].name] = {{"PE", p.folding[i].pe}, {"SIMD", p.folding[i].simd}};
  const auto& r = p.estimate.resources;
  return {{"interval_cycles", p.estimate.interval_cycles},
          {"fps", p.estimate.fps},
          {"resources", {{"lut", r.lut}, {"ff", r.ff}, {"bram18", r.bram18}, {"uram", r.uram}, {"dsp", r.dsp}}},
          {"fits", p.estimate.fits},
          {"cost", p.cost},
          {"pareto", p.pareto},
          {"target_cycles", p.target_cycles},
          {"simulated_interval_cycles",
           p.simulated_interval > 0 ? nlohmann::json(p.simulated_interval) : nlohmann::json(nullptr)},
          {"simulated_frames", p.simulated_frames},
          {"folding", f}};
}

}  // namespace

int cmd_dse(const Args& args) {
  po::options_description opts(
      "vine dse DESIGN | NETWORK DEVICE [-o DIR]: the folding (PE, SIMD per layer) explored under the device's\n"
      "resources on the analytic estimate, FINN's SetFolding beside it, the fastest front points simulated");
  opts.add_options()("help,h", "show this help")(
      "output,o", po::value<std::string>(), "write front.csv, dse.json and the fastest fitting point's design and FINN folding here")(
      "target-fps", po::value<double>()->default_value(0),
      "SetFolding's target (0: the fps of the fastest point that fits)")(
      "verify", po::value<int>()->default_value(3), "how many of the fastest front points to simulate (timing only)")(
      "clock", po::value<double>()->default_value(0), "clock in MHz for NETWORK DEVICE (0: the device's)")(
      "json", po::value<std::string>(), "also write the result as JSON to FILE; '-': to stdout, and the report to stderr");
  po::variables_map vm;
  std::vector<std::string> files;
  if (auto done = parse_files_command(args, opts, 2, vm, files)) return *done;
  if (files.empty()) return usage_error("dse", "expected DESIGN, or NETWORK DEVICE", opts);
  explore::DseOptions o;
  o.target_fps = vm["target-fps"].as<double>();
  o.verify = vm["verify"].as<int>();
  if (!(o.target_fps >= 0)) return usage_error("dse", "--target-fps: expected 0 or more", opts);
  if (o.verify < 0 || o.verify > 100) return usage_error("dse", "--verify: expected 0 to 100", opts);

  // The base design: the given one, or one made of the network and device
  // with every default (FIFO depths 2, weights in BRAM).
  std::string design_path = files[0];
  fs::path made;
  if (files.size() == 2) {
    if (config::detect_kind(files[0]) != config::ConfigKind::kNetwork)
      return usage_error("dse", files[0] + ": expected a network config (vine dse NETWORK DEVICE)", opts);
    if (config::detect_kind(files[1]) != config::ConfigKind::kDevice)
      return usage_error("dse", files[1] + ": expected a device config (vine dse NETWORK DEVICE)", opts);
    made = fs::temp_directory_path() / ("vine-dse-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(made) << "design: dse\nnetwork: " << fs::absolute(files[0]).string()
                        << "\ndevice: " << fs::absolute(files[1]).string() << "\n"
                        << (vm["clock"].as<double>() > 0 ? "clock_mhz: " + std::to_string(vm["clock"].as<double>()) + "\n" : "");
    design_path = made.string();
  } else if (vm["clock"].as<double>() > 0) {
    return usage_error("dse", "--clock: only with NETWORK DEVICE (a design has its clock)", opts);
  }
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      if (!p.empty()) fs::remove(p, ec);
    }
  } cleanup{made};
  const ir::Design d = config::load_design(design_path);
  log_design_loaded(d);
  sim::check_simulatable(d);
  const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (vm.count("json")) {
    const std::string problem = check_output_path("json", json_path, input_files(d));
    if (!problem.empty()) return usage_error("dse", problem, opts);
  }

  const explore::DseResult r = explore::explore_folding(d, o);
  const ir::Network& net = d.network;
  std::ostream& out = report_stream(json_path);
  out << "design " << d.name << ": folding explored on " << d.device.name << " at " << d.clock_mhz << " MHz\n\n";
  out << "  space      " << std::setprecision(3) << r.space << " foldings (every layer's valid PE x SIMD); "
      << r.targets << " target intervals swept, " << r.points.size() << " distinct foldings estimated whole\n";
 out << "  speed      tables " << std::fixed << std::setprecision(2) << r.table_seconds << " s, sweep "
      << r.sweep_seconds << " s, refined in context " << r.refine_seconds << " s, whole estimates " << r.estimate_seconds << " s, simulation " << r.verify_seconds
      << " s; the tables score " << std::setprecision(3) << std::scientific << r.table_evaluations_per_second
      << " foldings/s\n\n";
  out.unsetf(std::ios::floatfield);
  out << "  " << std::left << std::setw(12) << "point" << std::right << std::setw(10) << "interval" << std::setw(12)
      << "fps" << std::setw(9) << "LUT" << std::setw(9) << "FF" << std::setw(7) << "BRAM18" << std::setw(6) << "URAM"
      << std::setw(6) << "DSP" << std::setw(8) << "cost" << std::setw(16) << "simulated" << "\n";
  // The fastest front points on screen; all of them in front.csv and the JSON.
  constexpr int kShown = 12;
  int front = 0;
  for (size_t i = 0; i < r.points.size(); ++i)
    if (r.points[i].pareto && ++front <= kShown) row(out, "front " + std::to_string(front), r.points[i]);
  if (front > kShown) out << "  ... " << front - kShown << " slower front points (-o DIR: front.csv, or --json)\n";
  row(out, "as given", r.given);
  row(out, "SetFolding", r.set_folding);
  out << "\n  SetFolding (FINN's, no resource budget) at " << std::fixed << std::setprecision(1)
      << r.set_folding_target_fps << " fps: " << (r.set_folding.estimate.fits ? "fits" : "does not fit") << "\n";
  if (r.best_match >= 0) {
    const explore::DsePoint& m = r.points[size_t(r.best_match)];
    out << "  the cheapest fitting point at least as fast: interval " << m.estimate.interval_cycles << ", cost "
        << std::setprecision(3) << m.cost << " against SetFolding's " << r.set_folding.cost << "\n";
  } else {
    out << "  no fitting point is as fast as SetFolding's\n";
  }
  if (r.given_match >= 0) {
    const explore::DsePoint& m = r.points[size_t(r.given_match)];
    out << "  the design's own folding: interval " << r.given.estimate.interval_cycles << ", cost "
        << std::setprecision(3) << r.given.cost << "; the cheapest fitting point at least as fast: interval "
        << m.estimate.interval_cycles << ", cost " << m.cost << "\n";
  }
  out << "  (cost: the sum of the fractions of the device's LUT, FF, BRAM18, URAM and DSP used; simulated: the\n"
         "  steady interval of a timing-only run with every FIFO a frame deep, `-` where not simulated)\n";
  out.unsetf(std::ios::floatfield);
  out << std::flush;

  nlohmann::json j;
  j["design"] = d.name;
  j["device"] = d.device.name;
  j["space"] = r.space;
  j["targets"] = r.targets;
  j["table_evaluations_per_second"] = r.table_evaluations_per_second;
  for (const auto& p : r.points) j["points"].push_back(point_json(net, p));
  j["given"] = point_json(net, r.given);
  j["given_match"] = r.given_match >= 0 ? nlohmann::json(r.given_match) : nlohmann::json(nullptr);
  j["set_folding"] = point_json(net, r.set_folding);
  j["set_folding"]["target_fps"] = r.set_folding_target_fps;
  j["best_match"] = r.best_match >= 0 ? nlohmann::json(r.best_match) : nlohmann::json(nullptr);
  if (vm.count("json") && !write_output("json", json_path, [&](std::ostream& f) { f << j.dump(2) << "\n"; }))
    return kExitUsage;

  if (vm.count("output")) {
    const fs::path dir = vm["output"].as<std::string>();
    if (const std::string problem = make_output_folder("output", dir.string()); !problem.empty())
      return usage_error("dse", problem, opts);
    bool ok = write_output("output", (dir / "dse.json").string(), [&](std::ostream& f) { f << j.dump(2) << "\n"; });
    ok = ok && write_output("output", (dir / "front.csv").string(), [&](std::ostream& f) {
      f << "interval_cycles,fps,lut,ff,bram18,uram,dsp,cost,fits,pareto,simulated_interval_cycles,folding\n";
      auto line = [&](const explore::DsePoint& p) {
        const auto& res = p.estimate.resources;
        f << p.estimate.interval_cycles << "," << p.estimate.fps << "," << res.lut << "," << res.ff << ","
          << res.bram18 << "," << res.uram << "," << res.dsp << "," << p.cost << ","
          << (p.estimate.fits ? "true" : "false") << "," << (p.pareto ? "true" : "false") << ","
          << (p.simulated_interval > 0 ? std::to_string(p.simulated_interval) : "") << ","
          << folding_text(net, p.folding) << "\n";
      };
      for (const auto& p : r.points) line(p);
    });
    const explore::DsePoint* fastest = nullptr;
    for (const auto& p : r.points)
      if (p.pareto) {
        fastest = &p;
        break;
      }
    if (fastest) {
      const ir::Design best = explore::with_folding(d, fastest->folding);
      const fs::path yaml = dir / "fastest.yaml";
      ok = ok && write_output("output", yaml.string(), [&](std::ostream& f) {
        config::write_design_with_folding(
            best, yaml.string(),
            "Written by `vine dse`: the fastest folding that fits " + d.device.name + " (estimate: interval " +
                std::to_string(fastest->estimate.interval_cycles) + " cycles per frame).",
            f);
      });
      ok = ok && write_output("output", (dir / "fastest.finn-folding.json").string(),
                              [&](std::ostream& f) { f << finn::finn_folding_config(best).dump(2) << "\n"; });
    }
    if (!ok) return kExitUsage;
    spdlog::info("wrote {}", dir.string());
  }
  return kExitOk;
}

}  // namespace vine::cli
