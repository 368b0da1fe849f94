// models::RtlLanes on a Verilated C++ model of one mvau_lanes_* unit. Every
// lanes unit has the same ports (rtl/README.md), so one template adapts them
// all; Verilator picks each port's C++ type from its width (CData .. QData,
// VlWide above 64 bits), which store/fetch below cover.
#pragma once

#include <verilated.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "models/pe/rtl_lanes.h"

// Declares, at global scope, the evaluation function Verilator 5.006
// generates for Model's root (PREFIX___024root___eval, which eval_step()
// calls), and vine_cosim_eval_root(Model&), with which tick() calls it.
// Every model clocked with tick() needs it (with its root class's header).
#define VINE_COSIM_ROOT_EVAL(Model)                          \
  void Model##___024root___eval(Model##___024root* vlSelf); \
  inline void vine_cosim_eval_root(Model& m) { Model##___024root___eval(m.rootp); }

namespace vine::cosim {

template <typename T>
void store(T& port, const uint32_t* words) {
  static_assert(std::is_integral_v<T>, "narrow port");
  uint64_t v = words[0];
  if constexpr (sizeof(T) > 4) v |= uint64_t(words[1]) << 32;
  port = static_cast<T>(v);
}
template <std::size_t N>
void store(VlWide<N>& port, const uint32_t* words) {
  for (std::size_t k = 0; k < N; ++k) port[k] = words[k];
}
template <typename T>
uint64_t fetch(const T& port) {
  static_assert(std::is_integral_v<T>, "narrow port");
  return static_cast<uint64_t>(port);
}
template <std::size_t N>
uint64_t fetch(const VlWide<N>& port) {  // accumulators are at most 64 bits
  return uint64_t(port[0]) | (N > 1 ? uint64_t(port[1]) << 32 : 0);
}
// The 64 bits from bit 64*i (a PE array's out_acc fields).
template <typename T>
uint64_t fetch_field64(const T& port, int) {  // a port of one field
  return static_cast<uint64_t>(port);
}
template <std::size_t N>
uint64_t fetch_field64(const VlWide<N>& port, int i) {
  return uint64_t(port[2 * size_t(i)]) | uint64_t(port[2 * size_t(i) + 1]) << 32;
}

// The context a unit's model runs in. Verilator 5 gives a context as many
// threads as the host has cores and starts the pool's workers when the
// first model is added; a unit's model is single-threaded (--threads 1), so
// one thread is enough, and a PE array's instances start no thread each.
inline std::unique_ptr<VerilatedContext> unit_context() {
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->threads(1);
  return ctx;
}

// One clock cycle of a unit: the rising edge, evaluated, then clk back low.
// Every unit is clocked on the rising edge only, so an eval() of the falling
// edge changes nothing but the model's record of clk's last value, from
// which Verilator 5 detects the next rising edge (the root's
// __Vtrigrprev__TOP__clk, set to clk by every eval): writing that record
// instead is that eval's whole effect at a fraction of its cost (it runs
// the trigger and input-combinational regions and Verilator's thread-local
// bookkeeping, about half of a binary unit's cost a cycle). The model's root
// class (PREFIX___024root.h) must be included where this is instantiated;
// a Verilator that names the record otherwise fails to compile here (then
// evaluate the falling edge again).
//
// The edge is evaluated by the model root's own evaluation function (what
// eval() calls between Verilator's per-call bookkeeping: the initialisation
// check, done by the adapter's first eval(), and the thread and message queue
// hand-over of multi-threaded models, which a unit's one-thread context never
// fills); VINE_COSIM_ROOT_EVAL(Model) below declares it for a model, found
// here by argument-dependent lookup.
template <class Model>
void tick(Model& m) {
  m.clk = 1;
  vine_cosim_eval_root(m);
  m.clk = 0;
  m.rootp->__Vtrigrprev__TOP__clk = 0;
}
// The synchronous reset every unit has: one edge with rst high (it wins
// over en), nothing offered.
template <class Model>
void reset_unit(Model& m) {
  m.rst = 1;
  m.en = 1;
  m.in_valid = 0;
  tick(m);
  m.rst = 0;
}

// Whether the model has an in_wbits port (the bit-serial unit).
template <class Model, class = void>
struct HasWeightBits : std::false_type {};
template <class Model>
struct HasWeightBits<Model, std::void_t<decltype(std::declval<Model&>().in_wbits)>> : std::true_type {};

template <class Model>
class VerilatedLanes final : public models::RtlLanes {
 public:
  VerilatedLanes() : ctx_(unit_context()), m_(std::make_unique<Model>(ctx_.get(), "lanes")) {
    m_->clk = 0;
    m_->en = 1;
    m_->rst = 0;
    m_->in_valid = 0;
    m_->eval();
  }
  ~VerilatedLanes() override { m_->final(); }

  bool clock(bool en, bool valid, bool first, bool last, const uint32_t* weights, const uint32_t* acts,
             uint64_t& acc) override {
    m_->en = en;
    m_->in_valid = valid;
    m_->in_first = first;
    m_->in_last = last;
    store(m_->in_weights, weights);
    store(m_->in_acts, acts);
    tick(*m_);
    if (!m_->out_valid) return false;
    acc = fetch(m_->out_acc);
    return true;
  }
  void set_weight_bits(int bits) override {
    if constexpr (HasWeightBits<Model>::value) m_->in_wbits = static_cast<std::remove_reference_t<decltype(m_->in_wbits)>>(bits);
  }
  void reset() override { reset_unit(*m_); }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> m_;
};

// models::RtlLanes on a Verilated PE array unit (rtl/mvau_lanes_binary_pes.sv):
// the stage's PEs in one model, clocked with one evaluation a cycle. Its
// out_acc has 64 bits a PE, which gives the PE count (PE = 1: a QData).
template <class Model>
class VerilatedLanesPes final : public models::RtlLanes {
 public:
  static constexpr int kPes = int(sizeof(std::declval<Model&>().out_acc) / 8);
  static_assert(kPes <= 64, "out_valid is read as one word");

  VerilatedLanesPes() : ctx_(unit_context()), m_(std::make_unique<Model>(ctx_.get(), "lanes")) {
    m_->clk = 0;
    m_->en = 1;
    m_->rst = 0;
    m_->in_valid = 0;
    m_->eval();
  }
  ~VerilatedLanesPes() override { m_->final(); }

  int pes() const override { return kPes; }
  // One PE's view exists only for a one-PE array; the PE array
  // (RtlDotProductUnit) clocks every unit with clock_pes().
  bool clock(bool en, bool valid, bool first, bool last, const uint32_t* weights,
             const uint32_t* acts, uint64_t& acc) override {
    if constexpr (kPes == 1) {
      char v = 0;
      clock_pes(en, valid, first, last, weights, acts, &v, &acc);
      return v;
    } else {
      throw std::logic_error("VerilatedLanesPes: clock() on a unit of " + std::to_string(kPes) +
                             " PEs");
    }
  }
  bool clock_pes(bool en, bool valid, bool first, bool last, const uint32_t* weights,
                 const uint32_t* acts, char* out_valid, uint64_t* acc) override {
    m_->en = en;
    m_->in_valid = valid;
    m_->in_first = first;
    m_->in_last = last;
    store(m_->in_weights, weights);
    store(m_->in_acts, acts);
    tick(*m_);
    // The PEs' out_valid bits as one word (at most kPeArrayMaxPes of them):
    // a cycle with none high, most of them, reads no accumulator.
    const uint64_t valid_bits = fetch(m_->out_valid);
    if (!valid_bits) {
      std::fill_n(out_valid, kPes, 0);
      return false;
    }
    for (int p = 0; p < kPes; ++p) {
      const bool v = (valid_bits >> p) & 1;
      out_valid[p] = v;
      if (v) acc[p] = fetch_field64(m_->out_acc, p);
    }
    return true;
  }
  void set_weight_bits(int) override {}
  void reset() override { reset_unit(*m_); }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> m_;
};

}  // namespace vine::cosim
