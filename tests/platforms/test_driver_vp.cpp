// The driver's C API on the virtual platform: what an application sees.
// One VP per process (SystemC elaborates once): ctest runs each test alone.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "platforms/driver/vine_driver.h"

namespace {

const std::string kTfc =
    std::string(VINE_SOURCE_DIR) + "/configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml";

vine_device* open_vp(const std::string& options = "") {
  vine_device* dev = nullptr;
  EXPECT_EQ(vine_open(("vp:" + kTfc + options).c_str(), &dev), VINE_OK) << vine_error(nullptr);
  return dev;
}

TEST(DriverVp, GeometryComesFromTheRegisters) {
  vine_device* dev = open_vp();
  ASSERT_NE(dev, nullptr);
  vine_geometry g{};
  ASSERT_EQ(vine_geometry_get(dev, &g), VINE_OK);
  EXPECT_EQ(g.in_frame_bytes, 112u);  // 16 beats of 49 one-bit elements, 7 bytes each
  EXPECT_EQ(g.in.lanes, 49u);
  EXPECT_EQ(g.in.elem_bits, 1u);
  EXPECT_EQ(g.in.beat_bytes, 7u);
  EXPECT_EQ(g.out_frame_bytes, 9u);  // 10 outputs in one beat
  EXPECT_EQ(g.out.lanes, 10u);
  EXPECT_EQ(g.out.beat_bytes, 9u);
  EXPECT_EQ(g.out.is_signed, 0u);  // XNOR-popcounts: never negative
  EXPECT_EQ(g.mem_base, 0u);
  EXPECT_EQ(g.mem_bytes, 512ull << 20);
  vine_close(dev);
}

TEST(DriverVp, ARefusedStartIsADeviceErrorWithItsCause) {
  vine_device* dev = open_vp();
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(vine_start(dev, 0x1000, 0x2000, 0), VINE_EDEVICE);
  EXPECT_NE(std::string(vine_error(dev)).find("FRAMES is 0"), std::string::npos) << vine_error(dev);
  EXPECT_EQ(vine_start(dev, (512ull << 20) - 8, 0x2000, 1), VINE_EDEVICE);
  EXPECT_NE(std::string(vine_error(dev)).find("input buffer is not inside DDR"), std::string::npos);
  vine_close(dev);
}

TEST(DriverVp, AStartWhileBusyIsRefusedAndAShortWaitTimesOut) {
  vine_device* dev = open_vp();
  ASSERT_NE(dev, nullptr);
  uint64_t in = 0, out = 0;
  ASSERT_EQ(vine_alloc(dev, 112 * 64, &in), VINE_OK);
  ASSERT_EQ(vine_alloc(dev, 9 * 64, &out), VINE_OK);
  EXPECT_EQ(in % 4096, 0u);
  ASSERT_EQ(vine_start(dev, in, out, 64), VINE_OK);
  EXPECT_EQ(vine_start(dev, in, out, 64), VINE_EBUSY);
  EXPECT_EQ(vine_wait(dev, VINE_WAIT_IRQ, 100), VINE_ETIMEDOUT);  // 100 ns: not even 64 frames' DMA
  EXPECT_EQ(vine_wait(dev, VINE_WAIT_POLL, 1000000000), VINE_OK) << vine_error(dev);
  vine_counters c{};
  ASSERT_EQ(vine_counters_get(dev, &c), VINE_OK);
  EXPECT_EQ(c.frames_done, 64u);
  EXPECT_EQ(c.ddr_bytes, 64u * (112 + 9));
  EXPECT_EQ(c.start_ignored, 0u);  // the driver refused before the hardware saw a START
  EXPECT_GT(c.cycles_busy, 64u * 64);  // at least the pipeline's 64-cycle interval per frame
  vine_close(dev);
}

TEST(DriverVp, BadTargetsAndOptionsAreExplained) {
  vine_device* dev = nullptr;
  EXPECT_EQ(vine_open(("vp:" + kTfc + ",ddr_mts=fast").c_str(), &dev), VINE_EINVAL);
  EXPECT_EQ(dev, nullptr);
  EXPECT_NE(std::string(vine_error(nullptr)).find("ddr_mts=fast: expected a number"),
            std::string::npos)
      << vine_error(nullptr);
  EXPECT_EQ(vine_open(("vp:" + kTfc + ",colour=blue").c_str(), &dev), VINE_EINVAL);
  EXPECT_NE(std::string(vine_error(nullptr)).find("colour=blue: unknown"), std::string::npos);
  EXPECT_EQ(vine_open("vp:/nonexistent/design.yaml", &dev), VINE_EINVAL);
  EXPECT_NE(std::string(vine_error(nullptr)).find("/nonexistent/design.yaml"), std::string::npos);
  EXPECT_EQ(vine_open("fpga:0", &dev), VINE_EINVAL);
  EXPECT_NE(std::string(vine_error(nullptr)).find("expected vp:"), std::string::npos);
  // A good one still opens after the failures; a second in the process does not.
  vine_device* first = open_vp();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(vine_open(("vp:" + kTfc).c_str(), &dev), VINE_EINVAL);
  EXPECT_NE(std::string(vine_error(nullptr)).find("exists in this process already"),
            std::string::npos);
  vine_close(first);
}

TEST(DriverVp, MemoryOutsideTheDeviceAndNullArgumentsAreRefused) {
  vine_device* dev = open_vp();
  ASSERT_NE(dev, nullptr);
  uint8_t byte = 0;
  EXPECT_EQ(vine_write(dev, 512ull << 20, &byte, 1), VINE_EINVAL);
  EXPECT_EQ(vine_read(dev, (512ull << 20) - 1, &byte, 2), VINE_EINVAL);
  EXPECT_EQ(vine_read(dev, 0, nullptr, 2), VINE_EINVAL);
  uint64_t a = 0;
  EXPECT_EQ(vine_alloc(dev, 1ull << 40, &a), VINE_ENOMEM);
  uint32_t v = 0;
  EXPECT_EQ(vine_reg_read(dev, 0x800, &v), VINE_EIO);  // unmapped: a TLM address error
  EXPECT_NE(std::string(vine_error(dev)).find("address error"), std::string::npos) << vine_error(dev);
  EXPECT_EQ(vine_reg_write(dev, 0x0, 1), VINE_EIO);  // ID is read-only: a command error
  EXPECT_NE(std::string(vine_error(dev)).find("command error"), std::string::npos) << vine_error(dev);
  vine_close(dev);
}

}  // namespace
