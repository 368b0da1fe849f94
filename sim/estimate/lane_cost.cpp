#include "sim/estimate/lane_cost.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "vine_rtl_synth.h"
#include "vine_rtl_timing.h"

namespace vine::estimate {

namespace {

constexpr const char* kTable = "rtl/synth/units.csv";

// The quantities a lanes unit's cost is fitted against. P is one lane's
// product width, ACC the accumulator width; "tree adders" is the sum of the
// widths of the adder tree's two-input adders, "tree registers" the bits of
// its pipeline registers (both exact, from the widths vine_adder_tree.sv
// gives each level).
enum class Term {
  kWiderOperand,     // SIMD x max(W, A): partial-product rows span the wider operand
  kMultiplierArray,  // SIMD x W x A x log2(min(W, A)): the multiplier's adder array
  kSignExtension,    // SIMD x P for signed activations: both operands sign-extended
  kShifter,          // SIMD x E x P: barrel shifter, E mux levels of P bits
  kProduct,          // SIMD x P: one LUT level per product bit (negate, select)
  kTreeAndAcc,       // tree adders + ACC: carry-chain adders, one LUT per bit
  kAcc,              // ACC
  kRegisters,        // SIMD x P (not with DSPs: the DSP48 registers them) + tree registers + ACC
  kTreeStages,       // tree pipeline stages (control bits delayed alongside)
  kSerialBeat,       // SIMD x W_MAX: the bit a bit-serial lane selects from its weight each cycle
  kHorner,           // SB: the bit-serial Horner step's adder, negation and select (SB = its value's width)
  kOne,              // control
};

const char* term_name(Term t) {
  switch (t) {
    case Term::kWiderOperand: return "SIMD*max(W,A)";
    case Term::kMultiplierArray: return "SIMD*W*A*log2(min(W,A))";
    case Term::kSignExtension: return "SIMD*P*[A signed]";
    case Term::kShifter: return "SIMD*E*P";
    case Term::kProduct: return "SIMD*P";
    case Term::kTreeAndAcc: return "tree adders + ACC";
    case Term::kAcc: return "ACC";
    case Term::kRegisters: return "registers";
    case Term::kTreeStages: return "tree stages";
    case Term::kSerialBeat: return "SIMD*W_MAX";
    case Term::kHorner: return "SB";
    case Term::kOne: return "1";
  }
  return "?";
}

int product_bits(const LaneUnit& u) { return rtl::range_bits(u.product_min, u.product_max, 1); }

// The bit-serial unit's Horner value width SB: a fold's dot product with
// weights of W_MAX bits (mvau_lanes_bitserial.sv).
int horner_bits(const LaneUnit& u) {
  const int s = u.act_signed ? 1 : 0;
  return rtl::range_bits(rtl::fixed_lane_min(u.weight_bits, u.act_bits, s),
                         rtl::fixed_lane_max(u.weight_bits, u.act_bits, s), u.simd);
}

double term_value(Term t, const LaneUnit& u) {
  const double simd = u.simd;
  const double p = product_bits(u);
  // With DSP48 multipliers the multiplier terms vanish (they only matter
  // when a DSP-mode unit is costed with the LUT fit, see lane_unit_cost).
  const bool lut_mult = !(u.arithmetic == LaneArithmetic::kFixed && u.dsp);
  switch (t) {
    case Term::kWiderOperand: return lut_mult ? simd * std::max(u.weight_bits, u.act_bits) : 0.0;
    case Term::kMultiplierArray: {
      const int narrow = std::min(u.weight_bits, u.act_bits);
      return lut_mult ? simd * u.weight_bits * u.act_bits * std::log2(double(std::max(narrow, 1))) : 0.0;
    }
    case Term::kSignExtension: return lut_mult && u.act_signed ? simd * p : 0.0;
    case Term::kShifter: return simd * u.exponent_bits * p;
    case Term::kProduct: return simd * p;
    case Term::kTreeAndAcc: return double(tree_adder_bits(u.product_min, u.product_max, u.simd)) + u.acc_bits;
    case Term::kAcc: return u.acc_bits;
    case Term::kRegisters:
      // A bit-serial unit also holds its beat (SIMD weights of W_MAX bits and
      // SIMD activations), the index of the bit it serialises and the Horner
      // value (mvau_lanes_bitserial.sv).
      return (lut_mult ? simd * p : 0.0) + double(tree_register_bits(u.product_min, u.product_max, u.simd)) +
             u.acc_bits +
             (u.arithmetic == LaneArithmetic::kBitSerial
                  ? simd * (u.weight_bits + u.act_bits) + horner_bits(u) +
                        (u.weight_bits > 1 ? rtl::clog2(u.weight_bits) : 1)
                  : 0.0);
    case Term::kSerialBeat: return simd * u.weight_bits;
    case Term::kHorner: return horner_bits(u);
    case Term::kTreeStages: return rtl::tree_stages(u.simd);
    case Term::kOne: return 1.0;
  }
  return 0.0;
}

// Which terms each arithmetic is fitted with (docs/estimate.md: chosen for a
// small maximum error with every coefficient positive). FF is the same for
// all: the registers are known exactly, the fit finds the control bits.
struct FitSpec {
  LaneArithmetic arithmetic;
  bool dsp;
  std::vector<Term> lut, ff;
};

const std::vector<FitSpec>& fit_specs() {
  static const std::vector<Term> ff = {Term::kRegisters, Term::kTreeStages, Term::kOne};
  static const std::vector<FitSpec> specs = {
      {LaneArithmetic::kFixed, false,
       {Term::kWiderOperand, Term::kMultiplierArray, Term::kSignExtension, Term::kTreeAndAcc, Term::kOne}, ff},
      {LaneArithmetic::kFixed, true, {Term::kTreeAndAcc, Term::kOne}, ff},
      {LaneArithmetic::kPow2, false, {Term::kShifter, Term::kProduct, Term::kTreeAndAcc}, ff},
      {LaneArithmetic::kXnor, false, {Term::kTreeAndAcc, Term::kOne}, ff},
      {LaneArithmetic::kSignSelect, false, {Term::kProduct, Term::kAcc}, ff},
      {LaneArithmetic::kBitSerial, false, {Term::kSerialBeat, Term::kProduct, Term::kTreeAndAcc, Term::kHorner}, ff},
  };
  return specs;
}

std::string params_text(const rtl::synth::UnitRow& r) {
  std::string s;
  for (int i = 0; i < r.param_count; ++i) {
    if (i) s += ' ';
    s += std::string(r.params[i].name) + "=" + std::to_string(r.params[i].value);
  }
  return s;
}

// The lanes unit a table row measured; false for rows of other units and for
// DSP-mode rows that are not DSP lanes (Yosys left small multipliers in LUTs).
bool row_lanes(const rtl::synth::UnitRow& r, LaneUnit& u) {
  const std::string unit = r.unit;
  const bool lanes = unit == "mvau_lanes_fixed" || unit == "mvau_lanes_pow2" || unit == "mvau_lanes_binary" ||
                     unit == "mvau_lanes_ternary" || unit == "mvau_lanes_bitserial";
  if (!lanes) return false;
  if (r.dsp_mode && (unit != "mvau_lanes_fixed" || r.dsp48 == 0)) return false;
  u = LaneUnit{};
  u.simd = unit_param(r, "SIMD");
  u.act_bits = unit_param(r, "A");
  const int a_signed = unit_param(r, "A_SIGNED");
  u.act_signed = a_signed != 0;
  const int mw = unit_param(r, "MW");
  if (unit == "mvau_lanes_fixed") {
    u.arithmetic = LaneArithmetic::kFixed;
    u.dsp = r.dsp_mode;
    u.weight_bits = unit_param(r, "W");
    u.product_min = rtl::fixed_lane_min(u.weight_bits, u.act_bits, a_signed);
    u.product_max = rtl::fixed_lane_max(u.weight_bits, u.act_bits, a_signed);
    u.acc_bits = rtl::mvau_lanes_fixed_acc_bits(u.weight_bits, u.act_bits, a_signed, mw);
  } else if (unit == "mvau_lanes_bitserial") {
    u.arithmetic = LaneArithmetic::kBitSerial;
    u.weight_bits = unit_param(r, "W_MAX");
    u.product_min = std::min<int64_t>(0, rtl::act_min(u.act_bits, a_signed));  // bit ? a : 0
    u.product_max = std::max<int64_t>(0, rtl::act_max(u.act_bits, a_signed));
    u.acc_bits = rtl::mvau_lanes_bitserial_acc_bits(u.weight_bits, u.act_bits, a_signed, mw);
  } else if (unit == "mvau_lanes_pow2") {
    u.arithmetic = LaneArithmetic::kPow2;
    u.exponent_bits = unit_param(r, "E");
    u.weight_bits = u.exponent_bits + 2;
    u.product_min = rtl::pow2_lane_min(u.exponent_bits, u.act_bits, a_signed);
    u.product_max = rtl::pow2_lane_max(u.exponent_bits, u.act_bits, a_signed);
    u.acc_bits = rtl::mvau_lanes_pow2_acc_bits(u.exponent_bits, u.act_bits, a_signed, mw);
  } else {
    const int bipolar = unit == "mvau_lanes_binary" ? unit_param(r, "BIPOLAR") : 0;
    u.arithmetic = bipolar ? LaneArithmetic::kXnor : LaneArithmetic::kSignSelect;
    u.weight_bits = unit == "mvau_lanes_ternary" ? 2 : 1;
    u.product_min = rtl::sign_lane_min(u.act_bits, a_signed, bipolar);
    u.product_max = rtl::sign_lane_max(u.act_bits, a_signed, bipolar);
    u.acc_bits = rtl::mvau_lanes_binary_acc_bits(u.act_bits, a_signed, bipolar, mw);
  }
  return true;
}

double evaluate(const std::vector<Term>& terms, const std::vector<double>& coef, const LaneUnit& u) {
  double v = 0;
  for (size_t i = 0; i < terms.size(); ++i) v += coef[i] * term_value(terms[i], u);
  return std::max(v, 0.0);
}

struct Fits {
  std::vector<LaneFit> fits;
  std::vector<FitSpec> specs;  // parallel to fits
};

Fits make_fits() {
  Fits out;
  for (const FitSpec& spec : fit_specs()) {
    LaneFit f;
    f.arithmetic = spec.arithmetic;
    f.dsp = spec.dsp;
    for (Term t : spec.lut) f.lut_terms.push_back(term_name(t));
    for (Term t : spec.ff) f.ff_terms.push_back(term_name(t));
    std::vector<std::vector<double>> xl, xf;
    std::vector<double> yl, yf;
    for (const auto& r : rtl::synth::kUnitRows) {
      LaneUnit u;
      if (!row_lanes(r, u) || u.arithmetic != spec.arithmetic || u.dsp != spec.dsp) continue;
      LaneFitPoint p;
      p.line = r.line;
      p.unit = r.unit;
      p.params = params_text(r);
      p.lanes = u;
      p.lut = r.lut;
      p.ff = r.ff;
      p.finn_r_lut = r.finn_r_lut;
      f.points.push_back(p);
      xl.emplace_back();
      for (Term t : spec.lut) xl.back().push_back(term_value(t, u));
      xf.emplace_back();
      for (Term t : spec.ff) xf.back().push_back(term_value(t, u));
      yl.push_back(r.lut);
      yf.push_back(r.ff);
    }
    const bool ok = fit_relative(xl, yl, f.lut_coef) && fit_relative(xf, yf, f.ff_coef);
    if (!ok) {
      // Without DSP rows, DSP lanes are costed with the LUT fit minus its
      // multipliers (lane_unit_cost); every other arithmetic needs its rows.
      if (spec.dsp) continue;
      throw std::runtime_error(std::string(kTable) + ": " + std::to_string(f.points.size()) + " rows of " +
                               to_string(spec.arithmetic) + " lanes (nodsp) do not determine the " +
                               std::to_string(std::max(spec.lut.size(), spec.ff.size())) +
                               "-term cost fit; rerun scripts/synth-units with its full sweep");
    }
    double sum_l = 0, sum_f = 0;
    for (auto& p : f.points) {
      p.fit_lut = evaluate(spec.lut, f.lut_coef, p.lanes);
      p.fit_ff = evaluate(spec.ff, f.ff_coef, p.lanes);
      const double el = std::abs(p.fit_lut - p.lut) / std::max(p.lut, 1.0);
      const double ef = std::abs(p.fit_ff - p.ff) / std::max(p.ff, 1.0);
      f.max_rel_lut = std::max(f.max_rel_lut, el);
      f.max_rel_ff = std::max(f.max_rel_ff, ef);
      sum_l += el;
      sum_f += ef;
    }
    f.mean_rel_lut = sum_l / double(f.points.size());
    f.mean_rel_ff = sum_f / double(f.points.size());
    out.fits.push_back(std::move(f));
    out.specs.push_back(spec);
  }
  return out;
}

const Fits& fits() {
  static const Fits f = make_fits();
  return f;
}

}  // namespace

int unit_param(const rtl::synth::UnitRow& r, const char* name) {
  for (int i = 0; i < r.param_count; ++i)
    if (std::string(r.params[i].name) == name) return r.params[i].value;
  throw std::runtime_error(std::string(kTable) + ":" + std::to_string(r.line) + ": " + r.unit + " has no parameter " +
                           name);
}

bool fit_relative(const std::vector<std::vector<double>>& x, const std::vector<double>& y, std::vector<double>& c) {
  const size_t n = x.empty() ? 0 : x[0].size();
  if (x.size() < n || n == 0) return false;
  std::vector<std::vector<double>> m(n, std::vector<double>(n + 1, 0.0));  // normal equations | rhs
  for (size_t r = 0; r < x.size(); ++r) {
    const double w = 1.0 / std::max(y[r], 1.0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) m[i][j] += x[r][i] * w * x[r][j] * w;
      m[i][n] += x[r][i] * w * y[r] * w;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    size_t piv = i;
    for (size_t k = i + 1; k < n; ++k)
      if (std::abs(m[k][i]) > std::abs(m[piv][i])) piv = k;
    std::swap(m[i], m[piv]);
    if (std::abs(m[i][i]) < 1e-9 * std::max(1.0, std::abs(m[i][n]))) return false;
    for (size_t k = 0; k < n; ++k) {
      if (k == i) continue;
      const double f = m[k][i] / m[i][i];
      for (size_t j = i; j <= n; ++j) m[k][j] -= f * m[i][j];
    }
  }
  c.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) c[i] = m[i][n] / m[i][i];
  return true;
}

const char* to_string(LaneArithmetic a) {
  switch (a) {
    case LaneArithmetic::kFixed: return "fixed";
    case LaneArithmetic::kPow2: return "pow2";
    case LaneArithmetic::kXnor: return "binary-xnor";
    case LaneArithmetic::kSignSelect: return "sign-select";
    case LaneArithmetic::kBitSerial: return "bit-serial";
  }
  return "?";
}

LaneArithmetic lane_arithmetic(const ir::WeightType& w, const ir::ActivationType& a) {
  switch (w.arithmetic) {
    case ir::WeightArithmetic::kFixed: return LaneArithmetic::kFixed;
    case ir::WeightArithmetic::kPow2: return LaneArithmetic::kPow2;
    case ir::WeightArithmetic::kBinary:
      return arith::is_xnor_popcount(w.arithmetic, a.kind) ? LaneArithmetic::kXnor : LaneArithmetic::kSignSelect;
    case ir::WeightArithmetic::kTernary: return LaneArithmetic::kSignSelect;
  }
  return LaneArithmetic::kFixed;
}

LaneUnit lane_unit(const ir::WeightType& w, const ir::ActivationType& a, int simd, int acc_bits, bool dsp) {
  LaneUnit u;
  u.arithmetic = lane_arithmetic(w, a);
  u.dsp = dsp && u.arithmetic == LaneArithmetic::kFixed;
  u.simd = simd;
  u.weight_bits = w.bits;
  u.exponent_bits = w.arithmetic == ir::WeightArithmetic::kPow2 ? w.exponent_bits : 0;
  u.act_bits = a.bits;
  u.act_signed = a.kind != ir::ActivationKind::kUnsigned;
  if (u.arithmetic == LaneArithmetic::kXnor) {
    u.product_min = 0;  // the lane counts agreements
    u.product_max = 1;
  } else {
    const int64_t c[4] = {w.min_value() * a.min_value(), w.min_value() * a.max_value(),
                          w.max_value() * a.min_value(), w.max_value() * a.max_value()};
    u.product_min = *std::min_element(c, c + 4);
    u.product_max = *std::max_element(c, c + 4);
  }
  u.acc_bits = acc_bits;
  return u;
}

LaneUnit bit_serial_lane_unit(int w_max, const ir::ActivationType& a, int simd, int acc_bits) {
  LaneUnit u;
  u.arithmetic = LaneArithmetic::kBitSerial;
  u.simd = simd;
  u.weight_bits = w_max;
  u.act_bits = a.bits;
  u.act_signed = a.kind != ir::ActivationKind::kUnsigned;
  u.product_min = std::min<int64_t>(0, a.min_value());  // bit ? a : 0
  u.product_max = std::max<int64_t>(0, a.max_value());
  u.acc_bits = acc_bits;
  return u;
}

LaneCost lane_unit_cost(const LaneUnit& u) {
  const Fits& f = fits();
  const bool dsp = u.arithmetic == LaneArithmetic::kFixed && u.dsp;
  // DSP lanes without DSP rows in the table take the LUT fit, whose
  // multiplier terms are zero for a DSP unit (term_value).
  for (const bool want_dsp : {dsp, false}) {
    for (size_t i = 0; i < f.fits.size(); ++i) {
      const FitSpec& s = f.specs[i];
      if (s.arithmetic == u.arithmetic && s.dsp == want_dsp)
        return {evaluate(s.lut, f.fits[i].lut_coef, u), evaluate(s.ff, f.fits[i].ff_coef, u)};
    }
  }
  throw std::runtime_error(std::string(kTable) + ": no fit for " + to_string(u.arithmetic) + " lanes");
}

const std::vector<LaneFit>& lane_fits() { return fits().fits; }

int64_t tree_adder_bits(int64_t product_min, int64_t product_max, int simd) {
  // vine_adder_tree.sv: level l adds pairs of level l-1 nodes (an odd node
  // passes through), each adder as wide as the bound for the terms below it.
  const int levels = rtl::clog2(simd);
  int64_t bits = 0;
  int nodes = simd;
  for (int l = 1; l <= levels; ++l) {
    const int span = 1 << l;
    const int prev = nodes;
    nodes = (simd + span - 1) / span;
    bits += int64_t{prev / 2} * rtl::range_bits(product_min, product_max, std::min(span, simd));
  }
  return bits;
}

int64_t tree_register_bits(int64_t product_min, int64_t product_max, int simd) {
  // A register follows every TREE_LEVELS_PER_STAGE-th level and the last one.
  const int levels = rtl::clog2(simd);
  int64_t bits = 0;
  for (int l = 1; l <= levels; ++l) {
    const int span = 1 << l;
    if (l % rtl::TREE_LEVELS_PER_STAGE == 0 || l == levels)
      bits += int64_t{(simd + span - 1) / span} * rtl::range_bits(product_min, product_max, std::min(span, simd));
  }
  return bits;
}

}  // namespace vine::estimate
