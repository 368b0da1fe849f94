// `vine partition`: a streaming design's layers split over the boards of a
// cluster, in pipeline order, each board's layers folded under its device's
// budget, the cut streams carried by the links between consecutive boards
// (docs/partition.md).
//
// The interval of a split pipeline is the slowest of its parts: each board's
// slowest layer, and each link's cycles per frame for the streams it
// carries. For a target interval T a board's layers take, each, the cheapest
// folding with at most T cycles (vine dse's rule, on the same per-layer
// tables, per device); a range of layers fits a board when their sum stays
// within utilisation_max of every resource. Whether some split meets T is a
// dynamic programme over cut positions and boards, and meeting T only gets
// easier as T grows, so a binary search over every interval a layer option
// or a cut can have finds the least T exactly (on the tables). Among the
// splits that meet it: the fewest boards, then the least total cost.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/explore/folding_dse.h"
#include "sim/ir/cluster.h"
#include "sim/ir/design.h"

namespace vine::explore {

// A network output crossing a cut: produced before it, read after it.
struct CutStream {
  int producer = -1;           // layer index, -1: the network input
  std::string name;            // the producer layer's name, or "input"
  int64_t bits_per_frame = 0;  // its tensor: elements x bits
};

struct BoardPart {
  int board = 0;                      // cluster board index
  int first = 0, last = 0;            // layers [first, last)
  int64_t cycles = 0;                 // its slowest layer's, at the chosen folding
  ir::Resources resources;            // the sum of its layers' (the tables')
  double utilisation = 0;             // the largest fraction of any one resource
};

struct CutPart {
  int link = -1;                      // cluster link index
  int at = 0;                         // the first layer after the cut
  std::vector<CutStream> streams;
  int64_t words_per_frame = 0;        // each stream packed into link words on its own
  double cycles_per_frame = 0;        // the link's, in the design's clock cycles
};

struct PartitionResult {
  double interval_cycles = 0;         // 0: no split fits
  double fps = 0;
  std::vector<BoardPart> boards;      // the boards used, in pipeline order
  std::vector<CutPart> cuts;          // between consecutive boards used
  std::vector<Folding> folding;       // per layer
  // The same network on the first board alone (0: it does not fit).
  double single_board_interval_cycles = 0;
  int64_t targets = 0;                // candidate intervals
  int64_t searches = 0;               // feasibility checks (each a dynamic programme)
};

// The streams crossing a cut before layer `at`, each producer once (a
// stream read by several layers after the cut crosses once).
std::vector<CutStream> cut_streams(const ir::Network& net, int at);

// Cycles per frame of the design's clock that `link` needs for `streams`:
// each stream's bits in whole link words, frames of frame_words data blocks
// and a trailer, in the slots the gearbox and clock compensation leave.
double link_cycles_per_frame(const std::vector<CutStream>& streams, const models::LinkConfig& link,
                             double clock_mhz, int64_t* words = nullptr);

// The per-layer tables of every board's device and the links' cycles at
// every cut, built once; then the best split, or one split's interval.
class Partitioner {
 public:
  Partitioner(const ir::Design& design, const ir::Cluster& cluster);
  ~Partitioner();
  Partitioner(const Partitioner&) = delete;
  Partitioner& operator=(const Partitioner&) = delete;

  // `max_boards` (0: every board of the cluster) bounds the boards used.
  PartitionResult best(int max_boards = 0) const;
  // The least interval of one given split (the first layer of each board
  // after the first, increasing), by scanning the candidate intervals in
  // order: what tests hold the search against. 0 if it meets none.
  double split_interval(const std::vector<int>& cuts) const;

  struct Problem;  // defined in partition.cpp

 private:
  std::unique_ptr<Problem> p_;
};

}  // namespace vine::explore
