// The driver's backend for a board: the accelerator reached from Linux user
// space through UIO. Target string: uio:/dev/uioN[,key=value...], options:
//   sysfs=DIR       the UIO class directory (default /sys/class/uio; tests give a fake tree)
//   mem=PATH        device memory from PATH (mapped from offset 0) instead of the UIO
//                   device's map 1: a u-dma-buf device (/dev/udmabufN) or, in tests, a file
//   mem_phys=ADDR   the accelerator's (DDR) address of device memory's first byte
//                   (default map1/addr; required with mem=)
//   mem_bytes=N     how much of it vine_alloc may hand out (default map1/size or, with
//                   mem=, the file's size; required with mem= of a device)
//   irq=PATH        the interrupt from PATH instead of the UIO device: a Unix stream socket,
//                   a FIFO or another character device
//   irq_unmask=0|1  whether wait_irq first writes the unmask word (default 1)
//
// Why it is done this way:
// - Registers are UIO's map 0, which mmap selects by offset 0 x page size (UIO
//   picks map N at offset N x page size). Each access is one aligned 32-bit
//   volatile load or store: AXI-Lite carries 32-bit data, the block decodes
//   whole words, and accesses have side effects (reading a counter's LO
//   latches its HI), so none may be merged, split, dropped or reordered. A
//   barrier orders them against the CPU's memory accesses, as Linux's
//   readl/writel do: buffer contents are in memory before START, and STATUS
//   is read before the results. A bad offset is refused, not a SIGBUS.
// - The interrupt follows UIO's protocol: writing a 4-byte 1 to the device
//   unmasks the interrupt (the kernel masks it when it fires, since the level
//   line stays high until software clears IRQ_STATUS), poll() waits with the
//   timeout, and read() returns the 4-byte count of interrupts so far.
//   Unmasking first means an interrupt already pending is delivered at once.
//   The register side (IRQ_ENABLE, acknowledging IRQ_STATUS) is the driver's,
//   and it rereads STATUS after every wake-up, so a stale event is harmless.
//   With irq=PATH the unmask words go to PATH: a socket's other end (a test's
//   fake device) receives them as the kernel would; a FIFO would read its own
//   words back as events, so a FIFO requires irq_unmask=0, as does a UIO
//   driver without irqcontrol.
// - The accelerator's DMAs address DDR physically, so its buffers must be
//   physically contiguous memory the kernel does not use, at a known
//   address. Either declare that region as the UIO device's second map (a
//   reserved-memory region listed in the device-tree node's reg): mem_base()
//   is then map1/addr. Or allocate it with u-dma-buf and give
//   mem=/dev/udmabufN,mem_phys=<its phys_addr>,mem_bytes=<its size>; it is
//   opened with O_SYNC, which u-dma-buf maps uncached, so the accelerator
//   sees what the CPU wrote without cache maintenance. UIO maps physical
//   memory uncached too (Device memory on Arm), where an unaligned access
//   faults: copies to and from device memory use aligned accesses only.
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "platforms/driver/backend.h"

namespace vine::driver {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string errno_text() {
  return std::strerror(errno);
}

// Orders the CPU's memory accesses against a register access (Linux's
// readl/writel barriers): outer shareable, where the accelerator is, on Arm.
inline void io_barrier() {
#if defined(__aarch64__) || defined(__arm__)
  asm volatile("dmb osh" ::: "memory");
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

uint64_t parse_number(const std::string& text, const std::string& what, vine_status s) {
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0)
    throw DriverError(s, what + " is '" + text + "': expected a number (decimal or 0x hex)");
  return v;
}

// A sysfs attribute holding one number, such as maps/map0/size ("0x1000\n").
uint64_t read_sysfs_number(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DriverError(VINE_EIO, "cannot open " + path + ": " + errno_text());
  char buf[64] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  const int err = errno;
  ::close(fd);
  if (n < 0) throw DriverError(VINE_EIO, "cannot read " + path + ": " + std::strerror(err));
  std::string text(buf, size_t(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return parse_number(text, path, VINE_EIO);
}

struct Mapping {
  void* map = MAP_FAILED;
  size_t map_bytes = 0;
  uint8_t* base = nullptr;  // the region's first byte: `map` plus its offset in the page
};

// `bytes` of `fd` from `page_offset` (a page multiple) plus `in_page`, shared.
// A regular file must be long enough: touching a page past its end is a SIGBUS.
Mapping map_region(int fd, const std::string& path, const std::string& what, off_t page_offset,
                   uint64_t in_page, uint64_t bytes) {
  if (bytes == 0) throw DriverError(VINE_EINVAL, what + " of " + path + " has size 0");
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      uint64_t(st.st_size) < uint64_t(page_offset) + in_page + bytes)
    throw DriverError(VINE_EINVAL, what + ": " + path + " is " + std::to_string(st.st_size) +
                                       " bytes, expected at least " +
                                       std::to_string(uint64_t(page_offset) + in_page + bytes));
  Mapping m;
  m.map_bytes = size_t(in_page + bytes);
  m.map = ::mmap(nullptr, m.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page_offset);
  if (m.map == MAP_FAILED)
    throw DriverError(VINE_EIO, "cannot mmap " + what + " (" + path + ", " +
                                    std::to_string(m.map_bytes) + " bytes at offset " +
                                    hex(uint64_t(page_offset)) + "): " + errno_text());
  m.base = static_cast<uint8_t*>(m.map) + in_page;
  return m;
}

void unmap(Mapping& m) {
  if (m.map != MAP_FAILED) ::munmap(m.map, m.map_bytes);
  m = Mapping{};
}

class UioBackend final : public Backend {
 public:
  explicit UioBackend(const std::string& spec);
  ~UioBackend() override { release(); }
  UioBackend(const UioBackend&) = delete;
  UioBackend& operator=(const UioBackend&) = delete;

  uint32_t read32(uint32_t offset) override {
    const uint32_t v = *reg(offset);
    io_barrier();
    return v;
  }
  void write32(uint32_t offset, uint32_t value) override {
    volatile uint32_t* r = reg(offset);
    io_barrier();
    *r = value;
  }
  void mem_write(uint64_t addr, const void* src, uint64_t bytes) override;
  void mem_read(uint64_t addr, void* dst, uint64_t bytes) override;
  uint64_t mem_base() const override { return mem_phys_; }
  uint64_t mem_bytes() const override { return mem_bytes_; }
  bool wait_irq(uint64_t timeout_ns) override;
  void idle(uint64_t ns) override {
    timespec ts{time_t(ns / 1000000000), long(ns % 1000000000)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
  }
  uint64_t now_ns() override {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000 + uint64_t(ts.tv_nsec);
  }

 private:
  volatile uint32_t* reg(uint32_t offset) const;
  volatile uint8_t* mem_at(const char* what, uint64_t addr, uint64_t bytes) const;
  void open_irq(const std::string& path);
  void release();

  std::string dev_path_, irq_path_;
  int dev_fd_ = -1, mem_fd_ = -1, irq_fd_ = -1;  // irq_fd_ may be dev_fd_
  bool irq_is_socket_ = false, unmask_ = true;
  std::string irq_unusable_;  // why wait_irq cannot work, when it cannot
  Mapping regs_, mem_;
  uint64_t regs_bytes_ = 0, mem_phys_ = 0, mem_bytes_ = 0;
};

UioBackend::UioBackend(const std::string& spec) {
  const size_t comma = spec.find(',');
  dev_path_ = spec.substr(0, comma);
  const auto opts = comma == std::string::npos ? std::map<std::string, std::string>{}
                                               : parse_options(spec.substr(comma + 1));
  if (dev_path_.empty())
    throw DriverError(VINE_EINVAL,
                      "target 'uio:" + spec + "': expected uio:/dev/uioN[,key=value...]");
  for (const auto& [key, value] : opts) {
    if (key != "sysfs" && key != "mem" && key != "mem_phys" && key != "mem_bytes" && key != "irq" &&
        key != "irq_unmask")
      throw DriverError(VINE_EINVAL, "uio target option '" + key +
                                         "': expected sysfs, mem, mem_phys, mem_bytes, irq or "
                                         "irq_unmask");
    if (value.empty())
      throw DriverError(VINE_EINVAL, "uio target option '" + key + "=': expected a value");
  }
  auto opt = [&](const char* key) { return opts.count(key) ? opts.at(key) : std::string(); };
  auto number = [&](const char* key) { return parse_number(opt(key), key, VINE_EINVAL); };
  const std::string sysfs = opts.count("sysfs") ? opt("sysfs") : "/sys/class/uio";
  const std::string mem_path = opt("mem");
  if (opts.count("irq_unmask") && opt("irq_unmask") != "0" && opt("irq_unmask") != "1")
    throw DriverError(VINE_EINVAL, "irq_unmask is '" + opt("irq_unmask") + "': expected 0 or 1");
  unmask_ = opt("irq_unmask") != "0";
  const bool has_phys = opts.count("mem_phys"), has_bytes = opts.count("mem_bytes");
  const uint64_t phys = has_phys ? number("mem_phys") : 0;
  const uint64_t bytes = has_bytes ? number("mem_bytes") : 0;
  if (!mem_path.empty() && !has_phys)
    throw DriverError(VINE_EINVAL, "mem=" + mem_path +
                                       " needs mem_phys=ADDR, the accelerator's address of its "
                                       "first byte (u-dma-buf: its phys_addr attribute)");
  try {
    dev_fd_ = ::open(dev_path_.c_str(), O_RDWR | O_CLOEXEC);
    if (dev_fd_ < 0)
      throw DriverError(VINE_EIO, "cannot open " + dev_path_ + ": " + errno_text() +
                                      " (expected a UIO device, /dev/uioN)");
    // sysfs knows the device by its name: that of the file a udev symlink points to.
    char* real = ::realpath(dev_path_.c_str(), nullptr);
    std::string name = real ? real : dev_path_;
    std::free(real);
    name = name.substr(name.rfind('/') + 1);
    const std::string maps = sysfs + "/" + name + "/maps/";
    const uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));

    const uint64_t regs_addr = read_sysfs_number(maps + "map0/addr");
    regs_bytes_ = read_sysfs_number(maps + "map0/size");
    regs_ = map_region(dev_fd_, dev_path_, "the register window (map 0)", 0, regs_addr % page,
                       regs_bytes_);

    if (mem_path.empty()) {
      const uint64_t map1_addr = read_sysfs_number(maps + "map1/addr");
      const uint64_t map1_bytes = read_sysfs_number(maps + "map1/size");
      if (has_bytes && bytes > map1_bytes)
        throw DriverError(VINE_EINVAL, "mem_bytes=" + std::to_string(bytes) + " exceeds map 1 of " +
                                           dev_path_ + ", " + std::to_string(map1_bytes) +
                                           " bytes");
      mem_phys_ = has_phys ? phys : map1_addr;
      mem_bytes_ = has_bytes ? bytes : map1_bytes;
      mem_ = map_region(dev_fd_, dev_path_, "device memory (map 1)", off_t(page), map1_addr % page,
                        mem_bytes_);
    } else {
      mem_fd_ = ::open(mem_path.c_str(), O_RDWR | O_SYNC | O_CLOEXEC);
      if (mem_fd_ < 0)
        throw DriverError(VINE_EIO, "cannot open mem=" + mem_path + ": " + errno_text());
      struct stat st {};
      const bool regular = ::fstat(mem_fd_, &st) == 0 && S_ISREG(st.st_mode);
      if (!has_bytes && !regular)
        throw DriverError(VINE_EINVAL, "mem=" + mem_path + " needs mem_bytes=N, its usable size");
      mem_phys_ = phys;
      mem_bytes_ = has_bytes ? bytes : uint64_t(st.st_size);
      mem_ = map_region(mem_fd_, mem_path, "device memory (mem=)", 0, 0, mem_bytes_);
    }
    open_irq(opt("irq"));
  } catch (...) {
    release();
    throw;
  }
}

void UioBackend::open_irq(const std::string& path) {
  irq_path_ = path.empty() ? dev_path_ : path;
  struct stat st {};
  if (path.empty()) {
    if (::fstat(dev_fd_, &st) == 0 && S_ISREG(st.st_mode))
      irq_unusable_ = dev_path_ + " is a regular file, not a UIO device: give irq=PATH";
    else
      irq_fd_ = dev_fd_;
    return;
  }
  if (::stat(path.c_str(), &st) != 0)
    throw DriverError(VINE_EIO, "cannot open irq=" + path + ": " + errno_text());
  if (S_ISSOCK(st.st_mode)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
      throw DriverError(VINE_EINVAL, "irq=" + path + ": a socket path must be shorter than " +
                                         std::to_string(sizeof addr.sun_path) + " bytes");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    irq_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (irq_fd_ < 0 || ::connect(irq_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw DriverError(VINE_EIO, "cannot connect to irq=" + path + ": " + errno_text());
    irq_is_socket_ = true;
    return;
  }
  if (S_ISREG(st.st_mode))
    throw DriverError(VINE_EINVAL, "irq=" + path +
                                       " is a regular file: expected a UIO device, a FIFO or a "
                                       "Unix socket");
  if (S_ISFIFO(st.st_mode) && unmask_)
    throw DriverError(VINE_EINVAL, "irq=" + path +
                                       " is a FIFO: its unmask writes would read back as events; "
                                       "give irq_unmask=0");
  // Read-write: a FIFO so opened never reports end of file between writers (Linux).
  irq_fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (irq_fd_ < 0) throw DriverError(VINE_EIO, "cannot open irq=" + path + ": " + errno_text());
}

void UioBackend::release() {
  unmap(regs_);
  unmap(mem_);
  if (irq_fd_ >= 0 && irq_fd_ != dev_fd_) ::close(irq_fd_);
  if (mem_fd_ >= 0) ::close(mem_fd_);
  if (dev_fd_ >= 0) ::close(dev_fd_);
  irq_fd_ = mem_fd_ = dev_fd_ = -1;
}

volatile uint32_t* UioBackend::reg(uint32_t offset) const {
  if (offset % 4 != 0)
    throw DriverError(VINE_EINVAL,
                      dev_path_ + ": register offset " + hex(offset) + " is not 32-bit aligned");
  if (uint64_t(offset) + 4 > regs_bytes_)
    throw DriverError(VINE_EINVAL, dev_path_ + ": register offset " + hex(offset) +
                                       " is outside the register window (map 0, " +
                                       hex(regs_bytes_) + " bytes)");
  return reinterpret_cast<volatile uint32_t*>(regs_.base + offset);
}

volatile uint8_t* UioBackend::mem_at(const char* what, uint64_t addr, uint64_t bytes) const {
  if (addr < mem_phys_ || addr - mem_phys_ > mem_bytes_ || bytes > mem_bytes_ - (addr - mem_phys_))
    throw DriverError(VINE_EINVAL, std::string(what) + ": [" + hex(addr) + ", +" +
                                       std::to_string(bytes) + ") is outside device memory [" +
                                       hex(mem_phys_) + ", +" + std::to_string(mem_bytes_) + ")");
  return mem_.base + (addr - mem_phys_);
}

// Aligned accesses only on the device side: bytes up to an 8-byte boundary,
// then 8-byte words, then the last bytes.
void UioBackend::mem_write(uint64_t addr, const void* src, uint64_t bytes) {
  volatile uint8_t* d = mem_at("mem_write", addr, bytes);
  const auto* s = static_cast<const uint8_t*>(src);
  for (; bytes && uintptr_t(d) % 8; --bytes) *d++ = *s++;
  for (; bytes >= 8; bytes -= 8, d += 8, s += 8) {
    uint64_t w;
    std::memcpy(&w, s, 8);
    *reinterpret_cast<volatile uint64_t*>(d) = w;
  }
  for (; bytes; --bytes) *d++ = *s++;
}

void UioBackend::mem_read(uint64_t addr, void* dst, uint64_t bytes) {
  const volatile uint8_t* s = mem_at("mem_read", addr, bytes);
  auto* d = static_cast<uint8_t*>(dst);
  for (; bytes && uintptr_t(s) % 8; --bytes) *d++ = *s++;
  for (; bytes >= 8; bytes -= 8, d += 8, s += 8) {
    const uint64_t w = *reinterpret_cast<const volatile uint64_t*>(s);
    std::memcpy(d, &w, 8);
  }
  for (; bytes; --bytes) *d++ = *s++;
}

bool UioBackend::wait_irq(uint64_t timeout_ns) {
  if (irq_fd_ < 0) throw DriverError(VINE_EINVAL, irq_unusable_);
  if (unmask_) {
    const uint32_t one = 1;
    // A socket whose other end has gone answers EPIPE rather than killing us with SIGPIPE.
    const ssize_t n = irq_is_socket_ ? ::send(irq_fd_, &one, sizeof one, MSG_NOSIGNAL)
                                     : ::write(irq_fd_, &one, sizeof one);
    if (n != ssize_t(sizeof one))
      throw DriverError(VINE_EIO, irq_path_ + ": the unmask write (a 4-byte 1) failed: " +
                                      (n < 0 ? errno_text() : "short write") +
                                      " (irq_unmask=0 if the UIO driver has no irqcontrol)");
  }
  const uint64_t t0 = now_ns();
  const uint64_t deadline = timeout_ns > UINT64_MAX - t0 ? UINT64_MAX : t0 + timeout_ns;
  pollfd p{irq_fd_, POLLIN, 0};
  for (;;) {
    const uint64_t now = now_ns(), left = deadline > now ? deadline - now : 0;
    const uint64_t secs = std::min<uint64_t>(left / 1000000000, INT_MAX);
    const timespec ts{time_t(secs), long(left % 1000000000)};
    const int r = ::ppoll(&p, 1, &ts, nullptr);
    if (r == 0) return false;
    if (r > 0) break;
    if (errno != EINTR) throw DriverError(VINE_EIO, irq_path_ + ": poll failed: " + errno_text());
  }
  uint32_t count = 0;
  ssize_t n;
  do n = ::read(irq_fd_, &count, sizeof count);
  while (n < 0 && errno == EINTR);
  if (n == ssize_t(sizeof count)) return true;
  throw DriverError(VINE_EIO,
                    irq_path_ + ": reading the interrupt count: " +
                        (n < 0    ? errno_text()
                         : n == 0 ? std::string("end of file (the interrupt source closed)")
                                  : "short read of " + std::to_string(n) + " bytes, expected 4"));
}

}  // namespace

std::unique_ptr<Backend> make_uio_backend(const std::string& spec) {
  return std::make_unique<UioBackend>(spec);
}

}  // namespace vine::driver
