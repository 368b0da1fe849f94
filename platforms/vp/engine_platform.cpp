#include "platforms/vp/engine_platform.h"

#include <cstdio>
#include <stdexcept>

#include "models/engine/engine_ddr_image.h"
#include "platforms/board/engine_register_map.h"
#include "sim/engine/engine_estimate.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"

namespace vine::platforms {

using namespace engine_regs;

EngineVirtualPlatform::EngineVirtualPlatform(const ir::Design& design, const VpOptions& o)
    : design_(design) {
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    throw std::invalid_argument(
        "the SystemC simulation of this process has started: a virtual platform can no longer be "
        "elaborated");
  board_ = std::make_unique<EngineBoard>("board", design_, o.board);
  cpu_ = std::make_unique<HostCpu>("cpu", o.quantum);
  cpu_->socket.bind(board_->host_socket());
  cpu_->irq.bind(board_->irq);
}

EngineVirtualPlatform::~EngineVirtualPlatform() = default;

namespace {

uint64_t align_4k(uint64_t a) {
  return (a + 4095) & ~uint64_t{4095};
}

}  // namespace

EngineDriverResult run_engine_driver(EngineVirtualPlatform& vp, const EngineDriverOptions& o) {
  EngineBoard& b = vp.board();
  HostCpu& cpu = vp.cpu();
  const ir::Design& d = vp.design();
  const engine::EnginePlan& plan = b.plan();
  const golden::Reference reference(d.network, b.params());
  const uint64_t ctrl = b.ctrl_base();
  auto reg = [&](const char* name) { return ctrl + offset_of(name); };

  EngineDriverResult r;
  // Where the software puts things: the engine's own layout (engine_tiling.h)
  // for the parameters and activations, then the descriptor table, then the
  // second input buffer.
  std::vector<LayerDescriptor> table = plan_descriptors(d, plan);
  if (o.edit_descriptors) o.edit_descriptors(table);
  const std::vector<uint8_t> table_bytes = encode_descriptors(table);
  const uint64_t desc = align_4k(plan.ddr_bytes);
  const uint64_t in_frame = layer_regions(d, plan).at(0).input_bytes.at(0);
  const uint64_t second_input = align_4k(desc + table_bytes.size());
  const uint64_t out_addr = models::output_region(d, plan).address;
  r.descriptor_address = desc;
  if (second_input + in_frame > b.ddr_bytes())
    throw std::invalid_argument("design " + d.name +
                                ": the engine's DDR layout and the descriptor "
                                "table do not fit the DDR");

  cpu.run([&] {
    const uint64_t t0 = uint64_t(cpu.now().value() / 1000);  // ps -> ns
    for (const models::DdrRegion& region : models::parameter_image(d, plan, b.params())) {
      cpu.write(region.address, region.bytes.data(), region.bytes.size());
      r.parameter_bytes += region.bytes.size();
    }
    cpu.write(desc, table_bytes.data(), table_bytes.size());
    cpu.write32(reg("DESC_ADDR_LO"), uint32_t(desc));
    cpu.write32(reg("DESC_ADDR_HI"), uint32_t(desc >> 32));
    cpu.write32(reg("LAYERS"), uint32_t(table.size()));
    cpu.write32(reg("OUT_ADDR_LO"), uint32_t(out_addr));
    cpu.write32(reg("OUT_ADDR_HI"), uint32_t(out_addr >> 32));
    cpu.write32(reg("FRAMES"), 1);
    cpu.write32(reg("IRQ_ENABLE"), 3);  // DONE and ERROR
    r.setup_ns = uint64_t(cpu.now().value() / 1000) - t0;
  });

  auto input_buffer = [&](int f) {
    return o.load_next_during_job && f % 2 ? second_input : plan.input_address;
  };
  for (int f = 0; f < o.frames; ++f) {
    const golden::IntTensor input = golden::synthesize_input(d.network, o.seed, f);
    const uint64_t in_addr = input_buffer(f);
    uint32_t status = 0;
    golden::IntTensor out;
    const size_t jobs_before = b.jobs().size();
    cpu.run([&] {
      const uint64_t t0 = uint64_t(cpu.now().value() / 1000);
      if (!o.load_next_during_job || f == 0) {
        const models::DdrRegion in = models::input_image(d, plan, input);
        cpu.write(in_addr, in.bytes.data(), in.bytes.size());
      }
      cpu.write32(reg("IN_ADDR_LO"), uint32_t(in_addr));
      cpu.write32(reg("IN_ADDR_HI"), uint32_t(in_addr >> 32));
      cpu.write32(reg("CTRL"), (1u << 2) | 1u);  // IRQ_GLOBAL_ENABLE, START
      if (o.load_next_during_job && f + 1 < o.frames) {
        // The next frame's input, into the other buffer, while this job runs.
        const models::DdrRegion next =
            models::input_image(d, plan, golden::synthesize_input(d.network, o.seed, f + 1));
        cpu.write(input_buffer(f + 1), next.bytes.data(), next.bytes.size());
      }
      const bool irq = cpu.wait_irq(sc_core::sc_time(1000, sc_core::SC_SEC));
      status = cpu.read32(reg("STATUS"));
      cpu.write32(reg("IRQ_STATUS"), 3);  // acknowledge
      if (irq && (status & 4u)) {
        const engine::Transfer o_region = models::output_region(d, plan);
        std::vector<uint8_t> bytes(o_region.bytes);
        cpu.read(o_region.address, bytes.data(), bytes.size());
        out = models::decode_output(d, bytes);
      } else if (status & 8u) {
        r.cause = (status >> 8) & 0xFF;
        r.error_layer = cpu.read32(reg("ERROR_LAYER"));
      }
      r.job_ns.push_back(uint64_t(cpu.now().value() / 1000) - t0);
    });
    if (!b.failure().empty()) throw std::runtime_error("the engine stopped: " + b.failure());
    if (r.cause) {
      if (b.jobs().size() > jobs_before) r.refusal = b.jobs().back().refusal.message;
      break;
    }
    if (!(status & 4u))
      throw std::runtime_error("frame " + std::to_string(f) + ": the job did not finish (STATUS " +
                               std::to_string(status) + ")");
    const EngineBoard::JobRecord& job = b.jobs().back();
    r.figures.push_back(job.frame_figures.at(0));
    r.closed_form.push_back(engine::estimate_engine(
        d, relocate(d, plan, table, in_addr, out_addr, 0), vp.ddr_config()));
    const golden::IntTensor expected = reference.run(input);
    if (out.data != expected.data) {
      if (r.outputs_match) r.first_mismatch = f;
      r.outputs_match = false;
    }
    r.checksums.push_back(golden::checksum(out));
    r.outputs.push_back(std::move(out));
    ++r.frames;
  }
  return r;
}

namespace {

int64_t contention(const EngineDriverResult& r, size_t f) {
  return r.figures[f].cycles - r.closed_form[f].cycles;
}

}  // namespace

void write_engine_vp_report(std::ostream& out, const EngineVirtualPlatform& vp,
                            const EngineDriverResult& r) {
  const EngineBoard& b = vp.board();
  char line[512];
  if (r.cause) {
    std::snprintf(line, sizeof line, "job refused: STATUS.CAUSE %u, ERROR_LAYER %u: %s\n", r.cause,
                  r.error_layer, r.refusal.c_str());
    out << line;
    return;
  }
  if (r.figures.empty()) return;
  out << engine::format_engine_table(r.figures[0], "on the board (frame 0)");
  int64_t total = 0, slower = 0;
  for (size_t f = 0; f < r.figures.size(); ++f) {
    total += r.figures[f].cycles;
    slower += contention(r, f) != 0;
  }
  std::snprintf(line, sizeof line, "frames: %d, %lld engine cycles in all\n", r.frames,
                (long long)total);
  out << line;
  for (size_t f = 0; f < r.figures.size(); ++f) {
    if (contention(r, f) == 0) continue;
    std::snprintf(line, sizeof line,
                  "frame %zu: %lld cycles, the closed form %lld: %+lld cycles waiting for a DDR "
                  "shared with the host\n",
                  f, (long long)r.figures[f].cycles, (long long)r.closed_form[f].cycles,
                  (long long)contention(r, f));
    out << line;
    for (size_t i = 0; i < r.figures[f].layers.size(); ++i) {
      const int64_t dl = r.figures[f].layers[i].cycles - r.closed_form[f].layers[i].cycles;
      if (!dl) continue;
      std::snprintf(line, sizeof line, "  %-12s %lld cycles, closed form %lld (%+lld)\n",
                    r.figures[f].layers[i].name.c_str(), (long long)r.figures[f].layers[i].cycles,
                    (long long)r.closed_form[f].layers[i].cycles, (long long)dl);
      out << line;
    }
  }
  if (!slower)
    out << "closed form: equal to the board's cycles, layer by layer, on every frame (nothing "
           "else used the DDR during the jobs)\n";
  uint64_t jobs = 0;
  for (uint64_t ns : r.job_ns) jobs += ns;
  std::snprintf(line, sizeof line,
                "driver: %.3f us writing %llu bytes of weights and coefficients and %u "
                "descriptors (at 0x%llx); %.3f us for %d job(s), from input write to result read\n",
                r.setup_ns / 1e3, (unsigned long long)r.parameter_bytes,
                unsigned(b.plan().layers.size()), (unsigned long long)r.descriptor_address,
                jobs / 1e3, r.frames);
  out << line;
  for (const auto& [id, s] : b.ddr().stats()) {
    std::snprintf(line, sizeof line,
                  "ddr initiator %d (%s): %llu reads, %llu writes, %llu bytes, "
                  "contention %.3f us\n",
                  id, id == 0 ? "engine" : "host", (unsigned long long)s.reads,
                  (unsigned long long)s.writes,
                  (unsigned long long)(s.bytes_read + s.bytes_written), s.wait.to_seconds() * 1e6);
    out << line;
  }
  if (r.outputs_match)
    out << "outputs: all " << r.frames << " frame(s) match the golden reference\n";
  else
    out << "outputs: MISMATCH against the golden reference, first at frame " << r.first_mismatch
        << "\n";
}

nlohmann::json engine_vp_json(const EngineVirtualPlatform& vp, const EngineDriverResult& r) {
  nlohmann::json j;
  if (!r.figures.empty()) j = engine::to_json(r.figures[0]);
  j["frames"] = r.frames;
  j["outputs_match_reference"] = r.outputs_match;
  for (uint64_t c : r.checksums) j["output_checksums"].push_back(c);
  for (size_t f = 0; f < r.figures.size(); ++f) {
    nlohmann::json fr;
    fr["cycles"] = r.figures[f].cycles;
    fr["closed_form_cycles"] = r.closed_form[f].cycles;
    for (const auto& l : r.figures[f].layers) fr["layer_cycles"].push_back(l.cycles);
    j["frame_figures"].push_back(fr);
  }
  j["driver_setup_ns"] = r.setup_ns;
  j["driver_job_ns"] = r.job_ns;
  if (r.cause) {
    j["refused"] = {{"cause", r.cause}, {"error_layer", r.error_layer}, {"message", r.refusal}};
  }
  return j;
}

}  // namespace vine::platforms
