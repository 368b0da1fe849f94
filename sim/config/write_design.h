// Writes a design config back out with new FIFO depths: what `vine fifo-size`
// saves. The design file is copied key by key (comments are not kept), its
// `fifos:` list replaced by one entry per FIFO of the design (every edge of
// the layer graph with from/to, every stream inside a layer given its own
// depth with stream:), and its network and device paths rewritten relative
// to the new file, so that it loads from wherever it is written.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/ir/design.h"

namespace vine::config {

// `d` was loaded from d.path; `out_path` is where the text will be saved
// (for the relative paths); `header` becomes comment lines at the top.
void write_design_with_fifos(const ir::Design& d, const std::string& out_path, const std::string& header,
                             std::ostream& out);

// The same with every layer's folding (`pe`, and `simd` where the layer
// kind has one) set to `d`'s, the layers' other settings kept, and the FIFOs
// as the file had them: what `vine dse` saves.
void write_design_with_folding(const ir::Design& d, const std::string& out_path, const std::string& header,
                               std::ostream& out);

// The same with the folding, every layer's weight_memory where it differs
// from the design-wide one, the FINN styles (`finn_impl:`, design-wide and
// per layer) and the FIFOs all set to `d`'s: what `vine import finn-config`
// saves.
void write_design_with_finn_config(const ir::Design& d, const std::string& out_path, const std::string& header,
                                   std::ostream& out);

// The same with the folding, and `cluster:` and `placement:` set to `d`'s
// placement (its cluster's path made relative to the new file): what `vine
// partition -o` saves, a split design `vine run` simulates as it is.
void write_design_with_placement(const ir::Design& d, const std::string& out_path, const std::string& header,
                                 std::ostream& out);

// The same with every layer's weight_memory set to `d`'s where it differs
// from the design-wide one (removed where it equals it), everything else as
// the file had it: what `vine dataflow` saves.
void write_design_with_weight_memory(const ir::Design& d, const std::string& out_path, const std::string& header,
                                     std::ostream& out);

// The same with the folding, every layer's weight_memory (and schedule) where
// it differs from the design-wide one, and, for each layer `overridden`
// marks (one entry per network layer), the layer's weights as `d`'s network
// holds them written as the design's per-layer override (`weights:`, or
// `channel_groups:`): what `vine dse` saves for a point that changes the
// weights' arithmetic or placement.
void write_design_with_layer_choices(const ir::Design& d, const std::vector<bool>& overridden,
                                     const std::string& out_path, const std::string& header, std::ostream& out);

}  // namespace vine::config
