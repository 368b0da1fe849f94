#include "platforms/vp/vp_trace.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace vine::platforms {

namespace {

struct Change {
  uint64_t ps;
  int signal;
  int64_t value;
};

// "1 ps" as VCD writes it: "1ps".
std::string vcd_unit(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

std::string bits(int64_t v, int width) {
  std::string s;
  for (int b = width - 1; b >= 0; --b) s += char('0' + ((v >> b) & 1));
  return s;
}

}  // namespace

void write_vp_vcd(std::ostream& out, const VirtualPlatform& vp) {
  const VpBoard& b = vp.board();
  // Signals: 0 irq, 1 job busy, 2 input_dma reading, 3 output_dma writing,
  // 4 DMA transactions outstanding at the DDR (8 bits).
  const char* ids[] = {"!", "\"", "#", "$", "%"};
  const int widths[] = {1, 1, 8, 8, 8};
  std::vector<Change> ch;
  for (const auto& [t, level] : b.ctrl().irq_changes()) ch.push_back({t.value(), 0, level});
  const uint64_t period = b.clock().value();
  for (const auto& j : b.jobs()) {
    ch.push_back({uint64_t(j.start_cycle) * period, 1, +1});
    if (j.done_cycle >= 0) ch.push_back({uint64_t(j.done_cycle) * period, 1, -1});
  }
  auto add = [&](const std::vector<models::DmaTransaction>& log, int signal) {
    for (const auto& t : log) {
      ch.push_back({t.issue.value(), signal, +1});
      ch.push_back({t.done.value(), signal, -1});
      ch.push_back({t.issue.value(), 4, +1});
      ch.push_back({t.done.value(), 4, -1});
    }
  };
  add(b.input_dma().transactions(), 2);
  add(b.output_dma().transactions(), 3);
  // Ends before starts at the same time: a counter never shows a false peak.
  std::stable_sort(ch.begin(), ch.end(), [](const Change& a, const Change& c) {
    return std::make_tuple(a.ps, a.signal == 0 ? 0 : 1, a.value) <
           std::make_tuple(c.ps, c.signal == 0 ? 0 : 1, c.value);
  });

  // One VCD time unit is SystemC's time resolution (sc_time::value() counts
  // it), 1 ps unless a program sets another; the DDR's and the DMAs' times
  // are in it, and the clock period is a whole number of it (SystemC rounds
  // the design's period to it).
  const std::string unit = sc_core::sc_get_time_resolution().to_string();  // e.g. "1 ps"
  out << "$comment\n  virtual platform of " << vp.design().name << " (vine vp).\n"
      << "  Times in units of " << unit << " (SystemC's time resolution). The accelerator's clock period is "
      << period << " units (" << vp.design().clock_mhz << " MHz";
  const double exact_period = 1 / (vp.design().clock_mhz * 1e6 * sc_core::sc_get_time_resolution().to_seconds());
  if (std::abs(double(period) - exact_period) > 1e-6) {
    std::ostringstream exact;
    exact.precision(12);
    exact << exact_period;
    out << ", whose exact period of " << exact.str() << " units SystemC rounds to this";
  }
  out << "): cycle c starts at time c * " << period << ".\n$end\n"
      << "$timescale " << vcd_unit(unit) << " $end\n$scope module board $end\n"
      << "$var wire 1 ! irq $end\n"
      << "$var wire 1 \" job_busy $end\n"
      << "$var wire 8 # input_dma_reads_in_flight $end\n"
      << "$var wire 8 $ output_dma_writes_in_flight $end\n"
      << "$var wire 8 % ddr_dma_transactions_outstanding $end\n"
      << "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n0!\n0\"\n"
      << "b" << bits(0, 8) << " #\nb" << bits(0, 8) << " $\nb" << bits(0, 8) << " %\n$end\n";
  int64_t value[5] = {0, 0, 0, 0, 0};
  uint64_t now = 0;
  for (size_t i = 0; i < ch.size(); ++i) {
    const Change& c = ch[i];
    if (c.signal == 0)
      value[0] = c.value;
    else
      value[c.signal] += c.value;
    // Write a signal once its last change at this time is in.
    const bool last_here = i + 1 == ch.size() || ch[i + 1].ps != c.ps || ch[i + 1].signal != c.signal;
    if (!last_here) continue;
    if (c.ps != now || i == 0) {
      out << "#" << c.ps << "\n";
      now = c.ps;
    }
    const int s = c.signal;
    const int64_t v = std::clamp<int64_t>(value[s], 0, widths[s] == 1 ? 1 : 255);
    if (widths[s] == 1)
      out << v << ids[s] << "\n";
    else
      out << "b" << bits(v, widths[s]) << " " << ids[s] << "\n";
  }
}

}  // namespace vine::platforms
