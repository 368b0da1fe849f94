// A whole virtual platform in one process: the board (platforms/board/
// vp_board.h) and the host CPU (platforms/host/host_cpu.h) bound together,
// elaborated from a design file and a few options (docs/vp.md). Programs
// reach it through the driver (vine_open("vp:...")), Python through the
// `vine_vp` module, `vine vp` directly. SystemC elaborates once per process,
// so a process holds at most one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "platforms/board/vp_board.h"
#include "platforms/host/host_cpu.h"
#include "sim/ir/design.h"

namespace vine::platforms {

struct VpOptions {
  VpConfig board;
  sc_core::sc_time quantum = sc_core::sc_time(1, sc_core::SC_US);  // the host's
};

// `spec` options (key=value, docs/vp.md): seed, transfer_bytes, dma_buffers,
// frame_budget, access_cycles, quantum_ns, ddr_mts, ddr_latency_ns,
// ddr_efficiency, trace_regs (record register accesses). Unknown keys and
// bad values throw std::invalid_argument naming the key, value and what was
// expected.
VpOptions parse_vp_options(const std::map<std::string, std::string>& kv, const ir::Device& device);

class VirtualPlatform {
 public:
  // Throws config::ConfigError (bad design file) or std::invalid_argument.
  VirtualPlatform(const std::string& design_path, const VpOptions& o);
  ~VirtualPlatform();
  static bool exists();  // one per process

  // Host accesses, each run in the CPU's thread (HostCpu::run).
  uint32_t read32(uint64_t address);
  void write32(uint64_t address, uint32_t value);
  void read(uint64_t address, void* data, uint64_t bytes);
  void write(uint64_t address, const void* data, uint64_t bytes);
  bool wait_irq(uint64_t timeout_ns);
  void idle(uint64_t ns);
  uint64_t now_ns() const;
  // Runs `work` in the CPU's thread (for several accesses at once). An error
  // that stopped the accelerator in it (an RtlTimingError of a co-simulated
  // unit) is rethrown as it was thrown, here and in every later access.
  void run(const std::function<void()>& work);
  // Rethrows that error, if there was one.
  void rethrow_failure() const;

  const ir::Design& design() const { return *design_; }
  VpBoard& board() { return *board_; }
  const VpBoard& board() const { return *board_; }
  HostCpu& cpu() { return *cpu_; }

  // The figures of the session so far (docs/vp.md, "Report").
  void write_report(std::ostream& out) const;
  // Every register access: time, direction, offset, value, response.
  void write_register_trace(std::ostream& out) const;

 private:
  std::unique_ptr<ir::Design> design_;
  std::unique_ptr<VpBoard> board_;
  std::unique_ptr<HostCpu> cpu_;
};

}  // namespace vine::platforms
