// The compute engine on its board (docs/engine-vp.md): the host's driver
// routine writes the parameters and the layer-descriptor table, programs
// the registers, starts and waits for the interrupt; the outputs and the
// engine's per-layer cycles equal `vine run`'s; bad descriptors are refused
// with their cause and layer; host traffic during a job makes the engine
// slower than the closed form. Each test runs sc_start, once per process
// (gtest_discover_tests runs each test in its own).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "platforms/board/engine_register_map.h"
#include "platforms/vp/engine_platform.h"
#include "sim/config/loaders.h"
#include "sim/engine/engine_estimate.h"
#include "tests/sim/run_vine.h"

namespace vine {
namespace {

const std::string kSource = VINE_SOURCE_DIR;
const std::string kDense = kSource + "/examples/engine/resnet-tiny-zcu104.yaml";
const std::string kGenerated = kSource + "/examples/engine/resnet-tiny-ovsf-zcu104.yaml";

nlohmann::json json_of(const std::string& args) {
  const vine_test::Split r = vine_test::vine_split(args + " --json -");
  EXPECT_EQ(r.code, 0) << args << "\n" << r.err;
  return nlohmann::json::parse(r.out);
}

// `vine vp` and `vine run` of the same design and seed, both through the
// command line: the same outputs (checksums) and, with nothing else on the
// DDR, the same cycles per layer on every frame.
TEST(EngineVp, OutputsAndLayerCyclesEqualVineRun) {
  for (const std::string& design : {kDense, kGenerated}) {
    SCOPED_TRACE(design);
    const nlohmann::json run = json_of("-q run " + design + " -n 3 -s 5");
    const nlohmann::json vp = json_of("-q vp " + design + " -n 3 -s 5");
    ASSERT_TRUE(run["outputs_match_reference"].get<bool>());
    ASSERT_TRUE(vp["outputs_match_reference"].get<bool>());
    EXPECT_EQ(vp["output_checksums"], run["output_checksums"]);
    ASSERT_EQ(vp["frame_figures"].size(), 3u);
    for (const auto& f : vp["frame_figures"]) {
      ASSERT_EQ(f["layer_cycles"].size(), run["layers"].size());
      for (size_t i = 0; i < run["layers"].size(); ++i)
        EXPECT_EQ(f["layer_cycles"][i], run["layers"][i]["cycles"]) << run["layers"][i]["name"];
      EXPECT_EQ(f["cycles"], run["cycles_per_frame"]);
      EXPECT_EQ(f["closed_form_cycles"], f["cycles"]);
    }
  }
}

platforms::VpOptions options(const ir::Design& d,
                             const std::map<std::string, std::string>& kv = {}) {
  return platforms::parse_vp_options(kv, d.device);
}

// Bad descriptors, each refused with its cause, the descriptor's index in
// ERROR_LAYER and the field named; then a good table runs and is right.
TEST(EngineVp, BadDescriptorsAreRefusedWithTheirCauseAndLayer) {
  const ir::Design d = config::load_design(kDense);
  platforms::EngineVirtualPlatform vp(d, options(d));
  struct Case {
    std::function<void(std::vector<platforms::LayerDescriptor>&)> edit;
    uint32_t cause, layer;
    std::string words;
  };
  const Case cases[] = {
      {[](auto& t) { t[4].kind = 12; }, platforms::engine_regs::kCauseUnknownKind, 4,
       "descriptor 4 (layer b1_add): kind 12 is not a layer kind the engine runs (1 conv, 2 "
       "dwconv, 3 fc, 4 maxpool, 5 avgpool, 6 add, 7 pad, 8 threshold, 9 requant)"},
      {[](auto& t) { t[2].in_c = 32; }, platforms::engine_regs::kCausePlanMismatch, 2,
       "descriptor 2 (layer b1_conv_a): input channels 32, expected 16 (the engine's plan for the "
       "layer)"},
      {[](auto& t) { t[0].weight_source = 2; }, platforms::engine_regs::kCausePlanMismatch, 0,
       "descriptor 0 (layer conv1): weight source 2, expected 1 (the engine's plan for the layer)"},
      {[&](auto& t) { t[3].output = vp.board().ddr_bytes() - 16; },
       platforms::engine_regs::kCauseRegionOutsideDdr, 3,
       "descriptor 3 (layer b1_conv_b): output region [0x7ffffff0, +1024 bytes) lies outside the "
       "DDR's 2147483648 bytes"},
  };
  for (const Case& c : cases) {
    platforms::EngineDriverOptions o;
    o.edit_descriptors = c.edit;
    const platforms::EngineDriverResult r = platforms::run_engine_driver(vp, o);
    EXPECT_EQ(r.cause, c.cause);
    EXPECT_EQ(r.error_layer, c.layer);
    EXPECT_NE(r.refusal.find(c.words), std::string::npos) << r.refusal;
    EXPECT_EQ(r.frames, 0);
  }
  const platforms::EngineDriverResult good = platforms::run_engine_driver(vp, {});
  EXPECT_EQ(good.cause, 0u);
  EXPECT_EQ(good.frames, 1);
  EXPECT_TRUE(good.outputs_match);
  EXPECT_EQ(good.figures.at(0).cycles, engine::estimate_engine(d).cycles);
}

// START's own checks: LAYERS other than the engine's, FRAMES 0, a table
// outside DDR; the interrupt's ERROR source raised each time.
TEST(EngineVp, StartRefusesWhatTheRegistersCanCheck) {
  const ir::Design d = config::load_design(kDense);
  platforms::EngineVirtualPlatform vp(d, options(d));
  using namespace platforms::engine_regs;
  const uint64_t ctrl = vp.board().ctrl_base();
  uint32_t id = 0, version = 0;
  std::vector<uint32_t> causes;
  vp.cpu().run([&] {
    id = vp.cpu().read32(ctrl + offset_of("ID"));
    version = vp.cpu().read32(ctrl + offset_of("DESC_BYTES"));
    auto start = [&] {
      vp.cpu().write32(ctrl + offset_of("CTRL"), 1);
      causes.push_back((vp.cpu().read32(ctrl + offset_of("STATUS")) >> 8) & 0xFF);
    };
    start();  // FRAMES 0
    vp.cpu().write32(ctrl + offset_of("FRAMES"), 1);
    vp.cpu().write32(ctrl + offset_of("LAYERS"), 3);
    start();  // 3 layers, the engine has 11
    vp.cpu().write32(ctrl + offset_of("LAYERS"), 11);
    vp.cpu().write32(ctrl + offset_of("DESC_ADDR_LO"), uint32_t(vp.board().ddr_bytes() - 64));
    vp.cpu().write32(ctrl + offset_of("DESC_ADDR_HI"), uint32_t(vp.board().ddr_bytes() >> 32));
    start();  // the table runs past the DDR's end
  });
  EXPECT_EQ(id, kIdValue);
  EXPECT_EQ(version, platforms::kDescriptorBytes);
  EXPECT_EQ(causes, (std::vector<uint32_t>{1, kCauseLayerCount, kCauseDescriptorsOutsideDdr}));
}

// RESET during a job: STATUS idle at once, no DONE and no interrupt from the
// abandoned job (which stops after its frame), and the next job is right.
TEST(EngineVp, ResetDuringAJobAbandonsItAndTheNextJobIsRight) {
  const ir::Design d = config::load_design(kDense);
  platforms::EngineVirtualPlatform vp(d, options(d));
  using namespace platforms::engine_regs;
  const uint64_t ctrl = vp.board().ctrl_base();
  platforms::EngineDriverOptions o;
  o.frames = 1;
  // A good job first puts the parameters and the table in DDR and sets the registers.
  ASSERT_TRUE(platforms::run_engine_driver(vp, o).outputs_match);
  uint32_t status_after_reset = 0;
  bool irq = true;
  vp.cpu().run([&] {
    vp.cpu().write32(ctrl + offset_of("FRAMES"), 3);
    vp.cpu().write32(ctrl + offset_of("CTRL"), (1u << 2) | 1u);  // START, 3 frames
    vp.cpu().idle(sc_core::sc_time(20, sc_core::SC_US));         // inside frame 0 (74 us a frame)
    vp.cpu().write32(ctrl + offset_of("CTRL"), (1u << 2) | 2u);  // RESET
    status_after_reset = vp.cpu().read32(ctrl + offset_of("STATUS"));
    irq = vp.cpu().wait_irq(sc_core::sc_time(500, sc_core::SC_US));
    vp.cpu().write32(ctrl + offset_of("FRAMES"), 1);
  });
  EXPECT_EQ(status_after_reset, 1u);  // IDLE, nothing else
  EXPECT_FALSE(irq);
  ASSERT_EQ(vp.board().jobs().size(), 2u);
  EXPECT_TRUE(vp.board().jobs()[1].abandoned);
  EXPECT_EQ(vp.board().jobs()[1].frame_figures.size(), 1u);  // stopped after its frame
  const platforms::EngineDriverResult next = platforms::run_engine_driver(vp, o);
  EXPECT_TRUE(next.outputs_match);
  EXPECT_EQ(next.figures.at(0).cycles, engine::estimate_engine(d).cycles);
}

// The host loading the next frame's input while the engine runs frame 0, on
// a DDR slow enough (200 MT/s) that conv1's transfers bound some phases:
// the engine is slower than the closed form by the cycles it waited, all in
// the layers whose transfers met the host's; the outputs stay right; the
// last frame (no load during it) equals the closed form again.
TEST(EngineVp, HostTrafficDuringAJobMakesTheEngineSlowerThanTheClosedForm) {
  const ir::Design d = config::load_design(kDense);
  platforms::EngineVirtualPlatform vp(d, options(d, {{"ddr_mts", "200"}}));
  platforms::EngineDriverOptions o;
  o.frames = 2;
  o.load_next_during_job = true;
  const platforms::EngineDriverResult r = platforms::run_engine_driver(vp, o);
  ASSERT_EQ(r.frames, 2);
  EXPECT_TRUE(r.outputs_match);
  const int64_t slower = r.figures[0].cycles - r.closed_form[0].cycles;
  EXPECT_GT(slower, 0);
  int64_t by_layer = 0;
  for (size_t i = 0; i < r.figures[0].layers.size(); ++i) {
    const int64_t dl = r.figures[0].layers[i].cycles - r.closed_form[0].layers[i].cycles;
    EXPECT_GE(dl, 0) << r.figures[0].layers[i].name;  // never faster than on idle channels
    by_layer += dl;
  }
  EXPECT_EQ(by_layer, slower);
  EXPECT_EQ(r.figures[1].cycles, r.closed_form[1].cycles);
  EXPECT_GT(vp.board().ddr().stats(0).wait, sc_core::SC_ZERO_TIME);  // the engine waited
  // The report says where.
  std::ostringstream report;
  platforms::write_engine_vp_report(report, vp, r);
  EXPECT_NE(report.str().find("cycles waiting for a DDR shared with the host"), std::string::npos)
      << report.str();
}

}  // namespace
}  // namespace vine
