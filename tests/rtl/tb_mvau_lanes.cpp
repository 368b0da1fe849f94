// Test bench of the fold-parallel MVAU lane units (mvau_lanes_fixed, _pow2,
// _binary, _ternary): each Verilated configuration against
// vine::arith::lane_product summed over the folds, with exact output cycles
// from vine_rtl_timing.h. The configurations of one executable come from the
// generated vine_tb_configs.h (tests/rtl/CMakeLists.txt).
//
// Usage: tb_<unit> <config> [beats]
#include <algorithm>
#include <cstring>
#include <memory>

#include "tb_common.h"
#include "vine_tb_configs.h"

namespace {

using namespace vine;
using arith::ActivationKind;
using arith::WeightArithmetic;

// How one unit reads its parameters and codes.
struct LaneSpec {
  WeightArithmetic wa = WeightArithmetic::kFixed;
  int code_bits = 0;  // weight code bits per lane on in_weights
  int e_bits = 0;     // pow2 exponent bits
  ActivationKind ak = ActivationKind::kUnsigned;
  int a_bits = 0;
  int simd = 0, mw = 0;
  int acc_bits = 0;  // from the single source
  int latency = 0, ii = 0;
  std::vector<int32_t> codes;  // every weight code the reference accepts
  int64_t amin = 0, amax = 0;  // activation codes

  uint64_t weight_port_bits(int32_t code) const {
    return static_cast<uint64_t>(code) & tb::mask_bits(code_bits);
  }
  uint64_t act_port_bits(int32_t code) const {
    return static_cast<uint64_t>(code) & tb::mask_bits(a_bits);
  }
  int64_t product(int32_t w, int32_t a) const { return arith::lane_product(wa, w, e_bits, ak, a); }
};

LaneSpec make_spec(const std::string& unit, const tb::Params& p) {
  LaneSpec s;
  s.simd = p.get("SIMD");
  s.mw = p.get("MW");
  if (unit == "mvau_lanes_binary" && p.get("BIPOLAR")) {
    s.ak = ActivationKind::kBipolar;
    s.a_bits = 1;
  } else {
    s.ak = p.get("A_SIGNED") ? ActivationKind::kSigned : ActivationKind::kUnsigned;
    s.a_bits = p.get("A");
  }
  const arith::ActivationType at{s.ak, s.a_bits};
  s.amin = at.min_code();
  s.amax = at.max_code();
  const int as = p.get("A_SIGNED");
  if (unit == "mvau_lanes_fixed") {
    const int w = p.get("W");
    s.wa = WeightArithmetic::kFixed;
    s.code_bits = w;
    for (int32_t c = -(1 << (w - 1)); c < (1 << (w - 1)); ++c) s.codes.push_back(c);
    s.acc_bits = rtl::mvau_lanes_fixed_acc_bits(w, s.a_bits, as, s.mw);
    s.latency = rtl::mvau_lanes_fixed_latency(s.simd);
    s.ii = rtl::mvau_lanes_fixed_ii();
  } else if (unit == "mvau_lanes_pow2") {
    s.wa = WeightArithmetic::kPow2;
    s.e_bits = p.get("E");
    s.code_bits = s.e_bits + 2;
    for (int32_t c = 0; c < (1 << s.code_bits); ++c) s.codes.push_back(c);
    s.acc_bits = rtl::mvau_lanes_pow2_acc_bits(s.e_bits, s.a_bits, as, s.mw);
    s.latency = rtl::mvau_lanes_pow2_latency(s.simd);
    s.ii = rtl::mvau_lanes_pow2_ii();
  } else if (unit == "mvau_lanes_binary") {
    s.wa = WeightArithmetic::kBinary;
    s.code_bits = 1;
    s.codes = {0, 1};
    s.acc_bits = rtl::mvau_lanes_binary_acc_bits(s.a_bits, as, p.get("BIPOLAR"), s.mw);
    s.latency = rtl::mvau_lanes_binary_latency(s.simd);
    s.ii = rtl::mvau_lanes_binary_ii();
  } else if (unit == "mvau_lanes_ternary") {
    s.wa = WeightArithmetic::kTernary;
    s.code_bits = 2;
    s.codes = {0, 1, 3};
    s.acc_bits = rtl::mvau_lanes_ternary_acc_bits(s.a_bits, as, s.mw);
    s.latency = rtl::mvau_lanes_ternary_latency(s.simd);
    s.ii = rtl::mvau_lanes_ternary_ii();
  } else {
    throw std::runtime_error("unknown unit " + unit);
  }
  return s;
}

// One output: SF folds of SIMD (weight code, activation code) pairs.
struct Output {
  std::vector<std::vector<int32_t>> w, a;  // [fold][lane]
  std::string what;
};

template <class Model>
int run_lanes(const std::string& unit, const std::string& name, const tb::Params& params,
              uint64_t n_beats) {
  tb::Failures f{name};
  const LaneSpec s = make_spec(unit, params);
  const int sf_max = s.mw / s.simd;
  tb::Rng rng(tb::hash_name(name));

  // The accumulator width of the single source must be FINN-R's bound, with
  // the lane range found by brute force over every code pair.
  int64_t pmin = INT64_MAX, pmax = INT64_MIN;
  int32_t w_at_min = 0, a_at_min = 0, w_at_max = 0, a_at_max = 0;
  for (int32_t wc : s.codes)
    for (int64_t ac = s.amin; ac <= s.amax; ++ac) {
      const int64_t v = s.product(wc, static_cast<int32_t>(ac));
      if (v < pmin) pmin = v, w_at_min = wc, a_at_min = static_cast<int32_t>(ac);
      if (v > pmax) pmax = v, w_at_max = wc, a_at_max = static_cast<int32_t>(ac);
    }
  const arith::Range acc_range = arith::accumulator_range(pmin, pmax, s.mw);
  if (acc_range.bits() != s.acc_bits)
    f.fail("accumulator width %d from vine_rtl_timing.h, FINN-R bound says %d", s.acc_bits,
           acc_range.bits());
  const bool acc_signed = acc_range.lo < 0;

  auto ctx = std::make_unique<VerilatedContext>();
  auto m = std::make_unique<Model>(ctx.get());
  if (static_cast<int>(sizeof(m->out_acc) * 8) < s.acc_bits)
    f.fail("out_acc port narrower than %d bits", s.acc_bits);

  auto golden = [&](const Output& o) {
    int64_t acc = 0;
    for (size_t fo = 0; fo < o.w.size(); ++fo)
      for (int l = 0; l < s.simd; ++l) acc += s.product(o.w[fo][l], o.a[fo][l]);
    return acc;
  };
  auto uniform_output = [&](int folds, int32_t wc, int32_t ac, const std::string& what) {
    Output o;
    o.w.assign(folds, std::vector<int32_t>(s.simd, wc));
    o.a.assign(folds, std::vector<int32_t>(s.simd, ac));
    o.what = what;
    return o;
  };
  auto random_output = [&](int folds, const std::string& what) {
    Output o;
    o.what = what;
    for (int fo = 0; fo < folds; ++fo) {
      std::vector<int32_t> w(s.simd), a(s.simd);
      for (int l = 0; l < s.simd; ++l) {
        w[l] = s.codes[rng.edgy(0, static_cast<int64_t>(s.codes.size()) - 1)];
        a[l] = static_cast<int32_t>(rng.edgy(s.amin, s.amax));
      }
      o.w.push_back(w);
      o.a.push_back(a);
    }
    return o;
  };

  // Corner cases, each accumulated over all MW/SIMD folds so that the
  // accumulator reaches its extremes exactly.
  std::vector<Output> corners;
  corners.push_back(uniform_output(sf_max, w_at_max, a_at_max,
                                   "corner: every lane at the largest product (acc = MW * pmax)"));
  corners.push_back(uniform_output(sf_max, w_at_min, a_at_min,
                                   "corner: every lane at the smallest product (acc = MW * pmin)"));
  corners.push_back(uniform_output(sf_max, s.codes.front(), static_cast<int32_t>(s.amin),
                                   "corner: lowest weight code x most negative activation"));
  corners.push_back(uniform_output(sf_max, s.codes.front(), static_cast<int32_t>(s.amax),
                                   "corner: lowest weight code x largest activation"));
  corners.push_back(uniform_output(sf_max, s.codes.back(), static_cast<int32_t>(s.amin),
                                   "corner: highest weight code x most negative activation"));
  corners.push_back(uniform_output(1, s.codes.back(), static_cast<int32_t>(s.amax),
                                   "corner: single fold, highest code x largest activation"));
  if (s.ak != ActivationKind::kBipolar)
    corners.push_back(uniform_output(sf_max, s.codes.front(), 0, "corner: zero activations"));
  if (s.wa == WeightArithmetic::kPow2) {
    // All-zero weights: the zero flag wins over any sign and exponent bits.
    Output o = uniform_output(sf_max, 0, static_cast<int32_t>(s.amax),
                              "corner: pow2 all-zero weights (random sign/exponent bits)");
    for (auto& fold : o.w)
      for (auto& c : fold)
        c = (1 << (s.e_bits + 1)) | static_cast<int32_t>(rng.range(0, (1 << (s.e_bits + 1)) - 1));
    corners.push_back(o);
    const int emax = (1 << s.e_bits) - 1;
    corners.push_back(uniform_output(sf_max, arith::pow2_code(false, true, emax, s.e_bits),
                                     static_cast<int32_t>(s.amax),
                                     "corner: pow2 -2^emax x largest activation"));
    corners.push_back(uniform_output(sf_max, arith::pow2_code(false, false, emax, s.e_bits),
                                     static_cast<int32_t>(s.amin),
                                     "corner: pow2 +2^emax x most negative activation"));
    corners.push_back(uniform_output(sf_max, arith::pow2_code(false, true, emax, s.e_bits),
                                     static_cast<int32_t>(s.amin),
                                     "corner: pow2 -2^emax x most negative activation"));
  }
  if (s.ak == ActivationKind::kBipolar) {
    Output agree = random_output(sf_max, "corner: XNOR all agree (acc = MW)");
    Output disagree = agree;
    disagree.what = "corner: XNOR all disagree (acc = 0)";
    for (int fo = 0; fo < sf_max; ++fo)
      for (int l = 0; l < s.simd; ++l) {
        agree.a[fo][l] = agree.w[fo][l];
        disagree.a[fo][l] = 1 - disagree.w[fo][l];
      }
    corners.push_back(agree);
    corners.push_back(disagree);
  }
  if (s.wa == WeightArithmetic::kTernary) {
    corners.push_back(
        uniform_output(sf_max, 0, static_cast<int32_t>(s.amin), "corner: ternary all 0"));
    corners.push_back(uniform_output(sf_max, 3, static_cast<int32_t>(s.amin),
                                     "corner: ternary all -1 x most negative activation"));
    corners.push_back(uniform_output(sf_max, 1, static_cast<int32_t>(s.amin),
                                     "corner: ternary all +1 x most negative activation"));
  }
  if (s.wa == WeightArithmetic::kFixed) {
    // Alternating extremes: the running sum swings between the bounds.
    Output o = uniform_output(sf_max, w_at_max, a_at_max,
                              "corner: folds alternate between largest and smallest products");
    for (int fo = 1; fo < sf_max; fo += 2) {
      o.w[fo].assign(s.simd, w_at_min);
      o.a[fo].assign(s.simd, a_at_min);
    }
    corners.push_back(o);
  }
  for (const Output& o : corners) {
    const int64_t g = golden(o);
    if (g < acc_range.lo || g > acc_range.hi)
      f.fail("%s: reference %" PRId64 " outside the accumulator range", o.what.c_str(), g);
  }

  // Beats for a list of outputs; the beats point into `outs`, which must
  // outlive them.
  auto to_beats = [&](const std::vector<Output>& outs) {
    std::vector<tb::Beat> beats;
    for (const Output& o : outs) {
      const int64_t expected = golden(o);
      const int folds = static_cast<int>(o.w.size());
      for (int fo = 0; fo < folds; ++fo) {
        tb::Beat b;
        const auto* wv = &o.w[fo];
        const auto* av = &o.a[fo];
        const bool first = fo == 0, last = fo == folds - 1;
        b.apply = [&s, m = m.get(), wv, av, first, last]() {
          for (int l = 0; l < s.simd; ++l) {
            tb::put_bits(m->in_weights, l * s.code_bits, s.code_bits, s.weight_port_bits((*wv)[l]));
            tb::put_bits(m->in_acts, l * s.a_bits, s.a_bits, s.act_port_bits((*av)[l]));
          }
          m->in_first = first;
          m->in_last = last;
        };
        b.has_output = last;
        b.expected = expected;
        b.latency = s.latency;
        b.ii = s.ii;
        b.what = o.what;
        beats.push_back(std::move(b));
      }
    }
    return beats;
  };
  auto read_out = [&]() {
    const uint64_t raw = tb::get_bits(m->out_acc, 0, s.acc_bits);
    return acc_signed ? tb::sext(raw, s.acc_bits) : static_cast<int64_t>(raw);
  };
  auto always_ready = []() { return true; };

  tb::DriveStats st;
  tb::reset(*m);
  // 1. Corner cases back to back, no stalls.
  {
    auto beats = to_beats(corners);
    tb::drive(*m, beats, {}, rng, f, st, read_out, always_ready);
  }
  // 2. Random outputs, random fold counts, gaps and stalls.
  {
    std::vector<Output> outs;
    uint64_t planned = 0;
    while (planned < n_beats) {
      const int folds = static_cast<int>(rng.range(1, sf_max));
      outs.push_back(random_output(folds, "random"));
      planned += folds;
    }
    auto beats = to_beats(outs);
    tb::drive(*m, beats, {0.15, 0.15}, rng, f, st, read_out, always_ready);
  }
  // 3. Throughput: single-fold outputs offered every cycle, never stalled;
  // the driver checks one accepted beat per II and each output at LATENCY.
  {
    std::vector<Output> outs;
    for (int i = 0; i < 200; ++i) outs.push_back(random_output(1, "back-to-back single fold"));
    auto beats = to_beats(outs);
    const uint64_t c0 = st.cycles;
    tb::drive(*m, beats, {}, rng, f, st, read_out, always_ready);
    const uint64_t cycles = st.cycles - c0;
    if (cycles != 200u * s.ii + s.latency)
      f.fail("200 back-to-back outputs took %" PRIu64 " cycles, expected 200 * II + LATENCY = %d",
             cycles, 200 * s.ii + s.latency);
  }
  // 4. Reset with beats in flight: nothing comes out, then work resumes.
  {
    const std::vector<Output> before = {random_output(std::min(sf_max, 2), "before reset")};
    const std::vector<Output> after_outs = {random_output(sf_max, "after reset")};
    auto beats = to_beats(before);
    tb::reset_with_beats_in_flight(*m, beats, s.latency, f);
    auto after = to_beats(after_outs);
    tb::drive(*m, after, {}, rng, f, st, read_out, always_ready);
  }
  m->final();
  std::printf("[%s] SIMD %d, MW %d, acc %d bits [%" PRId64 ", %" PRId64
              "], LATENCY %d, II %d, %zu corner outputs\n",
              name.c_str(), s.simd, s.mw, s.acc_bits, acc_range.lo, acc_range.hi, s.latency, s.ii,
              corners.size());
  return tb::finish(f, st, unit.c_str());
}

// One bench serves the four lane-group units; VINE_TB_UNIT names the one built.
template <class Model>
int run(const std::string& name, const tb::Params& params, uint64_t n_beats) {
  return run_lanes<Model>(VINE_TB_UNIT, name, params, n_beats);
}

}  // namespace

VINE_TB_MAIN()
