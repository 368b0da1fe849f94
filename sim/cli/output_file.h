// Files the commands write (--json, --vcd, --perfetto): written whole or not
// at all, and never over one of the run's inputs. A path is only checked
// before the run (its folder exists and is writable, it is not a folder, it
// names none of the configs read); the text goes to a temporary file beside
// it, renamed over the path once complete, so a failed or interrupted write
// leaves the old file as it was.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/ir/design.h"

namespace vine::cli {

// The configs a design was read from: the design, its network and device.
std::vector<std::string> input_files(const ir::Design& d);

// Empty when --`option` may write `path`, else the error message.
std::string check_output_path(const std::string& option, const std::string& path,
                              const std::vector<std::string>& inputs);

// Writes what `fill` streams to `path`; false, with a message on stderr, when
// the file cannot be written completely (a full disk included).
bool write_output(const std::string& option, const std::string& path,
                  const std::function<void(std::ostream&)>& fill);

}  // namespace vine::cli
