// Test bench of requantizer against vine::arith::requantize with
// Rounding::kHalfUp, with the output cycle from requantizer_latency().
//
// Usage: tb_requantizer <config> [beats]
#include <algorithm>
#include <cstring>
#include <memory>

#include "tb_common.h"
#include "vine_tb_configs.h"

namespace {

using namespace vine;

struct Case {
  int64_t acc, mult;
  int shift;
  int32_t zp, lo, hi;
  std::string what;
};

template <class Model>
int run(const std::string& name, const tb::Params& p, uint64_t n_beats) {
  tb::Failures f{name};
  tb::Rng rng(tb::hash_name(name));
  const int acc_bits = p.get("ACC_BITS"), acc_signed = p.get("ACC_SIGNED"),
            m_bits = p.get("M_BITS");
  const int s_bits = p.get("S_BITS"), zp_bits = p.get("ZP_BITS"), out_bits = p.get("OUT_BITS");
  const int out_signed = p.get("OUT_SIGNED");
  const int64_t amin = acc_signed ? -(int64_t{1} << (acc_bits - 1)) : 0;
  const int64_t amax =
      acc_signed ? (int64_t{1} << (acc_bits - 1)) - 1 : (int64_t{1} << acc_bits) - 1;
  const int64_t mmin = -(int64_t{1} << (m_bits - 1)), mmax = (int64_t{1} << (m_bits - 1)) - 1;
  const int smax = (1 << s_bits) - 1;
  const int32_t zmin = static_cast<int32_t>(-(int64_t{1} << (zp_bits - 1)));
  const int32_t zmax = static_cast<int32_t>((int64_t{1} << (zp_bits - 1)) - 1);
  const int32_t omin = out_signed ? static_cast<int32_t>(-(int64_t{1} << (out_bits - 1))) : 0;
  const int32_t omax = static_cast<int32_t>(out_signed ? (int64_t{1} << (out_bits - 1)) - 1
                                                       : (int64_t{1} << out_bits) - 1);
  const int latency = rtl::requantizer_latency();

  auto ctx = std::make_unique<VerilatedContext>();
  auto m = std::make_unique<Model>(ctx.get());

  std::vector<Case> cases;
  auto add = [&](int64_t acc, int64_t mult, int shift, int32_t zp, int32_t lo, int32_t hi,
                 const std::string& w) {
    cases.push_back({std::clamp(acc, amin, amax), std::clamp(mult, mmin, mmax),
                     std::clamp(shift, 0, smax), std::clamp(zp, zmin, zmax), lo, hi, w});
  };
  add(amin, mmin, 0, 0, omin, omax,
      "corner: most negative acc x most negative multiplier, shift 0");
  add(amax, mmin, 0, 0, omin, omax, "corner: largest acc x most negative multiplier");
  add(amin, mmax, smax, zmin, omin, omax,
      "corner: most negative acc, largest shift, smallest zero point");
  add(amax, mmax, smax, zmax, omin, omax, "corner: largest acc, largest shift, largest zero point");
  add(amax, mmax, 1, 0, omin, omax, "corner: largest product, shift 1");
  for (int s = 1; s <= std::min(smax, acc_bits - 1); ++s) {
    // Exact ties: acc * M = k * 2^s + 2^(s-1); half up rounds toward +inf.
    add(int64_t{1} << (s - 1), 1, s, 0, omin, omax, "corner: tie +0.5");
    add(3 * (int64_t{1} << (s - 1)), 1, s, 0, omin, omax, "corner: tie +1.5");
    add(-(int64_t{1} << (s - 1)), 1, s, 0, omin, omax, "corner: tie -0.5");
    add(-3 * (int64_t{1} << (s - 1)), 1, s, 0, omin, omax, "corner: tie -1.5");
    add((int64_t{1} << (s - 1)) - 1, 1, s, 0, omin, omax, "corner: just below a tie");
  }
  add(amax, 1, 0, 0, omin, omin, "corner: lo == hi == min");
  add(amin, 1, 0, 0, omax, omax, "corner: lo == hi == max");
  add(0, mmax, 0, zmax, omin, omax, "corner: zero point alone (clamped)");
  add(0, mmax, 0, zmin, omin, omax, "corner: negative zero point alone (clamped)");
  const size_t n_corners = cases.size();
  while (cases.size() < n_corners + n_beats) {
    int32_t lo = omin, hi = omax;
    if (rng.chance(0.5)) {
      lo = static_cast<int32_t>(rng.range(omin, omax));
      hi = static_cast<int32_t>(rng.range(lo, omax));
    }
    // Shifts near log2(|acc * M|) make the interesting results.
    const int shift = rng.chance(0.5)
                          ? static_cast<int>(rng.range(0, smax))
                          : static_cast<int>(std::clamp<int64_t>(
                                acc_bits + m_bits - out_bits - 1 + rng.range(-3, 3), 0, smax));
    add(rng.edgy(amin, amax), rng.edgy(mmin, mmax), shift,
        static_cast<int32_t>(rng.edgy(zmin, zmax)), lo, hi, "random");
  }

  std::vector<tb::Beat> beats;
  for (const Case& c : cases) {
    tb::Beat b;
    const Case* cp = &c;
    b.apply = [=, m = m.get()]() {
      tb::put_bits(m->in_acc, 0, acc_bits, static_cast<uint64_t>(cp->acc));
      tb::put_bits(m->in_multiplier, 0, m_bits, static_cast<uint64_t>(cp->mult));
      tb::put_bits(m->in_shift, 0, s_bits, static_cast<uint64_t>(cp->shift));
      tb::put_bits(m->in_zero_point, 0, zp_bits,
                   static_cast<uint64_t>(static_cast<int64_t>(cp->zp)));
      tb::put_bits(m->in_lo, 0, out_bits, static_cast<uint64_t>(static_cast<int64_t>(cp->lo)));
      tb::put_bits(m->in_hi, 0, out_bits, static_cast<uint64_t>(static_cast<int64_t>(cp->hi)));
    };
    b.has_output = true;
    b.expected =
        arith::requantize(c.acc, c.mult, c.shift, c.zp, c.lo, c.hi, arith::Rounding::kHalfUp);
    b.latency = latency;
    b.ii = rtl::requantizer_ii();
    b.what = c.what + " (acc " + std::to_string(c.acc) + ", M " + std::to_string(c.mult) +
             ", shift " + std::to_string(c.shift) + ", zp " + std::to_string(c.zp) + ")";
    beats.push_back(std::move(b));
  }
  auto read_out = [&]() {
    const uint64_t raw = tb::get_bits(m->out_y, 0, out_bits);
    return out_signed ? tb::sext(raw, out_bits) : static_cast<int64_t>(raw);
  };
  tb::DriveStats st;
  tb::reset(*m);
  tb::drive_single_beat_phases(*m, beats, n_corners, latency, rtl::requantizer_ii(), rng, f, st, read_out);
  std::vector<tb::Beat> in_flight(beats.end() - 1, beats.end());
  tb::reset_with_beats_in_flight(*m, in_flight, latency, f);
  m->final();
  std::printf("[%s] %zu corner cases, LATENCY %d, II %d\n", name.c_str(), n_corners, latency,
              rtl::requantizer_ii());
  return tb::finish(f, st, "requantizer");
}

}  // namespace

VINE_TB_MAIN()
