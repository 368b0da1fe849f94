// The channelwise layer (FINN's ChannelwiseOp, docs/configs.md): the golden
// reference against a per-element formula written here from finn-hlslib's
// ChannelWiseOperation (the parameter first: cmp_le is p <= x), the stage
// bit-exact against the golden reference at the cycles derived by hand,
// FINN's lut_estimation, its FINN node in export and apply, and bad values
// refused naming the file, field and value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "sim/config/loaders.h"
#include "sim/data/npy.h"
#include "sim/estimate/estimate.h"
#include "sim/finn_config/finn_apply.h"
#include "sim/finn_config/finn_export.h"
#include "sim/golden/reference.h"
#include "sim/run/simulation.h"
#include "tests/sim/design_case.h"
#include "tests/sim/finn_config_helpers.h"
#include "tests/sim/one_layer_checks.h"
#include "tests/sim/temp_config.h"

using namespace vine;
using Json = nlohmann::ordered_json;
using testing_support::DesignCase;
using testing_support::error_of;
using testing_support::estimated_cycles;
using testing_support::expect_steady;
using testing_support::planned;
using testing_support::run_bit_exact;
using testing_support::TempConfig;

namespace {

// A 4 x 4 x 8 frame of signed 4-bit codes, one channelwise layer `fields`
// (after `kind: channelwise`), then `after` (more layers), folded `folding`.
struct Case : DesignCase {
  Case(const std::string& name, const std::string& fields, const std::string& folding = "{pe: 2}",
       const std::string& after = "", const std::string& after_folding = "")
      : DesignCase(name,
                   "input: {shape: [4, 4, 8], type: signed, bits: 4}\nlayers:\n"
                   "  - {name: cw, kind: channelwise, " + fields + "}\n" + after,
                   "  cw: " + folding + "\n" + after_folding) {}
};

// Element by element from the definition: x the input value, p its channel's parameter.
int64_t naive(const std::string& function, int64_t p, int64_t x) {
  if (function == "add") return x + p;
  if (function == "mul") return x * p;
  if (function == "cmp_le") return x >= p;  // comp::less_equal(p, x)
  return x <= p;                            // cmp_ge: comp::greater_equal(p, x)
}

void expect_golden_is_naive(const ir::Design& d, const std::string& function) {
  const golden::NetworkParams params = golden::synthesize_params(d.network, 7);
  const golden::Reference ref(d.network, params);
  const std::vector<int32_t>& p = params.layers[0].channel_params;
  ASSERT_EQ(p.size(), 8u);
  std::map<int64_t, int> seen;
  for (int frame = 0; frame < 3; ++frame) {
    const golden::IntTensor in = golden::synthesize_input(d.network, 3, frame);
    std::vector<golden::IntTensor> outs;
    ref.run(in, &outs);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x)
        for (int c = 0; c < 8; ++c) {
          const int64_t want = naive(function, p[size_t(c)], in.at(y, x, c));
          ASSERT_EQ(outs[0].at(y, x, c), want) << function << " at " << y << ", " << x << ", " << c;
          seen[want]++;
        }
  }
  EXPECT_GE(seen.size(), 2u) << function << ": every result the same proves nothing";
}

std::string write_parameters(const std::string& name, const std::vector<int64_t>& shape,
                             const std::vector<int64_t>& values) {
  const auto path = std::filesystem::temp_directory_path() / ("vine-test-" + name + ".npy");
  std::ofstream f(path, std::ios::binary);
  data::write_npy_narrowest(f, shape, values);
  return path.string();
}

}  // namespace

// Each function, synthesised parameters: the golden reference is the
// formula, the output type the narrowest holding every result (signed 4-bit
// input in [-8, 7], signed 3-bit parameters in [-4, 3]).
TEST(Channelwise, GoldenReferenceIsThePerElementFormula) {
  const std::map<std::string, ir::ActivationType> inferred = {
      {"add", {ir::ActivationKind::kSigned, 5}},     // -12 .. 10
      {"mul", {ir::ActivationKind::kSigned, 7}},     // -28 .. 32
      {"cmp_le", {ir::ActivationKind::kUnsigned, 1}},
      {"cmp_ge", {ir::ActivationKind::kUnsigned, 1}}};
  for (const auto& [function, type] : inferred) {
    const Case c("cw-golden-" + function, "function: " + function + ", parameters: {type: signed, bits: 3}");
    const ir::Design d = c.load();
    EXPECT_EQ(d.network.layers[0].out_type, type) << function;
    expect_golden_is_naive(d, function);
  }
}

// A parameters_file: its values are the parameters, exactly.
TEST(Channelwise, ParametersFileGivesTheParameters) {
  const std::vector<int64_t> values{-4, -3, -1, 0, 1, 2, 3, 0};
  const std::string npy = write_parameters("cw-params", {8}, values);
  const Case c("cw-file", "function: add, parameters: {type: signed, bits: 3}, output: {type: signed, bits: 5}, "
                          "parameters_file: " + npy);
  const ir::Design d = c.load();
  const golden::NetworkParams params = golden::synthesize_params(d.network, 1);
  EXPECT_EQ(params.layers[0].channel_params, std::vector<int32_t>(values.begin(), values.end()));
  expect_golden_is_naive(d, "add");
  std::filesystem::remove(npy);
}

// PE 2 over 8 channels: 4 beats a pixel, 4 x 4 pixels: 64 cycles a frame
// (FINN's get_exp_cycles, the folded shape without PE). The DMAs move one
// beat a cycle, so the channelwise stage sets the pace.
TEST(Channelwise, StageIsBitExactAtItsClosedForm) {
  for (const std::string function : {"add", "mul", "cmp_le", "cmp_ge"}) {
    const Case c("cw-run-" + function, "function: " + function + ", parameters: {type: signed, bits: 3}");
    const ir::Design d = c.load();
    const ir::StreamingPlan plan = ir::plan_process_network(d);
    const ir::StagePlan* s = planned(plan, "cw.channelwise");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->in_words, 64);
    EXPECT_EQ(s->out_words, 64);
    EXPECT_EQ(s->in_stream_bits, 8);
    EXPECT_EQ(s->out_stream_bits, 2 * d.network.layers[0].out_type.bits);
    EXPECT_EQ(estimated_cycles(d, "cw.channelwise"), 64);
    EXPECT_EQ(estimate::estimate_design(d).interval_cycles, 64);
    expect_steady(run_bit_exact(d, 12), 64);
  }
  // PE 8: one beat a pixel, 16 cycles.
  const Case wide("cw-run-pe8", "function: mul, parameters: {type: signed, bits: 3}", "{pe: 8}");
  EXPECT_EQ(estimated_cycles(wide.load(), "cw.channelwise"), 16);
  expect_steady(run_bit_exact(wide.load(), 12), 16);
}

// Mid-network, as ResNet-50 has it: a threshold layer, the channelwise
// layer, another threshold layer reading its codes.
TEST(Channelwise, MidNetworkIsBitExact) {
  const Case c("cw-mid", "function: mul, parameters: {type: signed, bits: 3}", "{pe: 4}",
               "  - {name: thr, kind: threshold, output: {kind: threshold, type: unsigned, bits: 2}}\n",
               "  thr: {pe: 2}\n");
  const ir::Design d = c.load();
  EXPECT_EQ(estimated_cycles(d, "cw.channelwise"), 32);
  EXPECT_EQ(estimated_cycles(d, "thr.threshold"), 64);
  run_bit_exact(d, 4);
}

// FINN's ChannelwiseOp_hls.lut_estimation (ram_style distributed): A x PE
// for the operators, PE x A x ceil(TMEM / 64) of LUTRAM where TMEM = C / PE
// > 1; A the input's 4 bits.
TEST(Channelwise, LutsAreFinnsEstimate) {
  auto luts = [](const std::string& folding) {
    const Case c("cw-lut", "function: add, parameters: {type: signed, bits: 3}", folding);
    for (const auto& l : estimate::estimate_design(c.load()).layers)
      for (const auto& s : l.stages)
        if (s.plan.name == "cw.channelwise") return s.resources.lut;
    return -1.0;
  };
  EXPECT_EQ(luts("{pe: 2}"), 4 * 2 + 2 * 4 * 1);  // TMEM 4
  EXPECT_EQ(luts("{pe: 8}"), 4 * 8);              // TMEM 1: no LUTRAM
}

// Export writes the node's PE; applying it to the unfolded design gives the
// folded one back. A ChannelwiseOp after the last layer stays FINN's alone.
TEST(Channelwise, FinnExportAndApply) {
  const std::string thr = "  - {name: thr, kind: threshold, output: {kind: threshold, type: unsigned, bits: 2}}\n";
  const Case c("cw-finn", "function: mul, parameters: {type: signed, bits: 3}", "{pe: 4}", thr, "  thr: {pe: 2}\n");
  const ir::Design d = c.load();
  const auto cfg = finn::finn_folding_config(d);
  EXPECT_EQ(cfg["ChannelwiseOp_hls_0"]["PE"], 4);
  const Case bare("cw-finn-bare", "function: mul, parameters: {type: signed, bits: 3}", "{pe: 1}", thr,
                  "  thr: {pe: 1}\n");
  const finn::AppliedConfig a = finn::apply_finn_config(bare.load(), cfg, "cfg.json");
  EXPECT_EQ(a.design.folding[0].pe, 4);
  vine_test::expect_same_design(a.design, d, "applied");
  EXPECT_TRUE(a.finn_only.tail.empty());

  Json tail = cfg;
  tail["ChannelwiseOp_hls_1"] = {{"PE", 1}};
  const finn::AppliedConfig t = finn::apply_finn_config(bare.load(), tail, "cfg.json");
  EXPECT_EQ(t.finn_only.tail, (std::vector<std::string>{"ChannelwiseOp_hls"}));
  EXPECT_EQ(t.design.folding[0].pe, 4);

  Json bad = cfg;
  bad["ChannelwiseOp_hls_0"]["PE"] = 3;
  std::string e;
  try {
    finn::apply_finn_config(bare.load(), bad, "cfg.json");
  } catch (const std::exception& x) {
    e = x.what();
  }
  EXPECT_NE(e.find("ChannelwiseOp_hls_0: PE: got 3, expected a divisor of cw's channels (8)"), std::string::npos) << e;
}

TEST(Channelwise, BadValuesAreRefused) {
  auto error = [](const std::string& name, const std::string& fields) {
    const Case c(name, fields);
    return error_of([&] { c.load(); });
  };
  std::string e = error("cw-bad-fn", "function: max, parameters: {type: signed, bits: 3}");
  EXPECT_NE(e.find("vine-test-cw-bad-fn-net.yaml"), std::string::npos) << e;
  EXPECT_NE(e.find("function"), std::string::npos) << e;
  EXPECT_NE(e.find("max"), std::string::npos) << e;
  EXPECT_NE(e.find("cmp_ge"), std::string::npos) << e;

  e = error("cw-no-params", "function: add");
  EXPECT_NE(e.find("parameters"), std::string::npos) << e;

  // -8 .. 7 times -4 .. 3: -28 .. 32, which a signed 6-bit output does not hold.
  e = error("cw-narrow", "function: mul, parameters: {type: signed, bits: 3}, output: {type: signed, bits: 6}");
  EXPECT_NE(e.find("layers[0](cw).output: got signed 6-bit"), std::string::npos) << e;
  EXPECT_NE(e.find("-28 to 32"), std::string::npos) << e;
  EXPECT_NE(e.find("signed 7-bit"), std::string::npos) << e;

  e = error("cw-cmp-wide", "function: cmp_le, parameters: {type: signed, bits: 3}, output: {type: unsigned, bits: 4}");
  EXPECT_NE(e.find("got unsigned 4-bit, expected a 1-bit output"), std::string::npos) << e;

  e = error("cw-param-bits", "function: add, parameters: {type: unsigned, bits: 32}");
  EXPECT_NE(e.find("parameters.bits"), std::string::npos) << e;
  // 0 .. 2^31 - 1 plus -8 .. 7 reaches 2^31 + 6: no 32-bit signed code holds it.
  e = error("cw-wide", "function: add, parameters: {type: unsigned, bits: 31}");
  EXPECT_NE(e.find("layers[0](cw).parameters: got results from -8 to 2147483654"), std::string::npos) << e;
  EXPECT_NE(e.find("results that fit 32-bit signed integers"), std::string::npos) << e;

  // A parameters_file of the wrong shape, and one with a value beyond the type.
  const std::string shape = write_parameters("cw-shape", {4}, {1, 2, 3, 4});
  e = error("cw-file-shape", "function: add, parameters: {type: signed, bits: 3}, parameters_file: " + shape);
  EXPECT_NE(e.find("'" + shape + "' of shape (4,)"), std::string::npos) << e;
  EXPECT_NE(e.find("expected shape (8,) (channels)"), std::string::npos) << e;
  const std::string range = write_parameters("cw-range", {8}, {0, 0, 0, 0, 0, 9, 0, 0});
  e = error("cw-file-range", "function: add, parameters: {type: signed, bits: 3}, parameters_file: " + range);
  EXPECT_NE(e.find("value 9 at index [5]"), std::string::npos) << e;
  EXPECT_NE(e.find("in [-4, 3]"), std::string::npos) << e;
  // Values of the type whose results leave the output given: -8 .. 7 plus 3 is 10.
  const std::string big = write_parameters("cw-big", {8}, {0, 0, 0, 3, 0, 0, 0, 0});
  e = error("cw-file-out", "function: add, parameters: {type: signed, bits: 3}, output: {type: signed, bits: 4}, "
                           "parameters_file: " + big);
  EXPECT_NE(e.find("parameters 0 to 3"), std::string::npos) << e;
  EXPECT_NE(e.find("-8 to 10"), std::string::npos) << e;
  for (const auto& f : {shape, range, big}) std::filesystem::remove(f);

  // A parameters_file on a layer of another kind.
  const std::string p8 = write_parameters("cw-other", {8}, {0, 0, 0, 0, 0, 0, 0, 0});
  const DesignCase other("cw-other-kind",
                         "input: {shape: [4, 4, 8], type: signed, bits: 4}\nlayers:\n"
                         "  - {name: thr, kind: threshold, output: {kind: threshold, type: unsigned, bits: 2}, "
                         "parameters_file: " + p8 + "}\n",
                         "  thr: {pe: 2}\n");
  e = error_of([&] { other.load(); });
  EXPECT_NE(e.find("parameters_file"), std::string::npos) << e;
  std::filesystem::remove(p8);
}

// A bipolar input has no integer to add to, multiply or compare.
TEST(Channelwise, BipolarInputIsRefused) {
  const DesignCase c("cw-bipolar",
                     "input: {shape: [4, 4, 8], type: bipolar}\nlayers:\n"
                     "  - {name: cw, kind: channelwise, function: add, parameters: {type: signed, bits: 3}}\n",
                     "  cw: {pe: 2}\n");
  const std::string e = error_of([&] { c.load(); });
  EXPECT_NE(e.find("got a bipolar input, expected an integer (unsigned or signed) input to a channelwise layer"),
            std::string::npos)
      << e;
}
