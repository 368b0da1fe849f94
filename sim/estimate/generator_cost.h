// LUT and FF cost of the compute engine's OVSF weights generator
// (rtl/ovsf_generator.sv), fitted by least squares to its Yosys rows in
// rtl/synth/units.csv, as lane_cost.h fits the lanes units: the table
// reaches the code as vine_rtl_synth.h and the fit runs on first use.
// docs/weights-generator.md gives the terms, the coefficients and the errors.
#pragma once

#include <string>
#include <vector>

#include "sim/estimate/lane_cost.h"

namespace vine::estimate {

// The generator's parameters (rtl/ovsf_generator.sv).
struct GeneratorUnit {
  int code_length = 2;  // L
  int kept = 1;         // KEPT coefficient slots
  int coeff_bits = 1;   // COEFF_BITS
  int lanes = 1;        // LANES
  int out_bits = 1;     // OUT_BITS
};

// The model's terms, exact from the widths the RTL gives each piece:
//   LUT = a x trees + b x signs
//     trees = LANES x the adder bits of a lane's coefficient tree
//             (vine_adder_tree's widths over KEPT terms of COEFF_BITS bits);
//     signs = LANES x KEPT x log2 L (each chip sign an AND-XOR of the code
//             bits with the position bits);
//   the negations' popcount, the final add and the saturation grow with
//   these and are absorbed by the two coefficients (a third term,
//   LANES x SUM_BITS, took a negative coefficient: not determined by 7 rows).
//   FF = d x registers + e
//     registers = KEPT x COEFF_BITS + LANES x KEPT (the chip signs) +
//                 LANES x (both trees' pipeline registers) + LANES x OUT_BITS + LATENCY.
double generator_trees(const GeneratorUnit& g);
double generator_signs(const GeneratorUnit& g);
double generator_registers(const GeneratorUnit& g);

// The fitted cost. Throws std::runtime_error when rtl/synth/units.csv has
// too few ovsf_generator rows to fit it.
LaneCost generator_cost(const GeneratorUnit& g);

struct GeneratorFitPoint {
  int line = 0;  // in rtl/synth/units.csv
  GeneratorUnit unit;
  double lut = 0, ff = 0, fit_lut = 0, fit_ff = 0;
};

struct GeneratorFit {
  std::vector<std::string> lut_terms{"trees", "signs"}, ff_terms{"registers", "1"};
  std::vector<double> lut_coef, ff_coef;
  std::vector<GeneratorFitPoint> points;
  double max_rel_lut = 0, mean_rel_lut = 0, max_rel_ff = 0, mean_rel_ff = 0;
};
const GeneratorFit& generator_fit();

}  // namespace vine::estimate
