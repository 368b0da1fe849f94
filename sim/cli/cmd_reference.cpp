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

namespace vine::cli {

namespace po = boost::program_options;

int cmd_reference(const Args& args) {
  po::options_description opts(
      "vine reference NETWORK|DESIGN [--frames N] [--seed S]: bit-exact golden inference on synthetic\n"
      "weights and inputs; prints each frame's output checksum and top-1 class");
  opts.add_options()("help,h", "show this help")("frames,n", po::value<int>()->default_value(1), "frames to run")(
      "seed,s", po::value<uint64_t>()->default_value(1), "seed of the synthetic weights and inputs");
  po::variables_map vm;
  if (auto done = parse_command("reference", args, opts, "config", "NETWORK or DESIGN", vm)) return *done;
  const int frames = vm["frames"].as<int>();
  if (frames < 1) return usage_error("reference", "--frames must be at least 1", opts);
  const uint64_t seed = vm["seed"].as<uint64_t>();
  const std::string file = vm["config"].as<std::string>();

  ir::Network net;
  switch (config::detect_kind(file)) {
    case config::ConfigKind::kNetwork:
      net = config::load_network(file);
      log_network_loaded(net);
      break;
    case config::ConfigKind::kDesign: {
      const ir::Design d = config::load_design(file);
      log_design_loaded(d);
      net = d.network;
      break;
    }
    case config::ConfigKind::kDevice:
      return usage_error("reference", "'" + file + "' is a device config; give a network or a design", opts);
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
  spdlog::debug("synthetic parameters and {} inputs from seed {}", frames, seed);
  return kExitOk;
}

}  // namespace vine::cli
