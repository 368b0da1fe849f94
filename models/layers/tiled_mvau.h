// The MVAU of a conv layer whose weights stream from DDR under a row or
// frame schedule (Nguyen et al.; docs/ddr-weights.md): it computes a tile of
// T output pixels (an output row, or the whole frame) weights-outer, so each
// weight word is read from DDR once per tile instead of once per pixel.
//
// One II = 1 loop over ping-pong buffers, as one HLS loop would run it:
//   prologue  T x SF iterations, each reading one input beat of tile 0;
//   tile t    n = NF x SF x T iterations (nf, sf, x): the one with x == 0
//             reads the weight word (nf, sf) and applies it to the tile's T
//             input vectors; meanwhile T x SF of them, spread evenly over the
//             n, read tile t+1's input beats into the other input buffer, and
//             T x NF, spread likewise, write tile t-1's outputs, pixel-major as
//             the stream wants them, from the other output buffer;
//   epilogue  T x NF iterations writing the last tile's outputs.
// A frame therefore costs NF x SF x V cycles of work, as the MVAU's, and the
// weight stream carries NF x SF words per tile.
#pragma once

#include <memory>
#include <vector>

#include "models/layers/mvau.h"
#include "models/pe/weight_lanes.h"

namespace vine::models {

class TiledMvau final : public Stage {
 public:
  // `tile`: output pixels per tile, dividing g.vectors; `lanes` null in timing-only runs.
  TiledMvau(std::string name, PipelineTiming t, int frames, MatrixGeometry g, int64_t tile,
            std::unique_ptr<WeightLanes> lanes, OutputUnit out);
  const char* kind() const override { return "mvau"; }

 protected:
  bool next_iteration(Iteration& it) override;
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  enum class Phase { kPrologue, kTile, kEpilogue, kDone };
  MatrixGeometry g_;
  int64_t sf_count_, nf_count_, tile_, tiles_;
  std::unique_ptr<WeightLanes> lanes_;
  OutputUnit out_;
  Phase phase_ = Phase::kPrologue;
  int64_t t_ = 0, i_ = 0, index_ = 0;  // cursor: tile, iteration within the phase, loop index
  // What the current iteration touches.
  int64_t in_tile_ = 0, in_beat_ = 0;    // the input beat it reads
  int64_t nf_ = 0, sf_ = 0;              // the weight word it reads (x == 0)
  int64_t compute_tile_ = 0;             // the tile that word is applied to
  int64_t out_tile_ = 0, out_beat_ = 0;  // the output beat it writes
  std::vector<int32_t> in_[2];           // per tile buffer: T vectors of MW codes
  std::vector<int32_t> outputs_[2];      // per tile buffer: T pixels of MH codes
  std::vector<int64_t> acc_;             // T x PE accumulators of the fold nf
};

}  // namespace vine::models
