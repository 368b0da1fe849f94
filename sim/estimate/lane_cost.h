// LUT and FF cost of one PE's lanes unit (SIMD lanes, adder tree, fold
// accumulator), per lane arithmetic, fitted by least squares to the Yosys
// figures of the RTL units in rtl/synth/units.csv (scripts/synth-units). The
// table reaches the code as the generated header vine_rtl_synth.h; the fit
// runs on first use, so no coefficient is typed by hand. docs/estimate.md
// lists the terms, the fitted coefficients and the fit errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/ir/network.h"

namespace vine::rtl::synth {
struct UnitRow;  // a row of rtl/synth/units.csv (the generated vine_rtl_synth.h)
}

namespace vine::estimate {

// The RTL lanes unit a weight arithmetic maps to; each has its own fit.
enum class LaneArithmetic {
  kFixed,       // mvau_lanes_fixed: W x A multipliers
  kPow2,        // mvau_lanes_pow2: barrel shift and conditional negate
  kXnor,        // mvau_lanes_binary, BIPOLAR = 1: XNOR-popcount
  kSignSelect,  // mvau_lanes_binary (BIPOLAR = 0) and mvau_lanes_ternary: +a, -a (or 0)
  kBitSerial,   // mvau_lanes_bitserial: fixed-point weights one bit a cycle (`bit_serial: true`)
};
const char* to_string(LaneArithmetic a);

// The lanes unit for weights `w` on activations `a`.
LaneArithmetic lane_arithmetic(const ir::WeightType& w, const ir::ActivationType& a);

// One PE's lanes unit, in the quantities its cost depends on.
struct LaneUnit {
  LaneArithmetic arithmetic = LaneArithmetic::kFixed;
  bool dsp = false;         // fixed point with DSP48 multipliers (LUTs then for the tree and accumulator)
  int simd = 1;             // lanes
  int weight_bits = 1;      // W: bits of a weight (pow2: the E+2-bit code)
  int exponent_bits = 0;    // E: pow2 only
  int act_bits = 1;         // A
  bool act_signed = false;  // two's complement (or bipolar) activations: sign-extended in the lanes
  int64_t product_min = 0;  // one lane's product range
  int64_t product_max = 1;
  int acc_bits = 1;         // fold accumulator width
};

// The lanes unit of a PE with SIMD lanes of weights `w` on activations `a`,
// accumulating into `acc_bits` bits.
LaneUnit lane_unit(const ir::WeightType& w, const ir::ActivationType& a, int simd, int acc_bits, bool dsp);

struct LaneCost {
  double lut = 0;
  double ff = 0;
};

// A PE's bit-serial lanes unit for fixed-point weights of up to `w_max` bits
// on activations `a` (its lane partials are `bit ? a : 0`).
LaneUnit bit_serial_lane_unit(int w_max, const ir::ActivationType& a, int simd, int acc_bits);

// The fitted cost of one lanes unit. Throws std::runtime_error if
// rtl/synth/units.csv has too few rows to fit the unit's arithmetic.
LaneCost lane_unit_cost(const LaneUnit& u);

// ------------------------------------------------------------- fit report

// One table row a fit used, with its measured and fitted cost.
struct LaneFitPoint {
  int line = 0;            // in rtl/synth/units.csv
  std::string unit, params;
  LaneUnit lanes;
  double lut = 0, ff = 0;          // Yosys
  double fit_lut = 0, fit_ff = 0;  // the model
  int finn_r_lut = -1;             // FINN-R's formula, -1 where it has none
};

// The least-squares fit of one lane arithmetic (and DSP mode): cost =
// sum of coefficient x term, minimising the relative error over the rows.
struct LaneFit {
  LaneArithmetic arithmetic = LaneArithmetic::kFixed;
  bool dsp = false;
  std::vector<std::string> lut_terms, ff_terms;  // names of the terms, as in docs/estimate.md
  std::vector<double> lut_coef, ff_coef;
  std::vector<LaneFitPoint> points;
  double max_rel_lut = 0, mean_rel_lut = 0;  // |fit - Yosys| / Yosys over the points
  double max_rel_ff = 0, mean_rel_ff = 0;
};

// Every fit, in the order kFixed, kFixed with DSPs, kPow2, kXnor, kSignSelect.
const std::vector<LaneFit>& lane_fits();

// Least squares of the relative error: the coefficients c minimising
// sum over rows r of ((x[r] . c - y[r]) / y[r])^2. False when the rows do
// not determine them. (The weights generator's fit uses it too.)
bool fit_relative(const std::vector<std::vector<double>>& x, const std::vector<double>& y, std::vector<double>& c);

// The value of a unit's parameter in one synthesised row; a row without it
// is an error naming the table's line (the weights generator's fit reads
// its rows with it too).
int unit_param(const rtl::synth::UnitRow& r, const char* name);

// The terms of the model (exposed for the tests and docs): adder-tree adder
// bits (the sum of the widths of its two-input adders) and register bits.
int64_t tree_adder_bits(int64_t product_min, int64_t product_max, int simd);
int64_t tree_register_bits(int64_t product_min, int64_t product_max, int simd);

}  // namespace vine::estimate
