// A gzip (RFC 1952) ostream over another ostream, for a trace named *.gz:
// ui.perfetto.dev and chrome://tracing both open gzip-compressed JSON, and a
// MobileNet frame's timeline shrinks about fifteenfold (docs/simulation.md,
// "Traces"). Fast compression (level 1): the trace is written once.
#pragma once

#include <zlib.h>

#include <ostream>
#include <streambuf>
#include <vector>

namespace vine::trace {

class GzipStreamBuf final : public std::streambuf {
 public:
  explicit GzipStreamBuf(std::ostream& sink);
  ~GzipStreamBuf() override;
  GzipStreamBuf(const GzipStreamBuf&) = delete;
  GzipStreamBuf& operator=(const GzipStreamBuf&) = delete;
  // Compresses what is buffered and writes the gzip trailer; false (and the
  // sink's failbit set) on an error. Called once, before the sink is closed.
  bool finish();

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  bool deflate_input(const char* data, size_t size, int flush);

  std::ostream& sink_;
  z_stream z_{};
  std::vector<char> out_;
  bool ok_ = true, finished_ = false;
};

// An ostream that gzips into `sink`; finish() ends the gzip member.
class GzipOstream final : public std::ostream {
 public:
  explicit GzipOstream(std::ostream& sink) : std::ostream(nullptr), buf_(sink) { rdbuf(&buf_); }
  bool finish() { return buf_.finish(); }

 private:
  GzipStreamBuf buf_;
};

}  // namespace vine::trace
