#include "sim/engine/engine_estimate.h"

#include <cmath>

#include "models/memory/ddr_config.h"
#include "models/pe/weights_generator_timing.h"

namespace vine::engine {

int64_t engine_cycles(const sc_core::sc_time& time, const sc_core::sc_time& clock_period) {
  const uint64_t t = time.value(), p = clock_period.value();
  return int64_t((t + p - 1) / p);
}

sc_core::sc_time engine_clock_period(double clock_mhz) {
  return sc_core::sc_time(1e3 / clock_mhz, sc_core::SC_NS);
}

int64_t generator_cycles(const EngineLayerPlan& lp, int64_t filters) {
  const models::WeightsGeneratorTiming g(lp.code_length, lp.kept, lp.generator_lanes);
  return g.layer_cycles(filters, lp.filter_len);
}

EngineFigures estimate_engine(const ir::Design& d) {
  EngineFigures f = estimate_engine(d, plan_engine(d), models::DdrConfig::from_device(d.device));
  add_cycles_without_selection(d, f);
  return f;
}

EngineFigures estimate_engine(const ir::Design& d, const EnginePlan& plan,
                              const models::DdrConfig& ddr_config) {
  const models::DdrTiming ddr(ddr_config);
  const sc_core::sc_time clock = engine_clock_period(d.clock_mhz);
  // A transfer's cycles on idle channels, issued on a clock edge.
  auto transfer = [&](const Transfer& t) {
    return engine_cycles(ddr.uncontended(t.address, t.bytes), clock);
  };
  EngineFigures f;
  f.design = d.name;
  f.clock_mhz = d.clock_mhz;
  f.t_in = d.engine.t_in;
  f.t_out = d.engine.t_out;
  f.input_selective_pes = d.engine.input_selective_pes;
  for (const EngineLayerPlan& lp : plan.layers) {
    EngineLayerFigures lf = layer_figures(d, lp);
    const std::vector<EngineTile>& tiles = lp.tiles;
    const size_t n = tiles.size();
    // Per tile: the loads before it computes, the generation, the store after.
    auto loads = [&](size_t q, int64_t& acts, int64_t& weights, int64_t& gen) {
      for (const Transfer& t : tiles[q].input_loads) {
        acts += transfer(t);
        lf.ddr_read_bytes += int64_t(t.bytes);
      }
      for (const Transfer& t : tiles[q].weight_loads) {
        weights += transfer(t);
        lf.ddr_read_bytes += int64_t(t.bytes);
        lf.weight_ddr_bytes += int64_t(t.bytes);
      }
      if (lp.generated && tiles[q].loads_weights) {
        gen = generator_cycles(lp, tiles[q].oc_end - tiles[q].oc_begin);
        lf.generated_weights += tiles[q].generated_weights;
      }
    };
    auto store = [&](size_t q, int64_t& acts) {
      if (!tiles[q].stores_outputs) return;
      acts += transfer(tiles[q].output_store);
      lf.ddr_write_bytes += int64_t(tiles[q].output_store.bytes);
    };
    // The coefficients, once, before anything else of the layer.
    if (!lp.coefficient_loads.empty()) {
      int64_t w = 0;
      for (const Transfer& t : lp.coefficient_loads) {
        w += transfer(t);
        lf.ddr_read_bytes += int64_t(t.bytes);
        lf.weight_ddr_bytes += int64_t(t.bytes);
      }
      account_phase(lf, 0, 0, w, 0);
    }
    // Phase q computes tile q - 1, loads tile q, stores tile q - 2.
    for (size_t q = 0; q <= n + 1; ++q) {
      int64_t compute = 0, acts = 0, weights = 0, gen = 0;
      if (q >= 1 && q <= n) {
        compute = tiles[q - 1].mac_cycles + d.engine.tile_overhead_cycles;
        lf.macs += tiles[q - 1].macs;
      }
      if (q < n) loads(q, acts, weights, gen);
      if (q >= 2) store(q - 2, acts);
      account_phase(lf, compute, acts, weights, gen);
    }
    f.cycles += lf.cycles;
    f.layers.push_back(std::move(lf));
  }
  return f;
}

void add_cycles_without_selection(const ir::Design& d, EngineFigures& f) {
  if (!d.engine.input_selective_pes) return;
  ir::Design wired = d;
  wired.engine.input_selective_pes = false;
  const EngineFigures w = estimate_engine(wired);
  f.cycles_without_selection = w.cycles;
  for (size_t i = 0; i < f.layers.size() && i < w.layers.size(); ++i)
    f.layers[i].cycles_without_selection = w.layers[i].cycles;
}

}  // namespace vine::engine
