// Files the commands write (--json, --vcd, --perfetto): written whole or not
// at all, and never over one of the run's inputs. A path is only checked
// before the run (its folder exists and is writable, it is not a folder, it
// names none of the configs read); the text goes to a temporary file beside
// it, renamed over the path once complete, so a failed or interrupted write
// leaves the old file as it was.
//
// `--json -` sends the JSON to standard output instead (run, estimate, bench);
// the command's human-readable report then goes to standard error, so stdout
// holds the JSON alone (report_stream). Only --json takes '-': the traces and
// the binary outputs always go to a file.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sim/ir/design.h"

namespace vine::cli {

// The configs a design was read from: the design, its network and device.
std::vector<std::string> input_files(const ir::Design& d);

// The path that means standard output.
inline bool is_stdout(const std::string& path) { return path == "-"; }

// Empty when --`option` may write `path`, else the error message.
std::string check_output_path(const std::string& option, const std::string& path,
                              const std::vector<std::string>& inputs);

// The same for every output a command is given, as (option, path) pairs, and
// no two of them the same file.
std::string check_output_paths(const std::vector<std::pair<std::string, std::string>>& outputs,
                               const std::vector<std::string>& inputs);

// Where a command prints its human-readable report: stdout, or stderr when
// the JSON goes to stdout (`json_path` is '-').
std::ostream& report_stream(const std::string& json_path);

// Writes what `fill` streams to `path` (stdout for '-'); false, with a message on stderr, when
// the file cannot be written completely (a full disk included).
bool write_output(const std::string& option, const std::string& path,
                  const std::function<void(std::ostream&)>& fill);

// Makes the folder an `option` names (its parents too): "" when it is there,
// else the problem, for usage_error.
std::string make_output_folder(const std::string& option, const std::string& dir);

}  // namespace vine::cli
