// The two sides of a stream, as SystemC interfaces: what a stage may ask of
// the FIFO it reads (StreamReadIf) and of the FIFO it writes (StreamWriteIf).
// They are the stamp API, not a blocking one: a stage asks in which cycle the
// next beat becomes readable (or the next slot free), and commits a read or a
// write in a cycle it has computed; nothing waits inside the channel. A stage
// binds its `sc_port`s to these interfaces, and the accelerator resolves the
// ports to the concrete FIFO once, after elaboration, so the hot path calls
// the FIFO's inline methods directly (StreamFifo is final).
//
// SystemC threads that want blocking calls use the beat ports of
// models/systemc/ instead, which are built on the same stamps.
#pragma once

#include <cstdint>
#include <limits>
#include <systemc>

namespace vine::models {

// A cycle stamp not yet known: the beat has not been written, or the slot's
// previous beat has not been read.
inline constexpr int64_t kUnknownCycle = std::numeric_limits<int64_t>::max();

class StreamReadIf : public virtual sc_core::sc_interface {
 public:
  // Elements (lanes) per beat; each element is one int32 activation code.
  virtual int elements_per_word() const = 0;
  // First cycle in which the next beat may be read, or kUnknownCycle.
  virtual int64_t read_ready_cycle() const = 0;
  // The next beat's elements (valid once read_ready_cycle() is known).
  virtual const int32_t* read_slot() const = 0;
  // Takes the next beat in `cycle` (>= read_ready_cycle()).
  virtual void commit_read(int64_t cycle) = 0;
  virtual int64_t read_count() const = 0;  // beats read so far
};

class StreamWriteIf : public virtual sc_core::sc_interface {
 public:
  virtual int elements_per_word() const = 0;
  // First cycle in which the next beat may be written, or kUnknownCycle.
  virtual int64_t write_ready_cycle() const = 0;
  // Where the next beat's elements go.
  virtual int32_t* write_slot() = 0;
  // Publishes the next beat as written in `cycle` (>= write_ready_cycle()).
  virtual void commit_write(int64_t cycle) = 0;
  virtual int64_t written() const = 0;  // beats written so far
};

}  // namespace vine::models
