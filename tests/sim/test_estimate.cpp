// The analytic estimate: per-layer MVAU cycles of the BNN-PYNQ designs pinned
// to NF * SF * vectors with BNN-PYNQ's folding (bnn/src/network/*/hw/config.h), the
// sliding-window formula, memory aspect ratios, and the JSON contract.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/estimate/resource_model.h"

namespace fs = std::filesystem;
using namespace vine;

namespace {

const fs::path kDesigns = fs::path(VINE_SOURCE_DIR) / "configs" / "designs";

struct MvauRow {
  const char* layer;
  int64_t mw, mh, vectors;
  int simd, pe;
};

// BNN-PYNQ's config.h, typed in from it, not
// derived from the configs under test.
const MvauRow kCnvW1[] = {{"conv0", 27, 64, 900, 3, 16},    {"conv1", 576, 64, 784, 32, 32},
                          {"conv2", 576, 128, 144, 32, 16}, {"conv3", 1152, 128, 100, 32, 16},
                          {"conv4", 1152, 256, 9, 32, 4},   {"conv5", 2304, 256, 1, 32, 1},
                          {"fc6", 256, 512, 1, 4, 1},       {"fc7", 512, 512, 1, 8, 1},
                          {"fc8", 512, 64, 1, 1, 4}};
const MvauRow kCnvW2[] = {{"conv0", 27, 64, 900, 3, 8},    {"conv1", 576, 64, 784, 16, 16},
                          {"conv2", 576, 128, 144, 16, 8}, {"conv3", 1152, 128, 100, 16, 8},
                          {"conv4", 1152, 256, 9, 8, 4},   {"conv5", 2304, 256, 1, 8, 1},
                          {"fc6", 256, 512, 1, 2, 1},      {"fc7", 512, 512, 1, 2, 2},
                          {"fc8", 512, 64, 1, 1, 4}};
const MvauRow kLfc[] = {{"fc0", 832, 1024, 1, 64, 32},
                        {"fc1", 1024, 1024, 1, 32, 64},
                        {"fc2", 1024, 1024, 1, 64, 32},
                        {"fc3", 1024, 64, 1, 8, 16}};

const estimate::StageEstimate* find_stage(const estimate::Estimate& e, const std::string& name) {
  for (const auto& l : e.layers)
    for (const auto& s : l.stages)
      if (s.plan.name == name) return &s;
  return nullptr;
}

template <size_t N>
void expect_mvau_cycles(const std::string& design, const MvauRow (&rows)[N]) {
  const auto d = config::load_design((kDesigns / design).string());
  const auto e = estimate::estimate_design(d);
  int64_t interval = 0;
  for (const auto& r : rows) {
    SCOPED_TRACE(design + " " + r.layer);
    const auto* s = find_stage(e, std::string(r.layer) + ".mvau");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->plan.simd, r.simd);
    EXPECT_EQ(s->plan.pe, r.pe);
    const int64_t want = (r.mh / r.pe) * (r.mw / r.simd) * r.vectors;
    EXPECT_EQ(s->cycles, want);
    interval = std::max(interval, want);
  }
  EXPECT_EQ(e.interval_cycles, interval);
  EXPECT_DOUBLE_EQ(e.fps, d.clock_mhz * 1e6 / double(interval));
}

}  // namespace

TEST(Estimate, CnvW1A1MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/cnv-w1a1-pynq-z1.yaml", kCnvW1); }
TEST(Estimate, CnvW1A2MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/cnv-w1a2-pynq-z1.yaml", kCnvW1); }
TEST(Estimate, CnvW2A2MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/cnv-w2a2-pynq-z1.yaml", kCnvW2); }
TEST(Estimate, LfcW1A1MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/lfc-w1a1-pynq-z1.yaml", kLfc); }
TEST(Estimate, LfcW1A2MvauCyclesMatchFormula) { expect_mvau_cycles("bnn-pynq/lfc-w1a2-pynq-z1.yaml", kLfc); }

TEST(Estimate, CnvBottleneckAndFps) {
  const auto e = estimate::estimate_design(config::load_design((kDesigns / "default.yaml").string()));
  EXPECT_EQ(e.interval_cycles, 32768);  // fc6 and fc7: 512 * 64
  EXPECT_EQ(e.bottleneck, "fc6");
  EXPECT_NEAR(e.fps, 3051.76, 0.01);
  EXPECT_TRUE(e.fits);
}

TEST(Estimate, SlidingWindowFormula) {
  const auto e = estimate::estimate_design(config::load_design((kDesigns / "default.yaml").string()));
  // conv0: IFM 32, K 3, C 3, SIMD 3 -> cf 1: 32*3 + 30*max(30*9, 32)
  // FINN's formula plus the re-entry of the per-frame loop (depth 2 + 1 entry cycle)
  EXPECT_EQ(find_stage(e, "conv0.swg")->cycles, 32 * 3 + 30 * 270 + 3);
  // conv1: IFM 30, C 64, SIMD 32 -> cf 2: 30*3*2 + 28*max(28*9*2, 30*2)
  EXPECT_EQ(find_stage(e, "conv1.swg")->cycles, 30 * 3 * 2 + 28 * 28 * 9 * 2 + 3);
}

TEST(Estimate, MobileNetDepthwiseAndPadding) {
  const auto e =
      estimate::estimate_design(config::load_design((kDesigns / "finn-examples/mobilenet-v1-w4a4-u250.yaml").string()));
  // dw1: C 32, k 3, PE 32 over 111x111 outputs
  EXPECT_EQ(find_stage(e, "dw1.vvau")->cycles, 32 * 9 / 32 * 111 * 111);
  // dw1 pads 111 -> 113 with one channel per... PE 32 channels per beat
  EXPECT_EQ(find_stage(e, "dw1.pad")->cycles, 113 * 113 * (32 / 32));
  // pw13: MW 1024 / SIMD 16, MH 1024 / PE 32, 7x7 vectors
  EXPECT_EQ(find_stage(e, "pw13.mvau")->cycles, 64 * 32 * 49);
  EXPECT_EQ(find_stage(e, "pw1.swg"), nullptr);  // 1x1 stride 1 reads pixels directly
}

TEST(ResourceModel, Ramb18AspectRatios) {
  EXPECT_EQ(estimate::bram18_for(1, 16384), 1);
  EXPECT_EQ(estimate::bram18_for(36, 512), 1);
  EXPECT_EQ(estimate::bram18_for(37, 512), 2);
  EXPECT_EQ(estimate::bram18_for(32, 18432), 36);  // CNV conv5 weights: 32 bits x 18432
  EXPECT_EQ(estimate::bram18_for(0, 10), 0);
  EXPECT_EQ(estimate::uram_for(72, 4096), 1);
  EXPECT_EQ(estimate::uram_for(73, 4097), 4);
  EXPECT_EQ(estimate::lutram_for(8, 64), 8);
}

TEST(Estimate, JsonCarriesTheContractFields) {
  const auto j = estimate::to_json(estimate::estimate_design(config::load_design((kDesigns / "default.yaml").string())));
  for (const char* k : {"design", "clock_mhz", "interval_cycles", "fps", "bottleneck", "resources", "device", "fits",
                        "layers"})
    EXPECT_TRUE(j.contains(k)) << k;
  ASSERT_EQ(j["layers"].size(), 11u);
  for (const auto& l : j["layers"])
    for (const char* k : {"name", "kind", "cycles", "resources"}) EXPECT_TRUE(l.contains(k)) << k;
  for (const char* k : {"lut", "ff", "bram18", "uram", "dsp"}) EXPECT_TRUE(j["resources"].contains(k)) << k;
}

TEST(Estimate, ResourcesExceedingTheDeviceDoNotFit) {
  // MobileNet's folding on a PYNQ-Z1 cannot fit.
  auto d = config::load_design((kDesigns / "finn-examples/mobilenet-v1-w4a4-u250.yaml").string());
  d.device = config::load_device((fs::path(VINE_SOURCE_DIR) / "configs/devices/pynq-z1.yaml").string());
  EXPECT_FALSE(estimate::estimate_design(d).fits);
}

namespace {

const estimate::FifoEstimate* find_fifo(const estimate::Estimate& e, const std::string& name) {
  for (const auto& f : e.fifos)
    if (f.name == name) return &f;
  return nullptr;
}

const ir::FifoSpec& edge_spec(const ir::Design& d, const std::string& from, const std::string& to) {
  for (const auto& f : d.fifos)
    if (f.from == from && f.to == to) return f;
  throw std::runtime_error("the design has no edge " + from + " -> " + to);
}

}  // namespace

// The FIFOs are costed as the simulator builds them: the edges at the width
// the design gives them (BNN-PYNQ's inter-layer streams), not the producer's
// PE width.
TEST(EstimateFifos, CnvW1A1EdgesTakeTheDesignsWidths) {
  const auto d = config::load_design((kDesigns / "bnn-pynq/cnv-w1a1-pynq-z1.yaml").string());
  const auto e = estimate::estimate_design(d);
  // BNN-PYNQ's inter1 and inter7 (top.cpp), typed in: 64 and 256 bits,
  // where conv0 writes 16 bits (PE 16 x 1) and conv4 4 bits (PE 4 x 1).
  for (const auto& [from, to, bits] :
       {std::tuple{"conv0", "conv1", 64}, std::tuple{"conv4", "conv5", 256}}) {
    SCOPED_TRACE(std::string(from) + "->" + to);
    const ir::FifoSpec& spec = edge_spec(d, from, to);
    ASSERT_EQ(spec.bits, bits) << "the design no longer states BNN-PYNQ's width";
    const auto* f = find_fifo(e, std::string(from) + "->" + to);
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(f->graph_edge);
    EXPECT_EQ(f->width_bits, bits);
    EXPECT_EQ(f->depth, spec.depth);
    const int producer = d.network.find_layer(from);
    EXPECT_NE(f->width_bits, ir::output_stream_bits(d.network.layers[size_t(producer)],
                                                    d.folding[size_t(producer)]));
    const ir::Resources want = estimate::fifo_resources(bits, spec.depth, false);
    EXPECT_EQ(f->resources.lut, want.lut);
    EXPECT_EQ(f->resources.ff, want.ff);
    EXPECT_EQ(f->resources.bram18, want.bram18);
  }
}

// Streams inside layers are costed too, at their own widths: the converters
// either side of conv0 -> conv1 and the window-to-MVAU streams.
TEST(EstimateFifos, CnvW1A1InternalFifosAppearWithTheirWidths) {
  const auto d = config::load_design((kDesigns / "bnn-pynq/cnv-w1a1-pynq-z1.yaml").string());
  const auto e = estimate::estimate_design(d);
  const auto& net = d.network;
  auto layer = [&](const char* name) { return size_t(net.find_layer(name)); };
  // Widths from the folding, not from the plan: what each stage writes.
  const size_t conv0 = layer("conv0"), conv1 = layer("conv1");
  const struct {
    std::string name;
    int bits;
  } want[] = {
      // conv0's 16-bit PE stream widened to the 64-bit edge ...
      {"conv0.mvau->conv0.dwc_out", ir::output_stream_bits(net.layers[conv0], d.folding[conv0])},
      // ... and narrowed to what conv1's window reads, SIMD 32 x 1 bit
      {"conv1.dwc_in->conv1.swg", ir::input_stream_bits(net.layers[conv1], d.folding[conv1])},
      // windows hand SIMD-wide beats to the MVAU
      {"conv0.swg->conv0.mvau", d.folding[conv0].simd * net.layers[conv0].in_type.bits},
      {"conv1.swg->conv1.mvau", d.folding[conv1].simd * net.layers[conv1].in_type.bits},
  };
  for (const auto& w : want) {
    const auto* f = find_fifo(e, w.name);
    ASSERT_NE(f, nullptr) << w.name;
    EXPECT_FALSE(f->graph_edge) << w.name;
    EXPECT_EQ(f->width_bits, w.bits) << w.name;
    EXPECT_EQ(f->depth, d.internal_fifo_depth) << w.name;
  }
  // One FIFO per stream of the plan, edges exactly the design's edges, every
  // other one internal at the internal depth; their cost is in the total.
  const auto plan = ir::plan_process_network(d);
  ASSERT_EQ(e.fifos.size(), plan.streams.size());
  size_t edges = 0;
  ir::Resources layers, fifos;
  for (const auto& s : plan.streams) {
    const auto* found = find_fifo(e, s.name);
    ASSERT_NE(found, nullptr) << s.name;
    const auto& f = *found;
    EXPECT_EQ(f.width_bits, s.bits) << s.name;
    EXPECT_EQ(f.depth, s.depth) << s.name;
    EXPECT_EQ(f.graph_edge, s.graph_edge) << s.name;
    EXPECT_EQ(f.producer, plan.stages[size_t(s.producer)].name) << s.name;
    EXPECT_EQ(f.consumer, plan.stages[size_t(s.consumer)].name) << s.name;
    if (f.graph_edge) {
      ++edges;
    } else {
      EXPECT_EQ(f.depth, d.internal_fifo_depth) << s.name;
    }
    fifos += f.resources;
  }
  EXPECT_EQ(edges, d.fifos.size());
  EXPECT_GT(e.fifos.size(), d.fifos.size()) << "no layer-internal FIFO costed";
  // Listed in pipeline order: a FIFO's producer never comes after a later
  // FIFO's producer in the plan's (topological) stage order.
  auto stage_index = [&](const std::string& name) {
    for (size_t i = 0; i < plan.stages.size(); ++i)
      if (plan.stages[i].name == name) return i;
    return plan.stages.size();
  };
  for (size_t i = 1; i < e.fifos.size(); ++i)
    EXPECT_LE(stage_index(e.fifos[i - 1].producer), stage_index(e.fifos[i].producer))
        << e.fifos[i].name;
  for (const auto& l : e.layers) layers += l.resources;
  EXPECT_DOUBLE_EQ(e.resources.lut, layers.lut + fifos.lut);
  EXPECT_DOUBLE_EQ(e.resources.ff, layers.ff + fifos.ff);
  EXPECT_DOUBLE_EQ(e.resources.bram18, layers.bram18 + fifos.bram18);
}

// The table and the JSON say which FIFOs are edges and which internal.
TEST(EstimateFifos, TableAndJsonListEveryFifo) {
  const auto d = config::load_design((kDesigns / "bnn-pynq/cnv-w1a1-pynq-z1.yaml").string());
  const auto e = estimate::estimate_design(d);
  const auto j = estimate::to_json(e);
  ASSERT_EQ(j["fifos"].size(), e.fifos.size());
  for (size_t i = 0; i < e.fifos.size(); ++i) {
    const auto& jf = j["fifos"][i];
    EXPECT_EQ(jf["name"], e.fifos[i].name);
    EXPECT_EQ(jf["graph_edge"], e.fifos[i].graph_edge);
    EXPECT_EQ(jf["width_bits"], e.fifos[i].width_bits);
    EXPECT_EQ(jf["depth"], e.fifos[i].depth);
    EXPECT_EQ(jf["style"], "shift");
  }
  // A table row: name, where, bits, depth, style, LUT, FF, BRAM18.
  const std::string table = estimate::format_table(e);
  auto row = [&](const std::string& name) {
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream cells(line);
      std::vector<std::string> v;
      for (std::string c; cells >> c;) v.push_back(c);
      if (v.size() == 8 && v[0] == name) return v;
    }
    return std::vector<std::string>{};
  };
  const auto edge = row("conv0->conv1");
  ASSERT_EQ(edge.size(), 8u) << table;
  EXPECT_EQ(edge[1], "edge");
  EXPECT_EQ(edge[2], "64");
  EXPECT_EQ(edge[3], std::to_string(edge_spec(d, "conv0", "conv1").depth));
  const auto internal = row("conv1.dwc_in->conv1.swg");
  ASSERT_EQ(internal.size(), 8u) << table;
  EXPECT_EQ(internal[1], "internal");
  EXPECT_EQ(internal[2], "32");
  EXPECT_NE(table.find("(edge fifos)"), std::string::npos);
  EXPECT_NE(table.find("(internal fifos)"), std::string::npos);
}

// A memory-style FIFO is a RAM of depth + 1 words whatever its depth, not
// the registers of a depth-2 shift FIFO.
TEST(EstimateFifos, MemoryStyleIsCostedAsRam) {
  auto d = config::load_design((kDesigns / "bnn-pynq/cnv-w1a1-pynq-z1.yaml").string());
  for (auto& f : d.fifos)
    if (f.from == "conv1" && f.to == "pool0") f.memory_style = true;
  const auto e = estimate::estimate_design(d);
  const auto* f = find_fifo(e, "conv1->pool0");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->memory_style);
  // conv1 -> pool0 is 64 bits x (2 + 1) words: small enough for LUTRAM, plus
  // the control's 30 LUTs.
  EXPECT_EQ(f->resources.lut, double(estimate::lutram_for(f->width_bits, f->depth + 1)) + 30);
  EXPECT_EQ(f->resources.ff, double(f->width_bits) + 30);
  EXPECT_EQ(estimate::to_json(e)["fifos"][size_t(f - e.fifos.data())]["style"], "memory");
}
