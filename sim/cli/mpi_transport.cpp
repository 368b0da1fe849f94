#include "sim/cli/mpi_transport.h"

#include <chrono>
#include <cstdlib>
#include <thread>
#include <stdexcept>

#ifdef VINE_HAVE_MPI
#include <mpi.h>
#endif

namespace vine::cli {

int mpi_job_size() {
  const char* n = std::getenv("OMPI_COMM_WORLD_SIZE");
  return n ? std::atoi(n) : 0;
}

#ifdef VINE_HAVE_MPI

namespace {
void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}
}  // namespace

std::unique_ptr<MpiTransport> MpiTransport::start(std::string&) {
  std::unique_ptr<MpiTransport> t(new MpiTransport);
  // A rank waiting in a collective (the others while rank 0 judges the
  // steady state, or a rank with no work in a round) gives its core up
  // instead of polling: ranks often share cores with each other here. The
  // user's own setting, if any, stands.
  setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
  check(MPI_Init(nullptr, nullptr), "MPI_Init");
  MPI_Comm_rank(MPI_COMM_WORLD, &t->rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &t->ranks_);
  return t;
}

MpiTransport::~MpiTransport() { MPI_Finalize(); }

std::vector<std::vector<uint8_t>> MpiTransport::exchange(const std::vector<std::vector<uint8_t>>& out) {
  const size_t n = size_t(ranks_);
  std::vector<int> send_counts(n), recv_counts(n), send_at(n), recv_at(n);
  std::vector<uint8_t> send;
  for (size_t r = 0; r < n; ++r) {
    send_at[r] = int(send.size());
    if (int(r) != rank_) send.insert(send.end(), out[r].begin(), out[r].end());
    send_counts[r] = int(send.size()) - send_at[r];
  }
  check(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, MPI_COMM_WORLD),
        "MPI_Alltoall");
  int total = 0;
  for (size_t r = 0; r < n; ++r) {
    recv_at[r] = total;
    total += recv_counts[r];
  }
  std::vector<uint8_t> received(static_cast<size_t>(total));
  check(MPI_Alltoallv(send.data(), send_counts.data(), send_at.data(), MPI_BYTE, received.data(), recv_counts.data(),
                      recv_at.data(), MPI_BYTE, MPI_COMM_WORLD),
        "MPI_Alltoallv");
  std::vector<std::vector<uint8_t>> in(n);
  for (size_t r = 0; r < n; ++r)
    in[r].assign(received.begin() + recv_at[r], received.begin() + recv_at[r] + recv_counts[r]);
  return in;
}

void MpiTransport::sum(std::vector<int64_t>& v) {
  check(MPI_Allreduce(MPI_IN_PLACE, v.data(), int(v.size()), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD),
        "MPI_Allreduce");
}

std::vector<std::vector<uint8_t>> MpiTransport::gather(const std::vector<uint8_t>& mine) {
  const size_t n = size_t(ranks_);
  int size = int(mine.size());
  std::vector<int> sizes(n), at(n);
  check(MPI_Gather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  int total = 0;
  for (size_t r = 0; r < n; ++r) {
    at[r] = total;
    total += sizes[r];
  }
  std::vector<uint8_t> all(rank_ == 0 ? size_t(total) : 0);
  check(MPI_Gatherv(mine.data(), size, MPI_BYTE, all.data(), sizes.data(), at.data(), MPI_BYTE, 0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  std::vector<std::vector<uint8_t>> parts;
  if (rank_ == 0)
    for (size_t r = 0; r < n; ++r) parts.emplace_back(all.begin() + at[r], all.begin() + at[r] + sizes[r]);
  return parts;
}

int64_t MpiTransport::broadcast(int64_t v) {
  check(MPI_Bcast(&v, 1, MPI_INT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return v;
}

void MpiTransport::wait_for_all() {
  MPI_Request req;
  check(MPI_Ibarrier(MPI_COMM_WORLD, &req), "MPI_Ibarrier");
  for (int done = 0;;) {
    check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void MpiTransport::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);  // MPI_Abort does not return; this says so to the compiler
}

#else  // built without MPI

std::unique_ptr<MpiTransport> MpiTransport::start(std::string& problem) {
  problem =
      "launched by mpirun, but this vine was built without MPI (install libopenmpi-dev, as scripts/setup "
      "does, and configure again)";
  return nullptr;
}
MpiTransport::~MpiTransport() = default;
std::vector<std::vector<uint8_t>> MpiTransport::exchange(const std::vector<std::vector<uint8_t>>&) {
  throw std::logic_error("no MPI");
}
void MpiTransport::sum(std::vector<int64_t>&) { throw std::logic_error("no MPI"); }
std::vector<std::vector<uint8_t>> MpiTransport::gather(const std::vector<uint8_t>&) {
  throw std::logic_error("no MPI");
}
int64_t MpiTransport::broadcast(int64_t) { throw std::logic_error("no MPI"); }
void MpiTransport::wait_for_all() { throw std::logic_error("no MPI"); }
void MpiTransport::abort(int code) { std::exit(code); }

#endif

}  // namespace vine::cli
