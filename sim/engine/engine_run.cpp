#include "sim/engine/engine_run.h"

#include <cstdio>
#include <sstream>

#include "models/engine/compute_engine.h"
#include "sim/engine/engine_estimate.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"

namespace vine::engine {

EngineRunResult run_engine(const ir::Design& d, int frames, uint64_t seed,
                           const std::vector<golden::IntTensor>* inputs, bool keep_outputs) {
  const golden::NetworkParams params = golden::synthesize_params(d.network, seed);
  const golden::Reference reference(d.network, params);
  models::ComputeEngine engine(d, params);
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
  return j;
}

}  // namespace vine::engine
