#include "sim/trace/golden_figures.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"
#include "sim/run/process_network.h"
#include "sim/run/simulation.h"

namespace vine::trace {

namespace {

class Lines {
 public:
  template <typename T>
  void add(const std::string& key, const T& value) {
    o_ << key << ": " << value << "\n";
  }
  void comment(const std::string& text) { o_ << "# " << text << "\n"; }
  std::string str() const { return o_.str(); }

 private:
  std::ostringstream o_;
};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", (unsigned long long)v);
  return buf;
}

std::string decimal(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// The frames `vine run` names from its default 3: the run a reader repeats
// with `vine run DESIGN --frames N` to see the same steady state.
int default_timing_frames(const ir::Design& d) {
  sim::RunOptions o;
  o.frames = 3;
  o.timing_only = true;
  o.find_frames_needed = true;
  sim::Simulation probe(d, o);
  const sim::RunReport& r = probe.run();
  if (!r.steady.reached && r.steady.frames_needed > 0) return r.steady.frames_needed;
  return 3;
}

std::map<std::string, std::string> parse(const std::string& text, std::vector<std::string>* order) {
  std::map<std::string, std::string> figures;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(": ");
    const std::string key = colon == std::string::npos ? line : line.substr(0, colon);
    const std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
    if (figures.emplace(key, value).second && order) order->push_back(key);
  }
  return figures;
}

bool integer(const std::string& s, long long& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtoll(s.c_str(), &end, 10);
  return end && *end == '\0';
}

}  // namespace

std::string golden_figures(const ir::Design& d, const std::string& source, GoldenOptions o) {
  if (o.timing_frames <= 0) o.timing_frames = default_timing_frames(d);
  Lines out;
  out.comment("Golden figures of " + source + ", written by `vine golden`:");
  out.comment("regenerate every file with scripts/update-traces (traces/README.md).");
  out.add("design", d.name);

  // The cycles: a timing-only run (the same cycles as a bit-exact one).
  sim::RunOptions t;
  t.frames = o.timing_frames;
  t.timing_only = true;
  sim::Simulation timing(d, t);
  const sim::RunReport& r = timing.run();
  out.comment(
      "A timing-only run: latency of frame 0, steady state (docs/simulation.md), batch, and");
  out.comment("each frame's first and last output beat.");
  out.add("timing.frames", r.frames);
  out.add("finished", r.finished ? "yes" : "no");
  if (!r.finished) out.add("deadlock", r.deadlock);
  out.add("latency_cycles", r.latency_cycles);
  out.add("estimate.interval_cycles", r.estimate_interval_cycles);
  out.add("steady.reached", r.steady.reached ? "yes" : "no");
  if (r.steady.reached) {
    out.add("steady.interval_cycles", sim::interval_text(r.steady));
    out.add("steady.period_frames", r.steady.period_frames);
    out.add("steady.period_cycles", r.steady.period_cycles);
    out.add("steady.from_frame", r.steady.from_frame);
  }
  out.add("steady.settled_frames", r.steady.settled_frames);
  out.add("batch.cycles_total", r.cycles_total);
  out.add("batch.cycles_per_frame", decimal(r.cycles_per_frame_batch));
  const auto& dma = timing.network().output_dma();
  for (size_t f = 0; f < dma.last_beat_cycles().size(); ++f) {
    out.add("frame." + std::to_string(f) + ".first_out", dma.first_beat_cycles()[f]);
    out.add("frame." + std::to_string(f) + ".last_out", dma.last_beat_cycles()[f]);
  }

  // Every stage with frame 0 alone: its first and last output beat in a
  // one-frame run, where each stage's loop and pipeline depth show. (Frame 0
  // of the longer run would need every beat's stamps recorded: gigabytes on
  // the large designs.) The output DMA writes no stream: its reads.
  sim::ProcessNetwork alone(d, {1, true, false, sim::BackendChoice::kCpp}, nullptr, {}, {});
  const bool alone_done = alone.run();
  out.comment("Every stage with frame 0 alone (a one-frame run): its first and last output beat;");
  out.comment("for the output DMA, its first and last read.");
  out.add("stage.frames", 1);
  out.add("stage.finished", alone_done ? "yes" : "no");
  for (const auto& s : alone.stages()) {
    if (s.get() == &alone.output_dma()) {
      const auto& first = alone.output_dma().first_beat_cycles();
      const auto& last = alone.output_dma().last_beat_cycles();
      out.add("stage." + s->name() + ".first_in", first.empty() ? -1 : first[0]);
      out.add("stage." + s->name() + ".last_in", last.empty() ? -1 : last[0]);
      continue;
    }
    out.add("stage." + s->name() + ".first_out", s->stats().first_write);
    out.add("stage." + s->name() + ".last_out", s->stats().last_write);
  }

  // The outputs: a bit-exact run on the C++ back-end, each frame's checksum
  // as `vine reference` prints it.
  out.comment(
      "A bit-exact run on the C++ back-end: each output frame's checksum and top-1 class, as");
  out.comment("`vine reference DESIGN --seed S --frames F` prints them.");
  out.add("outputs.seed", o.seed);
  out.add("outputs.frames", o.output_frames);
  const golden::NetworkParams params = golden::synthesize_params(d.network, o.seed);
  const ir::Network& net = d.network;
  const uint64_t seed = o.seed;
  std::vector<golden::IntTensor> outputs(size_t(o.output_frames));
  sim::ProcessNetwork pn(
      d, {o.output_frames, false, false, sim::BackendChoice::kCpp}, &params,
      [&net, seed](int frame, std::vector<int32_t>& e) {
        e = golden::synthesize_input(net, seed, frame).data;
      },
      [&outputs](int frame, const std::vector<int32_t>& e, int64_t) {
        outputs[size_t(frame)].data = e;
      });
  const bool done = pn.run();
  for (int f = 0; f < o.output_frames; ++f) {
    const std::string key = "outputs.frame." + std::to_string(f);
    if (!done && f >= pn.output_dma().frames_done()) {
      out.add(key + ".checksum", "none (deadlock)");
      continue;
    }
    out.add(key + ".checksum", hex(golden::checksum(outputs[size_t(f)])));
    out.add(key + ".top1", golden::top1(outputs[size_t(f)], net.classes));
  }
  return out.str();
}

GoldenOptions golden_options_of(const std::string& figures) {
  const auto f = parse(figures, nullptr);
  auto number = [&](const char* key) {
    long long v = 0;
    const auto it = f.find(key);
    if (it == f.end() || !integer(it->second, v) || v < 0)
      throw std::runtime_error(std::string("no '") + key + ": N' line among the figures");
    return v;
  };
  GoldenOptions o;
  o.timing_frames = int(number("timing.frames"));
  o.output_frames = int(number("outputs.frames"));
  o.seed = uint64_t(number("outputs.seed"));
  return o;
}

std::vector<std::string> golden_diff(const std::string& expected, const std::string& actual) {
  std::vector<std::string> order, actual_order;
  const auto e = parse(expected, &order);
  const auto a = parse(actual, &actual_order);
  std::vector<std::string> diffs;
  for (const auto& key : order) {
    const auto it = a.find(key);
    const std::string& want = e.at(key);
    if (it == a.end()) {
      diffs.push_back(key + ": " + want + " -> (gone)");
    } else if (it->second != want) {
      std::string line = key + ": " + want + " -> " + it->second;
      long long x = 0, y = 0;
      if (integer(want, x) && integer(it->second, y))
        line += " (" + std::string(y >= x ? "+" : "") + std::to_string(y - x) + ")";
      diffs.push_back(line);
    }
  }
  for (const auto& key : actual_order)
    if (!e.count(key)) diffs.push_back(key + ": (new) -> " + a.at(key));
  return diffs;
}

}  // namespace vine::trace
