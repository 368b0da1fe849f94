// The protocol-buffers wire format, as much of it as a Perfetto trace needs
// (sim/trace/traces.cpp writes one for `--perfetto F.pftrace`): a message is a
// run of fields, each a key (field number << 3 | wire type) as a varint
// followed by a varint value (wire type 0) or a varint length and that many
// bytes (wire type 2: strings and nested messages). Written by hand since
// the trace uses a handful of fields and the project has no protobuf
// dependency; a nested message is assembled in its own buffer first, as its
// length comes before it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vine::trace {

class ProtoMessage {
 public:
  void clear() { bytes_.clear(); }
  const std::string& bytes() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }

  // An integer field (uint32/uint64/int32/int64/bool/enum: all varints; a
  // negative int64 takes ten bytes, as the format has it).
  ProtoMessage& varint(uint32_t field, uint64_t v) {
    key(field, 0);
    put_varint(v);
    return *this;
  }
  // A string or bytes field, or a nested message's encoding.
  ProtoMessage& bytes(uint32_t field, std::string_view s) {
    key(field, 2);
    put_varint(s.size());
    bytes_.append(s);
    return *this;
  }
  ProtoMessage& message(uint32_t field, const ProtoMessage& m) { return bytes(field, m.bytes_); }

 private:
  void key(uint32_t field, uint32_t wire_type) { put_varint(uint64_t(field) << 3 | wire_type); }
  void put_varint(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(char((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes_.push_back(char(v));
  }

  std::string bytes_;
};

}  // namespace vine::trace
