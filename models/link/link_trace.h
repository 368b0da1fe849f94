// What a link did over time, for the run's VCD and Perfetto traces
// (docs/links.md, "Traces"): recorded by a LinkStage when the run keeps
// traces, in the accelerator's cycles, the traces' one time base.
//
// The link runs in its own user clock, faster or slower than the
// accelerator's. A link cycle belongs to the accelerator cycle in which its
// edge falls (accelerator cycle c holds the link edges at times in
// [c / F, (c + 1) / F)). Per accelerator cycle:
//  - the transmitter's state is the most notable among its link cycles:
//    XOFF (held off by flow control) over resending (a block of a frame sent
//    before) over sending (a block of a new frame, or a gap in the middle of
//    one) over idle; a cycle with no link edge keeps the state before it;
//  - the levels (blocks on the wire, words in the receive FIFO, frames
//    resent so far) are their values after its last link cycle, holding from
//    the next accelerator cycle on, as a FIFO's occupancy counts a beat from
//    the cycle after it was written.
// Each series keeps only its changes, so an idle link costs nothing.
#pragma once

#include <cstdint>
#include <vector>

namespace vine::models {

// What the transmitter did in one link cycle, in order of notability.
enum class LinkTxState : int64_t { kIdle = 0, kSending = 1, kResending = 2, kXoff = 3 };

struct LinkTrace {
  struct Change {
    int64_t cycle = 0;  // the accelerator cycle from which it holds
    int64_t value = 0;
  };
  std::vector<Change> tx_state;     // LinkTxState
  std::vector<Change> on_wire;      // blocks sent and not yet arrived (data and trailers)
  std::vector<Change> rx_fifo;      // words in the receive FIFO
  std::vector<Change> resent;       // frame transmissions that were resends, so far

  // Appends (cycle, value) when the series' value changes; a second change
  // in the same cycle replaces the first.
  static void note(std::vector<Change>& series, int64_t cycle, int64_t value) {
    if (!series.empty() && series.back().cycle == cycle) {
      series.pop_back();
      if ((series.empty() ? 0 : series.back().value) != value) series.push_back({cycle, value});
      return;
    }
    if ((series.empty() ? 0 : series.back().value) != value) series.push_back({cycle, value});
  }
};

}  // namespace vine::models
