// The virtual platform of a compute-engine design (docs/engine-vp.md): the
// engine's board (platforms/board/engine_board.h) under the host CPU, and
// the driver routine `vine vp` runs on it: the host writes the network's
// weights and coefficients and the layer-descriptor table into DDR, then for
// each frame its input, programs the registers, starts, waits for the
// interrupt and reads the result back, every access a timed TLM transaction
// of the host, contending with the engine's DMA for the DDR.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "platforms/board/engine_board.h"
#include "platforms/host/host_cpu.h"
#include "platforms/vp/virtual_platform.h"
#include "sim/engine/engine_figures.h"
#include "sim/golden/tensor.h"

namespace vine::platforms {

class EngineVirtualPlatform {
 public:
  // `design` must be a compute-engine design (template: engine).
  EngineVirtualPlatform(const ir::Design& design, const VpOptions& o);
  ~EngineVirtualPlatform();

  EngineBoard& board() { return *board_; }
  const EngineBoard& board() const { return *board_; }
  HostCpu& cpu() { return *cpu_; }
  const ir::Design& design() const { return design_; }
  const models::DdrConfig& ddr_config() const { return board_->ddr().config(); }

 private:
  ir::Design design_;
  std::unique_ptr<EngineBoard> board_;
  std::unique_ptr<HostCpu> cpu_;
};

struct EngineDriverOptions {
  int frames = 1;
  uint64_t seed = 1;  // the frames (golden::synthesize_input); the weights are the board's seed's
  // The host loads frame f + 1's input into a second buffer while the
  // engine runs frame f (the jobs alternate between the two buffers): its
  // DDR writes contend with the engine's transfers.
  bool load_next_during_job = false;
  // Tests: edits the descriptor table before the host writes it.
  std::function<void(std::vector<LayerDescriptor>&)> edit_descriptors;
};

struct EngineDriverResult {
  int frames = 0;  // frames run (fewer than asked when a job was refused)
  std::vector<golden::IntTensor> outputs;
  std::vector<uint64_t> checksums;
  bool outputs_match = true;  // every frame's output equals the golden reference's
  int first_mismatch = -1;
  // Per frame: the engine's figures as simulated on the board, and the
  // closed form's for the same transfers (the same addresses) on idle channels.
  std::vector<engine::EngineFigures> figures, closed_form;
  // The driver's time (host-visible, simulated): writing the parameters and
  // descriptors, and per job from its input write to its result read back.
  uint64_t setup_ns = 0;
  std::vector<uint64_t> job_ns;
  // A refused job: STATUS.CAUSE, ERROR_LAYER and the engine's message.
  uint32_t cause = 0, error_layer = 0;
  std::string refusal;
  uint64_t parameter_bytes = 0, descriptor_address = 0;
};

// Runs the routine in the host CPU's thread; throws HostCpu::AccessError on a
// bus error and std::runtime_error when the engine stopped (a DMA error) or
// a job did not finish.
EngineDriverResult run_engine_driver(EngineVirtualPlatform& vp, const EngineDriverOptions& o);

// The report: per layer as `vine run` prints it (frame 0), the closed form
// beside it where they differ, and the driver's time.
void write_engine_vp_report(std::ostream& out, const EngineVirtualPlatform& vp,
                            const EngineDriverResult& r);
nlohmann::json engine_vp_json(const EngineVirtualPlatform& vp, const EngineDriverResult& r);

}  // namespace vine::platforms
