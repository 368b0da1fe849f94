// `vine import finn-config`: a FINN folding config (or a final hardware
// config) applied to a Vine design (docs/finn-configs.md). Every node of the
// config is found in the design's FINN graph by its name (finn_graph.h) and
// its values set on the design:
// - PE and SIMD on the layer they fold (a sliding window's or padding's
//   SIMD is the lanes of the layer it feeds: a convolution's SIMD, a
//   depthwise convolution's or pool's PE); two nodes giving one layer
//   different values, or a value that does not divide what it folds, is an
//   error;
// - an MVAU's or VVAU's ram_style and mem_mode as the layer's
//   weight_memory (finn_weight_memory.h);
// - a StreamingFIFO's depth (and FINN's impl_style and ram_style, carried
//   where they differ from FINN's own choice) on the Vine stream it is; when
//   the config lists FIFOs (a build with auto_fifo_depths off), every FIFO
//   it does not list takes InsertFIFO's default depth, 2; a config without
//   FIFOs leaves the design's FIFOs as they are;
// - the style suffixes (MVAU_hls, MVAU_rtl) as the design's `finn_impl`,
//   per layer where the config mixes them (then in graph order);
// - the pipelines' style is the design's own: node names with those
//   suffixes come from FINN v0.10 on, whose templates are flushing pipelines
//   (finn-hlslib's since 2022, the RTL MVU), so a design that states no
//   `pipeline_style` (stall, the default) is reported (an export and apply
//   must give the design back, so the apply does not change it);
// - nodes FINN has and Vine not (the input quantiser's Thresholding before
//   the first layer, ChannelwiseOp and LabelSelect after the last) are
//   recognised by their place and reported, not applied; the ChannelwiseOp
//   nodes before them, one per channelwise layer in graph order, are the
//   design's.
// resType and the other attributes that carry no timing in Vine are checked
// and reported as not applied. Anything else is a FinnConfigError naming the
// node, the field and the value.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/finn_config/finn_graph.h"
#include "sim/ir/design.h"

namespace vine::finn {

class FinnConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value the config gives that Vine does not apply, and why.
struct NotApplied {
  std::string node, field, value, why;
};

struct AppliedConfig {
  ir::Design design;
  FinnOnlyNodes finn_only;             // what the config showed FINN's graph has besides Vine's stages
  int nodes = 0, fifos = 0;            // config entries applied (FIFOs among them)
  int fifos_defaulted = 0;             // Vine's FIFOs set to InsertFIFO's default (unlisted)
  bool style_unstated = false;         // the design states no pipeline_style: stall, where FINN v0.10's flush
  std::vector<NotApplied> not_applied;
};

// `config_path` names the file in messages.
AppliedConfig apply_finn_config(const ir::Design& d, const nlohmann::ordered_json& config,
                                const std::string& config_path);

// Reads a JSON file; FinnConfigError if it cannot be read or parsed.
nlohmann::ordered_json read_finn_config(const std::string& path);

}  // namespace vine::finn
