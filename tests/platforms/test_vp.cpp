// The virtual platform driven as software drives it: through the host CPU's
// TLM socket (VirtualPlatform's accesses), registers and DDR. One platform
// per process (SystemC elaborates once): ctest runs each test alone.
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "platforms/board/register_map.h"
#include "sim/config/loaders.h"
#include "sim/run/process_network.h"
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

// The outputs of `frames` frames at `out`, unpacked, against the golden reference.
void expect_golden_outputs(VirtualPlatform& vp, uint64_t out, int frames, int first_frame = 0,
                           uint64_t seed = 1) {
  const auto& og = vp.board().output_geometry();
  std::vector<uint8_t> bytes(og.frame_bytes() * size_t(frames));
  vp.read(out, bytes.data(), bytes.size());
  const ir::Network& net = vp.design().network;
  const auto params = golden::synthesize_params(net, seed);
  const golden::Reference ref(net, params);
  for (int f = 0; f < frames; ++f) {
    const golden::IntTensor want = ref.run(golden::synthesize_input(net, seed, first_frame + f));
    std::vector<int32_t> got(want.data.size());
    for (int64_t b = 0; b < og.beats_per_frame; ++b)
      og.format.unpack(&bytes[size_t(f) * og.frame_bytes() + size_t(b) * size_t(og.format.beat_bytes())],
                       &got[size_t(b * og.format.lanes)]);
    EXPECT_EQ(got, want.data) << "frame " << first_frame + f;
  }
}

// A DDR of `data_bytes` x `mts` with whole-cycle latency, efficiency 1.
models::DdrConfig ddr(int data_bytes, double mts, double latency_ns) {
  models::DdrConfig c;
  c.channels = 1;
  c.channel_capacity = 512ull << 20;
  c.data_bytes = data_bytes;
  c.transfer_rate_mts = mts;
  c.latency_ns = latency_ns;
  c.burst_bytes = std::max(16, data_bytes);
  c.efficiency = 1;
  return c;
}

TEST(Vp, JobOutputsEqualTheGoldenReference) {
  VirtualPlatform vp(kDesigns + "finn-examples/tfc-w1a1-pynq-z1.yaml", VpOptions{});
  Driver d(vp);
  const int frames = 3;
  const auto in = input_frames(vp, frames, 1);
  vp.write(0x100000, in.data(), in.size());
  d.start(0x100000, 0x200000, frames);
  EXPECT_EQ(d.rd("STATUS") & 0x2u, 0x2u);  // busy
  ASSERT_TRUE(vp.wait_irq(1'000'000'000));
  EXPECT_EQ(d.rd("STATUS"), 0x5u);  // idle | done
  EXPECT_EQ(d.rd("FRAMES_DONE"), uint32_t(frames));
  expect_golden_outputs(vp, 0x200000, frames);
}

// With a DDR that never throttles, the pipeline runs exactly as in `vine
// run`, shifted by the first read's completion; the interrupt rises when the
// last frame's write completes: both from closed forms of the DDR model.
TEST(Vp, FastDdrRunsAsVineRunAndTheInterruptRisesAtTheClosedFormCycle) {
  const std::string path = kDesigns + "default.yaml";
  const ir::Design design = config::load_design(path);
  const int frames = 2;
  // `vine run`'s cycles, from the same engine with the built-in DMAs,
  // elaborated before the VP and run outside SystemC time.
  sim::ElaborationOptions eo;
  eo.frames = frames;
  eo.timing_only = true;
  eo.module_name = "reference_accel";
  sim::ProcessNetwork run(design, eo, nullptr, {}, {});
  ASSERT_TRUE(run.run());

  VpOptions o;
  const double latency_ns = 200;  // 20 cycles at 100 MHz
  o.board.ddr = ddr(64, 1e6, latency_ns);  // 64 bytes a ps: any transfer in under a cycle
  VirtualPlatform vp(path, o);
  Driver d(vp);
  const auto in = input_frames(vp, frames, 1);
  vp.write(0x100000, in.data(), in.size());
  d.start(0x100000, 0x200000, frames);
  const sc_core::sc_time period = vp.board().clock();
  ASSERT_TRUE(vp.wait_irq(1'000'000'000));
  const uint64_t irq_ns = vp.now_ns();
  ASSERT_EQ(vp.board().jobs().size(), 1u);
  const int64_t start = vp.board().jobs()[0].start_cycle;
  // The first read completes after the latency and under a cycle of data.
  const int64_t shift = start + int64_t(latency_ns / 10) + 1;
  std::map<std::string, const models::Stage*> vp_stages;
  for (const auto& s : vp.board().network().stages()) vp_stages[s->name()] = s.get();
  int compared = 0;
  for (const auto& s : run.stages()) {
    if (s->kind() == std::string("input_dma") || s->kind() == std::string("output_dma")) continue;
    const models::Stage* v = vp_stages.at(s->name());
    EXPECT_EQ(v->stats().first_write, s->stats().first_write + shift) << s->name();
    EXPECT_EQ(v->stats().last_write, s->stats().last_write + shift) << s->name();
    EXPECT_EQ(v->stats().busy, s->stats().busy) << s->name();
    ++compared;
  }
  EXPECT_GT(compared, 10);
  // The last output beat is taken in cycle c, readable in the buffer at
  // c + 1, written then; the write completes after the latency and under a
  // cycle of data.
  const int64_t last_beat = run.output_dma().last_beat_cycles().back() + shift;
  const int64_t done = last_beat + 1 + int64_t(latency_ns / 10) + 1;
  EXPECT_EQ(vp.board().jobs()[0].done_cycle, done);
  EXPECT_EQ(irq_ns, uint64_t(done) * 10);
  EXPECT_EQ(d.rd("CYCLES_BUSY_LO"), uint32_t(done - start));
  EXPECT_EQ(d.rd("STALL_CYCLES_LO"), uint32_t(shift - start));  // the first read's wait only
  expect_golden_outputs(vp, 0x200000, frames);
  (void)period;
}

// With a slow DDR the frames come one per DDR-bound interval: the bytes a
// frame moves (its input read and its output write, whole bursts) over the
// channel's rate, exactly, and the report names the DDR as the limit.
TEST(Vp, SlowDdrIntervalIsTheClosedFormBound) {
  VpOptions o;
  o.board.ddr = ddr(2, 1, 100);  // 2 MB/s: one 2-byte DDR beat per us = 100 cycles
  VirtualPlatform vp(kDesigns + "default.yaml", o);
  Driver d(vp);
  const int frames = 32;
  const auto in = input_frames(vp, frames, 1);
  vp.write(0x100000, in.data(), in.size());
  d.start(0x100000, 0x200000, frames);
  ASSERT_TRUE(vp.wait_irq(100'000'000'000));

  // 3072 input bytes and 80 output bytes per frame, all whole 16-byte bursts:
  // 1576 DDR beats of 100 cycles; the pipeline's own interval is about 28700
  // cycles, so the DMA's buffer empties long before the next read completes
  // and the channel never idles.
  const int64_t bound = (3072 / 2 + 80 / 2) * 100;
  EXPECT_EQ(vp.board().ddr_frame_cycles(), bound);
  const auto& done = vp.board().output_dma().frame_done_cycles();
  ASSERT_EQ(done.size(), size_t(frames));
  // The steady state: the channel alternates one frame's read and write
  // without a gap. (Before it, the first reads run ahead of the pipeline's
  // latency; after the last read, the frames the pipeline holds, about 8,
  // leave at its own pace.)
  for (int f = 2; f < 22; ++f) EXPECT_EQ(done[size_t(f)] - done[size_t(f - 1)], bound) << f;
  std::ostringstream report;
  vp.write_report(report);
  EXPECT_NE(report.str().find("steady interval: 157600 cycles"), std::string::npos) << report.str();
  EXPECT_NE(report.str().find("limit: DDR"), std::string::npos) << report.str();
  expect_golden_outputs(vp, 0x200000, frames);
}

TEST(Vp, BackToBackJobsTakeTheSameCyclesAndBothAreRight) {
  VirtualPlatform vp(kDesigns + "finn-examples/tfc-w1a1-pynq-z1.yaml", VpOptions{});
  Driver d(vp);
  const auto in = input_frames(vp, 6, 1);
  vp.write(0x100000, in.data(), in.size());
  const uint64_t in_frame = vp.board().input_geometry().frame_bytes();  // 112: whole bursts
  d.start(0x100000, 0x200000, 3);
  ASSERT_TRUE(vp.wait_irq(1'000'000'000));
  EXPECT_EQ(d.rd("STATUS"), 0x5u);
  d.wr("IRQ_STATUS", 1);  // acknowledge: the line falls
  // Output at the same alignment as the first job's: the same bursts, the same cycles.
  d.start(0x100000 + 3 * in_frame, 0x300000, 3);
  ASSERT_TRUE(vp.wait_irq(1'000'000'000));
  EXPECT_EQ(d.rd("STATUS"), 0x5u);
  EXPECT_EQ(d.rd("FRAMES_DONE"), 6u);
  const auto& jobs = vp.board().jobs();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[1].done_cycle - jobs[1].start_cycle, jobs[0].done_cycle - jobs[0].start_cycle);
  expect_golden_outputs(vp, 0x200000, 3);
  expect_golden_outputs(vp, 0x300000, 3, 3);
}

TEST(Vp, ResetMidJobAbandonsItAndTheNextJobIsRight) {
  VirtualPlatform vp(kDesigns + "finn-examples/tfc-w1a1-pynq-z1.yaml", VpOptions{});
  Driver d(vp);
  const auto in = input_frames(vp, 8, 1);
  vp.write(0x100000, in.data(), in.size());
  d.start(0x100000, 0x300000, 8);
  vp.idle(1000);  // 100 cycles into the job
  EXPECT_EQ(d.rd("STATUS"), 0x2u);  // busy
  d.wr("CTRL", 2);                  // RESET
  EXPECT_EQ(d.rd("STATUS"), 0x1u);  // idle, no DONE, no ERROR
  EXPECT_EQ(d.rd("IRQ_STATUS"), 0u);
  EXPECT_EQ(d.rd("FRAMES_DONE"), 0u);
  d.start(0x100000, 0x200000, 2);
  ASSERT_TRUE(vp.wait_irq(1'000'000'000));
  EXPECT_EQ(d.rd("STATUS"), 0x5u);
  EXPECT_EQ(d.rd("FRAMES_DONE"), 2u);
  ASSERT_EQ(vp.board().jobs().size(), 2u);
  EXPECT_TRUE(vp.board().jobs()[0].abandoned);
  EXPECT_GT(vp.board().output_dma().dma_stats().beats_dropped, 0u);
  expect_golden_outputs(vp, 0x200000, 2);
}

TEST(Vp, ZeroFramesAndBuffersOutsideDdrAreRefusedWithTheirCause) {
  VirtualPlatform vp(kDesigns + "finn-examples/tfc-w1a1-pynq-z1.yaml", VpOptions{});
  Driver d(vp);
  const uint64_t end = vp.board().ddr_bytes();
  d.start(0x100000, 0x200000, 0);
  EXPECT_EQ(d.rd("STATUS"), 0x1u | 0x8u | (kCauseZeroFrames << 8));
  EXPECT_EQ(d.rd("IRQ_STATUS"), 2u);
  EXPECT_TRUE(vp.wait_irq(0));  // the error interrupt, enabled by start()
  d.wr("IRQ_STATUS", 2);
  d.start(end - 16, 0x200000, 1);  // one 112-byte frame from 16 bytes before the end
  EXPECT_EQ(d.rd("STATUS"), 0x1u | 0x8u | (kCauseInputOutsideDdr << 8));
  d.start(0x100000, end, 1);
  EXPECT_EQ(d.rd("STATUS"), 0x1u | 0x8u | (kCauseOutputOutsideDdr << 8));
  d.start(0x100000, 0x200000, 0xFFFFFFFFu);  // 4 G frames: more than DDR holds
  EXPECT_EQ(d.rd("STATUS"), 0x1u | 0x8u | (kCauseInputOutsideDdr << 8));
  EXPECT_TRUE(vp.board().jobs().empty());
  EXPECT_EQ(vp.board().input_dma().dma_stats().transactions, 0u);
}

TEST(Vp, BadAccessesAreTlmErrorsAndAStartWhileBusyIsCounted) {
  VirtualPlatform vp(kDesigns + "finn-examples/tfc-w1a1-pynq-z1.yaml", VpOptions{});
  Driver d(vp);
  sc_core::sc_report_handler::set_actions("vine/registers", sc_core::SC_WARNING,
                                          sc_core::SC_DO_NOTHING);
  auto status_of = [&](const std::function<void()>& f) {
    try {
      f();
    } catch (const HostCpu::AccessError& e) {
      return e.status;
    }
    return tlm::TLM_OK_RESPONSE;
  };
  EXPECT_EQ(status_of([&] { vp.read32(d.ctrl + 0x800); }), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(status_of([&] { d.wr("ID", 1); }), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(status_of([&] { vp.read32(d.ctrl + 0x2000); }), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(status_of([&] { vp.read32(vp.board().ddr_bytes() + 0x100); }),
            tlm::TLM_ADDRESS_ERROR_RESPONSE);  // between DDR and the registers: no window
  EXPECT_EQ(d.rd("ID"), kIdValue);
  const auto in = input_frames(vp, 4, 1);
  vp.write(0x100000, in.data(), in.size());
  d.start(0x100000, 0x200000, 4);
  d.wr("CTRL", 5);  // START again while busy: ignored, counted
  EXPECT_EQ(d.rd("START_IGNORED"), 1u);
  ASSERT_TRUE(vp.wait_irq(1'000'000'000));
  EXPECT_EQ(d.rd("STATUS"), 0x5u);
  EXPECT_EQ(vp.board().jobs().size(), 1u);
  expect_golden_outputs(vp, 0x200000, 4);
}

}  // namespace
}  // namespace vine::platforms
