// `vine sweep SPEC`: one command over a grid of designs and options
// (sim/explore/sweep_spec.h), its points run by a pool of `vine` processes,
// their JSON gathered into one CSV; or, with --slurm, by one Slurm job array
// whose tasks each run one point (`--point K`) into the same files. A
// point's files stay under the output folder, so a failed point is never
// lost and `--resume` runs only the points not yet done, either way.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
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

// Makes a point ready to run (its last results removed, so that a run that
// never finishes cannot pass for one that did) and returns its command line.
std::vector<std::string> prepare(const fs::path& dir, const explore::SweepPoint& p, const std::string& command) {
  const PointFiles f = files_of(dir, p);
  fs::remove(f.exit);
  fs::remove(f.json);
  std::vector<std::string> a = p.args(command);
  a.push_back("--json");
  a.push_back(f.json.string());
  return a;
}

// A finished process's status as an exit code (128 + the signal that ended it).
int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// Whether a previous sweep into the folder finished the point (exit 0, JSON written).
bool finished(const fs::path& dir, const explore::SweepPoint& p) {
  const PointFiles f = files_of(dir, p);
  return recorded_exit(f) == 0 && fs::exists(f.json);
}

// The points still to run: all of them, or with --resume the unfinished ones.
// The others' exit codes are set to 0.
std::vector<size_t> points_to_run(const explore::SweepSpec& spec, const fs::path& dir, bool resume,
                                  std::vector<int>& exit_code) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < spec.points.size(); ++i) {
    if (resume && finished(dir, spec.points[i]))
      exit_code[i] = 0;
    else
      todo.push_back(i);
  }
  return todo;
}

// The pool: at most `jobs` of the points at once, in the spec's order.
void run_pool(const explore::SweepSpec& spec, const fs::path& dir, const std::vector<size_t>& todo, int jobs,
              std::vector<int>& exit_code) {
  std::map<pid_t, size_t> running;
  size_t next = 0, done = 0;
  while (done < todo.size()) {
    while (next < todo.size() && int(running.size()) < jobs) {
      const size_t i = todo[next++];
      const auto& p = spec.points[i];
      const pid_t pid = start(prepare(dir, p, spec.command), files_of(dir, p).log);
      if (pid < 0) {
        spdlog::error("{}: cannot start a process", p.id);
        exit_code[i] = 127;
        std::ofstream(files_of(dir, p).exit) << 127 << "\n";
        ++done;
        continue;
      }
      running[pid] = i;
    }
    if (running.empty()) continue;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    exit_code[i] = exit_code_of(status);
    std::ofstream(files_of(dir, spec.points[i]).exit) << exit_code[i] << "\n";
    ++done;
    spdlog::info("{}/{} {} exit {}", done, todo.size(), spec.points[i].id, exit_code[i]);
  }
}

// `--point K`: the K-th point alone, exactly as the pool runs it (what a
// Slurm array task runs). Returns the point's exit code.
int run_one_point(const explore::SweepSpec& spec, const fs::path& dir, size_t i) {
  const auto& p = spec.points[i];
  const PointFiles f = files_of(dir, p);
  const pid_t pid = start(prepare(dir, p, spec.command), f.log);
  int code = 127;
  int status = 0;
  if (pid < 0)
    spdlog::error("{}: cannot start a process", p.id);
  else if (waitpid(pid, &status, 0) == pid)
    code = exit_code_of(status);
  std::ofstream(f.exit) << code << "\n";
  spdlog::info("{} exit {}", p.id, code);
  return code;
}

// "1-4,7,9-10": the points' numbers (1-based) as a Slurm array's index list.
std::string index_ranges(const std::vector<size_t>& todo) {
  std::string s;
  for (size_t k = 0; k < todo.size();) {
    size_t e = k;
    while (e + 1 < todo.size() && todo[e + 1] == todo[e] + 1) ++e;
    if (!s.empty()) s += ",";
    s += std::to_string(todo[k] + 1);
    if (e > k) s += "-" + std::to_string(todo[e] + 1);
    k = e + 1;
  }
  return s;
}

fs::path slurm_output_of(const fs::path& dir, const std::string& job, size_t i) {
  return dir / "slurm" / (job + "_" + std::to_string(i + 1) + ".out");
}

struct SlurmArray {
  std::string job;  // its job id; empty when sbatch did not submit it
  int sbatch_exit = 0;
};

// Submits the points as one job array, each task `vine sweep SPEC -o DIR
// --point K` (K the task's index), and waits for all of them (`sbatch
// --wait`). The paths are absolute: the tasks run on other machines, in
// whatever folder Slurm starts them, and see DIR through a shared filesystem.
SlurmArray run_on_slurm(const explore::SweepSpec& spec, const fs::path& dir, const std::vector<size_t>& todo,
                        int throttle, const std::string& slurm_args) {
  std::error_code ec;
  fs::path vine = fs::read_symlink("/proc/self/exe", ec);
  if (ec) vine = "vine";
  fs::create_directories(dir / "slurm", ec);
  const std::string task = "exec " + shell_quote(vine.string()) + " sweep " +
                           shell_quote(fs::absolute(spec.path).string()) + " -o " +
                           shell_quote(fs::absolute(dir).string()) + " --point \"$SLURM_ARRAY_TASK_ID\"";
  std::string array = index_ranges(todo);
  if (throttle > 0) array += "%" + std::to_string(throttle);
  // --parsable: the job id alone on the first line; --wait: back when every
  // task has ended. sbatch's own messages go to our standard error.
  const std::string cmd = "sbatch --parsable --wait --job-name=" + shell_quote("vine-sweep-" + spec.name) +
                          " --array=" + array + " --output=" +
                          shell_quote((fs::absolute(dir) / "slurm" / "%A_%a.out").string()) + " " + slurm_args +
                          " --wrap=" + shell_quote(task);
  spdlog::info("submitting {} points: {}", todo.size(), cmd);
  std::fflush(nullptr);
  SlurmArray a;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) {
    a.sbatch_exit = 127;
    return a;
  }
  char line[256];
  if (std::fgets(line, sizeof line, pipe)) {
    std::string s(line);
    s = s.substr(0, s.find_first_of(";\r\n"));  // "JOBID[;CLUSTER]"
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
      a.job = s;
      spdlog::info("job array {} submitted; waiting for its {} tasks", a.job, todo.size());
    }
  }
  while (std::fgets(line, sizeof line, pipe)) {
  }
  a.sbatch_exit = exit_code_of(pclose(pipe));
  return a;
}

struct Summary {
  std::string how;                // "4 at a time" or "as Slurm job array 12"
  std::string resume_flags;       // what `--resume` needs beside it
  std::map<size_t, fs::path> slurm_output;  // where Slurm put a task's own output
};

// The CSV and the report, the same whichever way the points ran: the point,
// its design and options, its exit code, then every scalar of its JSON (the
// union over the points, in first-seen order). Returns the sweep's exit code.
int gather(const explore::SweepSpec& spec, const fs::path& dir, const std::vector<int>& exit_code, size_t kept,
           double secs, const Summary& how) {
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
      // No exit code recorded (a task that never ended): an empty cell.
      out << "," << (exit_code[i] >= 0 ? std::to_string(exit_code[i]) : "");
      std::map<std::string, std::string> cell(rows[i].begin(), rows[i].end());
      for (const auto& c : columns) out << "," << (cell.count(c) ? csv_field(cell[c]) : "");
      out << "\n";
    }
  });
  if (!written) return kExitUsage;

  size_t failed = 0;
  for (int c : exit_code) failed += c != 0;
  std::cout << "sweep " << spec.name << ": " << spec.points.size() << " points of `vine " << spec.command << "`, "
            << how.how << ", in " << std::fixed << std::setprecision(1) << secs << " s"
            << (kept ? " (" + std::to_string(kept) + " kept from the last run)" : "") << "\n";
  std::cout << "  ok " << spec.points.size() - failed << ", failed " << failed << "; table: " << csv.string() << "\n";
  for (size_t i = 0; i < spec.points.size(); ++i) {
    if (exit_code[i] == 0) continue;
    const auto& p = spec.points[i];
    std::cout << "  failed " << p.id
              << (exit_code[i] >= 0 ? " (exit " + std::to_string(exit_code[i]) + ")" : " (no exit code: it never ended)")
              << ": " << command_line(p.args(spec.command)) << "\n    log: " << files_of(dir, p).log.string() << "\n";
    if (const auto it = how.slurm_output.find(i); it != how.slurm_output.end())
      std::cout << "    Slurm's output: " << it->second.string() << "\n";
  }
  if (failed)
    std::cout << "  `vine sweep " << shell_quote(spec.path) << " -o " << shell_quote(dir.string()) << " --resume"
              << how.resume_flags << "` runs the failed points again\n";
  return failed ? kExitSimulation : kExitOk;
}

}  // namespace

int cmd_sweep(const Args& args) {
  po::options_description opts(
      "vine sweep SPEC [-o DIR] [-j N] [--resume] [--slurm [--slurm-args ARGS]]: one command over a grid of designs\n"
      "and options, each point a `vine` process (a local pool, or a Slurm job array), every point's JSON gathered\n"
      "into DIR/points.csv (docs/sweeps.md)");
  opts.add_options()("help,h", "show this help")(
      "output,o", po::value<std::string>(), "the folder of the results (default: ./<sweep name>.sweep)")(
      "jobs,j", po::value<int>()->default_value(0),
      "points run at once (0: one per core; with --slurm: the array's task limit, 0 for none)")(
      "resume", "keep the points a previous sweep into DIR finished (exit 0), run the others")(
      "list", "print the points' command lines and stop")(
      "slurm", "run the points as one Slurm job array (sbatch --array --wait) instead of the local pool; "
               "DIR must be on a filesystem the nodes share")(
      "slurm-args", po::value<std::string>()->default_value(""),
      "more sbatch options for the array, e.g. \"--partition=fast --time=30\" (with --slurm)")(
      "point", po::value<int>(), "run point K (1-based) alone and record its files: what each array task runs");
  po::variables_map vm;
  if (auto done = parse_command("sweep", args, opts, "spec", "SPEC", vm)) return *done;
  const explore::SweepSpec spec = explore::load_sweep_spec(vm["spec"].as<std::string>());
  int jobs = vm["jobs"].as<int>();
  if (jobs < 0 || jobs > 256) return usage_error("sweep", "--jobs: expected 0 (one per core) to 256", opts);
  const bool slurm = vm.count("slurm") > 0;
  if (!slurm && !vm["slurm-args"].as<std::string>().empty())
    return usage_error("sweep", "--slurm-args: only with --slurm", opts);
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
  if (vm.count("point")) {
    const int k = vm["point"].as<int>();
    if (k < 1 || size_t(k) > spec.points.size())
      return usage_error("sweep",
                         "--point: got " + std::to_string(k) + ", expected 1 to " + std::to_string(spec.points.size()) +
                             " (the spec's points)",
                         opts);
    return run_one_point(spec, dir, size_t(k - 1));
  }
  const bool resume = vm.count("resume") > 0;

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int> exit_code(spec.points.size(), -1);
  const std::vector<size_t> todo = points_to_run(spec, dir, resume, exit_code);
  const size_t kept = spec.points.size() - todo.size();
  Summary how;
  if (!slurm) {
    if (jobs == 0) jobs = int(std::max(1u, std::thread::hardware_concurrency()));
    run_pool(spec, dir, todo, jobs, exit_code);
    how.how = std::to_string(jobs) + " at a time";
  } else if (todo.empty()) {
    how.how = "none left to submit to Slurm";
  } else {
    // Every point to run loses its last results first: a task that never
    // starts then shows as not ended, not as its previous run.
    for (size_t i : todo) prepare(dir, spec.points[i], spec.command);
    const SlurmArray a = run_on_slurm(spec, dir, todo, jobs, vm["slurm-args"].as<std::string>());
    if (a.job.empty()) {
      std::cerr << "vine sweep: sbatch did not submit the job array (exit " << a.sbatch_exit
                << "; its message is above). Is Slurm's client installed and SLURM_CONF right? No point ran; "
                << "`--resume --slurm` submits them again.\n";
      return kExitUsage;
    }
    for (size_t i : todo) {
      exit_code[i] = recorded_exit(files_of(dir, spec.points[i]));
      if (exit_code[i] != 0) how.slurm_output[i] = slurm_output_of(dir, a.job, i);
    }
    how.how = "as Slurm job array " + a.job + " (" + std::to_string(todo.size()) + " tasks)";
    how.resume_flags = " --slurm";
    if (!vm["slurm-args"].as<std::string>().empty())
      how.resume_flags += " --slurm-args " + shell_quote(vm["slurm-args"].as<std::string>());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return gather(spec, dir, exit_code, kept, secs, how);
}

}  // namespace vine::cli
