// What the driver needs of a target: the register window, the device memory,
// the interrupt and a clock. One implementation per target kind: the virtual
// platform (vp_backend.cpp) and Linux UIO (uio_backend.cpp). Errors are
// thrown as DriverError with the text vine_error() returns.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <map>

#include "platforms/driver/vine_driver.h"

namespace vine::driver {

class DriverError : public std::runtime_error {
 public:
  DriverError(vine_status s, const std::string& what) : std::runtime_error(what), status(s) {}
  vine_status status;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // AXI-Lite accesses to the register window (offsets from its base).
  virtual uint32_t read32(uint32_t offset) = 0;
  virtual void write32(uint32_t offset, uint32_t value) = 0;
  // Device memory, by accelerator (DDR) address.
  virtual void mem_write(uint64_t addr, const void* src, uint64_t bytes) = 0;
  virtual void mem_read(uint64_t addr, void* dst, uint64_t bytes) = 0;
  // The window of device memory software may use.
  virtual uint64_t mem_base() const = 0;
  virtual uint64_t mem_bytes() const = 0;
  // Blocks until the interrupt line is high or `timeout_ns` has passed on
  // the target's clock; returns whether it is high. The register-level
  // protocol (enable, acknowledge) is the driver's.
  virtual bool wait_irq(uint64_t timeout_ns) = 0;
  // Lets `ns` pass on the target's clock (a polling loop's pause).
  virtual void idle(uint64_t ns) = 0;
  virtual uint64_t now_ns() = 0;
};

// "key=value,key=value" after the target's path: the options of a target string.
std::map<std::string, std::string> parse_options(const std::string& text);

// Implemented in their own files; `spec` is the target string after "vp:" / "uio:".
std::unique_ptr<Backend> make_vp_backend(const std::string& spec);
std::unique_ptr<Backend> make_uio_backend(const std::string& spec);

}  // namespace vine::driver
