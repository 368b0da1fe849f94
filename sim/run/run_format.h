// A run's report for people and for programs: the text summary `vine run`
// prints, and the JSON `vine run --json` writes (its fields are listed in
// docs/simulation.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/estimate/estimate.h"
#include "sim/run/run_report.h"

namespace vine::sim {

// The estimate's fields with simulated values, plus the run's own (README/docs list them).
nlohmann::json to_json(const RunReport& r, const estimate::Estimate& e);
std::string format_summary(const RunReport& r);

}  // namespace vine::sim
