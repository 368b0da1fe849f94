// What `vine run` reports, as data: latency, the steady state and the batch,
// per-stage busy and stall cycles, FIFO peak occupancy, the comparison with
// the golden reference, and a deadlock diagnosis when the pipeline stopped
// early. Where each part comes from:
//   run_metrics.h    what is measured from the stages, FIFOs and DMAs
//   steady_state.h   when the frames leave at the steady rate, and that rate
//   run_diagnosis.h  why: the stalls behind a slow interval, a deadlock's cycle
//   run_format.h     the text summary and the JSON
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/run/steady_state.h"

namespace vine::sim {

struct StageReport {
  std::string name, kind;
  int layer = -1;
  int64_t busy = 0, stalled_input = 0, stalled_output = 0;
  int64_t stalled_grant = 0;  // waiting for a shared port's grant (a DDR channel)
  int64_t first_out_cycle = -1, last_out_cycle = -1;
  // The FIFO it waited on longest, and whether it was empty (input) or full (output).
  std::string worst_fifo;
  bool worst_fifo_full = false;
  int64_t worst_fifo_cycles = 0;
  std::string state;       // for a deadlock: what it waits for
  std::string blocked_on;  // its FIFO
  int64_t local_cycle = -1;
};

struct FifoReport {
  std::string name;
  int depth = 0, capacity = 0, max_occupancy = 0, occupancy = 0;
  int64_t words_written = 0;
};

// A FIFO depth that, with the others of a remedy, removes stalls that keep
// the interval above the bottleneck's (stall_chain.h).
struct FifoRemedy {
  std::string fifo;  // a graph edge "a->b", or "internal_fifo_depth" (every stream inside a layer)
  int depth_before = 0;
  int depth = 0;     // the depth the remedy gives it
};

struct RunReport {
  std::string design;
  double clock_mhz = 0;
  int frames = 0;
  bool timing_only = false;
  bool finished = false;       // false: deadlock
  int64_t latency_cycles = 0;  // first input beat of frame 0 to last output beat of frame 0
  // The same for one frame alone in an empty pipeline (a run of 1 frame; 0
  // when not measured). Frame 0 of a stream can take longer: later frames'
  // beats share the stages and FIFOs with its last ones.
  int64_t single_frame_latency_cycles = 0;
  // The steady state (steady_state.h): the interval is its exact cycles per
  // frame and fps the rate at it; both 0 when it was not reached.
  SteadyState steady;
  double interval_cycles = 0;
  double fps = 0;
  // The batch: first input beat to last output beat of all frames, what a
  // board measures for the N frames of one call; per frame and as a rate.
  int64_t cycles_total = 0;
  // Cycle 0, when the stages start (the input DMA's first request), to the
  // last output beat: cycles_total plus the cycles before the first input
  // beat, which a DMA reading from DDR spends waiting for its data. The
  // per-stage percentages and the DDR channels' utilisation are of it.
  int64_t cycles_from_start = 0;
  double cycles_per_frame_batch = 0;
  double batch_fps = 0;
  std::optional<bool> outputs_match_reference;  // unset in timing-only runs
  std::vector<int> mismatched_frames;
  int64_t estimate_interval_cycles = 0;
  // The bottleneck (the estimate's definition: the stages with the most
  // cycles of work per frame, all of a tie) and its cycles per frame.
  std::vector<std::string> bottleneck_stages;
  int64_t bottleneck_cycles = 0;
  std::string interval_explanation;  // when slower than the estimate: the "why" line
  // Its measured remedy (stall_chain.h): FIFO depths and the steady interval
  // they give (0: not reached); empty when none was found or looked for.
  std::vector<FifoRemedy> interval_remedy;
  double interval_remedy_cycles = 0;
  // The estimate's DDR channel bottleneck (-1: none), Estimate::bottleneck_ddr_channel.
  int bottleneck_ddr_channel = -1;
  std::vector<StageReport> stages;
  std::vector<FifoReport> fifos;
  // Layers whose weights stream from DDR (models/layers/weight_streamer.h).
  struct WeightStreamReport {
    std::string layer, streamer, compute;
    int channel = 0;
    std::string schedule, format;  // vector/row/frame; dense/bitmap
    uint64_t bytes_per_frame = 0;  // the DDR moves, whole bursts
    int64_t words = 0;             // weight words delivered in the run
    double gbytes_per_s = 0;       // bytes_per_frame at the steady fps (0: no steady state)
    int64_t stalled_for_weights = 0;  // cycles the compute stage waited on its weight FIFO
    int64_t stalled_for_grant = 0;    // cycles the streamer waited for its channel
  };
  std::vector<WeightStreamReport> weight_streams;
  // The DMAs, when their frames are in DDR (`dma_memory: ddr`,
  // models/layers/frame_buffers.h).
  struct DmaDdrReport {
    std::string stage;      // "input_dma", "output_dma"
    std::string neighbour;  // the stage across its stream: its consumer (input DMA), producer (output DMA)
    int channel = 0;
    uint64_t bytes_per_frame = 0;  // the DDR moves, whole bursts
    int64_t beats = 0;             // beats it moved in the run
    double gbytes_per_s = 0;       // bytes_per_frame at the steady fps (0: no steady state)
    int64_t stalled_neighbour = 0;  // cycles the neighbour waited on their stream (empty, resp. full)
    int64_t stalled_for_grant = 0;  // cycles the DMA waited for its channel
  };
  std::vector<DmaDdrReport> ddr_dmas;
  struct DdrChannelReport {
    int channel = 0;
    int64_t grants = 0;        // AXI bursts granted
    int64_t busy_cycles = 0;   // cycles the grants held it
    double utilisation = 0;    // busy_cycles over cycles_from_start
  };
  std::vector<DdrChannelReport> ddr_channels;
  // The cut streams of a design placed on a cluster, each on its serial link
  // (models/link/link_stage.h, docs/links.md): what the link did.
  struct LinkReport {
    std::string stage;           // "fc2.link"
    std::string from, to;        // boards
    std::string stream;          // the edge it carries, "fc1->fc2"
    int lanes = 0;
    double line_rate_gbps = 0, user_clock_mhz = 0;
    int64_t beats = 0;           // beats delivered to the next board
    int64_t words_per_frame = 0;
    int64_t payload_bytes = 0;   // words delivered x 8 x lanes
    int64_t user_cycles = 0;     // link cycles simulated
    double utilisation = 0;      // data blocks per link cycle (resends included)
    double closed_form_cycles_per_frame = 0;  // a saturated link's, in accelerator cycles
    int64_t frames_sent = 0, frames_resent = 0, crc_errors = 0, naks = 0, timeouts = 0;
    int64_t bits_flipped = 0, words_lost = 0, overflow_frames = 0;
    int64_t xoff_events = 0, xoff_cycles = 0;
    int rx_fifo_words = 0, rx_peak_words = 0;
    // Per beat, accelerator cycles from its read on the first board to its write on the next.
    int64_t beat_latency_min = 0, beat_latency_max = 0;
    double beat_latency_mean = 0;
    // Per word, link cycles from the transmit FIFO to the receive FIFO.
    int64_t word_latency_min = 0, word_latency_max = 0;
    double word_latency_mean = 0;
    std::vector<int64_t> frame_delivered_cycles;  // per frame: its last beat written on the next board
  };
  std::vector<LinkReport> links;
  std::vector<int64_t> frame_last_out_cycles;
  // Stages whose PE arithmetic ran on Verilated RTL: "stage: unit key", its
  // measured latency and the unit cycles driven.
  struct RtlUnitReport {
    std::string stage, unit;
    int latency = 0;
    int64_t cycles = 0;        // clock cycles driven, summed over the PEs' instances
    int64_t stall_cycles = 0;  // of which with en = 0 (the stage stalled)
  };
  std::vector<RtlUnitReport> rtl_units;
  // The fast-forward (models/stage/fast_forward.h): frames not simulated but
  // extrapolated exactly from a repeating timing state (0: none), the period
  // found, and why it was off, when it was.
  struct FastForward {
    int64_t frames_skipped = 0;
    int period_frames = 0;
    int64_t period_cycles = 0;
    int64_t from_frame = -1;
    std::vector<std::string> drifting;  // the last jump's FIFOs whose ends drifted apart
    int jumps = 0;
    std::string off;
  } fast_forward;
  std::string deadlock;        // empty, or the diagnosis
  int64_t deadlock_cycle = 0;  // the last cycle in which any stage advanced
};

}  // namespace vine::sim
