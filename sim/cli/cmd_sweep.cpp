// `vine sweep SPEC`: one command over a grid of designs and options
// (sim/explore/sweep_spec.h), its points run by a pool of `vine` processes,
// their JSON gathered into one CSV. A point's files stay under the output
// folder, so a failed point is never lost and `--resume` runs only the
// points not yet done.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/explore/sweep_spec.h"

namespace vine::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

struct PointFiles {
  fs::path json, log, exit;
};

PointFiles files_of(const fs::path& dir, const explore::SweepPoint& p) {
  const fs::path base = dir / "points" / p.id;
  return {base.string() + ".json", base.string() + ".log", base.string() + ".exit"};
}

// The exit code a point's last run recorded; -1 when it has none.
int recorded_exit(const PointFiles& f) {
  std::ifstream in(f.exit);
  int code = -1;
  if (!(in >> code)) return -1;
  return code;
}

std::string shell_quote(const std::string& s) {
  if (s.find_first_of(" \t'\"\\$`*?[]{}()<>|&;#~") == std::string::npos && !s.empty()) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The command line of a point, as a person would type it.
std::string command_line(const std::vector<std::string>& args) {
  std::string s = "vine";
  for (const auto& a : args) s += " " + shell_quote(a);
  return s;
}

// Starts `vine ARGS` with its output into `log`; returns its pid, or -1.
pid_t start(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv{"vine"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  const int null_in = ::open("/dev/null", O_RDONLY);
  if (null_in >= 0) dup2(null_in, 0);
  std::vector<char*> c;
  for (auto& a : argv) c.push_back(a.data());
  c.push_back(nullptr);
  execv("/proc/self/exe", c.data());
  std::perror("vine sweep: exec");
  _exit(127);
}

// A JSON value as a CSV field.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// The scalar fields of a JSON object, nested objects' by dotted names (lists
// are left out: a CSV cell holds one value).
void flatten(const nlohmann::json& j, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object())
      flatten(*it, key, out);
    else if (it->is_string())
      out.emplace_back(key, it->get<std::string>());
    else if (!it->is_array())
      out.emplace_back(key, it->dump());
  }
}

}  // namespace

int cmd_sweep(const Args& args) {
  po::options_description opts(
      "vine sweep SPEC [-o DIR] [-j N] [--resume]: one command over a grid of designs and options, each point\n"
      "a `vine` process, every point's JSON gathered into DIR/points.csv (docs/sweeps.md)");
  opts.add_options()("help,h", "show this help")(
      "output,o", po::value<std::string>(), "the folder of the results (default: ./<sweep name>.sweep)")(
      "jobs,j", po::value<int>()->default_value(0), "points run at once (0: one per core)")(
      "resume", "keep the points a previous sweep into DIR finished (exit 0), run the others")(
      "list", "print the points' command lines and stop");
  po::variables_map vm;
  if (auto done = parse_command("sweep", args, opts, "spec", "SPEC", vm)) return *done;
  const explore::SweepSpec spec = explore::load_sweep_spec(vm["spec"].as<std::string>());
  int jobs = vm["jobs"].as<int>();
  if (jobs < 0 || jobs > 256) return usage_error("sweep", "--jobs: expected 0 (one per core) to 256", opts);
  if (jobs == 0) jobs = int(std::max(1u, std::thread::hardware_concurrency()));
  if (vm.count("list")) {
    for (const auto& p : spec.points) std::cout << p.id << "  " << command_line(p.args(spec.command)) << "\n";
    return kExitOk;
  }
  const fs::path dir = vm.count("output") ? fs::path(vm["output"].as<std::string>()) : fs::path(spec.name + ".sweep");
  std::error_code ec;
  fs::create_directories(dir / "points", ec);
  if (ec || !fs::is_directory(dir / "points"))
    return usage_error("sweep", "--output: cannot make the folder " + (dir / "points").string() + ": " + ec.message(),
                       opts);
  const bool resume = vm.count("resume") > 0;

  // The pool: at most `jobs` points at once, in the spec's order.
  const auto t0 = std::chrono::steady_clock::now();
  std::map<pid_t, size_t> running;
  std::vector<int> exit_code(spec.points.size(), -1);
  size_t next = 0, kept = 0, done = 0;
  auto launch = [&](size_t i) {
    const auto& p = spec.points[i];
    const PointFiles f = files_of(dir, p);
    if (resume && recorded_exit(f) == 0 && fs::exists(f.json)) {
      exit_code[i] = 0;
      ++kept;
      ++done;
      return;
    }
    fs::remove(f.exit);
    fs::remove(f.json);
    std::vector<std::string> a = p.args(spec.command);
    a.push_back("--json");
    a.push_back(f.json.string());
    const pid_t pid = start(a, f.log);
    if (pid < 0) {
      spdlog::error("{}: cannot start a process", p.id);
      exit_code[i] = 127;
      std::ofstream(f.exit) << 127 << "\n";
      ++done;
      return;
    }
    running[pid] = i;
  };
  while (done < spec.points.size()) {
    while (next < spec.points.size() && int(running.size()) < jobs) launch(next++);
    if (running.empty()) continue;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    exit_code[i] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    std::ofstream(files_of(dir, spec.points[i]).exit) << exit_code[i] << "\n";
    ++done;
    spdlog::info("{}/{} {} exit {}", done, spec.points.size(), spec.points[i].id, exit_code[i]);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // The CSV: the point, its design and options, its exit code, then every
  // scalar of its JSON (the union over the points, in first-seen order).
  std::vector<std::vector<std::pair<std::string, std::string>>> rows(spec.points.size());
  std::vector<std::string> columns;
  std::map<std::string, bool> have;
  for (size_t i = 0; i < spec.points.size(); ++i) {
    std::ifstream in(files_of(dir, spec.points[i]).json);
    nlohmann::json j;
    if (!in || !(in >> j) || !j.is_object()) continue;  // no JSON: the row says so by its empty cells
    flatten(j, "", rows[i]);
    for (const auto& [k, v] : rows[i])
      if (!have[k]) {
        have[k] = true;
        columns.push_back(k);
      }
  }
  const fs::path csv = dir / "points.csv";
  const bool written = write_output("output", csv.string(), [&](std::ostream& out) {
    // The spec's columns named apart from the JSON's ("frames" is both).
    out << "point,design_file";
    for (const auto& o : spec.option_names) out << "," << csv_field("--" + o);
    out << ",exit";
    for (const auto& c : columns) out << "," << csv_field(c);
    out << "\n";
    for (size_t i = 0; i < spec.points.size(); ++i) {
      const auto& p = spec.points[i];
      out << p.id << "," << csv_field(p.design);
      for (const auto& [name, value] : p.options) out << "," << csv_field(value);
      out << "," << exit_code[i];
      std::map<std::string, std::string> cell(rows[i].begin(), rows[i].end());
      for (const auto& c : columns) out << "," << (cell.count(c) ? csv_field(cell[c]) : "");
      out << "\n";
    }
  });
  if (!written) return kExitUsage;

  size_t failed = 0;
  for (int c : exit_code) failed += c != 0;
  std::cout << "sweep " << spec.name << ": " << spec.points.size() << " points of `vine " << spec.command << "`, "
            << jobs << " at a time, in " << std::fixed << std::setprecision(1) << secs << " s"
            << (kept ? " (" + std::to_string(kept) + " kept from the last run)" : "") << "\n";
  std::cout << "  ok " << spec.points.size() - failed << ", failed " << failed << "; table: " << csv.string() << "\n";
  for (size_t i = 0; i < spec.points.size(); ++i) {
    if (exit_code[i] == 0) continue;
    const auto& p = spec.points[i];
    std::cout << "  failed " << p.id << " (exit " << exit_code[i] << "): " << command_line(p.args(spec.command))
              << "\n    log: " << files_of(dir, p).log.string() << "\n";
  }
  if (failed)
    std::cout << "  `vine sweep " << shell_quote(spec.path) << " -o " << shell_quote(dir.string())
              << " --resume` runs the failed points again\n";
  return failed ? kExitSimulation : kExitOk;
}

}  // namespace vine::cli
