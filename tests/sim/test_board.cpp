// The SystemC board: sc_time follows the pipeline's frames, and frame_done
// fires at the cycle after each frame's last output beat.
#include <gtest/gtest.h>

#include <filesystem>
#include <systemc>
#include <vector>

#include "platforms/board/streaming_board.h"
#include "sim/config/loaders.h"

namespace vine {
namespace {

// A host-side model that notes when the accelerator's interrupt fires.
SC_MODULE(FrameObserver) {
  std::vector<sc_core::sc_time> seen;
  platforms::StreamingBoard* board = nullptr;
  int expect = 0;
  SC_CTOR(FrameObserver) { SC_THREAD(watch); }
  void watch() {
    for (int f = 0; f < expect; ++f) {
      wait(board->frame_done);
      seen.push_back(sc_core::sc_time_stamp());
    }
  }
};

TEST(StreamingBoard, SystemCTimeFollowsTheFrames) {
  const ir::Design d = config::load_design(std::string(VINE_SOURCE_DIR) + "/configs/designs/bnn-pynq/lfc-w1a1-pynq-z1.yaml");
  sim::RunOptions o;
  o.frames = 3;
  sim::Simulation simulation(d, o);
  platforms::StreamingBoard board("board", simulation, d.clock_mhz);
  FrameObserver observer("observer");
  observer.board = &board;
  observer.expect = o.frames;
  sc_core::sc_start();

  const sim::RunReport& r = simulation.finish();
  ASSERT_TRUE(r.finished);
  ASSERT_TRUE(r.outputs_match_reference.has_value());
  EXPECT_TRUE(*r.outputs_match_reference);
  ASSERT_EQ(observer.seen.size(), 3u);
  const sc_core::sc_time period(10, sc_core::SC_NS);  // 100 MHz
  EXPECT_EQ(board.clock_period(), period);
  for (size_t f = 0; f < 3; ++f) EXPECT_EQ(observer.seen[f], period * double(r.frame_last_out_cycles[f] + 1)) << f;
  EXPECT_EQ(sc_core::sc_time_stamp(), period * double(r.frame_last_out_cycles.back() + 1));
}

}  // namespace
}  // namespace vine

// SystemC's main() runs sc_main; one elaboration per process, so one test here.
int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
