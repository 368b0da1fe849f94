// `vine run` of a compute-engine design (docs/engine.md): every frame through
// the engine on data, its output checked against the golden reference, and
// the per-layer figures of the simulated schedule.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/pe/rtl_lanes.h"

#include "sim/engine/engine_figures.h"
#include "sim/golden/tensor.h"
#include "sim/ir/design.h"

namespace vine::engine {

// A Verilated unit a run co-simulated (`--backend rtl`): the weights
// generator of the layers that share its parameters.
struct EngineRtlUnit {
  std::string key;                  // LanesConfig::key()
  std::vector<std::string> layers;  // the generated layers it served
  int latency = 0;                  // probed
  int64_t cycles = 0;               // clock cycles driven, every frame
};

// The Verilated generator of every generated layer, by layer: what
// `--backend rtl` co-simulates (and `vine rtl-units` lists).
std::vector<std::pair<std::string, models::LanesConfig>> generator_units(const ir::Design& d);

// A unit `--backend rtl` needs that cannot be built or loaded: a bad set-up
// (exit 1), named before the run starts.
class EngineRtlUnitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EngineRunResult {
  int frames = 0;
  EngineFigures figures;     // frame 0's
  int64_t cycles_total = 0;  // every frame, one after the other
  bool same_cycles_every_frame = true;
  bool outputs_match = true;               // every frame's output equals the golden reference's
  int first_mismatch = -1;                 // the first frame that differs
  std::vector<uint64_t> checksums;         // golden::checksum of each frame's output
  std::vector<golden::IntTensor> outputs;  // kept when asked
  std::vector<EngineRtlUnit> rtl_units;    // with the generator on RTL
};

// Frames are synthesised from `seed` (golden::synthesize_input) unless
// `inputs` gives them. With `generator_on_rtl`, every generated layer's
// weights also come out of its Verilated generator (models::
// RtlWeightsGenerator), checked group by group: a difference throws
// models::RtlTimingError; a unit that cannot be had, EngineRtlUnitError.
EngineRunResult run_engine(const ir::Design& d, int frames, uint64_t seed,
                           const std::vector<golden::IntTensor>* inputs = nullptr,
                           bool keep_outputs = false, bool generator_on_rtl = false);

std::string format_engine_run(const EngineRunResult& r);
nlohmann::json to_json(const EngineRunResult& r);

}  // namespace vine::engine
