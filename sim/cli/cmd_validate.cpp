#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/options.h"
#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/estimate/bram_fit.h"
#include "sim/estimate/estimate.h"
#include "sim/run/simulation.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_validate(const Args& args) {
  po::options_description opts("vine validate FILE: check a network, device, design or cluster config and report the first problem");
  opts.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (auto done = parse_command("validate", args, opts, "file", "FILE", vm)) return *done;
  const std::string file = vm["file"].as<std::string>();
  const config::ConfigKind kind = config::detect_kind(file);
  switch (kind) {
    case config::ConfigKind::kNetwork: {
      const auto net = config::load_network(file);
      log_network_loaded(net);
      std::printf("%s: ok (network %s, %zu layers)\n", file.c_str(), net.name.c_str(), net.layers.size());
      break;
    }
    case config::ConfigKind::kDevice: {
      const auto dev = config::load_device(file);
      spdlog::info("loaded device {}: {}", dev.name, dev.part);
      std::printf("%s: ok (device %s, %s)\n", file.c_str(), dev.name.c_str(), dev.part.c_str());
      break;
    }
    case config::ConfigKind::kDesign: {
      const auto d = config::load_design(file);
      log_design_loaded(d);
      if (d.hw_template == ir::Template::kEngine) {
        // The loader planned every layer's tiles into the engine's buffers.
        std::printf("%s: ok (design %s: %s on %s at %g MHz, compute engine %d x %d)\n", file.c_str(), d.name.c_str(),
                    d.network.name.c_str(), d.device.name.c_str(), d.clock_mhz, d.engine.t_in, d.engine.t_out);
        break;
      }
      // What validate accepts, every command runs: the checks `vine run` makes
      // beyond the loader's (weight streams that fit the DDR) are made here.
      sim::check_simulatable(d);
      // Weight memories in BRAM beyond the device's cannot be built: refused
      // (sim/estimate/bram_fit.h); the whole design over it only said.
      const estimate::Estimate e = estimate::estimate_design(d);
      estimate::check_weights_fit_bram(d, e);
      std::printf("%s: ok (design %s: %s on %s at %g MHz)\n", file.c_str(), d.name.c_str(), d.network.name.c_str(),
                  d.device.name.c_str(), d.clock_mhz);
      if (const std::string note = estimate::bram_note(d, e); !note.empty()) std::printf("%s\n", note.c_str());
      break;
    }
    case config::ConfigKind::kCluster: {
      const auto cl = config::load_cluster(file);
      std::printf("%s: ok (cluster %s: %zu boards, %zu links)\n", file.c_str(), cl.name.c_str(),
                  cl.boards.size(), cl.links.size());
      // Thresholds that can lose words are a what-if, not an error: said here.
      for (const auto& l : cl.links) {
        const auto& c = l.config;
        if (c.flow_control && c.xoff_words + c.xoff_headroom_words() > c.rx_fifo_words)
          std::printf("note: link %s -> %s: xoff_words %d + headroom %d > rx_fifo_words %d: "
                      "words can be lost (docs/links.md)\n",
                      l.from.c_str(), l.to.c_str(), c.xoff_words, c.xoff_headroom_words(),
                      c.rx_fifo_words);
      }
      break;
    }
  }
  return kExitOk;
}

}  // namespace vine::cli
