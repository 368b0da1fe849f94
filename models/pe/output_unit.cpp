#include "models/pe/output_unit.h"

namespace vine::models {

OutputUnit::OutputUnit(const ir::Layer& l, const golden::LayerParams& p)
    : kind_(l.has_output_stage() ? l.output.kind : ir::OutputKind::kAccumulator), t_(p.thresholds), r_(p.requant) {
  if (kind_ == ir::OutputKind::kThreshold) per_channel_ = t_.steps && t_.values.size() / size_t(t_.steps) > 1;
  if (kind_ == ir::OutputKind::kRequant) per_channel_ = r_.multiplier.size() > 1;
}

}  // namespace vine::models
