#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/config/loaders.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"
#include "sim/cli/frame_files.h"
#include "sim/cli/output_file.h"
#include "sim/ir/stage_plan.h"
#include "models/dma/beat_format.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_reference(const Args& args) {
  po::options_description opts(
      "vine reference NETWORK|DESIGN [--frames N] [--seed S] [--inputs FILE] [--outputs FILE] [--write-inputs FILE]:\n"
      "bit-exact golden inference on synthetic weights (or the network's weights_file) and inputs (or --inputs);\n"
      "prints each frame's output checksum and top-1 class");
  opts.add_options()("help,h", "show this help")("frames,n", po::value<int>()->default_value(1), "frames to run")(
      "seed,s", po::value<uint64_t>()->default_value(1), "seed of the synthetic weights and inputs")(
      "write-inputs", po::value<std::string>(),
      "with a DESIGN: write the input frames to FILE as the accelerator's input DMA reads them "
      "from DDR (docs/driver.md, \"Buffers\"), for a driver application")(
      "inputs", po::value<std::string>(),
      "take the input frames from FILE: .npy (N, H, W, C) of input codes, or with a DESIGN raw bytes as "
      "--write-inputs writes them (docs/data.md); all its frames, or the first --frames")(
      "outputs", po::value<std::string>(), "write every frame's output codes to FILE as .npy int32 (N, outputs)");
  po::variables_map vm;
  if (auto done = parse_command("reference", args, opts, "config", "NETWORK or DESIGN", vm)) return *done;
  int frames = vm["frames"].as<int>();
  if (frames < 1) return usage_error("reference", "--frames must be at least 1", opts);
  const uint64_t seed = vm["seed"].as<uint64_t>();
  const std::string file = vm["config"].as<std::string>();

  ir::Network net;
  std::string inputs_file;
  if (vm.count("write-inputs")) inputs_file = vm["write-inputs"].as<std::string>();
  models::BeatFormat in_format;
  std::vector<std::string> read_files{file};
  bool is_design = false;
  switch (config::detect_kind(file)) {
    case config::ConfigKind::kNetwork:
      net = config::load_network(file);
      log_network_loaded(net);
      break;
    case config::ConfigKind::kDesign: {
      const ir::Design d = config::load_design(file);
      log_design_loaded(d);
      net = d.network;
      // The input DMA's stream: its beats are what the frames file holds.
      in_format = input_beat_format(d);
      is_design = true;
      read_files = input_files(d);
      break;
    }
    case config::ConfigKind::kDevice:
      config::load_device(file);  // a bad device: its own error first, as `vine validate` gives it
      return usage_error("reference", "'" + file + "' is a device config; give a network or a design", opts);
    case config::ConfigKind::kCluster:
      config::load_cluster(file);
      return usage_error("reference", "'" + file + "' is a cluster config; give a network or a design", opts);
  }
  if (!inputs_file.empty() && config::detect_kind(file) != config::ConfigKind::kDesign)
    return usage_error("reference", "--write-inputs needs a DESIGN (the frames' layout is the design's)", opts);
  std::vector<golden::IntTensor> file_frames;
  if (vm.count("inputs")) {
    const std::string path = vm["inputs"].as<std::string>();
    try {
      file_frames = read_input_frames(path, net, is_design ? &in_format : nullptr);
    } catch (const FrameFileError& e) {
      return usage_error("reference", std::string("--inputs: ") + e.what(), opts);
    }
    std::string problem;
    frames = frames_to_run(int(file_frames.size()), !vm["frames"].defaulted(), frames, path, problem);
    if (!problem.empty()) return usage_error("reference", problem, opts);
    read_files.push_back(path);
  }
  // Both outputs, checked together (not one file twice) against every file
  // read, the --inputs file included.
  std::vector<std::pair<std::string, std::string>> outputs_to_write;
  if (!inputs_file.empty()) outputs_to_write.emplace_back("write-inputs", inputs_file);
  if (vm.count("outputs")) outputs_to_write.emplace_back("outputs", vm["outputs"].as<std::string>());
  if (const std::string e = check_output_paths(outputs_to_write, read_files); !e.empty())
    return usage_error("reference", e, opts);
  auto input_frame = [&](int f) { return file_frames.empty() ? golden::synthesize_input(net, seed, f) : file_frames[size_t(f)]; };
  const golden::NetworkParams params = golden::synthesize_params(net, seed);
  const golden::Reference ref(net, params);
  std::printf("network %s: %zu layers, seed %llu, %d frame(s)\n", net.name.c_str(), net.layers.size(),
              (unsigned long long)seed, frames);
  std::printf("%6s  %-18s  %s\n", "frame", "checksum", "top1");
  double seconds = 0;
  std::vector<std::vector<int32_t>> outputs;
  for (int f = 0; f < frames; ++f) {
    const golden::IntTensor in = input_frame(f);
    const auto t0 = std::chrono::steady_clock::now();
    const golden::IntTensor out = ref.run(in);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%6d  0x%016llx  %d\n", f, (unsigned long long)golden::checksum(out), golden::top1(out, net.classes));
    if (vm.count("outputs")) outputs.push_back(out.data);
  }
  std::printf("%d frame(s) in %.3f s: %.1f frames/s\n", frames, seconds, frames / seconds);
  if (!inputs_file.empty()) {
    const bool ok = write_output("write-inputs", inputs_file, [&](std::ostream& out) {
      std::vector<uint8_t> beat(size_t(in_format.beat_bytes()));
      for (int f = 0; f < frames; ++f) {
        const golden::IntTensor in = input_frame(f);
        for (size_t e = 0; e < in.data.size(); e += size_t(in_format.lanes)) {
          in_format.pack(&in.data[e], beat.data());
          out.write(reinterpret_cast<const char*>(beat.data()), std::streamsize(beat.size()));
        }
      }
    });
    if (!ok) return kExitUsage;
  }
  if (vm.count("outputs") && !write_output("outputs", vm["outputs"].as<std::string>(),
                                           [&](std::ostream& out) { write_output_codes(out, outputs); }))
    return kExitUsage;
  spdlog::debug("parameters from seed {}, {} input frame(s) from {}", seed, frames,
                vm.count("inputs") ? vm["inputs"].as<std::string>() : "the seed");
  return kExitOk;
}

}  // namespace vine::cli
