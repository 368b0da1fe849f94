// The compute engine's DMA (docs/engine.md, "The DMA on TLM"): one AXI
// master, one transfer at a time, each a TLM-2.0 generic-payload read or
// write through b_transport on the board's DDR model, issued at an engine
// cycle (the initiator's local time, annotated as the delay) and done in the
// first engine cycle at or after the completion the DDR annotates back. The
// data moved is the DDR store's: what the engine computes on is what lies at
// the transfer's address.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "sim/engine/engine_tiling.h"

namespace vine::models {

// The DDR behind the engine's master port: a b_transport call (a socket's,
// or DdrMemory::b_transport with the engine's initiator id).
using DdrTransport = std::function<void(tlm::tlm_generic_payload&, sc_core::sc_time&)>;

// A transfer the DDR answered with an error response (an address outside
// it, a refused burst): the run cannot go on on data it does not have.
class EngineDmaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EngineDma {
 public:
  EngineDma(DdrTransport ddr, const sc_core::sc_time& clock)
      : ddr_(std::move(ddr)), clock_(clock) {}

  // Reads `t` into `data` from engine cycle `at`; returns the cycle it is done.
  int64_t read(const engine::Transfer& t, int64_t at, std::vector<uint8_t>& data,
               const std::string& what);
  // Writes `data` (t.bytes of it) to `t` from cycle `at`; returns the cycle it is done.
  int64_t write(const engine::Transfer& t, int64_t at, std::vector<uint8_t>& data,
                const std::string& what);

  struct Stats {
    uint64_t reads = 0, writes = 0, bytes_read = 0, bytes_written = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  int64_t transfer(tlm::tlm_command cmd, const engine::Transfer& t, int64_t at, uint8_t* data,
                   const std::string& what);

  DdrTransport ddr_;
  sc_core::sc_time clock_;
  Stats stats_;
};

}  // namespace vine::models
