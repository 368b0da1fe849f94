#include "sim/run/simulation.h"

#include <map>

#include "sim/config/config_error.h"
#include "sim/golden/reference.h"

namespace vine::sim {

void check_simulatable(const ir::Design& d) {
  // A layer with `weight_memory: ddr` would be timed as if its weights sat on
  // chip: the PEs never wait for DDR bandwidth, so cycles and fps would come
  // out too good with nothing to say so. Refuse it until the weight stream is
  // modelled; the estimate (which only drops the on-chip memory) keeps it.
  for (size_t i = 0; i < d.network.layers.size(); ++i) {
    const ir::Layer& l = d.network.layers[i];
    const ir::LayerFolding& f = d.folding_of(int(i));
    if (!l.has_weights() || f.weight_memory != ir::MemoryStyle::kDdr) continue;
    ir::SourceLocation where = f.weight_memory_where;
    if (where.file.empty()) where = {d.path, 0, 0, "layers." + l.name + ".weight_memory"};
    throw config::ConfigError(
        where, "'ddr'",
        "an on-chip weight_memory (bram, lutram or uram) for layer '" + l.name +
            "': DDR weight streaming is not simulated yet, so `vine run` and `vine bench` "
            "refuse it (`vine estimate` and `vine validate` accept it)");
  }
}

struct Simulation::Golden {
  golden::NetworkParams params;
  std::unique_ptr<golden::Reference> ref;
  // Frames the input DMA has streamed and the output check has not yet used.
  std::map<int, golden::IntTensor> inputs;
  std::vector<int> mismatched;
  int checked = 0;
};

Simulation::Simulation(const ir::Design& d, const RunOptions& o) : d_(d), o_(o) {
  check_simulatable(d);
  const ir::Network& net = d.network;
  if (!o.timing_only) {
    golden_ = std::make_unique<Golden>();
    golden_->params = golden::synthesize_params(net, o.seed);
    golden_->ref = std::make_unique<golden::Reference>(net, golden_->params);
  }
  ElaborationOptions eo;
  eo.frames = o.frames;
  eo.timing_only = o.timing_only;
  eo.record = o.record;
  eo.backend = o.backend;
  eo.host_order = o.host_order;
  eo.host_order_seed = o.host_order_seed;
  eo.systemc_stages = o.systemc_stages;
  const uint64_t seed = o.seed;
  Golden* check = golden_ && o.check_reference ? golden_.get() : nullptr;
  // The frame the DMA streams is kept for the reference to run on when the
  // frame comes out.
  auto input = [&net, seed, check](int frame, std::vector<int32_t>& elems) {
    golden::IntTensor t = golden::synthesize_input(net, seed, frame);
    elems = t.data;
    if (check) check->inputs.emplace(frame, std::move(t));
  };
  models::OutputDma::FrameSink sink;
  if (check) {
    sink = [check](int frame, const std::vector<int32_t>& elems, int64_t) {
      const auto in = check->inputs.find(frame);
      if (check->ref->run(in->second).data != elems) check->mismatched.push_back(frame);
      check->inputs.erase(in);
      ++check->checked;
    };
  }
  pn_ = std::make_unique<ProcessNetwork>(d, eo, golden_ ? &golden_->params : nullptr, input, sink);
  estimate_ = estimate::estimate_design(d);  // after the network: its errors name `vine run`
}

Simulation::~Simulation() = default;

const RunReport& Simulation::run() {
  pn_->run();
  return finish();
}

const RunReport& Simulation::finish() {
  report_ = make_report(*pn_, d_, estimate_);
  report_.timing_only = o_.timing_only;
  if (golden_ && o_.check_reference && report_.finished) {
    report_.mismatched_frames = golden_->mismatched;
    report_.outputs_match_reference = golden_->mismatched.empty() && golden_->checked == o_.frames;
  }
  return report_;
}

}  // namespace vine::sim
