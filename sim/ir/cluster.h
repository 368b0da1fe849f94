// A cluster: boards (each a device) and the serial links between them, for a
// pipeline split over several FPGAs (docs/links.md, docs/partition.md).
#pragma once

#include <string>
#include <vector>

#include "models/link/link_config.h"
#include "sim/ir/device.h"
#include "sim/ir/source_location.h"

namespace vine::ir {

struct ClusterBoard {
  std::string name;
  Device device;
  SourceLocation where;
};

// One direction of a link, from one board to another.
struct ClusterLink {
  std::string from, to;
  int from_board = -1, to_board = -1;  // indices into Cluster::boards
  models::LinkConfig config;
  SourceLocation where;
};

struct Cluster {
  std::string name;
  std::string path;
  std::vector<ClusterBoard> boards;
  std::vector<ClusterLink> links;
  // The fraction of each of a device's resources a partition may use
  // (routing and timing closure need the rest).
  double utilisation_max = 0.85;
  SourceLocation utilisation_where;

  // The link from board a to board b, or nullptr.
  const ClusterLink* link(int a, int b) const {
    for (const ClusterLink& l : links)
      if (l.from_board == a && l.to_board == b) return &l;
    return nullptr;
  }
};

}  // namespace vine::ir
