#include "sim/explore/partition.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "sim/config/config_error.h"

namespace vine::explore {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The per-layer tables on one device and the capacity they are judged against.
struct BoardTables {
  std::vector<std::vector<LayerOption>> options;
  ir::Resources capacity;
  double budget = 1;  // utilisation_max
};

}  // namespace

struct Partitioner::Problem {
  const ir::Design& design;
  const ir::Cluster& cluster;
  int n = 0;
  std::vector<BoardTables> boards;                  // per cluster board
  std::vector<std::vector<CutStream>> streams;      // per cut position p in [0, n]
  // Per board b: the cycles per frame of the link b -> b + 1 at each cut
  // position, empty when there is no such link.
  std::vector<std::vector<double>> link_cycles;
  std::vector<int> link_index;                      // per board b: cluster link b -> b + 1, or -1
};

namespace {

using Problem = Partitioner::Problem;

Problem make_problem(const ir::Design& d, const ir::Cluster& cl) {
  Problem p{d, cl, 0, {}, {}, {}, {}};
  p.n = int(d.network.layers.size());
  std::map<std::string, size_t> by_device;  // boards of one device share its tables
  for (const ir::ClusterBoard& b : cl.boards) {
    const auto it = by_device.find(b.device.path);
    if (it != by_device.end()) {
      p.boards.push_back(p.boards[it->second]);
      continue;
    }
    ir::Design on = d;
    on.device = b.device;
    BoardTables t;
    t.options = layer_options(on);
    t.capacity = b.device.capacity;
    t.budget = cl.utilisation_max;
    by_device[b.device.path] = p.boards.size();
    p.boards.push_back(std::move(t));
  }
  p.streams.resize(size_t(p.n) + 1);
  for (int at = 1; at < p.n; ++at) p.streams[size_t(at)] = cut_streams(d.network, at);
  p.link_cycles.resize(cl.boards.size());
  p.link_index.assign(cl.boards.size(), -1);
  for (size_t b = 0; b + 1 < cl.boards.size(); ++b) {
    const ir::ClusterLink* l = cl.link(int(b), int(b) + 1);
    if (!l) continue;
    p.link_index[b] = int(l - cl.links.data());
    p.link_cycles[b].assign(size_t(p.n) + 1, kInf);
    for (int at = 1; at < p.n; ++at)
      p.link_cycles[b][size_t(at)] = link_cycles_per_frame(p.streams[size_t(at)], l->config, d.clock_mhz);
  }
  return p;
}

// Per layer, the cheapest option with at most T cycles on this board (-1: none).
std::vector<int> choose(const BoardTables& t, double T) {
  std::vector<int> c(t.options.size(), -1);
  for (size_t i = 0; i < t.options.size(); ++i) {
    double best = kInf;
    for (size_t k = 0; k < t.options[i].size(); ++k) {
      const LayerOption& o = t.options[i][k];
      const double cost = resource_cost(o.resources, t.capacity);
      if (double(o.cycles) <= T && cost < best) {
        best = cost;
        c[i] = int(k);
      }
    }
  }
  return c;
}

bool within(const ir::Resources& r, const ir::Resources& cap, double budget) {
  return r.lut <= budget * cap.lut && r.ff <= budget * cap.ff && r.bram18 <= budget * cap.bram18 &&
         r.uram <= budget * cap.uram && r.dsp <= budget * cap.dsp;
}

double max_fraction(const ir::Resources& r, const ir::Resources& cap) {
  double f = 0;
  auto frac = [&](double used, double have) {
    if (used > 0) f = std::max(f, have > 0 ? used / have : kInf);
  };
  frac(r.lut, cap.lut);
  frac(r.ff, cap.ff);
  frac(r.bram18, cap.bram18);
  frac(r.uram, cap.uram);
  frac(r.dsp, cap.dsp);
  return f;
}

// One board's layer range at T: its resources, cost and whether it fits.
struct RangeAt {
  const BoardTables* t = nullptr;
  std::vector<int> chosen;
  bool fits(int first, int last, ir::Resources* sum = nullptr, double* cost = nullptr) const {
    ir::Resources r;
    double c = 0;
    for (int i = first; i < last; ++i) {
      if (chosen[size_t(i)] < 0) return false;
      const LayerOption& o = t->options[size_t(i)][size_t(chosen[size_t(i)])];
      r += o.resources;
      c += resource_cost(o.resources, t->capacity);
    }
    if (sum) *sum = r;
    if (cost) *cost = c;
    return within(r, t->capacity, t->budget);
  }
};

std::vector<RangeAt> ranges_at(const Problem& p, double T, int boards) {
  std::vector<RangeAt> r(static_cast<size_t>(boards));
  for (int b = 0; b < boards; ++b) r[size_t(b)] = {&p.boards[size_t(b)], choose(p.boards[size_t(b)], T)};
  return r;
}

struct Split {
  std::vector<int> cuts;  // first layer of boards 1, 2, ...
  double cost = 0;
};

// The split meeting T on the fewest boards (at most max_boards), then the
// cheapest: a dynamic programme over (boards used, layers placed).
std::optional<Split> best_split(const Problem& p, double T, int max_boards) {
  const int n = p.n;
  const std::vector<RangeAt> at = ranges_at(p, T, max_boards);
  // cost[k][j]: layers [0, j) on boards 0..k-1, each board non-empty.
  std::vector<std::vector<double>> cost(size_t(max_boards) + 1, std::vector<double>(size_t(n) + 1, kInf));
  std::vector<std::vector<int>> from(size_t(max_boards) + 1, std::vector<int>(size_t(n) + 1, -1));
  cost[0][0] = 0;
  for (int k = 1; k <= max_boards; ++k) {
    const int b = k - 1;
    if (k > 1 && p.link_index[size_t(b - 1)] < 0) break;  // no link from the previous board
    for (int j = k; j <= n; ++j)
      for (int i = k - 1; i < j; ++i) {
        if (cost[size_t(k - 1)][size_t(i)] == kInf) continue;
        if (k > 1 && p.link_cycles[size_t(b - 1)][size_t(i)] > T) continue;
        double c = 0;
        if (!at[size_t(b)].fits(i, j, nullptr, &c)) continue;
        if (cost[size_t(k - 1)][size_t(i)] + c < cost[size_t(k)][size_t(j)]) {
          cost[size_t(k)][size_t(j)] = cost[size_t(k - 1)][size_t(i)] + c;
          from[size_t(k)][size_t(j)] = i;
        }
      }
    if (cost[size_t(k)][size_t(n)] < kInf) {  // the fewest boards that meet T
      Split s;
      s.cost = cost[size_t(k)][size_t(n)];
      for (int kk = k, j = n; kk > 1; --kk) {
        j = from[size_t(kk)][size_t(j)];
        s.cuts.insert(s.cuts.begin(), j);
      }
      return s;
    }
  }
  return std::nullopt;
}

// Every interval a layer option or a cut's link can have, ascending.
std::vector<double> candidates(const Problem& p) {
  std::set<double> s;
  for (const BoardTables& t : p.boards)
    for (const auto& opts : t.options)
      for (const LayerOption& o : opts) s.insert(double(o.cycles));
  for (const auto& lc : p.link_cycles)
    for (double c : lc)
      if (c < kInf) s.insert(c);
  return {s.begin(), s.end()};
}

// The least candidate T at which `ok(T)` holds (ok is monotone in T); 0 if none.
template <class Ok>
double least(const std::vector<double>& ts, int64_t& searches, Ok ok) {
  size_t lo = 0, hi = ts.size();  // the answer is in [lo, hi); hi: none
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    ++searches;
    if (ok(ts[mid]))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo < ts.size() ? ts[lo] : 0;
}

}  // namespace

std::vector<CutStream> cut_streams(const ir::Network& net, int at) {
  std::set<int> producers;
  for (int v = at; v < int(net.layers.size()); ++v)
    for (int u : net.layers[size_t(v)].input_index)
      if (u < at) producers.insert(u);
  std::vector<CutStream> out;
  for (int u : producers) {
    CutStream s;
    s.producer = u;
    if (u < 0) {
      s.name = "input";
      s.bits_per_frame = net.input_shape.elements() * net.input_type.bits;
    } else {
      const ir::Layer& l = net.layers[size_t(u)];
      s.name = l.name;
      s.bits_per_frame = l.out_shape.elements() * l.out_type.bits;
    }
    out.push_back(s);
  }
  return out;
}

double link_cycles_per_frame(const std::vector<CutStream>& streams, const models::LinkConfig& link,
                             double clock_mhz, int64_t* words) {
  int64_t w = 0;
  for (const CutStream& s : streams) w += (s.bits_per_frame + link.block_bits() - 1) / link.block_bits();
  if (words) *words = w;
  return link.saturated_cycles(w) * clock_mhz / link.user_clock_mhz();
}

Partitioner::Partitioner(const ir::Design& d, const ir::Cluster& cl)
    : p_(std::make_unique<Problem>(make_problem(d, cl))) {}

Partitioner::~Partitioner() = default;

PartitionResult Partitioner::best(int max_boards) const {
  const Problem& p = *p_;
  const ir::Design& d = p.design;
  const ir::Cluster& cl = p.cluster;
  const int boards = max_boards > 0 ? std::min<int>(max_boards, int(cl.boards.size())) : int(cl.boards.size());
  PartitionResult r;
  const std::vector<double> ts = candidates(p);
  r.targets = int64_t(ts.size());
  r.single_board_interval_cycles =
      least(ts, r.searches, [&](double T) { return best_split(p, T, 1).has_value(); });
  const double T = least(ts, r.searches, [&](double t) { return best_split(p, t, boards).has_value(); });
  if (T == 0) return r;
  const Split s = *best_split(p, T, boards);
  r.interval_cycles = T;
  r.fps = d.clock_mhz * 1e6 / T;
  const std::vector<RangeAt> at = ranges_at(p, T, int(s.cuts.size()) + 1);
  r.folding.resize(size_t(p.n));
  std::vector<int> starts{0};
  starts.insert(starts.end(), s.cuts.begin(), s.cuts.end());
  starts.push_back(p.n);
  for (size_t b = 0; b + 1 < starts.size(); ++b) {
    BoardPart part;
    part.board = int(b);
    part.first = starts[b];
    part.last = starts[b + 1];
    at[b].fits(part.first, part.last, &part.resources);
    part.utilisation = max_fraction(part.resources, p.boards[b].capacity);
    for (int i = part.first; i < part.last; ++i) {
      const LayerOption& o = p.boards[b].options[size_t(i)][size_t(at[b].chosen[size_t(i)])];
      r.folding[size_t(i)] = o.folding;
      part.cycles = std::max(part.cycles, o.cycles);
    }
    r.boards.push_back(part);
    if (b + 2 < starts.size()) {
      CutPart c;
      c.link = p.link_index[b];
      c.at = starts[b + 1];
      c.streams = p.streams[size_t(c.at)];
      c.cycles_per_frame = link_cycles_per_frame(c.streams, cl.links[size_t(c.link)].config, d.clock_mhz,
                                                 &c.words_per_frame);
      r.cuts.push_back(c);
    }
  }
  return r;
}

double Partitioner::split_interval(const std::vector<int>& cuts) const {
  const Problem& p = *p_;
  const ir::Cluster& cl = p.cluster;
  const int boards = int(cuts.size()) + 1;
  if (boards > int(cl.boards.size())) return 0;
  std::vector<int> starts{0};
  starts.insert(starts.end(), cuts.begin(), cuts.end());
  starts.push_back(p.n);
  for (double T : candidates(p)) {  // ascending: the first that works is the least
    const std::vector<RangeAt> at = ranges_at(p, T, boards);
    bool ok = true;
    for (int b = 0; b < boards && ok; ++b) {
      ok = starts[size_t(b)] < starts[size_t(b) + 1] && at[size_t(b)].fits(starts[size_t(b)], starts[size_t(b) + 1]);
      if (ok && b > 0) ok = p.link_index[size_t(b - 1)] >= 0 && p.link_cycles[size_t(b - 1)][size_t(starts[size_t(b)])] <= T;
    }
    if (ok) return T;
  }
  return 0;
}

}  // namespace vine::explore
