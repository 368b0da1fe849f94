// Which FINN node a Vine stage kind is in a FINN build: its op_type (MVAU,
// ConvolutionInputGenerator, ...), whether FINN has it as HLS, RTL or both,
// which one current finn-examples builds use, and the folding attributes
// its node has. One table for `vine fifo-size`'s hardware config, `vine
// export finn` and `vine import finn-config` (docs/finn-configs.md).
//
// FINN names a node `<op_type>_<style>_<index>` after SpecializeLayers
// (MVAU_hls_3, ConvolutionInputGenerator_rtl_0). Default styles, from
// finn-examples' published folding configs (commit 810a1e7): MVAU and VVAU
// HLS, sliding window, padding and thresholding RTL; the pools, adders,
// duplicators and concatenation exist only as HLS. A width converter's
// style is not a setting: FINN makes it RTL when one width divides the
// other, HLS otherwise (specialize_layers.py).
#pragma once

#include <string>
#include <vector>

namespace vine::finn {

struct FinnOpType {
  std::string kind;           // Vine's stage kind ("mvau")
  std::string op;             // FINN's op_type before its style suffix ("MVAU")
  std::string default_style;  // "hls" or "rtl": what current finn-examples builds use
  bool both_styles = false;   // FINN has an HLS and an RTL variant
  bool pe = false, simd = false;  // the folding attributes FINN's node has
};

// The FINN node of a Vine stage kind; nullptr for kinds with none (the
// DMAs: FINN inserts its IODMAs after the FIFOs are named, outside the
// graph a folding config describes) and for kinds added at run time.
const FinnOpType* finn_op_type_of(const std::string& kind);

// Every entry, in the table's order.
const std::vector<FinnOpType>& finn_op_types();

// The Vine kinds a design's `finn_impl:` may set (FINN builds them both ways).
std::vector<std::string> kinds_with_both_styles();

// FINN's choice for a StreamingDataWidthConverter from in_bits to out_bits.
std::string finn_dwc_style(int in_bits, int out_bits);

}  // namespace vine::finn
