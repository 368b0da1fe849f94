#include "sim/finn_config/finn_op_types.h"

namespace vine::finn {

const std::vector<FinnOpType>& finn_op_types() {
  // kind, op_type, default style, both styles, PE, SIMD. FMPadding and the
  // sliding window carry their lanes as SIMD, VVAU both (its SIMD is over
  // the kernel's taps), StreamingConcat its SIMD.
  static const std::vector<FinnOpType> table{
      {"fmpadding", "FMPadding", "rtl", true, false, true},
      {"swg", "ConvolutionInputGenerator", "rtl", true, false, true},
      {"downsampler", "DownSampler", "hls", false, false, true},
      {"mvau", "MVAU", "hls", true, true, true},
      {"vvau", "VVAU", "hls", true, true, true},
      {"threshold", "Thresholding", "rtl", true, true, false},
      {"channelwise", "ChannelwiseOp", "hls", false, true, false},
      {"maxpool", "StreamingMaxPool", "hls", false, true, false},
      {"avgpool", "Pool", "hls", false, true, false},
      {"addstreams", "AddStreams", "hls", false, true, false},
      {"concat", "StreamingConcat", "hls", false, false, true},
      {"duplicate", "DuplicateStreams", "hls", false, true, false},
      {"dwc", "StreamingDataWidthConverter", "", true, false, false},
  };
  return table;
}

const FinnOpType* finn_op_type_of(const std::string& kind) {
  for (const FinnOpType& t : finn_op_types())
    if (t.kind == kind) return &t;
  return nullptr;
}

std::vector<std::string> kinds_with_both_styles() {
  std::vector<std::string> out;
  for (const FinnOpType& t : finn_op_types())
    if (t.both_styles && !t.default_style.empty()) out.push_back(t.kind);
  return out;
}

std::string finn_dwc_style(int in_bits, int out_bits) {
  return in_bits % out_bits == 0 || out_bits % in_bits == 0 ? "rtl" : "hls";
}

}  // namespace vine::finn
