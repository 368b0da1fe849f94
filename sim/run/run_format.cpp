#include "sim/run/run_format.h"

#include <cstdio>
#include <sstream>

namespace vine::sim {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// The headline: the steady interval and its rate, or why there is none and
// how many frames give one.
std::string interval_summary(const RunReport& r) {
  const SteadyState& s = r.steady;
  std::ostringstream o;
  if (s.reached) {
    o << interval_text(s) << " cycles -> " << fmt("%.1f", r.fps) << " frames/s at "
      << fmt("%.1f", r.clock_mhz)
      << " MHz: in steady state, from one frame's last output beat to the next's (estimate "
      << r.estimate_interval_cycles << ")";
    return o.str();
  }
  o << "not measured: ";
  if (!s.analysed) return o.str() + "the steady state was not judged";
  o << r.frames << " frame(s) do not reach the steady state";
  if (s.frames_needed > 0)
    o << "; --frames " << s.frames_needed << " reaches it";
  else if (s.search_limit > 0)
    o << "; no run of up to " << s.search_limit << " frames reaches it"
      << (s.search_cycles_limited
              ? " (the search stops at " + std::to_string(kSearchCyclesLimit / 1000000) + " million simulated cycles)"
              : "");
  return o.str();
}

// How the steady state was recognised, or what was missing.
std::string steady_summary(const RunReport& r) {
  const SteadyState& s = r.steady;
  if (!s.analysed) return "not judged";
  const std::string settled = std::to_string(s.settled_frames) + " of " + std::to_string(s.frames) +
                              " frames settled (leave in the same cycles as in a run of " +
                              std::to_string(s.reference_frames) + " frames)";
  std::ostringstream o;
  if (!s.reached) {
    o << "not reached: " << settled << "; the rule needs "
      << SteadyState::settled_frames_needed(0, 1)
      << " settled frames at the least, the last two spacings equal";
    return o.str();
  }
  o << "from frame " << s.from_frame << " each frame leaves " << s.period_cycles
    << " cycles after the ";
  if (s.period_frames == 1)
    o << "one before";
  else
    o << "one " << s.period_frames << " before (a pattern of " << s.period_frames << " spacings)";
  o << "; " << settled;
  return o.str();
}

}  // namespace

nlohmann::json to_json(const RunReport& r, const estimate::Estimate& e) {
  nlohmann::json j = estimate::to_json(e);  // the estimate's fields, simulated values over them
  // Steady-state figures are null when the run did not reach it.
  j["interval_cycles"] = interval_json(r.steady);
  j["fps"] = r.steady.reached ? nlohmann::json(r.fps) : nlohmann::json(nullptr);
  j["frames"] = r.frames;
  // The same as interval_cycles, kept for its readers (docs/simulation.md).
  j["steady_interval_cycles"] = interval_json(r.steady);
  j["steady_state"] = to_json(r.steady);
  j["latency_cycles"] = r.latency_cycles;
  j["cycles_total"] = r.cycles_total;
  j["cycles_per_frame_batch"] = r.cycles_per_frame_batch;
  j["batch_fps"] = r.batch_fps;
  j["outputs_match_reference"] =
      r.outputs_match_reference ? nlohmann::json(*r.outputs_match_reference) : nullptr;
  j["estimate_interval_cycles"] = r.estimate_interval_cycles;
  j["timing_only"] = r.timing_only;
  nlohmann::json rtl = nlohmann::json::array();
  for (const auto& u : r.rtl_units)
    rtl.push_back(
        {{"stage", u.stage}, {"unit", u.unit}, {"latency", u.latency}, {"cycles", u.cycles},
         {"stall_cycles", u.stall_cycles}});
  j["rtl_units"] = rtl;
  j["single_frame_latency_cycles"] =
      r.single_frame_latency_cycles > 0 ? nlohmann::json(r.single_frame_latency_cycles) : nullptr;
  if (!r.interval_explanation.empty()) j["interval_explanation"] = r.interval_explanation;
  if (!r.interval_remedy.empty()) {
    nlohmann::json remedy = nlohmann::json::array();
    for (const auto& f : r.interval_remedy)
      remedy.push_back({{"fifo", f.fifo}, {"depth_before", f.depth_before}, {"depth", f.depth}});
    j["interval_remedy"] = {{"fifos", remedy},
                            {"interval_cycles", r.interval_remedy_cycles > 0
                                                    ? nlohmann::json(r.interval_remedy_cycles)
                                                    : nlohmann::json(nullptr)}};
  }
  if (!r.mismatched_frames.empty()) j["mismatched_frames"] = r.mismatched_frames;
  j["frame_last_out_cycles"] = r.frame_last_out_cycles;
  const RunReport::FastForward& ff = r.fast_forward;
  const bool skipped = ff.frames_skipped > 0;
  j["fast_forward"] = {
      {"frames_skipped", ff.frames_skipped},
      {"period_frames", skipped ? nlohmann::json(ff.period_frames) : nlohmann::json(nullptr)},
      {"period_cycles", skipped ? nlohmann::json(ff.period_cycles) : nlohmann::json(nullptr)},
      {"from_frame", skipped ? nlohmann::json(ff.from_frame) : nlohmann::json(nullptr)},
      {"jumps", ff.jumps},
      {"drifting_fifos", ff.drifting},
      {"off", ff.off.empty() ? nlohmann::json(nullptr) : nlohmann::json(ff.off)}};

  auto stage_json = [](const StageReport& s) {
    nlohmann::json sj = {{"name", s.name},
                         {"kind", s.kind},
                         {"cycles_busy", s.busy},
                         {"cycles_stalled_input", s.stalled_input},
                         {"cycles_stalled_output", s.stalled_output},
                         {"cycles_stalled_grant", s.stalled_grant},
                         {"first_out_cycle", s.first_out_cycle},
                         {"last_out_cycle", s.last_out_cycle},
                         {"state", s.state}};
    if (!s.worst_fifo.empty())
      sj["most_stalled_on"] = {
          {"fifo", s.worst_fifo}, {"full", s.worst_fifo_full}, {"cycles", s.worst_fifo_cycles}};
    if (!s.blocked_on.empty()) sj["blocked_on"] = s.blocked_on;
    return sj;
  };
  // Per layer: the busiest of its stages for busy and stall cycles; its last
  // stage for the output cycles.
  auto& layers = j["layers"];
  for (size_t li = 0; li < layers.size(); ++li) {
    const StageReport* busiest = nullptr;
    const StageReport* tail = nullptr;
    nlohmann::json stages = nlohmann::json::array();
    for (const auto& s : r.stages) {
      if (s.layer != int(li) || s.kind == "input_dma" || s.kind == "output_dma") continue;
      if (!busiest || s.busy > busiest->busy) busiest = &s;
      if (s.kind != "duplicate") tail = &s;
      stages.push_back(stage_json(s));
    }
    auto& lj = layers[li];
    lj["estimate_cycles"] = lj["cycles"];
    lj.erase("cycles");
    if (busiest) {
      lj["cycles_busy"] = busiest->busy;
      lj["cycles_stalled_input"] = busiest->stalled_input;
      lj["cycles_stalled_output"] = busiest->stalled_output;
    }
    if (tail) {
      lj["first_out_cycle"] = tail->first_out_cycle;
      lj["last_out_cycle"] = tail->last_out_cycle;
    }
    lj["sim_stages"] = stages;
  }
  nlohmann::json dmas = nlohmann::json::array();
  for (const auto& s : r.stages)
    if (s.kind == "input_dma" || s.kind == "output_dma") dmas.push_back(stage_json(s));
  j["dmas"] = dmas;
  nlohmann::json fifos = nlohmann::json::array();
  for (const auto& f : r.fifos)
    fifos.push_back({{"name", f.name},
                     {"depth", f.depth},
                     {"capacity", f.capacity},
                     {"max_occupancy", f.max_occupancy},
                     {"occupancy_at_end", f.occupancy},
                     {"beats", f.words_written}});
  j["fifos"] = fifos;
  j["bottleneck_ddr_channel"] = r.bottleneck_ddr_channel;
  nlohmann::json weights = nlohmann::json::array(), channels = nlohmann::json::array();
  for (const auto& w : r.weight_streams)
    weights.push_back({{"layer", w.layer},
                       {"streamer", w.streamer},
                       {"compute", w.compute},
                       {"channel", w.channel},
                       {"schedule", w.schedule},
                       {"format", w.format},
                       {"ddr_bytes_per_frame", w.bytes_per_frame},
                       {"words", w.words},
                       {"gbytes_per_s_steady", r.steady.reached ? nlohmann::json(w.gbytes_per_s) : nlohmann::json(nullptr)},
                       {"cycles_compute_stalled_for_weights", w.stalled_for_weights},
                       {"cycles_streamer_waited_for_ddr", w.stalled_for_grant}});
  for (const auto& c : r.ddr_channels)
    channels.push_back({{"channel", c.channel},
                        {"bursts_granted", c.grants},
                        {"cycles_busy", c.busy_cycles},
                        {"utilisation", c.utilisation}});
  nlohmann::json ddr_dmas = nlohmann::json::array();
  for (const auto& m : r.ddr_dmas)
    ddr_dmas.push_back({{"stage", m.stage},
                        {"neighbour", m.neighbour},
                        {"channel", m.channel},
                        {"ddr_bytes_per_frame", m.bytes_per_frame},
                        {"beats", m.beats},
                        {"gbytes_per_s_steady", r.steady.reached ? nlohmann::json(m.gbytes_per_s) : nlohmann::json(nullptr)},
                        {"cycles_neighbour_stalled_on_dma", m.stalled_neighbour},
                        {"cycles_dma_waited_for_ddr", m.stalled_for_grant}});
  j["weight_streams"] = weights;
  j["ddr_dmas"] = ddr_dmas;
  nlohmann::json links = nlohmann::json::array();
  for (const auto& l : r.links)
    links.push_back({{"stage", l.stage},
                     {"from", l.from},
                     {"to", l.to},
                     {"stream", l.stream},
                     {"lanes", l.lanes},
                     {"line_rate_gbps", l.line_rate_gbps},
                     {"user_clock_mhz", l.user_clock_mhz},
                     {"beats", l.beats},
                     {"words_per_frame", l.words_per_frame},
                     {"payload_bytes", l.payload_bytes},
                     {"user_cycles", l.user_cycles},
                     {"utilisation", l.utilisation},
                     {"closed_form_cycles_per_frame", l.closed_form_cycles_per_frame},
                     {"frames_sent", l.frames_sent},
                     {"frames_resent", l.frames_resent},
                     {"crc_errors", l.crc_errors},
                     {"naks", l.naks},
                     {"timeouts", l.timeouts},
                     {"bits_flipped", l.bits_flipped},
                     {"words_lost", l.words_lost},
                     {"overflow_frames", l.overflow_frames},
                     {"xoff_events", l.xoff_events},
                     {"xoff_cycles", l.xoff_cycles},
                     {"rx_fifo_words", l.rx_fifo_words},
                     {"rx_fifo_peak_words", l.rx_peak_words},
                     {"frame_delivered_cycles", l.frame_delivered_cycles},
                     {"beat_latency_cycles", {{"min", l.beat_latency_min}, {"mean", l.beat_latency_mean}, {"max", l.beat_latency_max}}},
                     {"word_latency_user_cycles",
                      {{"min", l.word_latency_min}, {"mean", l.word_latency_mean}, {"max", l.word_latency_max}}}});
  j["links"] = links;
  j["ddr_channels"] = channels;
  if (r.deadlock.empty()) {
    j["deadlock"] = nullptr;
  } else {
    nlohmann::json stages = nlohmann::json::array(), fifos_now = nlohmann::json::array();
    for (const auto& s : r.stages)
      stages.push_back(
          {{"name", s.name}, {"state", s.state}, {"fifo", s.blocked_on}, {"cycle", s.local_cycle}});
    for (const auto& f : r.fifos)
      fifos_now.push_back({{"name", f.name}, {"occupancy", f.occupancy}, {"capacity", f.capacity}});
    j["deadlock"] = {{"message", r.deadlock},
                     {"cycle", r.deadlock_cycle},
                     {"stages", stages},
                     {"fifos", fifos_now}};
  }
  return j;
}

std::string format_summary(const RunReport& r) {
  std::ostringstream o;
  o << "design " << r.design << ": " << r.frames << " frame(s) simulated"
    << (r.timing_only ? " (timing only)" : "") << "\n\n";
  if (!r.deadlock.empty()) {
    o << "DEADLOCK: " << r.deadlock
      << "\n\n  stage                  state (cycle of its last advance)\n";
    for (const auto& s : r.stages) {
      char line[256];
      std::snprintf(line, sizeof line, "  %-22s %s%s%s (%lld)\n", s.name.c_str(), s.state.c_str(),
                    s.blocked_on.empty() ? "" : " on ", s.blocked_on.c_str(),
                    (long long)s.local_cycle);
      o << line;
    }
    o << "\n  fifo                                  occupancy / capacity\n";
    for (const auto& f : r.fifos) {
      char line[256];
      std::snprintf(line, sizeof line, "  %-36s %5d / %d\n", f.name.c_str(), f.occupancy,
                    f.capacity);
      o << line;
    }
    return o.str();
  }
  // Two latencies, named: frame 0 of this stream, and a frame alone.
  o << "  latency    " << r.latency_cycles << " cycles: "
    << (r.frames == 1 ? std::string("a single frame in an empty pipeline")
                      : "frame 0 of a stream of " + std::to_string(r.frames) + " frames")
    << ", its first input beat to its last output beat"
    << (r.steady.analysed && r.steady.settled_frames == 0 && r.frames > 1
            ? " (the run's end reached frame 0, see steady)"
            : "")
    << "\n";
  if (r.single_frame_latency_cycles > 0 && r.frames > 1)
    o << "             " << r.single_frame_latency_cycles
      << " cycles: a single frame in an empty pipeline"
      << (r.single_frame_latency_cycles < r.latency_cycles
              ? " (frame 0 of the stream takes longer: the next frames' beats share its stages)"
              : "")
      << "\n";
  o << "  interval   " << interval_summary(r) << "\n";
  o << "  steady     " << steady_summary(r) << "\n";
  o << "  batch      " << fmt("%.1f", r.cycles_per_frame_batch) << " cycles per frame -> "
    << fmt("%.1f", r.batch_fps) << " frames/s: the whole run, first input beat to last output beat ("
    << r.cycles_total << " cycles, fill and drain included) / " << r.frames << " frames\n";
  if (r.bottleneck_ddr_channel >= 0)
    o << "  bottleneck DDR channel " << r.bottleneck_ddr_channel << ", shared by "
      << estimate::join_names(r.bottleneck_stages) << ": its grants hold it " << r.bottleneck_cycles
      << " cycles per frame, more than any stage works (closed form, as in the estimate)\n";
  else
    o << "  bottleneck " << estimate::join_names(r.bottleneck_stages) << ": the stage"
      << (r.bottleneck_stages.size() > 1 ? "s, tied," : "") << " with the most cycles of work per frame, "
      << r.bottleneck_cycles << (r.bottleneck_stages.size() > 1 ? " each" : "")
      << " (closed form, as in the estimate)\n";
  if (!r.interval_explanation.empty()) o << "  why        " << r.interval_explanation << "\n";
  if (r.timing_only) {
    const RunReport::FastForward& ff = r.fast_forward;
    o << "  fast-fwd   ";
    if (ff.frames_skipped > 0)
      o << ff.frames_skipped << " of " << r.frames << " frames skipped"
        << (ff.jumps > 1 ? " in " + std::to_string(ff.jumps) + " jumps" : std::string())
        << ", their figures extrapolated exactly: from frame " << ff.from_frame
        << " the timing state repeats every " << ff.period_frames << " frame(s), "
        << ff.period_cycles << " cycles later"
        << (ff.drifting.empty() ? std::string()
                                : " (the slowest stage; " + std::to_string(ff.drifting.size()) +
                                      " FIFO(s) still filling, their producers running ahead)")
        << "; " << (r.frames - ff.frames_skipped) << " frames simulated\n";
    else
      o << "none: every frame simulated"
        << (ff.off.empty() ? " (the timing state did not repeat early enough)" : " (" + ff.off + ")")
        << "\n";
  }
  if (r.outputs_match_reference)
    o << "  outputs    "
      << (*r.outputs_match_reference ? "match the golden reference, frame by frame"
                                     : "DIFFER from the golden reference")
      << "\n";
  if (!r.rtl_units.empty()) {
    o << "  PE RTL     " << r.rtl_units.size()
      << " Verilated unit(s) (lanes and output units), one instance per PE, latency probed on each and checked "
         "at every beat:\n";
    for (const auto& u : r.rtl_units)
      o << "    " << u.stage << ": " << u.unit << " (latency " << u.latency << ", " << u.cycles
        << " cycles over its PEs, " << u.stall_cycles << " of them stalled)\n";
  }
  if (!r.weight_streams.empty())
    o << "\n  weights in DDR (the matrix read once per output pixel, row or frame, by schedule; GB/s at the "
         "steady fps, - without a steady state)\n"
      << "  layer            schedule format channel   bytes/frame  GB/s (steady)  compute stalled for weights  "
         "streamer waited for DDR\n";
  for (const auto& w : r.weight_streams) {
    char line[320];
    const std::string gbs = r.steady.reached ? fmt("%.3f", w.gbytes_per_s) : "-";
    std::snprintf(line, sizeof line, "  %-16s %-8s %-6s %7d %13llu %14s %19lld cycles %16lld cycles\n",
                  w.layer.c_str(), w.schedule.c_str(), w.format.c_str(), w.channel,
                  (unsigned long long)w.bytes_per_frame, gbs.c_str(), (long long)w.stalled_for_weights,
                  (long long)w.stalled_for_grant);
    o << line;
  }
  if (!r.ddr_dmas.empty())
    o << "\n  frames in DDR (dma_memory: ddr: the input DMA reads each frame, the output DMA writes it)\n"
      << "  DMA              channel   bytes/frame  GB/s (steady)    neighbour stalled on it       DMA waited for DDR\n";
  for (const auto& m : r.ddr_dmas) {
    char line[320];
    const std::string gbs = r.steady.reached ? fmt("%.3f", m.gbytes_per_s) : "-";
    std::snprintf(line, sizeof line, "  %-16s %7d %13llu %14s %19lld cycles %16lld cycles  (%s)\n", m.stage.c_str(),
                  m.channel, (unsigned long long)m.bytes_per_frame, gbs.c_str(), (long long)m.stalled_neighbour,
                  (long long)m.stalled_for_grant, m.neighbour.c_str());
    o << line;
  }
  if (!r.weight_streams.empty() || !r.ddr_dmas.empty()) {
    for (const auto& c : r.ddr_channels)
      o << "  DDR channel " << c.channel << ": " << c.grants << " bursts granted, busy " << c.busy_cycles
        << " cycles = " << fmt("%.1f", 100.0 * c.utilisation) << "% of the cycles from cycle 0 to the last output beat\n";
  }
  if (!r.links.empty())
    o << "\n  links (each cut stream on its serial link; latency per beat in accelerator cycles, read on one board "
         "to written on the next)\n";
  for (const auto& l : r.links) {
    o << "  " << l.stage << ": " << l.from << " -> " << l.to << ", " << l.stream << ", " << l.lanes << " x "
      << fmt("%g", l.line_rate_gbps) << " Gb/s, " << l.words_per_frame << " word(s)/frame (saturated: "
      << fmt("%.2f", l.closed_form_cycles_per_frame) << " cycles/frame)\n"
      << "    payload " << l.payload_bytes << " bytes, utilisation " << fmt("%.1f", 100.0 * l.utilisation) << "% of "
      << l.user_cycles << " link cycles; XOFF " << l.xoff_events << " events, " << l.xoff_cycles
      << " link cycles held off; receive FIFO peak " << l.rx_peak_words << " / " << l.rx_fifo_words << " words\n"
      << "    frames " << l.frames_sent << " sent, " << l.frames_resent << " resent (retransmissions), " << l.crc_errors
      << " CRC errors, " << l.bits_flipped << " bits flipped, " << l.words_lost << " words lost\n"
      << "    beat latency min " << l.beat_latency_min << ", mean " << fmt("%.1f", l.beat_latency_mean) << ", max "
      << l.beat_latency_max << " cycles\n";
  }
  const double span = r.cycles_from_start > 0 ? double(r.cycles_from_start) : 1.0;
  // A column for waits on a shared port (a DDR channel) only where some stage has one.
  const bool grants = std::any_of(r.stages.begin(), r.stages.end(),
                                  [](const StageReport& s) { return s.stalled_grant > 0; });
  o << "\n  stage                      busy  stall-in stall-out" << (grants ? "  stall-ddr" : "")
    << "  waited longest on\n"
    << (r.cycles_from_start == r.cycles_total
            ? "  (percent of the run's " + std::to_string(r.cycles_total) +
                  " cycles, first input beat to last output beat: fill and drain included)\n"
            : "  (percent of the " + std::to_string(r.cycles_from_start) +
                  " cycles from cycle 0, the input DMA's first DDR request, to the last output beat: the run's " +
                  std::to_string(r.cycles_total) + " and the " + std::to_string(r.cycles_from_start - r.cycles_total) +
                  " before the first input beat)\n");
  for (const auto& s : r.stages) {
    char line[256];
    const std::string ddr = grants ? fmt(" %9.1f%%", 100.0 * s.stalled_grant / span) : "";
    std::snprintf(line, sizeof line, "  %-22s %7.1f%% %8.1f%% %8.1f%%%s  %s%s\n", s.name.c_str(),
                  100.0 * s.busy / span, 100.0 * s.stalled_input / span,
                  100.0 * s.stalled_output / span, ddr.c_str(), s.worst_fifo.c_str(),
                  s.worst_fifo.empty() ? "" : (s.worst_fifo_full ? " (full)" : " (empty)"));
    o << line;
  }
  o << "\n  fifo (in pipeline order)              peak / depth\n";
  for (const auto& f : r.fifos) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-36s %5d / %d%s\n", f.name.c_str(), f.max_occupancy,
                  f.depth, f.capacity != f.depth ? " (+1 memory-style)" : "");
    o << line;
  }
  return o.str();
}

}  // namespace vine::sim
