#include "sim/estimate/generator_cost.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "vine_rtl_synth.h"
#include "vine_rtl_timing.h"

namespace vine::estimate {

namespace {

// A coefficient's range as the trees see it: [-2^(C-1), 2^(C-1) - 1] (a
// negated term enters inverted, ovsf_generator.sv).
int64_t cmin(const GeneratorUnit& g) { return -(int64_t{1} << (g.coeff_bits - 1)); }
int64_t cmax(const GeneratorUnit& g) { return (int64_t{1} << (g.coeff_bits - 1)) - 1; }

std::vector<double> lut_terms(const GeneratorUnit& g) {
  return {generator_trees(g), generator_signs(g)};
}
std::vector<double> ff_terms(const GeneratorUnit& g) { return {generator_registers(g), 1.0}; }

double dot(const std::vector<double>& c, const std::vector<double>& x) {
  double v = 0;
  for (size_t i = 0; i < c.size(); ++i) v += c[i] * x[i];
  return std::max(v, 0.0);
}

GeneratorFit make_fit() {
  GeneratorFit f;
  std::vector<std::vector<double>> xl, xf;
  std::vector<double> yl, yf;
  for (const auto& r : rtl::synth::kUnitRows) {
    if (std::string(r.unit) != "ovsf_generator") continue;
    GeneratorFitPoint p;
    p.line = r.line;
    p.unit = {unit_param(r, "L"), unit_param(r, "KEPT"), unit_param(r, "COEFF_BITS"), unit_param(r, "LANES"),
              unit_param(r, "OUT_BITS")};
    p.lut = r.lut;
    p.ff = r.ff;
    f.points.push_back(p);
    xl.push_back(lut_terms(p.unit));
    xf.push_back(ff_terms(p.unit));
    yl.push_back(r.lut);
    yf.push_back(r.ff);
  }
  if (!fit_relative(xl, yl, f.lut_coef) || !fit_relative(xf, yf, f.ff_coef))
    throw std::runtime_error("rtl/synth/units.csv: " + std::to_string(f.points.size()) +
                             " ovsf_generator rows do not determine its cost fit; rerun "
                             "scripts/synth-units -u ovsf_generator");
  double sl = 0, sf = 0;
  for (auto& p : f.points) {
    p.fit_lut = dot(f.lut_coef, lut_terms(p.unit));
    p.fit_ff = dot(f.ff_coef, ff_terms(p.unit));
    const double el = std::abs(p.fit_lut - p.lut) / p.lut, ef = std::abs(p.fit_ff - p.ff) / p.ff;
    f.max_rel_lut = std::max(f.max_rel_lut, el);
    f.max_rel_ff = std::max(f.max_rel_ff, ef);
    sl += el;
    sf += ef;
  }
  f.mean_rel_lut = sl / double(f.points.size());
  f.mean_rel_ff = sf / double(f.points.size());
  return f;
}

}  // namespace

double generator_trees(const GeneratorUnit& g) {
  return double(g.lanes) * double(tree_adder_bits(cmin(g), cmax(g), g.kept));
}

double generator_signs(const GeneratorUnit& g) {
  return double(g.lanes) * g.kept * rtl::clog2(g.code_length);
}

double generator_registers(const GeneratorUnit& g) {
  return double(g.kept) * g.coeff_bits + double(g.lanes) * g.kept +
         double(g.lanes) * double(tree_register_bits(cmin(g), cmax(g), g.kept) + tree_register_bits(0, 1, g.kept)) +
         double(g.lanes) * g.out_bits + rtl::ovsf_generator_latency(g.kept);
}

const GeneratorFit& generator_fit() {
  static const GeneratorFit f = make_fit();
  return f;
}

LaneCost generator_cost(const GeneratorUnit& g) {
  const GeneratorFit& f = generator_fit();
  return {dot(f.lut_coef, lut_terms(g)), dot(f.ff_coef, ff_terms(g))};
}

}  // namespace vine::estimate
