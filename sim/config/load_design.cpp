#include <algorithm>
#include <filesystem>
#include <set>

#include "models/layers/stage_kinds.h"
#include "sim/config/layer_fields.h"
#include "sim/config/loaders.h"
#include "sim/config/parameter_files.h"
#include "sim/config/open_config.h"
#include "sim/engine/engine_tiling.h"
#include "sim/ir/layer_sums.h"
#include "sim/finn_config/finn_op_types.h"

#include "sim/ir/stage_plan.h"
#include "sim/ir/weight_bitmap.h"

namespace vine::config {

const char* to_string(ConfigKind k) {
  switch (k) {
    case ConfigKind::kNetwork: return "network";
    case ConfigKind::kDevice: return "device";
    case ConfigKind::kDesign: return "design";
    case ConfigKind::kCluster: return "cluster";
  }
  return "?";
}

namespace {

ConfigKind kind_of(const Field& root) {
  if (!root.is_map()) root.fail("a map with a top-level 'network', 'device', 'design' or 'cluster' field");
  const YAML::Node& n = root.node();
  if (n["design"]) return ConfigKind::kDesign;
  if (n["cluster"]) return ConfigKind::kCluster;
  if (n["device"]) return ConfigKind::kDevice;
  if (n["network"]) return ConfigKind::kNetwork;
  root.fail("a top-level 'network', 'device', 'design' or 'cluster' field naming what the file describes");
}

}  // namespace

ConfigKind detect_kind(const std::string& path) { return kind_of(Field(load_yaml_file(path), path, "")); }

Field open_config(const std::string& path, ConfigKind want) {
  Field root(load_yaml_file(path), path, "");
  const ConfigKind is = kind_of(root);
  if (is == want) return root;
  // A file of another kind: its own errors come first, as `vine validate`
  // reports them, so that every command refuses a bad file alike.
  switch (is) {
    case ConfigKind::kNetwork: load_network(path); break;
    case ConfigKind::kDevice: load_device(path); break;
    case ConfigKind::kDesign: load_design(path); break;
    case ConfigKind::kCluster: load_cluster(path); break;
  }
  throw ConfigError({path, 0, 0, ""}, std::string("a valid ") + to_string(is) + " config",
                    std::string("a ") + to_string(want) + " config here");
}

namespace {

// Paths in a design are relative to the design file.
std::string resolve(const std::string& design_path, const Field& f) {
  return resolve_path(design_path, f, "design");
}

ir::MemoryStyle read_memory_style(const Field& f) {
  const std::string s = f.as_choice({"bram", "lutram", "uram", "ddr"});
  if (s == "lutram") return ir::MemoryStyle::kLutram;
  if (s == "uram") return ir::MemoryStyle::kUram;
  if (s == "ddr") return ir::MemoryStyle::kDdr;
  return ir::MemoryStyle::kBram;
}

// A layer's `stages:`: registered stage kinds that a layer can expand into,
// one of which reads every input of a layer with several.
std::vector<std::string> read_layer_stages(const Field& f, const ir::Layer& layer) {
  std::vector<std::string> placeable, multi_input;
  for (const kinds::StageKindEntry* k : kinds::stage_kinds().entries()) {
    if (k->from_layer) placeable.push_back(k->name);
    if (k->from_layer && k->reads_every_input) multi_input.push_back(k->name);
  }
  std::vector<std::string> stages;
  bool reads_every_input = false;
  for (const Field& item : f.items()) {
    const std::string name = item.as_string();
    const kinds::StageKindEntry* k = kinds::stage_kinds().find(name);
    if (!k || !k->from_layer)
      item.fail("a stage kind a layer expands into, one of: " + join(placeable));
    reads_every_input |= k->reads_every_input;
    stages.push_back(name);
  }
  if (stages.empty()) f.fail("a list of at least one stage kind");
  if (layer.input_index.size() > 1 && !reads_every_input)
    f.fail("a stage that reads every input of " + layer.name + ", one of: " + join(multi_input));
  return stages;
}

// `finn_impl:` (design-wide or a layer's): FINN's implementation style by
// stage kind, for the kinds FINN builds both ways.
std::map<std::string, std::string> read_finn_impl(const Field& f) {
  MapReader m(f);
  std::map<std::string, std::string> out;
  const std::vector<std::string> kinds = finn::kinds_with_both_styles();
  for (auto& [kind, field] : m.entries()) {
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
      field.fail("a stage kind FINN builds both as HLS and RTL, one of: " + join(kinds) + " (no '" + kind + "')");
    out[kind] = field.as_choice({"hls", "rtl"});
  }
  return out;
}

// A layer's `impl_style:`: `hls`, `rtl`, or a map from the HLS kinds that
// have an RTL variant to hls or rtl (ir::LayerFolding::impl_style).
void read_impl_style(const Field& f, ir::LayerFolding& folding) {
  folding.impl_style_where = f.where();
  if (!f.is_map()) {
    folding.impl_style =
        f.as_choice({"hls", "rtl"}) == "rtl" ? ir::LayerFolding::ImplStyle::kRtl : ir::LayerFolding::ImplStyle::kHls;
    return;
  }
  std::vector<std::string> kinds;
  for (const kinds::StageKindEntry* k : kinds::stage_kinds().entries())
    if (kinds::stage_kinds().rtl_variant(k->name)) kinds.push_back(k->name);
  MapReader m(f);
  folding.impl_style = ir::LayerFolding::ImplStyle::kPerKind;
  for (auto& [kind, field] : m.entries()) {
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
      field.fail("a stage kind Vine times from a FINN RTL template, one of: " + join(kinds) + " (no '" + kind + "')");
    if (field.as_choice({"hls", "rtl"}) == "rtl") folding.rtl_kinds.push_back(kind);
  }
}

// A FIFO's FINN impl_style and ram_style, carried for FINN folding configs.
void read_finn_fifo_styles(MapReader& fm, std::string& impl_style, std::string& ram_style) {
  if (fm.has("impl_style")) impl_style = fm.get_choice("impl_style", {"rtl", "vivado"}, "rtl");
  if (fm.has("ram_style")) ram_style = fm.get_choice("ram_style", {"auto", "block", "distributed", "ultra"}, "auto");
}

// A design with `template: engine` (docs/engine.md): the clock and the
// engine's parameters; the streaming fields (folding, FIFOs, DMAs) are not
// its fields, so they are refused as unknown.
void load_engine(MapReader& m, const Field& root, ir::Design& d) {
  d.hw_template = ir::Template::kEngine;
  d.clock_mhz = m.get_double("clock_mhz", 1, 1000, d.device.max_clock_mhz);
  if (d.device.ddr_channels < 1)
    m.get("device").fail("a device with DDR (its config's ddr: section): the compute engine keeps its "
                         "activations and weights there, and " + d.device.name + " has none");
  ir::EngineConfig& e = d.engine;
  e.where = root.where();
  e.where.field = "engine";
  e.input_buffer_where = e.weight_buffer_where = e.output_buffer_where = e.coefficient_buffer_where = e.where;
  if (auto ef = m.find("engine")) {
    e.where = ef->where();
    MapReader em(*ef);
    e.t_in = int(em.get_int("t_in", 1, 1 << 12, e.t_in));
    e.t_out = int(em.get_int("t_out", 1, 1 << 12, e.t_out));
    auto buffer = [&](const char* key, int64_t& bytes, ir::SourceLocation& where) {
      if (auto b = em.find(key)) where = b->where();
      bytes = em.get_int(key, 1, int64_t{1} << 32, bytes);
    };
    buffer("input_buffer_bytes", e.input_buffer_bytes, e.input_buffer_where);
    buffer("weight_buffer_bytes", e.weight_buffer_bytes, e.weight_buffer_where);
    buffer("output_buffer_bytes", e.output_buffer_bytes, e.output_buffer_where);
    buffer("coefficient_buffer_bytes", e.coefficient_buffer_bytes, e.coefficient_buffer_where);
    e.tile_overhead_cycles = int(em.get_int("tile_overhead_cycles", 0, 1 << 20, e.tile_overhead_cycles));
    e.generator_lanes = int(em.get_int("generator_lanes", 1, 1 << 12, e.generator_lanes));
    if (e.generator_lanes & (e.generator_lanes - 1))
      em.get("generator_lanes").fail("a power of two (the generator's lanes split a code into whole groups)");
    e.input_selective_pes = em.get_bool("input_selective_pes", e.input_selective_pes);
    if (em.has("buffers")) {
      const std::string b = em.get_choice("buffers", {"bram", "uram", "auto"}, "bram");
      e.buffers = b == "uram" ? ir::EngineBufferMemory::kUram
                  : b == "auto" ? ir::EngineBufferMemory::kAuto
                                : ir::EngineBufferMemory::kBram;
      if (e.buffers == ir::EngineBufferMemory::kUram && d.device.capacity.uram <= 0)
        em.get("buffers").fail("'bram' or 'auto' on device " + d.device.name + ", which has no UltraRAM");
    }
    em.done();
  }
  m.done();
  // The engine's layer descriptor holds one kernel side and one stride
  // (docs/engine-registers.md): square windows only.
  for (const ir::Layer& l : d.network.layers)
    if (!l.square_window())
      throw ConfigError(l.where, l.name + "'s kernel " + ir::window_text(l.kernel_h, l.kernel_w) + ", stride " +
                                     ir::window_text(l.stride_h, l.stride_w),
                        "a square kernel and stride on the engine template (its layer descriptor holds one side "
                        "of each: docs/engine-registers.md); a one-dimensional window runs on template: streaming");
  d.folding.assign(d.network.layers.size(), ir::LayerFolding{});
  engine::plan_engine(d);  // every layer's tiles fit the buffers
}

// `cluster:` and `placement:` (docs/partition.md): the boards in pipeline
// order, each running a range of consecutive layers given by its first and
// last layer's names, and a link of the cluster from each board to the next
// carrying the one stream cut between them.
void read_placement(MapReader& m, const std::string& path, ir::Design& d) {
  auto cf = m.find("cluster");
  auto pf = m.find("placement");
  if (!cf && !pf) return;
  if (!cf) pf->fail("a placement with a `cluster:` field beside it naming the cluster config its boards are in");
  if (!pf) cf->fail("a cluster with a `placement:` of the design's layers on its boards beside it");
  ir::Placement& pl = d.placement;
  pl.cluster = load_cluster(resolve(path, *cf));
  pl.cluster_where = cf->where();
  const ir::Network& net = d.network;
  const int n = int(net.layers.size());
  pl.board_of_layer.assign(size_t(n), -1);
  std::vector<std::string> board_names;
  for (const auto& b : pl.cluster.boards) board_names.push_back(b.name);
  auto layer_of = [&](const Field& f) {
    const int i = net.find_layer(f.as_string());
    if (i < 0) f.fail("a layer of network " + net.name + " by name");
    return i;
  };
  int next = 0;  // the first layer no board runs yet
  for (const Field& item : pf->items()) {
    MapReader im(item);
    const Field bf = im.get("board");
    const std::string bn = bf.as_string();
    const auto bi = std::find(board_names.begin(), board_names.end(), bn);
    if (bi == board_names.end())
      bf.fail("the name of a board of cluster " + pl.cluster.name + " (" + join(board_names) + ")");
    const int b = int(bi - board_names.begin());
    for (const ir::PlacedBoard& other : pl.boards)
      if (other.board == b)
        bf.fail("a board not placed before in this placement (each board runs one range of layers; '" + bn +
                "' is also at line " + std::to_string(other.where.line) + ")");
    const Field lf = im.get("layers");
    const std::vector<Field> ends = lf.items();
    if (ends.size() != 2) lf.fail("[FIRST, LAST]: the names of the first and the last layer the board runs");
    const int first = layer_of(ends[0]), last = layer_of(ends[1]);
    if (last < first)
      lf.fail("layers in pipeline order ('" + net.layers[size_t(last)].name + "' comes before '" +
              net.layers[size_t(first)].name + "')");
    if (first > next)
      ends[0].fail("'" + net.layers[size_t(next)].name + "', the layer after the previous board's (every layer on a board: '" +
                   net.layers[size_t(next)].name + "' to '" + net.layers[size_t(first - 1)].name + "' are on none)");
    if (first < next)
      ends[0].fail("a layer after the previous board's last, '" + net.layers[size_t(next - 1)].name +
                   "' (a layer runs on one board)");
    if (!pl.boards.empty()) {
      const int prev = pl.boards.back().board;
      if (!pl.cluster.link(prev, b))
        bf.fail("a board that a link of cluster " + pl.cluster.name + " reaches from '" + board_names[size_t(prev)] +
                "', the board before it (the cut before '" + net.layers[size_t(first)].name + "' needs one)");
      // The streams the cut carries: every output produced before it and read after it.
      std::set<int> producers;
      for (int v = first; v < n; ++v)
        for (int u : net.layers[size_t(v)].input_index)
          if (u < first) producers.insert(u);
      if (producers.size() > 1) {
        std::vector<std::string> names;
        for (int u : producers) names.push_back(u < 0 ? std::string("input") : net.layers[size_t(u)].name);
        ends[0].fail("a cut that one stream crosses (the cut before '" + net.layers[size_t(first)].name +
                     "' carries " + join(names) + "; several streams on one link are not simulated yet)");
      }
    }
    for (int i = first; i <= last; ++i) pl.board_of_layer[size_t(i)] = b;
    pl.boards.push_back({b, first, last + 1, item.where()});
    next = last + 1;
    im.done();
  }
  if (next < n)
    pf->fail("a placement of every layer ('" + net.layers[size_t(next)].name + "' to '" +
             net.layers[size_t(n - 1)].name + "' are on no board)");
}

}  // namespace

ir::Design load_design(const std::string& path) {
  Field root = open_config(path, ConfigKind::kDesign);
  MapReader m(root);
  ir::Design d;
  d.path = path;
  d.name = m.get_string("design");
  const std::string net_path = resolve(path, m.get("network"));
  const Field device_field = m.get("device");
  const std::string dev_path = resolve(path, device_field);
  d.device_where = device_field.where();
  d.network = load_network(net_path);
  d.device = load_device(dev_path);
  if (auto t = m.find("template"); t && t->as_choice({"streaming", "engine"}) == "engine") {
    load_engine(m, root, d);
    return d;
  }
  d.hw_template = ir::Template::kStreaming;
  // The streaming models (MVAU, VVAU, their PEs and threshold units) carry a
  // layer's sums as 32-bit values; only the compute engine holds 64-bit ones.
  for (const ir::Layer& l : d.network.layers)
    if (ir::wide_sums(l))
      {
      ir::SourceLocation w = l.where;
      w.field += ".weights";
      throw ConfigError(w,
                        "sums from " + std::to_string(l.acc_range.lo) + " to " + std::to_string(l.acc_range.hi) + " (" +
                            std::to_string(l.matrix_width()) + " products per output) in a streaming design",
                        "sums that fit 32-bit signed integers, which the streaming models hold them in "
                        "(a compute engine, template: engine, holds 64-bit sums)");
    }
  d.clock_mhz = m.get_double("clock_mhz", 1, 1000, d.device.max_clock_mhz);
  d.default_fifo_depth = int(m.get_int("fifo_depth", 1, 1 << 20, 2));
  d.internal_fifo_depth = int(m.get_int("internal_fifo_depth", 1, 1 << 20, 2));
  d.dma_bits = int(m.get_int("dma_bits", 0, 1 << 16, 0));
  if (d.dma_bits % d.network.input_type.bits != 0)
    m.get("dma_bits").fail("a multiple of the network's " + std::to_string(d.network.input_type.bits) +
                           "-bit input elements");
  // A frame must be whole beats on every stream, or its last beat would be
  // short and the stages on either side would wait for each other forever.
  if (d.dma_bits) {
    const int64_t in_bits = d.network.input_shape.elements() * d.network.input_type.bits;
    if (in_bits % d.dma_bits != 0)
      m.get("dma_bits").fail("a width that divides the input frame's " + std::to_string(in_bits) +
                             " bits into whole beats");
    // The output DMA packs whole elements at this width when they fit it.
    const ir::Layer& ol = d.network.output_layer();
    const int64_t out_bits = ol.out_shape.elements() * ol.out_type.bits;
    if (d.dma_bits % ol.out_type.bits == 0 && out_bits % d.dma_bits != 0)
      m.get("dma_bits").fail("a width that divides the output frame's " + std::to_string(out_bits) +
                             " bits into whole beats");
  }
  if (auto dm = m.find("dma_memory")) {
    d.dma_memory = dm->as_choice({"ideal", "ddr"}) == "ddr" ? ir::DmaMemory::kDdr : ir::DmaMemory::kIdeal;
    d.dma_memory_where = dm->where();
    if (d.dma_memory == ir::DmaMemory::kDdr && d.device.ddr_channels < 1)
      dm->fail("'ideal' on device " + d.device.name + ", which has no DDR (its config has no ddr: section)");
  }
  if (auto pd = m.find("pipeline_depth")) {
    d.pipeline_depth_where = pd->where();
    MapReader pm(*pd);
    for (const std::string& kind : kinds::stage_kinds().names())
      if (pm.find(kind)) d.pipeline_depth[kind] = int(pm.get_int(kind, 0, 1024));
    pm.done();
  }
  if (auto ps = m.find("pipeline_style")) {
    d.pipeline_style_where = ps->where();
    if (ps->is_map()) {
      MapReader pm(*ps);
      for (const std::string& kind : kinds::stage_kinds().names())
        if (auto k = pm.find(kind)) d.pipeline_flush_kind[kind] = k->as_choice({"stall", "flush"}) == "flush";
      pm.done();
    } else {
      d.pipeline_flush = ps->as_choice({"stall", "flush"}) == "flush";
    }
  }
  d.max_stream_bits = int(m.get_int("max_stream_bits", 8, 1 << 16, 8192));
  if (auto fi = m.find("finn_impl")) d.finn_impl = read_finn_impl(*fi);
  ir::MemoryStyle default_memory = ir::MemoryStyle::kBram;
  ir::SourceLocation default_memory_where;
  if (auto wm = m.find("weight_memory")) {
    default_memory = read_memory_style(*wm);
    default_memory_where = wm->where();
  }

  ir::Network& net = d.network;
  d.folding.assign(net.layers.size(), ir::LayerFolding{});
  for (size_t i = 0; i < net.layers.size(); ++i) {
    d.folding[i].weight_memory = default_memory;
    d.folding[i].weight_memory_where = default_memory_where;
    d.folding[i].where = root.where();
    d.folding[i].where.field = "layers." + net.layers[i].name;
  }
  bool overridden = false;
  if (auto layers = m.find("layers")) {
    MapReader lm(*layers);
    for (auto& [name, field] : lm.entries()) {
      const int idx = net.find_layer(name);
      if (idx < 0) {
        std::vector<std::string> names;
        for (const auto& l : net.layers) names.push_back(l.name);
        field.fail("settings for a layer of " + net.name + " (no layer '" + name + "'; layers: " + join(names) + ")");
      }
      ir::Layer& layer = net.layers[idx];
      ir::LayerFolding& f = d.folding[idx];
      MapReader fm(field);
      f.where = field.where();
      if (auto pe = fm.find("pe")) {
        f.pe = int(pe->as_int(1, 1 << 16));
        f.pe_where = pe->where();
      }
      if (auto simd = fm.find("simd")) {
        f.simd = int(simd->as_int(1, 1 << 16));
        f.simd_where = simd->where();
      }
      if (auto ws = fm.find("window_simd")) {
        if (layer.kind != ir::LayerKind::kConv)
          ws->fail("no window_simd on the " + std::string(ir::to_string(layer.kind)) + " layer " + layer.name +
                   " (a conv layer's window only: a depthwise window's element order depends on its SIMD, so "
                   "its VVAU's PE is the window's)");
        f.window_simd = int(ws->as_int(1, 1 << 16));
        f.window_simd_where = ws->where();
      }
      if (auto ps = fm.find("padding_simd")) {
        f.padding_simd = int(ps->as_int(1, 1 << 16));
        f.padding_simd_where = ps->where();
      }
      if (auto dp = fm.find("duplicate_pe")) {
        f.duplicate_pe = int(dp->as_int(1, 1 << 16));
        f.duplicate_pe_where = dp->where();
      }
      if (auto th = fm.find("thresholds")) {
        // `thresholds: {pe: N}`: the layer's thresholds a stage of their own
        // (check_design checks the layer has thresholds and N divides them).
        if (!th->is_map()) th->fail("a map with the threshold stage's pe ({pe: N})");
        MapReader tm(*th);
        auto pe = tm.find("pe");
        if (!pe) th->fail("a map with the threshold stage's pe ({pe: N})");
        f.threshold_pe = int(pe->as_int(1, 1 << 16));
        f.threshold_pe_where = pe->where();
        tm.done();
      }
      if (auto be = fm.find("backend")) {
        if (!layer.has_weights() && layer.kind != ir::LayerKind::kThreshold && layer.kind != ir::LayerKind::kRequant &&
            !(layer.kind == ir::LayerKind::kAdd && layer.output.kind != ir::OutputKind::kAccumulator))
          be->fail("no PE backend on a layer without weights, thresholds or a requantiser");
        f.backend = be->as_choice({"cpp", "rtl"}) == "rtl" ? ir::PeBackend::kRtl : ir::PeBackend::kCpp;
        f.backend_where = be->where();
      }
      if (auto fi = fm.find("finn_impl")) f.finn_impl = read_finn_impl(*fi);
      if (auto is = fm.find("impl_style")) read_impl_style(*is, f);
      if (auto st = fm.find("stages")) {
        f.stages = read_layer_stages(*st, layer);
        f.stages_where = st->where();
      }
      if (auto wm = fm.find("weight_memory")) {
        if (!layer.has_weights()) wm->fail("no weight_memory on a layer without weights");
        f.weight_memory = read_memory_style(*wm);
        f.weight_memory_where = wm->where();
      }
      if (auto ws = fm.find("weight_schedule")) {
        const std::string v = ws->as_choice({"vector", "row", "frame"});
        f.weight_schedule = v == "row" ? ir::WeightSchedule::kRow
                                       : v == "frame" ? ir::WeightSchedule::kFrame : ir::WeightSchedule::kVector;
        f.weight_schedule_where = ws->where();
        if (f.weight_schedule != ir::WeightSchedule::kVector) {
          if (layer.kind != ir::LayerKind::kConv)
            ws->fail("a row or frame schedule on a conv layer only (" + layer.name + " is " +
                     ir::to_string(layer.kind) + "; its weights stream once per vector)");
          if (f.weight_memory != ir::MemoryStyle::kDdr)
            ws->fail("a row or frame schedule only with weight_memory: ddr on " + layer.name +
                     " (on-chip weights are read from BRAM, not DDR)");
        }
      }
      if (auto wc = fm.find("weight_compression")) {
        if (!layer.has_weights()) wc->fail("no weight_compression on a layer without weights");
        f.weight_compression =
            wc->as_choice({"dense", "bitmap"}) == "bitmap" ? ir::WeightCompression::kBitmap : ir::WeightCompression::kDense;
        f.weight_compression_where = wc->where();
      }
      if (auto bs = fm.find("bit_serial")) {
        if (!layer.has_weights()) bs->fail("no bit_serial on a layer without weights");
        f.bit_serial = bs->as_bool();
        f.bit_serial_where = bs->where();
      }
      if (layer.has_weights()) {
        if (auto w = fm.find("weights")) {
          layer.weights = read_weight_type(*w);
          if (layer.generated_weights && layer.weights->arithmetic != ir::WeightArithmetic::kFixed)
            w->fail("fixed weights on " + layer.name + ": its network generates them as OVSF sums (" +
                    layer.generated_weights->where.file + ":" + std::to_string(layer.generated_weights->where.line) +
                    ")");
          layer.channel_groups.clear();
          overridden = true;
        }
        if (auto g = fm.find("channel_groups")) {
          if (layer.generated_weights)
            g->fail("no channel_groups on " + layer.name + ": its network generates its weights as OVSF sums");
          layer.channel_groups = read_channel_groups(*g);
          overridden = true;
        }
        if (layer.weight_sparsity > 0 && !ir::prunable(layer)) {
          auto w = fm.find("weights");
          (w ? *w : fm.get("channel_groups"))
              .fail("weights with a zero on " + layer.name + ": its network prunes weight_sparsity " +
                    std::to_string(layer.weight_sparsity) + " of them (" + layer.weight_sparsity_where.file + ":" +
                    std::to_string(layer.weight_sparsity_where.line) + "), and binary weights have no zero");
        }
      }
      if (auto o = fm.find("output")) {
        if (!layer.has_output_stage())
          o->fail("no output re-quantisation on a " + std::string(ir::to_string(layer.kind)) + " layer");
        layer.output = read_output(*o, layer.kind);
        overridden = true;
      }
      fm.done();
    }
  }
  if (overridden) {
    ir::infer_network(net);
    check_parameter_files(net);  // the files against the overridden types and shapes
  }

  // One FIFO per edge of the layer graph, and one into the output DMA.
  for (const auto& l : net.layers)
    for (const auto& in : l.inputs) d.fifos.push_back({in, l.name, d.default_fifo_depth, false, 0, {}, {}, root.where()});
  d.fifos.push_back({net.output_layer().name, "output", d.default_fifo_depth, false, 0, {}, {}, root.where()});
  if (auto fifos = m.find("fifos")) {
    for (const auto& item : fifos->items()) {
      MapReader fm(item);
      // A stream inside a layer, by its name in the plan: the plan checks
      // that it is one (ir::plan_process_network, below).
      if (fm.has("stream")) {
        if (fm.has("from") || fm.has("to"))
          item.fail("either a stream inside a layer (stream:) or an edge of the layer graph (from:, to:), not both");
        ir::StreamFifoSpec spec;
        spec.stream = fm.get_string("stream");
        spec.depth = int(fm.get_int("depth", 1, 1 << 24));
        spec.memory_style = fm.get_choice("style", {"shift", "memory"}, "shift") == "memory";
        read_finn_fifo_styles(fm, spec.finn_impl_style, spec.finn_ram_style);
        spec.where = item.where();
        for (const auto& other : d.stream_fifos)
          if (other.stream == spec.stream)
            fm.get("stream").fail("one entry per stream ('" + spec.stream + "' is also given at line " +
                                  std::to_string(other.where.line) + ")");
        d.stream_fifos.push_back(spec);
        fm.done();
        continue;
      }
      const std::string from = fm.get_string("from"), to = fm.get_string("to");
      bool found = false;
      for (auto& spec : d.fifos)
        if (spec.from == from && spec.to == to) {
          spec.depth = int(fm.get_int("depth", 1, 1 << 24));
          spec.memory_style = fm.get_choice("style", {"shift", "memory"}, "shift") == "memory";
          read_finn_fifo_styles(fm, spec.finn_impl_style, spec.finn_ram_style);
          if (fm.find("bits")) {
            const int elem = from == "input" ? net.input_type.bits : net.layers[size_t(net.find_layer(from))].out_type.bits;
            const int64_t bits = fm.get_int("bits", 1, 1 << 16);
            if (bits % elem != 0)
              fm.get("bits").fail("a multiple of the " + std::to_string(elem) + "-bit elements '" + from + "' streams");
            const int64_t elements = from == "input" ? net.input_shape.elements()
                                                     : net.layers[size_t(net.find_layer(from))].out_shape.elements();
            if ((elements * elem) % bits != 0)
              fm.get("bits").fail("a width that divides the " + std::to_string(elements * elem) + "-bit frame '" +
                                  from + "' streams into whole beats");
            spec.bits = int(bits);
          }
          spec.where = item.where();
          found = true;
        }
      if (!found) item.fail("an edge of the layer graph ('" + from + "' -> '" + to + "' is not one)");
      fm.done();
    }
  }
  read_placement(m, path, d);
  m.done();
  ir::check_design(d);
  // The stage plan's own checks (converter widths) at load time too, so that
  // whatever validate accepts, every command can elaborate.
  ir::plan_process_network(d);
  return d;
}

}  // namespace vine::config
