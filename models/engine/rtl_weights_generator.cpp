#include "models/engine/rtl_weights_generator.h"

#include <stdexcept>

#include "models/pe/rtl_timing_error.h"
#include "vine_rtl_timing.h"

namespace vine::models {

LanesConfig generator_unit_config(const ir::Layer& l, const engine::EngineLayerPlan& lp) {
  if (!lp.generated || !l.generated_weights || !l.weights)
    throw std::logic_error("generator_unit_config: layer " + l.name + " has no generated weights");
  return {"ovsf_generator",
          {{"L", lp.code_length},
           {"KEPT", lp.kept},
           {"COEFF_BITS", l.generated_weights->coeff_bits},
           {"LANES", lp.generator_lanes},
           {"OUT_BITS", l.weights->bits}}};
}

namespace {

int log2_of(int n) {
  int r = 0;
  while ((1 << r) < n) ++r;
  return r;
}

// Sets `bits` bits of `words` at bit `at` to the low bits of v.
void put_bits(std::vector<uint32_t>& words, int64_t at, int bits, uint64_t v) {
  for (int b = 0; b < bits; ++b, ++at)
    if ((v >> b) & 1) words[size_t(at / 32)] |= uint32_t{1} << (at % 32);
}

int64_t get_signed(const std::vector<uint32_t>& words, int64_t at, int bits) {
  uint64_t v = 0;
  for (int b = 0; b < bits; ++b, ++at) v |= uint64_t((words[size_t(at / 32)] >> (at % 32)) & 1) << b;
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return int64_t((v ^ sign) - sign);
}

}  // namespace

RtlWeightsGenerator::RtlWeightsGenerator(std::unique_ptr<RtlGenerator> unit, LanesConfig config)
    : RtlUnitStats(std::move(config)),
      unit_(std::move(unit)),
      code_length_(config_.get("L")),
      kept_(config_.get("KEPT")),
      coeff_bits_(config_.get("COEFF_BITS")),
      lanes_(config_.get("LANES")),
      out_bits_(config_.get("OUT_BITS")),
      code_bits_(log2_of(code_length_)) {
  // The probe: one beat of zeros, clocked until it leaves.
  const std::vector<uint32_t> zeros(size_t((int64_t(kept_) * (coeff_bits_ + code_bits_) + 31) / 32 + 2), 0);
  std::vector<uint32_t> w(size_t((int64_t(lanes_) * out_bits_ + 31) / 32 + 2), 0);
  unit_->reset();
  bool valid = true;
  for (latency_ = 1; !unit_->clock(true, valid, zeros.data(), zeros.data(), 0, w.data()); ++latency_) {
    valid = false;
    if (latency_ > 64) throw RtlTimingError("weights generator '" + config_.key() + "': no output 64 cycles after a beat");
  }
  unit_->reset();
}

int64_t RtlWeightsGenerator::generate(const std::string& layer, int64_t first_cycle,
                                      const std::vector<int32_t>& coefficients, const std::vector<int32_t>& codes,
                                      int64_t first_filter, int64_t filters, int64_t filter_len,
                                      const std::vector<int32_t>& expected) {
  const int latency = rtl::ovsf_generator_latency(kept_);
  const int ii = rtl::ovsf_generator_ii();
  const int64_t groups = (filter_len + lanes_ - 1) / lanes_;
  const int64_t beats = filters * groups;
  const int group_mask = code_length_ / lanes_ - 1;
  if (int(codes.size()) > kept_) throw std::logic_error("weights generator: more kept codes than its slots");
  // The kept codes: the same for every beat of the layer; spare slots 0.
  std::vector<uint32_t> code_words(size_t((int64_t(kept_) * code_bits_ + 31) / 32 + 2), 0);
  for (size_t m = 0; m < codes.size(); ++m) put_bits(code_words, int64_t(m) * code_bits_, code_bits_, uint32_t(codes[m]));
  std::vector<uint32_t> coeff_words(size_t((int64_t(kept_) * coeff_bits_ + 31) / 32 + 2), 0);
  std::vector<uint32_t> out(size_t((int64_t(lanes_) * out_bits_ + 31) / 32 + 2), 0);
  auto where = [&](int64_t k) {
    const int64_t f = k / groups, g = k % groups;
    return "layer " + layer + ", weights generator '" + config_.key() + "': filter " +
           std::to_string(first_filter + f) + ", group " + std::to_string(g) + " (weights " +
           std::to_string(g * lanes_) + ".." + std::to_string(std::min(filter_len, (g + 1) * lanes_) - 1) + ")";
  };
  int64_t received = 0, last = -1;
  const int64_t deadline = (beats - 1) * ii + latency + latency + 2;  // a late group is still caught
  for (int64_t c = 0; received < beats && c <= deadline; ++c) {
    // Beat k is offered at cycle k x II.
    const bool offer = c % ii == 0 && c / ii < beats;
    int64_t f = 0, g = 0;
    if (offer) {
      const int64_t k = c / ii;
      f = k / groups;
      g = k % groups;
      std::fill(coeff_words.begin(), coeff_words.end(), 0);
      const int32_t* cf = coefficients.data() + (first_filter + f) * int64_t(codes.size());
      for (size_t m = 0; m < codes.size(); ++m)
        put_bits(coeff_words, int64_t(m) * coeff_bits_, coeff_bits_, uint64_t(int64_t(cf[m])));
    }
    count(true);
    if (!unit_->clock(true, offer, coeff_words.data(), code_words.data(), uint32_t(g & group_mask), out.data()))
      continue;
    // The edge at the end of cycle c puts the group on the outputs during
    // cycle c + 1 (a beat accepted in cycle t is out in cycle t + LATENCY).
    const int64_t k = received++, out_cycle = c + 1;
    const int64_t model_cycle = k * ii + latency;
    if (out_cycle != model_cycle)
      throw RtlTimingError(where(k) + ": the RTL's group leaves the unit at cycle " + std::to_string(out_cycle) +
                           " of the generation (engine cycle " + std::to_string(first_cycle + out_cycle) +
                           "); the model has it at cycle " + std::to_string(model_cycle) + " (engine cycle " +
                           std::to_string(first_cycle + model_cycle) + ": its beat at " + std::to_string(k * ii) +
                           " + LATENCY " + std::to_string(latency) + ")");
    const int64_t kf = k / groups, kg = k % groups;
    for (int i = 0; i < lanes_; ++i) {
      const int64_t j = kg * lanes_ + i;
      if (j >= filter_len) break;  // a padded position: generated and dropped
      const int64_t rtl = get_signed(out, int64_t(i) * out_bits_, out_bits_);
      const int64_t cpp = expected[size_t(kf * filter_len + j)];
      if (rtl != cpp)
        throw RtlTimingError(where(k) + ", weight " + std::to_string(j) + " (lane " + std::to_string(i) +
                             ") at cycle " + std::to_string(out_cycle) + ": the RTL gives " + std::to_string(rtl) +
                             ", the C++ expansion (golden::ovsf_weight) " + std::to_string(cpp));
    }
    last = out_cycle;
  }
  if (received < beats)
    throw RtlTimingError(where(received) + ": the RTL's group has not left the unit by cycle " +
                         std::to_string(deadline + 1) + " of the generation; the model has it at cycle " +
                         std::to_string(received * ii + latency));
  return last + 1;
}

}  // namespace vine::models
