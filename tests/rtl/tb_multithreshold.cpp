// Test bench of multithreshold against vine::arith::multithreshold, with the
// output cycle from multithreshold_latency(N).
//
// Usage: tb_multithreshold <config> [beats]
#include <algorithm>
#include <cstring>
#include <memory>

#include "tb_common.h"
#include "vine_tb_configs.h"

namespace {

using namespace vine;

struct Case {
  int64_t acc;
  std::vector<int64_t> t;
  std::string what;
};

template <class Model>
int run(const std::string& name, const tb::Params& p, uint64_t n_beats) {
  tb::Failures f{name};
  tb::Rng rng(tb::hash_name(name));
  const int n = p.get("N"), acc_bits = p.get("ACC_BITS"), acc_signed = p.get("ACC_SIGNED");
  const int t_bits = p.get("T_BITS"), out_bits = p.get("OUT_BITS"), bias = p.get("OUT_BIAS");
  const int64_t amin = acc_signed ? -(int64_t{1} << (acc_bits - 1)) : 0;
  const int64_t amax =
      acc_signed ? (int64_t{1} << (acc_bits - 1)) - 1 : (int64_t{1} << acc_bits) - 1;
  const int64_t tmin = -(int64_t{1} << (t_bits - 1)), tmax = (int64_t{1} << (t_bits - 1)) - 1;
  const int latency = rtl::multithreshold_latency(n);

  auto ctx = std::make_unique<VerilatedContext>();
  auto m = std::make_unique<Model>(ctx.get());

  auto clampt = [&](int64_t v) { return std::clamp(v, tmin, tmax); };
  std::vector<Case> cases;
  auto uniform = [&](int64_t acc, int64_t t, const std::string& what) {
    cases.push_back({acc, std::vector<int64_t>(n, clampt(t)), what});
  };
  uniform(amin, tmin, "corner: acc min, thresholds min (all reached)");
  uniform(amin, amin, "corner: acc min == thresholds (>= counts)");
  uniform(amin, amin + 1, "corner: acc min, thresholds one above (none reached)");
  uniform(amax, amax, "corner: acc max == thresholds");
  uniform(amax, tmax, "corner: acc max, thresholds max");
  uniform(0, 0, "corner: zero");
  {
    Case c{amax, {}, "corner: ascending thresholds around acc max"};
    for (int i = 0; i < n; ++i) c.t.push_back(clampt(amax - n / 2 + i));
    cases.push_back(c);
    Case d{amin, {}, "corner: ascending thresholds around acc min"};
    for (int i = 0; i < n; ++i) d.t.push_back(clampt(amin - n / 2 + i));
    cases.push_back(d);
  }
  const size_t n_corners = cases.size();
  while (cases.size() < n_corners + n_beats) {
    Case c{rng.edgy(amin, amax), std::vector<int64_t>(n), "random"};
    const uint64_t mode = rng.next() % 3;
    for (int i = 0; i < n; ++i) {
      if (mode == 0)
        c.t[i] = rng.edgy(tmin, tmax);  // unsorted, anywhere
      else
        c.t[i] = clampt(c.acc + rng.range(-2, 2));  // at the boundary
    }
    if (mode != 2) std::sort(c.t.begin(), c.t.end());  // FINN's thresholds are ascending
    cases.push_back(c);
  }

  std::vector<tb::Beat> beats;
  for (const Case& c : cases) {
    tb::Beat b;
    const Case* cp = &c;
    b.apply = [=, m = m.get()]() {
      tb::put_bits(m->in_acc, 0, acc_bits, static_cast<uint64_t>(cp->acc));
      for (int i = 0; i < n; ++i)
        tb::put_bits(m->in_thresholds, i * t_bits, t_bits, static_cast<uint64_t>(cp->t[i]));
    };
    b.has_output = true;
    b.expected = static_cast<int64_t>(
        static_cast<uint64_t>(arith::multithreshold(c.acc, c.t.data(), n, bias)) &
        tb::mask_bits(out_bits));
    b.latency = latency;
    b.ii = rtl::multithreshold_ii();
    b.what = c.what;
    beats.push_back(std::move(b));
  }
  auto read_out = [&]() { return static_cast<int64_t>(tb::get_bits(m->out_y, 0, out_bits)); };
  tb::DriveStats st;
  tb::reset(*m);
  tb::drive_single_beat_phases(*m, beats, n_corners, latency, rtl::multithreshold_ii(), rng, f, st, read_out);
  std::vector<tb::Beat> in_flight(beats.end() - 1, beats.end());
  tb::reset_with_beats_in_flight(*m, in_flight, latency, f);
  m->final();
  std::printf("[%s] N %d, LATENCY %d, II %d\n", name.c_str(), n, latency, rtl::multithreshold_ii());
  return tb::finish(f, st, "multithreshold");
}

}  // namespace

VINE_TB_MAIN()
