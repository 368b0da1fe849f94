// Waveforms and timelines of a finished simulation (recorded with
// ElaborationOptions::record): VCD for GTKWave with every FIFO's occupancy and
// every stage's state, and a Chrome/Perfetto timeline (JSON, or Perfetto's
// protobuf format) with one track per stage. Either may be restricted to a window of cycles (a window of frames,
// frame_window) and to some of the stages (select_stages), so that a large
// design's trace stays small enough to open (docs/simulation.md, "Traces").
#pragma once

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "sim/run/process_network.h"

namespace vine::trace {

// What a trace shows: the cycles [begin, end) and, when `stages` is not
// empty, only the stages it marks (by index in ProcessNetwork::stages()) and
// the FIFOs they read or write.
struct TraceSelection {
  int64_t begin = 0;
  int64_t end = std::numeric_limits<int64_t>::max();  // max: to the end of the run
  std::vector<bool> stages;

  bool windowed() const { return begin > 0 || end != std::numeric_limits<int64_t>::max(); }
};

// The cycles of frames first..last (0-based, first <= last): from the cycle
// in which the input DMA (the pipeline's first stage) writes frame `first`'s
// first beat to the end of the cycle in which the output DMA (its last stage)
// reads frame `last`'s last beat, the span the report's latency and batch
// cycles measure. A frame that never got in or out (a deadlock) leaves the
// window open at that end: begin at the trace's end, end at max; `note` then
// says so.
struct FrameWindow {
  int64_t begin = 0, end = std::numeric_limits<int64_t>::max();
  std::string note;  // empty when both ends are the frames'
};
FrameWindow frame_window(const sim::ProcessNetwork& pn, int first, int last);

// The stages whose names match one of the comma-separated glob patterns
// (fnmatch: '*' also crosses the '.' of "conv1.mvau"). A pattern matching no
// stage is returned in `unmatched` (the first one), and the result is empty.
std::vector<bool> select_stages(const std::vector<std::string>& stage_names, const std::string& patterns,
                                std::string& unmatched);

// The VCD's time unit for a clock: `timescale` is the coarsest VCD unit
// (1, 10 or 100 s/ms/us/ns/ps/fs) of which the clock period is a whole
// number, and cycle c is at time c * step. A period that is no whole number
// of femtoseconds (333 MHz: 3003.003... ps) has no exact VCD unit: then the
// unit is 1 fs and cycle c is at round(c * period in fs), within half a
// femtosecond of the exact time (exact = false). Either way
// cycle = round(time / (period in timescale units)).
struct VcdTimebase {
  std::string timescale;  // e.g. "10ns", "1ps", "1fs"
  int64_t step = 1;       // when exact: the period in timescale units
  double period_fs = 0;
  bool exact = true;
  int64_t time(int64_t cycle) const;
};
VcdTimebase vcd_timebase(double clock_mhz);

void write_vcd(const sim::ProcessNetwork& pn, double clock_mhz, std::ostream& out,
               const TraceSelection& sel = {});
void write_perfetto(const sim::ProcessNetwork& pn, double clock_mhz, std::ostream& out,
                    const TraceSelection& sel = {});
// The same timeline (the same tracks, slices and counter values at the same
// nanoseconds) in Perfetto's protobuf trace format, about a third of the
// JSON's size; ui.perfetto.dev opens it, chrome://tracing does not.
void write_perfetto_protobuf(const sim::ProcessNetwork& pn, double clock_mhz, std::ostream& out,
                             const TraceSelection& sel = {});
// Whether --perfetto PATH means the protobuf format: PATH ends in .pftrace or
// .perfetto-trace (either followed by .gz or not); else it is the JSON.
bool is_protobuf_trace_path(const std::string& path);

// A time in the Perfetto JSON: the cycle's start in whole nanoseconds
// (rounded; distinct for every cycle since the clock is at most 1000 MHz), as
// the Trace Event Format's microseconds. Slices are written from these, so
// one slice's ts + dur is the next one's ts exactly as a viewer reads them.
int64_t perfetto_ns(int64_t cycle, double clock_mhz);

}  // namespace vine::trace
