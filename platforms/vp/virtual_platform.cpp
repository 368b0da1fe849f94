#include "platforms/vp/virtual_platform.h"

#include "models/layers/weight_stream.h"

#include <algorithm>
#include <climits>
#include <map>
#include <numeric>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <stdexcept>

#include "models/layers/weight_stream.h"
#include "sim/config/loaders.h"
#include "sim/run/simulation.h"

namespace vine::platforms {

namespace {

bool g_exists = false;

int64_t to_int(const std::string& key, const std::string& v, int64_t lo, int64_t hi) {
  size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || v.empty() || x < lo || x > hi)
    throw std::invalid_argument("option " + key + "=" + v + ": expected an integer in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

double to_real(const std::string& key, const std::string& v, double lo, double hi) {
  size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || v.empty() || !(x >= lo && x <= hi))
    throw std::invalid_argument("option " + key + "=" + v + ": expected a number in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

}  // namespace

VpOptions parse_vp_options(const std::map<std::string, std::string>& kv, const ir::Device& device) {
  VpOptions o;
  auto ddr = [&]() -> models::DdrConfig& {
    if (!o.board.ddr) {
      if (device.ddr_channels < 1)
        throw std::invalid_argument("device " + device.name +
                                    " has no DDR to adjust (ddr: channels)");
      o.board.ddr = models::DdrConfig::from_device(device);
    }
    return *o.board.ddr;
  };
  for (const auto& [k, v] : kv) {
    if (k == "seed")
      o.board.seed = uint64_t(to_int(k, v, 0, INT64_MAX));
    else if (k == "transfer_bytes")
      o.board.transfer_bytes = to_int(k, v, 1, 1 << 24);
    else if (k == "dma_buffers")
      o.board.dma_buffers = int(to_int(k, v, 1, 1024));
    else if (k == "frame_budget")
      o.board.frame_budget = to_int(k, v, 1, 2000000000);
    else if (k == "access_cycles")
      o.board.register_access_cycles = int(to_int(k, v, 0, 1000000));
    else if (k == "quantum_ns")
      o.quantum = sc_core::sc_time(double(to_int(k, v, 0, 1000000000)), sc_core::SC_NS);
    else if (k == "ddr_mts")
      ddr().transfer_rate_mts = to_real(k, v, 1e-3, 1e6);
    else if (k == "ddr_latency_ns")
      ddr().latency_ns = to_real(k, v, 0, 1e6);
    else if (k == "ddr_efficiency")
      ddr().efficiency = to_real(k, v, 1e-6, 1);
    else if (k == "trace_regs")
      o.board.record = to_int(k, v, 0, 1) != 0;
    else
      throw std::invalid_argument(
          "option " + k + "=" + v +
          ": unknown; expected seed, transfer_bytes, dma_buffers, frame_budget, access_cycles, "
          "quantum_ns, ddr_mts, ddr_latency_ns, ddr_efficiency or trace_regs");
  }
  return o;
}

VirtualPlatform::VirtualPlatform(const std::string& design_path, const VpOptions& o) {
  if (g_exists)
    throw std::invalid_argument(
        "a virtual platform exists in this process already (SystemC elaborates once per process)");
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    throw std::invalid_argument(
        "the SystemC simulation of this process has started: a virtual platform can no longer be "
        "elaborated");
  design_ = std::make_unique<ir::Design>(config::load_design(design_path));
  sim::check_simulatable(*design_);
  board_ = std::make_unique<VpBoard>("board", *design_, o.board);
  cpu_ = std::make_unique<HostCpu>("cpu", o.quantum);
  cpu_->socket.bind(board_->host_socket());
  cpu_->irq.bind(board_->irq);
  g_exists = true;
}

VirtualPlatform::~VirtualPlatform() = default;

bool VirtualPlatform::exists() {
  return g_exists;
}

void VirtualPlatform::run(const std::function<void()>& work) {
  rethrow_failure();  // a stopped simulation runs no more host work
  try {
    cpu_->run(work);
  } catch (...) {
    // The accelerator's error stopped the kernel, so the host's work did not
    // end (HostCpu::run says so): the cause is the accelerator's.
    rethrow_failure();
    throw;
  }
}

void VirtualPlatform::rethrow_failure() const {
  if (const std::exception_ptr f = board_->network().accelerator().failure()) std::rethrow_exception(f);
}

uint32_t VirtualPlatform::read32(uint64_t address) {
  uint32_t v = 0;
  run([&] { v = cpu_->read32(address); });
  return v;
}

void VirtualPlatform::write32(uint64_t address, uint32_t value) {
  run([&] { cpu_->write32(address, value); });
}

void VirtualPlatform::read(uint64_t address, void* data, uint64_t bytes) {
  run([&] { cpu_->read(address, data, bytes); });
}

void VirtualPlatform::write(uint64_t address, const void* data, uint64_t bytes) {
  run([&] { cpu_->write(address, data, bytes); });
}

bool VirtualPlatform::wait_irq(uint64_t timeout_ns) {
  bool high = false;
  run([&] { high = cpu_->wait_irq(sc_core::sc_time(double(timeout_ns), sc_core::SC_NS)); });
  return high;
}

void VirtualPlatform::idle(uint64_t ns) {
  run([&] { cpu_->idle(sc_core::sc_time(double(ns), sc_core::SC_NS)); });
}

uint64_t VirtualPlatform::now_ns() const {
  return uint64_t(cpu_->now().to_seconds() * 1e9 + 0.5);
}

void VirtualPlatform::write_report(std::ostream& out) const {
  const VpBoard& b = *board_;
  const ir::Design& d = *design_;
  const models::DdrConfig& ddr = b.ddr().config();
  const double period_ns = b.clock().to_seconds() * 1e9;
  out << fmt("virtual platform: %s on %s, accelerator at %g MHz\n", d.name.c_str(),
             d.device.name.c_str(), d.clock_mhz);
  out << fmt("  DDR: %d channel(s) x %" PRIu64 " MiB, %d-bit at %g MT/s (%.3g GB/s peak, "
             "efficiency %g), latency %g ns, %d-byte bursts\n",
             ddr.channels, ddr.channel_capacity >> 20, ddr.data_bytes * 8, ddr.transfer_rate_mts,
             ddr.peak_gbytes_per_s(), ddr.efficiency, ddr.latency_ns, ddr.burst_bytes);
  out << fmt("  address map: DDR 0x0-0x%" PRIx64 ", control registers 0x%" PRIx64 "\n",
             b.ddr_bytes() - 1, b.ctrl_base());
  out << fmt("  frames: input %" PRIu64 " bytes (%" PRId64 " beats of %d bytes), output %" PRIu64
             " bytes (%" PRId64 " beats of %d bytes)\n",
             b.input_geometry().frame_bytes(), b.input_geometry().beats_per_frame,
             b.input_geometry().format.beat_bytes(), b.output_geometry().frame_bytes(),
             b.output_geometry().beats_per_frame, b.output_geometry().format.beat_bytes());
  out << "jobs (cycles of the accelerator clock; START to the last write's completion):\n";
  out << fmt("  %4s %7s %12s %12s %12s %12s %12s  %s\n", "job", "frames", "start", "done",
             "cycles", "cycles/frame", "DDR stalls", "status");
  const auto& done = b.output_dma().frame_done_cycles();
  for (const auto& j : b.jobs()) {
    const bool ok = j.done_cycle >= 0;
    const int64_t cyc = ok ? j.done_cycle - j.start_cycle : 0;
    out << fmt("  %4" PRIu64 " %7u %12" PRId64 " %12s %12s %12s %12s  %s\n", j.id, j.frames,
               j.start_cycle, ok ? std::to_string(j.done_cycle).c_str() : "-",
               ok ? std::to_string(cyc).c_str() : "-",
               ok ? fmt("%.1f", double(cyc) / j.frames).c_str() : "-",
               ok ? std::to_string(j.stall_cycles).c_str() : "-",
               j.abandoned ? "abandoned (RESET)" : ok ? "done" : "running");
  }
  // The interval most often seen between consecutive frames of a job: the
  // steady state, whatever the transients at a job's ends. And, over the
  // second half of the longest job, the mean and the range of intervals.
  std::map<int64_t, int> seen;
  size_t k = 0, longest_first = 0;
  uint32_t longest = 0;
  for (const auto& j : b.jobs()) {
    if (j.abandoned || j.done_cycle < 0) continue;
    for (uint32_t f = 1; f < j.frames && k + f < done.size(); ++f) ++seen[done[k + f] - done[k + f - 1]];
    if (j.frames > longest) longest = j.frames, longest_first = k;
    k += j.frames;
  }
  const auto steady = std::max_element(seen.begin(), seen.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  const size_t pairs = std::accumulate(seen.begin(), seen.end(), size_t{0},
                                       [](size_t n, const auto& e) { return n + size_t(e.second); });
  // A steady state shows as one interval repeating; in short jobs the fill
  // and drain dominate and no interval is one (a frame may even follow the
  // previous sooner than the pipeline's interval), so none is claimed.
  if (steady != seen.end() && steady->second >= 3 && size_t(steady->second) * 2 >= pairs)
    out << fmt("  steady interval: %" PRId64 " cycles (%.1f frames/s), between %d of the %zu pairs "
               "of consecutive frames\n",
               steady->first, 1e9 / (double(steady->first) * period_ns), steady->second, pairs);
  else
    out << fmt("  steady interval: no single one (%zu pairs of consecutive frames, no interval "
               "between 3 or more and half of them)\n",
               pairs);
  if (longest >= 6 && longest_first + longest <= done.size()) {
    // The job's last frame is left out: its loop drains, so it leaves sooner.
    const size_t first = longest_first + longest / 2, last = longest_first + longest - 2;
    int64_t lo = INT64_MAX, hi = 0;
    for (size_t f = first + 1; f <= last; ++f) {
      lo = std::min(lo, done[f] - done[f - 1]);
      hi = std::max(hi, done[f] - done[f - 1]);
    }
    const double mean = double(done[last] - done[first]) / double(last - first);
    out << fmt("  mean interval over the second half of a %u-frame job, its last frame left out: "
               "%.2f cycles (%.1f frames/s), each between %" PRId64 " and %" PRId64 "\n",
               longest, mean, 1e9 / (mean * period_ns), lo, hi);
  }
  const int64_t ddr_bound = b.ddr_frame_cycles(), pipeline = b.pipeline_interval_cycles();
  out << fmt("  DDR bound: %" PRId64 " cycles per frame (%" PRIu64 " + %" PRIu64
             " bytes of whole bursts at the sustained rate); the pipeline's: %" PRId64
             " cycles (analytic estimate)\n",
             ddr_bound, b.input_geometry().frame_bytes(), b.output_geometry().frame_bytes(),
             pipeline);
  out << (ddr_bound > pipeline ? "  limit: DDR\n" : "  limit: the pipeline\n");
  // Weights in DDR stream through the accelerator's own model of the
  // channels (docs/ddr-weights.md), not through this DDR target: say so, so
  // that neither the DDR bound above nor the channel figures below are
  // taken to include them.
  const auto streams = models::plan_weight_streams(b.design());
  if (!streams.empty()) {
    const auto channel = models::ddr_channel_cycles_per_frame(b.design(), streams);
    out << fmt("  weight streams: %zu layer(s) read weights from DDR, %" PRId64
               " cycles per frame of channel occupancy in the accelerator's own channel model "
               "(included in the pipeline's figure); the VP's DDR target below does not serve them, "
               "so the DMAs and the host do not contend with them here\n",
               streams.size(), std::accumulate(channel.begin(), channel.end(), int64_t{0}));
  }
  const auto& in = b.input_dma().dma_stats();
  const auto& outs = b.output_dma().dma_stats();
  out << "DMAs:\n";
  out << fmt("  %-12s reads:  %" PRIu64 " transactions, %" PRIu64 " bytes; %" PRIu64
             " zero beats after RESET\n",
             "input_dma", in.transactions, in.bytes, in.zero_beats);
  out << fmt("  %-12s writes: %" PRIu64 " transactions, %" PRIu64 " bytes; %zu frames written; %" PRIu64
             " beats dropped after RESET\n",
             "output_dma", outs.transactions, outs.bytes, done.size(), outs.beats_dropped);
  out << "DDR by initiator:\n";
  const char* names[] = {"input_dma", "output_dma", "host"};
  for (const auto& [id, s] : b.ddr().stats())
    out << fmt("  %-12s %8" PRIu64 " reads %8" PRIu64 " writes %12" PRIu64 " bytes  busy %.3f us"
               "  contention %.3f us  errors %" PRIu64 "\n",
               id >= 0 && id < 3 ? names[id] : "?", s.reads, s.writes,
               s.bytes_read + s.bytes_written, s.busy.to_seconds() * 1e6,
               s.wait.to_seconds() * 1e6, s.errors);
  const double elapsed = sc_core::sc_time_stamp().to_seconds();
  for (int c = 0; c < ddr.channels; ++c) {
    const double busy = b.ddr().timing().channel_busy(c).to_seconds();
    out << fmt("  channel %d: busy %.3f us of %.3f us simulated (%.1f%%)\n", c, busy * 1e6,
               elapsed * 1e6, elapsed > 0 ? 100 * busy / elapsed : 0.0);
  }
}

void VirtualPlatform::write_register_trace(std::ostream& out) const {
  for (const auto& a : board_->ctrl().accesses())
    out << fmt("%14.3f ns  %-5s 0x%03x  0x%08x  %s\n", a.at.to_seconds() * 1e9,
               a.write ? "write" : "read", a.offset, a.value,
               a.response == tlm::TLM_OK_RESPONSE ? "ok"
               : a.response == tlm::TLM_ADDRESS_ERROR_RESPONSE ? "address error"
               : a.response == tlm::TLM_COMMAND_ERROR_RESPONSE ? "command error"
                                                               : "error");
}

}  // namespace vine::platforms
