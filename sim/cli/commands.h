// The `vine` subcommands. Each takes the arguments after its name and returns
// the process exit code (see exit_codes.h).
#pragma once

#include <string>
#include <vector>

namespace vine::cli {

using Args = std::vector<std::string>;

int cmd_validate(const Args& args);
int cmd_reference(const Args& args);
int cmd_estimate(const Args& args);
int cmd_run(const Args& args);
int cmd_bench(const Args& args);
int cmd_rtl_units(const Args& args);
int cmd_golden(const Args& args);
int cmd_vp(const Args& args);
int cmd_plot(const Args& args);
int cmd_fifo_size(const Args& args);
int cmd_sweep(const Args& args);
int cmd_dse(const Args& args);
int cmd_partition(const Args& args);
int cmd_dataflow(const Args& args);
int cmd_export(const Args& args);
int cmd_import(const Args& args);
int cmd_import_finn(const Args& args);         // `vine import finn`, one kind of cmd_import
int cmd_import_finn_config(const Args& args);  // `vine import finn-config`, another
int cmd_import_qonnx(const Args& args);        // `vine import qonnx`, a third

}  // namespace vine::cli
