// The MVAU stage kind: the matrix-vector-activation unit of conv and fc
// layers, thresholds or requantiser embedded.
#include "models/layers/mvau.h"
#include "models/layers/tiled_mvau.h"
#include "models/layers/stage_kinds.h"
#include "models/pe/pe_timing.h"
#include "sim/estimate/resource_model.h"

namespace vine::kinds {

void register_mvau_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "mvau";
  k.role = "mvau";
  k.summary =
      "Matrix-vector-activation unit (finn-hlslib Matrix_Vector_Activate_Batch): PE rows x SIMD "
      "lanes over the "
      "layer's MW x MH weight matrix, NF x SF folds per input vector, output unit embedded.";
  k.params = {{"pe", &ir::StagePlan::pe,
               "PE: output channels (weight rows) computed at once; NF = MH / PE"},
              {"simd", &ir::StagePlan::simd,
               "SIMD: input elements per beat and lanes per PE; SF = MW / SIMD"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.from_layer = [](const LayerSite& site, ir::StagePlan& s) {
    const ir::Layer& l = site.layer;
    const ir::LayerFolding& f = site.folding;
    s.in_stream_bits = f.simd * l.in_type.bits;
    // Thresholds a stage of their own: the MVAU writes accumulators.
    s.out_stream_bits = f.pe * (f.separate_thresholds() ? ir::accumulator_bits(l) : l.out_type.bits);
    s.in_words = l.output_pixels() * l.matrix_width() / f.simd;
    s.out_words = l.output_pixels() * l.matrix_height() / f.pe;
  };
  k.make = [](const StageBuild& b) -> std::unique_ptr<models::Stage> {
    const ir::StagePlan& s = b.plan;
    const ir::Layer& l = b.layer();
    const models::MatrixGeometry g{l.matrix_width(), l.matrix_height(), s.simd, s.pe,
                                   l.output_pixels()};
    const ir::LayerFolding& f = b.design.folding_of(s.layer);
    if (b.weights_streamed() && f.weight_schedule != ir::WeightSchedule::kVector) {
      // A row or frame schedule: a tile of one output row, or of the frame.
      const int64_t tile = f.weight_schedule == ir::WeightSchedule::kRow ? l.out_shape.w : l.output_pixels();
      return std::make_unique<models::TiledMvau>(s.name, b.timing, b.frames, g, tile,
                                                 b.weight_lanes(),
                                                 b.output_unit());
    }
    if (b.weights_streamed())  // weights from DDR on input 1
      return std::make_unique<models::Mvau>(
          s.name, b.timing, b.frames, g, b.weight_lanes(),
          b.output_unit());
    models::PipelineTiming t = b.timing;
    std::unique_ptr<models::Mvau> mvau;
    if (auto rtl = b.rtl_pe_array ? b.rtl_pe_array(t) : nullptr)
      mvau = std::make_unique<models::Mvau>(s.name, t, b.frames, g, std::move(rtl), b.output_unit());
    else {
      auto rows = b.pe_rows(t);
      mvau = std::make_unique<models::Mvau>(s.name, t, b.frames, g, std::move(rows), b.output_unit());
    }
    if (f.bit_serial) {  // check_design: on-chip weights
      std::vector<int> fold_cycles;
      for (int64_t nf = 0; nf < g.mh / g.pe; ++nf) fold_cycles.push_back(models::bit_serial_fold_cycles(l, nf * g.pe));
      mvau->set_bit_serial(std::move(fold_cycles));
    }
    return mvau;
  };
  k.timing = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    const ir::LayerFolding& f = d.folding_of(s.layer);
    // Thresholds a stage of their own: no output unit in the MVAU's pipeline.
    return models::PipelineTiming{(f.bit_serial ? models::bit_serial_pipeline_depth(l, s.simd)
                                                : models::pe_array_latency(l, s.simd)) +
                                      models::weight_decoder_latency(f) -
                                      (f.separate_thresholds() ? models::output_unit_latency(l) : 0),
                                  -1};
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    // NF * SF folds per output vector, one fold per cycle; on bit-serial
    // lanes a fold of w-bit weights takes w cycles.
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    const int64_t sf = l.matrix_width() / s.simd, nf = l.matrix_height() / s.pe;
    if (!d.folding_of(s.layer).bit_serial) return nf * sf * l.output_pixels();
    int64_t cycles = 0;
    for (int64_t n = 0; n < nf; ++n) cycles += sf * models::bit_serial_fold_cycles(l, n * s.pe);
    return cycles * l.output_pixels();
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design& d) {
    ir::Resources r = estimate::compute_unit_resources(s, d);
    r += estimate::schedule_buffer_resources(d.network.layers.at(size_t(s.layer)), d.folding_of(s.layer));
    return r;
  };
  r.add(std::move(k), ir::StageKind::kMvau);
}

}  // namespace vine::kinds
