#include "sim/cli/output_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

namespace vine::cli {

namespace fs = std::filesystem;

std::vector<std::string> input_files(const ir::Design& d) {
  return {d.path, d.network.path, d.device.path};
}

std::string check_output_path(const std::string& option, const std::string& path,
                              const std::vector<std::string>& inputs) {
  const std::string what = "--" + option + " file '" + path + "'";
  std::error_code ec;
  if (path.empty()) return what + ": an empty path";
  if (fs::is_directory(path, ec)) return what + " is a directory";
  // Never replace a device, pipe or socket by renaming a file over it.
  if (fs::exists(fs::symlink_status(path, ec)) && !fs::is_regular_file(path, ec))
    return what + " exists and is not a regular file";
  const fs::path dir =
      fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) return what + ": no folder '" + dir.string() + "'";
  if (::access(dir.c_str(), W_OK) != 0)
    return what + ": the folder '" + dir.string() + "' is not writable";
  for (const auto& in : inputs) {
    if (in.empty()) continue;
    if (fs::exists(path, ec) && fs::equivalent(path, in, ec))
      return what + " is the input '" + in + "'; writing it would destroy the config";
  }
  return "";
}

bool write_output(const std::string& option, const std::string& path,
                  const std::function<void(std::ostream&)>& fill) {
  const std::string tmp = path + ".vine-tmp-" + std::to_string(::getpid());
  bool ok = false;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (out) {
      fill(out);
      out.flush();
      ok = bool(out);
    }
  }
  std::error_code ec;
  if (ok) {
    fs::rename(tmp, path, ec);
    ok = !ec;
  }
  if (!ok) {
    fs::remove(tmp, ec);
    std::cerr << "error: cannot write --" << option << " file '" << path << "'"
              << " (nothing written; a file already there is unchanged)\n";
  }
  return ok;
}

}  // namespace vine::cli
