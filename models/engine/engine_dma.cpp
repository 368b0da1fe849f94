#include "models/engine/engine_dma.h"

#include <cstdio>

#include "models/memory/payload.h"
#include "sim/engine/engine_estimate.h"

namespace vine::models {

namespace {
std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}
}  // namespace

int64_t EngineDma::read(const engine::Transfer& t, int64_t at, std::vector<uint8_t>& data,
                        const std::string& what) {
  data.resize(size_t(t.bytes));
  return transfer(tlm::TLM_READ_COMMAND, t, at, data.data(), what);
}

int64_t EngineDma::write(const engine::Transfer& t, int64_t at, std::vector<uint8_t>& data,
                         const std::string& what) {
  if (data.size() != t.bytes)
    throw std::logic_error("engine DMA: " + what + " has " + std::to_string(data.size()) +
                           " bytes, the transfer " + std::to_string(t.bytes));
  return transfer(tlm::TLM_WRITE_COMMAND, t, at, data.data(), what);
}

int64_t EngineDma::transfer(tlm::tlm_command cmd, const engine::Transfer& t, int64_t at,
                            uint8_t* data, const std::string& what) {
  // The engine's local time runs ahead of SystemC's (or SystemC is not
  // running at all, `vine run`): the issue cycle goes as the annotated delay.
  const sc_core::sc_time issue = clock_ * double(at), now = sc_core::sc_time_stamp();
  if (issue < now)
    throw std::logic_error("engine DMA: " + what + " is issued at cycle " + std::to_string(at) +
                           ", before SystemC's time " + now.to_string() +
                           " (a synchronisation bug)");
  tlm::tlm_generic_payload p;
  prepare_payload(p, cmd, t.address, data, unsigned(t.bytes));
  sc_core::sc_time delay = issue - now;
  ddr_(p, delay);
  if (p.is_response_error())
    throw EngineDmaError(
        "engine DMA: " + std::string(cmd == tlm::TLM_READ_COMMAND ? "reading " : "writing ") +
        what + " (" + std::to_string(t.bytes) + " bytes at " + hex(t.address) +
        ") failed: " + p.get_response_string());
  if (cmd == tlm::TLM_READ_COMMAND) {
    ++stats_.reads;
    stats_.bytes_read += t.bytes;
  } else {
    ++stats_.writes;
    stats_.bytes_written += t.bytes;
  }
  // The DDR may have advanced SystemC time (a time-ordered grant): the
  // completion is its time plus what it annotates.
  return engine::engine_cycles(sc_core::sc_time_stamp() + delay, clock_);
}

}  // namespace vine::models
