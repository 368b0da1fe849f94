// The driver's C++ face: the C API (vine_driver.h) with RAII and exceptions.
// Header-only, so an application needs nothing but the C library.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "platforms/driver/vine_driver.h"

namespace vine {

class Error : public std::runtime_error {
 public:
  Error(vine_status s, const std::string& what) : std::runtime_error(what), status(s) {}
  vine_status status;
};

class Device {
 public:
  // `target`: "vp:DESIGN.yaml[,...]", "uio:/dev/uioN[,...]", or "" for $VINE_TARGET.
  explicit Device(const std::string& target = "") {
    const vine_status s = vine_open(target.c_str(), &dev_);
    if (s != VINE_OK)
      throw Error(s, vine_error(nullptr));
    check(vine_geometry_get(dev_, &geometry_));
  }
  ~Device() { vine_close(dev_); }
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const vine_geometry& geometry() const { return geometry_; }
  vine_kind kind() const { return vine_device_kind(dev_); }
  // The compute engine's network image (`vine export engine-image`).
  void load_engine_image(const std::string& path) { check(vine_engine_load(dev_, path.c_str())); }
  void reset() { check(vine_reset(dev_)); }
  uint64_t alloc(uint64_t bytes) {
    uint64_t a = 0;
    check(vine_alloc(dev_, bytes, &a));
    return a;
  }
  void write(uint64_t addr, const void* src, uint64_t bytes) {
    check(vine_write(dev_, addr, src, bytes));
  }
  void read(uint64_t addr, void* dst, uint64_t bytes) { check(vine_read(dev_, addr, dst, bytes)); }
  void start(uint64_t in, uint64_t out, uint32_t frames) {
    check(vine_start(dev_, in, out, frames));
  }
  void wait(vine_wait_mode mode = VINE_WAIT_IRQ, uint64_t timeout_ns = 10'000'000'000ull) {
    check(vine_wait(dev_, mode, timeout_ns));
  }
  vine_counters counters() {
    vine_counters c{};
    check(vine_counters_get(dev_, &c));
    return c;
  }
  uint64_t time_ns() { return vine_time_ns(dev_); }

  // Frames of codes to bytes in the input layout, and bytes back to codes.
  std::vector<uint8_t> pack_inputs(const std::vector<int32_t>& codes, uint32_t frames) const {
    std::vector<uint8_t> bytes(size_t(geometry_.in_frame_bytes) * frames);
    vine_pack_frames(&geometry_.in, geometry_.in_frame_bytes, codes.data(), frames, bytes.data());
    return bytes;
  }
  std::vector<int32_t> unpack_outputs(const std::vector<uint8_t>& bytes, uint32_t frames) const {
    const uint64_t per_frame =
        geometry_.out_frame_bytes / geometry_.out.beat_bytes * geometry_.out.lanes;
    std::vector<int32_t> codes(size_t(per_frame) * frames);
    vine_unpack_frames(&geometry_.out, geometry_.out_frame_bytes, bytes.data(), frames,
                       codes.data());
    return codes;
  }

  vine_device* handle() { return dev_; }

 private:
  void check(vine_status s) {
    if (s != VINE_OK) throw Error(s, vine_error(dev_));
  }
  vine_device* dev_ = nullptr;
  vine_geometry geometry_{};
};

}  // namespace vine
