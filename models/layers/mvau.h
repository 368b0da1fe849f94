// Matrix-vector-activation unit (finn-hlslib MVAU / Matrix_Vector_Activate_Batch):
// one flat II = 1 loop of NF * SF iterations per input vector. The SIMD-wide
// input beat is read during the nf == 0 pass and buffered for the other NF-1
// passes; the PE-wide output beat is written at sf == SF-1, after the PE
// array's dot products and the output unit (thresholds or requantiser).
// With its weights in DDR the unit has a second input, the weight stream
// (weight_streamer.h): every iteration reads one weight word of PE x SIMD
// weights, and the lanes accumulate each as it comes (weight_lanes.h).
// On the RTL back-end the PE array is Verilated lanes units clocked with the
// stage's pipeline (rtl_pe_array.h).
#pragma once

#include <memory>
#include <vector>

#include "models/pe/dot_product.h"
#include "models/pe/output_unit.h"
#include "models/pe/weight_lanes.h"
#include "models/pe/row_block.h"
#include "models/pe/rtl_pe_array.h"
#include "models/stage/stage.h"

namespace vine::models {

struct MatrixGeometry {
  int64_t mw = 0, mh = 0;  // matrix width (synapses) and height (neurons)
  int simd = 1, pe = 1;
  int64_t vectors = 1;     // input vectors per frame (output pixels)
};

class Mvau final : public Stage {
 public:
  Mvau(std::string name, PipelineTiming t, int frames, MatrixGeometry g, std::vector<RowBlock> rows, OutputUnit out);
  // Weights from a stream on input 1, computed by `lanes` (null in timing-only runs).
  Mvau(std::string name, PipelineTiming t, int frames, MatrixGeometry g, std::unique_ptr<WeightLanes> lanes,
       OutputUnit out);
  // The PE array on Verilated units (the RTL back-end).
  Mvau(std::string name, PipelineTiming t, int frames, MatrixGeometry g, std::unique_ptr<RtlPeArray> rtl,
       OutputUnit out);
  const char* kind() const override { return "mvau"; }
  int64_t frame_span() const override { return g_.vectors * vector_span(); }

  // Bit-serial lanes (on-chip weights; the C++ back-end, or on RTL
  // mvau_lanes_bitserial in each PE, whose beats it offers at each fold's
  // first cycle): fold nf takes
  // `fold_cycles[nf]` cycles (its channel group's weight bits) instead of one.
  // Before the run.
  void set_bit_serial(std::vector<int> fold_cycles);

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    total_vectors_ += frames * g_.vectors;
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;
  void advancing(int64_t index, int64_t cycle, int64_t advances, int64_t bubbles, bool bubble) override {
    rtl_->advancing(index, cycle, advances, bubbles, bubble);
  }

 private:
  RtlBeat beat_of(int64_t index) const;  // the PE array's beat at iteration `index`
  bool next_bit_serial(Iteration& it);
  // Loop indices one input vector spans.
  int64_t vector_span() const { return fold_cycles_.empty() ? nf_count_ * sf_count_ : bit_serial_span_; }

  MatrixGeometry g_;
  int64_t sf_count_, nf_count_, total_vectors_;
  std::vector<RowBlock> rows_;
  bool streamed_ = false;
  std::unique_ptr<WeightLanes> lanes_;
  std::unique_ptr<RtlPeArray> rtl_;
  OutputUnit out_;
  int64_t v_ = 0, nf_ = 0, sf_ = 0;  // cursor
  int64_t write_nf_ = 0, read_sf_ = 0, index_ = 0;  // of the iteration next_iteration gave
  std::vector<int32_t> vector_;      // the buffered input vector
  // Bit-serial: cycles of a fold of each nf, where each nf's folds begin in a
  // vector's span, the span; and whether the nf == 0 pass has read its last
  // fold and its write is next.
  std::vector<int64_t> fold_cycles_, fold_start_;
  int64_t bit_serial_span_ = 0;
  bool write_pending_ = false;
  std::vector<int64_t> acc_;         // one neuron fold's accumulators
};

}  // namespace vine::models
