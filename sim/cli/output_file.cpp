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
  if (is_stdout(path))
    return option == "json" ? "" : what + ": only --json goes to standard output ('-'); give a file name";
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

std::string check_output_paths(const std::vector<std::pair<std::string, std::string>>& outputs,
                               const std::vector<std::string>& inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& [option, path] = outputs[i];
    if (std::string e = check_output_path(option, path, inputs); !e.empty()) return e;
    for (size_t k = 0; k < i; ++k) {
      std::error_code ec;
      const auto a = fs::weakly_canonical(path, ec), b = fs::weakly_canonical(outputs[k].second, ec);
      if (!ec && a == b)
        return "--" + option + " file '" + path + "' is also the --" + outputs[k].first + " file; give each its own";
    }
  }
  return "";
}

std::ostream& report_stream(const std::string& json_path) { return is_stdout(json_path) ? std::cerr : std::cout; }

bool write_output(const std::string& option, const std::string& path,
                  const std::function<void(std::ostream&)>& fill) {
  if (is_stdout(path)) {
    fill(std::cout);
    std::cout.flush();
    if (std::cout) return true;
    std::cerr << "error: cannot write --" << option << " to standard output\n";
    return false;
  }
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

std::string make_output_folder(const std::string& option, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (std::filesystem::is_directory(dir)) return "";
  return "--" + option + ": cannot make the folder " + dir;
}

}  // namespace vine::cli
