#include "sim/engine/engine_figures.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace vine::engine {

int64_t account_phase(EngineLayerFigures& f, int64_t compute, int64_t activations, int64_t weights,
                      int64_t generator) {
  const int64_t phase = std::max({compute, activations + weights, generator});
  const int64_t waiting = phase - compute;
  const int64_t for_activations = std::min(waiting, std::max<int64_t>(0, activations - compute));
  f.cycles += phase;
  f.compute += compute;
  f.activation_wait += for_activations;
  f.weight_wait += waiting - for_activations;
  return phase;
}

EngineLayerFigures layer_figures(const ir::Design& d, const EngineLayerPlan& lp) {
  EngineLayerFigures f;
  const ir::Layer& l = d.network.layers[size_t(lp.layer)];
  f.name = l.name;
  f.kind = ir::to_string(l.kind);
  f.generated = lp.generated;
  f.rows_per_tile = lp.rows_per_tile;
  f.row_tiles = lp.row_tiles;
  f.groups = lp.groups;
  f.tiles = int(lp.tiles.size());
  return f;
}

std::string format_engine_table(const EngineFigures& f, const std::string& title) {
  std::ostringstream out;
  char line[512];
  out << title << "\n";
  std::snprintf(line, sizeof line, "design %s: compute engine, %d x %d MAC array at %.1f MHz%s\n",
                f.design.c_str(), f.t_in, f.t_out, f.clock_mhz,
                f.input_selective_pes ? ", input-selective PEs" : "");
  out << line;
  // With input-selective PEs, the utilisation the same engine has without
  // them (`w/o sel`) beside the one it has.
  const bool sel = f.input_selective_pes;
  std::snprintf(line, sizeof line, "%-12s %-9s %-7s %11s %11s %11s %11s %6s%s %12s %12s %11s\n",
                "layer", "kind", "tiles", "cycles", "computing", "wait wts", "wait acts", "util",
                sel ? " w/o sel" : "", "DDR read", "DDR write", "generated");
  out << line;
  auto without = [&](double u) {
    if (!sel) return std::string();
    char b[16];
    std::snprintf(b, sizeof b, " %6.1f%%", 100.0 * u);
    return std::string(b);
  };
  for (const auto& l : f.layers) {
    const std::string tiles = std::to_string(l.row_tiles) + "x" + std::to_string(l.groups);
    std::snprintf(line, sizeof line,
                  "%-12s %-9s %-7s %11lld %11lld %11lld %11lld %5.1f%%%s %12lld %12lld %11lld\n",
                  l.name.c_str(), (l.kind + (l.generated ? "*" : "")).c_str(), tiles.c_str(),
                  (long long)l.cycles, (long long)l.compute, (long long)l.weight_wait,
                  (long long)l.activation_wait, 100.0 * l.utilisation(f.t_in, f.t_out),
                  without(l.utilisation_without_selection(f.t_in, f.t_out)).c_str(),
                  (long long)l.ddr_read_bytes, (long long)l.ddr_write_bytes,
                  (long long)l.generated_weights);
    out << line;
  }
  int64_t compute = 0, ww = 0, aw = 0, macs = 0, rd = 0, wr = 0;
  for (const auto& l : f.layers) {
    compute += l.compute;
    ww += l.weight_wait;
    aw += l.activation_wait;
    macs += l.macs;
    rd += l.ddr_read_bytes;
    wr += l.ddr_write_bytes;
  }
  auto util_of = [&](int64_t cycles) {
    return cycles ? double(macs) / (double(f.t_in) * f.t_out * double(cycles)) : 0.0;
  };
  std::snprintf(line, sizeof line,
                "%-12s %-9s %-7s %11lld %11lld %11lld %11lld %5.1f%%%s %12lld %12lld\n", "total", "",
                "", (long long)f.cycles, (long long)compute, (long long)ww, (long long)aw,
                100.0 * util_of(f.cycles), without(util_of(f.cycles_without_selection)).c_str(),
                (long long)rd, (long long)wr);
  out << line;
  std::snprintf(line, sizeof line,
                "frame: %lld cycles, %.1f frames/s (kind* : weights from the OVSF generator)\n",
                (long long)f.cycles, f.fps());
  out << line;
  if (sel) {
    std::snprintf(line, sizeof line,
                  "without input-selective PEs: %lld cycles, %.1f frames/s (closed form)\n",
                  (long long)f.cycles_without_selection,
                  f.cycles_without_selection ? f.clock_mhz * 1e6 / double(f.cycles_without_selection)
                                             : 0.0);
    out << line;
  }
  return out.str();
}

nlohmann::json to_json(const EngineFigures& f) {
  nlohmann::json j;
  j["design"] = f.design;
  j["template"] = "engine";
  j["clock_mhz"] = f.clock_mhz;
  j["t_in"] = f.t_in;
  j["t_out"] = f.t_out;
  j["cycles_per_frame"] = f.cycles;
  j["fps"] = f.fps();
  j["input_selective_pes"] = f.input_selective_pes;
  if (f.input_selective_pes) j["cycles_per_frame_without_selection"] = f.cycles_without_selection;
  for (const auto& l : f.layers) {
    j["layers"].push_back({{"name", l.name},
                           {"kind", l.kind},
                           {"generated_weights", l.generated},
                           {"rows_per_tile", l.rows_per_tile},
                           {"row_tiles", l.row_tiles},
                           {"groups", l.groups},
                           {"tiles", l.tiles},
                           {"cycles", l.cycles},
                           {"compute_cycles", l.compute},
                           {"weight_wait_cycles", l.weight_wait},
                           {"activation_wait_cycles", l.activation_wait},
                           {"macs", l.macs},
                           {"pe_utilisation", l.utilisation(f.t_in, f.t_out)},
                           {"ddr_read_bytes", l.ddr_read_bytes},
                           {"ddr_write_bytes", l.ddr_write_bytes},
                           {"weight_ddr_bytes", l.weight_ddr_bytes},
                           {"weights_generated", l.generated_weights}});
    if (f.input_selective_pes) {
      j["layers"].back()["cycles_without_selection"] = l.cycles_without_selection;
      j["layers"].back()["pe_utilisation_without_selection"] =
          l.utilisation_without_selection(f.t_in, f.t_out);
    }
  }
  return j;
}

}  // namespace vine::engine
