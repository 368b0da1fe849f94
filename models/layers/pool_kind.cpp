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
              (average ? ": floor(sum / (KH x KW))." : ".");
  k.params = {{"ifm_h", &ir::StagePlan::ifm_h, "input rows"},
              {"ifm_w", &ir::StagePlan::ifm_w, "input columns"},
              {"ofm_h", &ir::StagePlan::ofm_h, "output rows"},
              {"ofm_w", &ir::StagePlan::ofm_w, "output columns"},
              {"channels", &ir::StagePlan::channels, "channels, C"},
              {"kernel_h", &ir::StagePlan::kernel_h, "window rows, KH"},
              {"kernel_w", &ir::StagePlan::kernel_w, "window columns, KW"},
              {"stride_h", &ir::StagePlan::stride_h, "rows between windows"},
              {"stride_w", &ir::StagePlan::stride_w, "columns between windows"},
              {"pe", &ir::StagePlan::pe, "PE: channels per beat"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.from_layer = plan_pe_streams;
  k.make = [average](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    models::PoolGeometry g;
    g.in_h = s.ifm_h, g.in_w = s.ifm_w, g.out_h = s.ofm_h, g.out_w = s.ofm_w;
    g.kernel_h = s.kernel_h, g.kernel_w = s.kernel_w, g.stride_h = s.stride_h, g.stride_w = s.stride_w;
    g.channels = s.channels, g.pe = s.pe, g.average = average;
    return std::make_unique<models::Pool>(s.name, b.timing, b.frames, g);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) { return models::PipelineTiming{1, -1}; };
  k.cycles = [](const ir::StagePlan& s, const ir::Design&) {
    return int64_t{s.ifm_h} * s.ifm_w * (s.channels / s.pe);  // every input pixel is read once
  };
  k.resources = [average](const ir::StagePlan& s, const ir::Design& d) {
    const ir::Layer& l = d.network.layers.at(size_t(s.layer));
    // An average pool sums KH x KW values: log2(KH) + log2(KW) more bits.
    const int bits = average ? l.in_type.bits + ceil_log2(s.kernel_h) + ceil_log2(s.kernel_w) : l.in_type.bits;
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
