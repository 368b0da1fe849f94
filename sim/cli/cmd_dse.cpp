// `vine dse DESIGN` or `vine dse NETWORK DEVICE`: the folding explored under
// the device's resources on the analytic estimate (sim/explore/folding_dse.h),
// FINN's SetFolding beside it, the fastest front points simulated.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/finn_config/finn_export.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/explore/accuracy_proxy.h"
#include "sim/explore/folding_dse.h"
#include "sim/run/simulation.h"

namespace vine::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

// Each layer's PE x SIMD, with its weight choice and placement where the
// point changes them: "conv1:4x8:fixed3@ddr".
std::string folding_text(const ir::Network& net, const explore::DseResult& r, const explore::DsePoint& p) {
  std::string s;
  for (size_t i = 0; i < p.folding.size(); ++i) {
    s += (i ? " " : "") + net.layers[i].name + ":" + std::to_string(p.folding[i].pe) + "x" +
         std::to_string(p.folding[i].simd);
    if (i >= p.option.size() || p.option[i] < 0) continue;
    const explore::LayerOption& op = r.options[i][size_t(p.option[i])];
    const explore::WeightChoice& c = r.weight_choices[i][size_t(op.weights)];
    if (!c.own) s += ":" + c.label;
    if (op.memory == ir::MemoryStyle::kDdr) s += "@ddr";
  }
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
    << std::setw(8) << std::setprecision(3) << p.cost << std::setw(11) << std::setprecision(0)
    << double(p.ddr_bytes_per_frame) << std::setw(9) << std::setprecision(4) << p.proxy << std::setw(16) << sim_text(p)
    << "\n";
  o.unsetf(std::ios::fixed);
}

// A point's sized FIFOs (--size-fifos), null where they were not sized.
nlohmann::json sized_json(const explore::DsePoint& p) {
  if (!p.fifos_sized) return nullptr;
  if (!p.sizing_error.empty()) return {{"error", p.sizing_error}};
  const auto& res = p.sized_estimate.resources;
  return {{"simulated_interval_cycles", p.sized_interval > 0 ? nlohmann::json(p.sized_interval) : nlohmann::json(nullptr)},
          {"least", p.sized_least},
          {"fifo_bits", p.sized_fifo_bits()},
          {"resources", {{"lut", res.lut}, {"ff", res.ff}, {"bram18", res.bram18}, {"uram", res.uram}, {"dsp", res.dsp}}},
          {"fits", p.sized_estimate.fits}};
}

nlohmann::json point_json(const ir::Network& net, const explore::DseResult& r, const explore::DsePoint& p) {
  nlohmann::json f = nlohmann::json::object();
  for (size_t i = 0; i < p.folding.size(); ++i) {
    nlohmann::json l = {{"PE", p.folding[i].pe}, {"SIMD", p.folding[i].simd}};
    if (i < p.option.size() && p.option[i] >= 0 && net.layers[i].has_weights()) {
      const explore::LayerOption& op = r.options[i][size_t(p.option[i])];
      l["weights"] = r.weight_choices[i][size_t(op.weights)].label;
      l["weight_memory"] = ir::to_string(op.memory);
      l["proxy"] = op.proxy;
    }
    f[net.layers[i].name] = l;
  }
  const auto& res = p.estimate.resources;
  return {{"interval_cycles", p.estimate.interval_cycles},
          {"fps", p.estimate.fps},
          {"resources", {{"lut", res.lut}, {"ff", res.ff}, {"bram18", res.bram18}, {"uram", res.uram}, {"dsp", res.dsp}}},
          {"fits", p.estimate.fits},
          {"cost", p.cost},
          {"ddr_bytes_per_frame", p.ddr_bytes_per_frame},
          {"proxy", p.proxy},
          {"proxy_weight", p.proxy_weight},
          {"pareto", p.pareto},
          {"target_cycles", p.target_cycles},
          {"simulated_interval_cycles",
           p.simulated_interval > 0 ? nlohmann::json(p.simulated_interval) : nlohmann::json(nullptr)},
          {"simulated_frames", p.simulated_frames},
          {"sized_fifos", sized_json(p)},
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
      "size-fifos", "also size the simulated points' FIFOs (vine fifo-size's search) and estimate them again with those")(
      "jobs,j", po::value<int>()->default_value(0), "with --size-fifos: trials at once while sizing (0: one per core)")(
      "clock", po::value<double>()->default_value(0), "clock in MHz for NETWORK DEVICE (0: the device's)")(
      "arith", po::value<std::string>(),
      "also explore the weights' arithmetic: a list of fixed, pow2, binary, ternary (none wider than a layer's own)")(
      "widths", po::value<std::string>(), "with --arith: the storage widths of fixed and pow2 weights (default 2,3,4,5,6,7,8)")(
      "placement", "also explore each weighted layer's weights in DDR (on chip: the design's memory)")(
      "sensitivities", po::value<std::string>(),
      "per-layer factors of the accuracy proxy: YAML (layer: factor) or CSV (layer,sensitivity)")(
      "proxy-weights", po::value<std::string>(),
      "the weights of the proxy in the sweep's objective (default with --arith: 0,0.01,0.03,0.1,0.3,1,3,10,100)")(
      "seed", po::value<uint64_t>()->default_value(1), "seed of the reference weights the proxy measures against")(
      "write-point", po::value<int>()->default_value(0),
      "with -o: also write front point K (1: the fastest) as point-K.yaml and point-K.finn-folding.json")(
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
  o.size_fifos = vm.count("size-fifos") > 0;
  o.fifo_jobs = vm["jobs"].as<int>();
  if (o.fifo_jobs < 0 || o.fifo_jobs > 64) return usage_error("dse", "--jobs: expected 0 (one per core) to 64", opts);
  if (o.fifo_jobs == 0) o.fifo_jobs = int(std::max(1u, std::thread::hardware_concurrency()));
  if (!o.size_fifos && !vm["jobs"].defaulted())
    return usage_error("dse", "--jobs: sets the trials of --size-fifos, which was not given", opts);
  if (o.size_fifos && o.verify == 0)
    return usage_error("dse", "--size-fifos: sizes the simulated points, and --verify 0 simulates none", opts);
  // Comma-separated lists.
  auto items = [](const std::string& v) {
    std::vector<std::string> out;
    std::stringstream in(v);
    for (std::string x; std::getline(in, x, ',');) out.push_back(x);
    return out;
  };
  if (vm.count("arith")) {
    for (const std::string& a : items(vm["arith"].as<std::string>())) {
      if (a == "fixed") o.space.arithmetic.push_back(ir::WeightArithmetic::kFixed);
      else if (a == "pow2") o.space.arithmetic.push_back(ir::WeightArithmetic::kPow2);
      else if (a == "binary") o.space.arithmetic.push_back(ir::WeightArithmetic::kBinary);
      else if (a == "ternary") o.space.arithmetic.push_back(ir::WeightArithmetic::kTernary);
      else return usage_error("dse", "--arith: got '" + a + "', expected a list of fixed, pow2, binary, ternary", opts);
    }
  }
  if (vm.count("widths")) {
    if (!vm.count("arith")) return usage_error("dse", "--widths: only with --arith", opts);
    o.space.widths.clear();
    for (const std::string& w : items(vm["widths"].as<std::string>())) {
      size_t used = 0;
      int v = 0;
      try {
        v = std::stoi(w, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != w.size() || v < 2 || v > 16)
        return usage_error("dse", "--widths: got '" + w + "', expected a list of widths from 2 to 16", opts);
      o.space.widths.push_back(v);
    }
  }
  o.space.placement = vm.count("placement") > 0;
  if (vm.count("proxy-weights")) {
    for (const std::string& w : items(vm["proxy-weights"].as<std::string>())) {
      size_t used = 0;
      double v = -1;
      try {
        v = std::stod(w, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != w.size() || !(v >= 0 && v <= 1e12))
        return usage_error("dse", "--proxy-weights: got '" + w + "', expected a list of numbers from 0 to 1e12", opts);
      o.space.proxy_weights.push_back(v);
    }
  }
  o.space.seed = vm["seed"].as<uint64_t>();
  const int write_point = vm["write-point"].as<int>();
  if (write_point < 0) return usage_error("dse", "--write-point: expected 1 or more (0: none)", opts);
  if (write_point > 0 && !vm.count("output")) return usage_error("dse", "--write-point: only with -o DIR", opts);

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
  if (vm.count("sensitivities"))
    o.space.sensitivities = explore::load_sensitivities(vm["sensitivities"].as<std::string>(), d.network);
  const std::string json_path = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (vm.count("json")) {
    const std::string problem = check_output_path("json", json_path, input_files(d));
    if (!problem.empty()) return usage_error("dse", problem, opts);
  }

  const explore::DseResult r = explore::explore_folding(d, o);
  const ir::Network& net = d.network;
  std::ostream& out = report_stream(json_path);
  out << "design " << d.name << ": folding explored on " << d.device.name << " at " << d.clock_mhz << " MHz\n\n";
  size_t choices = 0, weighted = 0;
  for (size_t i = 0; i < r.weight_choices.size(); ++i)
    if (net.layers[i].has_weights()) {
      ++weighted;
      choices += r.weight_choices[i].size();
    }
  out << "  space      " << std::setprecision(3) << r.space
      << " design points (every layer's valid PE x SIMD";
  if (!o.space.arithmetic.empty())
    out << " x weight choices: " << choices << ", own included, over " << weighted << " weighted layers";
  if (o.space.placement) out << " x on chip or DDR";
  out << "); " << r.targets << " target intervals";
  if (r.proxy_weights.size() > 1) out << " x " << r.proxy_weights.size() << " proxy weights";
  out << " swept, " << r.points.size() << " distinct points estimated whole\n";
 out << "  speed      tables " << std::fixed << std::setprecision(2) << r.table_seconds << " s, sweep "
      << r.sweep_seconds << " s, refined in context " << r.refine_seconds << " s, whole estimates " << r.estimate_seconds << " s, simulation " << r.verify_seconds
      << " s; the tables score " << std::setprecision(3) << std::scientific << r.table_evaluations_per_second
      << " design points/s\n\n";
  out.unsetf(std::ios::floatfield);
  out << "  " << std::left << std::setw(12) << "point" << std::right << std::setw(10) << "interval" << std::setw(12)
      << "fps" << std::setw(9) << "LUT" << std::setw(9) << "FF" << std::setw(7) << "BRAM18" << std::setw(6) << "URAM"
      << std::setw(6) << "DSP" << std::setw(8) << "cost" << std::setw(11) << "DDR B/fr" << std::setw(9) << "proxy"
      << std::setw(16) << "simulated" << "\n";
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
  out << "  (cost: the sum of the fractions of the device's LUT, FF, BRAM18, URAM and DSP used; DDR B/fr: the\n"
         "  weight streams' DDR bytes per frame; proxy: the accuracy proxy, the layers' weight quantisation\n"
         "  errors weighted by their sensitivities (docs/dse.md); simulated: the steady interval of a\n"
         "  timing-only run with every FIFO a frame deep, `-` where not simulated)\n";
  out.unsetf(std::ios::floatfield);
  if (o.size_fifos) {
    out << "\n  sized FIFOs: each simulated point's FIFOs sized to its unbounded interval (vine fifo-size's search),\n"
           "  then estimated again with them (the table above counts the design's own depths)\n";
    out << "  " << std::left << std::setw(12) << "point" << std::right << std::setw(16) << "simulated" << std::setw(7)
        << "least" << std::setw(12) << "FIFO bits" << std::setw(9) << "LUT" << std::setw(9) << "FF" << std::setw(7)
        << "BRAM18" << std::setw(6) << "URAM" << std::setw(6) << "fits" << "\n";
    auto sized_row = [&](const std::string& name, const explore::DsePoint& p) {
      if (!p.fifos_sized) return;
      out << "  " << std::left << std::setw(12) << name << std::right;
      if (!p.sizing_error.empty()) {
        out << "  not sized: " << p.sizing_error << "\n";
        return;
      }
      const auto& res = p.sized_estimate.resources;
      std::ostringstream interval;
      if (p.sized_interval > 0) interval << std::setprecision(10) << p.sized_interval;
      else interval << "no steady state";
      out << std::setw(16) << interval.str() << std::setw(7) << (p.sized_least ? "yes" : "no") << std::setw(12)
          << p.sized_fifo_bits() << std::fixed << std::setprecision(0) << std::setw(9) << res.lut << std::setw(9)
          << res.ff << std::setw(7) << res.bram18 << std::setw(6) << res.uram << std::setw(6)
          << (p.sized_estimate.fits ? "yes" : "no") << "\n";
      out.unsetf(std::ios::floatfield);
    };
    int k = 0;
    for (const auto& p : r.points)
      if (p.pareto) sized_row("front " + std::to_string(++k), p);
    sized_row("SetFolding", r.set_folding);
  }
  out << std::flush;

  nlohmann::json j;
  j["design"] = d.name;
  j["device"] = d.device.name;
  j["space"] = r.space;
  j["targets"] = r.targets;
  j["table_evaluations_per_second"] = r.table_evaluations_per_second;
  j["proxy_weights"] = r.proxy_weights;
  for (size_t i = 0; i < r.weight_choices.size(); ++i) {
    if (!net.layers[i].has_weights()) continue;
    nlohmann::json cs = nlohmann::json::array();
    for (const auto& c : r.weight_choices[i]) cs.push_back({{"weights", c.label}, {"error", c.error}});
    j["weight_choices"][net.layers[i].name] = cs;
  }
  for (const auto& p : r.points) j["points"].push_back(point_json(net, r, p));
  j["given"] = point_json(net, r, r.given);
  j["given_match"] = r.given_match >= 0 ? nlohmann::json(r.given_match) : nlohmann::json(nullptr);
  j["set_folding"] = point_json(net, r, r.set_folding);
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
      f << "interval_cycles,fps,lut,ff,bram18,uram,dsp,cost,ddr_bytes_per_frame,proxy,fits,pareto,"
           "simulated_interval_cycles,folding\n";
      auto line = [&](const explore::DsePoint& p) {
        const auto& res = p.estimate.resources;
        f << p.estimate.interval_cycles << "," << p.estimate.fps << "," << res.lut << "," << res.ff << ","
          << res.bram18 << "," << res.uram << "," << res.dsp << "," << p.cost << "," << p.ddr_bytes_per_frame << ","
          << p.proxy << "," << (p.estimate.fits ? "true" : "false") << "," << (p.pareto ? "true" : "false") << ","
          << (p.simulated_interval > 0 ? std::to_string(p.simulated_interval) : "") << ","
          << folding_text(net, r, p) << "\n";
      };
      for (const auto& p : r.points) line(p);
    });
    // A point as a design (its overrides of the weights and placement
    // written as the design's per-layer fields) and as FINN's folding config.
    auto write_point_files = [&](const explore::DsePoint& p, const std::string& stem, const std::string& what) {
      std::vector<bool> overridden;
      const ir::Design best = explore::design_of(d, r, p.option, &overridden);
      const fs::path yaml = dir / (stem + ".yaml");
      bool written = write_output("output", yaml.string(), [&](std::ostream& f) {
        config::write_design_with_layer_choices(
            best, overridden, yaml.string(),
            "Written by `vine dse`: " + what + " on " + d.device.name + " (estimate: interval " +
                std::to_string(p.estimate.interval_cycles) + " cycles per frame, accuracy proxy " +
                std::to_string(p.proxy) + ").",
            f);
      });
      return written && write_output("output", (dir / (stem + ".finn-folding.json")).string(),
                                     [&](std::ostream& f) { f << finn::finn_folding_config(best).dump(2) << "\n"; });
    };
    std::vector<const explore::DsePoint*> front_points;
    for (const auto& p : r.points)
      if (p.pareto) front_points.push_back(&p);
    if (!front_points.empty()) ok = ok && write_point_files(*front_points.front(), "fastest", "the fastest point that fits");
    if (write_point > 0) {
      if (size_t(write_point) > front_points.size()) {
        spdlog::error("--write-point {}: the front has {} points", write_point, front_points.size());
        return kExitUsage;
      }
      ok = ok && write_point_files(*front_points[size_t(write_point) - 1], "point-" + std::to_string(write_point),
                                   "front point " + std::to_string(write_point));
    }
    if (!ok) return kExitUsage;
    spdlog::info("wrote {}", dir.string());
  }
  return kExitOk;
}

}  // namespace vine::cli
