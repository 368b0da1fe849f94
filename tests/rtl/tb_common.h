// Shared pieces of the RTL unit test benches: configuration parameters, port
// bit access for every Verilator port type, a deterministic random source, and
// the cycle driver that checks every output beat's value and cycle.
//
// Timing convention checked here (rtl/README.md): the unit advances on a
// rising edge only when en = 1. A beat is accepted in a cycle with en = 1,
// in_valid = 1 (and in_ready = 1 for units that have it); an output beat
// leaves in a cycle with en = 1 and out_valid = 1. Counting only enabled
// cycles, the output of a beat accepted in enabled cycle k leaves in enabled
// cycle k + LATENCY, LATENCY taken from vine_rtl_timing.h. While en = 0 the
// outputs hold.
#pragma once

#include <verilated.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "sim/arith/arithmetic.h"
#include "vine_rtl_timing.h"

// The single-source functions are constexpr: a model can size ports and
// pipelines at compile time.
static_assert(vine::rtl::mvau_lanes_fixed_latency(64) >= 2, "vine_rtl_timing.h is constexpr");

namespace vine::tb {

// Parameters of one Verilated configuration, as passed to verilate() with -G.
struct Params {
  std::map<std::string, int64_t> values;
  Params(std::initializer_list<std::pair<const std::string, int64_t>> init) : values(init) {}
  int get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end()) throw std::runtime_error("configuration lacks parameter " + name);
    return static_cast<int>(it->second);
  }
};

// ---------------------------------------------------------------- port bits
inline uint64_t mask_bits(int width) {
  return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

template <typename T>
void put_bits(T& port, int lsb, int width, uint64_t v) {
  static_assert(std::is_integral_v<T>, "narrow port");
  const uint64_t m = mask_bits(width) << lsb;
  port = static_cast<T>((static_cast<uint64_t>(port) & ~m) | ((v << lsb) & m));
}
template <std::size_t N>
void put_bits(VlWide<N>& port, int lsb, int width, uint64_t v) {
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    EData& word = port.at(bit / 32);
    const EData m = EData{1} << (bit % 32);
    word = ((v >> b) & 1) ? (word | m) : (word & ~m);
  }
}
template <typename T>
uint64_t get_bits(const T& port, int lsb, int width) {
  static_assert(std::is_integral_v<T>, "narrow port");
  return (static_cast<uint64_t>(port) >> lsb) & mask_bits(width);
}
template <std::size_t N>
uint64_t get_bits(const VlWide<N>& port, int lsb, int width) {
  uint64_t v = 0;
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    v |= static_cast<uint64_t>((port.at(bit / 32) >> (bit % 32)) & 1) << b;
  }
  return v;
}
inline int64_t sext(uint64_t v, int bits) {
  if (bits >= 64) return static_cast<int64_t>(v);
  v &= mask_bits(bits);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

// ------------------------------------------------------------------ random
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed ^ 0x9e3779b97f4a7c15ull) {}
  uint64_t next() {  // splitmix64
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t range(int64_t lo, int64_t hi) {  // uniform in [lo, hi]
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(double p) { return (next() >> 11) * (1.0 / 9007199254740992.0) < p; }
  // Mostly uniform, sometimes an extreme: extremes are where widths break.
  int64_t edgy(int64_t lo, int64_t hi) {
    const uint64_t r = next() % 16;
    if (r == 0) return lo;
    if (r == 1) return hi;
    return range(lo, hi);
  }

 private:
  uint64_t s_;
};

inline uint64_t hash_name(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

// ----------------------------------------------------------------- failure
struct Failures {
  std::string config;
  int count = 0;
  template <typename... Args>
  void fail(const char* fmt, Args... args) {
    if (++count <= 10) {
      std::fprintf(stderr, "[%s] FAIL: ", config.c_str());
      std::fprintf(stderr, fmt, args...);
      std::fputc('\n', stderr);
    }
  }
  void check(bool ok, const char* what) {
    if (!ok) fail("%s", what);
  }
};

// ------------------------------------------------------------ cycle driver
// One input beat as the driver sees it: how to put it on the ports, whether it
// completes an output (and which value), and its latency and II from the
// single source.
struct Beat {
  std::function<void()> apply;
  bool has_output = false;
  int64_t expected = 0;
  int latency = 0;
  int ii = 1;
  std::string what;  // for failure messages (e.g. "corner: all max")
};

struct DriveOptions {
  double p_gap = 0.0;    // chance that no beat is offered in a cycle
  double p_stall = 0.0;  // chance of en = 0 in a cycle
};

struct DriveStats {
  uint64_t beats = 0, outputs = 0, cycles = 0, stall_cycles = 0;
};

// Drives `beats` through a unit. Model needs clk, rst, en, in_valid,
// out_valid; read_out returns out as a number, ready() the in_ready port (or
// true). Checks value and exact enabled cycle of every output, that outputs
// hold while en = 0, and that accepted beats are spaced by at least their II,
// exactly their II when the driver offered a beat in every enabled cycle.
template <class Model>
void drive(Model& m, const std::vector<Beat>& beats, const DriveOptions& opt, Rng& rng, Failures& f,
           DriveStats& st, const std::function<int64_t()>& read_out,
           const std::function<bool()>& ready) {
  struct Pending {
    uint64_t at;
    int64_t value;
    size_t beat;
  };
  std::deque<Pending> pending;
  size_t next = 0;
  uint64_t adv = 0;  // enabled cycles so far
  bool have_prev = false;
  uint8_t prev_valid = 0;
  int64_t prev_out = 0;
  bool prev_en = true;
  bool have_accept = false, offered_every_cycle = true;
  uint64_t last_accept = 0;
  int last_ii = 1;
  uint64_t guard = 0;
  const uint64_t limit = 64 + beats.size() * 64;

  while (next < beats.size() || !pending.empty()) {
    if (++guard > limit) {
      f.fail("driver stuck: %zu of %zu beats accepted, %zu outputs pending", next, beats.size(),
             pending.size());
      return;
    }
    const bool en = !rng.chance(opt.p_stall);
    const bool offer = next < beats.size() && !rng.chance(opt.p_gap);
    m.en = en;
    m.clk = 0;
    m.in_valid = 0;
    if (offer) beats[next].apply();
    m.eval();
    const bool rdy = ready();
    m.in_valid = offer && rdy;
    m.eval();

    const int64_t out = read_out();
    if (have_prev && !prev_en && (m.out_valid != prev_valid || (prev_valid && out != prev_out)))
      f.fail("outputs changed during en = 0 (enabled cycle %" PRIu64 ")", adv);
    if (en) {
      if (m.out_valid) {
        if (pending.empty()) {
          f.fail("unexpected out_valid at enabled cycle %" PRIu64, adv);
        } else {
          const Pending p = pending.front();
          pending.pop_front();
          if (p.at != adv)
            f.fail("%s: output at enabled cycle %" PRIu64 ", expected %" PRIu64
                   " (latency %d from the single source)",
                   beats[p.beat].what.c_str(), adv, p.at, beats[p.beat].latency);
          if (out != p.value)
            f.fail("%s: output %" PRId64 ", expected %" PRId64, beats[p.beat].what.c_str(), out,
                   p.value);
          ++st.outputs;
        }
      } else if (!pending.empty() && pending.front().at <= adv) {
        f.fail("%s: no output at enabled cycle %" PRIu64 " (latency %d from the single source)",
               beats[pending.front().beat].what.c_str(), adv, beats[pending.front().beat].latency);
        pending.pop_front();
      }
      if (offer && rdy) {
        const Beat& b = beats[next];
        if (have_accept) {
          const uint64_t gap = adv - last_accept;
          if (gap < static_cast<uint64_t>(last_ii) ||
              (offered_every_cycle && gap != static_cast<uint64_t>(last_ii)))
            f.fail("%s: accepted %" PRIu64 " enabled cycles after the previous beat, II is %d%s",
                   b.what.c_str(), gap, last_ii,
                   offered_every_cycle ? " (offered every cycle)" : "");
        }
        have_accept = true;
        last_accept = adv;
        last_ii = b.ii;
        offered_every_cycle = true;
        if (b.has_output)
          pending.push_back({adv + static_cast<uint64_t>(b.latency), b.expected, next});
        ++next;
        ++st.beats;
      } else if (!offer) {
        offered_every_cycle = false;
      }
      ++adv;
    } else {
      ++st.stall_cycles;
    }
    have_prev = true;
    prev_valid = m.out_valid;
    prev_out = out;
    prev_en = en;
    m.clk = 1;
    m.eval();
    ++st.cycles;
  }
}

// One rising clock edge with the inputs as they are.
template <class Model>
void tick(Model& m) {
  m.clk = 0;
  m.eval();
  m.clk = 1;
  m.eval();
}

// Synchronous reset with beats in flight: nothing may come out afterwards.
template <class Model>
void reset_and_check_quiet(Model& m, int latency, Failures& f) {
  m.rst = 1;
  m.en = 0;  // reset wins over en
  m.in_valid = 0;
  m.clk = 0;
  m.eval();
  m.clk = 1;
  m.eval();
  m.rst = 0;
  m.en = 1;
  for (int i = 0; i < latency + 3; ++i) {
    m.clk = 0;
    m.eval();
    if (m.out_valid) f.fail("out_valid %d cycles after reset", i);
    m.clk = 1;
    m.eval();
  }
}

template <class Model>
void reset(Model& m) {
  m.rst = 1;
  m.en = 1;
  m.in_valid = 0;
  for (int i = 0; i < 2; ++i) {
    m.clk = 0;
    m.eval();
    m.clk = 1;
    m.eval();
  }
  m.rst = 0;
}

inline int finish(const Failures& f, const DriveStats& st, const char* unit) {
  std::printf("[%s] %s: %" PRIu64 " beats, %" PRIu64 " outputs, %" PRIu64 " cycles (%" PRIu64
              " stalled): %s\n",
              f.config.c_str(), unit, st.beats, st.outputs, st.cycles, st.stall_cycles,
              f.count ? "FAILED" : "ok");
  if (f.count) std::fprintf(stderr, "[%s] %d failures\n", f.config.c_str(), f.count);
  return f.count ? 1 : 0;
}

// The phases of a unit that takes one beat per output: the first n_corners
// beats (the listed corner cases) back to back; the rest with 15 % input gaps
// and 15 % clock-enable holes; then up to 200 of them back to back, which must
// take exactly count * II + LATENCY cycles.
template <class Model>
void drive_single_beat_phases(Model& m, const std::vector<Beat>& beats, size_t n_corners, int latency,
                              int ii, Rng& rng, Failures& f, DriveStats& st,
                              const std::function<int64_t()>& read_out) {
  const auto always_ready = [] { return true; };
  const std::vector<Beat> corners(beats.begin(), beats.begin() + static_cast<long>(n_corners));
  const std::vector<Beat> randoms(beats.begin() + static_cast<long>(n_corners), beats.end());
  drive(m, corners, {}, rng, f, st, read_out, always_ready);
  drive(m, randoms, {0.15, 0.15}, rng, f, st, read_out, always_ready);
  const std::vector<Beat> burst(randoms.begin(),
                                randoms.begin() + std::min<long>(200, static_cast<long>(randoms.size())));
  const uint64_t c0 = st.cycles;
  drive(m, burst, {}, rng, f, st, read_out, always_ready);
  const uint64_t want = burst.size() * uint64_t(ii) + uint64_t(latency);
  if (st.cycles - c0 != want)
    f.fail("%zu back-to-back beats took %" PRIu64 " cycles, expected count * II + LATENCY = %" PRIu64,
           burst.size(), st.cycles - c0, want);
}

// Accepts `beats` back to back (en = 1, in_valid = 1), then resets while they
// are in flight and checks that none of them comes out.
template <class Model>
void reset_with_beats_in_flight(Model& m, std::vector<Beat>& beats, int latency, Failures& f) {
  m.en = 1;
  for (auto& b : beats) {
    b.apply();
    m.in_valid = 1;
    tick(m);
  }
  m.in_valid = 0;
  reset_and_check_quiet(m, latency, f);
}

}  // namespace vine::tb

// main() of a test bench: runs configuration argv[1] (one of VINE_TB_CONFIGS,
// generated by tests/rtl/CMakeLists.txt) for argv[2] random beats through the
// bench's run<Model>(name, params, beats).
#define VINE_TB_MAIN()                                                                       \
  int main(int argc, char** argv) {                                                          \
    if (argc < 2) {                                                                          \
      std::fprintf(stderr, "usage: %s <config> [beats]\n", argv[0]);                         \
      return 2;                                                                              \
    }                                                                                        \
    const std::string cfg = argv[1];                                                         \
    const uint64_t beats = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;          \
    try {                                                                                    \
      VINE_TB_CONFIGS(VINE_TB_RUN_IF_NAMED)                                                  \
    } catch (const std::exception& e) {                                                      \
      std::fprintf(stderr, "%s\n", e.what());                                                \
      return 1;                                                                              \
    }                                                                                        \
    std::fprintf(stderr, "unknown configuration %s\n", cfg.c_str());                         \
    return 2;                                                                                \
  }
#define VINE_TB_RUN_IF_NAMED(name, Model, ...) \
  if (cfg == #name) return run<Model>(#name, vine::tb::Params{__VA_ARGS__}, beats);
