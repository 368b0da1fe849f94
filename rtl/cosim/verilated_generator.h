// models::RtlGenerator on a Verilated C++ model of the OVSF weights
// generator (rtl/ovsf_generator.sv; rtl/README.md gives its ports). store is
// the lanes adapter's (verilated_lanes.h); the weights port is as wide as
// LANES x OUT_BITS, so it is read word by word.
#pragma once

#include <verilated.h>

#include <memory>

#include "models/pe/rtl_generator.h"
#include "rtl/cosim/verilated_lanes.h"

namespace vine::cosim {

template <typename T>
void fetch_words(const T& port, uint32_t* words) {
  static_assert(std::is_integral_v<T>, "narrow port");
  words[0] = uint32_t(uint64_t(port));
  if constexpr (sizeof(T) > 4) words[1] = uint32_t(uint64_t(port) >> 32);
}
template <std::size_t N>
void fetch_words(const VlWide<N>& port, uint32_t* words) {
  for (std::size_t k = 0; k < N; ++k) words[k] = port[k];
}

template <class Model>
class VerilatedOvsfGenerator final : public models::RtlGenerator {
 public:
  VerilatedOvsfGenerator()
      : ctx_(unit_context()), m_(std::make_unique<Model>(ctx_.get(), "generator")) {
    m_->clk = 0;
    m_->en = 1;
    m_->rst = 0;
    m_->in_valid = 0;
    m_->eval();
  }
  ~VerilatedOvsfGenerator() override { m_->final(); }

  bool clock(bool en, bool valid, const uint32_t* coeffs, const uint32_t* codes, uint32_t group,
             uint32_t* weights) override {
    m_->en = en;
    m_->in_valid = valid;
    store(m_->in_coeffs, coeffs);
    store(m_->in_codes, codes);
    const uint32_t g[2] = {group, 0};
    store(m_->in_group, g);
    tick(*m_);
    if (!m_->out_valid) return false;
    fetch_words(m_->out_weights, weights);
    return true;
  }
  void reset() override { reset_unit(*m_); }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> m_;
};

}  // namespace vine::cosim
