// The RTL sliding window's two sides, timed apart, against a cycle-by-cycle
// model of its controller (finn-rtllib/swg/swg_template_default.sv): a
// source, the window and a sink joined by FIFOs, the source offering beats
// and the sink taking them in patterns (bursts, pauses, random gaps), so that
// the window's input runs dry and its output backs up. Every read of the
// window's input and every write of its output comes in the same cycle in
// both, over several frames, for 3x3 windows of stride 1 and 2, 1x1 ones,
// one-dimensional ones, channel folds > 1 and depthwise orders; the data is
// the window beats of the frame read. With the input always valid and the
// output always ready the per-cycle model is rtl_window_schedule().
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "models/accelerator/accelerator.h"
#include "models/layers/sliding_window_rtl.h"

namespace vine {
namespace {

using models::WindowGeometry;

// A FIFO as the per-cycle model sees it: a beat written in cycle w is
// readable from w + latency; a write in cycle c needs the beat `depth` back
// read before c.
struct CycleFifo {
  int depth = 2, latency = 1;
  std::vector<int64_t> write, read;
  bool can_write(int64_t c) const {
    const int64_t j = int64_t(write.size()) - depth;
    return j < 0 || (j < int64_t(read.size()) && read[size_t(j)] + 1 <= c);
  }
  bool can_read(int64_t c) const {
    return read.size() < write.size() && write[read.size()] + latency <= c;
  }
};

// The next cycle at which a producer (consumer) offers its next beat: the
// cycle after its previous one plus its gap, as a stall pipeline whose loop
// touches the stream at those advances.
struct Pattern {
  std::vector<int64_t> gaps;  // per beat: cycles after the previous beat moved (the first: from -1)
};

Pattern make_pattern(int kind, int64_t beats, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Pattern p;
  for (int64_t i = 0; i < beats; ++i) {
    int64_t g = 1;
    switch (kind) {
      case 0:  // always there
        g = 1;
        break;
      case 1:  // random gaps of 1 to 4
        g = 1 + int64_t(rng() % 4);
        break;
      case 2:  // bursts of 7, then a pause of 23
        g = i % 8 == 7 ? 23 : 1;
        break;
      case 3:  // slow and steady
        g = 3;
        break;
      case 4:  // mostly fast, now and then a long pause
        g = rng() % 16 == 0 ? 1 + int64_t(rng() % 60) : 1;
        break;
    }
    p.gaps.push_back(g);
  }
  return p;
}

struct Cycles {
  std::vector<int64_t> window_reads, window_writes;
  int64_t reads_while_write_blocked = 0;  // cycles in which the window read while its output held it
};

// The controller, register by register, as swg_template_default.sv updates
// them; its input and output FIFOs and the source and sink around them.
Cycles per_cycle(const WindowGeometry& g, int frames, const Pattern& src, const Pattern& snk, int depth_in,
                 int depth_out, bool always) {
  const int64_t cf = g.channel_folds, kk = int64_t{g.kernel_h} * g.kernel_w;
  const int64_t buffer = models::rtl_window_schedule(g).buffer_beats;
  const int64_t min_buffer = ((g.kernel_h - 1) * int64_t{g.in_w} + (g.kernel_w - 1) + 1) * cf;
  const int64_t last_read = int64_t{g.in_h} * g.in_w * cf - 1;
  const int64_t fetches = int64_t{g.out_h} * g.out_w * kk * cf;
  const int64_t last_write = models::window_beat_source(g, fetches - 1);
  const int64_t per_window = g.depthwise && cf > 1 ? kk : kk * cf;
  const int64_t in_total = (last_read + 1) * frames, out_total = fetches * frames;

  CycleFifo in{depth_in, 1, {}, {}}, out{depth_out, 1, {}, {}};
  int64_t src_next = src.gaps[0] - 1, snk_next = snk.gaps[0] - 1;  // a pattern's first beat: its gap after -1
  int64_t newest = -1, current = 0, first_next = 0, position = 0, j = 0;
  bool fetching_done = false, write_cmd = false, writing_done = false;
  Cycles out_cycles;
  int frame = 0;
  for (int64_t c = 0; frame < frames; ++c) {
    if (c > 100000000) throw std::runtime_error("per-cycle model: no progress");
    // The source and the sink, from the FIFOs as they were before this cycle.
    const int64_t sw = int64_t(in.write.size());
    const bool src_writes = sw < in_total && c >= src_next && in.can_write(c);
    const int64_t kr = int64_t(out.read.size());
    const bool snk_reads = kr < out_total && c >= snk_next && out.can_read(c);
    // The window's signals (combinational, from the registers).
    const bool valid = always || in.can_read(c);
    const bool ready = always || out.can_write(c);
    const bool write_ok = write_cmd && ready;
    const bool write_blocked = write_cmd && !ready;
    const bool fetch = !(current > newest) && !write_blocked && !fetching_done;
    const bool reading_done = newest == last_read;
    const bool read_cmd = !reading_done && (fetching_done || (newest - (buffer - 1) < first_next &&
                                                              newest - (buffer - 1) < current));
    const bool read_ok = read_cmd && valid;
    // The clock edge.
    if (src_writes) {
      in.write.push_back(c);
      if (sw + 1 < in_total) src_next = c + src.gaps[size_t((sw + 1) % int64_t(src.gaps.size()))];
    }
    if (snk_reads) {
      out.read.push_back(c);
      if (kr + 1 < out_total) snk_next = c + snk.gaps[size_t((kr + 1) % int64_t(snk.gaps.size()))];
    }
    if (read_ok) {
      out_cycles.window_reads.push_back(c);
      out_cycles.reads_while_write_blocked += write_blocked;
      if (!always) in.read.push_back(c);
    }
    if (write_ok) {
      out_cycles.window_writes.push_back(c);
      if (!always) out.write.push_back(c);
    }
    int64_t n_newest = newest, n_current = current, n_first_next = first_next, n_position = position, n_j = j;
    bool n_fetching_done = fetching_done, n_write_cmd = write_cmd, n_writing_done = writing_done;
    bool reset = false;
    if (read_ok) {
      n_newest = newest + 1;
      if (newest == last_read - 1 && writing_done) reset = true;
    }
    if (fetch) {
      n_position = position != per_window - 1 ? position + 1 : 0;
      if (position == 0) {
        const int64_t next = j + per_window;
        n_first_next = next < fetches ? models::window_beat_source(g, next)
                                      : models::window_beat_source(g, j) + min_buffer - 1;
      }
      if (current == last_write)
        n_fetching_done = true;
      else
        n_current = models::window_beat_source(g, j + 1);
      n_j = j + 1;
      n_write_cmd = true;
    }
    if (write_ok) n_write_cmd = fetch;
    if (write_ok && fetching_done) {
      if (reading_done || (read_ok && newest == last_read - 1))
        reset = true;
      else
        n_writing_done = true;
    }
    if (reset) {
      n_newest = -1;
      n_current = 0;
      n_first_next = 0;
      n_position = 0;
      n_j = 0;
      n_fetching_done = false;
      n_writing_done = false;
      ++frame;
    }
    newest = n_newest;
    current = n_current;
    first_next = n_first_next;
    position = n_position;
    j = n_j;
    fetching_done = n_fetching_done;
    write_cmd = n_write_cmd;
    writing_done = n_writing_done;
  }
  return out_cycles;
}

// A source writing frames x beats (beat i's value: i) and a sink reading
// them, each touching its stream at the advances its pattern's gaps set.
class Source final : public models::Stage {
 public:
  Source(std::string name, const Pattern& p, int64_t beats)
      : Stage(std::move(name), models::PipelineTiming{0, -1}), p_(p), beats_(beats) {}
  const char* kind() const override { return "source"; }

 protected:
  bool next_iteration(models::Iteration& it) override {
    if (k_ == beats_) return false;
    at_ += p_.gaps[size_t(k_ % int64_t(p_.gaps.size()))];
    it = {at_, 0u, 1u};
    ++k_;
    return true;
  }
  void produce(int, int32_t* beat) override { beat[0] = int32_t(k_ - 1); }

 private:
  Pattern p_;
  int64_t beats_, k_ = 0, at_ = -1;
};

class Sink final : public models::Stage {
 public:
  Sink(std::string name, const Pattern& p, int64_t beats)
      : Stage(std::move(name), models::PipelineTiming{0, -1}), p_(p), beats_(beats) {}
  const char* kind() const override { return "sink"; }
  std::vector<int32_t> values;

 protected:
  bool next_iteration(models::Iteration& it) override {
    if (k_ == beats_) return false;
    at_ += p_.gaps[size_t(k_ % int64_t(p_.gaps.size()))];
    it = {at_, 1u, 0u};
    ++k_;
    return true;
  }
  void consume(int, const int32_t* beat) override { values.push_back(beat[0]); }

 private:
  Pattern p_;
  int64_t beats_, k_ = 0, at_ = -1;
};

int run_count = 0;

// Vine's swg_rtl stage between the source and the sink.
Cycles stamp_engine(const WindowGeometry& g, int frames, const Pattern& src, const Pattern& snk, int depth_in,
                    int depth_out, models::HostOrder order, std::vector<int32_t>& values) {
  const int64_t n = int64_t{g.in_h} * g.in_w * g.channel_folds;
  const int64_t k = int64_t{g.out_h} * g.out_w * g.kernel_h * g.kernel_w * g.channel_folds;
  models::Topology topo;
  topo.stages = {"src", "swg", "snk"};
  topo.streams = {{"src->swg", 0, 1}, {"swg->snk", 1, 2}};
  topo.inputs = {{}, {0}, {1}};
  topo.outputs = {{0}, {1}, {}};
  Sink* sink = nullptr;
  auto make_stage = [&](int i) -> std::unique_ptr<models::Stage> {
    if (i == 0) return std::make_unique<Source>("src", src, n * frames);
    if (i == 1) return std::make_unique<models::SlidingWindowRtl>("swg", models::PipelineTiming{1, -1}, frames, g);
    auto s = std::make_unique<Sink>("snk", snk, k * frames);
    sink = s.get();
    return s;
  };
  auto make_stream = [&](int i, const char* base) {
    return std::make_unique<models::StreamFifo>(base, i == 0 ? "src->swg" : "swg->snk", i == 0 ? depth_in : depth_out,
                                                1, false, 1, true);
  };
  models::Accelerator accel(("swg_cycles_" + std::to_string(run_count++)).c_str(), topo, make_stage, make_stream);
  for (const auto& f : accel.fifos()) f->record_times(true);
  accel.scheduler().set_order(order, 7);
  EXPECT_TRUE(accel.run());
  Cycles c;
  for (const auto& t : accel.fifos()[0]->times()) c.window_reads.push_back(t.read);
  for (const auto& t : accel.fifos()[1]->times()) c.window_writes.push_back(t.write);
  values = sink->values;
  // Its statistics split its cycles: every one up to its last is busy or stalled.
  const models::StageStats& st = accel.stages()[1]->stats();
  EXPECT_EQ(st.busy + st.stalled_input + st.stalled_output, accel.stages()[1]->local_cycle() + 1);
  EXPECT_EQ(st.last_write, c.window_writes.back());
  return c;
}

WindowGeometry geometry(int in_h, int in_w, int kh, int kw, int sh, int sw, int cf, bool depthwise) {
  WindowGeometry g;
  g.in_h = in_h;
  g.in_w = in_w;
  g.kernel_h = kh;
  g.kernel_w = kw;
  g.stride_h = sh;
  g.stride_w = sw;
  g.out_h = (in_h - kh) / sh + 1;
  g.out_w = (in_w - kw) / sw + 1;
  g.channel_folds = cf;
  g.lanes = 1;
  g.depthwise = depthwise;
  return g;
}

struct Named {
  const char* name;
  WindowGeometry g;
};

std::vector<Named> geometries() {
  return {
      {"3x3 s1", geometry(6, 6, 3, 3, 1, 1, 1, false)},
      {"3x3 s1 cf2", geometry(5, 6, 3, 3, 1, 1, 2, false)},
      {"3x3 s2 cf2", geometry(7, 7, 3, 3, 2, 2, 2, false)},
      {"3x3 s2 (even, a row left over)", geometry(8, 8, 3, 3, 2, 2, 1, false)},
      {"1x1 cf3", geometry(4, 4, 1, 1, 1, 1, 3, false)},
      {"1x1 s2 cf2", geometry(8, 8, 1, 1, 2, 2, 2, false)},
      {"1-D 1x3", geometry(1, 12, 1, 3, 1, 1, 2, false)},
      {"1-D 3x1 s2", geometry(13, 1, 3, 1, 2, 1, 1, false)},
      {"depthwise 3x3 s1 cf3", geometry(5, 5, 3, 3, 1, 1, 3, true)},
      {"depthwise 3x3 s2 cf2", geometry(7, 7, 3, 3, 2, 2, 2, true)},
      {"2x2 s2 cf2", geometry(6, 6, 2, 2, 2, 2, 2, false)},
      {"5x5 s1", geometry(7, 8, 5, 5, 1, 1, 1, false)},
  };
}

// With the input always valid and the output always ready, the per-cycle
// model takes rtl_window_schedule()'s cycles, frame after frame.
TEST(SwgRtlCycles, AlwaysValidAndReadyIsTheSchedule) {
  for (const auto& [name, g] : geometries()) {
    SCOPED_TRACE(name);
    const models::RtlWindowSchedule s = models::rtl_window_schedule(g);
    const int frames = 3;
    const Pattern one = make_pattern(0, 1, 1);
    const Cycles c = per_cycle(g, frames, one, one, 1, 1, true);
    std::vector<int64_t> reads, writes;
    for (int f = 0; f < frames; ++f)
      for (size_t i = 0; i < s.cycle.size(); ++i) {
        if (s.what[i] & 1u) reads.push_back(f * s.period + s.cycle[i]);
        if (s.what[i] & 2u) writes.push_back(f * s.period + s.cycle[i] + 1);
      }
    EXPECT_EQ(c.window_reads, reads);
    EXPECT_EQ(c.window_writes, writes);
  }
}

// Under every pattern of the source and the sink, and every host order,
// Vine's stage reads and writes in the per-cycle model's cycles, and writes
// the window beats of the frame it read.
TEST(SwgRtlCycles, EveryReadAndWriteInTheControllersCycle) {
  const int frames = 3;
  int differing_from_coupled = 0;
  for (const auto& [name, g] : geometries()) {
    const int64_t n = int64_t{g.in_h} * g.in_w * g.channel_folds;
    const int64_t k = int64_t{g.out_h} * g.out_w * g.kernel_h * g.kernel_w * g.channel_folds;
    for (const auto& [src_kind, snk_kind, depth_in, depth_out] : std::vector<std::tuple<int, int, int, int>>{
             {0, 0, 2, 2}, {1, 0, 2, 2}, {0, 1, 2, 2}, {1, 1, 1, 1}, {2, 3, 2, 1}, {3, 2, 4, 2},
             {4, 4, 1, 3}, {0, 2, 8, 1}, {2, 0, 1, 8}, {4, 1, 2, 2}}) {
      SCOPED_TRACE(std::string(name) + ", source " + std::to_string(src_kind) + ", sink " +
                   std::to_string(snk_kind) + ", depths " + std::to_string(depth_in) + "/" +
                   std::to_string(depth_out));
      const Pattern src = make_pattern(src_kind, n * frames, 11 + uint64_t(src_kind));
      const Pattern snk = make_pattern(snk_kind, k * frames, 29 + uint64_t(snk_kind));
      const Cycles want = per_cycle(g, frames, src, snk, depth_in, depth_out, false);
      ASSERT_EQ(want.window_reads.size(), size_t(n * frames));
      ASSERT_EQ(want.window_writes.size(), size_t(k * frames));
      for (const auto order : {models::HostOrder::kFifo, models::HostOrder::kLifo, models::HostOrder::kShuffled}) {
        std::vector<int32_t> values;
        const Cycles got = stamp_engine(g, frames, src, snk, depth_in, depth_out, order, values);
        EXPECT_EQ(got.window_reads, want.window_reads);
        EXPECT_EQ(got.window_writes, want.window_writes);
        ASSERT_EQ(values.size(), size_t(k * frames));
        for (int64_t b = 0; b < k * frames; ++b)
          ASSERT_EQ(values[size_t(b)], int32_t((b / k) * n + models::window_beat_source(g, b % k))) << "beat " << b;
      }
      differing_from_coupled += want.reads_while_write_blocked > 0;
    }
  }
  // The window read while its output held a beat it could not write (the
  // buffer filling while the fetches wait) in some of the cases: the
  // decoupling is exercised.
  EXPECT_GT(differing_from_coupled, 0);
}

}  // namespace
}  // namespace vine
