// The maxpool and avgpool stage kinds: one pooling unit (models::Pool),
// comparing or summing its windows.
#include "models/layers/pool.h"
#include "models/layers/stage_kinds.h"
#include "sim/estimate/resource_model.h"

namespace vine::kinds {

namespace {

int ceil_log2(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}

StageKindEntry pool_kind(bool average) {
  StageKindEntry k;
  k.name = average ? "avgpool" : "maxpool";
  k.role = "pool";
  k.summary = std::string(average ? "Average" : "Max") +
              " pool (finn-hlslib StreamingMaxPool / Pool_batch): reads every input pixel once, PE "
              "channels per "
              "beat, and writes a beat when it completes a window" +
              (average ? ": floor(sum / K^2)." : ".");
  k.params = {{"ifm_h", &ir::StagePlan::ifm_h, "input rows"},
              {"ifm_w", &ir::StagePlan::ifm_w, "input columns"},
              {"ofm_h", &ir::StagePlan::ofm_h, "output rows"},
              {"ofm_w", &ir::StagePlan::ofm_w, "output columns"},
              {"channels", &ir::StagePlan::channels, "channels, C"},
              {"kernel", &ir::StagePlan::kernel, "window side, K"},
              {"stride", &ir::StagePlan::stride, "rows and columns between windows"},
              {"pe", &ir::StagePlan::pe, "PE: channels per beat"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.from_layer = plan_pe_streams;
  k.make = [average](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    models::PoolGeometry g{s.ifm_h,  s.ifm_w,    s.ofm_h, s.ofm_w, s.kernel,
                           s.stride, s.channels, s.pe,    average};
    return std::make_unique<models::Pool>(s.name, b.timing, b.frames, g);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) { return models::PipelineTiming{1, -1}; };
  k.cycles = [](const ir::StagePlan& s, const ir::Design&) {
    return int64_t{s.ifm_h} * s.ifm_w * (s.channels / s.pe);  // every input pixel is read once
  };
  k.resources = [average](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    // An average pool sums K^2 values: 2 log2(K) more bits.
    const int bits = average ? l.in_type.bits + 2 * ceil_log2(s.kernel) : l.in_type.bits;
    // One row of partial results.
    ir::Resources res =
        estimate::buffer_resources(int64_t{s.pe} * bits, int64_t{s.ofm_w} * (s.channels / s.pe));
    res.lut += 100 + double(s.pe) * bits * 2;  // compare/accumulate and select per lane
    res.ff += 100 + double(s.pe) * bits * 2;
    return res;
  };
  return k;
}

}  // namespace

void register_pool_kinds(StageKindRegistry& r) {
  r.add(pool_kind(false), ir::StageKind::kMaxPool);
  r.add(pool_kind(true), ir::StageKind::kAvgPool);
}

}  // namespace vine::kinds
