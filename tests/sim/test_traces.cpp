// The VCD and Perfetto traces of a finished simulation, read back and checked
// against the models' own counts: FIFO occupancies against their stamps and
// peaks, stage states against their busy and stall cycles.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/config/loaders.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/process_network.h"
#include "sim/trace/traces.h"

namespace fs = std::filesystem;
using vine::models::FifoTimes;
using vine::models::Stage;
using vine::models::StreamFifo;

namespace {

const std::string kTfc = std::string(VINE_SOURCE_DIR) + "/configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml";

// ------------------------------------------------------------ a tiny VCD reader

struct VcdVar {
  std::string type, name, scope;
  int width = 0;
  std::vector<std::pair<int64_t, int64_t>> changes;  // (time, value), $dumpvars first
};

struct Vcd {
  bool has_timescale = false;
  std::map<std::string, VcdVar> vars;  // by id code
  int64_t last_time = 0;

  const VcdVar* by_name(const std::string& name) const {
    const VcdVar* found = nullptr;
    for (const auto& [id, v] : vars)
      if (v.name == name) {
        if (found) return nullptr;  // ambiguous
        found = &v;
      }
    return found;
  }
};

bool valid_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return c >= 33 && c <= 126; });
}

// Parses the subset of IEEE 1364 VCD the traces use; any deviation fails the
// calling test with a message.
Vcd parse_vcd(const std::string& text) {
  std::istringstream in(text);
  Vcd vcd;
  std::vector<std::string> scopes;
  std::string tok;
  auto skip_to_end = [&] {
    while (in >> tok && tok != "$end") {
    }
    EXPECT_EQ(tok, "$end") << "unterminated section";
  };
  bool defined = false;
  while (!defined && in >> tok) {
    if (tok == "$timescale") {
      vcd.has_timescale = true;
      skip_to_end();
    } else if (tok == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      EXPECT_EQ(kind, "module");
      scopes.push_back(name);
      skip_to_end();
    } else if (tok == "$upscope") {
      EXPECT_FALSE(scopes.empty()) << "$upscope without $scope";
      if (!scopes.empty()) scopes.pop_back();
      skip_to_end();
    } else if (tok == "$var") {
      VcdVar v;
      std::string id, end;
      in >> v.type >> v.width >> id >> v.name >> end;
      EXPECT_EQ(end, "$end") << "$var " << v.name;
      EXPECT_TRUE(valid_id(id)) << id;
      EXPECT_FALSE(scopes.empty()) << v.name << " outside any scope";
      EXPECT_EQ(v.name.find_first_of(".->"), std::string::npos) << v.name;
      for (const auto& s : scopes) v.scope += s + "/";
      EXPECT_TRUE(vcd.vars.emplace(id, v).second) << "id declared twice: " << id;
    } else if (tok == "$enddefinitions") {
      skip_to_end();
      defined = true;
    } else if (tok == "$version" || tok == "$comment" || tok == "$date") {
      skip_to_end();
    } else {
      ADD_FAILURE() << "unexpected header token " << tok;
      return vcd;
    }
  }
  EXPECT_TRUE(defined) << "no $enddefinitions";
  EXPECT_TRUE(scopes.empty()) << "unbalanced $scope";

  int64_t time = -1;
  while (in >> tok) {
    if (tok[0] == '#') {
      const int64_t t = std::stoll(tok.substr(1));
      EXPECT_GT(t, time) << "time not increasing";
      time = t;
    } else if (tok == "$dumpvars" || tok == "$end") {
    } else if (tok[0] == 'b') {
      std::string id;
      in >> id;
      EXPECT_GE(time, 0) << "value change before the first #time";
      const auto it = vcd.vars.find(id);
      if (it == vcd.vars.end()) {
        ADD_FAILURE() << "value change of undeclared id " << id;
        continue;
      }
      const std::string bits = tok.substr(1);
      EXPECT_FALSE(bits.empty());
      EXPECT_EQ(bits.find_first_not_of("01"), std::string::npos) << tok;
      EXPECT_LE(int(bits.size()), it->second.width) << tok << " " << id;
      auto& changes = it->second.changes;
      const int64_t value = std::stoll(bits, nullptr, 2);
      // Only changes are written, after one value per variable in $dumpvars.
      if (!changes.empty()) {
        EXPECT_NE(changes.back().second, value) << it->second.name << " at " << time;
      }
      changes.push_back({time, value});
    } else {
      ADD_FAILURE() << "unexpected token " << tok;
    }
  }
  vcd.last_time = time;
  return vcd;
}

// The VCD names: '.', '-' and '>' are not for VCD viewers.
std::string sanitised(std::string s) {
  for (char& c : s)
    if (c == '.' || c == '-' || c == '>') c = '_';
  return s;
}

// Cycles a variable spent at `value`, up to `end`.
int64_t time_at(const VcdVar& v, int64_t value, int64_t end) {
  int64_t total = 0;
  for (size_t i = 0; i < v.changes.size(); ++i) {
    const int64_t until = i + 1 < v.changes.size() ? v.changes[i + 1].first : end;
    if (v.changes[i].second == value) total += until - v.changes[i].first;
  }
  return total;
}

// The beats a FIFO holds during cycle t, straight from its stamps: written
// before t, and not read before t.
int64_t occupancy_from_stamps(const StreamFifo& f, int64_t t) {
  int64_t n = 0;
  const auto& beats = f.times();
  for (size_t k = 0; k < beats.size(); ++k) {
    if (beats[k].write < t) ++n;
    if (int64_t(k) < f.read_count() && beats[k].read < t) --n;
  }
  return n;
}

// ------------------------------------------------------------ the run

class Traces : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    design_ = new vine::ir::Design(vine::config::load_design(kTfc));
    pn_ = new vine::sim::ProcessNetwork(*design_, vine::sim::ElaborationOptions{2, true, true}, nullptr, {}, {});
    finished_ = pn_->run();
    std::ostringstream vcd, perfetto;
    vine::trace::write_vcd(*pn_, vcd);
    vine::trace::write_perfetto(*pn_, design_->clock_mhz, perfetto);
    vcd_ = new std::string(vcd.str());
    perfetto_ = new std::string(perfetto.str());
  }
  static void TearDownTestSuite() {
    delete perfetto_;
    delete vcd_;
    delete pn_;
    delete design_;
  }

  static vine::ir::Design* design_;
  static vine::sim::ProcessNetwork* pn_;
  static bool finished_;
  static std::string *vcd_, *perfetto_;
};

vine::ir::Design* Traces::design_ = nullptr;
vine::sim::ProcessNetwork* Traces::pn_ = nullptr;
bool Traces::finished_ = false;
std::string* Traces::vcd_ = nullptr;
std::string* Traces::perfetto_ = nullptr;

TEST_F(Traces, TheRunFinishedAndRecorded) {
  ASSERT_TRUE(finished_);
  for (const auto& f : pn_->fifos()) {
    EXPECT_EQ(int64_t(f->times().size()), f->written()) << f->name();
    EXPECT_GT(f->written(), 0) << f->name();
  }
  for (const auto& s : pn_->stages()) EXPECT_FALSE(s->activity().empty()) << s->name();
}

TEST_F(Traces, VcdDeclaresEveryFifoAndStage) {
  const Vcd vcd = parse_vcd(*vcd_);
  EXPECT_TRUE(vcd.has_timescale);
  EXPECT_NE(vcd_->find("$comment"), std::string::npos);
  EXPECT_EQ(vcd.vars.size(), pn_->fifos().size() + pn_->stages().size());
  for (const auto& f : pn_->fifos()) {
    const VcdVar* v = vcd.by_name(sanitised(f->name()));
    ASSERT_NE(v, nullptr) << f->name();
    EXPECT_EQ(v->type, "integer");
    ASSERT_FALSE(v->changes.empty()) << f->name();
    EXPECT_EQ(v->changes.front().first, 0) << "no initial value for " << f->name();
  }
  for (const auto& s : pn_->stages()) {
    const VcdVar* v = vcd.by_name(sanitised(s->name()));
    ASSERT_NE(v, nullptr) << s->name();
    EXPECT_EQ(v->width, 2);
    // One scope per layer: conv1.mvau sits in .../conv1/.
    const std::string layer = s->name().substr(0, s->name().find('.'));
    EXPECT_NE(v->scope.find("/" + layer + "/"), std::string::npos) << v->scope;
    ASSERT_FALSE(v->changes.empty()) << s->name();
    EXPECT_EQ(v->changes.front().first, 0) << "no initial value for " << s->name();
  }
}

TEST_F(Traces, VcdOccupancyFollowsTheFifoStamps) {
  const Vcd vcd = parse_vcd(*vcd_);
  for (const auto& f : pn_->fifos()) {
    const VcdVar* v = vcd.by_name(sanitised(f->name()));
    ASSERT_NE(v, nullptr) << f->name();
    int64_t peak = 0;
    for (const auto& [t, beats] : v->changes) {
      EXPECT_GE(beats, 0) << f->name() << " at " << t;
      EXPECT_LE(beats, f->capacity()) << f->name() << " at " << t;
      EXPECT_EQ(beats, occupancy_from_stamps(*f, t)) << f->name() << " at " << t;
      peak = std::max(peak, beats);
    }
    EXPECT_EQ(v->changes.back().second, f->occupancy()) << f->name();
    EXPECT_EQ(peak, f->max_occupancy()) << f->name();
  }
}

TEST_F(Traces, VcdStageStatesAddUpToTheStats) {
  const Vcd vcd = parse_vcd(*vcd_);
  for (const auto& s : pn_->stages()) {
    const VcdVar* v = vcd.by_name(sanitised(s->name()));
    ASSERT_NE(v, nullptr) << s->name();
    const auto& st = s->stats();
    const int64_t end = vcd.last_time;
    EXPECT_EQ(time_at(*v, 1, end), st.busy) << s->name();
    EXPECT_EQ(time_at(*v, 2, end), st.stalled_input) << s->name();
    EXPECT_EQ(time_at(*v, 3, end), st.stalled_output) << s->name();
    EXPECT_EQ(v->changes.back().second, 0) << s->name() << " not idle when done";
    EXPECT_EQ(v->changes.back().first, s->local_cycle() + 1) << s->name() << " goes idle after its last cycle";
  }
}

// ------------------------------------------------------------ Perfetto

TEST_F(Traces, PerfettoHasOneTrackPerStageInPipelineOrder) {
  const auto j = nlohmann::json::parse(*perfetto_);
  EXPECT_EQ(j.at("displayTimeUnit"), "ns");
  std::map<int, std::string> thread_names;  // tid -> name
  std::set<int> pids_with_threads;
  for (const auto& e : j.at("traceEvents"))
    if (e.at("ph") == "M" && e.at("name") == "thread_name") {
      EXPECT_TRUE(thread_names.emplace(e.at("tid").get<int>(), e.at("args").at("name").get<std::string>()).second);
      pids_with_threads.insert(e.at("pid").get<int>());
    }
  EXPECT_EQ(pids_with_threads.size(), 1u);
  ASSERT_EQ(thread_names.size(), pn_->stages().size());
  size_t i = 0;
  for (const auto& [tid, name] : thread_names) EXPECT_EQ(name, pn_->stages()[i++]->name()) << tid;
}

TEST_F(Traces, PerfettoSlicesAddUpToTheStats) {
  const auto j = nlohmann::json::parse(*perfetto_);
  const double mhz = design_->clock_mhz;
  std::map<int, std::string> stage_of;  // tid -> stage name
  for (const auto& e : j.at("traceEvents"))
    if (e.at("ph") == "M" && e.at("name") == "thread_name") stage_of[e.at("tid").get<int>()] = e.at("args").at("name").get<std::string>();
  std::map<std::string, std::map<std::string, double>> dur;  // stage -> slice name -> microseconds
  std::map<std::string, double> slice_end;                  // stage -> end of its last slice
  for (const auto& e : j.at("traceEvents")) {
    if (e.at("ph") != "X") continue;
    const int tid = e.at("tid").get<int>();
    ASSERT_TRUE(stage_of.count(tid)) << e.dump();
    const std::string& stage = stage_of[tid];
    const double ts = e.at("ts").get<double>(), d = e.at("dur").get<double>();
    EXPECT_GT(d, 0) << e.dump();
    EXPECT_GE(ts * mhz, std::round(slice_end[stage] * mhz) - 1e-6) << "overlapping slices: " << e.dump();
    slice_end[stage] = ts + d;
    dur[stage][e.at("name").get<std::string>()] += d;
  }
  for (const auto& s : pn_->stages()) {
    const auto& st = s->stats();
    auto& d = dur[s->name()];
    EXPECT_EQ(std::llround(d["busy"] * mhz), st.busy) << s->name();
    EXPECT_EQ(std::llround(d["stalled: input empty"] * mhz), st.stalled_input) << s->name();
    EXPECT_EQ(std::llround(d["stalled: output full"] * mhz), st.stalled_output) << s->name();
    EXPECT_EQ(d.size(), 3u) << s->name() << ": a slice name other than the three";
  }
}

TEST_F(Traces, PerfettoCountersFollowTheFifos) {
  const auto j = nlohmann::json::parse(*perfetto_);
  const double mhz = design_->clock_mhz;
  std::map<std::string, std::vector<std::pair<double, int64_t>>> counters;  // fifo -> (ts, beats)
  for (const auto& e : j.at("traceEvents"))
    if (e.at("ph") == "C") counters[e.at("name").get<std::string>()].push_back(
          {e.at("ts").get<double>(), e.at("args").at("occupancy").get<int64_t>()});
  EXPECT_EQ(counters.size(), pn_->fifos().size());
  for (const auto& f : pn_->fifos()) {
    const auto& c = counters[f->name()];
    ASSERT_FALSE(c.empty()) << f->name();
    int64_t peak = 0;
    double last_ts = -1;
    for (const auto& [ts, beats] : c) {
      EXPECT_GT(ts, last_ts) << f->name();
      last_ts = ts;
      const int64_t cycle = std::llround(ts * mhz);
      EXPECT_EQ(beats, occupancy_from_stamps(*f, cycle)) << f->name() << " at cycle " << cycle;
      peak = std::max(peak, beats);
    }
    EXPECT_EQ(peak, f->max_occupancy()) << f->name();
    EXPECT_EQ(c.back().second, f->occupancy()) << f->name();
  }
}

// ------------------------------------------------------------ a deadlock

// A residual block whose skip FIFO is too shallow for the rows the sliding
// window buffers: the duplicator fills the skip FIFO and waits, so beats stay
// written and never read. The traces must keep them in their FIFOs.
TEST(TracesDeadlock, UnreadBeatsStayInTheirFifos) {
  const fs::path dir = fs::temp_directory_path() / ("vine-traces-deadlock-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "net.yaml")
      << "network: skip\n"
         "input: {shape: [6, 6, 4], type: unsigned, bits: 4}\n"
         "classes: 4\n"
         "layers:\n"
         "  - {name: conv_a, kind: conv, kernel: 3, padding: 1, out_channels: 4, weights: {arithmetic: fixed, bits: "
         "4}, output: {kind: threshold, type: signed, bits: 4}}\n"
         "  - {name: add, kind: add, inputs: [conv_a, input], output: {kind: threshold, type: unsigned, bits: 4}}\n";
  std::ofstream(dir / "design.yaml") << "design: skip-too-shallow\nnetwork: net.yaml\ndevice: " << VINE_SOURCE_DIR
                                     << "/configs/devices/pynq-z1.yaml\ntemplate: streaming\nfifo_depth: 2\n";
  const vine::ir::Design d = vine::config::load_design((dir / "design.yaml").string());
  fs::remove_all(dir);
  vine::sim::ProcessNetwork pn(d, vine::sim::ElaborationOptions{1, true, true}, nullptr, {}, {});
  ASSERT_FALSE(pn.run()) << "the design was meant to deadlock";

  std::ostringstream vcd_text, perfetto_text;
  vine::trace::write_vcd(pn, vcd_text);
  vine::trace::write_perfetto(pn, d.clock_mhz, perfetto_text);
  const Vcd vcd = parse_vcd(vcd_text.str());
  const auto j = nlohmann::json::parse(perfetto_text.str());
  std::map<std::string, int64_t> last_counter;
  for (const auto& e : j.at("traceEvents"))
    if (e.at("ph") == "C") last_counter[e.at("name").get<std::string>()] = e.at("args").at("occupancy").get<int64_t>();

  int stuck = 0;
  for (const auto& f : pn.fifos()) {
    const VcdVar* v = vcd.by_name(sanitised(f->name()));
    ASSERT_NE(v, nullptr) << f->name();
    for (const auto& [t, beats] : v->changes) {
      EXPECT_LE(beats, f->capacity()) << f->name() << " at " << t;
      EXPECT_EQ(beats, occupancy_from_stamps(*f, t)) << f->name() << " at " << t;
    }
    EXPECT_EQ(v->changes.back().second, f->occupancy()) << f->name();
    EXPECT_EQ(last_counter[f->name()], f->occupancy()) << f->name();
    stuck += f->occupancy() > 0;
  }
  EXPECT_GT(stuck, 0) << "no beat left unread: the test no longer covers a deadlock";
}

// ------------------------------------------------------------ the command line

TEST(TracesCli, RunWritesBothFiles) {
  const fs::path dir = fs::temp_directory_path() / ("vine-traces-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path vcd = dir / "run.vcd", json = dir / "run.json";
  const std::string cmd = std::string(VINE_BINARY) + " run " + kTfc + " --frames 2 --timing-only --vcd " +
                          vcd.string() + " --perfetto " + json.string() + " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  ASSERT_TRUE(fs::exists(vcd));
  ASSERT_TRUE(fs::exists(json));
  std::ifstream vin(vcd), jin(json);
  std::stringstream vtext, jtext;
  vtext << vin.rdbuf();
  jtext << jin.rdbuf();
  fs::remove_all(dir);

  // What the files must hold, from the design's own plan: a VCD variable per
  // stream and per stage, a Perfetto track per stage and a counter per stream.
  const vine::ir::Design d = vine::config::load_design(kTfc);
  const vine::ir::StreamingPlan plan = vine::ir::plan_process_network(d);
  const Vcd v = parse_vcd(vtext.str());
  EXPECT_EQ(v.vars.size(), plan.stages.size() + plan.streams.size());
  for (const auto& s : plan.stages) EXPECT_NE(v.by_name(sanitised(s.name)), nullptr) << s.name;
  for (const auto& s : plan.streams) EXPECT_NE(v.by_name(sanitised(s.name)), nullptr) << s.name;
  const auto j = nlohmann::json::parse(jtext.str());
  std::set<std::string> tracks, counters;
  for (const auto& e : j.at("traceEvents")) {
    if (e.at("ph") == "M" && e.at("name") == "thread_name")
      tracks.insert(e.at("args").at("name").get<std::string>());
    if (e.at("ph") == "C") counters.insert(e.at("name").get<std::string>());
  }
  std::set<std::string> stage_names, stream_names;
  for (const auto& s : plan.stages) stage_names.insert(s.name);
  for (const auto& s : plan.streams) stream_names.insert(s.name);
  EXPECT_EQ(tracks, stage_names);
  EXPECT_EQ(counters, stream_names);

  // And the run itself: the command's files are the traces of the same run
  // made in this process, byte for byte (the trace content is checked
  // against the models by the tests above).
  vine::sim::ProcessNetwork pn(d, vine::sim::ElaborationOptions{2, true, true}, nullptr, {}, {});
  ASSERT_TRUE(pn.run());
  std::ostringstream want_vcd, want_perfetto;
  vine::trace::write_vcd(pn, want_vcd);
  vine::trace::write_perfetto(pn, d.clock_mhz, want_perfetto);
  EXPECT_TRUE(vtext.str() == want_vcd.str())
      << "the VCD of `vine run` differs from the in-process trace";
  EXPECT_TRUE(jtext.str() == want_perfetto.str())
      << "the Perfetto JSON of `vine run` differs from the in-process trace";
}

}  // namespace
