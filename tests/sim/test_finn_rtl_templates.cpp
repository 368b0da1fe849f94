// The stage kinds timed from FINN's RTL templates (docs/finn-rtl-templates.md):
// each alone takes its closed form per frame in the steady state and its
// documented fill on the first frame, by numbers derived by hand below; the
// outputs stay bit-exact; `impl_style` picks them and refuses what it cannot
// build, naming the file, line, field and value.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "models/layers/mvau_rtl.h"
#include "models/layers/stage_kinds.h"
#include "models/layers/sliding_window_rtl.h"
#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/run/process_network.h"
#include "sim/run/simulation.h"
#include "tests/sim/temp_config.h"

namespace fs = std::filesystem;
using namespace vine;
using testing_support::error_of;
using testing_support::TempConfig;

namespace {

const fs::path kSource(VINE_SOURCE_DIR);
const std::string kDevice = (kSource / "configs/devices/zcu104.yaml").string();

// A network and a design on it, in the temporary directory.
struct Case {
  TempConfig network, design;
  Case(const std::string& name, const std::string& net, const std::string& layers)
      : network(name + "-net", "network: " + name + "\n" + net),
        design(name, "design: " + name + "\nnetwork: " + network.path.string() + "\ndevice: " + kDevice +
                         "\nclock_mhz: 100\nlayers:\n" + layers) {}
  ir::Design load() const { return config::load_design(design.path.string()); }
};

const ir::StagePlan& planned(const ir::StreamingPlan& plan, const std::string& name) {
  for (const auto& s : plan.stages)
    if (s.name == name) return s;
  throw std::out_of_range("no stage " + name);
}

int64_t estimated_cycles(const ir::Design& d, const std::string& name) {
  for (const auto& l : estimate::estimate_design(d).layers)
    for (const auto& s : l.stages)
      if (s.plan.name == name) return s.cycles;
  throw std::out_of_range("no stage " + name);
}

struct Measured {
  int64_t first_write = -1;      // the stage's first output beat, frame 0
  int64_t busy_per_frame = 0;    // busy cycles of 3 frames minus those of 2
  std::vector<int64_t> frame_last;  // the output DMA's last beat of each frame
  std::string kind;
};

// The stage `name` in timing-only runs of 2, 3 and `frames` frames.
Measured measure(const ir::Design& d, const std::string& name, int frames = 12) {
  Measured m;
  std::map<int, int64_t> busy;
  for (int n : {2, 3}) {
    sim::ProcessNetwork pn(d, {n, true, false}, nullptr, {}, {});
    EXPECT_TRUE(pn.run());
    for (const auto& s : pn.stages())
      if (s->name() == name) {
        busy[n] = s->stats().busy;
        m.first_write = s->stats().first_write;
        m.kind = s->kind();
      }
  }
  m.busy_per_frame = busy[3] - busy[2];
  sim::RunOptions o;
  o.frames = frames;
  o.timing_only = true;
  o.fast_forward = false;
  sim::Simulation run(d, o);
  const sim::RunReport& r = run.run();
  EXPECT_TRUE(r.finished) << r.deadlock;
  m.frame_last = r.frame_last_out_cycles;
  return m;
}

// Consecutive frames leave `cycles` apart once the pipeline fills (the last
// frames sooner: nothing holds them, docs/simulation.md).
void expect_spacing(const Measured& m, int64_t cycles) {
  ASSERT_GE(m.frame_last.size(), 10u);
  for (size_t f = 3; f + 3 < m.frame_last.size(); ++f)
    EXPECT_EQ(m.frame_last[f] - m.frame_last[f - 1], cycles) << "frame " << f;
}

void expect_bit_exact(const ir::Design& d, int frames = 4) {
  sim::RunOptions o;
  o.frames = frames;
  sim::Simulation run(d, o);
  const sim::RunReport& r = run.run();
  ASSERT_TRUE(r.finished) << r.deadlock;
  ASSERT_TRUE(r.outputs_match_reference.has_value());
  EXPECT_TRUE(*r.outputs_match_reference);
}

}  // namespace

// The default-style controller (swg_template_default.sv) on a 3x3 input,
// K = 2, stride 1, one channel fold: BUF_ELEM_TOTAL = (1*3 + 1 + 1) * 1 = 5,
// windows w0 = {0,1,3,4}, w1 = {1,2,4,5}, w2 = {3,4,6,7}, w3 = {4,5,7,8}.
// By hand, cycle by cycle (N = newest beat read, C = beat the next fetch
// reads, F = first beat of the next window; a read needs N - 4 < min(F, C),
// a fetch C <= N):
//   t  0: read 0                    t  6: fetch 1 (F = 3; 5-4 = 1 < min(1,1) fails)
//   t  1: read 1, fetch 0 (F = 1)   t  7: read 6, fetch 2
//   t  2: read 2, fetch 1           t  8: read 7, fetch 4
//   t  3: read 3 (C = 3 > N = 2)    t  9: fetch 5 (3 < min(3,5) fails)
//   t  4: read 4, fetch 3           t 10: fetch 3 (F = 4)
//   t  5: read 5, fetch 4           t 11: read 8 (the last), fetch 4
//   t 12..17: fetch 6, 7, 4, 5, 7, 8 (the last: Fetching_done)
//   t 18: the last beat is written, reading is done: the counters reset.
// 9 reads, 16 fetches, 19 cycles per frame. FINN's get_exp_cycles says
// 5 + 2 * max(2*2*2, 1*3) = 21; Vine's HLS generator 3*2 + 2*8 + 3 = 25.
TEST(FinnRtlTemplates, SlidingWindowScheduleByHand) {
  models::WindowGeometry g;
  g.in_h = g.in_w = 3;
  g.out_h = g.out_w = 2;
  g.kernel_h = g.kernel_w = 2;
  g.stride_h = g.stride_w = 1;
  const models::RtlWindowSchedule s = models::rtl_window_schedule(g);
  EXPECT_EQ(s.buffer_beats, 5);
  EXPECT_EQ(s.period, 19);
  EXPECT_EQ(s.first_fetch, 1);
  std::vector<int64_t> reads, fetches;
  for (size_t k = 0; k < s.cycle.size(); ++k) {
    if (s.what[k] & 1) reads.push_back(s.cycle[k]);
    if (s.what[k] & 2) fetches.push_back(s.cycle[k]);
  }
  EXPECT_EQ(reads, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 7, 8, 11}));
  EXPECT_EQ(fetches, (std::vector<int64_t>{1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}));
}

// The same window in a conv layer (2 output channels, PE 2: the MVAU takes
// 4 folds per pixel, 16 per frame, less than the window's 19). The input DMA
// writes beat 0 in cycle 0, readable in cycle 1: the window reads it then,
// fetches beat 0 one cycle later (first_fetch 1) and writes it in cycle 3.
TEST(FinnRtlTemplates, SlidingWindowTakesItsScheduleFrameAfterFrame) {
  const Case c("swg-rtl",
               "input: {shape: [3, 3, 1], type: unsigned, bits: 4}\nlayers:\n"
               "  - {name: conv, kind: conv, kernel: 2, out_channels: 2, weights: {arithmetic: fixed, bits: 4}, "
               "output: {kind: threshold, type: unsigned, bits: 2}}\n",
               "  conv: {simd: 1, pe: 2, impl_style: {swg: rtl}}\n");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(ir::to_string(planned(plan, "conv.swg").kind), std::string("swg_rtl"));
  EXPECT_EQ(ir::to_string(planned(plan, "conv.mvau").kind), std::string("mvau"));  // the map names swg only
  EXPECT_EQ(estimated_cycles(d, "conv.swg"), 19);
  const Measured m = measure(d, "conv.swg");
  EXPECT_EQ(m.kind, "swg_rtl");
  EXPECT_EQ(m.first_write, 3);
  EXPECT_EQ(m.busy_per_frame, 19);
  expect_spacing(m, 19);
  expect_bit_exact(d);

  const Case hls("swg-hls",
                 "input: {shape: [3, 3, 1], type: unsigned, bits: 4}\nlayers:\n"
                 "  - {name: conv, kind: conv, kernel: 2, out_channels: 2, weights: {arithmetic: fixed, bits: 4}, "
                 "output: {kind: threshold, type: unsigned, bits: 2}}\n",
                 "  conv: {simd: 1, pe: 2}\n");
  EXPECT_EQ(estimated_cycles(hls.load(), "conv.swg"), 25);
}

// A strided, padded, depthwise-ordered window with two channel folds keeps
// its closed form too (the schedule's period, whatever it is), and its data.
TEST(FinnRtlTemplates, StridedDepthwiseWindowRunsAtItsClosedForm) {
  const Case c("swg-rtl-dw",
               "input: {shape: [7, 7, 4], type: unsigned, bits: 4}\nlayers:\n"
               "  - {name: dw, kind: dwconv, kernel: 3, stride: 2, padding: 1, weights: {arithmetic: fixed, bits: 4}, "
               "output: {kind: threshold, type: unsigned, bits: 4}}\n",
               "  dw: {simd: 1, pe: 2, impl_style: {fmpadding: rtl, swg: rtl}}\n");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(ir::to_string(planned(plan, "dw.pad").kind), std::string("fmpadding_rtl"));
  EXPECT_EQ(ir::to_string(planned(plan, "dw.swg").kind), std::string("swg_rtl"));
  EXPECT_EQ(ir::to_string(planned(plan, "dw.vvau").kind), std::string("vvau"));  // thresholds: the HLS VVAU
  const int64_t closed = estimated_cycles(d, "dw.swg");
  const Measured m = measure(d, "dw.swg");
  EXPECT_EQ(m.busy_per_frame, closed);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, closed);  // the window is the bottleneck
  expect_spacing(m, closed);
  expect_bit_exact(d);
}

// MVAU_rtl on a 1x1 conv over 4x4 pixels: MW = 12, SIMD 4 (SF = 3), MH = 8,
// PE 2 (NF = 4): 12 slots per pixel, 192 per frame, FINN's formula too. The
// replay buffer holds 2^ceil(log2 3) = 4 beats: beats 0..3 are read in slots
// 0..3 (beat 3 is pixel 1's first), beat 4 once entry 0's last replay frees
// it, slot (3*3 + 0) + 2 = 11. The first neuron fold's last beat reaches the
// core in slot 2 + 2 = 4 and its results leave 5 + 1 = 6 cycles later. The
// first read comes in cycle 1 (the input DMA's beat 0), so the first write
// is in cycle 1 + 4 + 6 = 11.
TEST(FinnRtlTemplates, MvauReplaysItsInputAndKeepsNfTimesSf) {
  models::MatrixGeometry g{12, 8, 4, 2, 16};
  const models::MvauRtlSlots slots = models::mvau_rtl_slots(g);
  EXPECT_EQ(slots.capacity, 4);
  int64_t prev = -1;
  std::vector<int64_t> reads;
  for (int64_t i = 0; i < 8; ++i) reads.push_back(prev = slots.read_slot(i, prev));
  // Beat 7 = pixel 2's second: entry 3 (pixel 1's first) frees at (1*4+3)*3 + 0 + 2 = 23.
  EXPECT_EQ(reads, (std::vector<int64_t>{0, 1, 2, 3, 11, 12, 13, 23}));
  EXPECT_EQ(slots.write_slot(0, 0), 4);

  const Case c("mvau-rtl",
               "input: {shape: [4, 4, 12], type: unsigned, bits: 4}\nlayers:\n"
               "  - {name: pw, kind: conv, kernel: 1, out_channels: 8, weights: {arithmetic: fixed, bits: 4}, "
               "output: {kind: accumulator}}\n",
               "  pw: {simd: 4, pe: 2, impl_style: rtl}\n");
  const ir::Design d = c.load();
  EXPECT_EQ(ir::to_string(planned(ir::plan_process_network(d), "pw.mvau").kind), std::string("mvau_rtl"));
  EXPECT_EQ(estimated_cycles(d, "pw.mvau"), 192);
  const Measured m = measure(d, "pw.mvau");
  EXPECT_EQ(m.kind, "mvau_rtl");
  EXPECT_EQ(m.first_write, 11);
  EXPECT_EQ(m.busy_per_frame, 192);
  expect_spacing(m, 192);
  expect_bit_exact(d);
}

// With NF = 1 the replay buffer is a wire: a beat reaches the core as it is
// read, and the first write is 1 + (SF - 1) + 6 = 1 + 2 + 6 = 9.
TEST(FinnRtlTemplates, MvauWithoutReplay) {
  const Case c("mvau-rtl-nf1",
               "input: {shape: [1, 1, 12], type: signed, bits: 8}\nlayers:\n"
               "  - {name: fc, kind: fc, out_features: 4, weights: {arithmetic: fixed, bits: 8}, "
               "output: {kind: accumulator}}\n",
               "  fc: {simd: 4, pe: 4, impl_style: rtl}\n");
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "fc.mvau"), 3);
  const Measured m = measure(d, "fc.mvau");
  EXPECT_EQ(m.first_write, 9);
  EXPECT_EQ(m.busy_per_frame, 3);
  expect_spacing(m, 3);
  expect_bit_exact(d, 6);
}

// VVAU_rtl (the VVU core on DSP58) on a depthwise 1x1 layer, so that the
// VVAU reads the input DMA directly and is the bottleneck: 4x4 pixels of 8
// channels at PE 2, K*K = 1: 4 channel folds of 1 beat per pixel, 64 per
// frame. No replay buffer: the beat read in cycle 1 (the input DMA's beat 0)
// is in the core in that cycle, its PE results are valid 3 cycles later
// (L[0:2]: A/B, M, P registers of a one-DSP chain) and leave through
// register B one more: first write in cycle 1 + 0 + 3 + 1 = 5.
TEST(FinnRtlTemplates, VvauWithoutReplayOnItsDsp58Core) {
  const Case c("vvau-rtl",
               "input: {shape: [4, 4, 8], type: signed, bits: 8}\nlayers:\n"
               "  - {name: dw, kind: dwconv, kernel: 1, weights: {arithmetic: fixed, bits: 8}, "
               "output: {kind: accumulator}}\n",
               "  dw: {simd: 1, pe: 2, impl_style: rtl}\n");
  const ir::Design d = c.load();
  EXPECT_EQ(ir::to_string(planned(ir::plan_process_network(d), "dw.vvau").kind), std::string("vvau_rtl"));
  EXPECT_EQ(estimated_cycles(d, "dw.vvau"), 64);
  const Measured m = measure(d, "dw.vvau");
  EXPECT_EQ(m.kind, "vvau_rtl");
  EXPECT_EQ(m.first_write, 5);
  EXPECT_EQ(m.busy_per_frame, 64);
  expect_spacing(m, 64);
  expect_bit_exact(d);
}

// With a 3x3 window the VVAU reads 9 beats per channel fold: a fold's last
// beat, 8 beats after its first, reaches the core as it is read, and its
// results leave 3 + 1 cycles later. The window is the bottleneck here, so
// the fill is taken against the HLS VVAU of the same design: the same reads
// in the same cycles, the first write 4 - P_hls cycles apart (P_hls: the
// HLS VVAU's pipeline, pe_array_latency + weight decoder, from its timing).
TEST(FinnRtlTemplates, VvauOnAWindowTakesItsHlsLoopWithTheDsp58Pipeline) {
  const std::string net =
      "input: {shape: [6, 6, 4], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: dw, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: fixed, bits: 4}, "
      "output: {kind: accumulator}}\n";
  const Case rtl("vvau-rtl-k3", net, "  dw: {simd: 1, pe: 2, impl_style: {vvau: rtl}}\n");
  const Case hls("vvau-hls-k3", net, "  dw: {simd: 1, pe: 2}\n");
  const ir::Design dr = rtl.load(), dh = hls.load();
  // 6x6 pixels x 4/2 channel folds x 9 kernel positions.
  EXPECT_EQ(estimated_cycles(dr, "dw.vvau"), 648);
  EXPECT_EQ(estimated_cycles(dh, "dw.vvau"), 648);
  const Measured mr = measure(dr, "dw.vvau"), mh = measure(dh, "dw.vvau");
  EXPECT_EQ(mr.kind, "vvau_rtl");
  EXPECT_EQ(mr.busy_per_frame, 648);
  const int64_t p_hls = kinds::pipeline_timing(planned(ir::plan_process_network(dh), "dw.vvau"), dh).depth;
  const int64_t p_rtl = kinds::pipeline_timing(planned(ir::plan_process_network(dr), "dw.vvau"), dr).depth;
  EXPECT_EQ(p_rtl, 4);
  EXPECT_EQ(mr.first_write - mh.first_write, p_rtl - p_hls);
  expect_bit_exact(dr);
}

// A VVAU of SIMD > 1 (docs/finn-rtl-templates.md): 6x6x4 input, 3x3 kernel
// padded by 1, PE 2. The VVAU reads SIMD kernel positions of PE channels a
// beat: 36 pixels x 4/2 channel folds x 9/SIMD beats, one per cycle: 216
// with SIMD 3, 72 with SIMD 9. FINN's get_exp_cycles
// (vectorvectoractivation.py) is (Channels x K_h x K_w) / PE / SIMD x Dim_h x
// Dim_w = 4 x 9 / 2 / SIMD x 36: the same 216 and 72. The HLS window packs
// SIMD of its beats into one and keeps its own loop (8x8 padded input:
// 8x3x2 + 6 x max(6x9x2, 8x2) + 3 = 699 cycles), the bottleneck here, so the
// VVAU's busy cycles per frame are its closed form and the frames leave 699
// apart. The RTL VVAU's core: CHAINLEN = ceil(SIMD / 3) DSP58s, SEGLEN = the
// DSPs that fit the period (floor((T - 0.741) / 0.605 + 1), at most the
// chain): at 100 MHz (T = 10 ns) 16, so one pipeline stage and P = 2 + 1 + 1
// = 4 whatever SIMD; at 1000 MHz (T = 1 ns) 1, so SIMD 9's chain of 3 takes
// 3 stages, P = 2 + 3 + 1 = 6, and SIMD 3's chain of 1 keeps P = 4. Its
// DSPs: PE x ceil(SIMD / 3) (FINN's dsp_estimation): 2 and 6.
TEST(FinnRtlTemplates, VvauReadsSimdKernelPositionsPerBeat) {
  const std::string net =
      "input: {shape: [6, 6, 4], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: dw, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: fixed, bits: 4}, "
      "output: {kind: accumulator}}\n";
  for (const char* style : {"", ", impl_style: {vvau: rtl}"})
    for (int simd : {3, 9}) {
      SCOPED_TRACE(std::string("simd ") + std::to_string(simd) + style);
      const Case c(std::string("vvau-simd") + std::to_string(simd) + (*style ? "-rtl" : ""), net,
                   "  dw: {simd: " + std::to_string(simd) + ", pe: 2" + style + "}\n");
      ir::Design d = c.load();
      const ir::StreamingPlan plan = ir::plan_process_network(d);
      EXPECT_EQ(planned(plan, "dw.vvau").in_stream_bits, simd * 2 * 4);  // SIMD x PE elements a beat
      EXPECT_EQ(planned(plan, "dw.swg").out_stream_bits, simd * 2 * 4);
      const int64_t closed = 36 * 2 * 9 / simd;
      EXPECT_EQ(estimated_cycles(d, "dw.vvau"), closed);
      EXPECT_EQ(estimated_cycles(d, "dw.swg"), 699);
      const Measured m = measure(d, "dw.vvau");
      EXPECT_EQ(m.kind, *style ? "vvau_rtl" : "vvau");
      EXPECT_EQ(m.busy_per_frame, closed);
      expect_spacing(m, 699);
      expect_bit_exact(d);
      if (!*style) continue;
      EXPECT_EQ(kinds::pipeline_timing(planned(plan, "dw.vvau"), d).depth, 4);
      d.clock_mhz = 1000;
      EXPECT_EQ(kinds::pipeline_timing(planned(plan, "dw.vvau"), d).depth, simd == 9 ? 6 : 4);
      for (const auto& l : estimate::estimate_design(d).layers)
        for (const auto& st : l.stages)
          if (st.plan.name == "dw.vvau") {
            EXPECT_EQ(st.resources.dsp, simd == 9 ? 6 : 2);
          }
    }
}

// SIMD on a depthwise layer: a divisor of K x K, and not where Vine's VVAU
// takes one kernel position a beat (streamed weights) or where FINN narrows
// the RTL parallel window's K x K positions to it with a converter.
TEST(FinnRtlTemplates, VvauSimdErrors) {
  const std::string net =
      "input: {shape: [6, 6, 4], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: dw, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: fixed, bits: 4}, "
      "output: {kind: accumulator}}\n";
  const Case two("vvau-simd-2", net, "  dw: {simd: 2, pe: 2}\n");
  EXPECT_NE(error_of([&] { two.load(); })
                .find(":6:14: layers.dw.simd: got 2, expected a divisor of KH x KW (kernel positions) of the depthwise "
                      "layer dw = 9"),
            std::string::npos)
      << error_of([&] { two.load(); });
  const Case ddr("vvau-simd-ddr", net, "  dw: {simd: 3, pe: 2, weight_memory: ddr}\n");
  EXPECT_NE(error_of([&] { ddr.load(); }).find("layers.dw.simd: got 3, expected simd 1 for the depthwise layer dw with "
                                                "weight_memory: ddr"),
            std::string::npos)
      << error_of([&] { ddr.load(); });
  const Case swg("vvau-simd-swg-rtl", net, "  dw: {simd: 3, pe: 2, impl_style: {swg: rtl}}\n");
  EXPECT_NE(error_of([&] { estimate::estimate_design(swg.load()); })
                .find("expected simd 1 or KH x KW = 9 on the depthwise layer dw (FINN's RTL window of a VVAU with SIMD > "
                      "1 is its parallel style, a whole window a beat; FINN narrows it to SIMD 3 with a width "
                      "converter"),
            std::string::npos)
      << error_of([&] { estimate::estimate_design(swg.load()); });
}

// The parallel style (swg_template_parallel.sv) by hand: a 4x4 input of one
// channel fold, K = 3, stride 1: 2x2 windows whose last beats are 10, 11, 14
// and 15. Reads in cycles 0..15, one a cycle (Newest_buffered_elem never
// passes Current_elem by more than the read that makes them equal); each
// window written the cycle after its last beat's read: 11, 12, 15, 16; the
// last write comes after the last read, so the counters reset with it: 17
// cycles per frame. FINN's get_exp_cycles for the style: 16 + 2 = 18.
TEST(FinnRtlTemplates, ParallelWindowScheduleByHand) {
  models::WindowGeometry g;
  g.in_h = g.in_w = 4;
  g.out_h = g.out_w = 2;
  g.kernel_h = g.kernel_w = 3;
  g.positions_per_beat = 9;
  const models::RtlWindowSchedule s = models::rtl_parallel_window_schedule(g);
  EXPECT_EQ(s.buffer_beats, 2 * 4 + 2 + 1 + 1);
  EXPECT_EQ(s.period, 17);
  EXPECT_EQ(s.first_fetch, 10);
  std::vector<int64_t> reads, writes;
  for (size_t k = 0; k < s.cycle.size(); ++k) {
    if (s.what[k] & 1) reads.push_back(s.cycle[k]);
    if (s.what[k] & 2) writes.push_back(s.cycle[k] + 1);
  }
  EXPECT_EQ(reads, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(writes, (std::vector<int64_t>{11, 12, 15, 16}));
  // Stride 2 on a 6x6 input: 2x2 windows ending on beats 14, 16, 26 and 28
  // (LAST_WRITE_ELEM), the last column and row never in a window: they are
  // read after the last write (in cycle 29), and the frame ends with the
  // last read (LAST_READ_ELEM 35, cycle 35): 36 cycles.
  g.in_h = g.in_w = 6;
  g.stride_h = g.stride_w = 2;
  const models::RtlWindowSchedule t = models::rtl_parallel_window_schedule(g);
  EXPECT_EQ(t.period, 36);
}

// An MVAU of SIMD K x K x C behind the parallel window: a 6x6x2 input, K = 3,
// 4 output channels at PE 4: the window reads 36 beats of C = 2 channels and
// writes 16 windows of 18 elements; the MVAU takes one SIMD beat per pixel
// (SF = NF = 1), 16 cycles. The window's period: the last window ends on the
// last beat, so 36 reads + 1 = 37 cycles (FINN's get_exp_cycles: 36 + 2 =
// 38). The input DMA's beat 0 is readable in cycle 1: the first window's last
// beat, (2 x 6 + 2) = 14, is read in cycle 15 and the window leaves in 16.
TEST(FinnRtlTemplates, ParallelWindowFeedsAnMvauAWholeWindowABeat) {
  const std::string net =
      "input: {shape: [6, 6, 2], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: conv, kind: conv, kernel: 3, out_channels: 4, weights: {arithmetic: fixed, bits: 4}, "
      "output: {kind: threshold, type: unsigned, bits: 2}}\n";
  const Case c("swg-parallel", net, "  conv: {simd: 18, pe: 4, impl_style: {swg: rtl}}\n");
  const ir::Design d = c.load();
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  EXPECT_EQ(planned(plan, "conv.swg").in_stream_bits, 2 * 4);
  EXPECT_EQ(planned(plan, "conv.swg").out_stream_bits, 18 * 4);
  EXPECT_EQ(planned(plan, "conv.mvau").in_stream_bits, 18 * 4);
  EXPECT_EQ(estimated_cycles(d, "conv.swg"), 37);
  EXPECT_EQ(estimated_cycles(d, "conv.mvau"), 16);
  const Measured m = measure(d, "conv.swg");
  EXPECT_EQ(m.kind, "swg_rtl");
  EXPECT_EQ(m.first_write, 16);
  EXPECT_EQ(m.busy_per_frame, 37);
  expect_spacing(m, 37);
  expect_bit_exact(d);
  // SIMD above C only as a whole window from the RTL window.
  const Case hls("swg-parallel-hls", net, "  conv: {simd: 18, pe: 4}\n");
  EXPECT_NE(error_of([&] { hls.load(); })
                .find("layers.conv.simd: got 18, expected a divisor of the input channels of conv = 2, or KH x KW x C = "
                      "18 with the RTL window (impl_style: {swg: rtl}"),
            std::string::npos)
      << error_of([&] { hls.load(); });
  const Case six("swg-parallel-6", net, "  conv: {simd: 6, pe: 4, impl_style: {swg: rtl}}\n");
  EXPECT_NE(error_of([&] { six.load(); }).find("layers.conv.simd: got 6, expected a divisor of the input channels of conv = 2, or KH x KW x C = 18"),
            std::string::npos)
      << error_of([&] { six.load(); });
}

// A VVAU of SIMD K x K behind the parallel window (FINN's set_folding sets
// parallel_window for it): 6x6x4 padded to 8x8, PE 2 (cf = 2): 128 reads,
// the last window ending on the last beat: 129 cycles per frame (FINN: 130).
// The VVAU takes one beat per channel fold: 36 x 2 = 72 cycles, so the
// window is the bottleneck, now at 129 against the HLS window's 699.
TEST(FinnRtlTemplates, ParallelWindowFeedsAVvauOfSimdKxK) {
  const std::string net =
      "input: {shape: [6, 6, 4], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: dw, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: fixed, bits: 4}, "
      "output: {kind: accumulator}}\n";
  const Case c("swg-parallel-dw", net, "  dw: {simd: 9, pe: 2, impl_style: rtl}\n");
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "dw.swg"), 129);
  EXPECT_EQ(estimated_cycles(d, "dw.vvau"), 72);
  EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 129);
  const Measured w = measure(d, "dw.swg"), v = measure(d, "dw.vvau");
  EXPECT_EQ(w.busy_per_frame, 129);
  EXPECT_EQ(v.kind, "vvau_rtl");
  EXPECT_EQ(v.busy_per_frame, 72);
  expect_spacing(w, 129);
  expect_bit_exact(d);
}

// Thresholding_rtl with a 2-bit output: N = 2 search stages of two registers
// each, then the output queue and register: 2*2 + 2 = 6. 4x4 pixels of 4
// channels at PE 2: 32 beats per frame, one per cycle. First read in cycle
// 1, first write in cycle 7.
TEST(FinnRtlTemplates, ThresholdingSearchesTwoCyclesPerBit) {
  const Case c("thr-rtl",
               "input: {shape: [4, 4, 4], type: signed, bits: 8}\nlayers:\n"
               "  - {name: th, kind: threshold, output: {kind: threshold, type: unsigned, bits: 2}}\n",
               "  th: {pe: 2, impl_style: rtl}\n");
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "th.threshold"), 32);
  const Measured m = measure(d, "th.threshold");
  EXPECT_EQ(m.kind, "threshold_rtl");
  EXPECT_EQ(m.first_write, 7);
  EXPECT_EQ(m.busy_per_frame, 32);
  expect_spacing(m, 32);
  expect_bit_exact(d);
}

// FMPadding_rtl: 4x4x2 padded by 1 is 6x6 beats at PE 2, 36 per frame; its
// first beat is pad, written through register B in cycle 1.
TEST(FinnRtlTemplates, PaddingWritesABeatPerCycle) {
  const Case c("pad-rtl",
               "input: {shape: [4, 4, 2], type: unsigned, bits: 4}\nlayers:\n"
               "  - {name: p, kind: pad, padding: 1}\n",
               "  p: {pe: 2, impl_style: rtl}\n");
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "p.pad"), 36);
  const Measured m = measure(d, "p.pad");
  EXPECT_EQ(m.kind, "fmpadding_rtl");
  EXPECT_EQ(m.first_write, 1);
  EXPECT_EQ(m.busy_per_frame, 36);
  expect_spacing(m, 36);
  expect_bit_exact(d);
}

// StreamingDataWidthConverter_rtl: fc0 writes 4 x 2 bits, one beat per cycle
// (SF = 1), fc1 reads 2 x 2 bits (narrowing by 2: 2 cycles, A then C) or
// 8 x 2 bits (widening by 2: 1 cycle). Narrowing, the converter reads fc0's
// first beat the cycle after fc0 writes it (the FIFO's latency) and writes
// its first part 2 cycles later; its next read (fc0's second beat, there a
// cycle later) comes with that write, so nothing stalls it.
TEST(FinnRtlTemplates, WidthConverterNarrowsInTwoCycles) {
  const std::string net =
      "input: {shape: [1, 1, 16], type: unsigned, bits: 2}\nlayers:\n"
      "  - {name: fc0, kind: fc, out_features: 16, weights: {arithmetic: fixed, bits: 2}, output: {kind: threshold, "
      "type: unsigned, bits: 2}}\n"
      "  - {name: fc1, kind: fc, out_features: 4, weights: {arithmetic: fixed, bits: 2}, output: {kind: threshold, "
      "type: unsigned, bits: 2}}\n";
  for (int simd : {2, 8}) {
    const Case c("dwc-rtl-" + std::to_string(simd), net,
                 "  fc0: {simd: 16, pe: 4}\n  fc1: {simd: " + std::to_string(simd) + ", pe: 1, impl_style: {dwc: rtl}}\n");
    const ir::Design d = c.load();
    const ir::StagePlan& s = planned(ir::plan_process_network(d), "fc1.dwc_in");
    EXPECT_EQ(ir::to_string(s.kind), std::string("dwc_rtl"));
    const int depth = simd == 2 ? 2 : 1;
    sim::ProcessNetwork pn(d, {1, true, false}, nullptr, {}, {});
    ASSERT_TRUE(pn.run());
    int64_t fc0 = -1, dwc = -1;
    for (const auto& st : pn.stages()) {
      if (st->name() == "fc0.mvau") fc0 = st->stats().first_write;
      if (st->name() == "fc1.dwc_in") {
        dwc = st->stats().first_write;
        EXPECT_EQ(st->timing().depth, depth);
      }
    }
    // Widening writes once a whole beat is in: fc0's second beat, read a cycle after it is written.
    if (simd == 2)
      EXPECT_EQ(dwc, fc0 + 1 + 2);
    else
      EXPECT_GT(dwc, fc0 + 1);
    expect_bit_exact(d);
  }
}

// `impl_style` is data: its errors name the file, line, field and value.
TEST(FinnRtlTemplates, ImplStyleErrors) {
  const std::string net =
      "input: {shape: [6, 6, 4], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: conv, kind: conv, kernel: 3, out_channels: 4, weights: {arithmetic: fixed, bits: 4}, output: "
      "{kind: threshold, type: unsigned, bits: 4}}\n"
      "  - {name: pool, kind: maxpool, kernel: 2, stride: 2}\n";
  auto error = [&](const std::string& name, const std::string& layers) {
    const Case c(name, net, layers);
    return error_of([&] {
      const ir::Design d = c.load();
      ir::plan_process_network(d);
    });
  };
  const std::string bad_value = error("impl-verilog", "  conv: {simd: 4, pe: 4, impl_style: verilog}\n");
  EXPECT_NE(bad_value.find("vine-test-impl-verilog.yaml:6"), std::string::npos) << bad_value;
  EXPECT_NE(bad_value.find("impl_style"), std::string::npos) << bad_value;
  EXPECT_NE(bad_value.find("verilog"), std::string::npos) << bad_value;
  EXPECT_NE(bad_value.find("hls"), std::string::npos) << bad_value;

  const std::string bad_kind = error("impl-pool-kind", "  conv: {simd: 4, pe: 4, impl_style: {maxpool: rtl}}\n");
  EXPECT_NE(bad_kind.find("a stage kind Vine times from a FINN RTL template"), std::string::npos) << bad_kind;
  EXPECT_NE(bad_kind.find("maxpool"), std::string::npos) << bad_kind;

  // An MVAU with thresholds: FINN's RTL MVU has none.
  const std::string thresholds = error("impl-thresholds", "  conv: {simd: 4, pe: 4, impl_style: rtl}\n");
  EXPECT_NE(thresholds.find("an accumulator output on conv"), std::string::npos) << thresholds;
  EXPECT_NE(thresholds.find("impl_style"), std::string::npos) << thresholds;
  EXPECT_EQ(error("impl-swg-only", "  conv: {simd: 4, pe: 4, impl_style: {swg: rtl}}\n"), "(no error)");
  // A VVAU with thresholds: FINN's RTL VVU has none either.
  const std::string dw_net =
      "input: {shape: [6, 6, 4], type: unsigned, bits: 4}\nlayers:\n"
      "  - {name: dw, kind: dwconv, kernel: 3, weights: {arithmetic: fixed, bits: 4}, output: "
      "{kind: threshold, type: unsigned, bits: 4}}\n";
  const Case dw_case("impl-vvau-thresholds", dw_net, "  dw: {pe: 4, impl_style: {vvau: rtl}}\n");
  const std::string dw = error_of([&] { ir::plan_process_network(dw_case.load()); });
  EXPECT_NE(dw.find("an accumulator output on dw"), std::string::npos) << dw;
  EXPECT_NE(dw.find("vvau_rtl"), std::string::npos) << dw;

  // Nothing to time from RTL: a pool, or padding on an unpadded conv.
  const std::string pool = error("impl-pool", "  conv: {simd: 4, pe: 4}\n  pool: {pe: 4, impl_style: rtl}\n");
  EXPECT_NE(pool.find("pool.impl_style"), std::string::npos) << pool;
  EXPECT_NE(pool.find("none of which has an RTL variant"), std::string::npos) << pool;
  const std::string pad = error("impl-pad", "  conv: {simd: 4, pe: 4, impl_style: {fmpadding: rtl}}\n");
  EXPECT_NE(pad.find("a stage kind of conv's chain (it builds swg, mvau)"), std::string::npos) << pad;
  const std::string dwc = error("impl-dwc", "  conv: {simd: 4, pe: 4, impl_style: {dwc: rtl}}\n");
  EXPECT_NE(dwc.find("a width converter on conv's streams"), std::string::npos) << dwc;
}

// The fast-forward of timing-only runs (docs/simulation.md) skips frames of
// the RTL kinds' loops (the window's schedule, the MVAU's shifted slots) and
// reproduces a full run's cycles exactly.
TEST(FinnRtlTemplates, FastForwardIsExact) {
  const Case c("rtl-ffwd",
               "input: {shape: [7, 7, 4], type: unsigned, bits: 4}\nlayers:\n"
               "  - {name: dw, kind: dwconv, kernel: 3, stride: 2, padding: 1, weights: {arithmetic: fixed, bits: 4}, "
               "output: {kind: accumulator}}\n"
               "  - {name: th, kind: threshold, output: {kind: threshold, type: unsigned, bits: 4}}\n"
               "  - {name: pw, kind: conv, kernel: 1, out_channels: 8, weights: {arithmetic: fixed, bits: 4}, "
               "output: {kind: accumulator}}\n",
               "  dw: {simd: 1, pe: 2, impl_style: rtl}\n  th: {pe: 2, impl_style: rtl}\n"
               "  pw: {simd: 2, pe: 2, impl_style: rtl}\n");
  const ir::Design d = c.load();
  sim::RunOptions o;
  o.frames = 60;
  o.timing_only = true;
  sim::Simulation fast(d, o);
  const sim::RunReport& a = fast.run();
  o.fast_forward = false;
  sim::Simulation full(d, o);
  const sim::RunReport& b = full.run();
  EXPECT_GT(a.fast_forward.frames_skipped, 0);
  EXPECT_EQ(b.fast_forward.frames_skipped, 0);
  EXPECT_EQ(a.frame_last_out_cycles, b.frame_last_out_cycles);
  EXPECT_EQ(a.cycles_total, b.cycles_total);
  EXPECT_EQ(a.interval_cycles, b.interval_cycles);
}
