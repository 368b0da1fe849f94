#include "sim/finn_config/finn_export.h"

#include "sim/config/config_error.h"
#include "sim/explore/finn_fifo_style.h"
#include "sim/finn_config/finn_op_types.h"
#include "sim/finn_config/finn_weight_memory.h"

namespace vine::finn {

namespace {

// The FIFO settings of a stream: the graph edge's FifoSpec or the layer's
// own StreamFifoSpec, where the design gives them.
void fifo_styles(const ir::Design& d, const ir::StreamPlan& s, std::string& impl, std::string& ram) {
  if (s.graph_edge) {
    const auto arrow = s.name.find("->");
    const std::string from = s.name.substr(0, arrow), to = s.name.substr(arrow + 2);
    for (const ir::FifoSpec& f : d.fifos)
      if (f.from == from && f.to == to) {
        impl = f.finn_impl_style;
        ram = f.finn_ram_style;
        return;
      }
    return;
  }
  for (const ir::StreamFifoSpec& f : d.stream_fifos)
    if (f.stream == s.name) {
      impl = f.finn_impl_style;
      ram = f.finn_ram_style;
    }
}

}  // namespace

nlohmann::ordered_json finn_folding_config(const ir::Design& d, const FinnOnlyNodes& extra) {
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  nlohmann::ordered_json j;
  j["Defaults"] = nlohmann::ordered_json::object();
  for (const FinnNode& n : finn_graph(d, plan, extra)) {
    nlohmann::ordered_json e = nlohmann::ordered_json::object();
    if (n.fifo) {
      if (n.stream < 0) continue;
      const ir::StreamPlan& s = plan.streams[size_t(n.stream)];
      std::string impl, ram;
      fifo_styles(d, s, impl, ram);
      e["depth"] = s.depth;
      e["impl_style"] = impl.empty() ? explore::finn_fifo(s.bits, s.depth).impl_style : impl;
      e["ram_style"] = ram.empty() ? "auto" : ram;
      j[n.name] = e;
      continue;
    }
    if (n.stage < 0) continue;  // FINN-only: Vine has no value for it
    const ir::StagePlan& st = plan.stages[size_t(n.stage)];
    const std::string kind = ir::family_name(st.kind);
    if (n.pool_window) {
      e["SIMD"] = st.pe;
    } else if (const FinnOpType* t = finn_op_type_of(kind)) {
      if (t->pe) e["PE"] = st.pe;
      if (t->simd) e["SIMD"] = kind == "mvau" || kind == "vvau" ? st.simd : st.pe;
      // The window's style, as FINN's RTL window carries it: 1 for the
      // parallel style (a whole window a beat), which FINN's
      // select_impl_style takes only with parallel_window = 1 (or a 1x1
      // kernel), else 0. A default-style window (RTL or HLS) narrower than
      // an MVAU wider than the input channels, a converter between them, is
      // written 0 as finn-examples' configs write it: applying the config
      // reads that 0 to keep the window's SIMD its own.
      if (kind == "swg" && std::string(ir::to_string(st.kind)) == "swg_rtl") {
        e["parallel_window"] = st.out_stream_bits > st.in_stream_bits ? 1 : 0;
      } else if (kind == "swg" && st.layer >= 0) {
        const ir::Layer& l = d.network.layers[size_t(st.layer)];
        const ir::LayerFolding& f = d.folding[size_t(st.layer)];
        if (l.kind == ir::LayerKind::kConv && f.window_simd > 0 && f.simd > l.in_shape.c) e["parallel_window"] = 0;
      }
      if (kind == "mvau" || kind == "vvau") {
        const ir::LayerFolding& f = d.folding[size_t(st.layer)];
        if (f.weight_schedule != ir::WeightSchedule::kVector)
          throw config::ConfigError(
              f.weight_schedule_where, std::string("'") + ir::to_string(f.weight_schedule) + "'",
              "the vector schedule on " + d.network.layers[size_t(st.layer)].name +
                  " for a FINN export: FINN's external weights are read once per vector, it has no "
                  "row or frame schedule");
        if (f.weight_compression != ir::WeightCompression::kDense)
          throw config::ConfigError(
              f.weight_compression_where, std::string("'") + ir::to_string(f.weight_compression) + "'",
              "dense weights on " + d.network.layers[size_t(st.layer)].name +
                  " for a FINN export: FINN's weight memories and streams hold every weight");
        if (f.bit_serial)
          throw config::ConfigError(f.bit_serial_where, "bit_serial: true",
                                    "bit-parallel lanes on " + d.network.layers[size_t(st.layer)].name +
                                        " for a FINN export: FINN's MVAU has no bit-serial lanes");
        const ir::MemoryStyle m = f.weight_memory;
        e["ram_style"] = finn_ram_style(m);
        e["mem_mode"] = finn_mem_mode(m);
      }
    }
    if (e.empty()) continue;  // a width converter: nothing to fold
    j[n.name] = e;
  }
  return j;
}

}  // namespace vine::finn
