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
#include "sim/cli/output_file.h"
#include "sim/ir/stage_plan.h"
#include "models/dma/beat_format.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_reference(const Args& args) {
  po::options_description opts(
      "vine reference NETWORK|DESIGN [--frames N] [--seed S] [--write-inputs FILE]: bit-exact golden\n"
      "inference on synthetic weights and inputs; prints each frame's output checksum and top-1 class");
  opts.add_options()("help,h", "show this help")("frames,n", po::value<int>()->default_value(1), "frames to run")(
      "seed,s", po::value<uint64_t>()->default_value(1), "seed of the synthetic weights and inputs")(
      "write-inputs", po::value<std::string>(),
      "with a DESIGN: write the input frames to FILE as the accelerator's input DMA reads them "
      "from DDR (docs/driver.md, \"Buffers\"), for a driver application");
  po::variables_map vm;
  if (auto done = parse_command("reference", args, opts, "config", "NETWORK or DESIGN", vm)) return *done;
  const int frames = vm["frames"].as<int>();
  if (frames < 1) return usage_error("reference", "--frames must be at least 1", opts);
  const uint64_t seed = vm["seed"].as<uint64_t>();
  const std::string file = vm["config"].as<std::string>();

  ir::Network net;
  std::string inputs_file;
  if (vm.count("write-inputs")) inputs_file = vm["write-inputs"].as<std::string>();
  models::BeatFormat in_format;
  std::vector<std::string> read_files{file};
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
      const ir::StreamingPlan plan = ir::plan_process_network(d);
      const ir::StreamPlan& s = plan.streams[size_t(plan.stages.front().outputs.at(0))];
      in_format = {s.bits / s.elem_bits, s.elem_bits, net.input_type.min_code() < 0};
      read_files = input_files(d);
      break;
    }
    case config::ConfigKind::kDevice:
      config::load_device(file);  // a bad device: its own error first, as `vine validate` gives it
      return usage_error("reference", "'" + file + "' is a device config; give a network or a design", opts);
  }
  if (!inputs_file.empty()) {
    if (config::detect_kind(file) != config::ConfigKind::kDesign)
      return usage_error("reference", "--write-inputs needs a DESIGN (the frames' layout is the design's)", opts);
    if (const std::string e = check_output_path("write-inputs", inputs_file, read_files); !e.empty())
      return usage_error("reference", e, opts);
  }
  const golden::NetworkParams params = golden::synthesize_params(net, seed);
  const golden::Reference ref(net, params);
  std::printf("network %s: %zu layers, seed %llu, %d frame(s)\n", net.name.c_str(), net.layers.size(),
              (unsigned long long)seed, frames);
  std::printf("%6s  %-18s  %s\n", "frame", "checksum", "top1");
  double seconds = 0;
  for (int f = 0; f < frames; ++f) {
    const golden::IntTensor in = golden::synthesize_input(net, seed, f);
    const auto t0 = std::chrono::steady_clock::now();
    const golden::IntTensor out = ref.run(in);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%6d  0x%016llx  %d\n", f, (unsigned long long)golden::checksum(out), golden::top1(out, net.classes));
  }
  std::printf("%d frame(s) in %.3f s: %.1f frames/s\n", frames, seconds, frames / seconds);
  if (!inputs_file.empty()) {
    const bool ok = write_output("write-inputs", inputs_file, [&](std::ostream& out) {
      std::vector<uint8_t> beat(size_t(in_format.beat_bytes()));
      for (int f = 0; f < frames; ++f) {
        const golden::IntTensor in = golden::synthesize_input(net, seed, f);
        for (size_t e = 0; e < in.data.size(); e += size_t(in_format.lanes)) {
          in_format.pack(&in.data[e], beat.data());
          out.write(reinterpret_cast<const char*>(beat.data()), std::streamsize(beat.size()));
        }
      }
    });
    if (!ok) return kExitUsage;
  }
  spdlog::debug("synthetic parameters and {} inputs from seed {}", frames, seed);
  return kExitOk;
}

}  // namespace vine::cli
