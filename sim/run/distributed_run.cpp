#include "sim/run/distributed_run.h"

#include <cstring>
#include <type_traits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/link/message_bytes.h"
#include "models/stage/scheduler.h"

namespace vine::sim {

using models::put_bytes;

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
      board[i] = producer_board();  // on the board it reads from (its transmit end)
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

DistributedRun::DistributedRun(Simulation& sim, const ir::Design& d, RankTransport& t)
    : sim_(sim), d_(d), t_(t) {
  ProcessNetwork& pn = sim_.network();
  // A flushing pipeline's writes may go first only once no stage anywhere
  // can run (models/stage/scheduler.h), which one rank cannot tell alone.
  for (const auto& s : pn.stages())
    if (s->timing().flushing())
      throw std::runtime_error("distributed run: stage " + s->name() +
                               " is a flushing pipeline (the design's pipeline_style), which a run over "
                               "several ranks does not model yet; run it in one process (without mpirun)");
  const std::vector<int> boards = stage_boards(pn.plan(), d_);
  const int nboards = int(d_.placement.boards.size());
  for (const int b : boards) rank_of_stage_.push_back(rank_of_board(b, nboards, t_.ranks()));
  const auto& streams = pn.plan().streams;
  // A link between two ranks: its transmit end on its producer's rank, its
  // receive end on its consumer's, which reports the stage.
  std::vector<int> transmit_rank(rank_of_stage_);  // per stage: where it reads its inputs
  for (size_t i = 0; i < pn.stages().size(); ++i) {
    auto* link = dynamic_cast<models::LinkStage*>(pn.stages()[i].get());
    if (!link) continue;
    const ir::StagePlan& sp = pn.plan().stages[i];
    const int in = sp.inputs.at(0), out = sp.outputs.at(0);
    const int tx = rank_of_stage_[size_t(streams[size_t(in)].producer)];
    const int rx = rank_of_stage_[size_t(streams[size_t(out)].consumer)];
    if (tx == rx) continue;
    split_links_.push_back({in, link, tx, rx});
    rank_of_stage_[i] = rx;
    transmit_rank[i] = tx;
    link->set_role(t_.rank() == tx   ? models::LinkStage::Role::kTransmit
                   : t_.rank() == rx ? models::LinkStage::Role::kReceive
                                     : models::LinkStage::Role::kBoth);
  }
  // Every stream between boards crosses a link (the plan puts a link stage
  // on each cut edge), so every FIFO has its producer and consumer on one rank.
  for (const auto& st : streams)
    if (rank_of_stage_[size_t(st.producer)] != transmit_rank[size_t(st.consumer)])
      throw std::logic_error("distributed run: stream " + st.name + " runs between ranks without a link");
}

DistributedRun::SplitLink* DistributedRun::split_link(int stream) {
  for (SplitLink& l : split_links_)
    if (l.stream == stream) return &l;
  return nullptr;
}

namespace {

// Batch and record layout: docs/parallel.md, "Messages".
constexpr uint32_t kMagic = 0x454e4956;  // "VINE", little-endian
constexpr uint16_t kVersion = 2;
enum : uint8_t { kFromTransmitEnd = 0, kFromReceiveEnd = 1, kTransmitEndSummary = 2 };

// The batches to each rank: a header, then records, each a link end's
// message (models/link/link_stage.cpp says what it holds).
class Batches {
 public:
  explicit Batches(int ranks) : out_(size_t(ranks)), records_(size_t(ranks), 0) {}
  void add(int to, int stream, uint8_t kind, const std::vector<uint8_t>& msg) {
    std::vector<uint8_t>& b = out_[size_t(to)];
    if (b.empty()) {
      put_bytes(b, kMagic);
      put_bytes(b, kVersion);
      put_bytes(b, uint16_t(0));  // records, filled in by take()
    }
    put_bytes(b, int32_t(stream));
    put_bytes(b, kind);
    put_bytes(b, uint8_t(0));
    put_bytes(b, uint16_t(0));
    put_bytes(b, int64_t(msg.size()));
    b.insert(b.end(), msg.begin(), msg.end());
    ++records_[size_t(to)];
  }
  std::vector<std::vector<uint8_t>> take() {
    for (size_t r = 0; r < out_.size(); ++r)
      if (!out_[r].empty()) std::memcpy(out_[r].data() + sizeof(uint32_t) + sizeof(uint16_t), &records_[r], sizeof(uint16_t));
    return std::move(out_);
  }

 private:
  std::vector<std::vector<uint8_t>> out_;
  std::vector<uint16_t> records_;
};

}  // namespace

std::vector<std::vector<uint8_t>> DistributedRun::outgoing() {
  Batches out(t_.ranks());
  for (SplitLink& l : split_links_) {
    const bool transmitting = l.transmit == t_.rank();
    if (!transmitting && l.receive != t_.rank()) continue;
    const std::vector<uint8_t> msg = l.stage->take_peer_message();
    if (msg.empty()) continue;
    out.add(transmitting ? l.receive : l.transmit, l.stream, transmitting ? kFromTransmitEnd : kFromReceiveEnd, msg);
    ++stats_.link_messages_sent;
  }
  std::vector<std::vector<uint8_t>> b = out.take();
  for (const auto& x : b)
    if (!x.empty()) {
      ++stats_.batches_sent;
      stats_.bytes_sent += int64_t(x.size());
    }
  return b;
}

void DistributedRun::apply(const std::vector<uint8_t>& batch, int from) {
  if (batch.empty()) return;
  models::Scheduler& sched = sim_.network().accelerator().scheduler();
  models::ByteReader in{batch.data(), batch.size(), "distributed run"};
  if (in.get<uint32_t>() != kMagic) throw std::runtime_error("distributed run: a message without its magic number");
  const uint16_t version = in.get<uint16_t>();
  if (version != kVersion)
    throw std::runtime_error("distributed run: message version " + std::to_string(version) + " from rank " +
                             std::to_string(from) + ", expected " + std::to_string(kVersion));
  const uint16_t records = in.get<uint16_t>();
  for (uint16_t i = 0; i < records; ++i) {
    const int32_t stream = in.get<int32_t>();
    const uint8_t kind = in.get<uint8_t>();
    in.get<uint8_t>();
    in.get<uint16_t>();
    const int64_t bytes = in.get<int64_t>();
    SplitLink* l = split_link(stream);
    const bool to_receive_end = kind != kFromReceiveEnd;
    if (kind > kTransmitEndSummary || !l || (to_receive_end ? l->receive : l->transmit) != t_.rank() ||
        bytes < 0 || in.at + size_t(bytes) > in.n)
      throw std::logic_error("distributed run: a message from rank " + std::to_string(from) + " for stream " +
                             std::to_string(stream) + " that this rank does not expect");
    const uint8_t* msg = batch.data() + in.at;
    in.at += size_t(bytes);
    if (kind == kTransmitEndSummary) {
      l->stage->absorb_transmit_end_summary(msg, size_t(bytes));
      continue;
    }
    l->stage->peer_message(msg, size_t(bytes));
    if (l->stage->waits_for_peer()) sched.wake(l->stage);
  }
}

// Each split link's transmit end sends its figures to the receive end's rank,
// which then holds the whole stage (one collective exchange).
void DistributedRun::absorb_transmit_ends() {
  Batches out(t_.ranks());
  for (SplitLink& l : split_links_)
    if (l.transmit == t_.rank()) out.add(l.receive, l.stream, kTransmitEndSummary, l.stage->transmit_end_summary());
  const std::vector<std::vector<uint8_t>> in = t_.exchange(out.take());
  for (size_t r = 0; r < in.size(); ++r) apply(in[r], int(r));
}

void DistributedRun::run() {
  ProcessNetwork& pn = sim_.network();
  models::Scheduler& sched = pn.accelerator().scheduler();
  const auto& stages = pn.stages();
  for (size_t i = 0; i < stages.size(); ++i)
    if (rank_of_stage_[i] == t_.rank()) sched.wake(stages[i].get());
  for (const SplitLink& l : split_links_)
    if (l.transmit == t_.rank()) sched.wake(l.stage);
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
  absorb_transmit_ends();
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
