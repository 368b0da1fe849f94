// `vine run` of a compute-engine design (docs/engine.md): every frame through
// the engine on data, its output checked against the golden reference, and
// the per-layer figures of the simulated schedule.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/engine_figures.h"
#include "sim/golden/tensor.h"
#include "sim/ir/design.h"

namespace vine::engine {

struct EngineRunResult {
  int frames = 0;
  EngineFigures figures;     // frame 0's
  int64_t cycles_total = 0;  // every frame, one after the other
  bool same_cycles_every_frame = true;
  bool outputs_match = true;               // every frame's output equals the golden reference's
  int first_mismatch = -1;                 // the first frame that differs
  std::vector<uint64_t> checksums;         // golden::checksum of each frame's output
  std::vector<golden::IntTensor> outputs;  // kept when asked
};

// Frames are synthesised from `seed` (golden::synthesize_input) unless
// `inputs` gives them.
EngineRunResult run_engine(const ir::Design& d, int frames, uint64_t seed,
                           const std::vector<golden::IntTensor>* inputs = nullptr,
                           bool keep_outputs = false);

std::string format_engine_run(const EngineRunResult& r);
nlohmann::json to_json(const EngineRunResult& r);

}  // namespace vine::engine
