#include "models/link/link_config.h"

#include <cmath>
#include <numeric>

namespace vine::models {

int LinkConfig::propagation_cycles() const {
  // ns x MHz / 1000 = cycles; a small epsilon keeps exact products exact.
  const double cycles = cable_m * propagation_ns_per_m * user_clock_mhz() / 1000.0;
  return int(std::ceil(cycles - 1e-9));
}

int64_t LinkConfig::slots_before(int64_t n) const {
  if (n <= 0) return 0;
  const int64_t gp = gearbox_period, cp = cc_period, cc = cc_period > 0 ? cc_cycles : 0;
  int64_t pauses = gp > 0 ? n / gp : 0;
  int64_t ccs = cp > 0 ? (n / cp) * cc + std::min<int64_t>(n % cp, cc) : 0;
  // Cycles that are both: in each clock-compensation window [s, s + cc),
  // the pauses are those of [0, s + cc) less those of [0, s); the pattern
  // repeats every lcm(gp, cp) cycles, which holds gp / gcd(gp, cp) windows.
  int64_t both = 0;
  if (gp > 0 && cp > 0 && cc > 0) {
    const int64_t period = std::lcm(gp, cp);
    auto count_in = [&](int64_t end) {  // both-gap cycles in [0, end), end <= period
      int64_t k = 0;
      for (int64_t s = 0; s < end; s += cp) k += std::min(s + cc, end) / gp - s / gp;
      return k;
    };
    both = (n / period) * count_in(period) + count_in(n % period);
  }
  return n - pauses - ccs + both;
}

double LinkConfig::payload_gbps() const {
  // Over one whole gearbox x clock-compensation period, the fraction of slots
  // that carry blocks, of which frame_words in frame_words + 1 carry data.
  const int64_t period = std::lcm<int64_t>(std::max(gearbox_period, 1), std::max(cc_period, 1));
  const double slot_fraction = double(slots_before(period)) / double(period);
  return lanes * line_rate_gbps * slot_fraction * frame_words / (frame_words + 1.0);
}

double LinkConfig::saturated_cycles(int64_t words) const {
  const int64_t period = std::lcm<int64_t>(std::max(gearbox_period, 1), std::max(cc_period, 1));
  const double slot_fraction = double(slots_before(period)) / double(period);
  return double(words) * (frame_words + 1.0) / double(frame_words) / slot_fraction;
}

int LinkConfig::xoff_headroom_words() const {
  // The receiver releases a frame's words when its trailer has been checked,
  // so the occupancy can cross xoff_words by up to frame_words - 1 in the
  // cycle t it reaches it. The XOFF then goes back in the first reverse slot
  // (NFC before acknowledgements), at most a clock compensation and a
  // gearbox pause later, and stops the transmitter L cycles after that.
  // Still to arrive after t: the blocks on the wire (L), those sent until
  // the XOFF arrives (wait + L - 1), and the part of a frame the receiver
  // already holds (frame_words - 1).
  const int wait = (cc_period > 0 ? cc_cycles : 0) + (gearbox_period > 0 ? 1 : 0);
  return 2 * latency_cycles() + wait + 2 * frame_words;
}

std::string LinkConfig::check() const {
  if (lanes < 1 || lanes > 16) return "lanes must be 1 to 16 (Aurora bonds up to 16)";
  if (!(line_rate_gbps > 0 && line_rate_gbps <= 32)) return "line_rate_gbps must be in (0, 32]";
  if (gearbox_period < 0 || gearbox_period == 1 || gearbox_period > 4096)
    return "gearbox_period must be 0 or in [2, 4096]";
  if (cc_period < 0 || cc_period > (1 << 20)) return "cc_period must be in [0, 2^20]";
  if (cc_period > 0 && (cc_cycles < 0 || cc_cycles >= cc_period))
    return "cc_cycles must be in [0, cc_period)";
  if (logic_latency_cycles < 1) return "logic_latency_cycles must be at least 1";
  if (!(cable_m >= 0) || !(propagation_ns_per_m >= 0))
    return "cable_m and propagation_ns_per_m must not be negative";
  if (tx_fifo_words < 1) return "tx_fifo_words must be at least 1";
  if (frame_words < 1) return "frame_words must be at least 1";
  if (rx_fifo_words < frame_words)
    return "rx_fifo_words must hold at least one frame (frame_words)";
  if (flow_control) {
    if (xon_words < 0 || xon_words >= xoff_words || xoff_words > rx_fifo_words)
      return "flow control needs 0 <= xon_words < xoff_words <= rx_fifo_words";
  }
  if (retransmission && replay_frames < 1) return "replay_frames must be at least 1";
  if (!(bit_error_rate >= 0 && bit_error_rate < 1)) return "bit_error_rate must be in [0, 1)";
  if (burst_every_bits < 0 || burst_bits < 0 || (burst_every_bits > 0 && burst_bits < 1) ||
      (burst_every_bits > 0 && burst_bits > burst_every_bits))
    return "burst_bits must be in [1, burst_every_bits] when burst_every_bits is set";
  for (int64_t t : corrupt_transmissions)
    if (t < 0) return "corrupt_transmissions must not be negative";
  return "";
}

}  // namespace vine::models
