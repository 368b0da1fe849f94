// Test bench of mvau_lanes_bitserial: channel groups of different weight
// widths (in_wbits per output) against vine::arith::lane_product(kFixed),
// with each output's cycle from mvau_lanes_bitserial_latency(SIMD, w) and the
// spacing of accepted beats from mvau_lanes_bitserial_ii(w).
//
// Usage: tb_mvau_lanes_bitserial <config> [beats]
#include <algorithm>
#include <cstring>
#include <memory>

#include "tb_common.h"
#include "vine_tb_configs.h"

namespace {

using namespace vine;
using arith::ActivationKind;
using arith::WeightArithmetic;

struct Output {
  int wbits = 1;
  std::vector<std::vector<int32_t>> w, a;   // [fold][lane], weight values
  std::vector<std::vector<uint32_t>> junk;  // bits above wbits, must be ignored
  std::string what;
};

template <class Model>
int run(const std::string& name, const tb::Params& p, uint64_t n_beats) {
  tb::Failures f{name};
  tb::Rng rng(tb::hash_name(name));
  const int simd = p.get("SIMD"), w_max = p.get("W_MAX"), a_bits = p.get("A"), mw = p.get("MW");
  const int a_signed = p.get("A_SIGNED");
  const ActivationKind ak = a_signed ? ActivationKind::kSigned : ActivationKind::kUnsigned;
  const arith::ActivationType at{ak, a_bits};
  const int64_t amin = at.min_code(), amax = at.max_code();
  const int sf_max = mw / simd;
  const int wb_bits = rtl::clog2(w_max + 1);

  auto product = [&](int32_t w, int32_t a) {
    return arith::lane_product(WeightArithmetic::kFixed, w, 0, ak, a);
  };
  // Width check: FINN-R's bound for W_MAX-bit weights, brute force.
  int64_t pmin = INT64_MAX, pmax = INT64_MIN;
  for (int32_t w = -(1 << (w_max - 1)); w < (1 << (w_max - 1)); ++w)
    for (int64_t a = amin; a <= amax; ++a) {
      pmin = std::min(pmin, product(w, static_cast<int32_t>(a)));
      pmax = std::max(pmax, product(w, static_cast<int32_t>(a)));
    }
  const arith::Range range = arith::accumulator_range(pmin, pmax, mw);
  const int acc_bits = rtl::mvau_lanes_bitserial_acc_bits(w_max, a_bits, a_signed, mw);
  if (range.bits() != acc_bits)
    f.fail("accumulator width %d from vine_rtl_timing.h, FINN-R bound says %d", acc_bits,
           range.bits());

  auto ctx = std::make_unique<VerilatedContext>();
  auto m = std::make_unique<Model>(ctx.get());

  auto golden = [&](const Output& o) {
    int64_t acc = 0;
    for (size_t fo = 0; fo < o.w.size(); ++fo)
      for (int l = 0; l < simd; ++l) acc += product(o.w[fo][l], o.a[fo][l]);
    return acc;
  };
  auto make = [&](int wbits, int folds, const std::string& what,
                  const std::function<std::pair<int32_t, int32_t>(int, int)>& pick) {
    Output o;
    o.wbits = wbits;
    o.what = what + " (w = " + std::to_string(wbits) + ")";
    for (int fo = 0; fo < folds; ++fo) {
      std::vector<int32_t> w(simd), a(simd);
      std::vector<uint32_t> junk(simd);
      for (int l = 0; l < simd; ++l) {
        std::tie(w[l], a[l]) = pick(fo, l);
        junk[l] = static_cast<uint32_t>(rng.next());
      }
      o.w.push_back(w);
      o.a.push_back(a);
      o.junk.push_back(junk);
    }
    return o;
  };
  auto random_output = [&](int wbits, int folds, const std::string& what) {
    const int64_t wlo = -(int64_t{1} << (wbits - 1)), whi = (int64_t{1} << (wbits - 1)) - 1;
    return make(wbits, folds, what, [&](int, int) {
      return std::make_pair(static_cast<int32_t>(rng.edgy(wlo, whi)),
                            static_cast<int32_t>(rng.edgy(amin, amax)));
    });
  };
  auto uniform = [&](int wbits, int folds, int32_t w, int64_t a, const std::string& what) {
    return make(wbits, folds, what,
                [&](int, int) { return std::make_pair(w, static_cast<int32_t>(a)); });
  };

  std::vector<Output> corners;
  for (int wb : {1, std::max(1, w_max / 2), w_max}) {
    const int32_t wneg = -(1 << (wb - 1)), wpos = (1 << (wb - 1)) - 1;
    corners.push_back(
        uniform(wb, sf_max, wneg, amin, "corner: most negative weight x most negative activation"));
    corners.push_back(
        uniform(wb, sf_max, wneg, amax, "corner: most negative weight x largest activation"));
    corners.push_back(
        uniform(wb, sf_max, wpos, amax, "corner: largest weight x largest activation"));
    corners.push_back(
        uniform(wb, sf_max, wpos, amin, "corner: largest weight x most negative activation"));
    corners.push_back(uniform(wb, sf_max, -1, amax, "corner: weight -1 (all ones)"));
    corners.push_back(uniform(wb, 1, 0, amax, "corner: zero weights"));
  }

  auto to_beats = [&](const std::vector<Output>& outs) {
    std::vector<tb::Beat> beats;
    for (const Output& o : outs) {
      const int64_t expected = golden(o);
      const int folds = static_cast<int>(o.w.size());
      for (int fo = 0; fo < folds; ++fo) {
        tb::Beat b;
        const Output* op = &o;
        const bool first = fo == 0, last = fo == folds - 1;
        b.apply = [=, m = m.get()]() {
          for (int l = 0; l < simd; ++l) {
            const uint64_t low = static_cast<uint64_t>(op->w[fo][l]) & tb::mask_bits(op->wbits);
            const uint64_t field = low | ((static_cast<uint64_t>(op->junk[fo][l]) << op->wbits) &
                                          tb::mask_bits(w_max));
            tb::put_bits(m->in_weights, l * w_max, w_max, field);
            tb::put_bits(m->in_acts, l * a_bits, a_bits,
                         static_cast<uint64_t>(op->a[fo][l]) & tb::mask_bits(a_bits));
          }
          tb::put_bits(m->in_wbits, 0, wb_bits, static_cast<uint64_t>(op->wbits));
          m->in_first = first;
          m->in_last = last;
        };
        b.has_output = last;
        b.expected = expected;
        b.latency = rtl::mvau_lanes_bitserial_latency(simd, o.wbits);
        b.ii = rtl::mvau_lanes_bitserial_ii(o.wbits);
        b.what = o.what;
        beats.push_back(std::move(b));
      }
    }
    return beats;
  };
  auto read_out = [&]() { return tb::sext(tb::get_bits(m->out_acc, 0, acc_bits), acc_bits); };
  auto ready = [&]() { return m->in_ready != 0; };

  tb::DriveStats st;
  tb::reset(*m);
  if (!m->in_ready) f.fail("in_ready low after reset");
  {
    auto beats = to_beats(corners);
    tb::drive(*m, beats, {}, rng, f, st, read_out, ready);
  }
  {
    std::vector<Output> outs;
    uint64_t planned = 0;
    while (planned < n_beats) {
      const int folds = static_cast<int>(rng.range(1, sf_max));
      outs.push_back(random_output(static_cast<int>(rng.range(1, w_max)), folds, "random"));
      planned += folds;
    }
    auto beats = to_beats(outs);
    tb::drive(*m, beats, {0.15, 0.15}, rng, f, st, read_out, ready);
  }
  {
    // Mixed channel groups back to back: total time = sum of II + last LATENCY.
    std::vector<Output> outs;
    uint64_t expected_cycles = 0;
    for (int i = 0; i < 200; ++i) {
      outs.push_back(random_output(static_cast<int>(rng.range(1, w_max)), 1, "back-to-back"));
      expected_cycles += rtl::mvau_lanes_bitserial_ii(outs.back().wbits);
    }
    expected_cycles += rtl::mvau_lanes_bitserial_latency(simd, outs.back().wbits) -
                       rtl::mvau_lanes_bitserial_ii(outs.back().wbits) + 1;
    auto beats = to_beats(outs);
    const uint64_t c0 = st.cycles;
    tb::drive(*m, beats, {}, rng, f, st, read_out, ready);
    if (st.cycles - c0 != expected_cycles)
      f.fail("200 back-to-back outputs took %" PRIu64 " cycles, expected %" PRIu64, st.cycles - c0,
             expected_cycles);
  }
  {
    const std::vector<Output> before = {random_output(w_max, std::min(2, sf_max), "before reset")};
    const std::vector<Output> after = {random_output(w_max, sf_max, "after reset")};
    std::vector<tb::Beat> beats = to_beats(before);
    beats.resize(1);  // one beat accepted, the rest of the output still in flight
    tb::reset_with_beats_in_flight(*m, beats, rtl::mvau_lanes_bitserial_latency(simd, w_max), f);
    m->clk = 0;
    m->eval();
    if (!m->in_ready) f.fail("in_ready low after a reset in mid-beat");
    auto beats2 = to_beats(after);
    tb::drive(*m, beats2, {}, rng, f, st, read_out, ready);
  }
  m->final();
  std::printf("[%s] SIMD %d, W_MAX %d, acc %d bits, LATENCY %d + w, II w\n", name.c_str(), simd,
              w_max, acc_bits, rtl::mvau_lanes_bitserial_latency(simd, 0));
  return tb::finish(f, st, "mvau_lanes_bitserial");
}

}  // namespace

VINE_TB_MAIN()
