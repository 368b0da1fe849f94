// The MPI side of a distributed `vine run` (sim/run/distributed_run.h,
// docs/parallel.md). MPI starts only when the process was launched by
// mpirun (OpenMPI's OMPI_COMM_WORLD_SIZE in the environment), so that a
// plain `vine` never pays for it.
#pragma once

#include <memory>
#include <string>

#include "sim/run/distributed_run.h"

namespace vine::cli {

// The size of the MPI job this process was launched in (OMPI_COMM_WORLD_SIZE),
// 0 when it was not launched by mpirun.
int mpi_job_size();

// MPI_COMM_WORLD from MPI_Init to MPI_Finalize (in its destructor).
class MpiTransport final : public sim::RankTransport {
 public:
  // Null, with `problem` set, when this vine was built without MPI.
  static std::unique_ptr<MpiTransport> start(std::string& problem);
  ~MpiTransport() override;
  int rank() const override { return rank_; }
  int ranks() const override { return ranks_; }
  std::vector<std::vector<uint8_t>> exchange(const std::vector<std::vector<uint8_t>>& out) override;
  void sum(std::vector<int64_t>& v) override;
  std::vector<std::vector<uint8_t>> gather(const std::vector<uint8_t>& mine) override;
  int64_t broadcast(int64_t v) override;
  // A barrier that sleeps while it waits (1 ms between tests) instead of
  // polling: the ranks wait here while rank 0 judges the steady state, which
  // can take minutes, and must leave the cores to it.
  void wait_for_all();
  // Ends every rank of the job with `code`: a rank that fails must not leave
  // the others waiting in a collective.
  [[noreturn]] void abort(int code);

 private:
  MpiTransport() = default;
  int rank_ = 0, ranks_ = 1;
};

}  // namespace vine::cli
