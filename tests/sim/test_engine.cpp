// The compute-engine template (docs/engine.md): bit-exact runs with dense and
// OVSF-generated weights, the closed form against the simulation, a layer's
// cycles derived by hand, and the config errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "models/engine/compute_engine.h"
#include "models/engine/engine_ddr_image.h"
#include "models/memory/ddr_memory.h"
#include "models/memory/payload.h"
#include "sim/config/loaders.h"
#include "sim/engine/engine_estimate.h"
#include "sim/engine/engine_resources.h"
#include "sim/estimate/generator_cost.h"
#include "sim/estimate/lane_cost.h"
#include "vine_rtl_synth.h"
#include "vine_rtl_timing.h"
#include "sim/engine/engine_run.h"
#include "sim/golden/network_params.h"
#include "sim/ir/layer_sums.h"
#include "tests/sim/run_vine.h"
#include "tests/sim/temp_config.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
using testing_support::error_of;
using testing_support::TempConfig;

const fs::path kSource = VINE_SOURCE_DIR;
const std::string kDense = (kSource / "examples/engine/resnet-tiny-zcu104.yaml").string();
const std::string kGenerated = (kSource / "examples/engine/resnet-tiny-ovsf-zcu104.yaml").string();
// resnet-tiny with 16-bit activations: sums beyond 32 bits (ir::wide_sums).
const std::string kSixteenBit = (kSource / "examples/engine/resnet-tiny-w16a16-zcu104.yaml").string();
const std::string kZcu104 = (kSource / "configs/devices/zcu104.yaml").string();

// A design of `network` (a path) on the ZCU104 with `engine` as its engine: section.
std::string engine_design(const std::string& network, const std::string& engine) {
  return "design: t\nnetwork: " + network + "\ndevice: " + kZcu104 +
         "\ntemplate: engine\nclock_mhz: 200\nengine:\n" + engine;
}

// Per-layer figures equal, field by field.
void expect_same_figures(const engine::EngineFigures& a, const engine::EngineFigures& b) {
  ASSERT_EQ(a.layers.size(), b.layers.size());
  EXPECT_EQ(a.cycles, b.cycles);
  for (size_t i = 0; i < a.layers.size(); ++i) {
    SCOPED_TRACE(a.layers[i].name);
    EXPECT_EQ(a.layers[i].cycles, b.layers[i].cycles);
    EXPECT_EQ(a.layers[i].compute, b.layers[i].compute);
    EXPECT_EQ(a.layers[i].weight_wait, b.layers[i].weight_wait);
    EXPECT_EQ(a.layers[i].activation_wait, b.layers[i].activation_wait);
    EXPECT_EQ(a.layers[i].macs, b.layers[i].macs);
    EXPECT_EQ(a.layers[i].ddr_read_bytes, b.layers[i].ddr_read_bytes);
    EXPECT_EQ(a.layers[i].ddr_write_bytes, b.layers[i].ddr_write_bytes);
    EXPECT_EQ(a.layers[i].generated_weights, b.layers[i].generated_weights);
  }
}

TEST(EngineRun, DenseWeightsBitExactThroughSeveralTilesAndGroups) {
  const ir::Design d = config::load_design(kDense);
  const engine::EngineRunResult r = engine::run_engine(d, 3, 7);
  EXPECT_TRUE(r.outputs_match) << "first mismatch at frame " << r.first_mismatch;
  EXPECT_TRUE(r.same_cycles_every_frame);
  // The run went through halos, several row tiles and several channel groups.
  int multi_row = 0, multi_group = 0;
  for (const auto& l : r.figures.layers) {
    multi_row += l.row_tiles > 1;
    multi_group += l.groups > 1;
  }
  EXPECT_GE(multi_row, 3);
  EXPECT_GE(multi_group, 3);
  EXPECT_EQ(r.checksums.size(), 3u);
  EXPECT_NE(r.checksums[0], r.checksums[1]);  // different frames, different outputs
}

TEST(EngineRun, GeneratedWeightsBitExact) {
  const ir::Design d = config::load_design(kGenerated);
  const engine::EngineRunResult r = engine::run_engine(d, 2, 3);
  EXPECT_TRUE(r.outputs_match) << "first mismatch at frame " << r.first_mismatch;
  const ir::Design dense = config::load_design(kDense);
  const engine::EngineRunResult rd = engine::run_engine(dense, 1, 3);
  ASSERT_EQ(r.figures.layers.size(), rd.figures.layers.size());
  for (size_t i = 0; i < r.figures.layers.size(); ++i) {
    const auto& g = r.figures.layers[i];
    const auto& l = d.network.layers[i];
    SCOPED_TRACE(g.name);
    if (!l.has_weights()) continue;
    // Every weight of the layer made by the generator, once per group load;
    // from DDR only the coefficients, fewer bytes than the dense weights.
    EXPECT_TRUE(g.generated);
    EXPECT_GE(g.generated_weights, l.matrix_height() * l.matrix_width());
    EXPECT_GT(g.weight_ddr_bytes, 0);
    EXPECT_LT(g.weight_ddr_bytes, rd.figures.layers[i].weight_ddr_bytes);
  }
}

// Depthwise (one group of all channels; generated and dense) and pointwise
// layers, stride 2, a pad layer and a max pool over it (ResNet's stem), one
// output row per tile, on a 4 x 4 array.
TEST(EngineRun, DepthwiseAndPointwiseBitExact) {
  TempConfig net("engine-dw-net",
                 "network: dw\ninput: {shape: [9, 9, 16], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: dw1, kind: dwconv, kernel: 3, stride: 2, padding: 1, weights: "
                 "{arithmetic: fixed, bits: "
                 "8}, generated_weights: {kept_ratio: 0.5, coeff_bits: 4}, output: {kind: requant, "
                 "type: signed, "
                 "bits: 8}}\n"
                 "  - {name: pw1, kind: conv, kernel: 1, out_channels: 24, weights: {arithmetic: "
                 "fixed, bits: 8}, "
                 "output: {kind: requant, type: unsigned, bits: 8}}\n"
                 "  - {name: dw2, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: "
                 "fixed, bits: 8}, output: "
                 "{kind: requant, type: signed, bits: 8}}\n"
                 "  - {name: pad3, kind: pad, padding: 1, pad_value: -128}\n"
                 "  - {name: pool3, kind: maxpool, kernel: 3, stride: 2}\n");
  TempConfig design("engine-dw",
                    engine_design(net.path.string(),
                                  "  t_in: 4\n  t_out: 4\n  input_buffer_bytes: 600\n"
                                  "  output_buffer_bytes: 200\n  generator_lanes: 4\n"));
  const ir::Design d = config::load_design(design.path.string());
  const engine::EngineRunResult r = engine::run_engine(d, 2, 5);
  EXPECT_TRUE(r.outputs_match) << "first mismatch at frame " << r.first_mismatch;
  ASSERT_EQ(r.figures.layers.size(), 5u);
  EXPECT_EQ(r.figures.layers[3].row_tiles, 7);  // pad3: a row a tile, two of them all padding
  EXPECT_GT(r.figures.layers[0].row_tiles, 1);
  EXPECT_EQ(r.figures.layers[0].groups, 1);
  EXPECT_EQ(r.figures.layers[0].generated_weights, 16 * 9);  // once: one group
  EXPECT_EQ(r.figures.layers[1].groups, 6);
  expect_same_figures(engine::estimate_engine(d), r.figures);
}

// 16-bit weights on 16-bit activations (w16a16): sums of 3 x 3 x 32 windows
// reach 288 x 2^30 (40 bits signed), which the engine's array holds in 64
// (the golden reference's own 64-bit sums are pinned by ReferenceWideSums),
// dense and generated, through several row tiles and channel groups.
TEST(EngineRun, SixteenBitActivationsWithSumsBeyond32BitsBitExact) {
  TempConfig net("engine-w16a16-net",
                 "network: w16a16\ninput: {shape: [8, 8, 32], type: signed, bits: 16}\nlayers:\n"
                 "  - {name: c1, kind: conv, kernel: 3, padding: 1, out_channels: 12, weights: {arithmetic: fixed, "
                 "bits: 16}, output: {kind: requant, type: signed, bits: 16}}\n"
                 "  - {name: c2, kind: conv, kernel: 3, stride: 2, padding: 1, out_channels: 8, weights: {arithmetic: "
                 "fixed, bits: 16}, generated_weights: {kept_ratio: 0.5, coeff_bits: 16}, output: {kind: requant, "
                 "type: signed, bits: 16}}\n"
                 "  - {name: dw, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: fixed, bits: 16}, "
                 "output: {kind: threshold, type: unsigned, bits: 4}}\n"
                 "  - {name: fc, kind: fc, out_features: 10, weights: {arithmetic: fixed, bits: 16}, "
                 "output: {kind: requant, type: signed, bits: 16}}\n");
  TempConfig design("engine-w16a16",
                    engine_design(net.path.string(),
                                  "  t_in: 4\n  t_out: 4\n  input_buffer_bytes: 2048\n"
                                  "  output_buffer_bytes: 512\n  generator_lanes: 4\n"));
  const ir::Design d = config::load_design(design.path.string());
  for (const char* wide : {"c1", "c2", "dw"})
    EXPECT_TRUE(ir::wide_sums(d.network.layers[size_t(d.network.find_layer(wide))])) << wide;
  const engine::EngineRunResult r = engine::run_engine(d, 2, 9);
  EXPECT_TRUE(r.outputs_match) << "first mismatch at frame " << r.first_mismatch;
  EXPECT_GT(r.figures.layers[0].row_tiles, 1);
  EXPECT_GT(r.figures.layers[0].groups, 1);
  EXPECT_NE(r.checksums[0], r.checksums[1]);
  expect_same_figures(engine::estimate_engine(d), r.figures);
}

// The check can fail: an engine holding other weights than the reference's
// produces other outputs.
TEST(EngineRun, OtherWeightsAreCaught) {
  const ir::Design d = config::load_design(kDense);
  const golden::NetworkParams engine_params = golden::synthesize_params(d.network, 1);
  const golden::NetworkParams reference_params = golden::synthesize_params(d.network, 2);
  models::ComputeEngine e(d, engine_params);
  const golden::IntTensor input = golden::synthesize_input(d.network, 1, 0);
  engine::EngineFigures f;
  const golden::IntTensor out = e.run_frame(input, 0, f);
  EXPECT_EQ(out.data, golden::Reference(d.network, engine_params).run(input).data);
  EXPECT_NE(out.data, golden::Reference(d.network, reference_params).run(input).data);
}

// The engine computes on the DDR's bytes (docs/engine.md, "The DMA on TLM"):
// every transfer is a b_transport of the engine's master on the DDR model,
// the output region of the store holds the reference's output, and a weight
// changed in the store (as software writing other weights would) changes
// the output.
TEST(EngineDdr, TheEngineComputesOnTheBytesInTheDdrStore) {
  const ir::Design d = config::load_design(kDense);
  const golden::NetworkParams params = golden::synthesize_params(d.network, 3);
  const golden::IntTensor input = golden::synthesize_input(d.network, 3, 0);
  const golden::IntTensor expected = golden::Reference(d.network, params).run(input);
  models::ComputeEngine e(d, params);
  ASSERT_NE(e.ddr_memory(), nullptr);
  engine::EngineFigures f;
  EXPECT_EQ(e.run_frame(input, 0, f).data, expected.data);
  // The DDR saw the engine's every transfer, the bytes the report counts.
  int64_t read = 0, written = 0;
  for (const auto& l : f.layers) {
    read += l.ddr_read_bytes;
    written += l.ddr_write_bytes;
  }
  const models::DdrInitiatorStats s = e.ddr_memory()->stats(0);
  EXPECT_EQ(int64_t(s.bytes_read), read);
  EXPECT_EQ(int64_t(s.bytes_written), written);
  EXPECT_EQ(s.reads, e.dma().stats().reads);
  EXPECT_EQ(s.writes, e.dma().stats().writes);
  // The output region's bytes are the reference's outputs (the classifier's
  // 32-bit sums: 4 bytes each).
  const engine::Transfer out = models::output_region(d, e.plan());
  std::vector<uint8_t> bytes(out.bytes);
  tlm::tlm_generic_payload p;
  models::prepare_payload(p, tlm::TLM_READ_COMMAND, out.address, bytes.data(), unsigned(out.bytes));
  ASSERT_EQ(e.ddr_memory()->transport_dbg(0, p), out.bytes);
  ASSERT_EQ(bytes.size(), 4 * expected.size());
  EXPECT_EQ(models::decode_output(d, bytes).data, expected.data);
  // One weight byte of the first layer changed in the store: the output differs.
  const uint64_t w = e.plan().layers[0].tiles[0].weight_loads.at(0).address;
  uint8_t b = 0;
  models::prepare_payload(p, tlm::TLM_READ_COMMAND, w, &b, 1);
  e.ddr_memory()->transport_dbg(0, p);
  b ^= 0x40;
  models::prepare_payload(p, tlm::TLM_WRITE_COMMAND, w, &b, 1);
  e.ddr_memory()->transport_dbg(0, p);
  EXPECT_NE(e.run_frame(input, f.cycles, f).data, expected.data);
}

// A DDR that answers with an error response (an address it does not
// decode): an error naming the transfer (the first: conv1's first group of
// 8 filters x 27 weights x 2 bytes, at its 4 KiB-aligned region), not a crash.
TEST(EngineDdr, ATransferOutsideTheDdrIsAnErrorNamingIt) {
  const ir::Design d = config::load_design(kDense);
  const golden::NetworkParams params = golden::synthesize_params(d.network, 1);
  int calls = 0;
  models::ComputeEngine e(d, params, [&](tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    ++calls;
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
  engine::EngineFigures f;
  try {
    e.run(0, f);
    FAIL() << "expected an EngineDmaError";
  } catch (const models::EngineDmaError& x) {
    EXPECT_NE(std::string(x.what()).find("reading the weights of conv1 (432 bytes at 0x1000)"), std::string::npos) << x.what();
    EXPECT_NE(std::string(x.what()).find("ADDRESS_ERROR"), std::string::npos) << x.what();
  }
  EXPECT_EQ(calls, 1);
}

TEST(EngineClosedForm, EqualsTheSimulationOnTheWholeNetwork) {
  for (const std::string& path : {kDense, kGenerated, kSixteenBit}) {
    SCOPED_TRACE(path);
    const ir::Design d = config::load_design(path);
    const engine::EngineRunResult r = engine::run_engine(d, 2, 1);
    expect_same_figures(engine::estimate_engine(d), r.figures);
    EXPECT_EQ(r.cycles_total, 2 * r.figures.cycles);
    // Some layer waits for weights, and some for activations.
    int64_t ww = 0, aw = 0;
    for (const auto& l : r.figures.layers) {
      ww += l.weight_wait;
      aw += l.activation_wait;
      EXPECT_EQ(l.cycles, l.compute + l.weight_wait + l.activation_wait);
    }
    EXPECT_GT(ww, 0);
    EXPECT_GT(aw, 0);
  }
}

// One conv layer, derived by hand. 4 x 4 x 8 unsigned 8-bit input, 3 x 3
// conv, padding 1, 8 filters of 16-bit weights, 8-bit outputs; an 8 x 8 array
// and buffers that hold the whole layer: one tile. ZCU104 DDR: 8-byte beats
// at 2400 MT/s (416.67 ps), efficiency 0.8 (6.4 bytes a beat), 100 ns
// latency, 64-byte bursts; 200 MHz engine (5 ns).
//   input, 128 bytes at 0: 20 beats = 8333 ps, + 100 ns = 108.3 ns -> 22 cycles
//   weights, 8 x 72 x 2 = 1152 bytes at 4096: 180 beats = 75 ns, + 100 ns -> 35 cycles
//   phase 0 (loads, one after the other): 22 + 35 = 57
//   phase 1: the array, 16 pixels x 9 positions x ceil(8 / 8) = 144 cycles + 8 overhead = 152
//   phase 2: the output store, 128 bytes: 22 cycles
//   layer: 57 + 152 + 22 = 231 cycles; 152 computing, 35 waiting for weights, 44 for activations.
TEST(EngineClosedForm, OneConvLayerByHand) {
  TempConfig net("engine-one-conv-net",
                 "network: one\ninput: {shape: [4, 4, 8], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 3, padding: 1, out_channels: 8, weights: "
                 "{arithmetic: fixed, "
                 "bits: 16}, output: {kind: requant, type: unsigned, bits: 8}}\n");
  TempConfig design(
      "engine-one-conv",
      engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n  tile_overhead_cycles: 8\n"));
  const ir::Design d = config::load_design(design.path.string());
  const engine::EngineFigures e = engine::estimate_engine(d);
  ASSERT_EQ(e.layers.size(), 1u);
  EXPECT_EQ(e.layers[0].tiles, 1);
  EXPECT_EQ(e.cycles, 231);
  EXPECT_EQ(e.layers[0].compute, 152);
  EXPECT_EQ(e.layers[0].weight_wait, 35);
  EXPECT_EQ(e.layers[0].activation_wait, 44);
  const engine::EngineRunResult r = engine::run_engine(d, 1, 1);
  EXPECT_TRUE(r.outputs_match);
  expect_same_figures(e, r.figures);
}

// The same layer's weights generated: 72 weights pad to L = 128, a quarter
// kept = 32 codes (LATENCY = 2 + tree_stages(32) = 5), 16 lanes: 8 filters x
// ceil(72 / 16) = 5 groups = 40 beats + 5 = 45 generator cycles. The
// coefficients, 8 x 32 x 1 + 32 x 4 = 384 bytes: 60 beats = 25 ns + 100 ns
// -> 25 cycles, a phase of their own. Phase 0: max(input 22, generator 45) =
// 45. Total 25 + 45 + 152 + 22 = 244.
TEST(EngineClosedForm, OneGeneratedConvLayerByHand) {
  TempConfig net("engine-one-gen-net",
                 "network: one\ninput: {shape: [4, 4, 8], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 3, padding: 1, out_channels: 8, weights: "
                 "{arithmetic: fixed, "
                 "bits: 16}, generated_weights: {kept_ratio: 0.25, coeff_bits: 8}, output: {kind: "
                 "requant, type: "
                 "unsigned, bits: 8}}\n");
  TempConfig design(
      "engine-one-gen",
      engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n  generator_lanes: 16\n"));
  const ir::Design d = config::load_design(design.path.string());
  const engine::EngineFigures e = engine::estimate_engine(d);
  EXPECT_EQ(e.cycles, 244);
  EXPECT_EQ(e.layers[0].generated_weights, 8 * 72);
  EXPECT_EQ(e.layers[0].weight_wait, 25 + 45 - 22);
  const engine::EngineRunResult r = engine::run_engine(d, 1, 1);
  EXPECT_TRUE(r.outputs_match);
  expect_same_figures(e, r.figures);
}

// Input-selective PEs where they help, derived by hand: a 4 x 4 x 4 input
// (4 input channels on 8 lanes), 3 x 3 conv, padding 1, 8 filters of 16-bit
// weights, 8-bit outputs, an 8 x 8 array, one tile. ZCU104 DDR as above
// (6.4 bytes a beat of 416.67 ps, 100 ns latency, 64-byte bursts), 200 MHz.
//   input, 64 bytes at 0: 1 burst = 10 beats = 4.17 ns, + 100 ns -> 21 cycles
//   weights, 8 x 36 x 2 = 576 bytes at 4096: 9 bursts = 90 beats = 37.5 ns,
//     + 100 ns = 137.5 ns -> 28 cycles
//   phase 0: 21 + 28 = 49
//   phase 1, wired lanes: 16 pixels x 9 positions x ceil(4 / 8) = 144, + 8 = 152
//            selective:   16 pixels x ceil(9 x 4 / 8) = 16 x 5 = 80, + 8 = 88
//   phase 2: the output, 128 bytes at 8192: 2 bursts = 20 beats, + 100 ns -> 22
//   layer: wired 49 + 152 + 22 = 223; selective 49 + 88 + 22 = 159.
// Utilisation: 16 x 9 x 4 x 8 = 4608 MACs over 64 lanes: 4608 / (64 x 223)
// = 32.3% wired, 4608 / (64 x 159) = 45.3% selective.
TEST(EngineInputSelectivePes, HelpOnFourInputChannelsByHand) {
  TempConfig net("engine-sel-net",
                 "network: one\ninput: {shape: [4, 4, 4], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 3, padding: 1, out_channels: 8, weights: "
                 "{arithmetic: fixed, bits: 16}, output: {kind: requant, type: unsigned, bits: 8}}\n");
  TempConfig wired("engine-sel-off",
                   engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n"));
  TempConfig selective(
      "engine-sel-on",
      engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n  input_selective_pes: true\n"));
  const ir::Design dw = config::load_design(wired.path.string());
  const ir::Design ds = config::load_design(selective.path.string());
  const engine::EngineFigures w = engine::estimate_engine(dw), s = engine::estimate_engine(ds);
  EXPECT_EQ(w.cycles, 223);
  EXPECT_EQ(s.cycles, 159);
  EXPECT_EQ(s.layers[0].compute, 88);
  EXPECT_EQ(s.layers[0].cycles_without_selection, 223);
  EXPECT_EQ(w.layers[0].cycles_without_selection, 0);  // off: nothing to compare with
  EXPECT_NEAR(s.layers[0].utilisation(8, 8), 4608.0 / (64 * 159), 1e-12);
  EXPECT_NEAR(s.layers[0].utilisation_without_selection(8, 8), 4608.0 / (64 * 223), 1e-12);
  // The simulation takes the same cycles, and the outputs are the same, and right.
  const engine::EngineRunResult rw = engine::run_engine(dw, 1, 4), rs = engine::run_engine(ds, 1, 4);
  EXPECT_TRUE(rs.outputs_match);
  EXPECT_EQ(rs.checksums, rw.checksums);
  expect_same_figures(s, rs.figures);
  EXPECT_EQ(rs.figures.layers[0].cycles_without_selection, 223);
}

// Where every layer's input channels fill T_in (multiples of it) and the
// layer is fully connected (its inputs already flattened), selection changes
// nothing: the one-conv layer above (8 input channels on 8 lanes, 231
// cycles) and the dense example's fc. The depthwise example is faster with
// them (9 window words on 4 lanes: 3 cycles a pixel instead of 9) and
// bit-exact.
TEST(EngineInputSelectivePes, ChangeNothingWhereTheChannelsFillTheLanes) {
  TempConfig net("engine-sel-full-net",
                 "network: one\ninput: {shape: [4, 4, 8], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 3, padding: 1, out_channels: 8, weights: "
                 "{arithmetic: fixed, bits: 16}, output: {kind: requant, type: unsigned, bits: 8}}\n"
                 "  - {name: fc, kind: fc, out_features: 10, weights: {arithmetic: fixed, bits: 8}, "
                 "output: {kind: accumulator}}\n");
  TempConfig off("engine-sel-full-off", engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n"));
  TempConfig on("engine-sel-full-on", engine_design(net.path.string(),
                                                    "  t_in: 8\n  t_out: 8\n  input_selective_pes: true\n"));
  const ir::Design d_off = config::load_design(off.path.string());
  const ir::Design d_on = config::load_design(on.path.string());
  const engine::EngineFigures a = engine::estimate_engine(d_off), b = engine::estimate_engine(d_on);
  expect_same_figures(a, b);
  // The conv's 8 filters fill the 8 dot products; the fc's second group has
  // 2 filters, but a fully connected layer has one output pixel to give.
  for (const auto& lp : engine::plan_engine(d_on).layers)
    for (const auto& t : lp.tiles) EXPECT_EQ(t.pixels_per_set, 1) << lp.name;
  EXPECT_EQ(b.layers[0].cycles, 231);
  EXPECT_EQ(b.cycles, b.cycles_without_selection);
}

TEST(EngineInputSelectivePes, DepthwiseFasterAndBitExact) {
  TempConfig net("engine-sel-dw-net",
                 "network: dw\ninput: {shape: [8, 8, 8], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: dw1, kind: dwconv, kernel: 3, padding: 1, weights: {arithmetic: fixed, "
                 "bits: 8}, output: {kind: requant, type: unsigned, bits: 8}}\n"
                 "  - {name: pw1, kind: conv, kernel: 1, out_channels: 8, weights: {arithmetic: "
                 "fixed, bits: 8}, output: {kind: requant, type: unsigned, bits: 8}}\n");
  const std::string arr = "  t_in: 4\n  t_out: 4\n  tile_overhead_cycles: 0\n";
  TempConfig off("engine-sel-dw-off", engine_design(net.path.string(), arr));
  TempConfig on("engine-sel-dw-on",
                engine_design(net.path.string(), arr + "  input_selective_pes: true\n"));
  const ir::Design d_off = config::load_design(off.path.string());
  const ir::Design d_on = config::load_design(on.path.string());
  const engine::EngineRunResult a = engine::run_engine(d_off, 1, 9), b = engine::run_engine(d_on, 1, 9);
  EXPECT_TRUE(b.outputs_match);
  EXPECT_EQ(a.checksums, b.checksums);
  // dw1: 64 pixels x 9 positions x ceil(8 / 4) = 1152 array cycles wired,
  // 64 x ceil(9 / 4) x 2 = 384 selective; pw1 (8 channels on 4 lanes) alike.
  EXPECT_EQ(a.figures.layers[0].compute, 1152);
  EXPECT_EQ(b.figures.layers[0].compute, 384);
  EXPECT_EQ(a.figures.layers[1].compute, b.figures.layers[1].compute);
  expect_same_figures(engine::estimate_engine(d_on), b.figures);
}

// Idle dot products taking other output pixels, derived by hand: a 3 x 5 x 16
// input (15 pixels), a 1 x 1 conv of 2 filters of 16-bit weights, 8-bit
// outputs, an 8 x 8 array, one tile. ZCU104 DDR as above (6.4 bytes a beat
// of 416.67 ps, 100 ns latency), 200 MHz (5 ns).
//   input, 240 bytes at 0: ceil(240 / 6.4) = 38 beats = 15.83 ns, + 100 ns
//     = 115.83 ns -> 24 cycles
//   weights, 2 x 16 x 2 = 64 bytes at 4096: 10 beats = 4.17 ns, + 100 ns
//     -> 21 cycles
//   phase 0: 24 + 21 = 45
//   phase 1, wired: 15 pixels x ceil(16 / 8) = 30 cycles, + 8 = 38
//            selective: 2 filters leave 6 of the 8 dot products idle, so
//            they take floor(8 / 2) = 4 pixels at once: ceil(15 / 4) = 4 sets
//            (the last of 3 pixels, counted whole) x 2 cycles = 8, + 8 = 16
//   phase 2: the output, 15 x 2 = 30 bytes at 8192: 5 beats = 2.08 ns,
//     + 100 ns -> 21 cycles
//   layer: wired 45 + 38 + 21 = 104; selective 45 + 16 + 21 = 82; computing
//   16, waiting 21 for weights and 24 + 21 = 45 for activations.
// Utilisation: 15 x 16 x 2 = 480 MACs over 64 lanes: 480 / (64 x 82) = 9.1%
// selective, 480 / (64 x 104) = 7.2% wired.
TEST(EngineInputSelectivePes, IdleDotProductsTakeOtherPixelsByHand) {
  TempConfig net("engine-pix-net",
                 "network: one\ninput: {shape: [3, 5, 16], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 1, out_channels: 2, weights: "
                 "{arithmetic: fixed, bits: 16}, output: {kind: requant, type: unsigned, bits: 8}}\n");
  TempConfig wired("engine-pix-off", engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n"));
  TempConfig selective(
      "engine-pix-on",
      engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n  input_selective_pes: true\n"));
  const ir::Design dw = config::load_design(wired.path.string());
  const ir::Design ds = config::load_design(selective.path.string());
  const engine::EnginePlan plan = engine::plan_engine(ds);
  ASSERT_EQ(plan.layers[0].tiles.size(), 1u);
  EXPECT_EQ(plan.layers[0].tiles[0].pixels_per_set, 4);
  EXPECT_EQ(plan.layers[0].tiles[0].mac_cycles, 8);
  EXPECT_EQ(engine::plan_engine(dw).layers[0].tiles[0].pixels_per_set, 1);
  const engine::EngineFigures w = engine::estimate_engine(dw), s = engine::estimate_engine(ds);
  EXPECT_EQ(w.cycles, 104);
  EXPECT_EQ(w.layers[0].compute, 38);
  EXPECT_EQ(s.cycles, 82);
  EXPECT_EQ(s.layers[0].compute, 16);
  EXPECT_EQ(s.layers[0].weight_wait, 21);
  EXPECT_EQ(s.layers[0].activation_wait, 45);
  EXPECT_EQ(s.layers[0].macs, 480);
  EXPECT_EQ(s.layers[0].cycles_without_selection, 104);
  EXPECT_NEAR(s.layers[0].utilisation(8, 8), 480.0 / (64 * 82), 1e-12);
  EXPECT_NEAR(s.layers[0].utilisation_without_selection(8, 8), 480.0 / (64 * 104), 1e-12);
  // The simulation takes the same cycles; the outputs are the same, and right.
  const engine::EngineRunResult rw = engine::run_engine(dw, 1, 5), rs = engine::run_engine(ds, 1, 5);
  EXPECT_TRUE(rs.outputs_match);
  EXPECT_TRUE(rw.outputs_match);
  EXPECT_EQ(rs.checksums, rw.checksums);
  expect_same_figures(s, rs.figures);
  expect_same_figures(w, rw.figures);
}

// A layer whose output channels are not a multiple of T_out: 20 filters on 8
// dot products are groups of 8, 8 and 4, and only the last, partial group
// takes floor(8 / 4) = 2 pixels at once. A 3 x 3 conv of 4 input channels
// on 8 x 8 pixels in row tiles (a small output buffer): every tile's array
// cycles are its sets' (rows x 8 pixels, ceil(9 x 4 / 8) = 5 cycles a
// pixel); the closed form equals the simulation and the outputs the
// reference. A group that fills T_out keeps its cycles.
TEST(EngineInputSelectivePes, OnlyThePartialGroupTakesOtherPixels) {
  TempConfig net("engine-pix20-net",
                 "network: one\ninput: {shape: [8, 8, 4], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 3, padding: 1, out_channels: 20, weights: "
                 "{arithmetic: fixed, bits: 8}, output: {kind: requant, type: signed, bits: 8}}\n"
                 "  - {name: p, kind: conv, kernel: 1, out_channels: 3, weights: "
                 "{arithmetic: fixed, bits: 8}, output: {kind: requant, type: unsigned, bits: 8}}\n");
  const std::string arr = "  t_in: 8\n  t_out: 8\n  output_buffer_bytes: 640\n";
  TempConfig wired("engine-pix20-off", engine_design(net.path.string(), arr));
  TempConfig selective("engine-pix20-on",
                       engine_design(net.path.string(), arr + "  input_selective_pes: true\n"));
  const ir::Design dw = config::load_design(wired.path.string());
  const ir::Design ds = config::load_design(selective.path.string());
  const engine::EnginePlan plan = engine::plan_engine(ds);
  const engine::EngineLayerPlan& c = plan.layers[0];
  ASSERT_EQ(c.groups, 3);
  ASSERT_GT(c.row_tiles, 1);
  for (const engine::EngineTile& t : c.tiles) {
    SCOPED_TRACE("row tile " + std::to_string(t.row_tile) + " group " + std::to_string(t.group));
    const int64_t pixels = int64_t{t.row_end - t.row_begin} * 8;
    if (t.group < 2) {
      EXPECT_EQ(t.pixels_per_set, 1);
      EXPECT_EQ(t.mac_cycles, pixels * 5);
    } else {
      EXPECT_EQ(t.oc_end - t.oc_begin, 4);
      EXPECT_EQ(t.pixels_per_set, 2);
      EXPECT_EQ(t.mac_cycles, (pixels + 1) / 2 * 5);
    }
  }
  // The 1 x 1 conv of 3 filters: floor(8 / 3) = 2 pixels at once, 64 pixels
  // in 32 sets of ceil(20 / 8) = 3 cycles.
  ASSERT_EQ(plan.layers[1].tiles.size(), 1u);
  EXPECT_EQ(plan.layers[1].tiles[0].pixels_per_set, 2);
  EXPECT_EQ(plan.layers[1].tiles[0].mac_cycles, 32 * 3);
  const engine::EngineRunResult rw = engine::run_engine(dw, 2, 3), rs = engine::run_engine(ds, 2, 3);
  EXPECT_TRUE(rs.outputs_match);
  EXPECT_EQ(rs.checksums, rw.checksums);
  const engine::EngineFigures s = engine::estimate_engine(ds);
  expect_same_figures(s, rs.figures);
  EXPECT_LT(s.layers[0].cycles, s.layers[0].cycles_without_selection);
  EXPECT_LT(s.layers[1].cycles, s.layers[1].cycles_without_selection);
}

// The shipped ResNet-50, ResNet-18 and MobileNet-V1 designs, and ResNet-18 with
// 16-bit activations (docs/engine.md;
// their bit-exact runs take seconds, so here only their closed forms): the stem
// gains from input-selective PEs, 3 x 3 and 1 x 1 layers whose channels fill
// the lanes do not, and the generated variant reads a small fraction of the
// dense one's weight bytes from DDR.
TEST(EngineExamples, ResNet50ResNet18AndMobileNetV1ClosedForms) {
  for (const std::string net : {"resnet50", "resnet18", "mobilenet-v1", "resnet18-w16a16"}) {
    SCOPED_TRACE(net);
    const ir::Design dense = config::load_design((kSource / "examples/engine" / (net + "-zcu104.yaml")).string());
    const ir::Design gen = config::load_design((kSource / "examples/engine" / (net + "-ovsf-zcu104.yaml")).string());
    ASSERT_TRUE(dense.engine.input_selective_pes);
    const engine::EngineFigures d = engine::estimate_engine(dense), g = engine::estimate_engine(gen);
    ASSERT_EQ(d.layers.size(), g.layers.size());
    EXPECT_GT(d.layers[0].cycles_without_selection, 2 * d.layers[0].cycles);  // 3 channels on 32 lanes
    EXPECT_GT(d.cycles_without_selection, d.cycles);
    int64_t dense_weights = 0, gen_weights = 0, unchanged = 0;
    for (size_t i = 0; i < d.layers.size(); ++i) {
      dense_weights += d.layers[i].weight_ddr_bytes;
      gen_weights += g.layers[i].weight_ddr_bytes;
      const ir::Layer& l = dense.network.layers[i];
      if (l.kind == ir::LayerKind::kConv && l.in_shape.c % 32 == 0) {
        EXPECT_EQ(d.layers[i].cycles, d.layers[i].cycles_without_selection) << d.layers[i].name;
        ++unchanged;
      }
    }
    EXPECT_GT(unchanged, 10);
    EXPECT_LT(gen_weights * 4, dense_weights);
  }
}

TEST(EngineConfigErrors, InputSelectivePesIsABoolean) {
  TempConfig t("engine-sel-bad",
               engine_design((kSource / "examples/engine/resnet-tiny.yaml").string(),
                             "  input_selective_pes: maybe\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find(t.path.string() +
                   ":7:24: engine.input_selective_pes: got 'maybe', expected true or false"),
            std::string::npos)
      << e;
}

TEST(EngineConfigErrors, WeightBufferTooSmallNamesTheLayerAndTheBytes) {
  TempConfig t("engine-small-wbuf",
               engine_design((kSource / "examples/engine/resnet-tiny.yaml").string(),
                             "  t_in: 8\n  t_out: 8\n  weight_buffer_bytes: 1000\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find(t.path.string() +
                   ":9:24: engine.weight_buffer_bytes: got 1000, expected at least 2304 bytes per "
                   "half: b1_conv_a's weight tile (8 filters x 144 weights x 2 bytes)"),
            std::string::npos)
      << e;
}

TEST(EngineConfigErrors, InputBufferTooSmallForOneRow) {
  TempConfig t("engine-small-ibuf",
               engine_design((kSource / "examples/engine/resnet-tiny.yaml").string(),
                             "  input_buffer_bytes: 100\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find(":7:23: engine.input_buffer_bytes: got 100, expected at least 144 bytes per "
                   "half: conv1's input "
                   "for one output row"),
            std::string::npos)
      << e;
}

TEST(EngineConfigErrors, FieldsAreChecked) {
  const std::string net = (kSource / "examples/engine/resnet-tiny.yaml").string();
  {
    TempConfig t("engine-lanes", engine_design(net, "  generator_lanes: 12\n"));
    const std::string e = error_of([&] { config::load_design(t.path.string()); });
    EXPECT_NE(e.find(":7:20: engine.generator_lanes: got '12', expected a power of two"),
              std::string::npos)
        << e;
  }
  {
    TempConfig t("engine-unknown", engine_design(net, "  t_inn: 8\n"));
    const std::string e = error_of([&] { config::load_design(t.path.string()); });
    EXPECT_NE(e.find(":7:3: engine.t_inn: got unknown field 't_inn'"), std::string::npos) << e;
  }
  {
    TempConfig t("engine-tin", engine_design(net, "  t_in: 0\n"));
    const std::string e = error_of([&] { config::load_design(t.path.string()); });
    EXPECT_NE(e.find(":7:9: engine.t_in: got '0', expected an integer in [1, 4096]"),
              std::string::npos)
        << e;
  }
  {  // a streaming field is not an engine design's
    TempConfig t("engine-fifo", engine_design(net, "  t_in: 8\nfifo_depth: 4\n"));
    const std::string e = error_of([&] { config::load_design(t.path.string()); });
    EXPECT_NE(e.find(":8:1: fifo_depth: got unknown field 'fifo_depth'"), std::string::npos) << e;
  }
}

TEST(EngineConfigErrors, LayerKindsTheEngineDoesNotRunYet) {
  TempConfig net("engine-concat-net",
                 "network: p\ninput: {shape: [4, 4, 8], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: a, kind: pad, padding: 1}\n  - {name: b, kind: pad, inputs: [input], "
                 "padding: 1}\n"
                 "  - {name: c, kind: concat, inputs: [a, b]}\n");
  TempConfig t("engine-concat", engine_design(net.path.string(), "  t_in: 8\n"));
  const std::string e = error_of([&] { config::load_design(t.path.string()); });
  EXPECT_NE(e.find("got a concat layer, expected a layer kind the compute engine runs"),
            std::string::npos)
      << e;
}

TEST(EngineConfigErrors, GeneratedWeightsAreFixedPoint) {
  TempConfig net(
      "engine-gen-pow2",
      "network: g\ninput: {shape: [4, 4, 8], type: unsigned, bits: 8}\nlayers:\n"
      "  - {name: c, kind: conv, kernel: 1, out_channels: 8, weights: {arithmetic: pow2, "
      "exponent_bits: 2}, "
      "generated_weights: {kept_ratio: 0.5, coeff_bits: 4}, output: {kind: accumulator}}\n");
  const std::string e = error_of([&] { config::load_network(net.path.string()); });
  EXPECT_NE(
      e.find(":4:121: layers[0].generated_weights: got a map, expected no generated_weights on c: "
             "OVSF sums are fixed-point integers, its weights are pow2"),
      std::string::npos)
      << e;
  TempConfig ratio(
      "engine-gen-ratio",
      "network: g\ninput: {shape: [4, 4, 8], type: unsigned, bits: 8}\nlayers:\n"
      "  - {name: c, kind: conv, kernel: 1, out_channels: 8, weights: {arithmetic: fixed, bits: "
      "8}, "
      "generated_weights: {kept_ratio: 1.5, coeff_bits: 4}, output: {kind: accumulator}}\n");
  const std::string r = error_of([&] { config::load_network(ratio.path.string()); });
  EXPECT_NE(r.find("layers[0].generated_weights.kept_ratio: got '1.5', expected a number in"),
            std::string::npos)
      << r;
}

// `vine run` and `vine estimate` of the shipped example: the golden check
// passes, and the two agree on the frame's cycles.
TEST(EngineCli, RunAndEstimateTheExample) {
  const auto run = vine_test::run_vine("-q run -n 2 " + kGenerated);
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("outputs: all 2 frame(s) match the golden reference"),
            std::string::npos)
      << run.output;
  const auto est = vine_test::run_vine("-q estimate " + kGenerated);
  EXPECT_EQ(est.code, 0) << est.output;
  const ir::Design d = config::load_design(kGenerated);
  const std::string cycles =
      "frame: " + std::to_string(engine::estimate_engine(d).cycles) + " cycles";
  EXPECT_NE(run.output.find(cycles), std::string::npos) << run.output;
  EXPECT_NE(est.output.find(cycles), std::string::npos) << est.output;
  const auto vcd = vine_test::run_vine("-q run --vcd /tmp/x.vcd " + kDense);
  EXPECT_EQ(vcd.code, 1);
  EXPECT_NE(vcd.output.find("--vcd is for streaming designs"), std::string::npos) << vcd.output;
}

// The engine's resources by hand (docs/engine.md#resources), on the one
// generated layer above: 4 x 4 x 8 unsigned 8-bit input, 3 x 3 conv of 8
// filters of 16-bit weights (72 weights: L = 128, 32 kept codes of 8 bits),
// 8-bit outputs, an 8 x 8 array, 16 generator lanes, 64 KiB buffer halves.
//   MAC array: 16-bit weights x 8-bit activations: DSP48s (an operand wider
//     than 4 bits), 64 lanes x ceil(24 / 48) = 64 DSPs.
//   input buffer: 8 lanes x 1 byte = 64 bits wide, 65536 x 8 / 64 = 8192
//     deep: RAMB18 as 4 x 4096 (16 x 2), 9 x 2048 (8 x 4), ... 36 x 512
//     (2 x 16): 32 a half, 64 for two.
//   weight buffer: 8 x 8 lanes x 2 bytes = 1024 bits, 512 deep: 36 x 512,
//     ceil(1024 / 36) = 29 a half, 58.
//   output buffer: 8 x 1 byte = 64 bits, 8192 deep: 64, as the input's.
//   coefficient buffer: 32 x 1 byte = 256 bits, 2048 deep: 9 x 2048,
//     ceil(256 / 9) = 29 (18 x 1024: 15 x 2 = 30; 36 x 512: 8 x 4 = 32).
//   BRAM18: 64 + 58 + 64 + 29 = 215.
TEST(EngineResources, OneGeneratedConvLayerByHand) {
  TempConfig net("engine-res-net",
                 "network: one\ninput: {shape: [4, 4, 8], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 3, padding: 1, out_channels: 8, weights: "
                 "{arithmetic: fixed, bits: 16}, generated_weights: {kept_ratio: 0.25, coeff_bits: 8}, "
                 "output: {kind: requant, type: unsigned, bits: 8}}\n");
  TempConfig design("engine-res",
                    engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n  generator_lanes: 16\n"));
  const ir::Design d = config::load_design(design.path.string());
  const engine::EngineResources r = engine::engine_resources(d);
  ASSERT_EQ(r.rows.size(), 6u);  // no input selection
  EXPECT_EQ(r.rows[0].name, "MAC array");
  EXPECT_EQ(r.rows[0].resources.dsp, 64);
  EXPECT_EQ(r.rows[0].resources.bram18, 0);
  // The lanes' LUTs and FFs: the streaming MVAU's fit for 8 DSP lanes with
  // 24-bit accumulators (16 x 8 bits over 72 terms), one dot product each.
  const estimate::LaneCost lanes = estimate::lane_unit_cost(estimate::lane_unit(
      ir::WeightType{ir::WeightArithmetic::kFixed, 16}, ir::ActivationType{ir::ActivationKind::kUnsigned, 8}, 8,
      rtl::mvau_lanes_fixed_acc_bits(16, 8, 0, 72), true));
  EXPECT_DOUBLE_EQ(r.rows[0].resources.lut, 8 * lanes.lut);
  EXPECT_EQ(rtl::mvau_lanes_fixed_acc_bits(16, 8, 0, 72), 31);  // 72 x (-2^15 .. 2^15 - 1) x 255
  EXPECT_EQ(r.rows[1].name, "input buffer");
  EXPECT_EQ(r.rows[1].resources.bram18, 64);
  EXPECT_EQ(r.rows[2].name, "weight buffer");
  EXPECT_EQ(r.rows[2].resources.bram18, 58);
  EXPECT_EQ(r.rows[3].name, "output buffer");
  EXPECT_EQ(r.rows[3].resources.bram18, 64);
  EXPECT_EQ(r.rows[4].name, "coefficient buffer");
  EXPECT_EQ(r.rows[4].resources.bram18, 29);
  EXPECT_EQ(r.rows[5].name, "weights generator");  // LUTs and FFs only
  EXPECT_EQ(r.rows[5].resources.bram18 + r.rows[5].resources.dsp, 0);
  EXPECT_EQ(r.total.bram18, 215);
  EXPECT_EQ(r.total.dsp, 64);
  EXPECT_TRUE(r.fits);
}

// The buffers in UltraRAM (`buffers: uram`), counted by width and depth as
// BRAM18 is: 72-bit x 4096-word blocks. On the design above:
//   input  2 halves x 8192 words x 64 bits:   1 x 2 = 2 a half, 4
//   weight 2 halves x 512 words x 1024 bits: 15 x 1 = 15 a half, 30
//   output 2 halves x 8192 words x 64 bits:   4
//   coefficient 1 x 2048 words x 256 bits (32 kept 8-bit coefficients of a
//   128-long code): 4 x 1 = 4
// 42 URAM and no BRAM18. `auto` keeps them in BRAM18 while the ZCU104's 624
// hold them (215 here), and with 1 MiB weight halves (8192 words x 1024 bits:
// 57 x 8 = 456 BRAM18 a half in the 18 x 1024 ratio, 912 in all, beyond
// the 624) moves the weight buffer, the largest, to URAM: 2 x 15 x 2 = 60.
TEST(EngineResources, BuffersInUramByHand) {
  TempConfig net("engine-uram-net",
                 "network: one\ninput: {shape: [4, 4, 8], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 3, padding: 1, out_channels: 8, weights: "
                 "{arithmetic: fixed, bits: 16}, generated_weights: {kept_ratio: 0.25, coeff_bits: 8}, "
                 "output: {kind: requant, type: unsigned, bits: 8}}\n");
  auto resources = [&](const std::string& extra) {
    TempConfig design("engine-uram", engine_design(net.path.string(),
                                                   "  t_in: 8\n  t_out: 8\n  generator_lanes: 16\n" + extra));
    return engine::engine_resources(config::load_design(design.path.string()));
  };
  const engine::EngineResources u = resources("  buffers: uram\n");
  ASSERT_EQ(u.rows.size(), 6u);
  EXPECT_EQ(u.rows[1].resources.uram, 4);
  EXPECT_EQ(u.rows[2].resources.uram, 30);
  EXPECT_EQ(u.rows[3].resources.uram, 4);
  EXPECT_EQ(u.rows[4].resources.uram, 4);
  EXPECT_EQ(u.rows[2].detail, "2 halves x 512 words x 1024 bits, URAM");
  EXPECT_EQ(u.total.uram, 42);
  EXPECT_EQ(u.total.bram18, 0);
  EXPECT_TRUE(u.fits);
  const engine::EngineResources a = resources("  buffers: auto\n");
  EXPECT_EQ(a.total.bram18, 215);
  EXPECT_EQ(a.total.uram, 0);
  EXPECT_EQ(a.rows[2].detail, "2 halves x 512 words x 1024 bits, BRAM18");
  const engine::EngineResources big_bram = resources("  weight_buffer_bytes: 1048576\n");
  EXPECT_EQ(big_bram.rows[2].resources.bram18, 912);
  EXPECT_FALSE(big_bram.fits);  // 1069 BRAM18 of 624
  const engine::EngineResources big_auto = resources("  weight_buffer_bytes: 1048576\n  buffers: auto\n");
  EXPECT_EQ(big_auto.rows[2].resources.uram, 60);
  EXPECT_EQ(big_auto.rows[2].resources.bram18, 0);
  EXPECT_EQ(big_auto.total.bram18, 64 + 64 + 29);
  EXPECT_TRUE(big_auto.fits);
  // `auto` tries every placement: with a 16 x 32 array the weight buffer's
  // 8192-bit words (2 x 288 words: ceil(8192 / 36) = 228 BRAM18 a half in
  // the 36 x 512 ratio, 456), the 256 KiB input halves of 128-bit words
  // (16384 deep: ceil(128 / 9) x 8 = 120 a half in the 9 x 2048 ratio, 240)
  // and the output halves of 256-bit words (2048 deep: ceil(256 / 9) = 29 a
  // half, 58), with the coefficient buffer's 29, are 783 BRAM18, beyond the
  // 624. Moving the largest, the weight buffer, to URAM takes
  // 2 x ceil(8192 / 72) = 228 of the 96 URAM, so a rule that moves the
  // largest first does not fit; the input buffer in URAM
  // (2 x ceil(128 / 72) x ceil(16384 / 4096) = 16) leaves 456 + 58 + 29 =
  // 543 BRAM18, and fits.
  const engine::EngineResources wide = [&] {
    TempConfig design("engine-uram-wide",
                      engine_design(net.path.string(),
                                    "  t_in: 16\n  t_out: 32\n  generator_lanes: 16\n"
                                    "  input_buffer_bytes: 262144\n  weight_buffer_bytes: 294912\n"
                                    "  output_buffer_bytes: 65536\n  buffers: auto\n"));
    return engine::engine_resources(config::load_design(design.path.string()));
  }();
  EXPECT_EQ(wide.rows[1].resources.uram, 16) << wide.rows[1].detail;
  EXPECT_EQ(wide.rows[1].resources.bram18, 0);
  EXPECT_EQ(wide.rows[2].resources.bram18, 456) << wide.rows[2].detail;
  EXPECT_EQ(wide.rows[2].resources.uram, 0);
  EXPECT_EQ(wide.rows[3].resources.bram18, 58) << wide.rows[3].detail;
  EXPECT_EQ(wide.total.bram18, 543);
  EXPECT_EQ(wide.total.uram, 16);
  EXPECT_TRUE(wide.fits);
  TempConfig no_uram("engine-uram-none", "design: t\nnetwork: " + net.path.string() + "\ndevice: " +
                                             (kSource / "configs/devices/zcu102.yaml").string() +
                                             "\ntemplate: engine\nclock_mhz: 200\nengine:\n  buffers: uram\n");
  EXPECT_NE(error_of([&] { config::load_design(no_uram.path.string()); })
                .find("engine.buffers: got 'uram', expected 'bram' or 'auto' on device zcu102, which has no UltraRAM"),
            std::string::npos)
      << error_of([&] { config::load_design(no_uram.path.string()); });
  TempConfig bad("engine-uram-bad", engine_design(net.path.string(), "  buffers: ultra\n"));
  EXPECT_NE(error_of([&] { config::load_design(bad.path.string()); }).find("engine.buffers"), std::string::npos)
      << error_of([&] { config::load_design(bad.path.string()); });
}

TEST(EngineResources, TheGeneratorIsCostedFromItsFittedYosysRows) {
  const ir::Design d = config::load_design(kGenerated);  // resnet-tiny, every weighted layer generated
  const engine::EngineResources r = engine::engine_resources(d);
  const auto g = std::find_if(r.rows.begin(), r.rows.end(), [](const auto& x) { return x.name == "weights generator"; });
  ASSERT_NE(g, r.rows.end());
  // Sized for the largest layer: b2_conv_b's 3 x 3 x 32 = 288 weights, L = 512,
  // 128 kept codes; 16 lanes; 8-bit coefficients; 16-bit weights.
  EXPECT_NE(g->detail.find("ovsf_generator L=512 KEPT=128 COEFF_BITS=8 LANES=16 OUT_BITS=16"), std::string::npos)
      << g->detail;
  const estimate::LaneCost c = estimate::generator_cost({512, 128, 8, 16, 16});
  EXPECT_DOUBLE_EQ(g->resources.lut, c.lut);
  EXPECT_DOUBLE_EQ(g->resources.ff, c.ff + 128 * 9);  // and the kept codes' register
  EXPECT_EQ(g->resources.dsp, 0);
  // The dense design has no generator and no coefficient buffer.
  const engine::EngineResources dense = engine::engine_resources(config::load_design(kDense));
  for (const auto& x : dense.rows) EXPECT_TRUE(x.name != "weights generator" && x.name != "coefficient buffer") << x.name;
  EXPECT_EQ(dense.rows.size(), 4u);
}

// The fit's terms are exact widths from the RTL; the fit is to the 7 rows of
// scripts/synth-units, each within 10% (docs/weights-generator.md lists them).
TEST(EngineResources, GeneratorFitCoversItsRows) {
  const estimate::GeneratorFit& f = estimate::generator_fit();
  EXPECT_EQ(f.points.size(), 7u);
  for (double c : f.lut_coef) EXPECT_GT(c, 0);
  EXPECT_GT(f.ff_coef[0], 0);
  EXPECT_LE(f.max_rel_lut, 0.10);
  EXPECT_LE(f.max_rel_ff, 0.10);
  // The fit, row by row, for docs/weights-generator.md.
  std::printf("LUT = %.4f x trees + %.4f x signs; FF = %.4f x registers + %.2f\n", f.lut_coef[0], f.lut_coef[1],
              f.ff_coef[0], f.ff_coef[1]);
  for (const auto& p : f.points)
    std::printf("  line %d: L=%d KEPT=%d COEFF_BITS=%d LANES=%d OUT_BITS=%d: LUT %.0f fit %.0f (%+.1f%%), FF %.0f fit %.0f (%+.1f%%)\n",
                p.line, p.unit.code_length, p.unit.kept, p.unit.coeff_bits, p.unit.lanes, p.unit.out_bits, p.lut,
                p.fit_lut, 100 * (p.fit_lut - p.lut) / p.lut, p.ff, p.fit_ff, 100 * (p.fit_ff - p.ff) / p.ff);
  std::printf("LUT error max %.1f%% mean %.1f%%; FF error max %.1f%% mean %.1f%%\n", 100 * f.max_rel_lut,
              100 * f.mean_rel_lut, 100 * f.max_rel_ff, 100 * f.mean_rel_ff);
  // The register count by hand for L=16 KEPT=8 COEFF_BITS=6 LANES=4 OUT_BITS=10:
  // coefficients 8 x 6 = 48, signs 4 x 8 = 32; per lane the coefficient tree
  // (8 terms of -32..31: a register after level 2, two 8-bit sums, and after
  // level 3, one 9-bit sum: 25) and the popcount tree (2 x 3 + 4 = 10), 35,
  // x 4 lanes = 140; outputs 4 x 10 = 40; the valid delay, LATENCY 4: 264.
  EXPECT_EQ(estimate::generator_registers({16, 8, 6, 4, 10}), 264);
}

// The input-selective PEs' multiplexers: a tree of 4:1 LUT6 multiplexers per
// bit, which is what Yosys maps rtl/engine_input_select.sv to for 4 and 8
// inputs (rtl/synth/units.csv).
TEST(EngineResources, InputSelectionMultiplexersMatchYosysWhereTheFormulaIsExact) {
  EXPECT_EQ(engine::select_mux_luts(1), 0);
  EXPECT_EQ(engine::select_mux_luts(4), 1);
  EXPECT_EQ(engine::select_mux_luts(8), 3);   // 2 + 1
  EXPECT_EQ(engine::select_mux_luts(16), 5);  // 4 + 1
  EXPECT_EQ(engine::select_mux_luts(32), 11); // 8 + 3
  int checked = 0;
  for (const auto& row : rtl::synth::kUnitRows) {
    if (std::string(row.unit) != "engine_input_select") continue;
    const int t = row.params[0].value, a = row.params[1].value;
    const int64_t formula = int64_t{t} * a * engine::select_mux_luts(t);
    if (t <= 8) {
      EXPECT_EQ(formula, row.lut) << "T_IN=" << t;
      ++checked;
    } else {
      EXPECT_LE(formula, row.lut) << "T_IN=" << t;  // Yosys's mapping is no smaller beyond 8
    }
  }
  EXPECT_EQ(checked, 2);
  // In a design: 8 lanes x 8 bits x 3 LUTs, and 8 x 3 select bits.
  ir::Design d = config::load_design(kDense);
  d.engine.input_selective_pes = true;
  const engine::EngineResources r = engine::engine_resources(d);
  ASSERT_EQ(r.rows[1].name, "input selection");
  EXPECT_EQ(r.rows[1].resources.lut, 192);
  EXPECT_EQ(r.rows[1].resources.ff, 24);
}

// The selective dot products' pixel multiplexers: dot product j selects
// among min(j + 1, P) pixel streams, LUT6 4:1 trees per bit; Yosys maps
// rtl/engine_pixel_select.sv exactly so while every multiplexer has at most 4
// inputs (rtl/synth/units.csv; docs/engine.md#resources gives the others).
// In a design taking 4 pixels at once (the 1 x 1 conv of 2 filters above):
// the pixel selection, the lanes' selection once per pixel, and the input
// buffer in two copies (two read ports each).
TEST(EngineResources, PixelSelectionMultiplexersMatchYosysUpToFourPixels) {
  EXPECT_EQ(engine::pixel_select_luts_per_bit(8, 1), 0);
  EXPECT_EQ(engine::pixel_select_luts_per_bit(4, 4), 3);   // 0 + 1 + 1 + 1
  EXPECT_EQ(engine::pixel_select_luts_per_bit(8, 4), 7);   // 0 + 1 + 1 + 5 x 1
  EXPECT_EQ(engine::pixel_select_luts_per_bit(8, 8), 15);  // 0 + 3 x 1 + 4 x 3
  EXPECT_EQ(engine::pixel_select_bits(8, 4), 13);          // 0 + 1 + 6 x 2
  int checked = 0, rows = 0;
  for (const auto& row : rtl::synth::kUnitRows) {
    if (std::string(row.unit) != "engine_pixel_select") continue;
    ++rows;
    const int t_out = row.params[0].value, t_in = row.params[1].value, a = row.params[2].value,
              p = row.params[3].value;
    if (p > 4) continue;
    EXPECT_EQ(int64_t{t_in} * a * engine::pixel_select_luts_per_bit(t_out, p), row.lut)
        << "T_OUT=" << t_out << " P=" << p;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
  EXPECT_EQ(rows, 4);
  TempConfig net("engine-pix-res-net",
                 "network: one\ninput: {shape: [3, 5, 16], type: unsigned, bits: 8}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 1, out_channels: 2, weights: "
                 "{arithmetic: fixed, bits: 16}, output: {kind: requant, type: unsigned, bits: 8}}\n");
  TempConfig off("engine-pix-res-off", engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n"));
  TempConfig on("engine-pix-res-on",
                engine_design(net.path.string(), "  t_in: 8\n  t_out: 8\n  input_selective_pes: true\n"));
  const engine::EngineResources w = engine::engine_resources(config::load_design(off.path.string()));
  const engine::EngineResources r = engine::engine_resources(config::load_design(on.path.string()));
  auto row = [](const engine::EngineResources& x, const std::string& name) {
    for (const auto& y : x.rows)
      if (y.name == name) return y.resources;
    ADD_FAILURE() << "no row " << name;
    return ir::Resources{};
  };
  EXPECT_EQ(row(r, "input selection").lut, 4 * 8 * 8 * 3);  // 4 pixels x 8 lanes x 8 bits x 8:1
  EXPECT_EQ(row(r, "input selection").ff, 4 * 8 * 3);
  EXPECT_EQ(row(r, "pixel selection").lut, 8 * 8 * 7);
  EXPECT_EQ(row(r, "pixel selection").ff, 13);
  EXPECT_EQ(row(r, "input buffer").bram18, 2 * row(w, "input buffer").bram18);
  EXPECT_EQ(row(r, "input buffer").lut, 2 * row(w, "input buffer").lut);
  EXPECT_EQ(row(r, "output buffer").bram18, row(w, "output buffer").bram18);
  EXPECT_EQ(r.rows.size(), w.rows.size() + 2);
}

TEST(EngineResources, ADesignTooBigForItsDeviceIsReported) {
  TempConfig net("engine-big-net",
                 "network: one\ninput: {shape: [4, 4, 64], type: unsigned, bits: 4}\nlayers:\n"
                 "  - {name: c, kind: conv, kernel: 3, padding: 1, out_channels: 64, weights: "
                 "{arithmetic: fixed, bits: 16}, output: {kind: requant, type: unsigned, bits: 8}}\n");
  // 64 x 32 DSP lanes: 2048 DSP48s, more than the ZCU104's 1728.
  TempConfig design("engine-big", engine_design(net.path.string(), "  t_in: 64\n  t_out: 32\n"));
  const engine::EngineResources r = engine::engine_resources(config::load_design(design.path.string()));
  EXPECT_EQ(r.total.dsp, 2048);
  EXPECT_FALSE(r.fits);
  const auto est = vine_test::run_vine("-q estimate " + design.path.string());
  EXPECT_EQ(est.code, 0) << est.output;  // as a streaming design that does not fit
  EXPECT_NE(est.output.find("fits zcu104: NO"), std::string::npos) << est.output;
  const auto ok = vine_test::run_vine("-q estimate " + kGenerated);
  EXPECT_NE(ok.output.find("fits zcu104: yes"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("weights generator"), std::string::npos) << ok.output;
}

}  // namespace
}  // namespace vine
