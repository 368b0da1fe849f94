// models::RtlOutput on a Verilated C++ model of the multi-threshold unit or
// the requantiser (rtl/README.md gives their ports). store/fetch are the
// lanes adapter's (verilated_lanes.h): Verilator picks each port's C++ type
// from its width.
#pragma once

#include <verilated.h>

#include <memory>

#include "models/pe/rtl_output.h"
#include "rtl/cosim/verilated_lanes.h"

namespace vine::cosim {

// The clocking both output units share; `Ports` sets the parameter ports.
template <class Model, class Ports>
class VerilatedOutput final : public models::RtlOutput {
 public:
  VerilatedOutput() : ctx_(unit_context()), m_(std::make_unique<Model>(ctx_.get(), "out")) {
    m_->clk = 0;
    m_->en = 1;
    m_->rst = 0;
    m_->in_valid = 0;
    m_->eval();
  }
  ~VerilatedOutput() override { m_->final(); }

  bool clock(bool en, bool valid, const uint32_t* acc, const uint32_t* params, uint64_t& y) override {
    m_->en = en;
    m_->in_valid = valid;
    store(m_->in_acc, acc);
    Ports::set(*m_, params);
    tick(*m_);
    if (!m_->out_valid) return false;
    y = fetch(m_->out_y);
    return true;
  }
  void reset() override { reset_unit(*m_); }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> m_;
};

struct ThresholdPorts {
  template <class Model>
  static void set(Model& m, const uint32_t* params) {
    store(m.in_thresholds, params);
  }
};

struct RequantizerPorts {
  template <class Model>
  static void set(Model& m, const uint32_t* params) {
    store(m.in_multiplier, &params[0]);
    store(m.in_shift, &params[1]);
    store(m.in_zero_point, &params[2]);
    store(m.in_lo, &params[3]);
    store(m.in_hi, &params[4]);
  }
};

template <class Model>
using VerilatedMultithreshold = VerilatedOutput<Model, ThresholdPorts>;
template <class Model>
using VerilatedRequantizer = VerilatedOutput<Model, RequantizerPorts>;

}  // namespace vine::cosim
