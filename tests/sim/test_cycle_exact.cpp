// The event-driven simulator (ProcessNetwork: stages compute their advance
// cycles from FIFO stamps and run ahead) gives the same write and read cycle
// for every beat of every FIFO as a plain per-cycle model of the same
// micro-architecture (cycle_oracle.h), on shipped designs and on randomised
// small ones: conv 1x1/3x3 with stride 1/2 and padding, depthwise conv, fc,
// pools, thresholds, padding layers, residual branches (duplicate + add),
// concat, width converters, FIFOs of depth 1, 2 and more (shift-register and
// memory style), pipeline depth overrides, 1-3 frames. Designs whose FIFOs are
// too shallow deadlock: then both must get stuck after the same beats.
//
// Two planner bugs this test found are pinned by regression tests at the
// end (AddWithConvertedFirstInput, AddOfTwoBitWidths); the random generator
// still gives an add or concat the beat width of its first input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "cycle_oracle.h"
#include "sim/config/loaders.h"
#include "sim/estimate/stage_timing.h"
#include "sim/run/process_network.h"
#include "sim/run/run_format.h"
#include "sim/run/simulation.h"

namespace fs = std::filesystem;
using namespace vine;

namespace {

const fs::path kSource(VINE_SOURCE_DIR);
const std::string kDevice = (kSource / "configs/devices/zcu104.yaml").string();

constexpr int kRandomDesigns = 200;
constexpr uint32_t kBaseSeed = 0x5eed0000;
// Loop advances summed over every stage and frame: keeps one design's
// per-cycle run in the tens of milliseconds.
constexpr int64_t kMaxAdvances = 1'500'000;

// ================================================================ comparison

// The timing each stage is elaborated with: the stage kind's default or the
// design's `pipeline_depth` override.
std::vector<models::PipelineTiming> stage_timings(const ir::StreamingPlan& plan, const ir::Design& d) {
  std::vector<models::PipelineTiming> t;
  for (const auto& s : plan.stages) t.push_back(estimate::stage_timing(s, d));
  return t;
}

int64_t total_advances(const std::vector<oracle::StageSpec>& stages) {
  int64_t n = 0;
  for (const auto& s : stages) n += int64_t(s.loop.size()) + s.depth;
  return n;
}

// One disagreement between the simulator and the oracle on a FIFO.
struct Difference {
  int64_t cycle = 0;  // the earlier of the two cycles: the earliest difference is the one to chase
  std::string what;
};

// The first beat of one FIFO on which the simulator and the oracle disagree,
// if any (then the beat counts, if only they differ).
std::optional<Difference> first_difference(const models::StreamFifo& sim, const oracle::BeatLog& want) {
  const auto& got = sim.times();
  const size_t writes = std::min(got.size(), want.write.size());
  const size_t reads = std::min(size_t(sim.read_count()), want.read.size());
  auto differ = [&](size_t k, const char* verb, int64_t g, int64_t w) {
    std::ostringstream o;
    o << "FIFO " << sim.name() << " beat " << k << ": " << verb << " in cycle " << g << ", oracle " << w;
    return Difference{std::min(g, w), o.str()};
  };
  for (size_t k = 0; k < std::max(writes, reads); ++k) {
    if (k < writes && got[k].write != want.write[k]) return differ(k, "written", got[k].write, want.write[k]);
    if (k < reads && got[k].read != want.read[k]) return differ(k, "read", got[k].read, want.read[k]);
  }
  if (got.size() == want.write.size() && size_t(sim.read_count()) == want.read.size()) return std::nullopt;
  std::ostringstream o;
  o << "FIFO " << sim.name() << ": " << got.size() << " beats written and " << sim.read_count() << " read, oracle "
    << want.write.size() << " and " << want.read.size();
  return Difference{std::numeric_limits<int64_t>::max(), o.str()};
}

std::string simulator_stall(const sim::ProcessNetwork& net) {
  std::ostringstream o;
  for (const auto& s : net.stages())
    if (s->state() != models::StageState::kDone)
      o << "  " << s->name() << ": " << to_string(s->state()) << " on "
        << (s->blocked_on() ? s->blocked_on()->name() : std::string("-")) << "\n";
  return o.str();
}

// The simulator's FIFOs are the plan's streams, with the capacity and
// latency the oracle gives them.
void expect_same_fifos(const sim::ProcessNetwork& net, const std::vector<oracle::FifoSpec>& want) {
  ASSERT_EQ(net.fifos().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const models::StreamFifo& f = *net.fifos()[i];
    EXPECT_EQ(f.name(), want[i].name);
    EXPECT_EQ(f.capacity(), want[i].capacity) << f.name();
    EXPECT_EQ(f.latency(), want[i].latency) << f.name();
  }
}

// Runs design `d` in the simulator and in the oracle and expects every beat
// of every FIFO at the same cycles, and both to finish or both to get stuck.
// Returns whether the simulator finished.
bool expect_cycle_exact(const ir::Design& d, int frames) {
  sim::ProcessNetwork net(d, sim::ElaborationOptions{frames, /*timing_only=*/true, /*record=*/true}, nullptr, {}, {});
  const bool finished = net.run();

  const ir::StreamingPlan plan = ir::plan_process_network(d);
  auto stages = oracle::oracle_stages(plan, d, frames, stage_timings(plan, d));
  const int64_t bound = 50 * total_advances(stages) + 1000;
  const auto fifo_specs = oracle::oracle_fifos(plan);
  expect_same_fifos(net, fifo_specs);
  oracle::CycleOracle clock(std::move(stages), fifo_specs);
  const oracle::OracleRun want = clock.run(bound);

  EXPECT_EQ(finished, want.finished) << "simulator " << (finished ? "finished" : "got stuck") << ", oracle "
                                     << (want.finished ? "finished" : "got stuck") << " after " << want.cycles
                                     << " cycles\nsimulator's unfinished stages:\n"
                                     << simulator_stall(net) << "oracle's unfinished stages:\n"
                                     << want.stall;
  EXPECT_LT(want.cycles, bound) << "the oracle hit its cycle bound";

  std::vector<Difference> diffs;
  for (size_t i = 0; i < std::min(net.fifos().size(), want.fifos.size()); ++i)
    if (auto diff = first_difference(*net.fifos()[i], want.fifos[i])) diffs.push_back(*diff);
  if (!diffs.empty()) {
    std::stable_sort(diffs.begin(), diffs.end(), [](const auto& a, const auto& b) { return a.cycle < b.cycle; });
    std::ostringstream o;
    o << d.name << ": " << diffs.size() << " FIFO(s) differ from the oracle, earliest first:";
    for (size_t i = 0; i < std::min<size_t>(diffs.size(), 8); ++i) o << "\n  " << diffs[i].what;
    ADD_FAILURE() << o.str();
  }
  return finished;
}

// ================================================================ random designs

struct Activation {
  std::string type = "unsigned";  // unsigned | signed | bipolar
  int bits = 2;
  bool bipolar() const { return type == "bipolar"; }
  std::string yaml() const { return bipolar() ? "type: bipolar" : "type: " + type + ", bits: " + std::to_string(bits); }
};

// A layer's output (or the network input) as later layers see it.
struct Tensor {
  std::string name;
  int h = 1, w = 1, c = 1;
  Activation act;
};

// What a design is built around: every kind is the featured block of some
// designs, so each is covered whatever the dice say.
enum class Block { kConv, kDwConv, kFc, kMaxPool, kAvgPool, kThreshold, kPad, kResidual, kConcat };
constexpr int kBlockKinds = 9;

struct RandomDesign {
  uint32_t seed = 0;
  int frames = 1;
  std::string network_yaml, design_yaml;
};

// Writes a network and a design of a few random blocks. Every choice is legal
// by docs/configs.md; FIFOs on the edges that must buffer a branch's latency
// (a residual's shortcut, concat inputs) are usually deep enough, sometimes
// not, so that some designs deadlock.
class DesignGenerator {
 public:
  explicit DesignGenerator(uint32_t seed) : seed_(seed), rng_(seed) {}

  RandomDesign generate(Block featured, const std::string& network_path) {
    layers_.clear();
    folding_.clear();
    edges_.clear();
    lanes_.clear();
    count_ = 0;
    Tensor t{"input", uniform(4, 12), uniform(4, 12), uniform(1, 16), activation()};
    const Tensor input = t;
    const int blocks = uniform(2, 5), at = uniform(0, blocks - 1);
    for (int b = 0; b < blocks; ++b) {
      const Block kind = b == at ? featured : Block(uniform(0, kBlockKinds - 1));
      t = add_block(kind, t, b + 1 == blocks);
    }
    edge(t.name, "output", false);

    RandomDesign r;
    r.seed = seed_;
    r.frames = uniform(1, 3);
    std::ostringstream net;
    net << "network: rand-" << seed_ << "\ninput: {shape: [" << input.h << ", " << input.w << ", " << input.c
        << "], " << input.act.yaml() << "}\nlayers:\n";
    for (const auto& l : layers_) net << "  - " << l << "\n";
    r.network_yaml = net.str();
    r.design_yaml = design_yaml(network_path);
    return r;
  }

 private:
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int one_of(std::initializer_list<int> v) { return *(v.begin() + uniform(0, int(v.size()) - 1)); }
  // A random divisor of n, at most `max`.
  int divisor_of(int n, int max = 1 << 30) {
    std::vector<int> ds;
    for (int k = 1; k <= std::min(n, max); ++k)
      if (n % k == 0) ds.push_back(k);
    return ds[size_t(uniform(0, int(ds.size()) - 1))];
  }
  std::string next_name(const char* kind) { return kind + std::to_string(count_++); }

  std::string weights() {
    switch (uniform(0, 3)) {
      case 0: return "{arithmetic: binary}";
      case 1: return "{arithmetic: ternary}";
      case 2: return "{arithmetic: pow2, exponent_bits: " + std::to_string(uniform(1, 3)) + "}";
      default: return "{arithmetic: fixed, bits: " + std::to_string(uniform(2, 8)) + "}";
    }
  }

  // Mostly narrow types; up to 8 bits gives deeper threshold pipelines.
  Activation activation() {
    const int r = uniform(0, 99);
    if (r < 15) return {"bipolar", 1};
    const int bits = chance(0.8) ? uniform(1, 4) : uniform(5, 8);
    if (r < 40) return {"signed", std::max(2, bits)};
    return {"unsigned", bits};
  }

  // The output unit producing `a`: thresholds, or a requantiser for integer types.
  std::string output_for(const Activation& a) {
    const bool requant = !a.bipolar() && chance(0.3);
    return std::string("{kind: ") + (requant ? "requant" : "threshold") + ", " + a.yaml() + "}";
  }

  // Padding of a k x k window over h x w: none, symmetric or ragged, always
  // leaving the padded map at least k wide.
  ir::Padding padding(int h, int w, int k, double p_pad) {
    for (int tries = 0; tries < 16; ++tries) {
      ir::Padding p;
      if (chance(p_pad)) {
        if (chance(0.6)) {
          p.top = p.left = p.bottom = p.right = std::max(1, k / 2);
        } else {
          p.top = uniform(0, 1), p.left = uniform(0, 1), p.bottom = uniform(0, 2), p.right = uniform(0, 2);
        }
      }
      if (h + p.top + p.bottom >= k && w + p.left + p.right >= k) return p;
    }
    return {k / 2, k / 2, k / 2, k / 2};
  }
  static std::string padding_yaml(const ir::Padding& p) {
    if (!p.any()) return "";
    if (p.top == p.left && p.left == p.bottom && p.bottom == p.right) return ", padding: " + std::to_string(p.top);
    return ", padding: [" + std::to_string(p.top) + ", " + std::to_string(p.left) + ", " + std::to_string(p.bottom) +
           ", " + std::to_string(p.right) + "]";
  }

  // Records a layer whose first input, `first_input`, it reads `in_lanes`
  // elements per beat, and which writes `out_lanes` elements per beat.
  void layer(const std::string& yaml, const std::string& name, const std::string& folding,
             const std::string& first_input, int in_lanes, int out_lanes) {
    layers_.push_back(yaml);
    folding_.push_back(name + ": " + folding);
    lanes_.emplace(first_input, in_lanes);  // the input DMA writes at its first reader's width
    lanes_[name] = out_lanes;
  }
  // Elements per beat of the stream a layer (or the input DMA) writes; 0 while unknown.
  int lanes_of(const std::string& name) const {
    const auto it = lanes_.find(name);
    return it == lanes_.end() ? 0 : it->second;
  }
  // `needs_slack`: the edge buffers one branch while another fills its window.
  void edge(const std::string& from, const std::string& to, bool needs_slack) {
    edges_.push_back({from, to, needs_slack});
  }
  static std::string inputs_yaml(const std::vector<std::string>& names) {
    std::string s = "inputs: [";
    for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s + "]";
  }
  static std::string folding(int simd, int pe) {
    return "{simd: " + std::to_string(simd) + ", pe: " + std::to_string(pe) + "}";
  }
  static std::string pe_only(int pe) { return "{pe: " + std::to_string(pe) + "}"; }

  // --- layers

  // `simd`, `pe`: 0 for a random legal choice.
  Tensor conv(const Tensor& in, int k, int stride, const ir::Padding& pad, int out_channels, const std::string& output,
              const Activation& out_act, int simd = 0, int pe = 0) {
    if (!simd) simd = divisor_of(in.c);
    if (!pe) pe = divisor_of(out_channels);
    Tensor t{next_name("conv"), 0, 0, out_channels, out_act};
    t.h = (in.h + pad.top + pad.bottom - k) / stride + 1;
    t.w = (in.w + pad.left + pad.right - k) / stride + 1;
    layer("{name: " + t.name + ", kind: conv, " + inputs_yaml({in.name}) + ", kernel: " + std::to_string(k) +
              ", stride: " + std::to_string(stride) + padding_yaml(pad) + ", out_channels: " +
              std::to_string(out_channels) + ", weights: " + weights() + ", output: " + output + "}",
          t.name, folding(simd, pe), in.name, simd, pe);
    edge(in.name, t.name, false);
    return t;
  }

  // A conv keeping the map's size (3x3 padded, or 1x1).
  Tensor same_size_conv(const Tensor& in, int out_channels, const Activation& out_act) {
    const int k = chance(0.7) ? 3 : 1;
    return conv(in, k, 1, {k / 2, k / 2, k / 2, k / 2}, out_channels, output_for(out_act), out_act);
  }

  Tensor random_conv(const Tensor& in, bool last) {
    const int k = chance(0.55) ? 3 : 1, stride = chance(0.35) ? 2 : 1;
    const ir::Padding pad = padding(in.h, in.w, k, k == 3 ? 0.6 : 0.1);
    const Activation a = activation();
    if (last && chance(0.3)) return conv(in, k, stride, pad, uniform(1, 16), "{kind: accumulator}", a);
    return conv(in, k, stride, pad, uniform(1, 16), output_for(a), a);
  }

  Tensor dwconv(const Tensor& in) {
    const int k = chance(0.8) ? 3 : 1, stride = chance(0.35) ? 2 : 1;
    const ir::Padding pad = padding(in.h, in.w, k, k == 3 ? 0.6 : 0.1);
    Tensor t{next_name("dw"), (in.h + pad.top + pad.bottom - k) / stride + 1,
             (in.w + pad.left + pad.right - k) / stride + 1, in.c, activation()};
    const int pe = divisor_of(in.c);
    layer("{name: " + t.name + ", kind: dwconv, " + inputs_yaml({in.name}) + ", kernel: " + std::to_string(k) +
              ", stride: " + std::to_string(stride) + padding_yaml(pad) + ", weights: " + weights() +
              ", output: " + output_for(t.act) + "}",
          t.name, folding(1, pe), in.name, pe, pe);  // the simulated VVAU reads one kernel position per beat
    edge(in.name, t.name, false);
    return t;
  }

  Tensor fc(const Tensor& in, bool last) {
    Tensor t{next_name("fc"), 1, 1, uniform(1, 16), activation()};
    const std::string output = last && chance(0.4) ? "{kind: accumulator}" : output_for(t.act);
    // An fc may read the whole frame in one beat, within max_stream_bits.
    const int simd = divisor_of(in.h * in.w * in.c, 8192 / in.act.bits), pe = divisor_of(t.c);
    layer("{name: " + t.name + ", kind: fc, " + inputs_yaml({in.name}) + ", out_features: " + std::to_string(t.c) +
              ", weights: " + weights() + ", output: " + output + "}",
          t.name, folding(simd, pe), in.name, simd, pe);
    edge(in.name, t.name, false);
    return t;
  }

  Tensor pool(const Tensor& in, bool average) {
    std::vector<std::pair<int, int>> windows;  // kernel, stride
    for (auto [k, s] : {std::pair{2, 2}, {2, 1}, {3, 2}, {3, 3}, {3, 1}})
      if (k <= std::min(in.h, in.w)) windows.push_back({k, s});
    if (windows.empty()) return random_conv(in, false);
    const auto [k, s] = windows[size_t(uniform(0, int(windows.size()) - 1))];
    Tensor t{next_name(average ? "avgpool" : "maxpool"), (in.h - k) / s + 1, (in.w - k) / s + 1, in.c, in.act};
    const int pe = divisor_of(in.c);
    layer("{name: " + t.name + ", kind: " + (average ? "avgpool" : "maxpool") + ", " + inputs_yaml({in.name}) +
              ", kernel: " + std::to_string(k) + ", stride: " + std::to_string(s) + "}",
          t.name, pe_only(pe), in.name, pe, pe);
    edge(in.name, t.name, false);
    return t;
  }

  Tensor threshold(const Tensor& in) {
    Tensor t{next_name("thr"), in.h, in.w, in.c, activation()};
    const bool requant = !t.act.bipolar() && chance(0.4);
    const int pe = divisor_of(in.c);
    layer("{name: " + t.name + ", kind: " + (requant ? "requant" : "threshold") + ", " + inputs_yaml({in.name}) +
              ", output: {kind: " + (requant ? "requant" : "threshold") + ", " + t.act.yaml() + "}}",
          t.name, pe_only(pe), in.name, pe, pe);
    edge(in.name, t.name, false);
    return t;
  }

  Tensor pad(const Tensor& in) {
    ir::Padding p;
    while (!p.any()) p = {uniform(0, 2), uniform(0, 2), uniform(0, 2), uniform(0, 2)};
    Tensor t{next_name("pad"), in.h + p.top + p.bottom, in.w + p.left + p.right, in.c, in.act};
    const int pe = divisor_of(in.c);
    layer("{name: " + t.name + ", kind: pad, " + inputs_yaml({in.name}) + padding_yaml(p) + "}", t.name, pe_only(pe),
          in.name, pe, pe);
    edge(in.name, t.name, false);
    return t;
  }

  // in -> conv [-> conv] -> add(branch, in): the shortcut goes through a
  // duplicator and must hold the beats the branch's window is still missing.
  // The add's PE is the width of its first input's stream (the converted
  // cases have their own regression tests at the end).
  Tensor residual(const Tensor& in) {
    Tensor branch = in;
    if (chance(0.4)) branch = same_size_conv(branch, uniform(1, 16), activation());
    // Both add inputs of one width (mixed widths: AddOfTwoBitWidths).
    const Activation a{in.act.bits >= 2 && chance(0.5) ? "signed" : "unsigned", in.act.bits};
    branch = same_size_conv(branch, in.c, a);
    Tensor t{next_name("add"), in.h, in.w, in.c, activation()};
    const std::vector<std::string> ins = chance(0.5) ? std::vector<std::string>{branch.name, in.name}
                                                     : std::vector<std::string>{in.name, branch.name};
    const int pe = lanes_of(ins[0]);  // known: the branch has read `in`
    layer("{name: " + t.name + ", kind: add, " + inputs_yaml(ins) + ", output: " + output_for(t.act) + "}", t.name,
          pe_only(pe), ins[0], pe, pe);
    edge(branch.name, t.name, false);
    edge(in.name, t.name, true);
    return t;
  }

  // concat of branches of one activation type: [in, conv1x1], [conv1x1,
  // conv3x3] or [conv1x1, conv3x3, in]. Its PE (dividing every part's
  // channels) is the width of every input's stream but the last, as for the
  // add.
  Tensor concat(const Tensor& in) {
    std::vector<Tensor> parts;
    const int variant = uniform(0, 2);
    const Activation a = variant == 1 ? activation() : in.act;
    int pe = variant == 0 ? lanes_of(in.name) : variant == 1 ? uniform(1, 4) : divisor_of(in.c);
    if (!pe) pe = divisor_of(in.c);  // `in` is the network input, not read yet
    auto channels = [&] { return pe * uniform(1, std::max(1, 8 / pe)); };
    if (variant == 0) {
      parts.push_back(in);
      parts.push_back(conv(in, 1, 1, {}, channels(), output_for(a), a, lanes_of(in.name) ? 0 : pe));
    } else {
      parts.push_back(conv(in, 1, 1, {}, channels(), output_for(a), a, 0, pe));
      parts.push_back(conv(in, 3, 1, {1, 1, 1, 1}, channels(), output_for(a), a, 0, variant == 2 ? pe : 0));
      if (variant == 2) parts.push_back(in);
    }
    int c = 0;
    std::vector<std::string> names;
    for (const auto& p : parts) {
      c += p.c;
      names.push_back(p.name);
    }
    Tensor t{next_name("concat"), in.h, in.w, c, a};
    layer("{name: " + t.name + ", kind: concat, " + inputs_yaml(names) + "}", t.name, pe_only(pe), names[0], pe, pe);
    for (const auto& p : parts) edge(p.name, t.name, true);
    return t;
  }

  Tensor add_block(Block b, const Tensor& in, bool last) {
    switch (b) {
      case Block::kConv: return random_conv(in, last);
      case Block::kDwConv: return dwconv(in);
      case Block::kFc: return fc(in, last);
      case Block::kMaxPool: return pool(in, false);
      case Block::kAvgPool: return in.act.bipolar() ? pool(in, false) : pool(in, true);
      case Block::kThreshold: return in.act.bipolar() ? random_conv(in, last) : threshold(in);
      case Block::kPad: return pad(in);
      case Block::kResidual: return in.act.bipolar() ? random_conv(in, last) : residual(in);
      case Block::kConcat: return concat(in);
    }
    return in;
  }

  // --- the design

  std::string fifo_entry(const std::string& from, const std::string& to, int depth) {
    std::string s = "{from: " + from + ", to: " + to + ", depth: " + std::to_string(depth);
    if (chance(0.15)) s += ", style: memory";
    return s + "}";
  }

  std::string design_yaml(const std::string& network_path) {
    std::ostringstream d;
    d << "design: rand-" << seed_ << "\nnetwork: " << network_path << "\ndevice: " << kDevice
      << "\ntemplate: streaming\nfifo_depth: " << one_of({1, 2, 2, 3}) << "\n";
    if (chance(0.25)) d << "internal_fifo_depth: " << one_of({1, 3, 4}) << "\n";
    if (chance(0.25)) {
      static const char* kinds[] = {"swg", "mvau", "vvau", "dwc", "threshold", "fmpadding", "maxpool",
                                    "addstreams", "concat", "duplicate", "input_dma", "output_dma"};
      std::set<std::string> chosen;
      for (int n = uniform(1, 3); n > 0; --n) chosen.insert(kinds[uniform(0, 11)]);
      d << "pipeline_depth:\n";
      for (const auto& k : chosen) d << "  " << k << ": " << uniform(0, 6) << "\n";
    }
    d << "layers:\n";
    for (const auto& f : folding_) d << "  " << f << "\n";
    std::vector<std::string> fifos;
    for (const auto& e : edges_) {
      if (e.needs_slack && chance(0.8))
        fifos.push_back(fifo_entry(e.from, e.to, 4096));
      else if (e.needs_slack || chance(0.35))
        fifos.push_back(fifo_entry(e.from, e.to, one_of({1, 1, 2, 3, 4, 8, 32})));
    }
    if (!fifos.empty()) {
      d << "fifos:\n";
      for (const auto& f : fifos) d << "  - " << f << "\n";
    }
    // Drawn last, so that the designs before flushing pipelines were drawn stay as they were.
    if (chance(0.2)) {
      d << "pipeline_style: flush\n";
    } else if (chance(0.2)) {
      static const char* kinds[] = {"swg", "mvau", "vvau", "dwc", "threshold", "fmpadding", "maxpool",
                                    "addstreams", "concat", "duplicate"};
      std::set<std::string> chosen;
      for (int n = uniform(1, 4); n > 0; --n) chosen.insert(kinds[uniform(0, 9)]);
      d << "pipeline_style:\n";
      for (const auto& k : chosen) d << "  " << k << ": flush\n";
    }
    return d.str();
  }

  struct Edge {
    std::string from, to;
    bool needs_slack;
  };
  uint32_t seed_;
  std::mt19937 rng_;
  int count_ = 0;
  std::vector<std::string> layers_, folding_;
  std::map<std::string, int> lanes_;
  std::vector<Edge> edges_;
};

// A directory of this process's generated configs, removed at exit.
const fs::path& scratch_dir() {
  struct Dir {
    fs::path path = fs::temp_directory_path() / ("vine-cycle-exact-" + std::to_string(::getpid()));
    Dir() { fs::create_directories(path); }
    ~Dir() { fs::remove_all(path); }
  };
  static Dir dir;
  return dir.path;
}

struct LoadedDesign {
  RandomDesign text;
  ir::Design design;
};

std::string describe(const RandomDesign& r) {
  return "seed " + std::to_string(r.seed) + ", " + std::to_string(r.frames) + " frame(s)\n--- network\n" +
         r.network_yaml + "--- design\n" + r.design_yaml;
}

// Random design number `index`, redrawn (from the same generator, so still
// reproducible) while it is too big for a quick per-cycle run.
LoadedDesign random_design(int index) {
  const uint32_t seed = kBaseSeed + uint32_t(index);
  DesignGenerator gen(seed);
  const fs::path net_path = scratch_dir() / ("net-" + std::to_string(seed) + ".yaml");
  const fs::path design_path = scratch_dir() / ("design-" + std::to_string(seed) + ".yaml");
  for (;;) {
    LoadedDesign d{gen.generate(Block(index % kBlockKinds), net_path.string()), {}};
    std::ofstream(net_path) << d.text.network_yaml;
    std::ofstream(design_path) << d.text.design_yaml;
    try {
      d.design = config::load_design(design_path.string());
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("generated design does not load: ") + e.what() + "\n" + describe(d.text));
    }
    const ir::StreamingPlan plan = ir::plan_process_network(d.design);
    if (total_advances(oracle::oracle_stages(plan, d.design, d.text.frames, stage_timings(plan, d.design))) <=
        kMaxAdvances)
      return d;
  }
}

// ================================================================ tests

// Shipped designs, two frames each: MLPs (deep FIFOs, wide converters), the
// CNVs (windows, pools, 32x32 frames) and MobileNet (depthwise, 224x224).
class ShippedDesignTest : public ::testing::TestWithParam<const char*> {};

// The oracle models the HLS templates: a design its FINN config times from
// RTL ones (MobileNet-V1 U250) is checked with them.
ir::Design shipped_hls_timed(const char* name) {
  auto d = config::load_design((kSource / "configs/designs" / (std::string(name) + ".yaml")).string());
  for (auto& f : d.folding) {
    f.impl_style = ir::LayerFolding::ImplStyle::kHls;
    f.rtl_kinds.clear();
  }
  return d;
}

TEST_P(ShippedDesignTest, EveryBeatAtTheOraclesCycle) {
  EXPECT_TRUE(expect_cycle_exact(shipped_hls_timed(GetParam()), 2));
}

// The same designs built of flushing pipelines (pipeline_style: flush).
TEST_P(ShippedDesignTest, EveryBeatAtTheOraclesCycleWithFlushingPipelines) {
  ir::Design d = shipped_hls_timed(GetParam());
  d.pipeline_flush = true;
  EXPECT_TRUE(expect_cycle_exact(d, 2));
}

INSTANTIATE_TEST_SUITE_P(CycleExact, ShippedDesignTest,
                         ::testing::Values("finn-examples/tfc-w1a1-pynq-z1", "bnn-pynq/lfc-w1a1-pynq-z1",
                                           "bnn-pynq/cnv-w1a1-pynq-z1", "bnn-pynq/cnv-w2a2-pynq-z1",
                                           "finn-examples/mobilenet-v1-w4a4-u250"),
                         [](const auto& info) {
                           std::string n = fs::path(info.param).filename().string();
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

class RandomDesignTest : public ::testing::TestWithParam<int> {};

TEST_P(RandomDesignTest, EveryBeatAtTheOraclesCycle) {
  LoadedDesign d;
  try {
    d = random_design(GetParam());
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  SCOPED_TRACE(describe(d.text));
  expect_cycle_exact(d.design, d.text.frames);
}

INSTANTIATE_TEST_SUITE_P(CycleExact, RandomDesignTest, ::testing::Range(0, kRandomDesigns));

// The fast-forward (models/stage/fast_forward.h) on the random designs: a
// timing-only run that skips the frames whose timing repeats reports every
// figure (the whole JSON report but its `fast_forward` field) as a run of
// every frame does, deadlocks included, for several frame counts; and it does
// skip on many of them (deep and shallow FIFOs, residual branches, windows).
TEST(CycleExact, RandomDesignsFastForwardExactly) {
  constexpr int kDesigns = 60;
  int skipped_some = 0;
  for (int i = 0; i < kDesigns; ++i) {
    const LoadedDesign d = random_design(i);
    bool skipped = false;
    for (int frames : {1, 2, 3, 7, 50}) {
      nlohmann::json report[2];
      int64_t frames_skipped[2] = {0, 0};
      for (int ff = 0; ff < 2; ++ff) {
        sim::RunOptions o;
        o.frames = frames;
        o.timing_only = true;
        o.steady_state = false;
        o.fast_forward = ff == 1;
        sim::Simulation s(d.design, o);
        const sim::RunReport& r = s.run();
        frames_skipped[ff] = r.fast_forward.frames_skipped;
        report[ff] = sim::to_json(r, s.estimate());
        report[ff].erase("fast_forward");
      }
      EXPECT_EQ(frames_skipped[0], 0);
      skipped = skipped || frames_skipped[1] > 0;
      if (report[0] != report[1]) {
        std::string first;  // the first differing field, for the message
        const nlohmann::json patch = nlohmann::json::diff(report[0], report[1]);
        first = patch.dump().substr(0, 600) + " (JSON patch from the full run's report)";
        ADD_FAILURE() << "random design " << i << ", " << frames << " frames (" << frames_skipped[1]
                      << " skipped): " << first << "\n" << describe(d.text);
      }
    }
    skipped_some += skipped ? 1 : 0;
  }
  EXPECT_GE(skipped_some, kDesigns / 3) << "the fast-forward skipped frames on too few random designs";
  std::cout << "fast-forward skipped frames on " << skipped_some << " of " << kDesigns << " random designs\n";
}

// The random designs exercise what they are meant to: every stage kind,
// FIFOs of depth 1 and 2, memory-style FIFOs, re-entered windows over several
// frames, and both finishing and deadlocking networks.
TEST(CycleExact, RandomDesignsCoverTheMicroArchitecture) {
  std::set<ir::StageKind> kinds;
  std::map<std::string, int> seen;
  for (int i = 0; i < kRandomDesigns; ++i) {
    const LoadedDesign d = random_design(i);
    const ir::StreamingPlan plan = ir::plan_process_network(d.design);
    for (const auto& s : plan.stages) {
      kinds.insert(s.kind);
      if (s.kind == ir::StageKind::kSlidingWindow && s.stride_h > 1) seen["strided window"]++;
      if (s.kind == ir::StageKind::kSlidingWindow && d.text.frames > 1) seen["re-entered window"]++;
      if (s.kind == ir::StageKind::kSlidingWindow && s.kernel_h == 1 && s.kernel_w == 1) seen["1x1 window"]++;
      if (s.kind == ir::StageKind::kSlidingWindow && s.depthwise) seen["depthwise window"]++;
      if (s.kind == ir::StageKind::kConcat && s.inputs.size() > 2) seen["3-input concat"]++;
      if (s.kind == ir::StageKind::kWidthConverter) {
        seen[s.in_stream_bits > s.out_stream_bits ? "narrowing converter" : "widening converter"]++;
        if (plan.stages[size_t(plan.streams[size_t(s.inputs[0])].producer)].kind == ir::StageKind::kWidthConverter)
          seen["converter pair"]++;
      }
    }
    for (const auto& f : plan.streams) {
      if (f.depth == 1) seen["depth-1 FIFO"]++;
      if (f.depth == 2) seen["depth-2 FIFO"]++;
      if (f.memory_style) seen["memory-style FIFO"]++;
    }
    if (!d.design.pipeline_depth.empty()) seen["pipeline depth override"]++;
    for (const auto& t : stage_timings(plan, d.design))
      if (t.flushing()) {
        seen["flushing pipeline"]++;
        break;
      }
    sim::ProcessNetwork net(d.design, sim::ElaborationOptions{d.text.frames, true, false}, nullptr, {}, {});
    seen[net.run() ? "finished" : "deadlocked"]++;
  }
  using K = ir::StageKind;
  for (K k : {K::kFmPadding, K::kSlidingWindow, K::kMvau, K::kVvau, K::kThreshold, K::kMaxPool, K::kAvgPool,
              K::kAddStreams, K::kConcat, K::kDuplicate, K::kWidthConverter, K::kInputDma, K::kOutputDma})
    EXPECT_TRUE(kinds.count(k)) << "no random design has a " << ir::to_string(k) << " stage";
  for (const char* what :
       {"strided window", "re-entered window", "1x1 window", "depthwise window", "3-input concat",
        "narrowing converter", "widening converter", "converter pair", "depth-1 FIFO", "depth-2 FIFO",
        "memory-style FIFO", "pipeline depth override", "flushing pipeline", "finished", "deadlocked"})
    EXPECT_GT(seen[what], 0) << "no random design has a " << what;
  for (const auto& [what, n] : seen) std::cout << "  " << what << ": " << n << "\n";
}

// ================================================================ planner regressions
// Two bugs of sim/ir/stage_plan.cpp this test found, fixed.

// Writes a network and a design around it (the design's `network:` and
// `device:` filled in) and loads the design.
ir::Design load_written(const std::string& name, const std::string& network_yaml, const std::string& design_rest) {
  const fs::path net = scratch_dir() / (name + "-net.yaml"), design = scratch_dir() / (name + ".yaml");
  std::ofstream(net) << network_yaml;
  std::ofstream(design) << "design: " << name << "\nnetwork: " << net.string() << "\ndevice: " << kDevice << "\n"
                        << design_rest;
  return config::load_design(design.string());
}

// conv0 writes one channel per beat, add1 reads two, so add1's first
// input passes a width converter; its second input must still enter add1.
TEST(CycleExact, AddWithConvertedFirstInput) {
  const ir::Design d = load_written("issue1",
                                    "network: issue1\n"
                                    "input: {shape: [4, 4, 2], type: unsigned, bits: 4}\n"
                                    "layers:\n"
                                    "  - {name: conv0, kind: conv, kernel: 1, out_channels: 2, weights: {arithmetic: "
                                    "fixed, bits: 4}, output: {kind: threshold, type: unsigned, bits: 4}}\n"
                                    "  - {name: add1, kind: add, inputs: [conv0, input], output: {kind: threshold, "
                                    "type: unsigned, bits: 4}}\n",
                                    "layers:\n  conv0: {simd: 2, pe: 1}\n  add1: {pe: 2}\n"
                                    "fifos:\n  - {from: input, to: add1, depth: 64}\n");
  for (const auto& s : ir::plan_process_network(d).stages) {
    const size_t inputs = s.kind == ir::StageKind::kAddStreams ? 2 : 1;
    if (s.kind != ir::StageKind::kInputDma && s.kind != ir::StageKind::kDuplicate) {
      EXPECT_EQ(s.inputs.size(), inputs) << s.name;
    }
  }
  if (HasFailure()) return;  // the misrouted add would read past its one input
  EXPECT_TRUE(expect_cycle_exact(d, 2));
}

// add1 (PE 2) adds 4-bit input codes to conv0's 2-bit codes; both of
// its input streams must carry 2 elements per beat, 16 beats per frame.
TEST(CycleExact, AddOfTwoBitWidths) {
  const ir::Design d = load_written("issue2",
                                    "network: issue2\n"
                                    "input: {shape: [4, 4, 2], type: unsigned, bits: 4}\n"
                                    "layers:\n"
                                    "  - {name: conv0, kind: conv, kernel: 1, out_channels: 2, weights: {arithmetic: "
                                    "fixed, bits: 4}, output: {kind: threshold, type: unsigned, bits: 2}}\n"
                                    "  - {name: add1, kind: add, inputs: [input, conv0], output: {kind: threshold, "
                                    "type: unsigned, bits: 4}}\n",
                                    "layers:\n  conv0: {simd: 2, pe: 2}\n  add1: {pe: 2}\n"
                                    "fifos:\n  - {from: input, to: add1, depth: 64}\n");
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  for (const auto& s : plan.stages)
    if (s.kind == ir::StageKind::kAddStreams)
      for (int id : s.inputs) {
        EXPECT_EQ(plan.streams[size_t(id)].elements_per_word(), s.pe) << plan.streams[size_t(id)].name;
        EXPECT_EQ(plan.streams[size_t(id)].words, s.in_words) << plan.streams[size_t(id)].name;
      }
  EXPECT_TRUE(expect_cycle_exact(d, 2));
}

}  // namespace
