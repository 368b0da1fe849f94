#include "sim/config/loaders.h"
#include "sim/config/yaml_fields.h"

namespace vine::config {

ir::Device load_device(const std::string& path) {
  Field root(load_yaml_file(path), path, "");
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
  {
    MapReader r(m.get("ddr"));
    d.ddr_channels = int(r.get_int("channels", 0, 64));
    d.ddr_bandwidth_gbps_per_channel = r.get_double("bandwidth_gbytes_per_s", 0, 1000);
    r.done();
  }
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
