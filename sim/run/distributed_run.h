// One `vine run` of a design placed on a cluster's boards, split over the
// processes of a parallel job (MPI): each rank runs a contiguous group of
// boards (docs/parallel.md).
//
// Every rank elaborates the whole design and activates only its own boards'
// stages. Every stream between boards crosses a link stage; a link between
// boards of two ranks runs its transmit end on the first board's rank and its
// receive end on the second's (models/link/link_stage.h). The ends tell each
// other their progress and the link's blocks, and each runs up to the link's
// latency ahead of the other: that latency is the lookahead. A message is
// final once sent (the stamp engine never changes a stamp once it is made,
// docs/simulation.md), so the run is the one-process run exactly. It goes in
// rounds: every rank runs until no stage of its own can move, the ranks
// exchange what their link ends have to tell, and a sum over the ranks says
// whether anything was sent (go on), or not (stop: every stage done, or a
// deadlock).
//
// The transport is an interface (RankTransport), so that this file needs no
// MPI: sim/cli/mpi_transport.h is the MPI one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/link/link_stage.h"
#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"
#include "sim/run/run_report.h"
#include "sim/run/simulation.h"

namespace vine::sim {

// The collective operations a distributed run needs, over `ranks()` processes.
class RankTransport {
 public:
  virtual ~RankTransport() = default;
  virtual int rank() const = 0;
  virtual int ranks() const = 0;
  // Every rank sends out[r] to rank r (out has ranks() entries; its own is
  // ignored) and gets what each rank sent it, by rank.
  virtual std::vector<std::vector<uint8_t>> exchange(const std::vector<std::vector<uint8_t>>& out) = 0;
  // The element-wise sum of `v` over every rank, on every rank.
  virtual void sum(std::vector<int64_t>& v) = 0;
  // Rank 0 gets every rank's bytes, by rank (its own first); the others, nothing.
  virtual std::vector<std::vector<uint8_t>> gather(const std::vector<uint8_t>& mine) = 0;
  // Rank 0's `v`, on every rank.
  virtual int64_t broadcast(int64_t v) = 0;
};

// Per stage of `plan`, the position of its board in d.placement.boards
// (pipeline order). A link stage is placed on the board it reads from (its
// transmit end; its receive end is on its consumer's); the input DMA on the
// first board; the output DMA on its producer's.
std::vector<int> stage_boards(const ir::StreamingPlan& plan, const ir::Design& d);
// The rank that runs board `board` of `boards` when `ranks` ranks share them
// in contiguous groups (ranks <= boards).
int rank_of_board(int board, int boards, int ranks);

// Why `d` cannot run over `ranks` processes (empty: it can): not a streaming
// design placed on a cluster, more ranks than boards.
std::string distributed_design_problem(const ir::Design& d, int ranks);
// The same for what only the elaborated network shows: DDR channels that
// boards would share, stages on RTL, a fast-forward that needs every stage in
// one process.
std::string distributed_network_problem(const Simulation& sim);

struct DistributedStats {
  int64_t rounds = 0;          // exchanges
  int64_t batches_sent = 0;    // this rank's, non-empty
  int64_t bytes_sent = 0;      // this rank's
  int64_t link_messages_sent = 0;  // this rank's link ends'
};

// Runs `sim`'s network on this rank's boards (o.distributed, and the steady
// state judged on rank 0 alone: cmd_run sets both). Returns on every rank
// once every rank has stopped; rank 0's `sim` then holds the whole run's
// report (Simulation::report()), gathered from every rank.
class DistributedRun {
 public:
  DistributedRun(Simulation& sim, const ir::Design& d, RankTransport& t);
  void run();
  const DistributedStats& stats() const { return stats_; }

 private:
  std::vector<std::vector<uint8_t>> outgoing();
  void apply(const std::vector<uint8_t>& batch, int from);
  // A link stage whose ends run on two ranks.
  struct SplitLink {
    int stream = 0;  // its input stream's index in the plan: the link's name in messages
    models::LinkStage* stage = nullptr;
    int transmit = 0, receive = 0;  // the ranks of its ends
  };
  SplitLink* split_link(int stream);
  void absorb_transmit_ends();
  std::vector<uint8_t> measured_here() const;
  void merge(Simulation::Results& into, const std::vector<uint8_t>& part) const;

  Simulation& sim_;
  const ir::Design& d_;
  RankTransport& t_;
  std::vector<int> rank_of_stage_;
  std::vector<SplitLink> split_links_;
  DistributedStats stats_;
};

}  // namespace vine::sim
