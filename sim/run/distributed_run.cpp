#include "sim/run/distributed_run.h"

#include <cstring>
#include <type_traits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/stage/scheduler.h"

namespace vine::sim {

// The gathered parts travel as MessagePack (nlohmann/json's), which keeps
// every double's bits: the report rank 0 writes is the one-process report
// byte for byte.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StageReport, name, kind, layer, busy, stalled_input, stalled_output,
                                   stalled_grant, first_out_cycle, last_out_cycle, worst_fifo, worst_fifo_full,
                                   worst_fifo_cycles, state, blocked_on, local_cycle)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FifoReport, name, depth, capacity, max_occupancy, occupancy, words_written)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RunReport::LinkReport, stage, from, to, stream, lanes, line_rate_gbps,
                                   user_clock_mhz, beats, words_per_frame, payload_bytes, user_cycles, utilisation,
                                   closed_form_cycles_per_frame, frames_sent, frames_resent, crc_errors, naks,
                                   timeouts, bits_flipped, words_lost, overflow_frames, xoff_events, xoff_cycles,
                                   rx_fifo_words, rx_peak_words, beat_latency_min, beat_latency_max,
                                   beat_latency_mean, word_latency_min, word_latency_max, word_latency_mean,
                                   frame_delivered_cycles)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RunReport::WeightStreamReport, layer, streamer, compute, channel, schedule,
                                   format, bytes_per_frame, words, gbytes_per_s, stalled_for_weights,
                                   stalled_for_grant)

std::vector<int> stage_boards(const ir::StreamingPlan& plan, const ir::Design& d) {
  std::map<int, int> position;  // cluster board -> pipeline position
  for (size_t p = 0; p < d.placement.boards.size(); ++p) position[d.placement.boards[p].board] = int(p);
  std::vector<int> board(plan.stages.size(), 0);
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const ir::StagePlan& s = plan.stages[i];
    // Stages come in topological order: a stage that reads a stream comes
    // after the stream's producer.
    auto producer_board = [&] { return board[size_t(plan.streams[size_t(s.inputs.at(0))].producer)]; };
    if (s.kind == ir::StageKind::kLink)
      board[i] = producer_board();  // on the board it reads from: its output FIFO is the cut
    else if (s.layer >= 0)
      board[i] = position.at(d.placement.board_of_layer.at(size_t(s.layer)));
    else
      board[i] = s.inputs.empty() ? 0 : producer_board();  // the input DMA; the output DMA
  }
  return board;
}

int rank_of_board(int board, int boards, int ranks) { return int(int64_t(board) * ranks / boards); }

std::string distributed_design_problem(const ir::Design& d, int ranks) {
  if (d.hw_template != ir::Template::kStreaming || !d.placement.placed())
    return d.path + " is not a streaming design placed on a cluster's boards (`cluster:` and `placement:`, "
                    "docs/partition.md): a distributed run gives each rank boards to run";
  const int boards = int(d.placement.boards.size());
  if (ranks > boards)
    return std::to_string(ranks) + " ranks for the " + std::to_string(boards) + " boards of " + d.path +
           ": each rank runs one board or more; start at most " + std::to_string(boards);
  return "";
}

std::string distributed_network_problem(const Simulation& sim) {
  const ProcessNetwork& pn = sim.network();
  for (const auto& port : pn.ddr_channels())
    if (port)
      return "the design streams weights or frames through DDR, whose channels are granted across stages in one "
             "process (models/shared/): not distributed; run it without mpirun";
  if (!pn.rtl_units().empty())
    return "stages run their PEs on RTL (co-simulation), which a distributed run does not cover; run it "
           "without mpirun or with --backend cpp";
  if (pn.fast_forward_off_reason().empty())
    return "the fast-forward needs every stage in one process; give --no-fast-forward";
  return "";
}

DistributedRun::DistributedRun(Simulation& sim, const ir::Design& d, RankTransport& t, bool data)
    : sim_(sim), d_(d), t_(t), data_(data) {
  ProcessNetwork& pn = sim_.network();
  const std::vector<int> boards = stage_boards(pn.plan(), d_);
  const int nboards = int(d_.placement.boards.size());
  for (const int b : boards) rank_of_stage_.push_back(rank_of_board(b, nboards, t_.ranks()));
  const auto& streams = pn.plan().streams;
  for (size_t j = 0; j < streams.size(); ++j) {
    const int pr = rank_of_stage_[size_t(streams[j].producer)], cr = rank_of_stage_[size_t(streams[j].consumer)];
    if (pr == cr || (pr != t_.rank() && cr != t_.rank())) continue;
    models::StreamFifo* f = pn.fifos()[j].get();
    if (f->name() != streams[j].name) throw std::logic_error("the network's FIFOs are not in its plan's order");
    mirrors_.push_back({int(j), f, pr, cr, 0});
  }
}

namespace {

// Batch and record layout: docs/parallel.md, "Messages".
constexpr uint32_t kMagic = 0x454e4956;  // "VINE", little-endian
constexpr uint16_t kVersion = 1;
enum : uint8_t { kWriteStamps = 0, kReadStamps = 1 };

template <typename T>
void put(std::vector<uint8_t>& b, T v) {
  const size_t at = b.size();
  b.resize(at + sizeof(T));
  std::memcpy(b.data() + at, &v, sizeof(T));
}

struct Reader {
  const std::vector<uint8_t>& b;
  size_t at = 0;
  template <typename T>
  T get() {
    if (at + sizeof(T) > b.size()) throw std::runtime_error("distributed run: a truncated message");
    T v;
    std::memcpy(&v, b.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
};

// Beat k's elements in the FIFO's ring (stream_fifo.h: beat k sits in slot
// k % stamps_kept(), elements_per_word() words a slot), found from the slot
// the next write takes. Valid for the beats written and not yet overwritten,
// which the beats not yet sent are: a slot is written again only once its
// beat's read is known, and that read comes from the rank it is sent to.
const int32_t* beat_elements(const models::StreamFifo& f, int64_t k) {
  const int64_t slots = f.stamps_kept(), e = f.elements_per_word();
  const int32_t* base = const_cast<models::StreamFifo&>(f).write_slot() - (f.written() % slots) * e;
  return base + (k % slots) * e;
}

}  // namespace

std::vector<std::vector<uint8_t>> DistributedRun::outgoing() {
  std::vector<std::vector<uint8_t>> out(size_t(t_.ranks()));
  std::vector<uint16_t> records(size_t(t_.ranks()), 0);
  for (Mirror& m : mirrors_) {
    const bool producing = m.producer == t_.rank();
    const int64_t upto = producing ? m.fifo->written() : m.fifo->read_count();
    if (upto == m.sent) continue;
    const int peer = producing ? m.consumer : m.producer;
    std::vector<uint8_t>& b = out[size_t(peer)];
    if (b.empty()) {
      put(b, kMagic);
      put(b, kVersion);
      put(b, uint16_t(0));  // records, filled in below
    }
    const bool data = producing && data_ && m.fifo->carries_data();
    const int32_t elems = m.fifo->elements_per_word();
    put(b, int32_t(m.stream));
    put(b, uint8_t(producing ? kWriteStamps : kReadStamps));
    put(b, uint8_t(data ? 1 : 0));
    put(b, uint16_t(0));
    put(b, m.sent);
    put(b, int64_t(upto - m.sent));
    put(b, elems);
    for (int64_t k = m.sent; k < upto; ++k)
      put(b, producing ? m.fifo->write_cycle_of(k) : m.fifo->read_cycle_of(k));
    if (data)
      for (int64_t k = m.sent; k < upto; ++k) {
        const size_t at = b.size();
        b.resize(at + size_t(elems) * sizeof(int32_t));
        std::memcpy(b.data() + at, beat_elements(*m.fifo, k), size_t(elems) * sizeof(int32_t));
      }
    stats_.stamps_sent += upto - m.sent;
    m.sent = upto;
    ++records[size_t(peer)];
  }
  for (size_t r = 0; r < out.size(); ++r)
    if (!out[r].empty()) {
      std::memcpy(out[r].data() + sizeof(uint32_t) + sizeof(uint16_t), &records[r], sizeof(uint16_t));
      ++stats_.batches_sent;
      stats_.bytes_sent += int64_t(out[r].size());
    }
  return out;
}

void DistributedRun::apply(const std::vector<uint8_t>& batch, int from) {
  if (batch.empty()) return;
  models::Scheduler& sched = sim_.network().accelerator().scheduler();
  Reader in{batch};
  if (in.get<uint32_t>() != kMagic) throw std::runtime_error("distributed run: a message without its magic number");
  const uint16_t version = in.get<uint16_t>();
  if (version != kVersion)
    throw std::runtime_error("distributed run: message version " + std::to_string(version) + " from rank " +
                             std::to_string(from) + ", expected " + std::to_string(kVersion));
  const uint16_t records = in.get<uint16_t>();
  for (uint16_t i = 0; i < records; ++i) {
    const int32_t stream = in.get<int32_t>();
    const uint8_t kind = in.get<uint8_t>();
    const bool data = in.get<uint8_t>() != 0;
    in.get<uint16_t>();
    const int64_t first = in.get<int64_t>(), count = in.get<int64_t>();
    const int32_t elems = in.get<int32_t>();
    Mirror* m = nullptr;
    for (Mirror& c : mirrors_)
      if (c.stream == stream) m = &c;
    models::StreamFifo* f = m ? m->fifo : nullptr;
    const bool writes = kind == kWriteStamps;
    if (!f || (writes ? m->consumer : m->producer) != t_.rank() || elems != f->elements_per_word() ||
        first != (writes ? f->written() : f->read_count()))
      throw std::logic_error("distributed run: stamps from rank " + std::to_string(from) + " for stream " +
                             std::to_string(stream) + " that this rank does not expect");
    const size_t stamps_at = in.at;
    in.at += size_t(count) * sizeof(int64_t);
    const size_t data_at = in.at;
    if (data) in.at += size_t(count) * size_t(elems) * sizeof(int32_t);
    if (in.at > batch.size()) throw std::runtime_error("distributed run: a truncated message");
    for (int64_t k = 0; k < count; ++k) {
      int64_t stamp;
      std::memcpy(&stamp, batch.data() + stamps_at + size_t(k) * sizeof(int64_t), sizeof stamp);
      if (writes) {
        // The slot is free: the producer's rank wrote the beat only once the
        // read that frees it, this rank's, was known there.
        if (data)
          std::memcpy(f->write_slot(), batch.data() + data_at + size_t(k) * size_t(elems) * sizeof(int32_t),
                      size_t(elems) * sizeof(int32_t));
        f->commit_write(stamp);
      } else {
        f->commit_read(stamp);
      }
    }
    // The stamps this rank's own side of the FIFO was waiting for.
    if (writes && f->consumer_waits) {
      f->consumer_waits = false;
      sched.wake(f->consumer);
    }
    if (!writes && f->producer_waits) {
      f->producer_waits = false;
      sched.wake(f->producer);
    }
  }
}

void DistributedRun::run() {
  ProcessNetwork& pn = sim_.network();
  models::Scheduler& sched = pn.accelerator().scheduler();
  const auto& stages = pn.stages();
  for (size_t i = 0; i < stages.size(); ++i)
    if (rank_of_stage_[i] == t_.rank()) sched.wake(stages[i].get());
  for (;;) {
    sched.run();  // until no stage of this rank can move
    const std::vector<std::vector<uint8_t>> in = t_.exchange(outgoing());
    ++stats_.rounds;
    int64_t sent = 0;
    for (size_t r = 0; r < in.size(); ++r) sent += int64_t(in[r].size());
    for (size_t r = 0; r < in.size(); ++r) apply(in[r], int(r));
    // Anything received anywhere: some rank has stages to wake. Nothing: no
    // stage anywhere can move again, whether all are done or not.
    std::vector<int64_t> any{sent};
    t_.sum(any);
    if (any[0] == 0) break;
  }
  // Whether every stage is done, over every rank.
  int64_t not_done = 0;
  for (size_t i = 0; i < stages.size(); ++i)
    if (rank_of_stage_[i] == t_.rank() && stages[i]->state() != models::StageState::kDone) ++not_done;
  std::vector<int64_t> left{not_done};
  t_.sum(left);
  const std::vector<std::vector<uint8_t>> parts = t_.gather(measured_here());
  if (t_.rank() != 0) return;
  Simulation::Results all = sim_.results();
  for (size_t r = 1; r < parts.size(); ++r) merge(all, parts[r]);
  all.measured.report.finished = left[0] == 0;
  sim_.finish(std::move(all));
}

// What this rank's stages measured: the entries of measure_run's lists that
// belong to them, by position (every rank elaborates the same network, so the
// lists have the same shape everywhere), and what the DMAs and the output
// check hold where they ran.
std::vector<uint8_t> DistributedRun::measured_here() const {
  const Simulation::Results x = sim_.results();
  const RunReport& r = x.measured.report;
  const ProcessNetwork& pn = sim_.network();
  std::map<std::string, int> rank_named;
  for (size_t i = 0; i < pn.stages().size(); ++i) rank_named[pn.stages()[i]->name()] = rank_of_stage_[i];
  std::map<const models::Stage*, int> rank_of;
  for (size_t i = 0; i < pn.stages().size(); ++i) rank_of[pn.stages()[i].get()] = rank_of_stage_[i];
  const int me = t_.rank();
  nlohmann::json j = nlohmann::json::object();
  auto own = [&](const char* key, const auto& list, auto is_mine) {
    nlohmann::json a = nlohmann::json::array();
    for (size_t p = 0; p < list.size(); ++p)
      if (is_mine(p)) a.push_back({p, list[p]});
    j[key] = a;
  };
  own("stages", r.stages, [&](size_t p) { return rank_of_stage_[p] == me; });
  own("fifos", r.fifos, [&](size_t p) { return rank_of.at(pn.fifos()[p]->producer) == me; });
  own("links", r.links, [&](size_t p) { return rank_named.at(r.links[p].stage) == me; });
  own("weight_streams", r.weight_streams, [&](size_t p) { return rank_named.at(r.weight_streams[p].streamer) == me; });
  if (rank_of_stage_.front() == me) j["first_input_write"] = x.measured.first_input_write;
  if (rank_of_stage_.back() == me) {
    j["output_first"] = x.measured.output_first_beat_cycles;
    j["output_last"] = r.frame_last_out_cycles;
    j["mismatched"] = x.mismatched;
    j["checked"] = x.checked;
    j["outputs"] = sim_.outputs();
  }
  return nlohmann::json::to_msgpack(j);
}

void DistributedRun::merge(Simulation::Results& into, const std::vector<uint8_t>& part) const {
  const nlohmann::json j = nlohmann::json::from_msgpack(part);
  RunReport& r = into.measured.report;
  auto take = [&](const char* key, auto& list) {
    for (const auto& e : j.at(key)) {
      const size_t p = e.at(0).get<size_t>();
      list.at(p) = e.at(1).get<typename std::decay_t<decltype(list)>::value_type>();
    }
  };
  take("stages", r.stages);
  take("fifos", r.fifos);
  take("links", r.links);
  take("weight_streams", r.weight_streams);
  if (j.contains("first_input_write")) into.measured.first_input_write = j["first_input_write"].get<int64_t>();
  if (j.contains("output_last")) {
    into.measured.output_first_beat_cycles = j["output_first"].get<std::vector<int64_t>>();
    r.frame_last_out_cycles = j["output_last"].get<std::vector<int64_t>>();
    into.mismatched = j["mismatched"].get<std::vector<int>>();
    into.checked = j["checked"].get<int>();
    into.outputs = j["outputs"].get<std::vector<std::vector<int32_t>>>();
  }
}

}  // namespace vine::sim
