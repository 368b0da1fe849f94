#include "sim/data/npy.h"

#include <cctype>
#include <fstream>
#include <iterator>
#include <limits>

namespace vine::data {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;

struct Dtype {
  const char* descr;
  const char* name;
  int bytes;
  bool is_signed;
};
// numpy writes one-byte types with '|' (no byte order) and wider ones with
// '<' on little-endian machines; other spellings are refused.
const Dtype kDtypes[] = {{"|i1", "int8", 1, true},
                         {"|u1", "uint8", 1, false},
                         {"<i2", "int16", 2, true},
                         {"<i4", "int32", 4, true},
                         {"<i8", "int64", 8, true}};

const Dtype* find_dtype(const std::string& descr) {
  for (const Dtype& d : kDtypes)
    if (descr == d.descr) return &d;
  return nullptr;
}

// The header is a Python dict literal with exactly the keys 'descr',
// 'fortran_order' and 'shape'. This parser reads that much Python and no more.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& file) : s_(text), file_(file) {}

  void parse(NpyArray& a, bool& fortran_order) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        if (have_descr) fail("'descr' given twice");
        a.descr = string_literal();
        have_descr = true;
      } else if (key == "fortran_order") {
        if (have_fortran) fail("'fortran_order' given twice");
        fortran_order = boolean();
        have_fortran = true;
      } else if (key == "shape") {
        if (have_shape) fail("'shape' given twice");
        a.shape = shape_tuple();
        have_shape = true;
      } else {
        fail("unknown header key '" + key + "' (expected descr, fortran_order, shape)");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_space();
      if (peek() != '}') fail("expected ',' or '}' in the header");
    }
    expect('}');
    skip_space();
    if (pos_ != s_.size()) fail("text after the header's dict");
    if (!have_descr || !have_fortran || !have_shape)
      fail("the header lacks " + std::string(!have_descr ? "'descr'" : !have_fortran ? "'fortran_order'" : "'shape'"));
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw NpyError(file_ + ": malformed .npy header: " + what); }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n')) ++pos_;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(std::string("expected '") + c + "' at byte " + std::to_string(pos_) + " of the header");
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    const char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string at byte " + std::to_string(pos_) + " of the header");
    const size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string v = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return v;
  }
  bool boolean() {
    skip_space();
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("'fortran_order' must be True or False");
  }
  std::vector<int64_t> shape_tuple() {
    std::vector<int64_t> shape;
    expect('(');
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("a shape holds non-negative integers");
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) fail("a dimension too large");
        v = v * 10 + (s_[pos_++] - '0');
      }
      shape.push_back(v);
      skip_space();
      if (peek() == ',') ++pos_;
      else if (peek() != ')') fail("expected ',' or ')' in the shape");
    }
    expect(')');
    return shape;
  }

  const std::string& s_;
  const std::string& file_;
  size_t pos_ = 0;
};

uint64_t read_le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

void write_npy(std::ostream& out, const char* descr, int bytes, const std::vector<int64_t>& shape,
               const std::vector<int64_t>& values) {
  NpyArray shaped;
  shaped.shape = shape;
  const std::string shape_text = shaped.shape_string();
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape_text + ", }";
  // Version 1.0: magic, 2 version bytes, 2 length bytes; the data starts on a
  // 64-byte boundary, the header padded with spaces and ended by a newline.
  const size_t prefix = kMagicBytes + 4;
  const size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  out.write(kMagic, kMagicBytes);
  const unsigned char version_and_length[4] = {1, 0, static_cast<unsigned char>(header.size() & 0xff),
                                               static_cast<unsigned char>(header.size() >> 8)};
  out.write(reinterpret_cast<const char*>(version_and_length), 4);
  out << header;
  std::vector<char> buf(values.size() * size_t(bytes));
  for (size_t i = 0; i < values.size(); ++i)
    for (int b = 0; b < bytes; ++b) buf[i * size_t(bytes) + size_t(b)] = char(uint64_t(values[i]) >> (8 * b) & 0xff);
  out.write(buf.data(), std::streamsize(buf.size()));
}

}  // namespace

int64_t NpyArray::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string NpyArray::shape_string() const {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::string NpyArray::dtype_name() const {
  const Dtype* d = find_dtype(descr);
  return d ? d->name : descr;
}

bool has_npy_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char m[kMagicBytes];
  return in.read(m, kMagicBytes) && std::string(m, kMagicBytes) == std::string(kMagic, kMagicBytes);
}

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NpyError(path + ": cannot open the file");
  return read_npy(in, path);
}

NpyArray read_npy(std::istream& in, const std::string& name) {
  unsigned char pre[kMagicBytes + 2];
  if (!in.read(reinterpret_cast<char*>(pre), sizeof pre) ||
      std::string(reinterpret_cast<char*>(pre), kMagicBytes) != std::string(kMagic, kMagicBytes))
    throw NpyError(name + ": not a .npy file (it does not start with the magic string \\x93NUMPY)");
  const int major = pre[kMagicBytes], minor = pre[kMagicBytes + 1];
  if (major < 1 || major > 3 || minor != 0)
    throw NpyError(name + ": .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " is not supported (expected 1.0, 2.0 or 3.0)");
  // 1.0 gives the header's length in 2 bytes, 2.0 and 3.0 in 4.
  const int length_bytes = major == 1 ? 2 : 4;
  unsigned char len[4];
  if (!in.read(reinterpret_cast<char*>(len), length_bytes)) throw NpyError(name + ": truncated in the .npy header");
  const uint64_t header_len = read_le(len, length_bytes);
  if (header_len > (1u << 20)) throw NpyError(name + ": .npy header of " + std::to_string(header_len) + " bytes, too long");
  std::string header(header_len, '\0');
  if (!in.read(header.data(), std::streamsize(header_len))) throw NpyError(name + ": truncated in the .npy header");
  NpyArray a;
  bool fortran_order = false;
  HeaderParser(header, name).parse(a, fortran_order);
  if (fortran_order)
    throw NpyError(name + ": fortran_order is True; Vine reads C-order arrays only (numpy.ascontiguousarray before saving)");
  const Dtype* dt = find_dtype(a.descr);
  if (!dt)
    throw NpyError(name + ": dtype '" + a.descr +
                   "' is not supported (expected little-endian int8, uint8, int16, int32 or int64: "
                   "'|i1', '|u1', '<i2', '<i4', '<i8')");
  int64_t n = 1;
  for (int64_t d : a.shape) {
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / 8 / d)
      throw NpyError(name + ": shape " + a.shape_string() + " is too large");
    n *= d;
  }
  const uint64_t data_bytes = uint64_t(n) * uint64_t(dt->bytes);
  // Read at most what the shape needs, in blocks, so that a lying header
  // costs no more memory than the file holds.
  std::vector<unsigned char> data;
  std::vector<unsigned char> block(1 << 16);
  while (data.size() < data_bytes) {
    const size_t want = size_t(std::min<uint64_t>(block.size(), data_bytes - data.size()));
    in.read(reinterpret_cast<char*>(block.data()), std::streamsize(want));
    data.insert(data.end(), block.begin(), block.begin() + in.gcount());
    if (size_t(in.gcount()) < want) break;
  }
  if (data.size() < data_bytes)
    throw NpyError(name + ": truncated: shape " + a.shape_string() + " of " + dt->name + " needs " +
                   std::to_string(data_bytes) + " data bytes, the file holds " + std::to_string(data.size()));
  if (in.peek() != std::char_traits<char>::eof())
    throw NpyError(name + ": bytes after the data of shape " + a.shape_string() + " of " + dt->name);
  a.values.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    uint64_t v = read_le(&data[size_t(i) * size_t(dt->bytes)], dt->bytes);
    if (dt->is_signed && dt->bytes < 8 && (v >> (8 * dt->bytes - 1) & 1)) v |= ~uint64_t{0} << (8 * dt->bytes);
    a.values[size_t(i)] = int64_t(v);
  }
  return a;
}

void write_npy_int32(std::ostream& out, const std::vector<int64_t>& shape, const std::vector<int32_t>& values) {
  write_npy(out, "<i4", 4, shape, std::vector<int64_t>(values.begin(), values.end()));
}

void write_npy_int64(std::ostream& out, const std::vector<int64_t>& shape, const std::vector<int64_t>& values) {
  write_npy(out, "<i8", 8, shape, values);
}

void write_npy_narrowest(std::ostream& out, const std::vector<int64_t>& shape, const std::vector<int64_t>& values) {
  int bytes = 1;
  for (int64_t v : values)
    while (bytes < 8 && (v < -(int64_t{1} << (8 * bytes - 1)) || v >= (int64_t{1} << (8 * bytes - 1)))) bytes *= 2;
  static const char* const descr[] = {"", "|i1", "<i2", "", "<i4", "", "", "", "<i8"};
  write_npy(out, descr[bytes], bytes, shape, values);
}

}  // namespace vine::data
