// libFuzzer target: config::load_cluster on arbitrary bytes. A cluster it
// accepts must give link models that build and run: every link's figures
// pass the model's own check. (The partitioner over an accepted cluster is
// left to its tests: linking it would build the whole simulator here.)
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/link/serial_link.h"
#include "sim/config/loaders.h"
#include "tests/fuzz/fuzz_harness.h"

using namespace vine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::Scratch& s = fuzz::Scratch::get();
  const std::string path = s.write("cluster.yaml", data, size);
  fuzz::config_errors_only("config::detect_kind", [&] { config::detect_kind(path); });
  ir::Cluster cl;
  if (!fuzz::config_errors_only("config::load_cluster", [&] { cl = config::load_cluster(path); }))
    return 0;
  for (const ir::ClusterLink& l : cl.links) {
    try {
      models::SerialLink link(l.config);
      std::vector<uint64_t> word(size_t(l.config.lanes), 1);
      for (int c = 0; c < 300; ++c) {
        if (link.can_push()) link.push(word.data());
        link.step();
        if (link.can_pop()) link.pop();
      }
    } catch (const std::exception& e) {
      fuzz::internal_error("models::SerialLink of an accepted cluster's link", e.what());
    }
  }
  return 0;
}
