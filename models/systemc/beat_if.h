// Blocking beat interfaces for an ordinary SystemC module that sits in the
// pipeline as a stage (see ThreadStage): its SC_THREAD reads and writes beats
// through `sc_port<BeatReadIf>` / `sc_port<BeatWriteIf>` and wait()s for its
// cycles, as a VP engineer would write it. Time is SystemC time in whole
// clock cycles of the accelerator; every call happens in the current cycle.
//
// The FIFO rules are those of every stream (models/stream/stream_fifo.h): a
// beat written in cycle w is readable from w + latency; a slot is free in the
// cycle after its previous beat was read. wait_readable()/wait_writable()
// return in the first cycle (>= now) in which the operation is allowed, so
// a thread that waits for both its read and its write and then commits both
// advances exactly like an HLS pipeline that stalls as a whole.
#pragma once

#include <cstdint>
#include <systemc>

namespace vine::models {

class BeatReadIf : public virtual sc_core::sc_interface {
 public:
  virtual int lanes() const = 0;                      // elements per beat
  virtual const sc_core::sc_time& cycle() const = 0;  // the accelerator's clock period
  // Waits until the next beat can be read in the current cycle.
  virtual void wait_readable() = 0;
  // Takes the next beat in the current cycle (after wait_readable()); `beat`
  // receives lanes() elements (zeros in a timing-only run).
  virtual void read(int32_t* beat) = 0;
  void read_blocking(int32_t* beat) {
    wait_readable();
    read(beat);
  }
};

class BeatWriteIf : public virtual sc_core::sc_interface {
 public:
  virtual int lanes() const = 0;
  virtual const sc_core::sc_time& cycle() const = 0;
  // Waits until the next beat can be written in the current cycle.
  virtual void wait_writable() = 0;
  // Writes lanes() elements as the next beat in the current cycle (after wait_writable()).
  virtual void write(const int32_t* beat) = 0;
  void write_blocking(const int32_t* beat) {
    wait_writable();
    write(beat);
  }
};

}  // namespace vine::models
