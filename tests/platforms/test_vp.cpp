// The virtual platform driven as software drives it: through the host CPU's
// TLM socket (VirtualPlatform's accesses), registers and DDR. One platform
// per process (SystemC elaborates once): ctest runs each test alone.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "platforms/board/register_map.h"
#include "platforms/vp/virtual_platform.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"

namespace vine::platforms {
namespace {

using namespace regs;

const std::string kDesigns = std::string(VINE_SOURCE_DIR) + "/configs/designs/";

// Drives the board's registers and buffers from the host CPU.
struct Driver {
  VirtualPlatform& vp;
  uint64_t ctrl;
  explicit Driver(VirtualPlatform& v) : vp(v), ctrl(v.board().ctrl_base()) {}
  uint32_t rd(const char* r) { return vp.read32(ctrl + offset_of(r)); }
  void wr(const char* r, uint32_t v) { vp.write32(ctrl + offset_of(r), v); }
  void start(uint64_t in, uint64_t out, uint32_t frames) {
    wr("IN_ADDR_LO", uint32_t(in));
    wr("IN_ADDR_HI", uint32_t(in >> 32));
    wr("OUT_ADDR_LO", uint32_t(out));
    wr("OUT_ADDR_HI", uint32_t(out >> 32));
    wr("FRAMES", frames);
    wr("IRQ_ENABLE", 3);
    wr("CTRL", 5);  // IRQ_GLOBAL_ENABLE | START
  }
};

// The synthetic frames of `vine reference`, packed as the input DMA reads them.
std::vector<uint8_t> input_frames(const VirtualPlatform& vp, int frames, uint64_t seed) {
  const auto& g = vp.board().input_geometry();
  std::vector<uint8_t> bytes(g.frame_bytes() * size_t(frames));
  for (int f = 0; f < frames; ++f) {
    const golden::IntTensor t = golden::synthesize_input(vp.design().network, seed, f);
    for (int64_t b = 0; b < g.beats_per_frame; ++b)
      g.format.pack(&t.data[size_t(b * g.format.lanes)],
                    &bytes[size_t(f) * g.frame_bytes() + size_t(b) * size_t(g.format.beat_bytes())]);
  }
  return bytes;
}

TEST(Vp, JobOutputsEqualTheGoldenReference) {
  VirtualPlatform vp(kDesigns + "finn-examples/tfc-w1a1-pynq-z1.yaml", VpOptions{});
  Driver d(vp);
  const int frames = 3;
  const auto in = input_frames(vp, frames, 1);
  vp.write(0x100000, in.data(), in.size());
  {
    std::vector<uint8_t> back(in.size());
    vp.read(0x100000, back.data(), back.size());
    EXPECT_EQ(back, in);
  }
  d.start(0x100000, 0x200000, frames);
  EXPECT_EQ(d.rd("STATUS") & 0x2u, 0x2u);  // busy
  const bool irq = vp.wait_irq(1'000'000'000);
  if (!irq) {
    vp.write_report(std::cerr);
    for (auto& s : vp.board().network().stages())
      std::cerr << s->name() << " " << models::to_string(s->state()) << " " << s->local_cycle() << "\n";
  }
  ASSERT_TRUE(irq);
  EXPECT_EQ(d.rd("STATUS"), 0x5u);  // idle | done
  EXPECT_EQ(d.rd("FRAMES_DONE"), uint32_t(frames));
  const auto& og = vp.board().output_geometry();
  std::vector<uint8_t> out(og.frame_bytes() * frames);
  vp.read(0x200000, out.data(), out.size());
  const auto params = golden::synthesize_params(vp.design().network, 1);
  const golden::Reference ref(vp.design().network, params);
  for (int f = 0; f < frames; ++f) {
    const golden::IntTensor want = ref.run(golden::synthesize_input(vp.design().network, 1, f));
    std::vector<int32_t> got(want.data.size());
    for (int64_t b = 0; b < og.beats_per_frame; ++b)
      og.format.unpack(&out[size_t(f) * og.frame_bytes() + size_t(b) * size_t(og.format.beat_bytes())],
                       &got[size_t(b * og.format.lanes)]);
    EXPECT_EQ(got, want.data) << "frame " << f;
  }
}

}  // namespace
}  // namespace vine::platforms
