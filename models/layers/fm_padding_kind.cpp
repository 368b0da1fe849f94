// The FMPadding stage kind: writes the pad code around the feature map, ahead
// of a padded conv's window generator, or as a pad layer of its own.
#include "models/layers/fm_padding.h"
#include "models/layers/stage_kinds.h"

namespace vine::kinds {

void register_fm_padding_kinds(StageKindRegistry& r) {
  StageKindEntry k;
  k.name = "fmpadding";
  k.role = "pad";
  k.summary =
      "FMPadding: copies the feature map and writes the pad code around it, PE channels per beat.";
  k.params = {
      {"ifm_h", &ir::StagePlan::ifm_h, "rows it reads"},
      {"ifm_w", &ir::StagePlan::ifm_w, "columns it reads"},
      {"ofm_h", &ir::StagePlan::ofm_h, "rows it writes, padding included"},
      {"ofm_w", &ir::StagePlan::ofm_w, "columns it writes, padding included"},
      {"channels", &ir::StagePlan::channels, "channels per pixel"},
      {"pe", &ir::StagePlan::pe, "channels per beat: the SIMD or PE of the layer it pads for"}};
  for (auto& p : input_stream_params()) k.params.push_back(p);
  for (auto& p : output_stream_params()) k.params.push_back(p);
  k.forwards_elements = true;
  k.needed = [](const LayerSite& site) { return site.layer.pad.any(); };
  k.from_layer = [](const LayerSite& site, ir::StagePlan& s) {
    const ir::Layer& l = site.layer;
    // Its own SIMD (`padding_simd`), else the lanes the layer's input has.
    const int lanes = site.folding.padding_simd > 0 ? site.folding.padding_simd : site.input_lanes();
    s.pe = lanes;
    s.ofm_h = s.ifm_h + l.pad.top + l.pad.bottom;
    s.ofm_w = s.ifm_w + l.pad.left + l.pad.right;
    s.in_stream_bits = s.out_stream_bits = lanes * l.in_type.bits;
    s.in_words = int64_t{s.ifm_h} * s.ifm_w * s.channels / lanes;
    s.out_words = int64_t{s.ofm_h} * s.ofm_w * s.channels / lanes;
  };
  k.make = [](const StageBuild& b) {
    const ir::StagePlan& s = b.plan;
    const ir::Layer& l = b.layer();
    models::PaddingGeometry g;
    g.in_h = s.ifm_h;
    g.in_w = s.ifm_w;
    g.top = l.pad.top, g.left = l.pad.left, g.bottom = l.pad.bottom, g.right = l.pad.right;
    g.lanes = s.in_stream_bits / l.in_type.bits;
    g.channel_folds = s.channels / g.lanes;
    g.pad_code = l.pad_value;
    return std::make_unique<models::FmPadding>(s.name, b.timing, b.frames, g);
  };
  k.timing = [](const ir::StagePlan&, const ir::Design&) {
    return models::PipelineTiming{1,
                                  -1};  // read-to-write distance 1 in HLS-generated RTL (finn-hlslib)
  };
  k.cycles = [](const ir::StagePlan& s, const ir::Design&) {
    return int64_t{s.ofm_h} * s.ofm_w * (s.channels / s.pe);  // one output beat per cycle
  };
  k.resources = [](const ir::StagePlan& s, const ir::Design&) {
    ir::Resources res;
    res.lut = 50 + double(s.out_stream_bits);
    res.ff = 50 + double(s.out_stream_bits);
    return res;
  };
  r.add(std::move(k), ir::StageKind::kFmPadding);
}

}  // namespace vine::kinds
