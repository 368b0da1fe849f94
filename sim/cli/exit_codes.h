#pragma once

namespace vine::cli {

// Documented in README.md.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;       // bad command line or bad config
constexpr int kExitSimulation = 2;  // simulation or validation failure (mismatch, deadlock)

}  // namespace vine::cli
