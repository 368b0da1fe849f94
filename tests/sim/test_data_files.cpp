// Real data in and out (docs/data.md): the .npy reader and writer, input
// frames from .npy and raw files, output codes to .npy, weights and
// thresholds from .npy files, and how bad files are refused.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sim/run_vine.h"
#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/data/npy.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"

namespace fs = std::filesystem;
using vine::data::NpyArray;
using vine::data::NpyError;

namespace {

using vine_test::run_vine;

const std::string kConfigs = std::string(VINE_SOURCE_DIR) + "/configs/";
const std::string kDefault = kConfigs + "designs/default.yaml";
const std::string kMixedDesign = kConfigs + "designs/cosim/mixed-pow2-fixed-pynq-z1.yaml";

// A fresh folder per test.
fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("vine-data-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A .npy file from its parts, to write what no writer would.
void write_npy_bytes(const fs::path& p, const std::string& header, const std::string& data, int major = 1) {
  std::string h = header;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += char(major);
  bytes += char(0);
  bytes += char(h.size() & 0xff);
  bytes += char(h.size() >> 8);
  if (major != 1) bytes += std::string(2, '\0');
  std::ofstream(p, std::ios::binary) << bytes << h << data;
}

void write_int32(const fs::path& p, const std::vector<int64_t>& shape, const std::vector<int32_t>& v) {
  std::ofstream out(p, std::ios::binary);
  vine::data::write_npy_int32(out, shape, v);
}

// The (checksum, top1) rows `vine reference` prints.
std::vector<std::string> reference_rows(const std::string& output) {
  std::vector<std::string> rows;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line))
    if (line.find("  0x") != std::string::npos) rows.push_back(line);
  return rows;
}

int top1_of(const std::vector<int64_t>& codes, size_t from, int classes) {
  int best = 0;
  for (int i = 1; i < classes; ++i)
    if (codes[from + size_t(i)] > codes[from + size_t(best)]) best = i;
  return best;
}

}  // namespace

// ---- the .npy reader and writer ----

TEST(Npy, WritesAndReadsBack) {
  const fs::path d = scratch("rw");
  write_int32(d / "a.npy", {2, 3}, {1, -2, 3, -4, 2147483647, -2147483647 - 1});
  const NpyArray a = vine::data::read_npy((d / "a.npy").string());
  EXPECT_EQ(a.descr, "<i4");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.values, (std::vector<int64_t>{1, -2, 3, -4, 2147483647, -2147483648LL}));
  // numpy's own header spelling, a 1-d shape, version 2.0 and every dtype's sign
  write_npy_bytes(d / "b.npy", "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", "\xff\x01\x80", 2);
  EXPECT_EQ(vine::data::read_npy((d / "b.npy").string()).values, (std::vector<int64_t>{-1, 1, -128}));
  write_npy_bytes(d / "c.npy", "{\"shape\": (3,), \"descr\": \"|u1\", \"fortran_order\": False}", "\xff\x01\x80");
  EXPECT_EQ(vine::data::read_npy((d / "c.npy").string()).values, (std::vector<int64_t>{255, 1, 128}));
  write_npy_bytes(d / "e.npy", "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 2), }", std::string("\xfe\xff\x00\x01", 4));
  EXPECT_EQ(vine::data::read_npy((d / "e.npy").string()).values, (std::vector<int64_t>{-2, 256}));
  write_npy_bytes(d / "f.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", std::string("\x05\0\0\0\0\0\0\x80", 8));
  EXPECT_EQ(vine::data::read_npy((d / "f.npy").string()).values, (std::vector<int64_t>{INT64_MIN + 5}));
  fs::remove_all(d);
}

TEST(Npy, RefusesBadFiles) {
  const fs::path d = scratch("bad");
  const std::string ok = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
  const std::string eight(8, '\0');
  auto error = [&](const std::string& name) {
    try {
      vine::data::read_npy((d / name).string());
    } catch (const NpyError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::ofstream(d / "magic.npy") << "PK\x03\x04 not numpy";
  EXPECT_NE(error("magic.npy").find("magic.npy: not a .npy file"), std::string::npos) << error("magic.npy");
  write_npy_bytes(d / "fortran.npy", "{'descr': '<i4', 'fortran_order': True, 'shape': (2,), }", eight);
  EXPECT_NE(error("fortran.npy").find("fortran_order is True"), std::string::npos) << error("fortran.npy");
  write_npy_bytes(d / "float.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", eight);
  EXPECT_NE(error("float.npy").find("dtype '<f4' is not supported"), std::string::npos) << error("float.npy");
  write_npy_bytes(d / "big.npy", "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", eight);
  EXPECT_NE(error("big.npy").find("dtype '>i4' is not supported"), std::string::npos) << error("big.npy");
  write_npy_bytes(d / "short.npy", ok, eight.substr(0, 7));
  EXPECT_NE(error("short.npy").find("truncated: shape (2,) of int32 needs 8 data bytes, the file holds 7"),
            std::string::npos)
      << error("short.npy");
  write_npy_bytes(d / "long.npy", ok, eight + "x");
  EXPECT_NE(error("long.npy").find("bytes after the data"), std::string::npos) << error("long.npy");
  write_npy_bytes(d / "key.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), 'x': 1}", eight);
  EXPECT_NE(error("key.npy").find("unknown header key 'x'"), std::string::npos) << error("key.npy");
  write_npy_bytes(d / "nokey.npy", "{'descr': '<i4', 'shape': (2,), }", eight);
  EXPECT_NE(error("nokey.npy").find("lacks 'fortran_order'"), std::string::npos) << error("nokey.npy");
  std::ofstream(d / "cut.npy", std::ios::binary) << std::string("\x93NUMPY\x01\x00\x76\x00{'descr'", 18);
  EXPECT_NE(error("cut.npy").find("truncated in the .npy header"), std::string::npos) << error("cut.npy");
  fs::remove_all(d);
}

// ---- input frames and output codes through the commands ----

// Raw frames as --write-inputs writes them: `vine reference --inputs` gives
// the seeded run's rows, and `vine run --inputs --outputs` writes the same
// output codes as `vine reference --outputs`, whose top-1 classes are the ones
// printed.
TEST(DataFiles, RawFramesRoundTripThroughReferenceAndRun) {
  const fs::path d = scratch("raw");
  const std::string in = (d / "in.bin").string(), ref = (d / "ref.npy").string(), run = (d / "run.npy").string();
  const auto seeded = run_vine("reference " + kDefault + " --frames 3 --seed 5 --write-inputs " + in);
  ASSERT_EQ(seeded.code, 0) << seeded.output;
  // --seed 5 keeps the weights; the frames now come from the file
  const auto from_file = run_vine("reference " + kDefault + " --seed 5 --inputs " + in + " --outputs " + ref);
  ASSERT_EQ(from_file.code, 0) << from_file.output;
  const auto rows = reference_rows(from_file.output);
  ASSERT_EQ(rows.size(), 3u) << from_file.output;
  EXPECT_EQ(rows, reference_rows(seeded.output));
  const auto sim = run_vine("run " + kDefault + " --seed 5 --inputs " + in + " --outputs " + run);
  ASSERT_EQ(sim.code, 0) << sim.output;
  EXPECT_NE(sim.output.find("3 frames"), std::string::npos) << sim.output;
  const NpyArray r = vine::data::read_npy(ref), s = vine::data::read_npy(run);
  EXPECT_EQ(r.descr, "<i4");
  ASSERT_EQ(r.shape, (std::vector<int64_t>{3, 64}));
  EXPECT_EQ(s.shape, r.shape);
  EXPECT_EQ(s.values, r.values);
  for (size_t f = 0; f < 3; ++f) {
    const std::string top1 = rows[f].substr(rows[f].rfind(' ') + 1);
    EXPECT_EQ(top1, std::to_string(top1_of(r.values, f * 64, 10))) << rows[f];
  }
  // --frames takes the first frames, and no more than the file holds
  EXPECT_EQ(reference_rows(run_vine("reference " + kDefault + " --seed 5 --frames 2 --inputs " + in).output).size(), 2u);
  const auto more = run_vine("run " + kDefault + " --frames 4 --inputs " + in);
  EXPECT_EQ(more.code, 1);
  EXPECT_NE(more.output.find("--frames 4 is more than the 3 frame(s) '" + in + "' holds"), std::string::npos) << more.output;
  fs::remove_all(d);
}

// Frames the test writes as .npy, in (N, H, W, C) and for an fc-only network
// flat: the reference's rows are the seeded frames' rows, on a network and on
// a design, and the run's output codes equal the reference's.
TEST(DataFiles, NpyFramesGiveTheSeededFramesResults) {
  const fs::path d = scratch("npyin");
  const vine::ir::Design design = vine::config::load_design(kMixedDesign);
  const vine::ir::Network& net = design.network;
  std::vector<int32_t> frames;
  for (int f = 0; f < 2; ++f) {
    const auto t = vine::golden::synthesize_input(net, 1, f);
    frames.insert(frames.end(), t.data.begin(), t.data.end());
  }
  const auto& s = net.input_shape;
  write_int32(d / "in.npy", {2, s.h, s.w, s.c}, frames);
  const std::string in = (d / "in.npy").string();
  const std::string network = kConfigs + "networks/mixed-pow2-fixed.yaml";
  const auto seeded = run_vine("reference " + network + " --frames 2");
  const auto on_network = run_vine("reference " + network + " --inputs " + in + " --outputs " + (d / "ref.npy").string());
  ASSERT_EQ(on_network.code, 0) << on_network.output;
  EXPECT_EQ(reference_rows(on_network.output), reference_rows(seeded.output));
  EXPECT_EQ(reference_rows(on_network.output).size(), 2u);
  const auto on_design = run_vine("reference " + kMixedDesign + " --inputs " + in);
  EXPECT_EQ(reference_rows(on_design.output), reference_rows(seeded.output));
  const auto sim = run_vine("run " + kMixedDesign + " --backend cpp --inputs " + in + " --outputs " + (d / "run.npy").string());
  ASSERT_EQ(sim.code, 0) << sim.output;
  EXPECT_EQ(vine::data::read_npy((d / "run.npy").string()).values,
            vine::data::read_npy((d / "ref.npy").string()).values);

  // TFC reads its 784 bipolar inputs with fc layers only: (N, 784) is taken
  const std::string tfc = kConfigs + "networks/tfc-w1a1.yaml";
  const vine::ir::Network tnet = vine::config::load_network(tfc);
  const auto t = vine::golden::synthesize_input(tnet, 1, 0);
  write_int32(d / "flat.npy", {1, int64_t(t.size())}, t.data);
  const auto flat = run_vine("reference " + tfc + " --inputs " + (d / "flat.npy").string());
  ASSERT_EQ(flat.code, 0) << flat.output;
  EXPECT_EQ(reference_rows(flat.output), reference_rows(run_vine("reference " + tfc).output));
  // ... but a convolutional network is not
  write_int32(d / "flatcnv.npy", {int64_t(frames.size())}, frames);
  const auto refused = run_vine("reference " + network + " --inputs " + (d / "flatcnv.npy").string());
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.output.find("expected (N, 16, 16, 3) or (16, 16, 3)"), std::string::npos) << refused.output;
  fs::remove_all(d);
}

TEST(DataFiles, BadInputFilesExitOne) {
  const fs::path d = scratch("badin");
  const std::string network = kConfigs + "networks/cnv-w1a1.yaml";
  auto expect_error = [&](const std::string& args, const std::string& message) {
    const auto r = run_vine(args);
    EXPECT_EQ(r.code, 1) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
  };
  const std::string frame(32 * 32 * 3 * 4, '\0');  // one int32 CNV frame of zeros
  std::ofstream(d / "magic.npy", std::ios::binary) << "NUMPY" << frame;
  expect_error("reference " + network + " --inputs " + (d / "magic.npy").string(),
               "magic.npy: not a .npy file (no \\x93NUMPY magic); raw frames need a DESIGN");
  // on a design it is raw, and 12293 bytes are not whole 3072-byte frames
  expect_error("run " + kDefault + " --inputs " + (d / "magic.npy").string(),
               "12293 bytes is not a whole number of frames: a raw frame is 3072 bytes");
  write_npy_bytes(d / "fortran.npy", "{'descr': '<i4', 'fortran_order': True, 'shape': (32, 32, 3), }", frame);
  expect_error("reference " + network + " --inputs " + (d / "fortran.npy").string(), "fortran_order is True");
  write_npy_bytes(d / "shape.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 32, 3, 32), }", frame);
  expect_error("run " + kDefault + " --inputs " + (d / "shape.npy").string(),
               "shape (1, 32, 3, 32) does not hold frames of network 'cnv-w1a1', whose input is (32, 32, 3)");
  write_npy_bytes(d / "dtype.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (32, 32, 3), }", frame);
  expect_error("reference " + kDefault + " --inputs " + (d / "dtype.npy").string(), "dtype '<f4' is not supported");
  std::string bad = frame;
  bad[size_t(4 * 100 + 1)] = 1;  // element 100 (y 1, x 1, c 1) holds 256
  write_npy_bytes(d / "range.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (32, 32, 3), }", bad);
  expect_error("run " + kDefault + " --inputs " + (d / "range.npy").string(),
               "range.npy: value 256 at element 100 (frame 0, y 1, x 1, c 1) is not a code of the 8-bit unsigned input: "
               "expected [0, 255]");
  write_npy_bytes(d / "cut.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 32, 32, 3), }", frame);
  expect_error("reference " + network + " --inputs " + (d / "cut.npy").string(),
               "truncated: shape (2, 32, 32, 3) of int32 needs 24576 data bytes, the file holds 12288");
  expect_error("run " + kDefault + " --timing-only --outputs " + (d / "o.npy").string(),
               "--outputs needs the outputs' values");
  // An output naming the --inputs file is refused before anything runs, and
  // the file is kept.
  ASSERT_EQ(run_vine("reference " + kDefault + " --frames 2 --write-inputs " + (d / "frames.bin").string()).code, 0);
  std::ifstream kept_in(d / "frames.bin", std::ios::binary);
  const std::string frames_before((std::istreambuf_iterator<char>(kept_in)), {});
  for (const char* out : {"--write-inputs", "--outputs"})
    expect_error("reference " + kDefault + " --inputs " + (d / "frames.bin").string() + " " + out + " " +
                     (d / "frames.bin").string(),
                 "is the input '" + (d / "frames.bin").string() + "'");
  std::ifstream kept_after(d / "frames.bin", std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(kept_after)), {}), frames_before);
  // Regular files only: a directory is no input, and a named pipe would
  // block the read for ever (the test's own timeout would catch a hang).
  expect_error("reference " + kDefault + " --inputs " + d.string(), d.string() + ": not a regular file");
  ASSERT_EQ(::mkfifo((d / "pipe").c_str(), 0600), 0);
  expect_error("run " + kDefault + " --inputs " + (d / "pipe").string(), "pipe: not a regular file");
  expect_error("run " + kDefault + " --inputs " + (d / "absent.npy").string(), "absent.npy: no such file");
  fs::remove_all(d);
}

// ---- weights and thresholds from .npy ----

namespace {

// The mixed network with every weighted layer's weights, and every
// thresholded layer's thresholds, in .npy files the test writes from the
// seed's parameters; a design on it. Returns the design's path.
std::string network_with_files(const fs::path& d, const vine::golden::NetworkParams& p, const vine::ir::Network& net) {
  YAML::Node doc = YAML::LoadFile(kConfigs + "networks/mixed-pow2-fixed.yaml");
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const auto& l = net.layers[i];
    YAML::Node node = doc["layers"][i];
    if (l.has_weights()) {
      const std::string f = l.name + ".weights.npy";
      // the golden reference's order: [oc][kh][kw][ic], [c][kh][kw], [out][in]
      std::vector<int64_t> shape = l.kind == vine::ir::LayerKind::kConv
                                       ? std::vector<int64_t>{l.out_shape.c, l.kernel_h, l.kernel_w, l.in_shape.c}
                                   : l.kind == vine::ir::LayerKind::kDwConv
                                       ? std::vector<int64_t>{l.out_shape.c, l.kernel_h, l.kernel_w}
                                       : std::vector<int64_t>{l.matrix_height(), l.matrix_width()};
      write_int32(d / f, shape, p.layers[i].weight_values);
      node["weights_file"] = f;
    }
    if (l.has_output_stage() && l.output.kind == vine::ir::OutputKind::kThreshold) {
      const auto& t = p.layers[i].thresholds;
      const std::string f = l.name + ".thresholds.npy";
      std::ofstream out(d / f, std::ios::binary);
      vine::data::write_npy_int64(out, {l.out_shape.c, t.steps}, t.values);
      node["thresholds_file"] = f;
    }
  }
  std::ofstream(d / "net.yaml") << doc << "\n";
  YAML::Node design = YAML::LoadFile(kMixedDesign);
  design["network"] = (d / "net.yaml").string();
  design["device"] = kConfigs + "devices/pynq-z1.yaml";
  std::ofstream(d / "design.yaml") << design << "\n";
  return (d / "design.yaml").string();
}

}  // namespace

// Weights and thresholds written from the seed's own: every command accepts
// them, and the checksums are the seeded run's; change one weight and they
// are not.
TEST(DataFiles, WeightsFromNpyGiveTheSeededChecksums) {
  const fs::path d = scratch("weights");
  const vine::ir::Network net = vine::config::load_network(kConfigs + "networks/mixed-pow2-fixed.yaml");
  const auto params = vine::golden::synthesize_params(net, 3);
  const std::string design = network_with_files(d, params, net);
  const vine::ir::Design loaded = vine::config::load_design(design);
  ASSERT_TRUE(loaded.network.layers[0].weights_file.has_value());
  ASSERT_TRUE(loaded.network.layers[0].thresholds_file.has_value());
  for (const char* cmd : {"validate ", "estimate "}) EXPECT_EQ(run_vine(cmd + design).code, 0) << cmd;
  const auto seeded = run_vine("reference " + kMixedDesign + " --seed 3 --frames 3");
  // the same seed: conv3's requantiser is still calibrated (on seed 3's
  // calibration frames), on the same weights, so it comes out the same too
  const auto from_files = run_vine("reference " + design + " --seed 3 --frames 3");
  ASSERT_EQ(from_files.code, 0) << from_files.output;
  ASSERT_EQ(reference_rows(seeded.output).size(), 3u) << seeded.output;
  EXPECT_EQ(reference_rows(from_files.output), reference_rows(seeded.output));
  const auto sim = run_vine("run " + design + " --backend cpp --seed 3 --frames 3");
  EXPECT_EQ(sim.code, 0) << sim.output;

  // one fc weight changed: the output checksums change
  auto changed = params;
  int32_t& w = changed.layers.back().weight_values[0];
  w = w == 7 ? 6 : w + 1;
  network_with_files(d, changed, net);
  const auto other = run_vine("reference " + design + " --seed 3 --frames 3");
  ASSERT_EQ(other.code, 0) << other.output;
  EXPECT_NE(reference_rows(other.output), reference_rows(seeded.output));
  fs::remove_all(d);
}

TEST(DataFiles, BadParameterFilesAreConfigErrors) {
  const fs::path d = scratch("badw");
  const vine::ir::Network net = vine::config::load_network(kConfigs + "networks/mixed-pow2-fixed.yaml");
  const auto params = vine::golden::synthesize_params(net, 1);
  const std::string design = network_with_files(d, params, net);
  const std::string network = (d / "net.yaml").string();
  auto expect_error = [&](const std::string& message) {
    for (const std::string cmd : {"validate ", "reference "}) {
      const auto r = run_vine(cmd + design);
      EXPECT_EQ(r.code, 1) << cmd << r.output;
      EXPECT_NE(r.output.find(message), std::string::npos) << cmd << r.output;
    }
  };
  // conv0 is 6-bit fixed: 32 is out of range, at index [1, 0, 2, 1]
  const auto& c0 = net.layers[0];
  std::vector<int32_t> w = params.layers[0].weight_values;
  const size_t at = ((1 * 3 + 0) * 3 + 2) * size_t(c0.in_shape.c) + 1;
  w[at] = 32;
  write_int32(d / "conv0.weights.npy", {c0.out_shape.c, 3, 3, c0.in_shape.c}, w);
  expect_error(network + ":");
  expect_error("layers[0].weights_file: got value 32 at index [1, 0, 2, 1] (element " + std::to_string(at) +
               ") of '" + (d / "conv0.weights.npy").string() + "', expected a 6-bit fixed weight, an integer in [-32, 31] "
               "for layer 'conv0'");
  // dw1 is pow2 with 2 exponent bits: 3 is no power of two
  write_int32(d / "conv0.weights.npy", {c0.out_shape.c, 3, 3, c0.in_shape.c}, params.layers[0].weight_values);
  std::vector<int32_t> dw = params.layers[1].weight_values;
  dw[4] = 3;
  write_int32(d / "dw1.weights.npy", {net.layers[1].out_shape.c, 3, 3}, dw);
  expect_error("expected a pow2 weight: 0 or +-2^e with e in [0, 3] for layer 'dw1'");
  // the wrong shape
  write_int32(d / "dw1.weights.npy", {3, 3, net.layers[1].out_shape.c}, params.layers[1].weight_values);
  expect_error("layers[1].weights_file: got '" + (d / "dw1.weights.npy").string() +
               "' of shape (3, 3, 16), expected shape (16, 3, 3) (channels, kernel height, kernel width) for layer 'dw1'");
  write_int32(d / "dw1.weights.npy", {net.layers[1].out_shape.c, 3, 3}, params.layers[1].weight_values);
  // a threshold file with fortran_order True
  write_npy_bytes(d / "conv0.thresholds.npy", "{'descr': '<i8', 'fortran_order': True, 'shape': (16, 15), }",
                  std::string(16 * 15 * 8, '\0'));
  expect_error("layers[0].thresholds_file: got '" + (d / "conv0.thresholds.npy").string() +
               "', expected a .npy file of integers; " + (d / "conv0.thresholds.npy").string() + ": fortran_order is True");
  fs::remove_all(d);
}
