#include "sim/engine/engine_run.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "models/engine/compute_engine.h"
#include "sim/engine/engine_estimate.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"
#include "rtl/cosim/lanes_registry.h"

namespace vine::engine {

std::vector<std::pair<std::string, models::LanesConfig>> generator_units(const ir::Design& d) {
  std::vector<std::pair<std::string, models::LanesConfig>> units;
  for (const EngineLayerPlan& lp : plan_engine(d).layers)
    if (lp.generated) {
      const ir::Layer& l = d.network.layers[size_t(lp.layer)];
      units.emplace_back(l.name, models::generator_unit_config(l, lp));
    }
  return units;
}

EngineRunResult run_engine(const ir::Design& d, int frames, uint64_t seed,
                           const std::vector<golden::IntTensor>* inputs, bool keep_outputs,
                           bool generator_on_rtl) {
  const golden::NetworkParams params = golden::synthesize_params(d.network, seed);
  const golden::Reference reference(d.network, params);
  models::ComputeEngine engine(d, params);
  // One Verilated generator per parameter set: the layers with the same
  // code length, kept codes and widths share it, as they would the hardware.
  std::map<std::string, std::unique_ptr<models::RtlWeightsGenerator>> generators;
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> served;
  if (generator_on_rtl) {
    for (const EngineLayerPlan& lp : engine.plan().layers) {
      if (!lp.generated) continue;
      const ir::Layer& l = d.network.layers[size_t(lp.layer)];
      const models::LanesConfig c = models::generator_unit_config(l, lp);
      auto& g = generators[c.key()];
      if (!g) {
        std::string why;
        auto unit = cosim::make_generator(c, &why);
        if (!unit)
          throw EngineRtlUnitError("layer " + l.name + ": its weights generator '" + c.key() +
                                   "' cannot be co-simulated: " +
                                   (cosim::cosim_available() ? why : cosim::cosim_problem()));
        g = std::make_unique<models::RtlWeightsGenerator>(std::move(unit), c);
        order.push_back(c.key());
      }
      served[c.key()].push_back(l.name);
      engine.generate_on_rtl(lp.layer, g.get());
    }
  }
  EngineRunResult r;
  r.frames = frames;
  for (int f = 0; f < frames; ++f) {
    const golden::IntTensor input =
        inputs ? (*inputs)[size_t(f)] : golden::synthesize_input(d.network, seed, f);
    EngineFigures figures;
    golden::IntTensor out = engine.run_frame(input, r.cycles_total, figures);
    const golden::IntTensor expected = reference.run(input);
    if (out.data != expected.data || out.h != expected.h || out.w != expected.w ||
        out.c != expected.c) {
      if (r.outputs_match) r.first_mismatch = f;
      r.outputs_match = false;
    }
    r.checksums.push_back(golden::checksum(out));
    if (f == 0) {
      r.figures = figures;
      add_cycles_without_selection(d, r.figures);  // the utilisation with and without
    }
    else if (figures.cycles != r.figures.cycles)
      r.same_cycles_every_frame = false;
    r.cycles_total += figures.cycles;
    if (keep_outputs) r.outputs.push_back(std::move(out));
  }
  for (const std::string& key : order) {
    const auto& g = *generators[key];
    r.rtl_units.push_back({key, served[key], g.latency(), g.cycles()});
  }
  return r;
}

std::string format_engine_run(const EngineRunResult& r) {
  std::ostringstream out;
  out << format_engine_table(r.figures, "simulated (frame 0)");
  char line[256];
  std::snprintf(
      line, sizeof line, "frames: %d, %lld cycles in all (%s)\n", r.frames,
      (long long)r.cycles_total,
      r.same_cycles_every_frame ? "every frame the same cycles" : "frames differ in cycles");
  out << line;
  for (const EngineRtlUnit& u : r.rtl_units) {
    out << "rtl unit " << u.key << ": latency " << u.latency << ", " << u.cycles << " cycles driven, for";
    for (const auto& l : u.layers) out << " " << l;
    out << "\n";
  }
  if (r.outputs_match)
    out << "outputs: all " << r.frames << " frame(s) match the golden reference\n";
  else
    out << "outputs: MISMATCH against the golden reference, first at frame " << r.first_mismatch
        << "\n";
  return out.str();
}

nlohmann::json to_json(const EngineRunResult& r) {
  nlohmann::json j = to_json(r.figures);
  j["frames"] = r.frames;
  j["cycles_total"] = r.cycles_total;
  j["outputs_match_reference"] = r.outputs_match;
  for (uint64_t c : r.checksums) j["output_checksums"].push_back(c);
  for (const EngineRtlUnit& u : r.rtl_units)
    j["rtl_units"].push_back({{"unit", u.key}, {"layers", u.layers}, {"latency", u.latency}, {"cycles", u.cycles}});
  return j;
}

}  // namespace vine::engine
