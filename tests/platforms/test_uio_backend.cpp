// The board backend (uio_backend.cpp) against a fake UIO device built in a
// temporary directory: a regular file is the device (its first page the
// register window, map 0; the next pages device memory, map 1, as UIO's mmap
// offsets select them), a tree of files stands for sysfs, a Unix socket
// carries the interrupt, and a thread plays the accelerator on its own
// mapping of the same file. Everything goes through the public C API.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "platforms/board/register_map.h"
#include "platforms/driver/vine_driver.h"

namespace {

namespace fs = std::filesystem;
namespace regs = vine::platforms::regs;

constexpr uint32_t kInFrameBytes = 16, kOutFrameBytes = 32;
// In: 4 lanes of unsigned 8-bit codes a beat. Out: 2 lanes of signed 16-bit codes.
constexpr uint32_t kInFormat = 4u << 16 | 8, kOutFormat = 2u << 16 | 1u << 8 | 16;
constexpr uint64_t kRegsAddr = 0xA0000000, kMemAddr = 0x30000000, kMemBytes = 0x10000;
constexpr uint32_t kStart = 1, kGlobalIrq = 4;
constexpr uint32_t kIdle = 1, kBusy = 2, kDone = 4, kError = 8;
constexpr uint32_t kIrqDone = 1, kIrqError = 2;
constexpr uint64_t kSecond = 1000000000;

// The fake's function: input byte b becomes the 16-bit code 3b - 100.
int16_t transform(uint8_t b) {
  return int16_t(3 * b - 100);
}

enum class Mode {
  kWorks,     // a job completes at once
  kOnUnmask,  // a job completes once the driver waits for the interrupt (has unmasked it)
  kHangs,     // a job never completes
  kRefuses,   // every START is refused: FRAMES is 0
};

// The accelerator. It sees register writes after the fact, as changed words
// of the shared mapping: it clears CTRL.START once seen, and takes a changed
// IRQ_STATUS as a W1C write (the driver writes 3, which no raised state
// equals). It cannot answer a write in the cycle it happens, as the block
// does, so each test runs one job per fake (a second START could read the
// first job's DONE), and a refusing fake shows STATUS.ERROR from the outset.
// The interrupt is UIO's: while the line (IRQ_STATUS & IRQ_ENABLE, and
// CTRL.IRQ_GLOBAL_ENABLE) is high and unmasked, the fake sends the event
// count on the socket and masks itself until the driver's next unmask word.
class FakeAccelerator {
 public:
  FakeAccelerator(uint8_t* regs, uint8_t* mem, uint64_t mem_addr, int listen_fd, Mode mode)
      : regs_(regs), mem_(mem), mem_addr_(mem_addr), listen_fd_(listen_fd), mode_(mode) {
    store("ID", regs::kIdValue);
    store("VERSION", regs::kVersionValue);
    store("IN_FRAME_BYTES", kInFrameBytes);
    store("OUT_FRAME_BYTES", kOutFrameBytes);
    store("IN_FORMAT", kInFormat);
    store("OUT_FORMAT", kOutFormat);
    store("STATUS", mode == Mode::kRefuses ? kIdle | kError | regs::kCauseZeroFrames << 8 : kIdle);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeAccelerator() {
    stop_ = true;
    thread_.join();
    if (conn_ >= 0) close(conn_);
  }

  std::atomic<int> unmasks{0}, events{0};
  std::atomic<uint64_t> job_in{0}, job_out{0};
  std::atomic<uint32_t> job_frames{0};
  std::atomic<bool> hang_up{false}, hung_up{false};  // close the interrupt socket, and done

 private:
  uint32_t* word(const char* name) {
    return reinterpret_cast<uint32_t*>(regs_ + regs::offset_of(name));
  }
  uint32_t load(const char* name) { return __atomic_load_n(word(name), __ATOMIC_ACQUIRE); }
  void store(const char* name, uint32_t v) { __atomic_store_n(word(name), v, __ATOMIC_RELEASE); }

  void run() {
    while (!stop_) {
      step();
      pollfd p[2] = {{conn_ < 0 ? listen_fd_ : -1, POLLIN, 0}, {conn_, POLLIN, 0}};
      if (poll(p, 2, 1) <= 0) continue;
      if (p[0].revents & POLLIN) conn_ = accept(listen_fd_, nullptr, nullptr);
      uint32_t w = 0;
      if (p[1].revents & POLLIN) {
        if (recv(conn_, &w, sizeof w, 0) != sizeof w) {
          close(conn_);  // the driver closed its end
          conn_ = -1;
        } else if (w == 1) {
          ++unmasks;
          masked_ = false;
        }
      }
    }
  }

  void step() {
    raise(0);  // takes in a W1C write
    uint32_t ctrl = load("CTRL");
    while ((ctrl & kStart) &&
           !__atomic_compare_exchange_n(word("CTRL"), &ctrl, ctrl & ~kStart, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    }
    if (ctrl & kStart) start_job();
    if (busy_ && (mode_ == Mode::kWorks || (mode_ == Mode::kOnUnmask && unmasks > 0))) finish();
    const bool line = (irq_ & load("IRQ_ENABLE")) && (load("CTRL") & kGlobalIrq);
    if (line && !masked_ && conn_ >= 0) {
      const uint32_t count = uint32_t(++events);
      send(conn_, &count, sizeof count, MSG_NOSIGNAL);
      masked_ = true;
    }
    if (hang_up && conn_ >= 0) {
      close(conn_);
      conn_ = -1;
      hung_up = true;
    }
  }

  void start_job() {
    if (mode_ == Mode::kRefuses) return raise(kIrqError);
    job_in = load("IN_ADDR_LO") | uint64_t(load("IN_ADDR_HI")) << 32;
    job_out = load("OUT_ADDR_LO") | uint64_t(load("OUT_ADDR_HI")) << 32;
    job_frames = load("FRAMES");
    store("STATUS", kBusy);
    busy_ = true;
  }

  void finish() {
    const uint32_t frames = job_frames;
    const uint8_t* in = mem_ + (job_in - mem_addr_);
    uint8_t* out = mem_ + (job_out - mem_addr_);
    for (uint64_t i = 0; i < uint64_t(frames) * kInFrameBytes; ++i) {
      const uint16_t v = uint16_t(transform(in[i]));
      out[2 * i] = uint8_t(v);
      out[2 * i + 1] = uint8_t(v >> 8);
    }
    store("CYCLES_BUSY_LO", 100 * frames);
    store("CYCLES_BUSY_HI", 1);
    store("FRAMES_DONE", load("FRAMES_DONE") + frames);
    store("STALL_CYCLES_LO", 7 * frames);
    store("DDR_BYTES_LO", frames * (kInFrameBytes + kOutFrameBytes));
    store("STATUS", kIdle | kDone);
    busy_ = false;
    raise(kIrqDone);
  }

  // Publishes IRQ_STATUS with `bits` raised, first clearing what a write since
  // the last publication asked to clear.
  void raise(uint32_t bits) {
    uint32_t seen = load("IRQ_STATUS");
    for (;;) {
      if (seen != shown_) irq_ &= ~seen;
      const uint32_t next = irq_ | bits;
      if (__atomic_compare_exchange_n(word("IRQ_STATUS"), &seen, next, false, __ATOMIC_ACQ_REL,
                                      __ATOMIC_ACQUIRE)) {
        irq_ = shown_ = next;
        return;
      }
    }
  }

  uint8_t* regs_;
  uint8_t* mem_;
  uint64_t mem_addr_;
  int listen_fd_, conn_ = -1;
  Mode mode_;
  uint32_t irq_ = 0, shown_ = 0;  // IRQ_STATUS: the fake's, and what the word last showed
  bool busy_ = false, masked_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class UioBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "vine_uio_XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    page_ = uint64_t(sysconf(_SC_PAGESIZE));
    dev_path_ = dir_ + "/uio3";
    map_ = MapFile(dev_path_, page_ + kMemBytes);
    ASSERT_NE(map_, nullptr);
    WriteMap(0, kRegsAddr, regs::kMapBytes);
    WriteMap(1, kMemAddr, kMemBytes);
    sock_ = dir_ + "/irq.sock";
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    ASSERT_LT(sock_.size(), sizeof a.sun_path);
    std::strcpy(a.sun_path, sock_.c_str());
    ASSERT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(listen_fd_, 1), 0);
    base_ = "uio:" + dev_path_ + ",sysfs=" + dir_ + "/sys";
  }
  void TearDown() override {
    vine_close(dev_);
    fake_.reset();
    for (const auto& [p, n] : maps_) munmap(p, n);
    if (listen_fd_ >= 0) close(listen_fd_);
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  // A new file of `bytes` zeros, mapped shared.
  uint8_t* MapFile(const std::string& path, uint64_t bytes) {
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, off_t(bytes)) != 0) return nullptr;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return nullptr;
    maps_.emplace_back(p, bytes);
    return static_cast<uint8_t*>(p);
  }
  // sysfs/uio3/maps/mapN/{addr,size}, printed as the kernel prints them.
  void WriteMap(int n, uint64_t addr, uint64_t size) {
    const fs::path d = fs::path(dir_) / "sys/uio3/maps" / ("map" + std::to_string(n));
    fs::create_directories(d);
    char text[32];
    std::snprintf(text, sizeof text, "0x%016llx\n", static_cast<unsigned long long>(addr));
    std::ofstream(d / "addr") << text;
    std::snprintf(text, sizeof text, "0x%016llx\n", static_cast<unsigned long long>(size));
    std::ofstream(d / "size") << text;
  }
  FakeAccelerator& StartFake(Mode mode, uint8_t* mem = nullptr, uint64_t mem_addr = kMemAddr) {
    fake_ = std::make_unique<FakeAccelerator>(map_, mem ? mem : map_ + page_, mem_addr, listen_fd_,
                                              mode);
    return *fake_;
  }
  void Open(const std::string& options) {
    ASSERT_EQ(vine_open((base_ + options).c_str(), &dev_), VINE_OK) << vine_error(nullptr);
  }
  std::string Error() const { return vine_error(dev_); }

  static std::vector<uint8_t> Input(uint32_t frames) {
    std::vector<uint8_t> v(frames * kInFrameBytes);
    for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(i * 37 + 11);
    return v;
  }
  static std::vector<uint8_t> Expected(const std::vector<uint8_t>& input) {
    std::vector<uint8_t> v;
    for (uint8_t b : input) {
      const uint16_t code = uint16_t(transform(b));
      v.push_back(uint8_t(code));
      v.push_back(uint8_t(code >> 8));
    }
    return v;
  }

  std::string dir_, dev_path_, sock_, base_;
  uint64_t page_ = 0;
  uint8_t* map_ = nullptr;
  int listen_fd_ = -1;
  std::vector<std::pair<void*, uint64_t>> maps_;
  std::unique_ptr<FakeAccelerator> fake_;
  vine_device* dev_ = nullptr;
};

TEST_F(UioBackendTest, RunsAJobAndWaitsForTheInterrupt) {
  FakeAccelerator& fake = StartFake(Mode::kOnUnmask);
  Open(",irq=" + sock_);
  vine_geometry g{};
  ASSERT_EQ(vine_geometry_get(dev_, &g), VINE_OK);
  EXPECT_EQ(
      std::tie(g.in_frame_bytes, g.out_frame_bytes, g.mem_base, g.mem_bytes),
      std::make_tuple(uint64_t{kInFrameBytes}, uint64_t{kOutFrameBytes}, kMemAddr, kMemBytes));
  EXPECT_EQ(std::tie(g.in.lanes, g.in.elem_bits, g.in.is_signed, g.in.beat_bytes),
            std::make_tuple(4u, 8u, 0u, 4u));
  EXPECT_EQ(std::tie(g.out.lanes, g.out.elem_bits, g.out.is_signed, g.out.beat_bytes),
            std::make_tuple(2u, 16u, 1u, 4u));

  constexpr uint32_t kFrames = 3;
  uint64_t in = 0, out = 0;
  ASSERT_EQ(vine_alloc(dev_, kFrames * kInFrameBytes, &in), VINE_OK);
  ASSERT_EQ(vine_alloc(dev_, kFrames * kOutFrameBytes, &out), VINE_OK);
  EXPECT_EQ(in, kMemAddr);
  EXPECT_EQ(out, kMemAddr + 0x1000);
  const std::vector<uint8_t> input = Input(kFrames);
  ASSERT_EQ(vine_write(dev_, in, input.data(), input.size()), VINE_OK);
  EXPECT_EQ(std::memcmp(map_ + page_, input.data(), input.size()), 0);  // map 1 is page 1
  ASSERT_EQ(vine_start(dev_, in, out, kFrames), VINE_OK) << Error();
  ASSERT_EQ(vine_wait(dev_, VINE_WAIT_IRQ, 2 * kSecond), VINE_OK) << Error();
  EXPECT_EQ(std::make_tuple(fake.job_in.load(), fake.job_out.load(), fake.job_frames.load()),
            std::make_tuple(in, out, kFrames));
  EXPECT_EQ(fake.unmasks, 1);  // the one wait: unmask, poll, read the count
  EXPECT_EQ(fake.events, 1);

  std::vector<uint8_t> output(kFrames * kOutFrameBytes);
  ASSERT_EQ(vine_read(dev_, out, output.data(), output.size()), VINE_OK);
  EXPECT_EQ(output, Expected(input));
  uint32_t status = 0;
  ASSERT_EQ(vine_reg_read(dev_, regs::offset_of("STATUS"), &status), VINE_OK);
  EXPECT_EQ(status, kIdle | kDone);
  vine_counters c{};
  ASSERT_EQ(vine_counters_get(dev_, &c), VINE_OK);
  EXPECT_EQ(std::tie(c.cycles_busy, c.frames_done, c.stall_cycles, c.ddr_bytes, c.start_ignored),
            std::make_tuple((uint64_t{1} << 32) + 300, uint64_t{kFrames}, uint64_t{21},
                            uint64_t{144}, 0u));
  vine_close(dev_);
  dev_ = nullptr;
}

TEST_F(UioBackendTest, RunsAJobPollingWithDeviceMemoryFromAFile) {
  const uint64_t kPhys = 0x40000000;
  uint8_t* mem = MapFile(dir_ + "/mem.bin", kMemBytes);
  ASSERT_NE(mem, nullptr);
  FakeAccelerator& fake = StartFake(Mode::kWorks, mem, kPhys);
  Open(",mem=" + dir_ + "/mem.bin,mem_phys=0x40000000,mem_bytes=0x8000");  // no irq= needed
  vine_geometry g{};
  ASSERT_EQ(vine_geometry_get(dev_, &g), VINE_OK);
  EXPECT_EQ(g.mem_base, kPhys);
  EXPECT_EQ(g.mem_bytes, 0x8000u);
  uint64_t in = 0, out = 0, big = 0;
  ASSERT_EQ(vine_alloc(dev_, 2 * kInFrameBytes, &in), VINE_OK);
  ASSERT_EQ(vine_alloc(dev_, 2 * kOutFrameBytes, &out), VINE_OK);
  EXPECT_EQ(vine_alloc(dev_, 0x8000, &big), VINE_ENOMEM);

  const std::vector<uint8_t> input = Input(2);
  ASSERT_EQ(vine_write(dev_, in, input.data(), input.size()), VINE_OK);
  EXPECT_EQ(std::memcmp(mem, input.data(), input.size()), 0);
  vine_set_poll_interval(dev_, 100000);
  ASSERT_EQ(vine_start(dev_, in, out, 2), VINE_OK) << Error();
  ASSERT_EQ(vine_wait(dev_, VINE_WAIT_POLL, 2 * kSecond), VINE_OK) << Error();
  std::vector<uint8_t> output(2 * kOutFrameBytes);
  ASSERT_EQ(vine_read(dev_, out, output.data(), output.size()), VINE_OK);
  EXPECT_EQ(output, Expected(input));
  EXPECT_EQ(fake.unmasks, 0);
  vine_counters c{};
  ASSERT_EQ(vine_counters_get(dev_, &c), VINE_OK);
  EXPECT_EQ(c.frames_done, 2u);
  EXPECT_EQ(c.ddr_bytes, 96u);
  vine_close(dev_);
  dev_ = nullptr;
}

TEST_F(UioBackendTest, TimesOutWhenTheDeviceNeverFinishes) {
  FakeAccelerator& fake = StartFake(Mode::kHangs);
  Open(",irq=" + sock_);
  ASSERT_EQ(vine_start(dev_, kMemAddr, kMemAddr + 0x1000, 1), VINE_OK) << Error();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(vine_wait(dev_, VINE_WAIT_IRQ, 20000000), VINE_ETIMEDOUT);
  EXPECT_EQ(Error(), "vine_wait: the job did not finish within 20000000 ns");
  EXPECT_EQ(vine_wait(dev_, VINE_WAIT_POLL, 5000000), VINE_ETIMEDOUT);
  const auto spent = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(spent, std::chrono::milliseconds(25));
  EXPECT_LT(spent, std::chrono::seconds(2));
  EXPECT_EQ(fake.events, 0);
}

TEST_F(UioBackendTest, ARefusedStartIsADeviceErrorWithItsCause) {
  StartFake(Mode::kRefuses);
  Open(",irq=" + sock_);
  EXPECT_EQ(vine_start(dev_, kMemAddr, kMemAddr + 0x1000, 0), VINE_EDEVICE);
  EXPECT_EQ(Error(), "vine_start: the accelerator refused the job: FRAMES is 0");
  EXPECT_EQ(vine_wait(dev_, VINE_WAIT_IRQ, kSecond), VINE_EDEVICE);
  EXPECT_EQ(Error(), "vine_wait: the job ended in error: FRAMES is 0");
}

TEST_F(UioBackendTest, AClosedInterruptSourceIsAnIoError) {
  FakeAccelerator& fake = StartFake(Mode::kHangs);
  Open(",irq=" + sock_ + ",irq_unmask=0");
  ASSERT_EQ(vine_start(dev_, kMemAddr, kMemAddr + 0x1000, 1), VINE_OK);
  fake.hang_up = true;
  for (int i = 0; i < 2000 && !fake.hung_up; ++i) usleep(1000);
  ASSERT_TRUE(fake.hung_up);
  EXPECT_EQ(vine_wait(dev_, VINE_WAIT_IRQ, kSecond), VINE_EIO);
  EXPECT_EQ(Error(), sock_ +
                         ": reading the interrupt count: end of file (the interrupt source "
                         "closed)");
}

TEST_F(UioBackendTest, RegistersAndMemoryAreCheckedAndCopiedAtAnyAlignment) {
  StartFake(Mode::kHangs);
  Open(",irq=" + sock_);
  uint32_t v = 0;
  ASSERT_EQ(vine_reg_read(dev_, regs::offset_of("VERSION"), &v), VINE_OK);
  EXPECT_EQ(v, regs::kVersionValue);
  EXPECT_EQ(vine_reg_read(dev_, 0xFFC, &v), VINE_OK);  // the window's last word
  EXPECT_EQ(vine_reg_read(dev_, 0x1000, &v), VINE_EINVAL);
  EXPECT_EQ(Error(), dev_path_ +
                         ": register offset 0x1000 is outside the register window (map 0, "
                         "0x1000 bytes)");
  EXPECT_EQ(vine_reg_write(dev_, 0x0E, 1), VINE_EINVAL);
  EXPECT_EQ(Error(), dev_path_ + ": register offset 0xe is not 32-bit aligned");

  const uint8_t text[] = "unaligned, odd length";  // 22 bytes from byte 3: head, words, tail
  ASSERT_EQ(vine_write(dev_, kMemAddr + 3, text, sizeof text), VINE_OK);
  EXPECT_EQ(std::memcmp(map_ + page_ + 3, text, sizeof text), 0);
  uint8_t back[sizeof text] = {};
  ASSERT_EQ(vine_read(dev_, kMemAddr + 3, back, sizeof back), VINE_OK);
  EXPECT_EQ(std::memcmp(back, text, sizeof text), 0);
  EXPECT_EQ(vine_read(dev_, kMemAddr + kMemBytes - 8, back, 16), VINE_EINVAL);
}

TEST_F(UioBackendTest, OpenExplainsWhatIsMissingOrMalformed) {
  StartFake(Mode::kHangs);
  const std::string fifo = dir_ + "/irq.fifo", small = dir_ + "/small.bin";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_NE(MapFile(small, 0x1000), nullptr);
  struct Case {
    std::string target;
    vine_status status;
    std::string says;
  } const cases[] = {
      {"uio:" + dir_ + "/uio9", VINE_EIO, "cannot open " + dir_ + "/uio9: No such file"},
      {"uio:" + dev_path_ + ",sysfs=" + dir_ + "/none", VINE_EIO,
       "cannot open " + dir_ + "/none/uio3/maps/map0/addr: No such file"},
      {"uio:", VINE_EINVAL, "expected uio:/dev/uioN"},
      {base_ + ",colour=blue", VINE_EINVAL, "option 'colour': expected sysfs, mem,"},
      {base_ + ",irq", VINE_EINVAL, "option 'irq': expected key=value"},
      {base_ + ",mem=", VINE_EINVAL, "option 'mem=': expected a value"},
      {base_ + ",mem_bytes=12x", VINE_EINVAL, "mem_bytes is '12x': expected a number"},
      {base_ + ",irq_unmask=2", VINE_EINVAL, "irq_unmask is '2': expected 0 or 1"},
      {base_ + ",mem_bytes=0x20000", VINE_EINVAL, "mem_bytes=131072 exceeds map 1"},
      {base_ + ",mem=" + small, VINE_EINVAL, "needs mem_phys=ADDR"},
      {base_ + ",mem=" + small + ",mem_phys=0,mem_bytes=0x2000", VINE_EINVAL,
       small + " is 4096 bytes, expected at least 8192"},
      {base_ + ",irq=" + fifo, VINE_EINVAL, "is a FIFO: its unmask writes"},
      {base_ + ",irq=" + dir_ + "/none", VINE_EIO, "cannot open irq=" + dir_ + "/none"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    vine_device* dev = nullptr;
    EXPECT_EQ(vine_open(c.target.c_str(), &dev), c.status);
    EXPECT_EQ(dev, nullptr);
    EXPECT_NE(std::string(vine_error(nullptr)).find(c.says), std::string::npos)
        << vine_error(nullptr);
  }
  // A FIFO without unmask words is a usable interrupt source.
  Open(",irq=" + fifo + ",irq_unmask=0");
  EXPECT_STREQ(vine_error(nullptr), "no device");
  vine_close(dev_);
  dev_ = nullptr;
  // Not a Vine accelerator.
  const uint32_t other = 0x12345678;
  std::memcpy(map_ + regs::offset_of("ID"), &other, sizeof other);
  vine_device* dev = nullptr;
  EXPECT_EQ(vine_open(base_.c_str(), &dev), VINE_EIO);
  EXPECT_NE(std::string(vine_error(nullptr)).find("ID register reads 0x12345678"),
            std::string::npos)
      << vine_error(nullptr);
}

}  // namespace
