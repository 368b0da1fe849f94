// The cluster config (docs/partition.md): boards, each a device config, and
// the serial links between them with every figure of the link model
// (docs/links.md), each optional with the model's default.
#include <set>

#include "sim/config/loaders.h"
#include "sim/config/open_config.h"
#include "sim/config/yaml_fields.h"

namespace vine::config {

namespace {

models::LinkConfig read_link(MapReader& r) {
  models::LinkConfig c;
  c.lanes = int(r.get_int("lanes", 1, 16, c.lanes));
  c.line_rate_gbps = r.get_double("line_rate_gbps", 0.5, 32, c.line_rate_gbps);
  c.gearbox_period = int(r.get_int("gearbox_period", 0, 4096, c.gearbox_period));
  c.cc_period = int(r.get_int("cc_period", 0, 1 << 20, c.cc_period));
  c.cc_cycles = int(r.get_int("cc_cycles", 0, 1 << 20, c.cc_cycles));
  c.logic_latency_cycles = int(r.get_int("logic_latency_cycles", 1, 1 << 20, c.logic_latency_cycles));
  c.cable_m = r.get_double("cable_m", 0, 1e6, c.cable_m);
  c.propagation_ns_per_m = r.get_double("propagation_ns_per_m", 0, 1000, c.propagation_ns_per_m);
  c.tx_fifo_words = int(r.get_int("tx_fifo_words", 1, 1 << 24, c.tx_fifo_words));
  c.rx_fifo_words = int(r.get_int("rx_fifo_words", 1, 1 << 24, c.rx_fifo_words));
  c.flow_control = r.get_bool("flow_control", c.flow_control);
  // finn-plus's thresholds by default: XOFF at half the receive FIFO, XON at an eighth.
  c.xoff_words = int(r.get_int("xoff_words", 0, 1 << 24, c.rx_fifo_words / 2));
  c.xon_words = int(r.get_int("xon_words", 0, 1 << 24, c.rx_fifo_words / 8));
  c.frame_words = int(r.get_int("frame_words", 1, 1 << 20, c.frame_words));
  c.retransmission = r.get_bool("retransmission", c.retransmission);
  c.replay_frames = int(r.get_int("replay_frames", 1, 1 << 20, c.replay_frames));
  c.bit_error_rate = r.get_double("bit_error_rate", 0, 0.5, c.bit_error_rate);
  c.error_seed = uint64_t(r.get_int("error_seed", 0, INT64_MAX, int64_t(c.error_seed)));
  c.burst_every_bits = r.get_int("burst_every_bits", 0, INT64_MAX, c.burst_every_bits);
  c.burst_bits = int(r.get_int("burst_bits", 0, 1 << 20, c.burst_bits));
  return c;
}

}  // namespace

ir::Cluster load_cluster(const std::string& path) {
  Field root = open_config(path, ConfigKind::kCluster);
  MapReader m(root);
  ir::Cluster cl;
  cl.path = path;
  cl.name = m.get_string("cluster");
  if (auto u = m.find("utilisation_max")) {
    cl.utilisation_max = u->as_double(0.01, 1);
    cl.utilisation_where = u->where();
  }
  const Field boards = m.get("boards");
  std::set<std::string> names;
  for (const Field& b : boards.items()) {
    MapReader br(b);
    ir::ClusterBoard board;
    const Field name = br.get("name");
    board.name = name.as_string();
    if (!names.insert(board.name).second) name.fail("a board name not used before in this cluster");
    board.device = load_device(resolve_path(path, br.get("device"), "cluster"));
    board.where = b.where();
    br.done();
    cl.boards.push_back(std::move(board));
  }
  if (cl.boards.empty()) boards.fail("at least one board");
  auto board_index = [&](const Field& f) {
    const std::string n = f.as_string();
    for (size_t i = 0; i < cl.boards.size(); ++i)
      if (cl.boards[i].name == n) return int(i);
    std::vector<std::string> all;
    for (const auto& b : cl.boards) all.push_back(b.name);
    f.fail("the name of a board of this cluster (" + join(all) + ")");
  };
  if (auto links = m.find("links")) {
    for (const Field& l : links->items()) {
      MapReader lr(l);
      ir::ClusterLink link;
      const Field from = lr.get("from"), to = lr.get("to");
      link.from = from.as_string();
      link.to = to.as_string();
      link.from_board = board_index(from);
      link.to_board = board_index(to);
      if (link.from_board == link.to_board) to.fail("another board than 'from'");
      if (cl.link(link.from_board, link.to_board))
        to.fail("a pair of boards no other link joins in this direction");
      link.config = read_link(lr);
      link.where = l.where();
      lr.done();
      if (const std::string e = link.config.check(); !e.empty())
        throw ConfigError(link.where, "", "a link " + link.from + " -> " + link.to +
                                              " whose figures hold together (" + e + ")");
      cl.links.push_back(std::move(link));
    }
  }
  m.done();
  return cl;
}

}  // namespace vine::config
