#include "sim/cli/logging.h"

#include <spdlog/sinks/stdout_sinks.h>  // also holds the stderr sinks
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>

namespace vine::cli {

namespace {

std::optional<Verbosity> chosen;

spdlog::level::level_enum level_of(Verbosity v) {
  switch (v) {
    case Verbosity::kQuiet:
      return spdlog::level::warn;
    case Verbosity::kNormal:
      return spdlog::level::info;
    case Verbosity::kVerbose:
      return spdlog::level::debug;
  }
  return spdlog::level::info;
}

}  // namespace

void init_logging() {
  // spdlog's default logger writes to stdout; vine's stdout is its reports.
  auto logger =
      std::make_shared<spdlog::logger>("vine", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("vine: %l: %v");
  logger->set_level(level_of(Verbosity::kNormal));
  spdlog::set_default_logger(logger);
}

bool choose_verbosity(Verbosity v, std::string& problem) {
  if (chosen && *chosen != v) {
    problem = "--verbose and --quiet exclude each other";
    return false;
  }
  chosen = v;
  spdlog::set_level(level_of(v));
  return true;
}

Verbosity verbosity() {
  return chosen.value_or(Verbosity::kNormal);
}

void log_network_loaded(const ir::Network& net) {
  spdlog::info("loaded network {}: {} layers, {} classes", net.name, net.layers.size(),
               net.classes);
  spdlog::debug("network file {}", net.path);
}

void log_design_loaded(const ir::Design& d) {
  spdlog::info("loaded design {}: network {} ({} layers) on {} at {} MHz", d.name, d.network.name,
               d.network.layers.size(), d.device.name, d.clock_mhz);
  spdlog::debug("design file {}, network file {}, device file {}", d.path, d.network.path,
                d.device.path);
  for (size_t i = 0; i < d.network.layers.size(); ++i) {
    const ir::Layer& l = d.network.layers[i];
    const ir::LayerFolding& f = d.folding[i];
    if (l.has_weights())
      spdlog::debug("layer {} ({}): PE {}, SIMD {}, weights in {}, PE back-end {}", l.name,
                    ir::to_string(l.kind), f.pe, f.simd, ir::to_string(f.weight_memory),
                    ir::to_string(f.backend));
    else
      spdlog::debug("layer {} ({}): PE {}", l.name, ir::to_string(l.kind), f.pe);
  }
}

void log_plan(const ir::StreamingPlan& plan) {
  size_t edges = 0;
  for (const auto& s : plan.streams) edges += s.graph_edge;
  spdlog::info("process network: {} stages, {} FIFOs ({} graph edges, {} layer-internal)",
               plan.stages.size(), plan.streams.size(), edges, plan.streams.size() - edges);
  // Per frame; the DMAs have one side only.
  for (const auto& s : plan.stages) {
    if (s.inputs.empty())
      spdlog::debug("stage {}: writes {} bits x {} beats per frame", s.name, s.out_stream_bits,
                    s.out_words);
    else if (s.outputs.empty())
      spdlog::debug("stage {}: reads {} bits x {} beats per frame", s.name, s.in_stream_bits,
                    s.in_words);
    else
      spdlog::debug("stage {} ({}): reads {} bits x {} beats, writes {} bits x {} beats per frame",
                    s.name, ir::to_string(s.kind), s.in_stream_bits, s.in_words, s.out_stream_bits,
                    s.out_words);
  }
  for (const auto& s : plan.streams)
    spdlog::debug("fifo {}: {} bits, depth {}, {} style, {}", s.name, s.bits, s.depth,
                  s.memory_style ? "memory" : "shift",
                  s.graph_edge ? "graph edge" : "layer-internal");
}

}  // namespace vine::cli
