#include "sim/trace/traces.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fnmatch.h>
#include <functional>
#include <limits>
#include <ostream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/link/link_stage.h"
#include "sim/trace/protobuf_wire.h"

namespace vine::trace {

using models::Activity;
using models::ActivitySpan;
using models::LinkStage;
using models::LinkTrace;
using models::LinkTxState;
using models::Stage;
using models::StreamFifo;

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// Both traces show what held during each cycle: a value that changes at cycle
// t holds from t on. A stage's span [begin, end) maps onto that directly. A
// FIFO's occupancy is its count register, which a beat written or read in
// cycle t changes at the clock edge that ends t, so from cycle t + 1 on: the
// beat a stage reads in its busy cycle t leaves the FIFO as that cycle ends.

// A traced value as the cycles at which it changes, in increasing order.
class Waveform {
 public:
  virtual ~Waveform() = default;
  virtual int64_t next_change() const = 0;  // kNever when it stays as it is
  // Applies every change at next_change(); returns the value after them,
  // which may equal the one before (a beat written and one read together).
  virtual int64_t take() = 0;
};

// The beats a FIFO holds during each cycle.
class FifoOccupancy final : public Waveform {
 public:
  explicit FifoOccupancy(const StreamFifo& f)
      : beats_(f.times()), read_(std::min<size_t>(size_t(f.read_count()), f.times().size())) {}

  int64_t next_change() const override { return std::min(next_write(), next_read()); }

  int64_t take() override {
    const int64_t t = next_change();
    for (; next_write() == t; ++written_) ++occupancy_;
    for (; next_read() == t; ++taken_) --occupancy_;
    return occupancy_;
  }

 private:
  // Beats at index read_count() and up were never read (a run that
  // deadlocked): their read stamps mean nothing, so they stay in the FIFO.
  int64_t next_write() const { return written_ < beats_.size() ? beats_[written_].write + 1 : kNever; }
  int64_t next_read() const { return taken_ < read_ ? beats_[taken_].read + 1 : kNever; }

  const std::vector<models::FifoTimes>& beats_;
  size_t read_;
  size_t written_ = 0, taken_ = 0;
  int64_t occupancy_ = 0;
};

// A FIFO's occupancy over the selection's cycles, for the timelines: the
// value it holds when the window opens, then every change inside it (a write
// and a read in one cycle that leave it as it was are no change).
template <typename Emit>
void for_each_occupancy_change(const StreamFifo& f, const TraceSelection& sel, Emit emit) {
  FifoOccupancy occupancy(f);
  int64_t shown = 0;
  while (occupancy.next_change() <= sel.begin) shown = occupancy.take();
  emit(sel.begin, shown);
  while (occupancy.next_change() < sel.end) {
    const int64_t t = occupancy.next_change();
    const int64_t beats = occupancy.take();
    if (beats != shown) emit(t, beats);
    shown = beats;
  }
}

// The VCD encoding of a stage's state (documented in the VCD's header).
enum StateCode : int64_t { kIdle = 0, kBusy = 1, kStalledInput = 2, kStalledOutput = 3 };

StateCode state_code(Activity a) {
  switch (a) {
    case Activity::kBusy: return kBusy;
    case Activity::kStalledInput: return kStalledInput;
    case Activity::kStalledOutput: return kStalledOutput;
  }
  return kIdle;
}

// A stage's state during each cycle: its activity spans, idle in between.
class StageActivity final : public Waveform {
 public:
  explicit StageActivity(const Stage& s) : spans_(s.activity()) {}

  int64_t next_change() const override {
    if (next_ >= spans_.size()) return kNever;
    return in_span_ ? spans_[next_].end : spans_[next_].begin;
  }

  int64_t take() override {
    const int64_t t = next_change();
    while (next_change() == t) {  // a span may begin where the previous one ends
      if (in_span_) {
        state_ = kIdle;
        ++next_;
      } else {
        state_ = state_code(spans_[next_].what);
      }
      in_span_ = !in_span_;
    }
    return state_;
  }

 private:
  const std::vector<ActivitySpan>& spans_;
  size_t next_ = 0;       // the span whose begin or end comes next
  bool in_span_ = false;  // whether that is its end
  int64_t state_ = kIdle;
};

// A series a link stage recorded (models/link/link_trace.h): already the
// cycles at which it changes.
class SeriesWave final : public Waveform {
 public:
  explicit SeriesWave(const std::vector<LinkTrace::Change>& series) : series_(series) {}
  int64_t next_change() const override { return next_ < series_.size() ? series_[next_].cycle : kNever; }
  int64_t take() override { return series_[next_++].value; }

 private:
  const std::vector<LinkTrace::Change>& series_;
  size_t next_ = 0;
};

// A link's series over the selection's cycles, as for_each_occupancy_change.
template <typename Emit>
void for_each_series_change(const std::vector<LinkTrace::Change>& series, const TraceSelection& sel, Emit emit) {
  int64_t shown = 0;
  size_t i = 0;
  for (; i < series.size() && series[i].cycle <= sel.begin; ++i) shown = series[i].value;
  emit(sel.begin, shown);
  for (; i < series.size() && series[i].cycle < sel.end; ++i) emit(series[i].cycle, series[i].value);
}

// The link stage a stage is, or nullptr.
const LinkTrace* link_trace_of(const Stage& s) {
  const auto* link = dynamic_cast<const LinkStage*>(&s);
  return link ? &link->trace() : nullptr;
}

const char* tx_state_name(int64_t v) {
  switch (LinkTxState(v)) {
    case LinkTxState::kSending: return "sending";
    case LinkTxState::kResending: return "resending";
    case LinkTxState::kXoff: return "XOFF";
    case LinkTxState::kIdle: break;
  }
  return "idle";
}

// A link's transmitter states other than idle as spans [begin, end) cut to
// the window: a state holds until the next change (the last one, never idle
// only when the run stopped in it, until the cycle after it).
template <typename Emit>
void for_each_tx_span(const LinkTrace& t, const TraceSelection& sel, Emit emit) {
  const auto& ch = t.tx_state;
  for (size_t i = 0; i < ch.size(); ++i) {
    if (ch[i].value == int64_t(LinkTxState::kIdle)) continue;
    const int64_t end = i + 1 < ch.size() ? ch[i + 1].cycle : ch[i].cycle + 1;
    const int64_t b = std::max(ch[i].cycle, sel.begin), e = std::min(end, sel.end);
    if (b < e) emit(b, e, ch[i].value);
  }
}

// The levels a link's track shows besides its transmitter's state, with
// their names in the traces.
struct LinkLevel {
  const char* name;  // appended to the link stage's name: "fc2.link.on_wire"
  const char* unit;
  std::vector<LinkTrace::Change> LinkTrace::*series;
};
constexpr LinkLevel kLinkLevels[] = {
    {"on_wire", "blocks", &LinkTrace::on_wire},
    {"rx_fifo", "words", &LinkTrace::rx_fifo},
    {"resent", "frames", &LinkTrace::resent},
};

// Text collected in large pieces before it goes to the stream: traces run to
// millions of lines and an ostream call per token would dominate.
class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) { buf_.reserve(kChunk + 4096); }
  ~Writer() { flush(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Writer& operator<<(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kChunk) flush();
    return *this;
  }
  Writer& operator<<(char c) {
    buf_.push_back(c);
    return *this;
  }
  Writer& operator<<(int v) { return number(v); }
  Writer& operator<<(int64_t v) { return number(v); }
  // Shortest text that reads back as the same double, so that durations summed
  // by a reader add up to whole cycles again.
  Writer& operator<<(double v) { return number(v); }

  void flush() {
    out_.write(buf_.data(), std::streamsize(buf_.size()));
    buf_.clear();
  }

 private:
  static constexpr size_t kChunk = size_t{1} << 20;

  template <typename T>
  Writer& number(T v) {
    char s[32];
    const auto r = std::to_chars(s, s + sizeof s, v);
    return *this << std::string_view(s, size_t(r.ptr - s));
  }

  std::ostream& out_;
  std::string buf_;
};

// ---------------------------------------------------------------- VCD

// VCD identifier codes: base 94 over the printable characters '!' .. '~'.
std::string vcd_id(size_t n) {
  std::string id;
  do {
    id.push_back(char('!' + n % 94));
    n /= 94;
  } while (n);
  return id;
}

// Names as VCD viewers take them: the hierarchy separator '.', the '->' of
// stream names, and anything else that is not a plain identifier becomes '_'.
std::string vcd_name(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  return s.empty() ? "_" : s;
}

// The layer a stage belongs to: the "<layer>" of "<layer>.<role>"; the DMAs
// are groups of their own.
std::string group_of(const Stage& s) { return s.name().substr(0, s.name().find('.')); }

struct VcdVar {
  Waveform* wave;
  std::string id;
  int width;  // 2 for a stage's state, 32 for an occupancy
};

void write_binary(Writer& w, int64_t v) {
  char s[65];
  const auto r = std::to_chars(s, s + sizeof s, uint64_t(v), 2);
  w << 'b' << std::string_view(s, size_t(r.ptr - s));
}

void write_value(Writer& w, const VcdVar& v, int64_t value) {
  write_binary(w, value);
  w << ' ' << v.id << '\n';
}

// The clock period in picoseconds as text: "10000", "3003.003003".
std::string period_ps_text(double clock_mhz) {
  std::ostringstream o;
  o.precision(12);
  o << 1e6 / clock_mhz;
  return o.str();
}

void write_vcd_header(Writer& w, double clock_mhz, const VcdTimebase& tb, const TraceSelection& sel) {
  w << "$version vine $end\n"
       "$comment\n"
       "  Clock "
    << period_ps_text(clock_mhz) << " ps (" << clock_mhz << " MHz). ";
  if (tb.exact)
    w << "Cycle c starts at time c * " << tb.step << " (x " << tb.timescale << ").\n";
  else
    w << "The period is no whole number of fs, which VCD cannot state: cycle c starts at\n"
         "  time round(c * "
      << period_ps_text(clock_mhz / 1000) << ") fs, within half a fs of the exact time.\n";
  w << "  A value holds during the cycles from its time on.\n"
       "  A FIFO's integer is the beats it holds: a beat written or read in cycle t counts from t + 1.\n"
       "  A stage's 2-bit state: 0 idle (not started or done), 1 busy (the pipeline advanced),\n"
       "  2 stalled: input empty (waiting for a beat), 3 stalled: output full (waiting for a free slot).\n"
       "  A link stage (<layer>.link) is its link instead (docs/links.md, \"Traces\"): its 2-bit state is\n"
       "  the transmitter's, 0 idle, 1 sending, 2 resending, 3 XOFF (held off by flow control), and its\n"
       "  integers on_wire (blocks sent, not yet arrived), rx_fifo (words in the receive FIFO) and resent\n"
       "  (frames sent again so far) hold from the cycle after the link cycles that set them.\n";
  if (sel.windowed()) {
    w << "  Window: cycles " << sel.begin << " to ";
    if (sel.end == kNever)
      w << "the end";
    else
      w << sel.end - 1 << "; the last #time marks the window's end, cycle " << sel.end;
    w << "; the values at cycle " << sel.begin << " are the $dumpvars.\n";
  }
  if (!sel.stages.empty()) w << "  Some stages only (--trace-stages), with the FIFOs they read or write.\n";
  w << "$end\n"
       "$timescale "
    << tb.timescale << " $end\n";
}

// The FIFOs a selection shows: every FIFO, or those a selected stage reads or writes.
std::vector<bool> selected_fifos(const sim::ProcessNetwork& pn, const TraceSelection& sel) {
  std::vector<bool> wanted(pn.fifos().size(), sel.stages.empty());
  if (sel.stages.empty()) return wanted;
  std::unordered_map<const StreamFifo*, size_t> index;
  for (size_t i = 0; i < pn.fifos().size(); ++i) index[pn.fifos()[i].get()] = i;
  for (size_t s = 0; s < pn.stages().size(); ++s) {
    if (!sel.stages[s]) continue;
    for (const auto* ports : {&pn.stages()[s]->inputs(), &pn.stages()[s]->outputs()})
      for (const StreamFifo* f : *ports)
        if (const auto it = index.find(f); it != index.end()) wanted[it->second] = true;
  }
  return wanted;
}

bool stage_selected(const TraceSelection& sel, size_t i) { return sel.stages.empty() || sel.stages[i]; }

// Declares one scope per layer, in pipeline order, holding each of its stages'
// input FIFOs and then the stage; FIFOs with no consumer go in the top scope.
// Returns the variables in declaration order.
std::vector<VcdVar> declare_vcd_vars(const sim::ProcessNetwork& pn, std::vector<StageActivity>& stages,
                                     std::vector<FifoOccupancy>& fifos, std::vector<SeriesWave>& link_waves,
                                     const TraceSelection& sel, Writer& w) {
  std::unordered_map<const StreamFifo*, size_t> fifo_index;
  for (size_t i = 0; i < pn.fifos().size(); ++i) fifo_index[pn.fifos()[i].get()] = i;
  const std::vector<bool> wanted = selected_fifos(pn, sel);
  std::vector<bool> declared(fifos.size(), false);
  std::vector<VcdVar> vars;
  auto declare = [&](Waveform& wave, const std::string& name, bool is_fifo) {
    vars.push_back({&wave, vcd_id(vars.size()), is_fifo ? 32 : 2});
    w << "$var " << (is_fifo ? "integer 32 " : "wire 2 ") << vars.back().id << ' ' << vcd_name(name) << " $end\n";
  };
  auto declare_fifo = [&](size_t i) {
    declared[i] = true;
    declare(fifos[i], pn.fifos()[i]->name(), true);
  };

  w << "$scope module pipeline $end\n";
  // A layer's stages need not be adjacent in pipeline order (branches of a
  // residual block interleave), and a scope is opened once.
  const auto& st = pn.stages();
  std::vector<std::string> groups;
  for (size_t i = 0; i < st.size(); ++i)
    if (stage_selected(sel, i) && std::find(groups.begin(), groups.end(), group_of(*st[i])) == groups.end())
      groups.push_back(group_of(*st[i]));
  for (const std::string& group : groups) {
    w << "$scope module " << vcd_name(group) << " $end\n";
    for (size_t i = 0; i < st.size(); ++i) {
      if (!stage_selected(sel, i) || group_of(*st[i]) != group) continue;
      for (const StreamFifo* f : st[i]->inputs()) {
        const auto it = fifo_index.find(f);
        if (it != fifo_index.end() && !declared[it->second]) declare_fifo(it->second);
      }
      if (const LinkTrace* t = link_trace_of(*st[i])) {  // the link's series instead of an empty state
        link_waves.emplace_back(t->tx_state);
        declare(link_waves.back(), st[i]->name(), false);
        for (const LinkLevel& l : kLinkLevels) {
          link_waves.emplace_back(t->*l.series);
          declare(link_waves.back(), st[i]->name() + "." + l.name, true);
        }
        continue;
      }
      declare(stages[i], st[i]->name(), false);
    }
    w << "$upscope $end\n";
  }
  for (size_t i = 0; i < fifos.size(); ++i)
    if (wanted[i] && !declared[i]) declare_fifo(i);
  w << "$upscope $end\n$enddefinitions $end\n";
  return vars;
}

// The value changes of every variable, merged in time order: the values at
// the window's first cycle as $dumpvars, then one "#t" per cycle in which
// something changed, and a last "#t" at the window's end when it has one.
void write_vcd_changes(std::vector<VcdVar>& vars, const VcdTimebase& tb, const TraceSelection& sel, Writer& w) {
  using Next = std::pair<int64_t, size_t>;  // (cycle of the next change, variable)
  std::priority_queue<Next, std::vector<Next>, std::greater<>> pending;
  std::vector<int64_t> shown(vars.size(), 0);  // everything starts idle and empty
  auto schedule = [&](size_t v) {
    const int64_t t = vars[v].wave->next_change();
    if (t != kNever && t < sel.end) pending.push({t, v});
  };

  for (size_t v = 0; v < vars.size(); ++v) {
    while (vars[v].wave->next_change() <= sel.begin) shown[v] = vars[v].wave->take();
    schedule(v);
  }
  w << '#' << tb.time(sel.begin) << "\n$dumpvars\n";
  for (size_t v = 0; v < vars.size(); ++v) write_value(w, vars[v], shown[v]);
  w << "$end\n";

  while (!pending.empty()) {
    const int64_t t = pending.top().first;
    bool stamped = false;
    while (!pending.empty() && pending.top().first == t) {
      const size_t v = pending.top().second;
      pending.pop();
      const int64_t value = vars[v].wave->take();
      if (value != shown[v]) {
        if (!stamped) w << '#' << tb.time(t) << '\n';
        stamped = true;
        shown[v] = value;
        write_value(w, vars[v], value);
      }
      schedule(v);
    }
  }
  if (sel.end != kNever && sel.end > sel.begin) w << '#' << tb.time(sel.end) << '\n';
}

// ------------------------------------------------------------ Perfetto

constexpr int kStagesPid = 1, kFifosPid = 2, kLinksPid = 3;

// Slice names: short, as there is one per slice (a million in a MobileNet frame).
const char* activity_name(Activity a) {
  switch (a) {
    case Activity::kBusy: return "busy";
    case Activity::kStalledInput: return "input empty";
    case Activity::kStalledOutput: return "output full";
  }
  return "?";
}

// Whole nanoseconds as the format's microseconds: "4414.414", "12", "0.003".
void write_us(Writer& w, int64_t ns) {
  w << ns / 1000;
  int64_t frac = ns % 1000;
  if (frac == 0) return;
  char d[4] = {'.', char('0' + frac / 100), char('0' + frac / 10 % 10), char('0' + frac % 10)};
  size_t n = 4;
  while (d[n - 1] == '0') --n;
  w << std::string_view(d, n);
}

std::string json_string(const std::string& s) { return nlohmann::json(s).dump(); }

// Trace events, one a line, separated by commas.
class EventList {
 public:
  explicit EventList(Writer& w) : w_(w) {}
  Writer& next() {
    w_ << (first_ ? "\n" : ",\n");
    first_ = false;
    return w_;
  }

 private:
  Writer& w_;
  bool first_ = true;
};

void write_metadata(EventList& ev, int pid, int tid, const char* what, const std::string& arg,
                    const std::string& value) {
  ev.next() << R"({"ph":"M","pid":)" << pid << R"(,"tid":)" << tid << R"(,"name":")" << what
            << R"(","args":{")" << arg << R"(":)" << value << "}}";
}

// A track per stage, in pipeline order (tid: its index + 1, whatever the
// selection), with its activity spans, cut to the window, as slices: a span
// is already the whole run of consecutive cycles in one state.
void write_stage_tracks(const sim::ProcessNetwork& pn, double clock_mhz, const TraceSelection& sel,
                        EventList& ev) {
  write_metadata(ev, kStagesPid, 0, "process_name", "name", json_string("stages"));
  write_metadata(ev, kStagesPid, 0, "process_sort_index", "sort_index", "0");
  for (size_t i = 0; i < pn.stages().size(); ++i) {
    if (!stage_selected(sel, i)) continue;
    const int tid = int(i) + 1;
    write_metadata(ev, kStagesPid, tid, "thread_name", "name", json_string(pn.stages()[i]->name()));
    write_metadata(ev, kStagesPid, tid, "thread_sort_index", "sort_index", std::to_string(tid));
    auto slice = [&](int64_t begin, int64_t end, const char* name) {
      const int64_t b = perfetto_ns(begin, clock_mhz);
      Writer& w = ev.next() << R"({"ph":"X","pid":)" << kStagesPid << R"(,"tid":)" << tid << R"(,"ts":)";
      write_us(w, b);
      w << R"(,"dur":)";
      write_us(w, perfetto_ns(end, clock_mhz) - b);
      w << R"(,"name":")" << name << R"("})";
    };
    if (const LinkTrace* t = link_trace_of(*pn.stages()[i])) {  // a link stage: its transmitter's states
      for_each_tx_span(*t, sel, [&](int64_t begin, int64_t end, int64_t state) {
        slice(begin, end, tx_state_name(state));
      });
      continue;
    }
    for (const ActivitySpan& a : pn.stages()[i]->activity()) {
      const int64_t begin = std::max(a.begin, sel.begin), end = std::min(a.end, sel.end);
      if (begin < end) slice(begin, end, activity_name(a.what));
    }
  }
}

// A counter per FIFO with the beats it holds: its value at the window's first
// cycle, then each change in the window.
void write_fifo_counters(const sim::ProcessNetwork& pn, double clock_mhz, const TraceSelection& sel,
                         EventList& ev) {
  write_metadata(ev, kFifosPid, 0, "process_name", "name", json_string("FIFO occupancy"));
  write_metadata(ev, kFifosPid, 0, "process_sort_index", "sort_index", "1");
  const std::vector<bool> wanted = selected_fifos(pn, sel);
  for (size_t i = 0; i < pn.fifos().size(); ++i) {
    if (!wanted[i]) continue;
    const std::string name = json_string(pn.fifos()[i]->name());
    auto counter = [&](int64_t cycle, int64_t beats) {
      Writer& w = ev.next() << R"({"ph":"C","pid":)" << kFifosPid << R"(,"ts":)";
      write_us(w, perfetto_ns(cycle, clock_mhz));
      w << R"(,"name":)" << name << R"(,"args":{"beats":)" << beats << "}}";
    };
    for_each_occupancy_change(*pn.fifos()[i], sel, counter);
  }
}

// Per link stage (selected), a counter per level ("fc2.link.on_wire"): its
// value at the window's first cycle, then each change in the window. The
// process appears only when the design has links.
void write_link_counters(const sim::ProcessNetwork& pn, double clock_mhz, const TraceSelection& sel,
                         EventList& ev) {
  bool named = false;
  for (size_t i = 0; i < pn.stages().size(); ++i) {
    const LinkTrace* t = link_trace_of(*pn.stages()[i]);
    if (!t || !stage_selected(sel, i)) continue;
    if (!named) {
      write_metadata(ev, kLinksPid, 0, "process_name", "name", json_string("links"));
      write_metadata(ev, kLinksPid, 0, "process_sort_index", "sort_index", "2");
      named = true;
    }
    for (const LinkLevel& l : kLinkLevels) {
      const std::string name = json_string(pn.stages()[i]->name() + "." + l.name);
      for_each_series_change(t->*l.series, sel, [&](int64_t cycle, int64_t value) {
        Writer& w = ev.next() << R"({"ph":"C","pid":)" << kLinksPid << R"(,"ts":)";
        write_us(w, perfetto_ns(cycle, clock_mhz));
        w << R"(,"name":)" << name << R"(,"args":{")" << l.unit << R"(":)" << value << "}}";
      });
    }
  }
}

// ------------------------------------------------- Perfetto, protobuf

// The same timeline in Perfetto's own format (a `Trace` of `TracePacket`s,
// protos/perfetto/trace/ in the Perfetto sources): every event is a few
// varints instead of a line of text. First the track descriptors: a parent
// track "stages" with one track per stage, and a parent "FIFO occupancy"
// with one counter track per FIFO, each in pipeline order. Then each track's
// events as a packet sequence of its own, whose first packet sets up what the
// others lean on, so that an event is its type, its time and its value:
//  - the track, as the sequence's default track;
//  - a sequence-scoped clock (id 64) whose timestamps are the nanoseconds
//    since the previous packet's, so that a time takes one or two bytes;
//  - on a stage's track, the three slice names as interned strings.
// A slice is a SLICE_BEGIN and a SLICE_END (the end of one before the begin
// of the next in the same nanosecond); a counter event is a FIFO's beats.
// Keeping a track's events together (the trace processor sorts all events by
// time, file order breaking ties) also makes the repeating patterns of a
// track's times adjacent, which gzip then finds.
namespace pb {  // field numbers and values
constexpr uint32_t kTracePacket = 1;  // Trace.packet
// TracePacket
constexpr uint32_t kClockSnapshot = 6, kTimestamp = 8, kSequenceId = 10, kTrackEvent = 11, kInternedData = 12,
                   kSequenceFlags = 13, kDefaults = 59, kTrackDescriptor = 60;
constexpr uint64_t kStateCleared = 1, kNeedsState = 2;  // TracePacket.SequenceFlags
// ClockSnapshot.clocks (1): Clock
constexpr uint32_t kClocks = 1, kClockId = 1, kClockTimestamp = 2, kClockIsIncremental = 3;
constexpr uint64_t kBoottime = 6, kSequenceClock = 64;  // 64..127: scoped to the sequence
// TracePacketDefaults
constexpr uint32_t kDefaultClockId = 58, kTrackEventDefaults = 11, kDefaultTrackUuid = 11;
// InternedData.event_names (2): EventName {iid 1, name 2}
constexpr uint32_t kEventNames = 2, kIid = 1, kInternedName = 2;
// TrackDescriptor
constexpr uint32_t kUuid = 1, kTrackName = 2, kParentUuid = 5, kCounter = 8, kChildOrdering = 11,
                   kSiblingRank = 12;
constexpr uint64_t kExplicitOrder = 3;  // TrackDescriptor.ChildTracksOrdering
constexpr uint32_t kUnitName = 6;       // CounterDescriptor.unit_name
// TrackEvent
constexpr uint32_t kType = 9, kNameIid = 10, kCounterValue = 30;
constexpr uint64_t kSliceBegin = 1, kSliceEnd = 2, kCounterEvent = 4;  // TrackEvent.Type
}  // namespace pb

// Track uuids: the two parents, then the stages' (by index), then the
// FIFOs'. A track's sequence id is its uuid. Small numbers: below 128 a
// number is one byte in every packet.
constexpr uint64_t kDescriptorSequence = 1, kStagesUuid = 1, kFifosUuid = 2, kFirstTrackUuid = 3;

uint64_t interned_name(Activity a) {
  switch (a) {
    case Activity::kBusy: return 1;
    case Activity::kStalledInput: return 2;
    case Activity::kStalledOutput: return 3;
  }
  return 1;
}

void write_packet(Writer& w, const ProtoMessage& packet) {
  ProtoMessage trace;
  trace.message(pb::kTracePacket, packet);
  w << std::string_view(trace.bytes());
}

void write_track_descriptor(Writer& w, uint64_t uuid, uint64_t parent, int64_t rank, const std::string& name,
                            bool counter, const char* unit_name = "beats") {
  ProtoMessage track, unit, packet;
  track.varint(pb::kUuid, uuid).bytes(pb::kTrackName, name);
  if (parent)
    track.varint(pb::kParentUuid, parent);
  else
    track.varint(pb::kChildOrdering, pb::kExplicitOrder);
  track.varint(pb::kSiblingRank, uint64_t(rank));
  if (counter) track.message(pb::kCounter, unit.bytes(pb::kUnitName, unit_name));
  packet.varint(pb::kSequenceId, kDescriptorSequence).message(pb::kTrackDescriptor, track);
  write_packet(w, packet);
}

// One track's packet sequence: its first packet, then events in time order.
// The slice names a sequence interns: none (a counter), a stage's
// activities, or a link transmitter's states (the LinkTxState values, idle
// excepted). Interned names belong to their sequence, so both use iids 1..3.
enum class SliceNames { kNone, kActivity, kLink };

class TrackSequence {
 public:
  TrackSequence(Writer& w, uint64_t uuid, SliceNames slice_names) : w_(w), uuid_(uuid) {
    ProtoMessage boottime, sequence_clock, snapshot, track_defaults, defaults, interned, packet;
    boottime.varint(pb::kClockId, pb::kBoottime).varint(pb::kClockTimestamp, 0);
    sequence_clock.varint(pb::kClockId, pb::kSequenceClock)
        .varint(pb::kClockTimestamp, 0)
        .varint(pb::kClockIsIncremental, 1);
    snapshot.message(pb::kClocks, boottime).message(pb::kClocks, sequence_clock);
    track_defaults.varint(pb::kDefaultTrackUuid, uuid);
    defaults.varint(pb::kDefaultClockId, pb::kSequenceClock).message(pb::kTrackEventDefaults, track_defaults);
    packet.varint(pb::kSequenceId, uuid)
        .varint(pb::kSequenceFlags, pb::kStateCleared | pb::kNeedsState)
        .message(pb::kClockSnapshot, snapshot)
        .message(pb::kDefaults, defaults);
    if (slice_names == SliceNames::kActivity) {
      for (Activity a : {Activity::kBusy, Activity::kStalledInput, Activity::kStalledOutput}) {
        ProtoMessage name;
        name.varint(pb::kIid, interned_name(a)).bytes(pb::kInternedName, activity_name(a));
        interned.message(pb::kEventNames, name);
      }
      packet.message(pb::kInternedData, interned);
    } else if (slice_names == SliceNames::kLink) {
      for (LinkTxState t : {LinkTxState::kSending, LinkTxState::kResending, LinkTxState::kXoff}) {
        ProtoMessage name;
        name.varint(pb::kIid, uint64_t(t)).bytes(pb::kInternedName, tx_state_name(int64_t(t)));
        interned.message(pb::kEventNames, name);
      }
      packet.message(pb::kInternedData, interned);
    }
    write_packet(w_, packet);
  }

  // A track event at `ns` (whole nanoseconds, not before the previous one's).
  void event(int64_t ns, const ProtoMessage& track_event) {
    packet_.clear();
    packet_.varint(pb::kTimestamp, uint64_t(ns - last_ns_))
        .varint(pb::kSequenceId, uuid_)
        .varint(pb::kSequenceFlags, pb::kNeedsState)
        .message(pb::kTrackEvent, track_event);
    last_ns_ = ns;
    trace_.clear();
    trace_.message(pb::kTracePacket, packet_);
    w_ << std::string_view(trace_.bytes());
  }

 private:
  Writer& w_;
  uint64_t uuid_;
  int64_t last_ns_ = 0;  // the sequence clock's value at its snapshot
  ProtoMessage packet_, trace_;
};

// A stage's activity spans, cut to the window, as slices.
void write_stage_sequence(Writer& w, const Stage& s, uint64_t uuid, double clock_mhz, const TraceSelection& sel) {
  ProtoMessage begin, end;
  end.varint(pb::kType, pb::kSliceEnd);
  auto slice = [&](TrackSequence& seq, int64_t b, int64_t e, uint64_t name_iid) {
    begin.clear();
    begin.varint(pb::kType, pb::kSliceBegin).varint(pb::kNameIid, name_iid);
    seq.event(perfetto_ns(b, clock_mhz), begin);
    seq.event(perfetto_ns(e, clock_mhz), end);
  };
  if (const LinkTrace* t = link_trace_of(s)) {  // a link stage: its transmitter's states
    TrackSequence seq(w, uuid, SliceNames::kLink);
    for_each_tx_span(*t, sel, [&](int64_t b, int64_t e, int64_t state) { slice(seq, b, e, uint64_t(state)); });
    return;
  }
  TrackSequence seq(w, uuid, SliceNames::kActivity);
  for (const ActivitySpan& a : s.activity()) {
    const int64_t b = std::max(a.begin, sel.begin), e = std::min(a.end, sel.end);
    if (b < e) slice(seq, b, e, interned_name(a.what));
  }
}

// A FIFO's occupancy: its value at the window's first cycle, then each change
// in the window (as the JSON's counter events).
void write_fifo_sequence(Writer& w, const StreamFifo& f, uint64_t uuid, double clock_mhz, const TraceSelection& sel) {
  TrackSequence seq(w, uuid, SliceNames::kNone);
  ProtoMessage ev;
  auto counter = [&](int64_t cycle, int64_t beats) {
    ev.clear();
    ev.varint(pb::kType, pb::kCounterEvent).varint(pb::kCounterValue, uint64_t(beats));
    seq.event(perfetto_ns(cycle, clock_mhz), ev);
  };
  for_each_occupancy_change(f, sel, counter);
}

// One of a link's levels, as a FIFO's occupancy.
void write_link_level_sequence(Writer& w, const std::vector<LinkTrace::Change>& series, uint64_t uuid,
                               double clock_mhz, const TraceSelection& sel) {
  TrackSequence seq(w, uuid, SliceNames::kNone);
  ProtoMessage ev;
  for_each_series_change(series, sel, [&](int64_t cycle, int64_t value) {
    ev.clear();
    ev.varint(pb::kType, pb::kCounterEvent).varint(pb::kCounterValue, uint64_t(value));
    seq.event(perfetto_ns(cycle, clock_mhz), ev);
  });
}

}  // namespace

int64_t perfetto_ns(int64_t cycle, double clock_mhz) { return std::llround(double(cycle) * 1e3 / clock_mhz); }

int64_t VcdTimebase::time(int64_t cycle) const {
  return exact ? cycle * step : std::llround(double(cycle) * period_fs);
}

VcdTimebase vcd_timebase(double clock_mhz) {
  VcdTimebase tb;
  tb.period_fs = 1e9 / clock_mhz;
  const double whole = std::round(tb.period_fs);
  tb.exact = std::abs(tb.period_fs - whole) < 1e-6;
  if (!tb.exact) {
    tb.timescale = "1fs";
    return tb;
  }
  int64_t n = int64_t(whole);
  int k = 0;  // the power of ten of the unit, in fs, up to 1 s
  while (k < 15 && n % 10 == 0) {
    n /= 10;
    ++k;
  }
  static const char* const kUnits[] = {"fs", "ps", "ns", "us", "ms", "s"};
  static const char* const kMultiples[] = {"1", "10", "100"};
  tb.timescale = std::string(kMultiples[k % 3]) + kUnits[k / 3];
  tb.step = n;
  return tb;
}

FrameWindow frame_window(const sim::ProcessNetwork& pn, int first, int last) {
  FrameWindow win;
  const models::InputDma& in = pn.input_dma();
  const auto& beats = in.outputs().at(0)->times();
  const size_t first_beat = size_t(first) * size_t(in.words_per_frame());
  int64_t trace_end = 0;
  for (const auto& s : pn.stages()) trace_end = std::max(trace_end, s->local_cycle() + 1);
  if (first_beat < beats.size()) {
    win.begin = beats[first_beat].write;
  } else {
    win.begin = trace_end;
    win.note = "frame " + std::to_string(first) + " never entered the pipeline (the run deadlocked)";
  }
  const auto& out = pn.output_dma().last_beat_cycles();
  if (size_t(last) < out.size()) {
    win.end = out[size_t(last)] + 1;
  } else if (win.note.empty()) {
    win.note = "frame " + std::to_string(last) +
               " never left the pipeline (the run deadlocked): the window runs to the end of the trace";
  }
  return win;
}

std::vector<bool> select_stages(const std::vector<std::string>& stage_names, const std::string& patterns,
                                std::string& unmatched) {
  std::vector<bool> selected(stage_names.size(), false);
  unmatched.clear();
  std::stringstream list(patterns);
  std::string pattern;
  bool any = false;
  while (std::getline(list, pattern, ',')) {
    any = true;
    bool matched = false;
    for (size_t i = 0; i < stage_names.size(); ++i)
      if (!pattern.empty() && fnmatch(pattern.c_str(), stage_names[i].c_str(), 0) == 0) selected[i] = matched = true;
    if (!matched) {
      unmatched = pattern;
      return {};
    }
  }
  if (!any || patterns.back() == ',') {  // "" or "a," : an empty pattern
    unmatched = "";
    return {};
  }
  return selected;
}

void write_vcd(const sim::ProcessNetwork& pn, double clock_mhz, std::ostream& out, const TraceSelection& sel) {
  std::vector<StageActivity> stages;
  stages.reserve(pn.stages().size());
  for (const auto& s : pn.stages()) stages.emplace_back(*s);
  std::vector<FifoOccupancy> fifos;
  fifos.reserve(pn.fifos().size());
  for (const auto& f : pn.fifos()) fifos.emplace_back(*f);

  const VcdTimebase tb = vcd_timebase(clock_mhz);
  Writer w(out);
  write_vcd_header(w, clock_mhz, tb, sel);
  std::vector<SeriesWave> link_waves;  // declare_vcd_vars points into it: no reallocation
  link_waves.reserve(pn.stages().size() * (1 + std::size(kLinkLevels)));
  std::vector<VcdVar> vars = declare_vcd_vars(pn, stages, fifos, link_waves, sel, w);
  write_vcd_changes(vars, tb, sel, w);
}

void write_perfetto(const sim::ProcessNetwork& pn, double clock_mhz, std::ostream& out, const TraceSelection& sel) {
  Writer w(out);
  w << R"({"traceEvents":[)";
  EventList ev(w);
  write_stage_tracks(pn, clock_mhz, sel, ev);
  write_fifo_counters(pn, clock_mhz, sel, ev);
  write_link_counters(pn, clock_mhz, sel, ev);
  w << "\n],\n" << R"("displayTimeUnit":"ns"})" << '\n';
}

void write_perfetto_protobuf(const sim::ProcessNetwork& pn, double clock_mhz, std::ostream& out,
                             const TraceSelection& sel) {
  Writer w(out);
  const size_t n_stages = pn.stages().size();
  const std::vector<bool> wanted = selected_fifos(pn, sel);
  auto fifo_uuid = [&](size_t i) { return kFirstTrackUuid + n_stages + i; };
  write_track_descriptor(w, kStagesUuid, 0, 0, "stages", false);
  write_track_descriptor(w, kFifosUuid, 0, 1, "FIFO occupancy", false);
  for (size_t i = 0; i < n_stages; ++i)
    if (stage_selected(sel, i))
      write_track_descriptor(w, kFirstTrackUuid + i, kStagesUuid, int64_t(i), pn.stages()[i]->name(), false);
  for (size_t i = 0; i < pn.fifos().size(); ++i)
    if (wanted[i]) write_track_descriptor(w, fifo_uuid(i), kFifosUuid, int64_t(i), pn.fifos()[i]->name(), true);
  for (size_t i = 0; i < n_stages; ++i)
    if (stage_selected(sel, i)) write_stage_sequence(w, *pn.stages()[i], kFirstTrackUuid + i, clock_mhz, sel);
  for (size_t i = 0; i < pn.fifos().size(); ++i)
    if (wanted[i]) write_fifo_sequence(w, *pn.fifos()[i], fifo_uuid(i), clock_mhz, sel);
  // The links' levels: a parent "links" after the FIFOs' tracks, then a
  // counter track per selected link stage and level.
  uint64_t next_uuid = fifo_uuid(pn.fifos().size());
  const uint64_t links_uuid = next_uuid++;
  int64_t rank = 0;
  for (size_t i = 0; i < n_stages; ++i) {
    const LinkTrace* t = link_trace_of(*pn.stages()[i]);
    if (!t || !stage_selected(sel, i)) continue;
    if (rank == 0) write_track_descriptor(w, links_uuid, 0, 2, "links", false);
    for (const LinkLevel& l : kLinkLevels) {
      write_track_descriptor(w, next_uuid, links_uuid, rank++, pn.stages()[i]->name() + "." + l.name, true, l.unit);
      write_link_level_sequence(w, t->*l.series, next_uuid++, clock_mhz, sel);
    }
  }
}

bool is_protobuf_trace_path(const std::string& path) {
  std::string_view p(path);
  if (p.size() > 3 && p.substr(p.size() - 3) == ".gz") p.remove_suffix(3);
  for (std::string_view ext : {std::string_view(".pftrace"), std::string_view(".perfetto-trace")})
    if (p.size() > ext.size() && p.substr(p.size() - ext.size()) == ext) return true;
  return false;
}

}  // namespace vine::trace
