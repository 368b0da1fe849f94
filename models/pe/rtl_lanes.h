// A Verilated MVAU lanes unit (rtl/mvau_lanes_*.sv) as the models see it: a
// clocked unit whose ports are set and read one cycle at a time. The
// implementations live in rtl/cosim/ (one Verilator model per parameter set);
// the models depend only on this interface, so a build without Verilator still
// links and reports the missing unit by name.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vine::models {

// Which unit and with which parameters, in the order the unit declares them:
// the key under which rtl/cosim/units.txt lists it.
struct LanesConfig {
  std::string unit;                                 // e.g. "mvau_lanes_binary"
  std::vector<std::pair<std::string, int>> params;  // e.g. {{"SIMD", 32}, ...}
  std::string key() const;                          // "mvau_lanes_binary SIMD=32 A=1 ..."
  int get(const std::string& name) const;           // throws when absent
};

// The version of this interface, which a units module is built against: part
// of an on-demand unit's cache key (rtl/cosim/unit_cache.h), so that a module
// built for another version is rebuilt, never loaded. 2: `en` on clock().
// 3: every unit is an RtlUnit, the output units (rtl_output.h) among them.
// 4: set_weight_bits() (the bit-serial unit's in_wbits). 5: pes() and
// clock_pes(), a unit serving several PEs (mvau_lanes_binary_pes).
constexpr int kRtlLanesInterface = 5;

// Any Verilated unit a units module makes; what it is follows from its key's
// unit name (a lanes unit: RtlLanes; multithreshold, requantizer: RtlOutput).
class RtlUnit {
 public:
  virtual ~RtlUnit() = default;
  // Synchronous reset over one cycle: clears every beat in flight.
  virtual void reset() = 0;
};

// Whether the unit named `unit` (LanesConfig::unit) is an output unit.
inline bool is_output_unit(const std::string& unit) { return unit == "multithreshold" || unit == "requantizer"; }

// Whether the lanes unit named `unit` holds a stage's whole PE array (one
// instance of the per-PE unit a PE, its PE parameter the count), so that the
// stage's PEs take one model evaluation a cycle: mvau_lanes_binary_pes.
inline bool is_pe_array_unit(const std::string& unit) {
  return unit == "mvau_lanes_binary_pes";
}

// The most PEs one PE array unit holds. Verilator writes each PE instance's
// logic out on its own, so a model's C++ (and its compile time) grows with
// its PE count: a stage of P PEs takes ceil(P / kPeArrayMaxPes) instances of
// one array size (pe_array_size), which bounds what a unit costs to build
// (rtl/cosim/units.txt, the on-demand cache) while a stage still takes a few
// evaluations a cycle instead of P (docs/cosim.md, "Speed").
constexpr int kPeArrayMaxPes = 16;

// The PE count of the PE array unit a stage of `pe` PEs is built from: the
// stage's PEs spread evenly over ceil(pe / kPeArrayMaxPes) instances, the
// last one padded with PEs whose results are unused when they do not divide.
constexpr int pe_array_size(int pe) {
  const int instances = (pe + kPeArrayMaxPes - 1) / kPeArrayMaxPes;
  return instances <= 1 ? pe : (pe + instances - 1) / instances;
}

class RtlLanes : public RtlUnit {
 public:
  // One clock cycle with these inputs on the ports: the rising edge, then
  // the falling one. `en` is the unit's clock enable: the stage drives it
  // high in the cycles its pipeline advances and low in its stall cycles
  // (the unit must then freeze). Lane i's weight code sits at bits
  // [i*WC, i*WC + WC) of `weights` and its activation code at [i*A, i*A + A)
  // of `acts`, packed little-endian into 32-bit words, bits above the port
  // width zero. Returns out_valid after the edge (its value during the next
  // cycle); when it is high, `acc` receives out_acc's low ACC_BITS bits. One
  // call per cycle keeps the per-cycle cost to one virtual call.
  virtual bool clock(bool en, bool valid, bool first, bool last, const uint32_t* weights, const uint32_t* acts,
                     uint64_t& acc) = 0;
  // The PEs this instance serves: 1 for a per-PE unit, PE for a PE array
  // unit (is_pe_array_unit), whose PEs share en, valid, first and last.
  virtual int pes() const { return 1; }
  // One clock cycle of all pes() PEs: PE p's weights start at word p *
  // ceil(SIMD*WC/32) of `weights`, its activations at word p * ceil(SIMD*A/32)
  // of `acts` (each PE's field packed as clock() takes it). Sets out_valid[p]
  // after the edge and, where it is high, acc[p]. Returns whether any is high.
  virtual bool clock_pes(bool en, bool valid, bool first, bool last, const uint32_t* weights,
                         const uint32_t* acts, char* out_valid, uint64_t* acc) {
    out_valid[0] = clock(en, valid, first, last, weights, acts, acc[0]);
    return out_valid[0];
  }
  // The bit-serial unit's in_wbits port (mvau_lanes_bitserial: the bits of
  // the weights of the beats it takes, one cycle each), held until set
  // again; a bit-parallel unit has no such port. A PE's instance serves one
  // channel group (rtl_dot_product.h), so the stage sets it once.
  virtual void set_weight_bits(int bits) = 0;
};

}  // namespace vine::models
