// The timing parameters of a stage's HLS pipeline (models/stage/stage.h),
// stated by each stage kind's registry entry (models/layers/*_kind.cpp) and
// overridable per design. Plain data: the analytic model reads it without
// SystemC.
#pragma once

namespace vine::models {

struct PipelineTiming {
  int depth = 1;            // read-to-write distance P in cycles
  int reentry_cycles = -1;  // -1: one flat loop over all frames; else the loop is
                            // re-entered per frame, paying depth + reentry_cycles
  // A flushing pipeline (HLS `pipeline style=flp`, which finn-hlslib's
  // templates use since 2022; FINN's RTL MVU, whose clock enable depends on
  // the output side only): an iteration that finds no beat to read does not
  // stop the iterations in flight, they move on and write, and a bubble
  // enters instead. Only a full output stops the whole pipeline. false: the
  // stall pipeline (HLS's default style, the finn-hlslib of BNN-PYNQ's
  // builds), in which a read that waits stops every iteration in flight.
  bool flushes = false;
  // Whether the style matters: with depth 0 nothing is ever in flight, and
  // the two styles time a stage alike.
  bool flushing() const { return flushes && depth > 0; }
};

}  // namespace vine::models
