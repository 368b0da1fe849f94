// The driver's virtual-platform target: "vp:DESIGN.yaml[,key=value...]"
// elaborates the design's virtual platform in this process (docs/driver.md):
// the streaming accelerator's (VirtualPlatform) or the compute engine's
// (EngineVirtualPlatform). Register and memory accesses become the host
// CPU's b_transport calls.
#include <cstdio>
#include <fstream>

#include "platforms/driver/backend.h"
#include "platforms/driver/vp_access.h"
#include "platforms/vp/engine_platform.h"
#include "platforms/vp/virtual_platform.h"
#include "platforms/vp/vp_trace.h"
#include "sim/config/config_error.h"
#include "sim/config/loaders.h"

namespace vine::driver {

namespace {

class VpBackend final : public Backend {
 public:
  // A host access the board answered with an error response is the driver's EIO.
  template <class F>
  static decltype(auto) guard(F&& f) {
    try {
      return f();
    } catch (const platforms::HostCpu::AccessError& e) {
      throw DriverError(VINE_EIO, e.what());
    }
  }

  explicit VpBackend(const std::string& spec) {
    const size_t comma = spec.find(',');
    const std::string path = spec.substr(0, comma);
    if (path.empty()) throw DriverError(VINE_EINVAL, "vp: expected vp:DESIGN.yaml[,key=value...]");
    auto kv = parse_options(comma == std::string::npos ? "" : spec.substr(comma + 1));
    // Driver-side options, not the platform's.
    if (auto it = kv.find("report"); it != kv.end()) {
      report_ = it->second;
      kv.erase(it);
    }
    if (auto it = kv.find("trace_regs_file"); it != kv.end()) {
      trace_ = it->second;
      kv.erase(it);
      kv["trace_regs"] = "1";
    }
    if (auto it = kv.find("vcd_file"); it != kv.end()) {
      vcd_ = it->second;
      kv.erase(it);
      kv["trace_regs"] = "1";
    }
    try {
      const ir::Design probe = config::load_design(path);
      if (probe.hw_template == ir::Template::kEngine)
        for (const auto& [key, value] : kv)
          if (key != "seed" && key != "access_cycles" && key != "quantum_ns" && key != "ddr_mts" &&
              key != "ddr_latency_ns" && key != "ddr_efficiency")
            throw std::invalid_argument(
                "option " + key + "=" + value + ": a compute engine's board takes seed, "
                "access_cycles, quantum_ns, ddr_mts, ddr_latency_ns or ddr_efficiency (the others "
                "are the streaming DMAs')");
      const platforms::VpOptions options = platforms::parse_vp_options(kv, probe.device);
      if (probe.hw_template == ir::Template::kEngine) {
        // The report, the register trace and the VCD are the streaming VP's
        // (`vine vp` prints the engine's own report): refused, not ignored.
        for (const std::string* o : {&report_, &trace_, &vcd_})
          if (!o->empty())
            throw std::invalid_argument(
                "the options report, trace_regs_file and vcd_file are the streaming "
                "accelerator's; design " + probe.name + " is a compute engine");
        // SystemC elaborates once per process: one platform of either kind.
        if (engine_exists_ || platforms::VirtualPlatform::exists())
          throw std::invalid_argument(
              "a virtual platform exists in this process already (SystemC elaborates once per "
              "process)");
        engine_ = std::make_unique<platforms::EngineVirtualPlatform>(probe, options);
        engine_exists_ = true;
        cpu_ = &engine_->cpu();
        ctrl_ = engine_->board().ctrl_base();
        ddr_bytes_ = engine_->board().ddr_bytes();
      } else {
        if (engine_exists_)
          throw std::invalid_argument(
              "a virtual platform exists in this process already (SystemC elaborates once per "
              "process)");
        vp_ = std::make_unique<platforms::VirtualPlatform>(path, options);
        cpu_ = &vp_->cpu();
        ctrl_ = vp_->board().ctrl_base();
        ddr_base_ = vp_->board().ddr_base();
        ddr_bytes_ = vp_->board().ddr_bytes();
      }
    } catch (const DriverError&) {
      throw;
    } catch (const std::exception& e) {
      throw DriverError(VINE_EINVAL, std::string("vp:") + path + ": " + e.what());
    }
  }

  ~VpBackend() override {
    if (!vp_) return;
    if (!report_.empty()) {
      std::ofstream f(report_);
      vp_->write_report(f);
    }
    if (!trace_.empty()) {
      std::ofstream f(trace_);
      vp_->write_register_trace(f);
    }
    if (!vcd_.empty()) {
      std::ofstream f(vcd_);
      platforms::write_vp_vcd(f, *vp_);
    }
  }

  // The streaming VP, or null for a compute engine's.
  platforms::VirtualPlatform* platform() { return vp_.get(); }

  uint32_t read32(uint32_t offset) override {
    uint32_t v = 0;
    run([&] { v = cpu_->read32(ctrl_ + offset); });
    return v;
  }
  void write32(uint32_t offset, uint32_t value) override {
    run([&] { cpu_->write32(ctrl_ + offset, value); });
  }
  void mem_write(uint64_t addr, const void* src, uint64_t bytes) override {
    run([&] { cpu_->write(addr, src, bytes); });
  }
  void mem_read(uint64_t addr, void* dst, uint64_t bytes) override {
    run([&] { cpu_->read(addr, dst, bytes); });
  }
  uint64_t mem_base() const override { return ddr_base_; }
  uint64_t mem_bytes() const override { return ddr_bytes_; }
  bool wait_irq(uint64_t timeout_ns) override {
    bool high = false;
    run([&] { high = cpu_->wait_irq(sc_core::sc_time(double(timeout_ns), sc_core::SC_NS)); });
    return high;
  }
  void idle(uint64_t ns) override {
    run([&] { cpu_->idle(sc_core::sc_time(double(ns), sc_core::SC_NS)); });
  }
  uint64_t now_ns() override { return uint64_t(cpu_->now().to_seconds() * 1e9 + 0.5); }

 private:

  // Runs host work in the CPU's thread. A bus error response is the
  // driver's EIO; so is a stopped accelerator or engine (its error first).
  void run(const std::function<void()>& work) {
    guard([&] {
      if (vp_) {
        vp_->run(work);
        return 0;
      }
      const platforms::EngineBoard& b = engine_->board();
      auto stopped = [&] {
        if (!b.failure().empty()) throw DriverError(VINE_EIO, "the engine stopped: " + b.failure());
      };
      stopped();
      try {
        cpu_->run(work);
      } catch (...) {
        stopped();  // the engine's error stopped the kernel: the cause is the engine's
        throw;
      }
      stopped();
      return 0;
    });
  }

  static inline bool engine_exists_ = false;
  std::unique_ptr<platforms::VirtualPlatform> vp_;
  std::unique_ptr<platforms::EngineVirtualPlatform> engine_;
  platforms::HostCpu* cpu_ = nullptr;
  uint64_t ctrl_ = 0, ddr_base_ = 0, ddr_bytes_ = 0;
  std::string report_, trace_, vcd_;
};

}  // namespace

std::unique_ptr<Backend> make_vp_backend(const std::string& spec) {
  return std::make_unique<VpBackend>(spec);
}

platforms::VirtualPlatform* virtual_platform_of(Backend& b) {
  auto* vp = dynamic_cast<VpBackend*>(&b);
  return vp ? vp->platform() : nullptr;
}

}  // namespace vine::driver

// SystemC's library refers to sc_main, which a driver application (with a
// main() of its own) does not define: this weak one satisfies the link and
// is never called. A program with its own sc_main overrides it.
extern "C" __attribute__((weak)) int sc_main(int, char**) {
  std::fprintf(stderr, "vine driver: this program defines no sc_main of its own\n");
  return 1;
}
