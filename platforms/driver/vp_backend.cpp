// The driver's virtual-platform target: "vp:DESIGN.yaml[,key=value...]"
// elaborates a VirtualPlatform in this process (docs/driver.md); register
// and memory accesses become the host CPU's b_transport calls.
#include <cstdio>
#include <fstream>

#include "platforms/driver/backend.h"
#include "platforms/driver/vp_access.h"
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
      vp_ = std::make_unique<platforms::VirtualPlatform>(path,
                                                         platforms::parse_vp_options(kv, probe.device));
    } catch (const std::exception& e) {
      throw DriverError(VINE_EINVAL, std::string("vp:") + path + ": " + e.what());
    }
    ctrl_ = vp_->board().ctrl_base();
  }

  ~VpBackend() override {
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

  platforms::VirtualPlatform& platform() { return *vp_; }

  uint32_t read32(uint32_t offset) override {
    return guard([&] { return vp_->read32(ctrl_ + offset); });
  }
  void write32(uint32_t offset, uint32_t value) override {
    guard([&] {
      vp_->write32(ctrl_ + offset, value);
      return 0;
    });
  }
  void mem_write(uint64_t addr, const void* src, uint64_t bytes) override {
    guard([&] {
      vp_->write(addr, src, bytes);
      return 0;
    });
  }
  void mem_read(uint64_t addr, void* dst, uint64_t bytes) override {
    guard([&] {
      vp_->read(addr, dst, bytes);
      return 0;
    });
  }
  uint64_t mem_base() const override { return vp_->board().ddr_base(); }
  uint64_t mem_bytes() const override { return vp_->board().ddr_bytes(); }
  bool wait_irq(uint64_t timeout_ns) override { return vp_->wait_irq(timeout_ns); }
  void idle(uint64_t ns) override { vp_->idle(ns); }
  uint64_t now_ns() override { return vp_->now_ns(); }

 private:

  std::unique_ptr<platforms::VirtualPlatform> vp_;
  uint64_t ctrl_ = 0;
  std::string report_, trace_, vcd_;
};

}  // namespace

std::unique_ptr<Backend> make_vp_backend(const std::string& spec) {
  return std::make_unique<VpBackend>(spec);
}

platforms::VirtualPlatform* virtual_platform_of(Backend& b) {
  auto* vp = dynamic_cast<VpBackend*>(&b);
  return vp ? &vp->platform() : nullptr;
}

}  // namespace vine::driver

// SystemC's library refers to sc_main, which a driver application (with a
// main() of its own) does not define: this weak one satisfies the link and
// is never called. A program with its own sc_main overrides it.
extern "C" __attribute__((weak)) int sc_main(int, char**) {
  std::fprintf(stderr, "vine driver: this program defines no sc_main of its own\n");
  return 1;
}
