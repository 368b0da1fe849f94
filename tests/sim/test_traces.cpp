// The VCD and Perfetto traces of a finished simulation, read back and checked
// against the models' own counts: FIFO occupancies against their stamps and
// peaks, stage states against their busy and stall cycles.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/link/link_stage.h"
#include "sim/config/loaders.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/process_network.h"
#include "sim/trace/gzip_stream.h"
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
  std::string timescale;  // e.g. "10ns"
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
      in >> vcd.timescale;
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

// A VCD timescale in femtoseconds: "10ns" is 1e7.
double timescale_fs(const std::string& ts) {
  size_t n = 0;
  const double mult = std::stod(ts, &n);
  const std::string unit = ts.substr(n);
  const std::map<std::string, double> fs = {{"fs", 1},   {"ps", 1e3},  {"ns", 1e6},
                                            {"us", 1e9}, {"ms", 1e12}, {"s", 1e15}};
  EXPECT_TRUE(mult == 1 || mult == 10 || mult == 100) << ts;
  EXPECT_TRUE(fs.count(unit)) << ts;
  return fs.count(unit) ? mult * fs.at(unit) : 0;
}

// The VCD's times as clock cycles: each time must be a cycle's start,
// cycle * period, to within half a femtosecond (the header's promise).
Vcd in_cycles(Vcd vcd, double clock_mhz) {
  const double unit_fs = timescale_fs(vcd.timescale), period_fs = 1e9 / clock_mhz;
  auto cycle = [&](int64_t t) {
    const double fs = double(t) * unit_fs;
    const int64_t c = std::llround(fs / period_fs);
    EXPECT_LE(std::abs(fs - double(c) * period_fs), 0.5 + 1e-9 * fs) << "time " << t << " is no cycle's start";
    return c;
  };
  for (auto& [id, v] : vcd.vars)
    for (auto& ch : v.changes) ch.first = cycle(ch.first);
  vcd.last_time = cycle(vcd.last_time);
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


// ------------------------------------------------------------ the Trace Event Format, strictly

// What a viewer reads from the JSON, in integer nanoseconds as ui.perfetto.dev
// converts the format's microseconds (rounded): each stage track's slices and
// each counter's values.
struct Slice {
  int64_t ts, dur;
  std::string name;
  bool operator==(const Slice& o) const { return ts == o.ts && dur == o.dur && name == o.name; }
};
struct Timeline {
  std::map<int, std::string> track_names;                                 // tid -> stage
  std::map<int, std::vector<Slice>> slices;                               // tid -> slices in order
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> counters;  // name -> (ns, beats)
  size_t events = 0;
};

// A time field: a number of microseconds that is a whole number of
// nanoseconds (so that no viewer's rounding moves a slice's edge).
int64_t ns_of(const nlohmann::json& v, const std::string& what) {
  EXPECT_TRUE(v.is_number()) << what;
  const double us = v.get<double>();
  const int64_t ns = std::llround(us * 1000);
  EXPECT_NEAR(us * 1000, double(ns), 1e-6) << what << " is no whole number of ns";
  EXPECT_GE(ns, 0) << what;
  return ns;
}

// Checks every event's fields against the Trace Event Format (ph, ts, dur,
// pid, tid, name, args), and that the slices on a track do not overlap.
Timeline read_trace_events(const std::string& text) {
  Timeline tl;
  const auto j = nlohmann::json::parse(text);
  EXPECT_TRUE(j.is_object());
  EXPECT_EQ(j.value("displayTimeUnit", ""), "ns");
  for (const auto& e : j.at("traceEvents")) {
    ++tl.events;
    const std::string ev = e.dump();
    const std::string ph = e.at("ph").get<std::string>();
    EXPECT_TRUE(e.at("pid").is_number_integer()) << ev;
    EXPECT_TRUE(e.at("name").is_string()) << ev;
    if (ph == "M") {
      EXPECT_TRUE(e.at("args").is_object()) << ev;
      if (e.at("name") == "thread_name") {
        EXPECT_TRUE(e.at("tid").is_number_integer()) << ev;
        EXPECT_TRUE(tl.track_names.emplace(e.at("tid").get<int>(), e.at("args").at("name").get<std::string>()).second)
            << "a track named twice: " << ev;
      }
    } else if (ph == "X") {
      EXPECT_EQ(e.at("pid"), 1) << ev;
      EXPECT_TRUE(e.at("tid").is_number_integer()) << ev;
      const Slice sl{ns_of(e.at("ts"), ev), ns_of(e.at("dur"), ev), e.at("name").get<std::string>()};
      EXPECT_GT(sl.dur, 0) << ev;
      auto& track = tl.slices[e.at("tid").get<int>()];
      if (!track.empty()) {
        EXPECT_GE(sl.ts, track.back().ts + track.back().dur) << "overlapping slices: " << ev;
      }
      track.push_back(sl);
    } else if (ph == "C") {
      // A FIFO's beats (pid 2), or a link's level (pid 3) in its unit.
      EXPECT_TRUE(e.at("pid") == 2 || e.at("pid") == 3) << ev;
      EXPECT_EQ(e.at("args").size(), 1u) << ev;
      const std::string unit = e.at("args").begin().key();
      if (e.at("pid") == 2) {
        EXPECT_EQ(unit, "beats") << ev;
      } else {
        EXPECT_TRUE(unit == "blocks" || unit == "words" || unit == "frames") << ev;
      }
      EXPECT_TRUE(e.at("args").at(unit).is_number_integer()) << ev;
      auto& c = tl.counters[e.at("name").get<std::string>()];
      const int64_t ns = ns_of(e.at("ts"), ev);
      if (!c.empty()) {
        EXPECT_GT(ns, c.back().first) << "counter not in time order: " << ev;
      }
      c.push_back({ns, e.at("args").at(unit).get<int64_t>()});
    } else {
      ADD_FAILURE() << "unexpected phase " << ev;
    }
  }
  for (const auto& [tid, sl] : tl.slices) EXPECT_TRUE(tl.track_names.count(tid)) << "slices on an unnamed track " << tid;
  return tl;
}

// ------------------------------------------------------------ Perfetto's protobuf format, strictly

// A protobuf message as its fields in order: (field number, varint value or
// bytes). Only wire types 0 (varint) and 2 (length-delimited) occur in the
// traces; anything else, a truncated varint or a length past the end fails
// the calling test.
struct PbField {
  uint32_t number = 0;
  bool is_bytes = false;
  uint64_t value = 0;
  std::string bytes;
};

std::vector<PbField> pb_fields(const std::string& m) {
  std::vector<PbField> out;
  size_t i = 0;
  auto varint = [&](uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (i >= m.size()) return false;
      const uint8_t c = uint8_t(m[i++]);
      v |= uint64_t(c & 0x7f) << shift;
      if (c < 0x80) return true;
    }
    return false;
  };
  while (i < m.size()) {
    uint64_t key = 0;
    if (!varint(key)) {
      ADD_FAILURE() << "truncated key at byte " << i;
      return out;
    }
    PbField f;
    f.number = uint32_t(key >> 3);
    EXPECT_GT(f.number, 0u);
    if ((key & 7) == 0) {
      if (!varint(f.value)) {
        ADD_FAILURE() << "truncated varint in field " << f.number;
        return out;
      }
    } else if ((key & 7) == 2) {
      uint64_t n = 0;
      if (!varint(n) || n > m.size() - i) {
        ADD_FAILURE() << "field " << f.number << ": length past the end";
        return out;
      }
      f.is_bytes = true;
      f.bytes = m.substr(i, size_t(n));
      i += size_t(n);
    } else {
      ADD_FAILURE() << "field " << f.number << ": wire type " << (key & 7);
      return out;
    }
    out.push_back(std::move(f));
  }
  return out;
}

// A message's fields by number; each expected at most once (none of the
// fields the traces use is repeated but ClockSnapshot.clocks and
// InternedData.event_names, which are read with pb_fields).
std::map<uint32_t, PbField> pb_message(const std::string& m, const std::set<uint32_t>& allowed) {
  std::map<uint32_t, PbField> by_number;
  for (PbField& f : pb_fields(m)) {
    EXPECT_TRUE(allowed.count(f.number)) << "unexpected field " << f.number;
    EXPECT_TRUE(by_number.emplace(f.number, f).second) << "field " << f.number << " twice";
  }
  return by_number;
}

// Reads a Perfetto protobuf trace as write_perfetto_protobuf writes it, with
// Perfetto's rules: the track descriptors (a parent "stages" and "FIFO
// occupancy", one child track per stage, one counter track per FIFO), then
// one packet sequence per track whose first packet clears the sequence's
// state, sets the incremental nanosecond clock 64, the default track and the
// interned slice names, and whose events are deltas on that clock. Every
// slice begin has its end; counters are in time order. The result is what
// the JSON's reader gives: a stage's tid is its rank + 1.
Timeline read_protobuf_trace(const std::string& bytes, size_t* packets = nullptr) {
  Timeline tl;
  struct Track {
    std::string name;
    uint64_t parent = 0;
    int64_t rank = -1;
    bool counter = false;
  };
  std::map<uint64_t, Track> tracks;  // by uuid
  struct Sequence {
    uint64_t track = 0;
    std::map<uint64_t, std::string> names;  // iid -> event name
    int64_t ns = 0;
    bool open = false;  // a slice begun and not ended
    Slice slice{0, 0, ""};
  };
  std::map<uint64_t, Sequence> sequences;  // by trusted_packet_sequence_id
  size_t n = 0;
  for (const PbField& p : pb_fields(bytes)) {
    ++n;
    EXPECT_EQ(p.number, 1u) << "a Trace holds packets only";
    EXPECT_TRUE(p.is_bytes);
    auto f = pb_message(p.bytes, {6, 8, 10, 11, 12, 13, 59, 60});
    EXPECT_TRUE(f.count(10)) << "packet " << n << " without trusted_packet_sequence_id";
    const uint64_t seq_id = f[10].value;
    if (f.count(60)) {  // a TrackDescriptor
      auto d = pb_message(f[60].bytes, {1, 2, 5, 8, 11, 12});
      EXPECT_FALSE(f.count(11) || f.count(8)) << "a descriptor packet with an event or time";
      Track t{d[2].bytes, d.count(5) ? d[5].value : 0, d.count(12) ? int64_t(d[12].value) : -1, d.count(8) > 0};
      EXPECT_TRUE(d.count(1) && d.count(2) && d.count(12)) << "a track without uuid, name or rank";
      if (t.counter) {
        const std::string unit = pb_message(d[8].bytes, {6})[6].bytes;
        EXPECT_TRUE(unit == "beats" || unit == "blocks" || unit == "words" || unit == "frames") << unit;
      }
      EXPECT_TRUE(tracks.emplace(d[1].value, t).second) << "track " << d[1].value << " described twice";
      continue;
    }
    Sequence& seq = sequences[seq_id];
    if (f.count(59)) {  // a sequence's first packet
      EXPECT_EQ(seq.track, 0u) << "sequence " << seq_id << " set up twice";
      EXPECT_EQ(f[13].value, 3u) << "the first packet clears the state and needs it";
      bool incremental_clock = false;
      for (const PbField& c : pb_fields(f[6].bytes)) {  // ClockSnapshot.clocks
        EXPECT_EQ(c.number, 1u);
        auto clock = pb_message(c.bytes, {1, 2, 3});
        if (clock[1].value == 64) incremental_clock = clock[3].value == 1 && clock[2].value == 0;
      }
      EXPECT_TRUE(incremental_clock) << "sequence " << seq_id << ": no incremental clock 64 from 0";
      auto defaults = pb_message(f[59].bytes, {11, 58});
      EXPECT_EQ(defaults[58].value, 64u) << "the default clock is the incremental one";
      seq.track = pb_message(defaults[11].bytes, {11})[11].value;
      EXPECT_TRUE(tracks.count(seq.track)) << "sequence " << seq_id << ": default track not described";
      if (f.count(12))
        for (const PbField& e : pb_fields(f[12].bytes)) {
          EXPECT_EQ(e.number, 2u) << "interned data other than event names";
          auto name = pb_message(e.bytes, {1, 2});
          EXPECT_TRUE(seq.names.emplace(name[1].value, name[2].bytes).second) << "iid " << name[1].value << " twice";
        }
      continue;
    }
    // A track event.
    EXPECT_NE(seq.track, 0u) << "packet " << n << ": an event on sequence " << seq_id << " before its setup";
    if (!seq.track) continue;
    EXPECT_EQ(f[13].value, 2u) << "an event needs the sequence's state";
    EXPECT_TRUE(f.count(8) && f.count(11)) << "packet " << n << ": an event without time";
    seq.ns += int64_t(f[8].value);  // the clock is incremental
    const Track& track = tracks[seq.track];
    auto e = pb_message(f[11].bytes, {9, 10, 30});
    const uint64_t type = e[9].value;
    if (type == 1 || type == 2) {
      EXPECT_EQ(track.parent, 1u) << "a slice on a track that is not a stage's";
      EXPECT_FALSE(track.counter);
      const int tid = int(track.rank) + 1;
      tl.track_names[tid] = track.name;
      if (type == 1) {
        EXPECT_FALSE(seq.open) << track.name << ": a slice begun inside another";
        EXPECT_TRUE(e.count(10) && seq.names.count(e[10].value)) << track.name << ": no interned name";
        seq.open = true;
        seq.slice = Slice{seq.ns, 0, seq.names[e[10].value]};
      } else {
        EXPECT_TRUE(seq.open) << track.name << ": an end without a begin";
        EXPECT_FALSE(e.count(10)) << "a name on a slice end";
        seq.open = false;
        seq.slice.dur = seq.ns - seq.slice.ts;
        EXPECT_GT(seq.slice.dur, 0) << track.name;
        tl.slices[tid].push_back(seq.slice);
      }
    } else {
      EXPECT_EQ(type, 4u) << "an event that is no slice begin, end or counter";
      EXPECT_TRUE(track.counter) << track.name << ": a counter value on a slice track";
      EXPECT_TRUE(track.parent == 2u || tracks[track.parent].name == "links") << track.name;
      EXPECT_TRUE(e.count(30)) << track.name << ": a counter event without a value";
      auto& c = tl.counters[track.name];
      if (!c.empty()) {
        EXPECT_GT(seq.ns, c.back().first) << track.name << ": counter not in time order";
      }
      c.push_back({seq.ns, int64_t(e[30].value)});
    }
  }
  for (const auto& [id, seq] : sequences) EXPECT_FALSE(seq.open) << "sequence " << id << ": a slice never ended";
  // The two parents, and every other track under one of them; the stages' names
  // also for stages whose window holds no slice.
  EXPECT_EQ(tracks[1].name, "stages");
  EXPECT_EQ(tracks[2].name, "FIFO occupancy");
  // A design with links has a third parent, "links", with a counter track
  // per link and level.
  for (const auto& [uuid, t] : tracks) {
    if (uuid <= 2) continue;
    if (t.parent == 0) {
      EXPECT_EQ(t.name, "links");
      EXPECT_FALSE(t.counter);
      continue;
    }
    const bool link_level = tracks.count(t.parent) && tracks[t.parent].name == "links";
    EXPECT_TRUE(t.parent == 1 || t.parent == 2 || link_level) << t.name;
    EXPECT_EQ(t.counter, t.parent == 2 || link_level) << t.name;
    if (t.parent == 1) tl.track_names[int(t.rank) + 1] = t.name;
  }
  tl.events = n;
  if (packets) *packets = n;
  return tl;
}

// The values of a VCD variable over [begin, end), as (cycle, value) with the
// value at `begin` first: what a windowed trace must show of the full one.
std::vector<std::pair<int64_t, int64_t>> window_of(const VcdVar& v, int64_t begin, int64_t end) {
  std::vector<std::pair<int64_t, int64_t>> out;
  int64_t at_begin = 0;
  for (const auto& [t, value] : v.changes)
    if (t <= begin) at_begin = value;
  out.push_back({begin, at_begin});
  for (const auto& [t, value] : v.changes)
    if (t > begin && t < end) out.push_back({t, value});
  return out;
}

// A gzip file's text, inflated with zlib.
std::string gunzip(const std::string& z) {
  z_stream st{};
  EXPECT_EQ(inflateInit2(&st, 15 + 16), Z_OK);
  st.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
  st.avail_in = uInt(z.size());
  std::string out;
  char buf[1 << 16];
  int r;
  do {
    st.next_out = reinterpret_cast<Bytef*>(buf);
    st.avail_out = sizeof buf;
    r = inflate(&st, Z_NO_FLUSH);
    out.append(buf, sizeof buf - st.avail_out);
  } while (r == Z_OK);
  EXPECT_EQ(r, Z_STREAM_END) << "not a complete gzip stream";
  inflateEnd(&st);
  return out;
}

// ------------------------------------------------------------ the run

class Traces : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    design_ = new vine::ir::Design(vine::config::load_design(kTfc));
    pn_ = new vine::sim::ProcessNetwork(*design_, vine::sim::ElaborationOptions{2, true, true}, nullptr, {}, {});
    finished_ = pn_->run();
    std::ostringstream vcd, perfetto, protobuf;
    vine::trace::write_vcd(*pn_, design_->clock_mhz, vcd);
    vine::trace::write_perfetto(*pn_, design_->clock_mhz, perfetto);
    vine::trace::write_perfetto_protobuf(*pn_, design_->clock_mhz, protobuf);
    vcd_ = new std::string(vcd.str());
    perfetto_ = new std::string(perfetto.str());
    protobuf_ = new std::string(protobuf.str());
  }
  static void TearDownTestSuite() {
    delete protobuf_;
    delete perfetto_;
    delete vcd_;
    delete pn_;
    delete design_;
  }

  static vine::ir::Design* design_;
  static vine::sim::ProcessNetwork* pn_;
  static bool finished_;
  static std::string *vcd_, *perfetto_, *protobuf_;
};

vine::ir::Design* Traces::design_ = nullptr;
vine::sim::ProcessNetwork* Traces::pn_ = nullptr;
bool Traces::finished_ = false;
std::string* Traces::vcd_ = nullptr;
std::string* Traces::perfetto_ = nullptr;
std::string* Traces::protobuf_ = nullptr;

TEST_F(Traces, TheRunFinishedAndRecorded) {
  ASSERT_TRUE(finished_);
  for (const auto& f : pn_->fifos()) {
    EXPECT_EQ(int64_t(f->times().size()), f->written()) << f->name();
    EXPECT_GT(f->written(), 0) << f->name();
  }
  for (const auto& s : pn_->stages()) EXPECT_FALSE(s->activity().empty()) << s->name();
}

TEST_F(Traces, VcdDeclaresEveryFifoAndStage) {
  const Vcd vcd = in_cycles(parse_vcd(*vcd_), design_->clock_mhz);
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
  const Vcd vcd = in_cycles(parse_vcd(*vcd_), design_->clock_mhz);
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
  const Vcd vcd = in_cycles(parse_vcd(*vcd_), design_->clock_mhz);
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
    EXPECT_EQ(std::llround(d["input empty"] * mhz), st.stalled_input) << s->name();
    EXPECT_EQ(std::llround(d["output full"] * mhz), st.stalled_output) << s->name();
    EXPECT_EQ(d.size(), 3u) << s->name() << ": a slice name other than the three";
  }
}

TEST_F(Traces, PerfettoCountersFollowTheFifos) {
  const auto j = nlohmann::json::parse(*perfetto_);
  const double mhz = design_->clock_mhz;
  std::map<std::string, std::vector<std::pair<double, int64_t>>> counters;  // fifo -> (ts, beats)
  for (const auto& e : j.at("traceEvents"))
    if (e.at("ph") == "C") counters[e.at("name").get<std::string>()].push_back(
          {e.at("ts").get<double>(), e.at("args").at("beats").get<int64_t>()});
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

// The protobuf timeline holds exactly the JSON's: the same tracks, slices and
// counter values at the same nanoseconds.
TEST_F(Traces, PerfettoProtobufIsTheJsonTimeline) {
  size_t packets = 0;
  const Timeline pb = read_protobuf_trace(*protobuf_, &packets), js = read_trace_events(*perfetto_);
  ASSERT_EQ(pb.track_names.size(), pn_->stages().size());
  EXPECT_EQ(pb.track_names, js.track_names);
  EXPECT_TRUE(pb.slices == js.slices);
  EXPECT_EQ(pb.counters, js.counters);
  size_t slices = 0, counters = 0;
  for (const auto& [tid, sl] : pb.slices) slices += sl.size();
  for (const auto& [name, c] : pb.counters) counters += c.size();
  // Two packets a slice, one a counter value, one descriptor a track (and the
  // two parents), one first packet a sequence (a track).
  const size_t tracks = pn_->stages().size() + pn_->fifos().size();
  EXPECT_EQ(packets, 2 * slices + counters + 2 * tracks + 2);
  std::cout << "[ measured ] TFC, 2 frames: JSON " << perfetto_->size() << " bytes, protobuf " << protobuf_->size()
            << " bytes (" << packets << " packets)\n";
  // Measured: 35 % (the tracks' descriptors and first packets weigh on so small a trace; 28 % on MobileNet).
  EXPECT_LT(protobuf_->size() * 5, perfetto_->size() * 2) << "the protobuf is not below 40 % of the JSON";
}

// Read on its own, against the models: each stage's slices add up to its busy
// and stalled cycles, each counter follows its FIFO's stamps to its peak.
TEST_F(Traces, PerfettoProtobufAddsUpToTheStats) {
  const Timeline pb = read_protobuf_trace(*protobuf_);
  const double mhz = design_->clock_mhz;
  auto cycle = [&](int64_t ns) { return std::llround(double(ns) * mhz / 1000); };
  for (size_t i = 0; i < pn_->stages().size(); ++i) {
    const Stage& s = *pn_->stages()[i];
    ASSERT_EQ(pb.track_names.at(int(i) + 1), s.name());
    std::map<std::string, int64_t> cycles;
    for (const Slice& sl : pb.slices.at(int(i) + 1)) cycles[sl.name] += cycle(sl.ts + sl.dur) - cycle(sl.ts);
    EXPECT_EQ(cycles["busy"], s.stats().busy) << s.name();
    EXPECT_EQ(cycles["input empty"], s.stats().stalled_input) << s.name();
    EXPECT_EQ(cycles["output full"], s.stats().stalled_output) << s.name();
    EXPECT_EQ(cycles.size(), 3u) << s.name() << ": a slice name other than the three";
    EXPECT_EQ(pb.slices.at(int(i) + 1).size(), s.activity().size()) << s.name() << ": one slice per span";
  }
  ASSERT_EQ(pb.counters.size(), pn_->fifos().size());
  for (const auto& f : pn_->fifos()) {
    const auto& c = pb.counters.at(f->name());
    int64_t peak = 0;
    for (const auto& [ns, beats] : c) {
      EXPECT_EQ(beats, occupancy_from_stamps(*f, cycle(ns))) << f->name() << " at cycle " << cycle(ns);
      peak = std::max(peak, beats);
    }
    EXPECT_EQ(peak, f->max_occupancy()) << f->name();
    EXPECT_EQ(c.back().second, f->occupancy()) << f->name();
  }
}

TEST(TracesProtobuf, FileNamesChooseTheFormat) {
  for (const char* p : {"t.pftrace", "t.perfetto-trace", "t.pftrace.gz", "dir/t.perfetto-trace.gz"})
    EXPECT_TRUE(vine::trace::is_protobuf_trace_path(p)) << p;
  for (const char* p : {"t.json", "t.json.gz", "t.gz", ".pftrace", "t.pftrace.json", "t.pftracegz", "pftrace"})
    EXPECT_FALSE(vine::trace::is_protobuf_trace_path(p)) << p;
}


// ------------------------------------------------------------ the time unit

TEST(TracesTimescale, IsTheClockPeriodWhereVcdHasSuchAUnit) {
  struct Case {
    double mhz;
    const char* timescale;
    int64_t step;
  };
  for (const Case& c : {Case{100, "10ns", 1}, Case{1000, "1ns", 1}, Case{1, "1us", 1}, Case{10, "100ns", 1},
                        Case{250, "1ns", 4}, Case{200, "1ns", 5}, Case{400, "100ps", 25}}) {
    const auto tb = vine::trace::vcd_timebase(c.mhz);
    EXPECT_TRUE(tb.exact) << c.mhz;
    EXPECT_EQ(tb.timescale, c.timescale) << c.mhz;
    EXPECT_EQ(tb.step, c.step) << c.mhz;
    EXPECT_EQ(tb.time(7), 7 * c.step) << c.mhz;
    // The period is step timescale units.
    EXPECT_NEAR(double(tb.step) * timescale_fs(tb.timescale), 1e9 / c.mhz, 1e-6) << c.mhz;
  }
  // 333 MHz (3003.003... ps) and 187.5 MHz (5333.333... ps): no whole number
  // of any VCD unit, so femtoseconds, each cycle's start rounded to one.
  for (const double mhz : {333.0, 187.5}) {
    const auto tb = vine::trace::vcd_timebase(mhz);
    EXPECT_FALSE(tb.exact) << mhz;
    EXPECT_EQ(tb.timescale, "1fs") << mhz;
    for (const int64_t c : {int64_t{1}, int64_t{3}, int64_t{1000003}, int64_t{1} << 40})
      EXPECT_EQ(tb.time(c), std::llround(double(c) * 1e9 / mhz)) << mhz << " cycle " << c;
  }
}

TEST_F(Traces, VcdTimescaleLineIsTheClockPeriod) {
  // TFC runs at 100 MHz: one cycle is 10 ns, a VCD unit, and time = cycle.
  ASSERT_EQ(design_->clock_mhz, 100);
  EXPECT_NE(vcd_->find("\n$timescale 10ns $end\n"), std::string::npos);
  EXPECT_NE(vcd_->find("Clock 10000 ps (100 MHz). Cycle c starts at time c * 1 (x 10ns)."), std::string::npos);
  const Vcd raw = parse_vcd(*vcd_);
  const Vcd cycles = in_cycles(raw, design_->clock_mhz);
  EXPECT_EQ(raw.last_time, cycles.last_time);
}

// TFC-W1A1 at 187.5 MHz, a clock whose period (5333.33 ps) is no whole
// number of ns or ps.
namespace {
vine::ir::Design tfc_at_187_5_mhz() {
  const fs::path dir = fs::temp_directory_path() / ("vine-traces-187-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "design.yaml") << "design: tfc-187\nnetwork: " << VINE_SOURCE_DIR
                                     << "/configs/networks/tfc-w1a1.yaml\ndevice: " << VINE_SOURCE_DIR
                                     << "/configs/devices/zcu102.yaml\ntemplate: streaming\nclock_mhz: 187.5\n"
                                        "fifo_depth: 2\nlayers:\n  fc0: {simd: 49, pe: 16}\n";
  const vine::ir::Design d = vine::config::load_design((dir / "design.yaml").string());
  fs::remove_all(dir);
  return d;
}
}  // namespace

// A design at 187.5 MHz: its VCD is in femtoseconds and every time still a
// cycle's start; its timeline's slices still tile without overlap.
TEST(TracesTimescale, AnInexactPeriodIsInFemtosecondsAtEachCyclesStart) {
  const vine::ir::Design d = tfc_at_187_5_mhz();
  ASSERT_EQ(d.clock_mhz, 187.5);
  vine::sim::ProcessNetwork pn(d, vine::sim::ElaborationOptions{1, true, true}, nullptr, {}, {});
  ASSERT_TRUE(pn.run());
  std::ostringstream vcd_text, perfetto_text;
  vine::trace::write_vcd(pn, d.clock_mhz, vcd_text);
  vine::trace::write_perfetto(pn, d.clock_mhz, perfetto_text);
  EXPECT_NE(vcd_text.str().find("\n$timescale 1fs $end\n"), std::string::npos);
  EXPECT_NE(vcd_text.str().find("round(c * 5333333.33333) fs"), std::string::npos) << vcd_text.str().substr(0, 400);
  const Vcd vcd = in_cycles(parse_vcd(vcd_text.str()), d.clock_mhz);
  for (const auto& s : pn.stages()) {
    const VcdVar* v = vcd.by_name(sanitised(s->name()));
    ASSERT_NE(v, nullptr) << s->name();
    EXPECT_EQ(time_at(*v, 1, vcd.last_time), s->stats().busy) << s->name();
    EXPECT_EQ(v->changes.back().first, s->local_cycle() + 1) << s->name();
  }
  const Timeline tl = read_trace_events(perfetto_text.str());
  for (size_t i = 0; i < pn.stages().size(); ++i) {
    int64_t busy = 0;
    for (const Slice& sl : tl.slices.at(int(i) + 1))
      if (sl.name == "busy") {
        // Each edge is a cycle's start rounded to a whole ns: the cycles come back exactly.
        const int64_t b = std::llround(double(sl.ts) * d.clock_mhz / 1e3);
        const int64_t e = std::llround(double(sl.ts + sl.dur) * d.clock_mhz / 1e3);
        EXPECT_EQ(vine::trace::perfetto_ns(b, d.clock_mhz), sl.ts);
        EXPECT_EQ(vine::trace::perfetto_ns(e, d.clock_mhz), sl.ts + sl.dur);
        busy += e - b;
      }
    EXPECT_EQ(busy, pn.stages()[i]->stats().busy) << pn.stages()[i]->name();
  }
}

// ------------------------------------------------------------ windows and stage filters

TEST_F(Traces, FrameWindowIsFirstInputBeatToLastOutputBeat) {
  const auto all = vine::trace::frame_window(*pn_, 0, 1);
  EXPECT_TRUE(all.note.empty());
  EXPECT_EQ(all.begin, pn_->input_dma().stats().first_write);
  // The output DMA reads the last beat of all in the window's last cycle.
  EXPECT_EQ(all.end, pn_->output_dma().inputs()[0]->times().back().read + 1);
  const auto f0 = vine::trace::frame_window(*pn_, 0, 0), f1 = vine::trace::frame_window(*pn_, 1, 1);
  EXPECT_EQ(f0.begin, all.begin);
  EXPECT_EQ(f1.end, all.end);
  EXPECT_EQ(f0.end, pn_->output_dma().last_beat_cycles()[0] + 1);
  EXPECT_GT(f1.begin, f0.begin);
  EXPECT_LT(f1.begin, f0.end) << "TFC's frames overlap in the pipeline";
  // Frame 1's first beat is the input DMA's beat number words_per_frame.
  const auto& beats = pn_->input_dma().outputs()[0]->times();
  EXPECT_EQ(f1.begin, beats[size_t(pn_->input_dma().words_per_frame())].write);
  EXPECT_EQ(f1.begin - 1, beats[size_t(pn_->input_dma().words_per_frame()) - 1].write)
      << "frame 0's last beat goes out in the cycle before";
}

// Writes the traces of the fixture's run with `sel`, and checks them against
// the full ones: exactly the selected stages and their FIFOs, with exactly
// the full trace's values and slices in the window.
void check_selection(const vine::sim::ProcessNetwork& pn, double mhz, const vine::trace::TraceSelection& sel,
                     const std::string& full_vcd, const std::string& full_perfetto, const std::set<std::string>& stages,
                     const std::set<std::string>& fifos) {
  std::ostringstream vcd_text, perfetto_text;
  vine::trace::write_vcd(pn, mhz, vcd_text, sel);
  vine::trace::write_perfetto(pn, mhz, perfetto_text, sel);
  const Vcd full = in_cycles(parse_vcd(full_vcd), mhz), part = in_cycles(parse_vcd(vcd_text.str()), mhz);
  const int64_t end = std::min(sel.end, full.last_time + 1);

  std::set<std::string> want, got;
  for (const auto& n : stages) want.insert(sanitised(n));
  for (const auto& n : fifos) want.insert(sanitised(n));
  for (const auto& [id, v] : part.vars) got.insert(v.name);
  EXPECT_EQ(got, want);
  for (const auto& [id, v] : part.vars) {
    const VcdVar* f = full.by_name(v.name);
    ASSERT_NE(f, nullptr) << v.name;
    EXPECT_EQ(v.changes, window_of(*f, sel.begin, end)) << v.name;
  }
  if (sel.end != std::numeric_limits<int64_t>::max()) {
    EXPECT_EQ(part.last_time, sel.end) << "the last #time marks the window's end";
  }

  const Timeline tf = read_trace_events(full_perfetto), tp = read_trace_events(perfetto_text.str());
  {
    std::ostringstream protobuf_text;
    vine::trace::write_perfetto_protobuf(pn, mhz, protobuf_text, sel);
    const Timeline pb = read_protobuf_trace(protobuf_text.str());
    EXPECT_EQ(pb.track_names, tp.track_names) << "the protobuf's tracks are not the JSON's";
    EXPECT_TRUE(pb.slices == tp.slices) << "the protobuf's slices are not the JSON's";
    EXPECT_EQ(pb.counters, tp.counters) << "the protobuf's counters are not the JSON's";
  }
  std::set<std::string> tracks, counters;
  for (const auto& [tid, name] : tp.track_names) {
    tracks.insert(name);
    EXPECT_EQ(tf.track_names.at(tid), name) << "a stage's track keeps its tid";
  }
  for (const auto& [name, c] : tp.counters) counters.insert(name);
  EXPECT_EQ(tracks, stages);
  EXPECT_EQ(counters, fifos);
  const int64_t b_ns = vine::trace::perfetto_ns(sel.begin, mhz), e_ns = vine::trace::perfetto_ns(end, mhz);
  for (const auto& [tid, name] : tp.track_names) {
    std::vector<Slice> want_slices;  // the full track's slices cut to the window
    if (tf.slices.count(tid))
      for (const Slice& sl : tf.slices.at(tid)) {
        const int64_t b = std::max(sl.ts, b_ns), e = std::min(sl.ts + sl.dur, e_ns);
        if (b < e) want_slices.push_back({b, e - b, sl.name});
      }
    const std::vector<Slice> none;
    EXPECT_EQ(tp.slices.count(tid) ? tp.slices.at(tid) : none, want_slices) << name;
  }
  for (const auto& [name, c] : tp.counters) {
    std::vector<std::pair<int64_t, int64_t>> want_c{{b_ns, 0}};
    for (const auto& [ns, beats] : tf.counters.at(name))
      if (ns <= b_ns)
        want_c.front().second = beats;
      else if (ns < e_ns)
        want_c.push_back({ns, beats});
    EXPECT_EQ(c, want_c) << name;
  }
}

std::set<std::string> all_fifos(const vine::sim::ProcessNetwork& pn) {
  std::set<std::string> n;
  for (const auto& f : pn.fifos()) n.insert(f->name());
  return n;
}

TEST_F(Traces, AFrameWindowShowsExactlyItsCycles) {
  std::set<std::string> stages;
  for (const auto& s : pn_->stages()) stages.insert(s->name());
  for (const auto& [a, b] : {std::pair{0, 0}, std::pair{1, 1}, std::pair{0, 1}}) {
    SCOPED_TRACE("frames " + std::to_string(a) + ":" + std::to_string(b));
    const auto win = vine::trace::frame_window(*pn_, a, b);
    vine::trace::TraceSelection sel;
    sel.begin = win.begin;
    sel.end = win.end;
    check_selection(*pn_, design_->clock_mhz, sel, *vcd_, *perfetto_, stages, all_fifos(*pn_));
  }
  // A window that is not the frames': any cycles.
  vine::trace::TraceSelection sel;
  sel.begin = 101;
  sel.end = 257;
  check_selection(*pn_, design_->clock_mhz, sel, *vcd_, *perfetto_, stages, all_fifos(*pn_));
}

TEST_F(Traces, AStageFilterShowsExactlyItsStagesAndTheirFifos) {
  std::vector<std::string> names;
  for (const auto& s : pn_->stages()) names.push_back(s->name());
  std::string unmatched;
  vine::trace::TraceSelection sel;
  sel.stages = vine::trace::select_stages(names, "fc1.*,output_dma", unmatched);
  ASSERT_EQ(sel.stages.size(), names.size()) << unmatched;
  std::set<std::string> stages, fifos;
  for (const auto& s : pn_->stages())
    if (s->name().rfind("fc1.", 0) == 0 || s->name() == "output_dma") {
      stages.insert(s->name());
      for (const auto* f : s->inputs()) fifos.insert(f->name());
      for (const auto* f : s->outputs()) fifos.insert(f->name());
    }
  ASSERT_GE(stages.size(), 2u);
  ASSERT_LT(fifos.size(), pn_->fifos().size());
  check_selection(*pn_, design_->clock_mhz, sel, *vcd_, *perfetto_, stages, fifos);
  // And with a window of frames.
  const auto win = vine::trace::frame_window(*pn_, 1, 1);
  sel.begin = win.begin;
  sel.end = win.end;
  check_selection(*pn_, design_->clock_mhz, sel, *vcd_, *perfetto_, stages, fifos);

  // A pattern that matches nothing is reported, and so is an empty one.
  EXPECT_TRUE(vine::trace::select_stages(names, "fc1.*,conv9.*", unmatched).empty());
  EXPECT_EQ(unmatched, "conv9.*");
  EXPECT_TRUE(vine::trace::select_stages(names, "fc1.*,", unmatched).empty());
  EXPECT_EQ(unmatched, "");
}

// ------------------------------------------------------------ the format and its size

TEST_F(Traces, PerfettoIsStrictTraceEventFormatWithMergedSlices) {
  const Timeline tl = read_trace_events(*perfetto_);
  ASSERT_EQ(tl.track_names.size(), pn_->stages().size());
  for (size_t i = 0; i < pn_->stages().size(); ++i) {
    const auto& sl = tl.slices.at(int(i) + 1);
    // One slice per activity span, and no two touching slices in one state:
    // consecutive cycles of a state are one slice.
    EXPECT_EQ(sl.size(), pn_->stages()[i]->activity().size());
    for (size_t k = 1; k < sl.size(); ++k)
      if (sl[k].ts == sl[k - 1].ts + sl[k - 1].dur) {
        EXPECT_NE(sl[k].name, sl[k - 1].name) << pn_->stages()[i]->name() << " slice " << k;
      }
  }
  for (const auto& [name, c] : tl.counters)
    for (size_t k = 1; k < c.size(); ++k) EXPECT_NE(c[k].second, c[k - 1].second) << name << ": not a change";
}

// The timeline as the writer before the compact format wrote it: long slice
// names, "occupancy", times as the shortest double of cycle / MHz, a counter
// value at cycle 0. Kept here only to measure the compact format against it.
std::string old_perfetto(const vine::sim::ProcessNetwork& pn, double mhz) {
  auto num = [](double v) {
    char b[32];
    const auto r = std::to_chars(b, b + sizeof b, v);
    return std::string(b, r.ptr);
  };
  auto str = [](const std::string& s) { return nlohmann::json(s).dump(); };
  std::string o = R"({"traceEvents":[)";
  bool first = true;
  auto next = [&]() -> std::string& {
    o += first ? "\n" : ",\n";
    first = false;
    return o;
  };
  auto meta = [&](int pid, int tid, const std::string& what, const std::string& arg, const std::string& value) {
    next() += R"({"ph":"M","pid":)" + std::to_string(pid) + R"(,"tid":)" + std::to_string(tid) + R"(,"name":")" +
              what + R"(","args":{")" + arg + R"(":)" + value + "}}";
  };
  meta(1, 0, "process_name", "name", str("stages"));
  meta(1, 0, "process_sort_index", "sort_index", "0");
  int tid = 0;
  for (const auto& s : pn.stages()) {
    ++tid;
    meta(1, tid, "thread_name", "name", str(s->name()));
    meta(1, tid, "thread_sort_index", "sort_index", std::to_string(tid));
    for (const auto& a : s->activity()) {
      const char* name = a.what == vine::models::Activity::kBusy           ? "busy"
                         : a.what == vine::models::Activity::kStalledInput ? "stalled: input empty"
                                                                           : "stalled: output full";
      next() += R"({"ph":"X","pid":1,"tid":)" + std::to_string(tid) + R"(,"name":")" + name + R"(","ts":)" +
                num(double(a.begin) / mhz) + R"(,"dur":)" + num(double(a.end - a.begin) / mhz) + "}";
    }
  }
  meta(2, 0, "process_name", "name", str("FIFO occupancy (beats)"));
  meta(2, 0, "process_sort_index", "sort_index", "1");
  for (const auto& f : pn.fifos()) {
    auto counter = [&](int64_t t, int64_t beats) {
      next() += R"({"ph":"C","pid":2,"name":)" + str(f->name()) + R"(,"ts":)" + num(double(t) / mhz) +
                R"(,"args":{"occupancy":)" + std::to_string(beats) + "}}";
    };
    counter(0, 0);
    std::map<int64_t, int64_t> delta;  // cycle -> change of the occupancy
    for (size_t k = 0; k < f->times().size(); ++k) {
      ++delta[f->times()[k].write + 1];
      if (int64_t(k) < f->read_count()) --delta[f->times()[k].read + 1];
    }
    int64_t beats = 0;
    for (const auto& [t, d] : delta)
      if (d != 0) counter(t, beats += d);
  }
  return o + "\n],\n" + R"("displayTimeUnit":"ns"})" + "\n";
}

TEST_F(Traces, PerfettoMergesCyclesIntoSlices) {
  const Timeline tl = read_trace_events(*perfetto_);
  size_t slices = 0;
  for (const auto& [tid, sl] : tl.slices) slices += sl.size();
  int64_t stage_cycles = 0;  // cycles in which a stage was busy or stalled, summed over the stages
  for (const auto& s : pn_->stages())
    stage_cycles += s->stats().busy + s->stats().stalled_input + s->stats().stalled_output;
  std::cout << "[ measured ] TFC, 2 frames: " << slices << " slices over " << stage_cycles << " stage-cycles\n";
  EXPECT_LT(slices * 4, size_t(stage_cycles)) << "slices are not merged runs of cycles";
}

// At a clock whose period is no whole number of ns (187.5 MHz), the old
// format's times ran to 17 digits; the compact one's are whole ns.
TEST(TracesSize, CompactPerfettoIsSmallerThanTheOldFormat) {
  const vine::ir::Design d = tfc_at_187_5_mhz();
  vine::sim::ProcessNetwork pn(d, vine::sim::ElaborationOptions{2, true, true}, nullptr, {}, {});
  ASSERT_TRUE(pn.run());
  std::ostringstream compact;
  vine::trace::write_perfetto(pn, d.clock_mhz, compact);
  const std::string old = old_perfetto(pn, d.clock_mhz);
  // Both say the same: the same slices and counter values, event for event.
  const Timeline a = read_trace_events(compact.str());
  const auto o = nlohmann::json::parse(old);
  size_t old_slices = 0, old_counters = 0, slices = 0, counters = 0;
  for (const auto& e : o.at("traceEvents")) {
    old_slices += e.at("ph") == "X";
    old_counters += e.at("ph") == "C";
  }
  for (const auto& [tid, sl] : a.slices) slices += sl.size();
  for (const auto& [name, c] : a.counters) counters += c.size();
  EXPECT_EQ(slices, old_slices);
  EXPECT_LE(counters, old_counters);
  std::cout << "[ measured ] TFC at 187.5 MHz, 2 frames: " << compact.str().size() << " bytes, the old format "
            << old.size() << " bytes\n";
  EXPECT_LT(double(compact.str().size()), 0.85 * double(old.size()));  // measured: 0.82
  std::ostringstream protobuf;
  vine::trace::write_perfetto_protobuf(pn, d.clock_mhz, protobuf);
  const Timeline p = read_protobuf_trace(protobuf.str());
  EXPECT_TRUE(p.slices == a.slices);
  EXPECT_EQ(p.counters, a.counters);
  std::cout << "[ measured ] TFC at 187.5 MHz, 2 frames: protobuf " << protobuf.str().size() << " bytes\n";
  EXPECT_LT(protobuf.str().size() * 3, compact.str().size());
}

TEST(TracesGzip, InflatesToThePlainText) {
  std::string plain;
  for (int i = 0; i < 200000; ++i) plain += "{\"ph\":\"C\",\"ts\":" + std::to_string(i) + "},\n";
  std::ostringstream packed;
  {
    vine::trace::GzipOstream gz(packed);
    gz.write(plain.data(), std::streamsize(plain.size() / 2));
    gz << plain.substr(plain.size() / 2);
    ASSERT_TRUE(gz.finish());
  }
  const std::string z = packed.str();
  ASSERT_GE(z.size(), 2u);
  EXPECT_EQ(uint8_t(z[0]), 0x1f);  // the gzip magic
  EXPECT_EQ(uint8_t(z[1]), 0x8b);
  EXPECT_LT(z.size() * 5, plain.size());
  EXPECT_EQ(gunzip(z), plain);
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
  vine::trace::write_vcd(pn, d.clock_mhz, vcd_text);
  vine::trace::write_perfetto(pn, d.clock_mhz, perfetto_text);
  const Vcd vcd = in_cycles(parse_vcd(vcd_text.str()), d.clock_mhz);
  const auto j = nlohmann::json::parse(perfetto_text.str());
  std::map<std::string, int64_t> last_counter;
  for (const auto& e : j.at("traceEvents"))
    if (e.at("ph") == "C") last_counter[e.at("name").get<std::string>()] = e.at("args").at("beats").get<int64_t>();
  std::ostringstream protobuf_text;
  vine::trace::write_perfetto_protobuf(pn, d.clock_mhz, protobuf_text);
  const Timeline pb = read_protobuf_trace(protobuf_text.str());

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
    ASSERT_TRUE(pb.counters.count(f->name())) << f->name();
    EXPECT_EQ(pb.counters.at(f->name()).back().second, f->occupancy()) << f->name();
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
  vine::trace::write_vcd(pn, d.clock_mhz, want_vcd);
  vine::trace::write_perfetto(pn, d.clock_mhz, want_perfetto);
  EXPECT_TRUE(vtext.str() == want_vcd.str())
      << "the VCD of `vine run` differs from the in-process trace";
  EXPECT_TRUE(jtext.str() == want_perfetto.str())
      << "the Perfetto JSON of `vine run` differs from the in-process trace";
}

}  // namespace

namespace {

struct Ran {
  int status = -1;
  std::string err;
};

// Runs `vine ARGS` with stdout discarded; its exit status and stderr.
Ran run_vine(const std::string& args) {
  const fs::path err = fs::temp_directory_path() / ("vine-traces-err-" + std::to_string(::getpid()));
  const std::string cmd = std::string(VINE_BINARY) + " " + args + " >/dev/null 2>" + err.string();
  const int st = std::system(cmd.c_str());
  Ran r;
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream in(err);
  std::stringstream text;
  text << in.rdbuf();
  r.err = text.str();
  fs::remove(err);
  return r;
}

TEST(TracesCli, BadTraceOptionsAreErrorsNamingTheOptionAndValue) {
  const fs::path vcd = fs::temp_directory_path() / ("vine-traces-bad-" + std::to_string(::getpid()) + ".vcd");
  const std::string run = "run " + kTfc + " --frames 2 --timing-only --vcd " + vcd.string();
  struct Case {
    std::string args;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {
      {"--trace-frames 1:0", {"--trace-frames", "'1:0'", "first frame 1 comes after its last 0", "0 <= A <= B <= 1"}},
      {"--trace-frames 0:2", {"--trace-frames", "'0:2'", "frame 2 is not in the run", "--frames 2"}},
      {"--trace-frames 5", {"--trace-frames", "'5'", "frame 5 is not in the run"}},
      {"--trace-frames a:b", {"--trace-frames", "'a:b'", "expected A:B or A"}},
      {"--trace-frames -1:0", {"--trace-frames", "'-1:0'", "expected A:B or A"}},
      {"--trace-stages 'fc1.*,conv9.*'",
       {"--trace-stages", "'fc1.*,conv9.*'", "pattern 'conv9.*' matches no stage", "input_dma"}},
      {"--trace-stages ''", {"--trace-stages", "matches no stage"}},
  };
  for (const Case& c : cases) {
    const Ran r = run_vine(run + " " + c.args);
    EXPECT_EQ(r.status, 1) << c.args << "\n" << r.err;
    for (const auto& s : c.says) EXPECT_NE(r.err.find(s), std::string::npos) << c.args << ": no '" << s << "' in\n" << r.err;
    EXPECT_FALSE(fs::exists(vcd)) << c.args << ": a trace was written";
  }
  // Without a trace to restrict, the options are errors too.
  const Ran r = run_vine("run " + kTfc + " --frames 2 --timing-only --trace-frames 0:1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--trace-frames restricts the traces: give --vcd or --perfetto too"), std::string::npos) << r.err;
  fs::remove(vcd);
}

// What `--trace-frames 1 --trace-stages 'fc1.*'` selects, made in this process.
vine::trace::TraceSelection frame1_fc1(const vine::sim::ProcessNetwork& pn) {
  std::vector<std::string> names;
  for (const auto& s : pn.stages()) names.push_back(s->name());
  std::string unmatched;
  vine::trace::TraceSelection sel;
  sel.stages = vine::trace::select_stages(names, "fc1.*", unmatched);
  const auto win = vine::trace::frame_window(pn, 1, 1);
  sel.begin = win.begin;
  sel.end = win.end;
  return sel;
}

TEST(TracesCli, WindowStagesAndGzipReachTheFiles) {
  const fs::path dir = fs::temp_directory_path() / ("vine-traces-gz-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const Ran r = run_vine("run " + kTfc + " --frames 2 --timing-only --trace-frames 1 --trace-stages 'fc1.*' --vcd " +
                         (dir / "w.vcd").string() + " --perfetto " + (dir / "w.json.gz").string());
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream vin(dir / "w.vcd"), zin(dir / "w.json.gz", std::ios::binary);
  std::stringstream vtext, ztext;
  vtext << vin.rdbuf();
  ztext << zin.rdbuf();
  fs::remove_all(dir);

  // The same traces as made in this process with frame 1's window and fc1's stages.
  const vine::ir::Design d = vine::config::load_design(kTfc);
  vine::sim::ProcessNetwork pn(d, vine::sim::ElaborationOptions{2, true, true}, nullptr, {}, {});
  ASSERT_TRUE(pn.run());
  const auto win = vine::trace::frame_window(pn, 1, 1);
  const vine::trace::TraceSelection sel = frame1_fc1(pn);
  std::ostringstream want_vcd, want_perfetto;
  vine::trace::write_vcd(pn, d.clock_mhz, want_vcd, sel);
  vine::trace::write_perfetto(pn, d.clock_mhz, want_perfetto, sel);
  EXPECT_TRUE(vtext.str() == want_vcd.str()) << "the windowed VCD of `vine run` differs from the in-process one";
  const std::string z = ztext.str();
  ASSERT_GE(z.size(), 2u);
  EXPECT_EQ(uint8_t(z[0]), 0x1f) << "--perfetto *.gz is not gzip";
  EXPECT_TRUE(gunzip(z) == want_perfetto.str()) << "the gzipped timeline differs from the in-process one";
  EXPECT_NE(vtext.str().find("Window: cycles " + std::to_string(win.begin)), std::string::npos);
}

TEST(TracesCli, PftraceNamesWriteTheProtobufFormat) {
  const fs::path dir = fs::temp_directory_path() / ("vine-traces-pb-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path plain = dir / "t.pftrace", packed = dir / "t.perfetto-trace.gz";
  Ran r = run_vine("run " + kTfc + " --frames 2 --timing-only --perfetto " + plain.string());
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_vine("run " + kTfc + " --frames 2 --timing-only --trace-frames 1 --trace-stages 'fc1.*' --perfetto " +
               packed.string());
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream pin(plain, std::ios::binary), zin(packed, std::ios::binary);
  std::stringstream ptext, ztext;
  ptext << pin.rdbuf();
  ztext << zin.rdbuf();
  fs::remove_all(dir);

  const vine::ir::Design d = vine::config::load_design(kTfc);
  vine::sim::ProcessNetwork pn(d, vine::sim::ElaborationOptions{2, true, true}, nullptr, {}, {});
  ASSERT_TRUE(pn.run());
  std::ostringstream want_all, want_part;
  vine::trace::write_perfetto_protobuf(pn, d.clock_mhz, want_all);
  const vine::trace::TraceSelection sel = frame1_fc1(pn);
  vine::trace::write_perfetto_protobuf(pn, d.clock_mhz, want_part, sel);
  EXPECT_TRUE(ptext.str() == want_all.str()) << "the .pftrace of `vine run` differs from the in-process protobuf";
  const std::string z = ztext.str();
  ASSERT_GE(z.size(), 2u);
  EXPECT_EQ(uint8_t(z[0]), 0x1f) << "--perfetto *.perfetto-trace.gz is not gzip";
  EXPECT_TRUE(gunzip(z) == want_part.str()) << "the gzipped protobuf differs from the in-process one";
  const Timeline part = read_protobuf_trace(gunzip(z));
  EXPECT_FALSE(part.slices.empty());
  for (const auto& [tid, name] : part.track_names) EXPECT_EQ(name.rfind("fc1.", 0), 0u) << name;
}


// ------------------------------------------------------------ links

// A design placed on two boards: each cut stream's link has its own tracks.
// TFC split after fc1 over one 6.25 Gb/s lane whose receive FIFO sends XOFF
// at one word (every word is held off for a moment) and whose wire flips
// three bits in a thousand (go-back-N resends): the VCD's and Perfetto's link
// tracks must show sending, resending and XOFF, and their levels must end at
// the link's own counts.
TEST(TracesLinks, EachLinkHasItsOwnTracksCarryingItsEvents) {
  const fs::path dir = fs::temp_directory_path() / ("vine-traces-links-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path root(VINE_SOURCE_DIR);
  {
    std::ofstream cl(dir / "cluster.yaml");
    cl << "cluster: test-x2\nboards:\n"
       << "  - {name: fpga0, device: " << (root / "configs/devices/pynq-z1.yaml").string() << "}\n"
       << "  - {name: fpga1, device: " << (root / "configs/devices/pynq-z1.yaml").string() << "}\n"
       << "links:\n  - {from: fpga0, to: fpga1, lanes: 1, line_rate_gbps: 6.25, cable_m: 0.5, rx_fifo_words: 64,\n"
       << "     xoff_words: 1, xon_words: 0, bit_error_rate: 3.0e-3, error_seed: 3}\n";
    std::ifstream in(root / "examples/multi-fpga/tfc-w1a1-pynq-z1-x2.yaml");
    std::ofstream d(dir / "design.yaml");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("network:", 0) == 0) line = "network: " + (root / "configs/networks/tfc-w1a1.yaml").string();
      if (line.rfind("device:", 0) == 0) line = "device: " + (root / "configs/devices/pynq-z1.yaml").string();
      if (line.rfind("cluster:", 0) == 0) line = "cluster: " + (dir / "cluster.yaml").string();
      d << line << "\n";
    }
  }
  const vine::ir::Design design = vine::config::load_design((dir / "design.yaml").string());
  fs::remove_all(dir);
  vine::sim::ProcessNetwork pn(design, vine::sim::ElaborationOptions{16, true, true}, nullptr, {}, {});
  ASSERT_TRUE(pn.run());
  const vine::models::LinkStage* link = nullptr;
  size_t link_index = 0;
  for (size_t i = 0; i < pn.stages().size(); ++i)
    if (auto* l = dynamic_cast<const vine::models::LinkStage*>(pn.stages()[i].get())) {
      link = l;
      link_index = i;
    }
  ASSERT_NE(link, nullptr);
  ASSERT_EQ(link->name(), "fc2.link");
  const vine::models::LinkStats& st = link->link().stats();
  // The run must have what the tracks are to show.
  ASSERT_GT(st.xoff_events, 0);
  ASSERT_GT(st.frames_resent, 0);
  ASSERT_EQ(st.words_lost, 0);

  std::ostringstream vcd_text, json_text, pb_text;
  vine::trace::write_vcd(pn, design.clock_mhz, vcd_text);
  vine::trace::write_perfetto(pn, design.clock_mhz, json_text);
  vine::trace::write_perfetto_protobuf(pn, design.clock_mhz, pb_text);

  // VCD: in the layer's scope, the transmitter's 2-bit state and three levels.
  const Vcd vcd = in_cycles(parse_vcd(vcd_text.str()), design.clock_mhz);
  const VcdVar* state = vcd.by_name("fc2_link");
  const VcdVar* on_wire = vcd.by_name("fc2_link_on_wire");
  const VcdVar* rx_fifo = vcd.by_name("fc2_link_rx_fifo");
  const VcdVar* resent = vcd.by_name("fc2_link_resent");
  ASSERT_TRUE(state && on_wire && rx_fifo && resent);
  EXPECT_EQ(state->width, 2);
  for (const VcdVar* v : {state, on_wire, rx_fifo, resent}) EXPECT_EQ(v->scope, "pipeline/fc2/") << v->name;
  std::set<int64_t> states;
  for (const auto& [t, v] : state->changes) states.insert(v);
  EXPECT_EQ(states, (std::set<int64_t>{0, 1, 2, 3})) << "idle, sending, resending and XOFF";
  auto peak = [](const VcdVar& v) {
    int64_t m = 0;
    for (const auto& [t, value] : v.changes) m = std::max(m, value);
    return m;
  };
  EXPECT_EQ(resent->changes.back().second, st.frames_resent);
  EXPECT_EQ(peak(*resent), st.frames_resent);
  EXPECT_EQ(peak(*rx_fifo), st.rx_peak_words);
  // Blocks on the wire: at least a frame's two (a word and its trailer), at
  // most one per link cycle of the latency.
  EXPECT_GE(peak(*on_wire), 2);
  EXPECT_LE(peak(*on_wire), link->link().config().latency_cycles());
  EXPECT_EQ(on_wire->changes.back().second, 0) << "the wire is empty once the run is over";

  // Perfetto: the link stage's track holds its transmitter's slices, the
  // "links" process its levels; the protobuf timeline is the JSON's.
  const Timeline js = read_trace_events(json_text.str());
  const Timeline pb = read_protobuf_trace(pb_text.str());
  const int tid = int(link_index) + 1;
  ASSERT_EQ(js.track_names.at(tid), "fc2.link");
  std::map<std::string, int64_t> spans;
  for (const Slice& sl : js.slices.at(tid)) ++spans[sl.name];
  EXPECT_GT(spans["sending"], 0);
  // Every resend and every XOFF period shows, merged where an accelerator
  // cycle holds several: at least one span each, at most one per event.
  EXPECT_GE(spans["resending"], 1);
  EXPECT_LE(spans["resending"], st.frames_resent);
  EXPECT_GE(spans["XOFF"], 1);
  EXPECT_LE(spans["XOFF"], st.xoff_events);
  EXPECT_EQ(spans.size(), 3u) << "no slice names but the transmitter's";
  for (const char* level : {"fc2.link.on_wire", "fc2.link.rx_fifo", "fc2.link.resent"})
    EXPECT_TRUE(js.counters.count(level)) << level;
  EXPECT_EQ(js.counters.at("fc2.link.resent").back().second, st.frames_resent);
  EXPECT_EQ(pb.slices, js.slices);
  EXPECT_EQ(pb.counters, js.counters);
  EXPECT_EQ(pb.track_names, js.track_names);

  // The VCD's and the JSON's states agree: the cycles the VCD shows XOFF are
  // the XOFF slices' nanoseconds.
  int64_t xoff_ns = 0;
  for (const Slice& sl : js.slices.at(tid))
    if (sl.name == "XOFF") xoff_ns += sl.dur;
  EXPECT_EQ(xoff_ns, vine::trace::perfetto_ns(time_at(*state, 3, vcd.last_time), design.clock_mhz));
}

// A run without traces keeps no link series: recording costs only when asked.
TEST(TracesLinks, NothingIsKeptWithoutTraces) {
  const fs::path example = fs::path(VINE_SOURCE_DIR) / "examples/multi-fpga/tfc-w1a1-pynq-z1-x2.yaml";
  const vine::ir::Design design = vine::config::load_design(example.string());
  vine::sim::ProcessNetwork pn(design, vine::sim::ElaborationOptions{4, true, false}, nullptr, {}, {});
  ASSERT_TRUE(pn.run());
  for (const auto& s : pn.stages())
    if (auto* l = dynamic_cast<const vine::models::LinkStage*>(s.get())) {
      EXPECT_GT(l->link().stats().data_blocks, 0);
      EXPECT_TRUE(l->trace().tx_state.empty() && l->trace().on_wire.empty() && l->trace().rx_fifo.empty());
    }
}

}  // namespace
