// Test bench of ovsf_generator: every output group of LANES weights against
// the golden OVSF expansion (sim/golden/ovsf.h) bit for bit, each output's
// cycle against ovsf_generator_latency(KEPT) and the beat spacing against
// ovsf_generator_ii(); whole synthesised layers generated back to back must
// equal golden::ovsf_expand_layer and take exactly
// models::WeightsGeneratorTiming::layer_cycles.
//
// An output beat is LANES weights, more than the driver's 64-bit value: it is
// compared through a 64-bit FNV-1a hash of the lanes' sign-extended values
// (a wrong output passes only on a hash collision, ~2^-64 per beat).
//
// Usage: tb_ovsf_generator <config> [beats]
#include <algorithm>
#include <cstring>
#include <memory>

#include "models/pe/weights_generator_timing.h"
#include "sim/golden/ovsf.h"
#include "tb_common.h"
#include "vine_tb_configs.h"

namespace {

using namespace vine;

uint64_t lanes_hash(const std::vector<int64_t>& lanes) {
  uint64_t h = 1469598103934665603ull;
  for (int64_t v : lanes)
    for (int b = 0; b < 8; ++b) h = (h ^ ((static_cast<uint64_t>(v) >> (8 * b)) & 0xff)) * 1099511628211ull;
  return h;
}

// One input beat: the coefficient slots, their code indices and the group.
struct Vec {
  std::vector<int32_t> coeffs, codes;
  int group = 0;
  uint64_t group_field = 0;  // what goes on in_group (garbage when LANES = L)
  std::string what;
};

template <class Model>
int run(const std::string& name, const tb::Params& p, uint64_t n_beats) {
  tb::Failures f{name};
  tb::Rng rng(tb::hash_name(name));
  const int L = p.get("L"), kept = p.get("KEPT"), cb = p.get("COEFF_BITS"), lanes = p.get("LANES");
  const int out_bits = p.get("OUT_BITS");
  const int r = rtl::clog2(L), iw = r, gw = std::max(1, r - rtl::clog2(lanes));
  const int groups = L / lanes;
  const int64_t cmin = -(int64_t{1} << (cb - 1)), cmax = (int64_t{1} << (cb - 1)) - 1;
  const int latency = rtl::ovsf_generator_latency(kept), ii = rtl::ovsf_generator_ii();

  // The single source's sum width against the golden library's.
  if (rtl::ovsf_generator_sum_bits(cb, kept) != golden::ovsf_sum_bits(cb, kept))
    f.fail("sum width %d from vine_rtl_timing.h, golden says %d", rtl::ovsf_generator_sum_bits(cb, kept),
           golden::ovsf_sum_bits(cb, kept));

  auto ctx = std::make_unique<VerilatedContext>();
  auto m = std::make_unique<Model>(ctx.get());

  // Golden lanes of a beat: positions group * LANES + lane, expanded one by one.
  auto golden_lanes = [&](const Vec& v) {
    std::vector<int64_t> w(static_cast<size_t>(lanes));
    for (int i = 0; i < lanes; ++i)
      w[size_t(i)] = golden::ovsf_weight(v.coeffs.data(), v.codes.data(), kept, L, v.group * lanes + i, out_bits);
    return w;
  };
  auto to_beat = [&](const Vec& v, const std::vector<int64_t>& expected) {
    tb::Beat b;
    auto vp = std::make_shared<Vec>(v);
    b.apply = [vp, m = m.get(), kept, cb, iw, gw]() {
      for (int s = 0; s < kept; ++s) {
        tb::put_bits(m->in_coeffs, s * cb, cb, static_cast<uint64_t>(vp->coeffs[size_t(s)]));
        tb::put_bits(m->in_codes, s * iw, iw, static_cast<uint64_t>(vp->codes[size_t(s)]));
      }
      tb::put_bits(m->in_group, 0, gw, vp->group_field);
    };
    b.has_output = true;
    b.expected = static_cast<int64_t>(lanes_hash(expected));
    b.latency = latency;
    b.ii = ii;
    b.what = v.what + " (group " + std::to_string(v.group) + ")";
    return b;
  };
  auto set_group = [&](Vec& v, int g) {
    v.group = groups == 1 ? 0 : g;
    // With one group in_group is ignored: drive garbage to show it.
    v.group_field = groups == 1 ? rng.next() : static_cast<uint64_t>(g);
  };
  auto uniform_vec = [&](int64_t c, const std::vector<int32_t>& codes, int g, const std::string& what) {
    Vec v;
    v.coeffs.assign(size_t(kept), static_cast<int32_t>(c));
    v.codes = codes;
    set_group(v, g);
    v.what = what;
    return v;
  };
  auto distinct_codes = [&]() {  // a random set of KEPT codes, distinct while KEPT <= L
    std::vector<int32_t> all(static_cast<size_t>(L));
    for (int k = 0; k < L; ++k) all[size_t(k)] = k;
    std::vector<int32_t> c(static_cast<size_t>(kept));
    for (int s = 0; s < kept; ++s) {
      const int i = s % L;
      if (i == 0) {
        for (int k = 0; k < L; ++k) all[size_t(k)] = k;
      }
      std::swap(all[size_t(i)], all[size_t(rng.range(i, L - 1))]);
      c[size_t(s)] = all[size_t(i)];
    }
    return c;
  };
  auto read_out = [&]() {
    std::vector<int64_t> w(static_cast<size_t>(lanes));
    for (int i = 0; i < lanes; ++i) w[size_t(i)] = tb::sext(tb::get_bits(m->out_weights, i * out_bits, out_bits), out_bits);
    return static_cast<int64_t>(lanes_hash(w));
  };

  std::vector<tb::Beat> beats;
  // Corners: the sum's extremes (all chips +1 at j = 0; every chip -1 in the
  // upper half, code 1 repeated), zeros, and every code alone with
  // coefficient 1 at every group: the chip pattern itself, exhaustively.
  const std::vector<int32_t> code_one(size_t(kept), 1);
  for (const Vec& v : {uniform_vec(cmin, distinct_codes(), 0, "corner: all coefficients most negative, j = 0"),
                       uniform_vec(cmax, distinct_codes(), 0, "corner: all coefficients largest, j = 0"),
                       uniform_vec(cmin, code_one, groups - 1, "corner: most negative x chip -1 (code 1)"),
                       uniform_vec(cmax, code_one, groups - 1, "corner: largest x chip -1 (code 1)"),
                       uniform_vec(0, distinct_codes(), 0, "corner: zero coefficients")})
    beats.push_back(to_beat(v, golden_lanes(v)));
  for (int k = 0; k < L; ++k)
    for (int g = 0; g < groups; ++g) {
      Vec v = uniform_vec(0, distinct_codes(), g, "corner: code " + std::to_string(k) + " alone");
      v.codes[0] = k;
      v.coeffs[0] = cb >= 2 ? 1 : -1;
      beats.push_back(to_beat(v, golden_lanes(v)));
    }
  const size_t n_corners = beats.size();
  for (uint64_t i = 0; i < n_beats; ++i) {
    Vec v;
    v.codes = distinct_codes();
    if (rng.chance(0.1))  // duplicates: the datapath does not need distinct codes
      for (auto& c : v.codes) c = static_cast<int32_t>(rng.range(0, L - 1));
    v.coeffs.resize(size_t(kept));
    for (auto& c : v.coeffs) c = rng.chance(0.1) ? 0 : static_cast<int32_t>(rng.edgy(cmin, cmax));
    set_group(v, static_cast<int>(rng.range(0, groups - 1)));
    v.what = "random";
    beats.push_back(to_beat(v, golden_lanes(v)));
  }

  tb::DriveStats st;
  tb::reset(*m);
  tb::drive_single_beat_phases(*m, beats, n_corners, latency, ii, rng, f, st, read_out);

  // Whole layers, back to back, as the engine's controller would drive them:
  // every filter's ceil(filter_len / LANES) groups. Positions below
  // filter_len must equal the layer expansion (padded tail dropped); the
  // padded positions of the last group are generated and must match the
  // per-position expansion too.
  const int filter_len = std::max(1, 3 * L / 4 - 1);
  for (int layer_kept : {kept, std::max(1, kept / 2)}) {
    const golden::OvsfLayer layer =
        golden::synthesize_ovsf_layer(8, filter_len, double(layer_kept) / L, cb, tb::hash_name(name) + uint64_t(layer_kept));
    if (layer.kept() != layer_kept) f.fail("synthesised layer keeps %d codes, expected %d", layer.kept(), layer_kept);
    const std::vector<int32_t> dense = golden::ovsf_expand_layer(layer, out_bits);
    const models::WeightsGeneratorTiming timing(L, kept, lanes);
    std::vector<tb::Beat> layer_beats;
    for (int fi = 0; fi < layer.filters; ++fi) {
      Vec v;
      v.coeffs.assign(size_t(kept), 0);  // spare slots: coefficient 0, any code
      v.codes.assign(size_t(kept), 0);
      std::copy(layer.codes.begin(), layer.codes.end(), v.codes.begin());
      std::copy(layer.coeffs.begin() + fi * layer.kept(), layer.coeffs.begin() + (fi + 1) * layer.kept(),
                v.coeffs.begin());
      for (int64_t g = 0; g < timing.groups_per_filter(filter_len); ++g) {
        set_group(v, static_cast<int>(g));
        v.what = "layer (kept " + std::to_string(layer_kept) + ") filter " + std::to_string(fi);
        std::vector<int64_t> expected = golden_lanes(v);
        for (int i = 0; i < lanes; ++i) {
          const int64_t j = g * lanes + i;
          if (j < filter_len) expected[size_t(i)] = dense[size_t(fi * filter_len + j)];
        }
        layer_beats.push_back(to_beat(v, expected));
      }
    }
    const uint64_t c0 = st.cycles;
    tb::drive(*m, layer_beats, {}, rng, f, st, read_out, [] { return true; });
    const int64_t want = timing.layer_cycles(layer.filters, filter_len);
    if (static_cast<int64_t>(st.cycles - c0) != want)
      f.fail("layer of %d filters x %d weights took %" PRIu64 " cycles, WeightsGeneratorTiming says %" PRId64,
             layer.filters, filter_len, st.cycles - c0, want);
    else
      std::printf("[%s] layer of %d filters x %d weights (L %d, %d kept): %" PRIu64 " cycles = layer_cycles\n",
                  name.c_str(), layer.filters, filter_len, L, layer_kept, st.cycles - c0);
  }

  {
    std::vector<tb::Beat> in_flight(beats.begin() + static_cast<long>(n_corners),
                                    beats.begin() + static_cast<long>(n_corners) + std::min<long>(3, long(n_beats)));
    tb::reset_with_beats_in_flight(*m, in_flight, latency, f);
    std::vector<tb::Beat> after(beats.begin(), beats.begin() + static_cast<long>(std::min<size_t>(n_corners, 8)));
    tb::drive(*m, after, {}, rng, f, st, read_out, [] { return true; });
  }
  m->final();
  std::printf("[%s] L %d, KEPT %d, COEFF_BITS %d, LANES %d, OUT_BITS %d (sum %d bits), LATENCY %d, II %d\n",
              name.c_str(), L, kept, cb, lanes, out_bits, rtl::ovsf_generator_sum_bits(cb, kept), latency, ii);
  return tb::finish(f, st, "ovsf_generator");
}

}  // namespace

VINE_TB_MAIN()
