// MVAU_rtl (finn-rtllib/mvu/mvu_vvu_axi.sv with the DSP48 compute cores
// mvu_8sx8u_dsp48.sv and mvu_4sx4u.sv): the loop is a cycle slot per fold,
// NF * SF slots per input vector as in the HLS unit (mvau.h), but the input
// side is decoupled from the core by the activation replay buffer
// (replay_buffer.sv) and the output leaves through a register slice:
//   - replay buffer (NF > 1; with NF = 1 it is a wire): 2^ceil(log2 SF)
//     entries (at least 2); an input beat is accepted while an entry is free
//     (WP - FP below the capacity), an entry frees in the cycle after its
//     last replay reads it, and a beat accepted in cycle w reaches the core
//     in cycle w + 2 (Mem write, then the ODat register). So the core's fold
//     of slot j is consumed in slot j + 2, and the next vector is read
//     during the current vector's last pass instead of in its first one;
//   - core: the `last` flag's pipeline L[1:5] of both DSP48 cores, 5 cycles
//     from a vector fold's last beat to its PE results (vld);
//   - output: register B of the A/B slice in mvu_vvu_axi.sv, 1 cycle.
// Reads come at the slots the replay buffer accepts them when its input is
// always valid; writes P = 6 slots after the core takes a neuron fold's
// last beat. A late input beat stops the model's whole loop from its read
// slot, where the RTL core would go on replaying the buffered vector until
// it needs that beat; a full output stops it at once, where the A/B slice
// holds one more result: exact when neither waits.
#pragma once

#include <memory>
#include <vector>

#include "models/layers/mvau.h"
#include "models/pe/output_unit.h"
#include "models/pe/row_block.h"
#include "models/stage/stage.h"

namespace vine::models {

// The replay buffer's slots (index in the stage's loop, counted from the
// first input beat) of the RTL MVAU's reads and writes.
struct MvauRtlSlots {
  int64_t sf = 1, nf = 1;
  int64_t capacity = 0;  // replay buffer entries (0: none, NF = 1)
  int64_t core_offset = 0;  // slots from a beat's acceptance to the core, for a beat read at once: 2, or 0 without replay
  // Slot of the i-th input beat (counted over all vectors).
  int64_t read_slot(int64_t i, int64_t prev) const;
  // Slot in which the core takes fold (v, nf, SF-1): the neuron fold's write issues there.
  int64_t write_slot(int64_t v, int64_t n) const { return (v * nf + n) * sf + sf - 1 + core_offset; }
};
MvauRtlSlots mvau_rtl_slots(const MatrixGeometry& g);

class MvauRtl final : public Stage {
 public:
  MvauRtl(std::string name, PipelineTiming t, int frames, MatrixGeometry g, std::vector<RowBlock> rows, OutputUnit out);
  const char* kind() const override { return "mvau_rtl"; }
  int64_t frame_span() const override { return g_.vectors * slots_.nf * slots_.sf; }
  // Beats of frame f read before the stage's cut of frame f (its first loop
  // index f * frame_span()): the replay buffer takes the next vector's beats
  // during the current vector's last pass, at most its capacity ahead of the
  // core (read_slot), so at most `capacity` beats of frame f.
  int64_t beats_read_before_cut() const override { return slots_.capacity; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    total_vectors_ += frames * g_.vectors;
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  static constexpr int kVectors = 4;  // vectors in flight: the one finishing, the current, the next (and one spare)
  MatrixGeometry g_;
  MvauRtlSlots slots_;
  int64_t total_vectors_;
  std::vector<RowBlock> rows_;
  OutputUnit out_;
  int64_t next_read_ = 0, read_at_ = -1;  // input beats issued, and the slot of the last
  int64_t next_write_ = 0;                // neuron folds issued (v * NF + nf)
  int64_t read_beat_ = 0, write_fold_ = 0;  // of the iteration next_iteration gave
  std::vector<std::vector<int32_t>> vectors_;  // a ring of kVectors input vectors
  std::vector<int64_t> acc_;
};

}  // namespace vine::models
