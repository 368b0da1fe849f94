// The control block driven over its real TLM socket, as driver software
// drives it: the interrupt rises at the exact cycle the job's last output
// beat is in memory; STATUS, W1C, counters; back-to-back jobs, a START while
// busy, a RESET mid-job, a job of zero frames, a buffer outside DDR, an
// unmapped access and a write to a read-only register, each with the exact
// expected status. One sc_start per process: ctest runs each test alone.
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdlib>
#include <functional>
#include <systemc>
#include <tlm>
#include <vector>

#include "platforms/board/control_registers.h"

namespace vine::platforms {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;
using namespace regs;

const sc_time kClock(10, SC_NS);
constexpr uint64_t kDdrBase = 0x8000'0000, kDdrBytes = 512ull << 20;
constexpr uint64_t kInFrame = 3072, kOutFrame = 128;

// A job takes `cycles_per_frame` x frames + 7 cycles from its START; RESET
// cancels it.
class FakeRunner : public sc_core::sc_module, public JobRunner {
 public:
  ControlRegisters* regs = nullptr;
  int64_t cycles_per_frame = 1000;
  std::vector<Job> jobs;
  int aborts = 0;
  uint64_t frames_done = 0;
  SC_HAS_PROCESS(FakeRunner);
  explicit FakeRunner(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  void start_job(const Job& j) override {
    jobs.push_back(j);
    started_at_ = sc_core::sc_time_stamp();
    aborted_ = false;
    start_.notify(sc_core::SC_ZERO_TIME);
  }
  void abort_job() override {
    ++aborts;
    aborted_ = true;
    abort_.notify(sc_core::SC_ZERO_TIME);
  }
  Counters counters() const override { return {frames_done, 11, 4096}; }

 private:
  void run() {
    for (;;) {
      wait(start_);
      const Job j = jobs.back();
      const sc_time done = started_at_ + kClock * double(cycles_per_frame * j.frames + 7);
      wait(done - sc_core::sc_time_stamp(), abort_);
      if (aborted_) continue;
      frames_done += j.frames;
      regs->job_done();
    }
  }
  sc_core::sc_event start_, abort_;
  sc_time started_at_;
  bool aborted_ = false;
};

// The driver side: blocking register accesses over a TLM socket, each
// waiting out its annotated delay.
class Host : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Host> socket;
  std::function<void(Host&)> program;
  SC_HAS_PROCESS(Host);
  explicit Host(sc_core::sc_module_name n) : sc_module(n), socket("socket") { SC_THREAD(run); }

  tlm::tlm_response_status access(bool write, uint64_t addr, uint32_t& value) {
    tlm::tlm_generic_payload p;
    p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(addr);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    p.set_data_length(4);
    p.set_streaming_width(4);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(p, delay);
    wait(delay);
    return p.get_response_status();
  }
  uint32_t rd(const char* reg) {
    uint32_t v = 0;
    EXPECT_EQ(access(false, offset_of(reg), v), tlm::TLM_OK_RESPONSE) << reg;
    return v;
  }
  void wr(const char* reg, uint32_t v) {
    EXPECT_EQ(access(true, offset_of(reg), v), tlm::TLM_OK_RESPONSE) << reg;
  }
  int64_t cycle() const { return int64_t(sc_core::sc_time_stamp() / kClock); }

 private:
  void run() { program(*this); }
};

// Times the interrupt line rose and fell, in cycles.
class IrqProbe : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> irq;
  std::vector<int64_t> rises, falls;
  SC_HAS_PROCESS(IrqProbe);
  explicit IrqProbe(sc_core::sc_module_name n) : sc_module(n), irq("irq") {
    SC_METHOD(edge);
    sensitive << irq;
    dont_initialize();
  }

 private:
  void edge() {
    (irq.read() ? rises : falls).push_back(int64_t(sc_core::sc_time_stamp() / kClock));
  }
};

struct Bench {
  FakeRunner runner{"runner"};
  ControlRegisters regs;
  Host host{"host"};
  IrqProbe probe{"probe"};
  sc_core::sc_signal<bool> line{"irq_line"};
  Bench() : regs("regs", {kClock, kDdrBase, kDdrBytes, kInFrame, kOutFrame, 1}, runner) {
    runner.regs = &regs;
    host.socket.bind(regs.socket);
    regs.irq.bind(line);
    probe.irq.bind(line);
  }
};

constexpr uint32_t kStart = 1, kReset = 2, kGie = 4;

void program_job(Host& h, uint32_t frames, uint64_t in = kDdrBase,
                 uint64_t out = kDdrBase + (64ull << 20)) {
  h.wr("IN_ADDR_LO", uint32_t(in));
  h.wr("IN_ADDR_HI", uint32_t(in >> 32));
  h.wr("OUT_ADDR_LO", uint32_t(out));
  h.wr("OUT_ADDR_HI", uint32_t(out >> 32));
  h.wr("FRAMES", frames);
  h.wr("IRQ_ENABLE", 3);
}

TEST(ControlRegisters, InterruptRisesAtTheCycleTheJobIsDone) {
  Bench b;
  int64_t started = -1, seen_busy = -1;
  b.host.program = [&](Host& h) {
    EXPECT_EQ(h.rd("ID"), kIdValue);
    EXPECT_EQ(h.rd("VERSION"), kVersionValue);
    EXPECT_EQ(h.rd("STATUS"), 1u);  // idle
    program_job(h, 3);
    started = h.cycle();  // the START write takes effect at this cycle
    h.wr("CTRL", kStart | kGie);
    seen_busy = h.rd("STATUS");
    wait(b.probe.irq.posedge_event());
    EXPECT_EQ(h.rd("STATUS"), 1u | 4u);  // idle, done
    EXPECT_EQ(h.rd("IRQ_STATUS"), 1u);
    EXPECT_EQ(h.rd("CYCLES_BUSY_LO"), 3u * 1000 + 7);
    EXPECT_EQ(h.rd("CYCLES_BUSY_HI"), 0u);
    EXPECT_EQ(h.rd("FRAMES_DONE"), 3u);
    EXPECT_EQ(h.rd("DDR_BYTES_LO"), 4096u);
    h.wr("IRQ_STATUS", 1);  // write 1 to clear: the line falls
    EXPECT_EQ(h.rd("IRQ_STATUS"), 0u);
  };
  sc_core::sc_start();
  EXPECT_EQ(seen_busy, 2);
  ASSERT_EQ(b.runner.jobs.size(), 1u);
  EXPECT_EQ(b.runner.jobs[0].frames, 3u);
  EXPECT_EQ(b.runner.jobs[0].in_addr, kDdrBase);
  ASSERT_EQ(b.probe.rises.size(), 1u);
  EXPECT_EQ(b.probe.rises[0], started + 3 * 1000 + 7);
  ASSERT_EQ(b.probe.falls.size(), 1u);
}

TEST(ControlRegisters, BackToBackJobsAndAStartWhileBusy) {
  Bench b;
  std::vector<int64_t> starts;
  b.host.program = [&](Host& h) {
    program_job(h, 2);
    starts.push_back(h.cycle());
    h.wr("CTRL", kStart | kGie);
    wait(kClock * 100.0);
    h.wr("CTRL", kStart | kGie);  // busy: ignored and counted
    EXPECT_EQ(h.rd("START_IGNORED"), 1u);
    wait(b.probe.irq.posedge_event());
    h.wr("IRQ_STATUS", 1);
    h.wr("FRAMES", 1);
    starts.push_back(h.cycle());
    h.wr("CTRL", kStart | kGie);    // the next job, right after the first
    EXPECT_EQ(h.rd("STATUS"), 2u);  // busy: DONE cleared by START
    wait(b.probe.irq.posedge_event());
    EXPECT_EQ(h.rd("CYCLES_BUSY_LO"), 2u * 1000 + 7 + 1000 + 7);
    EXPECT_EQ(h.rd("FRAMES_DONE"), 3u);
  };
  sc_core::sc_start();
  ASSERT_EQ(b.runner.jobs.size(), 2u);
  ASSERT_EQ(b.probe.rises.size(), 2u);
  EXPECT_EQ(b.probe.rises[0], starts[0] + 2007);
  EXPECT_EQ(b.probe.rises[1], starts[1] + 1007);
}

TEST(ControlRegisters, ResetMidJobAbandonsItWithoutAnInterrupt) {
  Bench b;
  b.host.program = [&](Host& h) {
    program_job(h, 5);
    h.wr("CTRL", kStart | kGie);
    wait(kClock * 500.0);
    EXPECT_EQ(h.rd("STATUS"), 2u);
    EXPECT_GE(h.rd("CYCLES_BUSY_LO"), 500u);
    h.wr("CTRL", kReset);
    EXPECT_EQ(h.rd("STATUS"), 1u);
    EXPECT_EQ(h.rd("CYCLES_BUSY_LO"), 0u);
    EXPECT_EQ(h.rd("CTRL"), 0u);  // RESET reads 0, and the write cleared IRQ_GLOBAL_ENABLE
    wait(kClock * 10000.0);       // past when the job would have ended
    EXPECT_EQ(h.rd("IRQ_STATUS"), 0u);
  };
  sc_core::sc_start();
  EXPECT_EQ(b.runner.aborts, 1);
  EXPECT_TRUE(b.probe.rises.empty());
}

TEST(ControlRegisters, RefusedStartsSetErrorWithItsCause) {
  Bench b;
  b.host.program = [&](Host& h) {
    auto refused = [&](uint32_t cause) {
      h.wr("IRQ_STATUS", 3);
      h.wr("CTRL", kStart | kGie);
      EXPECT_EQ(h.rd("STATUS"), 1u | 8u | (cause << 8)) << "cause " << cause;  // idle, error, cause
      EXPECT_EQ(h.rd("IRQ_STATUS"), 2u) << "cause " << cause;
    };
    program_job(h, 0);
    refused(kCauseZeroFrames);
    program_job(h, 4, kDdrBase - 4096);  // input before DDR
    refused(kCauseInputOutsideDdr);
    program_job(h, 4, kDdrBase + kDdrBytes - 4 * kInFrame + 1);  // the last frame runs past the end
    refused(kCauseInputOutsideDdr);
    program_job(h, 4, kDdrBase, 0xFFFF'FFFF'FFFF'FF00ull);  // wraps past 2^64
    refused(kCauseOutputOutsideDdr);
    program_job(h, 4, kDdrBase + kDdrBytes - 4 * kInFrame);  // exactly fits
    h.wr("IRQ_STATUS", 3);
    h.wr("CTRL", kStart | kGie);
    EXPECT_EQ(h.rd("STATUS"), 2u);  // busy
  };
  sc_core::sc_start();
  EXPECT_EQ(b.runner.jobs.size(), 1u);
  // Each refused START raised the error interrupt once.
  EXPECT_EQ(b.probe.rises.size(), 5u);
}

TEST(ControlRegisters, BadAccessesGetTlmErrorsAndChangeNothing) {
  Bench b;
  b.host.program = [&](Host& h) {
    uint32_t v = 0x1234;
    EXPECT_EQ(h.access(false, 0x03C, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // a hole in the map
    EXPECT_EQ(h.access(true, 0x800, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(h.access(false, 0x1000, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // past the window
    EXPECT_EQ(h.access(false, offset_of("CTRL") + 1, v),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);  // unaligned
    v = 0;
    EXPECT_EQ(h.access(true, offset_of("STATUS"), v), tlm::TLM_COMMAND_ERROR_RESPONSE);
    v = 7;
    EXPECT_EQ(h.access(true, offset_of("ID"), v), tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(h.rd("ID"), kIdValue);
    EXPECT_EQ(h.rd("STATUS"), 1u);
    // A 64-bit access is not AXI-Lite.
    tlm::tlm_generic_payload p;
    uint64_t wide = 0;
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(0);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&wide));
    p.set_data_length(8);
    p.set_streaming_width(8);
    sc_time d = sc_core::SC_ZERO_TIME;
    h.socket->b_transport(p, d);
    EXPECT_EQ(p.get_response_status(), tlm::TLM_BURST_ERROR_RESPONSE);
  };
  sc_core::sc_report_handler::set_actions("vine/registers", sc_core::SC_WARNING,
                                          sc_core::SC_DO_NOTHING);
  sc_core::sc_start();
  EXPECT_TRUE(b.runner.jobs.empty());
}

}  // namespace
}  // namespace vine::platforms

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
