#include "sim/trace/gzip_stream.h"

#include <algorithm>
#include <stdexcept>

namespace vine::trace {

GzipStreamBuf::GzipStreamBuf(std::ostream& sink) : sink_(sink), out_(size_t{1} << 18) {
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z_, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
}

GzipStreamBuf::~GzipStreamBuf() { deflateEnd(&z_); }

bool GzipStreamBuf::deflate_input(const char* data, size_t size, int flush) {
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  z_.avail_in = uInt(size);
  int r;
  do {
    z_.next_out = reinterpret_cast<Bytef*>(out_.data());
    z_.avail_out = uInt(out_.size());
    r = deflate(&z_, flush);
    if (r == Z_STREAM_ERROR) return ok_ = false;
    sink_.write(out_.data(), std::streamsize(out_.size() - z_.avail_out));
    if (!sink_) return ok_ = false;
  } while (z_.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
  return ok_;
}

GzipStreamBuf::int_type GzipStreamBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  return ok_ && !finished_ && deflate_input(&ch, 1, Z_NO_FLUSH) ? c : traits_type::eof();
}

std::streamsize GzipStreamBuf::xsputn(const char* s, std::streamsize n) {
  // Large writes in pieces that fit zlib's 32-bit lengths.
  constexpr std::streamsize kPiece = std::streamsize(1) << 30;
  for (std::streamsize done = 0; done < n; done += kPiece)
    if (!ok_ || finished_ || !deflate_input(s + done, size_t(std::min(kPiece, n - done)), Z_NO_FLUSH)) return 0;
  return n;
}

bool GzipStreamBuf::finish() {
  if (finished_) return ok_;
  finished_ = true;
  if (ok_) deflate_input(nullptr, 0, Z_FINISH);
  if (!ok_) sink_.setstate(std::ios::failbit);
  return ok_;
}

}  // namespace vine::trace
