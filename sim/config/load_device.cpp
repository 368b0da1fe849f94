#include <cmath>
#include <optional>
#include <sstream>

#include "sim/config/loaders.h"
#include "sim/config/open_config.h"
#include "sim/config/yaml_fields.h"

namespace vine::config {

namespace {

bool is_pow2(int64_t v) {
  return v > 0 && (v & (v - 1)) == 0;
}

// The DDR timing model's figures (docs/ddr.md). A board without DDR
// (channels: 0) needs none of them; with DDR the bus width, transfer rate and
// capacity are required, and the figures boards do not publish (latency,
// efficiency) default to Vine's documented choices.
void read_ddr(const Field& f, ir::Device& d) {
  MapReader r(f);
  d.ddr_channels = int(r.get_int("channels", 0, 64));
  const Field bandwidth = r.get("bandwidth_gbytes_per_s");
  d.ddr_bandwidth_gbps_per_channel = bandwidth.as_double(0, 1000);
  const bool has_ddr = d.ddr_channels > 0;
  // Required with DDR, optional (and unused) without.
  auto field = [&](const std::string& key) -> std::optional<Field> {
    if (has_ddr) return r.get(key);
    return r.find(key);
  };
  if (auto b = field("data_bits")) {
    d.ddr_data_bits = int(b->as_int(8, 1024));
    if (!is_pow2(d.ddr_data_bits)) b->fail("a power of two in [8, 1024]");
  }
  if (auto t = field("transfer_rate_mts")) d.ddr_transfer_rate_mts = t->as_double(1, 100000);
  if (auto c = field("capacity_mbytes")) d.ddr_capacity_mbytes = c->as_int(1, int64_t{1} << 30);
  d.ddr_latency_ns = r.get_double("latency_ns", 0, 100000, 100);
  // Efficiency 0 would be a channel that never finishes: the smallest accepted
  // value is one part per million, the model's resolution.
  d.ddr_efficiency = r.get_double("efficiency", 1e-6, 1, 0.8);
  const int data_bytes = d.ddr_data_bits / 8;
  d.ddr_burst_bytes = 8 * data_bytes;  // BL8, the JEDEC DDR3/DDR4 burst
  if (auto b = r.find("burst_bytes")) {
    d.ddr_burst_bytes = int(b->as_int(1, 65536));
    if (has_ddr && (!is_pow2(d.ddr_burst_bytes) || d.ddr_burst_bytes % data_bytes != 0))
      b->fail("a power of two, a multiple of data_bits / 8 = " + std::to_string(data_bytes) +
              " bytes");
  }
  if (auto g = r.find("interleave_bytes")) {
    d.ddr_interleave_bytes = g->as_int(0, int64_t{1} << 40);
    const int64_t capacity = d.ddr_capacity_mbytes << 20;
    const int64_t v = d.ddr_interleave_bytes;
    if (has_ddr && v != 0 && (!is_pow2(v) || v % d.ddr_burst_bytes != 0 || v > capacity))
      g->fail("0 (contiguous channels) or a power of two, a multiple of burst_bytes = " +
              std::to_string(d.ddr_burst_bytes) + ", at most the channel capacity");
  }
  if (has_ddr) {
    // The quoted peak is the product of the two figures; boards round it
    // (2133 MT/s x 8 bytes = 17.06 GB/s is quoted as 17.0), hence 1%.
    const double peak = data_bytes * d.ddr_transfer_rate_mts / 1000.0;
    if (std::fabs(d.ddr_bandwidth_gbps_per_channel - peak) > 0.01 * peak) {
      std::ostringstream want;
      want << "data_bits / 8 x transfer_rate_mts / 1000 = " << peak << " GB/s (within 1%)";
      bandwidth.fail(want.str());
    }
  }
  r.done();
}

}  // namespace

ir::Device load_device(const std::string& path) {
  Field root = open_config(path, ConfigKind::kDevice);
  MapReader m(root);
  ir::Device d;
  d.path = path;
  d.name = m.get_string("device");
  d.board = m.get_string("board");
  d.part = m.get_string("part");
  d.family = m.get_choice("family", {"zynq7", "zynqmp", "virtex7", "virtexup", "alveo"});
  {
    MapReader r(m.get("resources"));
    d.capacity.lut = double(r.get_int("lut", 1, int64_t{1} << 32));
    d.capacity.ff = double(r.get_int("ff", 1, int64_t{1} << 32));
    d.capacity.bram18 = 2.0 * double(r.get_int("bram36", 0, 1 << 20));  // one BRAM36 = two RAMB18
    d.capacity.uram = double(r.get_int("uram", 0, 1 << 20));
    d.capacity.dsp = double(r.get_int("dsp", 0, 1 << 20));
    r.done();
  }
  d.max_clock_mhz = m.get_double("clock_mhz", 1, 1000);
  read_ddr(m.get("ddr"), d);
  if (auto t = m.find("transceivers")) {
    MapReader r(*t);
    d.transceivers = int(r.get_int("count", 0, 1024));
    d.transceiver_gbps = r.get_double("line_rate_gbps", 0, 200, 0);
    r.done();
  }
  m.done();
  return d;
}

}  // namespace vine::config
