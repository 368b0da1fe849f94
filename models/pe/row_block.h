// The PE array's arithmetic for a run of output channels (weight rows): one
// dot-product unit per channel group, or one for the layer. The MVAU and the
// VVAU compute with them; the run chooses C++ or Verilated RTL units.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/pe/dot_product.h"

namespace vine::models {

struct RowBlock {
  int64_t first_row = 0, rows = 0;
  std::unique_ptr<DotProductUnit> unit;
};

// The unit that holds weight row `row`.
inline DotProductUnit& unit_of_row(const std::vector<RowBlock>& blocks, int64_t row) {
  for (const auto& b : blocks)
    if (row >= b.first_row && row < b.first_row + b.rows) return *b.unit;
  return *blocks.front().unit;
}

}  // namespace vine::models
