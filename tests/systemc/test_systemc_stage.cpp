// A user's SystemC module as a stage: the example width converter, an
// ordinary SC_THREAD, replaces three built-in converters of CNV-W1A1 (two
// narrowing, one widening) and every beat of every FIFO moves in the same
// cycle as with the built-in models; the outputs still match the golden
// reference. A module that stops writing deadlocks the pipeline, and the
// report names it. One sc_start per process: ctest runs each test alone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <systemc>
#include <vector>

#include "examples/systemc_stage/thread_width_converter.h"
#include "platforms/board/streaming_board.h"
#include "sim/config/loaders.h"
#include "sim/run/simulation.h"

namespace vine {
namespace {

const std::string kCnv =
    std::string(VINE_SOURCE_DIR) + "/configs/designs/bnn-pynq/cnv-w1a1-pynq-z1.yaml";
// Narrowing 192 -> 24 bits and 64 -> 32 bits, widening 16 -> 64 bits.
const std::vector<std::string> kConverters = {"input.dwc_out2", "conv1.dwc_in", "conv0.dwc_out"};

sim::SystemCModuleFactory thread_converter() {
  return [](models::ThreadStage& st) -> std::unique_ptr<sc_core::sc_module> {
    auto m = std::make_unique<examples::ThreadWidthConverter>("impl", st.frames(),
                                                              st.input_beats_per_frame(0));
    m->in.bind(st.input(0));
    m->out.bind(st.output(0));
    return m;
  };
}

// Every beat's write and read cycle, FIFO by FIFO.
std::vector<std::vector<models::FifoTimes>> stamps(const sim::ProcessNetwork& pn) {
  std::vector<std::vector<models::FifoTimes>> out;
  for (const auto& f : pn.fifos()) out.push_back(f->times());
  return out;
}

TEST(SystemCStage, SameCycleForEveryBeatAsTheBuiltInStage) {
  const ir::Design d = config::load_design(kCnv);
  sim::RunOptions o;
  o.frames = 3;
  o.record = true;
  std::vector<std::vector<models::FifoTimes>> builtin;
  std::vector<std::string> names;
  {
    sim::Simulation ref(d, o);
    const sim::RunReport& r = ref.run();
    ASSERT_TRUE(r.finished);
    ASSERT_TRUE(r.outputs_match_reference.value_or(false));
    builtin = stamps(ref.network());
    for (const auto& f : ref.network().fifos()) names.push_back(f->name());
  }
  for (const auto& s : kConverters) o.systemc_stages[s] = thread_converter();
  sim::Simulation simulation(d, o);
  platforms::StreamingBoard board("board", simulation, d.clock_mhz);
  // The user's module is the adapter stage's child, under the layer's module.
  ASSERT_NE(sc_core::sc_find_object("accel.conv1.dwc_in.impl"), nullptr);
  EXPECT_STREQ(sc_core::sc_find_object("accel.conv1.dwc_in")->kind(), "systemc");
  sc_core::sc_start();
  const sim::RunReport& r = simulation.finish();
  ASSERT_TRUE(r.finished);
  ASSERT_TRUE(r.outputs_match_reference.value_or(false));
  const auto got = stamps(simulation.network());
  ASSERT_EQ(got.size(), builtin.size());
  int64_t beats = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].size(), builtin[i].size()) << names[i];
    for (size_t k = 0; k < got[i].size(); ++k) {
      ASSERT_EQ(got[i][k].write, builtin[i][k].write) << names[i] << " beat " << k << " written";
      ASSERT_EQ(got[i][k].read, builtin[i][k].read) << names[i] << " beat " << k << " read";
      ++beats;
    }
  }
  EXPECT_GT(beats, 3 * 10000);
  // SystemC time ends at the cycle after the last frame's last beat.
  EXPECT_EQ(sc_core::sc_time_stamp(),
            board.clock_period() * double(r.frame_last_out_cycles.back() + 1));
}

// Reads every beat and writes none: the consumer waits forever, which is a
// deadlock, not a wait on an outside party; the report says where.
class Sink : public sc_core::sc_module {
 public:
  sc_core::sc_port<models::BeatReadIf> in;
  sc_core::sc_port<models::BeatWriteIf> out;
  Sink(sc_core::sc_module_name n, int64_t beats)
      : sc_module(n), in("in"), out("out"), beats_(beats) {
    SC_HAS_PROCESS(Sink);
    SC_THREAD(run);
  }

 private:
  void run() {
    std::vector<int32_t> beat(size_t(in->lanes()));
    for (int64_t k = 0; k < beats_; ++k) {
      in->read_blocking(beat.data());
      wait(in->cycle());
    }
  }
  int64_t beats_;
};

TEST(SystemCStage, AModuleThatNeverWritesIsADeadlockNamedInTheReport) {
  const ir::Design d = config::load_design(kCnv);
  sim::RunOptions o;
  o.frames = 2;
  o.systemc_stages["conv0.dwc_out"] =
      [](models::ThreadStage& st) -> std::unique_ptr<sc_core::sc_module> {
    auto m = std::make_unique<Sink>("impl", st.input_beats_per_frame(0) * st.frames());
    m->in.bind(st.input(0));
    m->out.bind(st.output(0));
    return m;
  };
  sim::Simulation simulation(d, o);
  platforms::StreamingBoard board("board", simulation, d.clock_mhz);
  sc_core::sc_start();  // returns: no event is left
  const sim::RunReport& r = simulation.finish();
  EXPECT_FALSE(r.finished) << r.deadlock;
  ASSERT_FALSE(r.deadlock.empty());
  // conv1 waits for a beat that the SystemC module will never write.
  EXPECT_NE(r.deadlock.find("conv0->conv1"), std::string::npos) << r.deadlock;
  EXPECT_NE(r.deadlock.find("conv0.dwc_out (systemc)"), std::string::npos) << r.deadlock;
  EXPECT_EQ(board.frames_done(), 0);
}

}  // namespace
}  // namespace vine

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

int main(int argc, char** argv) {
  // SystemC prints a banner on start-up unless told not to.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
