// Little-endian packing of the messages a link's two ends send each other
// when they run in two processes (link_stage.cpp) and of the batches that
// carry them between ranks (sim/run/distributed_run.cpp). Every host Vine
// runs on is little-endian, so a value is its bytes as they are in memory.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace vine::models {

template <typename T>
void put_bytes(std::vector<uint8_t>& b, T v) {
  const size_t at = b.size();
  b.resize(at + sizeof(T));
  std::memcpy(b.data() + at, &v, sizeof(T));
}

// Reads values in order; a read past the end throws, naming `what`.
struct ByteReader {
  const uint8_t* p;
  size_t n;
  const char* what;  // "link stage", "distributed run": the error's prefix
  size_t at = 0;
  template <typename T>
  T get() {
    if (at + sizeof(T) > n) throw std::runtime_error(std::string(what) + ": a truncated message");
    T v;
    std::memcpy(&v, p + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
};

}  // namespace vine::models
