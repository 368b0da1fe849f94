#include "sim/estimate/estimate.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "models/layers/stage_kinds.h"
#include "models/layers/frame_buffers.h"
#include "models/layers/weight_stream.h"
#include "sim/config/config_error.h"
#include "sim/estimate/resource_model.h"

namespace vine::estimate {

namespace {

// The weight streams' and DMAs' DDR traffic per layer, DMA and channel; a
// channel that needs more cycles per frame than any stage sets the interval.
void add_ddr_channels(const ir::Design& d, const ir::StreamingPlan& plan, Estimate& e) {
  const auto streams = models::plan_weight_streams(d);
  std::optional<models::FrameBuffers> frames;
  if (d.dma_memory == ir::DmaMemory::kDdr) frames = models::plan_frame_buffers(d, plan);
  if (streams.empty() && !frames) return;
  auto cycles = models::ddr_channel_cycles_per_frame(d, streams);
  if (frames)
    for (size_t c = 0; c < cycles.size(); ++c)
      cycles[c] += frames->input.channel_cycles_per_frame(int(c)) + frames->output.channel_cycles_per_frame(int(c));
  // Per channel, its users in pipeline order: the input DMA, the weight
  // streamers, the output DMA.
  for (size_t c = 0; c < cycles.size(); ++c) {
    if (cycles[c] == 0) continue;
    DdrChannelEstimate ch;
    ch.channel = int(c);
    ch.cycles = cycles[c];
    auto add = [&](const std::string& stage, uint64_t bytes) {
      if (!bytes) return;
      ch.bytes_per_frame += bytes;
      ch.streams.push_back(stage);
    };
    auto frame_bytes = [&](const models::FrameTransfer& t) {
      uint64_t bytes = 0;
      for (const auto& chunk : t.chunks)
        if (chunk.channel == int(c)) bytes += chunk.moved;
      return bytes;
    };
    if (frames) add(plan.stages.front().name, frame_bytes(frames->input));
    for (const auto& ws : streams) {
      uint64_t bytes = 0;
      for (const auto& chunk : ws.chunks)
        if (chunk.channel == int(c)) bytes += chunk.moved;
      for (const auto& s : plan.stages)
        if (s.layer == ws.layer && kinds::stage_kinds()[s.kind].name == "weight_streamer")
          add(s.name, bytes * uint64_t(ws.passes_per_frame));
    }
    if (frames) add(plan.stages.back().name, frame_bytes(frames->output));
    e.ddr_channels.push_back(ch);
  }
  for (const auto& ws : streams) {
    e.layers[size_t(ws.layer)].ddr_bytes_per_frame = ws.ddr_bytes_per_frame();
    e.layers[size_t(ws.layer)].ddr_channel = ws.chunks.front().channel;
  }
  if (frames)
    for (DmaEstimate& dma : e.dmas) {
      const models::FrameTransfer& t = dma.stage == plan.stages.front().name ? frames->input : frames->output;
      dma.bytes_per_frame = t.ddr_bytes_per_frame();
      dma.channel = t.chunks.front().channel;
    }
  for (const auto& ch : e.ddr_channels) {
    if (ch.cycles <= e.interval_cycles) continue;
    e.interval_cycles = ch.cycles;
    e.bottleneck_ddr_channel = ch.channel;
    e.bottleneck_stages = ch.streams;
    e.bottleneck_layers.clear();
    for (const auto& s : plan.stages)
      if (s.layer >= 0 && std::count(ch.streams.begin(), ch.streams.end(), s.name))
        e.bottleneck_layers.push_back(e.layers[size_t(s.layer)].name);
  }
}

}  // namespace

Estimate estimate_design(const ir::Design& d) {
  if (d.hw_template != ir::Template::kStreaming)
    throw config::ConfigError(ir::SourceLocation{d.path, 0, 0, "template"}, "'engine'",
                              "'streaming': this analysis covers streaming pipelines; a compute engine's closed form is "
                              "`vine estimate`'s (docs/engine.md)");
  Estimate e;
  e.design = d.name;
  e.clock_mhz = d.clock_mhz;
  e.device = d.device.capacity;
  e.device_name = d.device.name;
  const auto& net = d.network;
  e.layers.resize(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    e.layers[i].name = net.layers[i].name;
    e.layers[i].kind = ir::to_string(net.layers[i].kind);
    e.layers[i].pe = d.folding[i].pe;
    e.layers[i].simd = d.folding[i].simd;
  }
  // One plan for stages and streams, the one the simulator elaborates.
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  for (const auto& s : plan.stages) {
    // The DMAs belong to the shell: no layer, no cycles of the accelerator's.
    if (s.layer < 0) continue;
    // Cycles and resources as the stage's kind states them.
    const kinds::StageKindEntry& kind = kinds::stage_kinds()[s.kind];
    StageEstimate se{s, kind.cycles(s, d), kind.resources ? kind.resources(s, d) : ir::Resources{}};
    LayerEstimate& le = e.layers[s.layer];
    le.cycles = std::max(le.cycles, se.cycles);
    le.resources += se.resources;
    const std::string family = ir::family_name(s.kind);
    if (family == "mvau" || family == "vvau")
      le.weight_memory += weight_memory_resources(s, d);
    le.stages.push_back(se);
  }
  for (const auto& le : e.layers) {
    e.resources += le.resources;
    e.latency_cycles_sum += le.cycles;
    e.interval_cycles = std::max(e.interval_cycles, le.cycles);
  }
  // DMAs whose frames are in DDR take their closed-form cycles per frame too
  // (an ideal memory's DMA, one beat per cycle, is left out as before).
  if (d.dma_memory == ir::DmaMemory::kDdr)
    for (const auto& s : plan.stages) {
      if (s.kind != ir::StageKind::kInputDma && s.kind != ir::StageKind::kOutputDma) continue;
      DmaEstimate dma;
      dma.stage = s.name;
      dma.cycles = kinds::stage_kinds()[s.kind].cycles(s, d);
      e.dmas.push_back(dma);
      e.interval_cycles = std::max(e.interval_cycles, dma.cycles);
    }
  // Every stage at the interval, in the plan's (pipeline) order: a tie is
  // named whole, so that no arbitrary pick disagrees with the run's.
  for (const auto& s : plan.stages) {
    if (s.layer < 0) {
      for (const auto& dma : e.dmas)
        if (dma.stage == s.name && dma.cycles == e.interval_cycles) e.bottleneck_stages.push_back(s.name);
      continue;
    }
    for (const auto& se : e.layers[s.layer].stages)
      if (se.plan.name == s.name && se.cycles == e.interval_cycles && e.interval_cycles > 0) {
        e.bottleneck_stages.push_back(s.name);
        const std::string& layer = e.layers[s.layer].name;
        if (e.bottleneck_layers.empty() || e.bottleneck_layers.back() != layer)
          e.bottleneck_layers.push_back(layer);
      }
  }
  add_ddr_channels(d, plan, e);
  if (!e.bottleneck_layers.empty()) e.bottleneck = e.bottleneck_layers.front();
  else if (!e.bottleneck_stages.empty()) e.bottleneck = e.bottleneck_stages.front();  // a DMA
  // Every stream at the width and depth the plan gives it: a graph edge at
  // the design's `bits` (not its producer's PE width), and the streams
  // inside layers (between converters, window, MVAU, duplicator) too. Listed
  // in pipeline order (by producer, then consumer: the stages are in
  // topological order), not in the order the plan made them.
  std::vector<size_t> order(plan.streams.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const ir::StreamPlan &x = plan.streams[a], &y = plan.streams[b];
    return std::pair{x.producer, x.consumer} < std::pair{y.producer, y.consumer};
  });
  for (size_t id : order) {
    const ir::StreamPlan& st = plan.streams[id];
    FifoEstimate fe;
    fe.name = st.name;
    fe.producer = plan.stages[size_t(st.producer)].name;
    fe.consumer = plan.stages[size_t(st.consumer)].name;
    fe.graph_edge = st.graph_edge;
    fe.depth = st.depth;
    fe.width_bits = st.bits;
    fe.memory_style = st.memory_style;
    fe.resources = fifo_resources(st.bits, st.depth, st.memory_style);
    e.resources += fe.resources;
    e.fifos.push_back(fe);
  }
  e.fps = e.interval_cycles ? d.clock_mhz * 1e6 / double(e.interval_cycles) : 0;
  const auto& r = e.resources;
  const auto& c = e.device;
  e.fits = r.lut <= c.lut && r.ff <= c.ff && r.bram18 <= c.bram18 && r.uram <= c.uram && r.dsp <= c.dsp;
  return e;
}

namespace {

nlohmann::json resources_json(const ir::Resources& r) {
  // Whole primitives: fractional LUTs come only from the 1.1 factor.
  return {{"lut", int64_t(r.lut + 0.5)}, {"ff", int64_t(r.ff + 0.5)}, {"bram18", int64_t(r.bram18 + 0.5)},
          {"uram", int64_t(r.uram + 0.5)}, {"dsp", int64_t(r.dsp + 0.5)}};
}

}  // namespace

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

nlohmann::json to_json(const Estimate& e) {
  nlohmann::json j;
  j["design"] = e.design;
  j["clock_mhz"] = e.clock_mhz;
  j["interval_cycles"] = e.interval_cycles;
  j["fps"] = e.fps;
  j["bottleneck"] = e.bottleneck;
  j["bottleneck_layers"] = e.bottleneck_layers;
  j["bottleneck_stages"] = e.bottleneck_stages;
  j["bottleneck_ddr_channel"] = e.bottleneck_ddr_channel;
  j["latency_cycles_sum"] = e.latency_cycles_sum;
  j["ddr_channels"] = nlohmann::json::array();
  for (const auto& c : e.ddr_channels)
    j["ddr_channels"].push_back({{"channel", c.channel},
                                 {"cycles_per_frame", c.cycles},
                                 {"bytes_per_frame", c.bytes_per_frame},
                                 {"streams", c.streams}});
  j["dmas"] = nlohmann::json::array();
  for (const auto& m : e.dmas)
    j["dmas"].push_back({{"stage", m.stage},
                         {"cycles", m.cycles},
                         {"ddr_bytes_per_frame", m.bytes_per_frame},
                         {"ddr_channel", m.channel}});
  j["resources"] = resources_json(e.resources);
  j["device"] = resources_json(e.device);
  j["device"]["name"] = e.device_name;
  j["fits"] = e.fits;
  j["layers"] = nlohmann::json::array();
  for (const auto& l : e.layers) {
    nlohmann::json lj = {{"name", l.name}, {"kind", l.kind}, {"pe", l.pe}, {"simd", l.simd},
                         {"cycles", l.cycles}, {"resources", resources_json(l.resources)},
                         {"ddr_bytes_per_frame", l.ddr_bytes_per_frame}};
    if (l.ddr_channel >= 0) lj["ddr_channel"] = l.ddr_channel;
    lj["stages"] = nlohmann::json::array();
    for (const auto& s : l.stages)
      lj["stages"].push_back({{"name", s.plan.name},
                              {"kind", ir::to_string(s.plan.kind)},
                              {"cycles", s.cycles},
                              {"in_stream_bits", s.plan.in_stream_bits},
                              {"out_stream_bits", s.plan.out_stream_bits},
                              {"resources", resources_json(s.resources)}});
    j["layers"].push_back(lj);
  }
  j["fifos"] = nlohmann::json::array();
  for (const auto& f : e.fifos)
    j["fifos"].push_back({{"name", f.name},
                          {"producer", f.producer},
                          {"consumer", f.consumer},
                          {"graph_edge", f.graph_edge},
                          {"depth", f.depth},
                          {"width_bits", f.width_bits},
                          {"style", f.memory_style ? "memory" : "shift"},
                          {"resources", resources_json(f.resources)}});
  return j;
}

std::string format_table(const Estimate& e) {
  std::ostringstream o;
  char buf[1024];
  // Rows with no layer columns: a label and five resource figures.
  auto resource_row = [&](const char* label, const ir::Resources& r) {
    std::snprintf(buf, sizeof buf, "  %-16s %-9s %5s %5s %12s %9.0f %9.0f %7.0f %5.0f %6.0f\n",
                  label, "", "", "", "", r.lut, r.ff, r.bram18, r.uram, r.dsp);
    o << buf;
  };
  std::snprintf(buf, sizeof buf, "design %s on %s at %.1f MHz (analytic estimate)\n\n", e.design.c_str(),
                e.device_name.c_str(), e.clock_mhz);
  o << buf;
  std::snprintf(buf, sizeof buf, "  %-16s %-9s %5s %5s %12s %9s %9s %7s %5s %6s\n", "layer", "kind",
                "PE", "SIMD", "cycles", "LUT", "FF", "BRAM18", "URAM", "DSP");
  o << buf;
  for (const auto& l : e.layers) {
    const auto& r = l.resources;
    std::snprintf(buf, sizeof buf, "%s %-16s %-9s %5d %5d %12lld %9.0f %9.0f %7.0f %5.0f %6.0f\n",
                  std::count(e.bottleneck_layers.begin(), e.bottleneck_layers.end(), l.name) ? "*" : " ",
                  l.name.c_str(), l.kind.c_str(), l.pe, l.simd,
                  (long long)l.cycles, r.lut, r.ff, r.bram18, r.uram, r.dsp);
    o << buf;
  }
  ir::Resources edge_fifos, internal_fifos;
  for (const auto& f : e.fifos) (f.graph_edge ? edge_fifos : internal_fifos) += f.resources;
  resource_row("(edge fifos)", edge_fifos);
  resource_row("(internal fifos)", internal_fifos);
  const auto& r = e.resources;
  const auto& c = e.device;
  resource_row("total", r);
  auto pct = [](double a, double b) { return b > 0 ? 100.0 * a / b : (a > 0 ? 999.0 : 0.0); };
  std::snprintf(buf, sizeof buf,
                "  %-16s %-9s %5s %5s %12s %8.0f%% %8.0f%% %6.0f%% %4.0f%% %5.0f%%\n", "of device",
                "", "", "", "", pct(r.lut, c.lut), pct(r.ff, c.ff), pct(r.bram18, c.bram18),
                pct(r.uram, c.uram), pct(r.dsp, c.dsp));
  o << buf;

  std::snprintf(buf, sizeof buf,
                "\ninterval %lld cycles -> %.1f frames/s at %.1f MHz: the bottleneck's cycles per frame\n"
                "bottleneck %s %s: %s\n"
                "latency (sum of layer cycles, FINN's pessimistic bound) %lld cycles = %.3f ms\n"
                "fits %s: %s\n",
                (long long)e.interval_cycles, e.fps, e.clock_mhz, join_names(e.bottleneck_stages).c_str(),
                e.bottleneck_layers.empty() && !e.dmas.empty() ? "(frames in DDR, below)" : "(* above)",
                e.bottleneck_ddr_channel >= 0
                    ? (std::string(e.dmas.empty() ? "the weight streams" : "the weight streams and DMAs") +
                       " of DDR channel " + std::to_string(e.bottleneck_ddr_channel) +
                       ", which holds them longer per frame than any stage works")
                          .c_str()
                    : (std::string("the stage") + (e.bottleneck_stages.size() > 1 ? "s, tied," : "") +
                       " with the most cycles of work per frame")
                          .c_str(),
                (long long)e.latency_cycles_sum, double(e.latency_cycles_sum) / (e.clock_mhz * 1e3),
                e.device_name.c_str(), e.fits ? "yes" : "NO");
  o << buf;

  if (!e.ddr_channels.empty()) {
    if (std::any_of(e.layers.begin(), e.layers.end(), [](const LayerEstimate& l) { return l.ddr_channel >= 0; }))
      o << "\nweights in DDR (FINN's external weight stream: the whole matrix once per input vector)\n";
    for (const auto& l : e.layers)
      if (l.ddr_channel >= 0) {
        std::snprintf(buf, sizeof buf, "  %-16s %14llu bytes/frame on channel %d = %.3f GB/s at this fps\n",
                      l.name.c_str(), (unsigned long long)l.ddr_bytes_per_frame, l.ddr_channel,
                      double(l.ddr_bytes_per_frame) * e.fps / 1e9);
        o << buf;
      }
    if (!e.dmas.empty())
      o << "\nframes in DDR (dma_memory: ddr: the input DMA reads each frame, the output DMA writes it)\n";
    for (const auto& m : e.dmas) {
      std::snprintf(buf, sizeof buf,
                    "  %-16s %14llu bytes/frame on channel %d = %.3f GB/s at this fps, %lld cycles per frame%s\n",
                    m.stage.c_str(), (unsigned long long)m.bytes_per_frame, m.channel,
                    double(m.bytes_per_frame) * e.fps / 1e9, (long long)m.cycles,
                    std::count(e.bottleneck_stages.begin(), e.bottleneck_stages.end(), m.stage) &&
                            e.bottleneck_ddr_channel < 0
                        ? ": the bottleneck"
                        : "");
      o << buf;
    }
    for (const auto& c : e.ddr_channels) {
      std::snprintf(buf, sizeof buf, "  channel %d: busy %lld cycles per frame (%s)%s\n", c.channel,
                    (long long)c.cycles, join_names(c.streams).c_str(),
                    c.channel == e.bottleneck_ddr_channel ? ": the bottleneck, its streams contend" : "");
      o << buf;
    }
  }

  // Every FIFO, as the simulator builds it; the name column fits the longest
  // name (written apart from the figures, so no name is cut).
  size_t name_width = 4;
  for (const auto& f : e.fifos) name_width = std::max(name_width, f.name.size());
  auto name_cell = [&](const std::string& name) {
    o << "  " << name << std::string(name_width - name.size(), ' ');
  };
  o << "\nfifos (edge: on the layer graph, depth from the design; internal: inside a layer)\n";
  name_cell("fifo");
  std::snprintf(buf, sizeof buf, " %-8s %6s %7s %-6s %9s %9s %7s\n", "where", "bits", "depth",
                "style", "LUT", "FF", "BRAM18");
  o << buf;
  for (const auto& f : e.fifos) {
    const auto& fr = f.resources;
    name_cell(f.name);
    std::snprintf(buf, sizeof buf, " %-8s %6d %7d %-6s %9.0f %9.0f %7.0f\n",
                  f.graph_edge ? "edge" : "internal", f.width_bits, f.depth,
                  f.memory_style ? "memory" : "shift", fr.lut, fr.ff, fr.bram18);
    o << buf;
  }
  return o.str();
}

}  // namespace vine::estimate
