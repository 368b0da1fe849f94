#include "sim/trace/traces.h"

namespace vine::trace {
void write_vcd(const sim::ProcessNetwork&, std::ostream&) {}
void write_perfetto(const sim::ProcessNetwork&, double, std::ostream&) {}
}  // namespace vine::trace
