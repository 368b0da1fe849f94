// vine-classify: a driver application, the same source for the virtual
// platform and a board. It loads frames from a file (laid out as the
// accelerator's input DMA reads them: `vine reference DESIGN --write-inputs`
// writes one), runs them through the accelerator in batches, prints each
// frame's output checksum and top-1 class, and the host-visible time per
// batch: buffer writes, register accesses, the accelerator's job and the
// result read-back, as the host's clock sees them (simulated time on the VP).
//
//   vine-classify --target vp:configs/designs/default.yaml --frames-file in.bin
//   VINE_TARGET=uio:/dev/uio0 vine-classify --frames-file in.bin
//
// A compute engine (docs/engine-vp.md) first needs its network image, as
// `vine export engine-image DESIGN -o net.img` writes it:
//
//   vine-classify --target vp:examples/engine/resnet-tiny-zcu104.yaml
//                 --engine-image net.img --frames-file in.bin
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "platforms/driver/vine_driver.hpp"

namespace {

// FNV-1a over the codes as little-endian int32: `vine reference`'s checksum.
uint64_t checksum(const int32_t* codes, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t v = uint32_t(codes[i]);
    for (int b = 0; b < 4; ++b) {
      h ^= (v >> (8 * b)) & 0xFF;
      h *= 1099511628211ull;
    }
  }
  return h;
}

int usage(const char* why) {
  std::fprintf(stderr,
               "vine-classify: %s\n"
               "usage: vine-classify [--target T] --frames-file FILE [--engine-image IMG] [--batch N] "
               "[--classes K] [--wait irq|poll]\n"
               "  --target      vp:DESIGN.yaml[,key=value...] or uio:/dev/uioN (default: "
               "$VINE_TARGET)\n"
               "  --frames-file input frames, as `vine reference DESIGN --write-inputs` writes them\n"
               "  --engine-image a compute engine's network image, as `vine export engine-image` "
               "writes it (required for an engine, refused for a streaming accelerator)\n"
               "  --batch       frames per job (default 8)\n"
               "  --classes     top-1 over the first K outputs (default: all)\n",
               why);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target, file, image, wait = "irq";
  long batch = 8, classes = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(name) + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--target")
        target = value("--target");
      else if (a == "--frames-file")
        file = value("--frames-file");
      else if (a == "--engine-image")
        image = value("--engine-image");
      else if (a == "--batch")
        batch = std::stol(value("--batch"));
      else if (a == "--classes")
        classes = std::stol(value("--classes"));
      else if (a == "--wait")
        wait = value("--wait");
      else if (a == "--help" || a == "-h")
        return usage("runs frames through the accelerator"), 0;
      else
        return usage(("unknown option " + a).c_str());
    } catch (const std::exception& e) {
      return usage(e.what());
    }
  }
  if (file.empty()) return usage("--frames-file is required");
  if (batch < 1 || batch > 1000000) return usage("--batch must be in [1, 10^6]");
  if (wait != "irq" && wait != "poll") return usage("--wait must be irq or poll");

  try {
    vine::Device dev(target);
    const vine_geometry& g = dev.geometry();
    if (dev.kind() == VINE_KIND_ENGINE) {
      if (image.empty()) return usage("the target is a compute engine: give its --engine-image");
      dev.load_engine_image(image);
    } else if (!image.empty()) {
      return usage("--engine-image is for a compute engine; the target is a streaming accelerator");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return usage(("cannot read " + file).c_str());
    const std::vector<uint8_t> frames_bytes((std::istreambuf_iterator<char>(in)),
                                            std::istreambuf_iterator<char>());
    if (frames_bytes.empty() || frames_bytes.size() % g.in_frame_bytes != 0) {
      std::fprintf(stderr,
                   "vine-classify: %s: %zu bytes is not a whole number of %" PRIu64
                   "-byte input frames\n",
                   file.c_str(), frames_bytes.size(), g.in_frame_bytes);
      return 1;
    }
    const uint32_t frames = uint32_t(frames_bytes.size() / g.in_frame_bytes);
    const uint32_t per_job = uint32_t(std::min<long>(batch, frames));
    const uint64_t in_buf = dev.alloc(g.in_frame_bytes * per_job);
    const uint64_t out_buf = dev.alloc(g.out_frame_bytes * per_job);
    const uint64_t outputs = g.out_frame_bytes / g.out.beat_bytes * g.out.lanes;
    const uint64_t k = classes > 0 ? std::min<uint64_t>(uint64_t(classes), outputs) : outputs;

    std::printf("%6s  %-18s  %s\n", "frame", "checksum", "top1");
    std::vector<uint8_t> out_bytes;
    uint64_t total_ns = 0;
    for (uint32_t first = 0; first < frames; first += per_job) {
      const uint32_t n = std::min(per_job, frames - first);
      const uint64_t t0 = dev.time_ns();
      dev.write(in_buf, frames_bytes.data() + size_t(first) * g.in_frame_bytes,
                uint64_t(n) * g.in_frame_bytes);
      dev.start(in_buf, out_buf, n);
      dev.wait(wait == "irq" ? VINE_WAIT_IRQ : VINE_WAIT_POLL);
      out_bytes.resize(size_t(n) * g.out_frame_bytes);
      dev.read(out_buf, out_bytes.data(), out_bytes.size());
      const uint64_t t1 = dev.time_ns();
      total_ns += t1 - t0;
      const std::vector<int32_t> codes = dev.unpack_outputs(out_bytes, n);
      for (uint32_t f = 0; f < n; ++f) {
        const int32_t* c = codes.data() + size_t(f) * outputs;
        uint64_t best = 0;
        for (uint64_t i = 1; i < k; ++i)
          if (c[i] > c[best]) best = i;
        std::printf("%6u  0x%016" PRIx64 "  %" PRIu64 "\n", first + f, checksum(c, outputs),
                    best);
      }
      std::printf("batch of %u frame(s): %.3f us host-visible (%.1f frames/s)\n", n,
                  (t1 - t0) / 1e3, n * 1e9 / double(t1 - t0));
    }
    const vine_counters c = dev.counters();
    std::printf("%u frame(s) in %.3f us host-visible: %.1f frames/s; accelerator busy %" PRIu64
                " cycles, ",
                frames, total_ns / 1e3, frames * 1e9 / double(total_ns), c.cycles_busy);
    if (dev.kind() == VINE_KIND_STREAMING)  // the engine counts no DDR waits (vine_counters_get)
      std::printf("DDR waits %" PRIu64 " cycles, ", c.stall_cycles);
    std::printf("%" PRIu64 " DDR bytes\n", c.ddr_bytes);
  } catch (const vine::Error& e) {
    std::fprintf(stderr, "vine-classify: %s\n", e.what());
    return 2;
  }
  return 0;
}
