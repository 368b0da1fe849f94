#include "sim/explore/finn_hw_config.h"

#include <algorithm>
#include <map>

#include "sim/explore/finn_fifo_style.h"
#include "sim/finn_config/finn_op_types.h"
#include "sim/ir/stage_plan.h"

namespace vine::explore {

std::string finn_op_type(const std::string& kind) {
  const finn::FinnOpType* t = finn::finn_op_type_of(kind);
  if (kind == "input_dma" || kind == "output_dma") return "IODMA_hls";
  if (!t) return kind;  // a kind added at run time: its own name
  return t->op + "_" + (t->default_style.empty() ? "hls" : t->default_style);
}

namespace {

constexpr int kFinnShallowest = 2;

}  // namespace

nlohmann::ordered_json finn_hw_config(const ir::Design& sized, const FifoSizing& s) {
  const ir::StreamingPlan plan = ir::plan_process_network(sized);
  nlohmann::ordered_json j;  // in pipeline order, as FINN writes its nodes
  j["Defaults"] = nlohmann::ordered_json::object();
  for (const ir::StagePlan& st : plan.stages) {
    nlohmann::ordered_json e;
    // An RTL variant is its HLS kind's node, built from the RTL template.
    const std::string kind = ir::family_name(st.kind);
    e["op_type"] = ir::rtl_variant(st.kind) ? finn::finn_op_type_of(kind)->op + "_rtl" : finn_op_type(kind);
    // The folding attributes FINN's node of this kind has (finn_op_types.h),
    // as the folding config export writes them.
    if (const finn::FinnOpType* t = finn::finn_op_type_of(kind)) {
      if (t->pe) e["PE"] = st.pe;
      if (t->simd) e["SIMD"] = kind == "mvau" || kind == "vvau" ? st.simd : st.pe;
    }
    nlohmann::ordered_json in = nlohmann::ordered_json::array(), out = nlohmann::ordered_json::array();
    for (int id : st.inputs) in.push_back(std::max(kFinnShallowest, plan.streams[size_t(id)].depth));
    for (int id : st.outputs) out.push_back(std::max(kFinnShallowest, plan.streams[size_t(id)].depth));
    e["inFIFODepths"] = in;
    e["outFIFODepths"] = out;
    j[st.name] = e;
  }
  for (const SizedFifo& f : s.fifos) {
    const int depth = std::max(kFinnShallowest, f.depth);
    const FinnFifo ff = finn_fifo(f.bits, depth);
    nlohmann::ordered_json e;
    e["op_type"] = "StreamingFIFO_rtl";
    e["depth"] = depth;
    e["impl_style"] = ff.impl_style;
    e["ram_style"] = "auto";
    j[f.name] = e;
  }
  return j;
}

}  // namespace vine::explore
