// The channelwise stage kind: FINN's ChannelwiseOp (a channelwise layer).
#include <algorithm>

#include "models/layers/channelwise_op.h"
#include "models/layers/stage_kinds.h"

namespace vine::kinds {

void register_channelwise_op_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "channelwise";
  k.role = "channelwise";
  k.summary =
      "ChannelwiseOp (finn-hlslib Thresholding_Batch with a ChannelWiseOperation) of a channelwise layer: "
      "each element combined with its channel's parameter (add, mul, cmp_le, cmp_ge); PE channels per beat, "
      "one beat per cycle. Pipeline depth assumed 2 (parameter read, operation): finn-hlslib fixes only its II of 1.";
  k.params = {{"pe", &ir::StagePlan::pe, "PE: channels per beat"},
              {"ofm_h", &ir::StagePlan::ofm_h, "rows"},
              {"ofm_w", &ir::StagePlan::ofm_w, "columns"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.from_layer = plan_pe_streams;
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    const ir::Layer& l = b.layer();
    return std::make_unique<models::ChannelwiseOp>(s.name, b.timing, b.frames, s.in_words, l.out_shape.c, s.pe,
                                                   l.channelwise->function,
                                                   b.params ? b.params->channel_params : std::vector<int32_t>{});
  };
  // Thresholding_Batch's loop is pipelined at II = 1; its depth is HLS's
  // schedule, which finn-hlslib's source does not fix. Assumed: one cycle to
  // read the parameter memory at the beat's channel fold, one for the
  // operation (the summary says so in docs/stage-kinds.md).
  k.timing = [](const ir::StagePlan&, const ir::Design&) { return models::PipelineTiming{2, -1}; };
  // FINN's get_exp_cycles: the folded shape without PE, N x H x W x C / PE.
  k.cycles = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    return int64_t{s.ofm_h} * s.ofm_w * (l.out_shape.c / s.pe);
  };
  // FINN's ChannelwiseOp_hls.lut_estimation, ram_style distributed: A x PE
  // for the operators (A: input bits) and, where the parameter memory is
  // deeper than one word (TMEM = C / PE > 1), PE x A x ceil(TMEM / 64) of
  // LUTRAM. FINN estimates no flip-flops for the node: the stream registers
  // are counted.
  k.resources = [](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    const int64_t a = l.in_type.bits, tmem = l.out_shape.c / s.pe;
    ir::Resources res;
    res.lut = double(a * s.pe) + (tmem > 1 ? double(s.pe * a * ((tmem + 63) / 64)) : 0.0);
    res.ff = double(s.in_stream_bits + s.out_stream_bits);
    return res;
  };
  r.add(std::move(k));
}

}  // namespace vine::kinds
