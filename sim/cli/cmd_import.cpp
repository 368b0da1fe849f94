// `vine import <what> ...`: other toolflows' files into Vine. Each kind of
// file is one branch, in its own cmd_import_*.cpp.
#include <functional>
#include <iostream>
#include <map>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"

namespace vine::cli {

int cmd_import(const Args& args) {
  static const std::map<std::string, std::pair<std::function<int(const Args&)>, const char*>> kinds{
      {"finn",
       {cmd_import_finn,
        "MODEL.onnx -o OUTDIR [--config JSON] [--run ...]: a FINN dataflow model as a Vine network and design"}},
      {"finn-config",
       {cmd_import_finn_config, "CONFIG.json DESIGN -o OUT.yaml: a FINN folding config applied to a Vine design"}},
      {"qonnx",
       {cmd_import_qonnx,
        "MODEL.onnx -o OUTDIR [--device DEVICE] [--run ...]: a QONNX (Brevitas) model as a Vine network and default "
        "design"}},
  };
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::ostream& out = args.empty() ? std::cerr : std::cout;
    out << "usage: vine import <kind> ...   (vine import <kind> --help for its options)\n\nkinds:\n";
    for (const auto& [name, k] : kinds) out << "  " << name << " " << k.second << "\n";
    return args.empty() ? kExitUsage : kExitOk;
  }
  const auto it = kinds.find(args[0]);
  if (it == kinds.end()) {
    std::cerr << "vine import: unknown kind '" << args[0] << "', expected one of:";
    for (const auto& [name, k] : kinds) std::cerr << " " << name;
    std::cerr << "\n";
    return kExitUsage;
  }
  return it->second.first(Args(args.begin() + 1, args.end()));
}

}  // namespace vine::cli
