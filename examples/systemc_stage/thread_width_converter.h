// A user's SystemC module as a pipeline stage: a stream width converter
// written as an ordinary SC_THREAD with blocking beat calls and wait()s, the
// way a VP engineer would write it. It behaves like Vine's built-in converter
// (an HLS loop at II 1 whose writes leave one cycle after the iteration that
// computes them, stalling as a whole), so it gives the same cycle for every
// beat; tests/systemc/ proves it on a shipped design.
//
// The HLS loop: one iteration per output beat when narrowing (a read when the
// buffer runs short), one per input beat when widening (a write when a whole
// output beat is buffered). Each cycle the pipeline advances, the iteration
// entering it reads and the one leaving it writes; if either cannot, neither
// happens.
#pragma once

#include <algorithm>
#include <deque>
#include <systemc>
#include <vector>

#include "models/systemc/beat_if.h"

namespace vine::examples {

class ThreadWidthConverter : public sc_core::sc_module {
 public:
  sc_core::sc_port<models::BeatReadIf> in;
  sc_core::sc_port<models::BeatWriteIf> out;

  ThreadWidthConverter(sc_core::sc_module_name name, int frames, int64_t in_beats_per_frame)
      : sc_module(name), in("in"), out("out"), frames_(frames), in_beats_(in_beats_per_frame) {
    SC_HAS_PROCESS(ThreadWidthConverter);
    SC_THREAD(run);
  }
  const char* kind() const override { return "thread_width_converter"; }

 private:
  void run() {
    const int ein = in->lanes(), eout = out->lanes();
    const int64_t elements = in_beats_ * ein;  // per frame
    std::vector<int32_t> beat(size_t(std::max(ein, eout)));
    std::vector<int32_t> leaving(static_cast<size_t>(eout));
    std::deque<int32_t> buffer;
    bool pending = false;  // an output beat computed last cycle, leaving this cycle
    for (int f = 0; f < frames_; ++f) {
      int64_t got = 0, sent = 0;
      while (got < elements || sent < elements) {
        // Which beats this iteration moves.
        bool reads = false, writes = false;
        if (ein >= eout) {
          reads = got - sent < eout;
          writes = true;
        } else {
          reads = true;
          writes = got + ein - sent >= eout;
        }
        advance(reads, pending, beat, leaving, buffer, ein);
        if (reads) got += ein;
        pending = writes;
        if (writes) {
          for (int e = 0; e < eout; ++e) {
            leaving[size_t(e)] = buffer.front();
            buffer.pop_front();
          }
          sent += eout;
        }
        wait(in->cycle());
      }
    }
    if (pending) advance(false, true, beat, leaving, buffer, ein);  // the last beat drains
  }

  // One cycle of the pipeline: both moves wait for each other.
  void advance(bool read, bool write, std::vector<int32_t>& beat,
               const std::vector<int32_t>& leaving, std::deque<int32_t>& buffer, int ein) {
    if (read) in->wait_readable();
    if (write)
      out->wait_writable();  // waiting here never makes the read impossible: only we read `in`
    if (read) {
      in->read(beat.data());
      buffer.insert(buffer.end(), beat.begin(), beat.begin() + ein);
    }
    if (write) out->write(leaving.data());
  }

  int frames_;
  int64_t in_beats_;
};

}  // namespace vine::examples
