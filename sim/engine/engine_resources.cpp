#include "sim/engine/engine_resources.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "sim/engine/engine_tiling.h"
#include "sim/estimate/generator_cost.h"
#include "sim/estimate/lane_cost.h"
#include "sim/estimate/resource_model.h"
#include "vine_rtl_timing.h"

namespace vine::engine {

int64_t select_mux_luts(int64_t inputs) {
  if (inputs <= 1) return 0;
  // A tree of 4:1 multiplexers, one LUT6 each (4 data and 2 select inputs).
  const int64_t level = (inputs + 3) / 4;
  return level + select_mux_luts(level);
}

int64_t pixel_select_luts_per_bit(int t_out, int pixels) {
  int64_t luts = 0;
  for (int j = 0; j < t_out; ++j) luts += select_mux_luts(std::min(j + 1, pixels));
  return luts;
}

int64_t pixel_select_bits(int t_out, int pixels) {
  int64_t bits = 0;
  for (int j = 0; j < t_out; ++j) bits += rtl::clog2(std::min(j + 1, pixels));
  return bits;
}

namespace {

// One buffer of `width`-bit words, `depth` deep: LUTRAM up to 4096 bits,
// else RAMB18s in their best aspect ratio (estimate::buffer_resources, the
// streaming buffers' rule) or UltraRAM blocks, 72 bits wide and 4096 words
// deep each, counted by width and depth alike (estimate::uram_for).
ir::Resources buffer_in(int64_t width, int64_t depth, bool uram) {
  if (!uram || width * depth <= 4096) return estimate::buffer_resources(width, depth);
  ir::Resources r;
  r.uram = double(estimate::uram_for(width, depth));
  return r;
}

// A buffer's shape: `copies` memories of `depth` words of `width` bits.
struct BufferShape {
  size_t row = 0;
  int64_t width = 0, depth = 0, copies = 1;
  std::string shape;  // "2 halves x D words x W bits"
};

ir::Resources placed(const BufferShape& b, bool uram) {
  ir::Resources r;
  const ir::Resources one = buffer_in(b.width, b.depth, uram);
  for (int64_t i = 0; i < b.copies; ++i) r += one;
  return r;
}

const char* memory_name(const ir::Resources& r) {
  return r.uram > 0 ? "URAM" : r.bram18 > 0 ? "BRAM18" : "LUTRAM";
}

// A buffer of two halves, each `bytes` deep in words of `width` bits.
BufferShape halves(int64_t width, int64_t bytes) {
  const int64_t depth = (bytes * 8 + width - 1) / width;
  return {0, width, depth, 2, "2 halves x " + std::to_string(depth) + " words x " + std::to_string(width) + " bits"};
}

}  // namespace

EngineResources engine_resources(const ir::Design& d) {
  const ir::EngineConfig& e = d.engine;
  const EnginePlan plan = plan_engine(d);
  EngineResources out;
  // What the array must serve: the widest weights and activations of the
  // weighted layers, and the longest dot product (the accumulator's width).
  int w_bits = 1, a_bits = 1, in_bytes = 1, out_bytes = 1;
  bool a_signed = false;
  int64_t acc_bits = 1;
  for (const EngineLayerPlan& lp : plan.layers) {
    const ir::Layer& l = d.network.layers[size_t(lp.layer)];
    in_bytes = std::max<int>(in_bytes, int(element_bytes(l.in_type.bits)));
    out_bytes = std::max<int>(out_bytes, int(element_bytes(l.out_type.bits)));
    if (!l.has_weights()) continue;
    w_bits = std::max(w_bits, l.max_weight_bits());
    a_bits = std::max(a_bits, l.in_type.bits);
    a_signed = a_signed || l.in_type.kind != ir::ActivationKind::kUnsigned;
  }
  for (const EngineLayerPlan& lp : plan.layers) {
    const ir::Layer& l = d.network.layers[size_t(lp.layer)];
    if (l.has_weights())
      acc_bits = std::max<int64_t>(acc_bits, rtl::mvau_lanes_fixed_acc_bits(w_bits, a_bits, a_signed, int(l.matrix_width())));
  }
  // The MAC array: t_out dot products of t_in lanes, each a PE's lanes unit
  // with DSP48 multipliers once an operand is wider than 4 bits (FINN's
  // rule, estimate::uses_dsp), LUT multipliers otherwise.
  const ir::WeightType w{ir::WeightArithmetic::kFixed, w_bits};
  const ir::ActivationType a{a_signed ? ir::ActivationKind::kSigned : ir::ActivationKind::kUnsigned, a_bits};
  const bool dsp = estimate::uses_dsp(w, a);
  const estimate::LaneCost lanes = estimate::lane_unit_cost(estimate::lane_unit(w, a, e.t_in, int(acc_bits), dsp));
  ir::Resources mac;
  mac.lut = double(e.t_out) * lanes.lut;
  mac.ff = double(e.t_out) * lanes.ff;
  if (dsp) mac.dsp = double(int64_t{e.t_in} * e.t_out * ((w_bits + a_bits + 47) / 48));
  out.rows.push_back({"MAC array",
                      std::to_string(e.t_out) + " x " + std::to_string(e.t_in) + " lanes of " + std::to_string(w_bits) +
                          "-bit weights x " + std::to_string(a_bits) + "-bit " + (a_signed ? "signed" : "unsigned") +
                          " activations, " + std::to_string(acc_bits) + "-bit accumulators, multipliers in " +
                          (dsp ? "DSP48s" : "LUTs"),
                      mac});
  // The most pixels the dot products take at once in any tile of the network
  // (1 unless input-selective PEs give a group of few filters several): the
  // pixel streams the input side delivers a cycle.
  int pixels = 1;
  for (const EngineLayerPlan& lp : plan.layers)
    for (const EngineTile& t : lp.tiles) pixels = std::max(pixels, t.pixels_per_set);
  if (e.input_selective_pes) {
    // Each lane selects its word among t_in (the same selection for every
    // dot product reading the same pixel: they read the same window terms),
    // plus its select index; once per pixel stream.
    ir::Resources sel;
    sel.lut = double(int64_t{pixels} * e.t_in * a_bits * select_mux_luts(e.t_in));
    sel.ff = double(int64_t{pixels} * e.t_in * std::max(1, rtl::clog2(e.t_in)));
    out.rows.push_back({"input selection", (pixels > 1 ? std::to_string(pixels) + " pixels x " : std::string()) +
                                               std::to_string(e.t_in) + " lanes x " + std::to_string(a_bits) +
                                               " bits x " + std::to_string(e.t_in) + ":1 multiplexers",
                        sel});
  }
  if (pixels > 1) {
    // Dot product j takes pixel j / c of the set (c the group's filters), one
    // of min(j + 1, pixels): a multiplexer of its t_in-word input vector
    // among those streams, and its select index (set per layer).
    ir::Resources sel;
    sel.lut = double(int64_t{e.t_in} * a_bits * pixel_select_luts_per_bit(e.t_out, pixels));
    sel.ff = double(pixel_select_bits(e.t_out, pixels));
    out.rows.push_back({"pixel selection", std::to_string(e.t_out) + " dot products x " + std::to_string(e.t_in) +
                                               " lanes x " + std::to_string(a_bits) + " bits, dot product j among min(j + 1, " +
                                               std::to_string(pixels) + ") pixels",
                        sel});
  }
  // The buffers, as wide as the array reads and writes them a cycle. With
  // several pixels a cycle the input buffer is replicated, every copy written
  // alike by the DMA: the half the array computes from is only read in its
  // phase (the DMA fills the other), so each copy's two ports read two pixels.
  // Placed in BRAM18 or URAM below, once every buffer is known.
  std::vector<BufferShape> buffers;
  BufferShape input = halves(int64_t{e.t_in} * 8 * in_bytes, e.input_buffer_bytes);
  if (pixels > 1) {
    const int copies = (pixels + 1) / 2;
    input.copies *= copies;
    input.shape = std::to_string(copies) + " copies (" + std::to_string(pixels) + " pixels a cycle, 2 read ports each) x " +
                  input.shape;
  }
  input.row = out.rows.size();
  out.rows.push_back({"input buffer", input.shape, {}});
  buffers.push_back(input);
  BufferShape weight = halves(int64_t{e.t_in} * e.t_out * 8 * element_bytes(w_bits), e.weight_buffer_bytes);
  weight.row = out.rows.size();
  out.rows.push_back({"weight buffer", weight.shape, {}});
  buffers.push_back(weight);
  BufferShape output = halves(int64_t{e.t_out} * 8 * out_bytes, e.output_buffer_bytes);
  output.row = out.rows.size();
  out.rows.push_back({"output buffer", output.shape, {}});
  buffers.push_back(output);
  // The generator, sized for the largest generated layer (its code length,
  // kept codes and widths); none without a generated layer.
  estimate::GeneratorUnit g;
  int64_t coeff_width = 0;
  bool generated = false;
  for (const EngineLayerPlan& lp : plan.layers) {
    if (!lp.generated) continue;
    const ir::Layer& l = d.network.layers[size_t(lp.layer)];
    generated = true;
    g.code_length = std::max(g.code_length, lp.code_length);
    g.kept = std::max(g.kept, lp.kept);
    g.coeff_bits = std::max(g.coeff_bits, l.generated_weights->coeff_bits);
    g.lanes = std::max(g.lanes, lp.generator_lanes);
    g.out_bits = std::max(g.out_bits, l.weights->bits);
    coeff_width = std::max<int64_t>(coeff_width, int64_t{lp.kept} * 8 * element_bytes(l.generated_weights->coeff_bits));
  }
  if (generated) {
    // The generator reads a filter's KEPT coefficients at once: one word.
    const int64_t depth = (e.coefficient_buffer_bytes * 8 + coeff_width - 1) / coeff_width;
    const std::string shape = "1 x " + std::to_string(depth) + " words x " + std::to_string(coeff_width) + " bits";
    buffers.push_back({out.rows.size(), coeff_width, depth, 1, shape});
    out.rows.push_back({"coefficient buffer", shape, {}});
    const estimate::LaneCost c = estimate::generator_cost(g);
    ir::Resources gr;
    gr.lut = c.lut;
    gr.ff = c.ff + double(g.kept) * rtl::clog2(g.code_length);  // the layer's kept codes, held on its inputs
    out.rows.push_back({"weights generator",
                        "ovsf_generator L=" + std::to_string(g.code_length) + " KEPT=" + std::to_string(g.kept) +
                            " COEFF_BITS=" + std::to_string(g.coeff_bits) + " LANES=" + std::to_string(g.lanes) +
                            " OUT_BITS=" + std::to_string(g.out_bits) + " (fitted to its Yosys rows)",
                        gr});
  }
  // The buffers' memory. `auto` (**choice**, Vivado documents its own
  // ram_style heuristics only as such, UG901): of every way to put each
  // buffer in BRAM18 or URAM (at most 2^5, tried all), one that fits the
  // device's BRAM18 and URAM with the fewest URAM blocks (then the fewest
  // buffers moved); when none fits, buffers move to URAM the one taking the
  // most BRAM18 first until the BRAM18 hold the rest, or none is left (the
  // estimate then says what does not fit). A greedy rule alone missed fits:
  // moving the largest buffer can overflow the URAM where moving the others
  // fits both.
  std::vector<bool> in_uram(buffers.size(), e.buffers == ir::EngineBufferMemory::kUram);
  if (e.buffers == ir::EngineBufferMemory::kAuto && d.device.capacity.uram > 0) {
    const size_t n = buffers.size();
    std::vector<ir::Resources> in_bram(n), in_ultra(n);
    for (size_t i = 0; i < n; ++i) {
      in_bram[i] = placed(buffers[i], false);
      in_ultra[i] = placed(buffers[i], true);
    }
    double others_bram18 = 0;  // what is not a buffer: the generator's, the array's (none today)
    for (const auto& r : out.rows) others_bram18 += r.resources.bram18;
    bool found = false;
    double best_uram = 0;
    int best_moved = 0;
    uint32_t best = 0;
    for (uint32_t mask = 0; n < 31 && mask < (1u << n); ++mask) {
      double bram18 = others_bram18, uram = 0;
      int moved = 0;
      for (size_t i = 0; i < n; ++i) {
        const ir::Resources& r = (mask >> i & 1) ? in_ultra[i] : in_bram[i];
        bram18 += r.bram18;
        uram += r.uram;
        moved += int(mask >> i & 1);
      }
      if (bram18 > d.device.capacity.bram18 || uram > d.device.capacity.uram) continue;
      if (!found || uram < best_uram || (uram == best_uram && moved < best_moved)) {
        found = true;
        best = mask;
        best_uram = uram;
        best_moved = moved;
      }
    }
    if (found) {
      for (size_t i = 0; i < n; ++i) in_uram[i] = best >> i & 1;
    } else {
      double bram18 = others_bram18;
      for (const auto& r : in_bram) bram18 += r.bram18;
      std::vector<size_t> order(n);
      for (size_t i = 0; i < n; ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return in_bram[a].bram18 > in_bram[b].bram18; });
      for (size_t i : order) {
        if (bram18 <= d.device.capacity.bram18) break;
        if (in_ultra[i].uram <= 0) continue;  // LUTRAM either way
        bram18 -= in_bram[i].bram18;
        in_uram[i] = true;
      }
    }
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    EngineResourceRow& row = out.rows[buffers[i].row];
    row.resources = placed(buffers[i], in_uram[i]);
    row.detail = buffers[i].shape + ", " + memory_name(row.resources);
  }
  for (const auto& r : out.rows) out.total += r.resources;
  out.device = d.device.capacity;
  out.device_name = d.device.name;
  const auto& t = out.total;
  const auto& c = out.device;
  out.fits = t.lut <= c.lut && t.ff <= c.ff && t.bram18 <= c.bram18 && t.uram <= c.uram && t.dsp <= c.dsp;
  return out;
}

std::string format_engine_resources(const EngineResources& r) {
  std::ostringstream o;
  char buf[512];
  std::snprintf(buf, sizeof buf, "\n%-20s %9s %9s %7s %5s %6s  %s\n", "resources", "LUT", "FF", "BRAM18", "URAM",
                "DSP", "what");
  o << buf;
  auto row = [&](const std::string& name, const ir::Resources& x, const std::string& what) {
    std::snprintf(buf, sizeof buf, "%-20s %9.0f %9.0f %7.0f %5.0f %6.0f  %s\n", name.c_str(), x.lut, x.ff, x.bram18,
                  x.uram, x.dsp, what.c_str());
    o << buf;
  };
  for (const auto& x : r.rows) row(x.name, x.resources, x.detail);
  row("total", r.total, "");
  auto pct = [](double a, double b) { return b > 0 ? 100.0 * a / b : (a > 0 ? 999.0 : 0.0); };
  std::snprintf(buf, sizeof buf, "%-20s %8.0f%% %8.0f%% %6.0f%% %4.0f%% %5.0f%%\n", "of device",
                pct(r.total.lut, r.device.lut), pct(r.total.ff, r.device.ff), pct(r.total.bram18, r.device.bram18),
                pct(r.total.uram, r.device.uram), pct(r.total.dsp, r.device.dsp));
  o << buf;
  o << "fits " << r.device_name << ": " << (r.fits ? "yes" : "NO")
    << " (the controller, the DMA and the address logic are not counted)\n";
  return o.str();
}

nlohmann::json to_json(const EngineResources& r) {
  auto res = [](const ir::Resources& x) {
    return nlohmann::json{{"lut", x.lut}, {"ff", x.ff}, {"bram18", x.bram18}, {"uram", x.uram}, {"dsp", x.dsp}};
  };
  nlohmann::json j;
  for (const auto& x : r.rows) j["parts"].push_back({{"name", x.name}, {"what", x.detail}, {"resources", res(x.resources)}});
  j["total"] = res(r.total);
  j["device"] = res(r.device);
  j["device_name"] = r.device_name;
  j["fits"] = r.fits;
  return j;
}

}  // namespace vine::engine
