// The serial link model (models/link/, docs/links.md): its slots and payload
// rate against closed forms, native flow control losing words when its
// threshold leaves too little headroom and none when it leaves enough, and
// go-back-N delivering every word once and in order under injected errors,
// with the exact number of resends an error pattern costs.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include "models/link/crc32.h"
#include "models/link/serial_link.h"

namespace vine::models {
namespace {

// A word's lanes carry its index and a mix of it: any loss, duplicate,
// reorder or undetected corruption shows up as a mismatch.
uint64_t lane_value(int64_t word, int lane) {
  uint64_t z = uint64_t(word) * 0x9E3779B97F4A7C15ull + uint64_t(lane) * 0xD1B54A32D192ED03ull;
  return z ^ (z >> 29);
}

struct Harness {
  SerialLink link;
  int64_t pushed = 0, popped = 0, mismatches = 0;
  explicit Harness(const LinkConfig& c) : link(c) {}

  // Runs cycles until `total` words are through (or `max_cycles`); the
  // producer offers words while the transmit FIFO has room, the consumer
  // takes one when `take(cycle)` says so.
  void run(int64_t total, int64_t max_cycles, const std::function<bool(int64_t)>& take) {
    std::vector<uint64_t> w(size_t(link.lanes()));
    while (popped < total && link.cycle() < max_cycles) {
      while (pushed < total && link.can_push()) {
        for (int l = 0; l < link.lanes(); ++l) w[size_t(l)] = lane_value(pushed, l);
        link.push(w.data());
        ++pushed;
      }
      link.step();
      while (link.can_pop() && take(link.cycle())) {
        for (int l = 0; l < link.lanes(); ++l)
          if (link.front()[l] != lane_value(popped, l)) {
            ++mismatches;
            break;
          }
        link.pop();
        ++popped;
      }
    }
  }
};

auto always = [](int64_t) { return true; };

LinkConfig no_gaps() {
  LinkConfig c;
  c.gearbox_period = 0;
  c.cc_period = 0;
  return c;
}

TEST(LinkConfig, SixtyFourOfSixtySixBitsAndClockCompensation) {
  LinkConfig c;  // 4 lanes at 25.78125 Gb/s
  EXPECT_DOUBLE_EQ(c.user_clock_mhz(), 402.83203125);
  // The gearbox pause alone leaves 32 slots in 33: line rate x 64/66.
  LinkConfig g = c;
  g.cc_period = 0;
  const int64_t n = 33 * 1000;
  EXPECT_EQ(g.slots_before(n), 32 * 1000);
  EXPECT_DOUBLE_EQ(4 * g.line_rate_gbps * double(g.slots_before(n)) / double(n), 100.0);
  // With frames of F words, F in F + 1 slots carry data.
  g.frame_words = 99;
  EXPECT_NEAR(g.payload_gbps(), 99.0, 1e-9);
}

TEST(LinkConfig, SlotsInClosedFormMatchTheCycleByCycleCount) {
  for (const auto& [gp, cp, cc] : std::vector<std::tuple<int, int, int>>{
           {33, 4992, 8}, {0, 4992, 8}, {33, 0, 0}, {5, 12, 3}, {4, 12, 3}, {7, 7 * 3, 6}}) {
    LinkConfig c;
    c.gearbox_period = gp;
    c.cc_period = cp;
    c.cc_cycles = cc;
    int64_t count = 0;
    for (int64_t n = 0; n <= 70000; ++n) {
      ASSERT_EQ(c.slots_before(n), count) << gp << " " << cp << " " << cc << " n=" << n;
      count += !c.is_gap(n);
    }
  }
}

TEST(LinkConfig, CheckNamesTheField) {
  LinkConfig c;
  EXPECT_EQ(c.check(), "");
  c.lanes = 17;
  EXPECT_NE(c.check().find("lanes"), std::string::npos);
  c = LinkConfig{};
  c.xoff_words = c.rx_fifo_words + 1;
  EXPECT_NE(c.check().find("xoff_words"), std::string::npos);
  c = LinkConfig{};
  c.bit_error_rate = 1.5;
  EXPECT_NE(c.check().find("bit_error_rate"), std::string::npos);
  EXPECT_THROW(SerialLink{c}, std::invalid_argument);
}

TEST(Crc32, TheStandardCheckValue) {
  // CRC-32/ISO-HDLC of "123456789" is 0xCBF43926; fed as one 64-bit word
  // ("12345678") and then '9' alone is not the same framing, so check the
  // word form against a byte-by-byte reference computed here.
  Crc32 crc;
  crc.add(uint64_t(0x3837363534333231ull));  // "12345678", least significant byte first
  uint32_t r = 0xFFFFFFFFu;
  for (char ch : std::string("12345678")) {
    r ^= uint8_t(ch);
    for (int k = 0; k < 8; ++k) r = (r & 1) ? 0xEDB88320u ^ (r >> 1) : r >> 1;
  }
  EXPECT_EQ(crc.value(), ~r);
  // ... and the check value itself, for "12345678" + "9" + 7 zero bytes, by the same loop.
  r = 0xFFFFFFFFu;
  for (char ch : std::string("123456789")) {
    r ^= uint8_t(ch);
    for (int k = 0; k < 8; ++k) r = (r & 1) ? 0xEDB88320u ^ (r >> 1) : r >> 1;
  }
  EXPECT_EQ(~r, 0xCBF43926u);
}

TEST(SerialLink, AWordAloneTakesTheLatencyAndItsTrailer) {
  LinkConfig c = no_gaps();
  Harness h(c);
  h.run(1, 1000, always);
  ASSERT_EQ(h.popped, 1);
  // Sent in cycle 0, its frame closed by the trailer in cycle 1, which
  // arrives L cycles later: the word is checked and delivered then.
  EXPECT_EQ(h.link.stats().latency_min, c.latency_cycles() + 1);
  EXPECT_EQ(h.link.stats().latency_max, c.latency_cycles() + 1);
  EXPECT_EQ(c.latency_cycles(), 46 + 3);  // 1 m at 5 ns/m is 2.01 user cycles, rounded up
}

TEST(SerialLink, SaturatedLinkDeliversTheClosedFormWordCount) {
  for (int frame : {1, 16, 64}) {
    LinkConfig c;  // gearbox and clock compensation on
    c.frame_words = frame;
    c.rx_fifo_words = 1 << 16;
    c.xoff_words = 1 << 15;
    c.replay_frames = 4096;  // more than a round trip of frames: never waits for an ACK
    Harness h(c);
    const int64_t cycles = 30000;
    h.run(1 << 30, cycles, always);
    // Every slot carries a block and every frame is full: trailers sent by
    // cycle t are floor(slots(t + 1) / (F + 1)); each arrives L cycles later
    // and releases F words.
    const int64_t expected =
        int64_t(frame) * (c.slots_before(cycles - c.latency_cycles()) / (frame + 1));
    EXPECT_EQ(h.link.stats().words_out, expected) << "frame " << frame;
    EXPECT_EQ(h.mismatches, 0);
    EXPECT_EQ(h.link.stats().data_blocks + h.link.stats().trailer_blocks,
              c.slots_before(cycles));
  }
}

TEST(SerialLink, GoBackNResendsExactlyTheFramesSentInTheRoundTrip) {
  LinkConfig c = no_gaps();
  c.frame_words = 16;
  c.corrupt_transmissions = {3, 40, 41 + 200};
  c.rx_fifo_words = 1 << 16;
  c.xoff_words = 1 << 15;
  const int64_t words = 16 * 400;
  Harness h(c);
  h.run(words, 1 << 20, always);
  EXPECT_EQ(h.popped, words);
  EXPECT_EQ(h.mismatches, 0);
  const LinkStats& s = h.link.stats();
  // A bad trailer sent in cycle t reaches the receiver at t + L, whose NAK
  // reaches the transmitter at t + 2L; frames begun before then (the one in
  // progress finishes) are sent again with the bad one.
  const int S = c.frame_words + 1;
  const int64_t wasted = (c.frame_words + 2 * c.latency_cycles() - 1) / S;
  EXPECT_EQ(s.crc_errors, 3);
  EXPECT_EQ(s.naks, 3);
  EXPECT_EQ(s.frames_resent, 3 * (wasted + 1));
  EXPECT_EQ(s.frames_discarded, 3 * wasted);
  EXPECT_EQ(s.frames_sent, words / 16 + s.frames_resent);
  EXPECT_EQ(s.timeouts, 0);
  EXPECT_EQ(s.words_lost, 0);
}

TEST(SerialLink, RandomBitErrorsAreCorrectedAndRepeatableBySeed) {
  auto run = [](uint64_t seed, bool retransmit, int64_t burst_every) {
    LinkConfig c;
    c.lanes = 1;
    c.frame_words = 16;
    c.bit_error_rate = burst_every ? 0 : 2e-5;
    c.burst_every_bits = burst_every;
    c.burst_bits = burst_every ? 5 : 0;
    c.error_seed = seed;
    c.retransmission = retransmit;
    Harness h(c);
    h.run(40000, 1 << 22, always);
    return std::make_pair(h.link.stats(), h.mismatches);
  };
  const auto [a, bad_a] = run(7, true, 0);
  EXPECT_GT(a.crc_errors, 10);
  EXPECT_EQ(bad_a, 0);                  // every word once, in order, intact
  EXPECT_EQ(a.words_out, 40000);
  EXPECT_GE(a.frames_resent, a.crc_errors);
  const auto [b, bad_b] = run(7, true, 0);  // the same seed, the same pattern
  EXPECT_EQ(b.crc_errors, a.crc_errors);
  EXPECT_EQ(b.frames_resent, a.frames_resent);
  EXPECT_EQ(b.cycles, a.cycles);
  const auto [d, bad_d] = run(8, true, 0);
  EXPECT_NE(d.bits_flipped, a.bits_flipped);
  // Without retransmission the CRC still sees the errors, and corrupted words arrive.
  const auto [e, bad_e] = run(7, false, 0);
  EXPECT_GT(e.crc_errors, 10);
  EXPECT_GT(bad_e, 0);
  // Bursts of five flipped bits every 20000 bits.
  const auto [f, bad_f] = run(1, true, 20000);
  EXPECT_EQ(bad_f, 0);
  EXPECT_GE(f.crc_errors, f.bits_flipped / 5 / 2);
  EXPECT_GT(f.crc_errors, 0);
}

// The consumer takes nothing for 20000 cycles, then a word every 4th cycle.
auto stalled_consumer = [](int64_t cycle) { return cycle > 20000 && cycle % 4 == 0; };

TEST(SerialLink, FlowControlThresholdWithoutHeadroomLosesWords) {
  LinkConfig c;
  c.retransmission = false;
  c.rx_fifo_words = 4096;
  c.xoff_words = c.rx_fifo_words - 1;
  c.xon_words = 1024;
  Harness h(c);
  h.run(20000, 200000, stalled_consumer);
  EXPECT_GT(h.link.stats().words_lost, 0);
  EXPECT_EQ(h.link.stats().xoff_events, 1);
}

TEST(SerialLink, FlowControlThresholdWithHeadroomLosesNone) {
  LinkConfig c;
  c.retransmission = false;
  c.rx_fifo_words = 4096;
  c.xoff_words = c.rx_fifo_words - c.xoff_headroom_words();
  c.xon_words = 1024;
  Harness h(c);
  h.run(20000, 200000, stalled_consumer);
  const LinkStats& s = h.link.stats();
  EXPECT_EQ(s.words_lost, 0);
  EXPECT_EQ(h.popped, 20000);
  EXPECT_EQ(h.mismatches, 0);
  EXPECT_LE(s.rx_peak_words, c.rx_fifo_words);
  // The words in flight when XOFF went out did arrive: at least a one-way trip's worth.
  EXPECT_GE(s.rx_peak_words, c.xoff_words + c.latency_cycles());
  EXPECT_GE(s.xoff_events, 1);
  EXPECT_GT(s.xoff_cycles, 10000);
}

TEST(SerialLink, HeadroomBoundsTheOvershootOverFramesCablesAndConsumers) {
  // The receive FIFO never holds more than xoff_words + the headroom, for
  // any frame size, cable, retransmission setting and consumer pattern tried.
  for (int frame : {1, 7, 64})
    for (double cable : {0.0, 20.0})
      for (bool retransmit : {false, true})
        for (int period : {2, 3, 9}) {
          LinkConfig c;
          c.frame_words = frame;
          c.cable_m = cable;
          c.retransmission = retransmit;
          c.replay_frames = 256;
          c.rx_fifo_words = 1024;
          c.xoff_words = c.rx_fifo_words - c.xoff_headroom_words();
          c.xon_words = c.xoff_words / 2;
          Harness h(c);
          // Bursts of consumption between long pauses, at 1/period.
          h.run(30000, 1 << 21,
                [&](int64_t cy) { return (cy / 3000) % 2 == 1 && cy % period == 0; });
          const LinkStats& s = h.link.stats();
          SCOPED_TRACE(testing::Message() << "frame " << frame << " cable " << cable
                                          << " retransmit " << retransmit << " period " << period);
          EXPECT_EQ(h.popped, 30000);
          EXPECT_EQ(h.mismatches, 0);
          EXPECT_EQ(s.words_lost, 0);
          EXPECT_EQ(s.overflow_frames, 0);
          EXPECT_LE(s.rx_peak_words, c.xoff_words + c.xoff_headroom_words());
          EXPECT_GT(s.xoff_events, 1);
        }
}

TEST(SerialLink, WithoutFlowControlRetransmissionRecoversOverflow) {
  LinkConfig c;
  c.flow_control = false;
  c.rx_fifo_words = 4096;
  Harness h(c);
  h.run(20000, 400000, stalled_consumer);
  const LinkStats& s = h.link.stats();
  EXPECT_GT(s.overflow_frames, 0);
  EXPECT_EQ(s.words_lost, 0);
  EXPECT_EQ(h.popped, 20000);
  EXPECT_EQ(h.mismatches, 0);
}

}  // namespace
}  // namespace vine::models
