#include "platforms/driver/engine_image_reader.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "platforms/driver/backend.h"
#include "platforms/driver/engine_image_format.h"

namespace vine::driver {

namespace fmt = engine_image;

namespace {

// A cursor over the file's bytes that names what it could not read.
class Reader {
 public:
  Reader(const std::string& path, const std::vector<uint8_t>& bytes) : path_(path), b_(bytes) {}

  uint64_t u(int bytes, const std::string& field) {
    need(uint64_t(bytes), field);
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t(b_[pos_ + size_t(i)]) << (8 * i);
    pos_ += size_t(bytes);
    return v;
  }
  std::vector<uint8_t> take(uint64_t n, const std::string& field) {
    need(n, field);
    std::vector<uint8_t> out(b_.begin() + std::ptrdiff_t(pos_), b_.begin() + std::ptrdiff_t(pos_ + n));
    pos_ += size_t(n);
    return out;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw DriverError(VINE_EINVAL, path_ + ": " + what);
  }
  uint64_t at() const { return pos_; }
  uint64_t left() const { return b_.size() - pos_; }

 private:
  void need(uint64_t n, const std::string& field) const {
    if (n > left())
      fail("truncated at byte " + std::to_string(pos_) + ": " + field + " needs " + std::to_string(n) +
           " bytes, the file has " + std::to_string(left()) + " more (expected a compute engine's "
           "network image, as `vine export engine-image` writes it)");
  }
  const std::string& path_;
  const std::vector<uint8_t>& b_;
  size_t pos_ = 0;
};

}  // namespace

EngineImage read_engine_image(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw DriverError(VINE_EINVAL, path + ": no such regular file (expected a compute engine's "
                                          "network image, as `vine export engine-image` writes it)");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw DriverError(VINE_EINVAL, path + ": cannot open the file");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Reader r(path, bytes);
  const std::vector<uint8_t> magic = r.take(sizeof fmt::kMagic, "the magic");
  if (std::memcmp(magic.data(), fmt::kMagic, sizeof fmt::kMagic) != 0)
    r.fail("not a compute engine's network image (its first 8 bytes are not \"VENGIMG\\0\"; "
           "`vine export engine-image` writes one)");
  if (const uint64_t v = r.u(4, "the format version"); v != fmt::kVersion)
    r.fail("format version " + std::to_string(v) + ", this driver reads version " +
           std::to_string(fmt::kVersion));
  EngineImage im;
  im.descriptor_bytes = uint32_t(r.u(4, "the descriptor bytes"));
  im.layers = uint32_t(r.u(4, "the layer count"));
  const uint64_t segments = r.u(4, "the segment count");
  im.image_bytes = r.u(8, "the image bytes");
  im.table_offset = r.u(8, "the table offset");
  im.in_frame_bytes = r.u(8, "the input frame bytes");
  im.out_frame_bytes = r.u(8, "the output frame bytes");
  im.config_id = uint32_t(r.u(4, "the configuration id"));
  if (const uint64_t v = r.u(4, "the reserved word"); v != 0)
    r.fail("the reserved word at byte 60 is " + std::to_string(v) + ", expected 0");
  if (im.descriptor_bytes < fmt::kWeightsField + 8)
    r.fail("descriptor bytes " + std::to_string(im.descriptor_bytes) + ": expected at least " +
           std::to_string(fmt::kWeightsField + 8));
  if (im.layers == 0) r.fail("no layers: expected at least one descriptor");
  const uint64_t table_bytes = uint64_t(im.layers) * im.descriptor_bytes;
  if (im.table_offset > im.image_bytes || table_bytes > im.image_bytes - im.table_offset)
    r.fail("the table [" + std::to_string(im.table_offset) + ", +" + std::to_string(table_bytes) +
           ") does not lie inside the image's " + std::to_string(im.image_bytes) + " bytes");
  for (uint32_t i = 0; i < im.layers; ++i) {
    const uint32_t bits = uint32_t(r.u(4, "layer " + std::to_string(i) + "'s relocation bits"));
    if (bits & ~fmt::kRelocateAll)
      r.fail("layer " + std::to_string(i) + "'s relocation bits " + std::to_string(bits) +
             ": expected a value below 16 (bits 0 to 3)");
    im.relocations.push_back(bits);
  }
  im.table = r.take(table_bytes, "the descriptor table");
  for (uint64_t s = 0; s < segments; ++s) {
    const std::string name = "segment " + std::to_string(s);
    EngineImage::Segment seg;
    seg.offset = r.u(8, name + "'s offset");
    const uint64_t n = r.u(8, name + "'s size");
    if (seg.offset > im.image_bytes || n > im.image_bytes - seg.offset)
      r.fail(name + " [" + std::to_string(seg.offset) + ", +" + std::to_string(n) +
             ") does not lie inside the image's " + std::to_string(im.image_bytes) + " bytes");
    seg.bytes = r.take(n, name + "'s bytes");
    im.segments.push_back(std::move(seg));
  }
  if (r.left())
    r.fail(std::to_string(r.left()) + " bytes after the last segment (at byte " + std::to_string(r.at()) +
           "): expected the file to end there");
  return im;
}

std::vector<uint8_t> relocated_table(const EngineImage& image, uint64_t base) {
  std::vector<uint8_t> t = image.table;
  const struct {
    uint32_t bit, offset;
  } fields[] = {{fmt::kRelocateInput, fmt::kInputField},
                {fmt::kRelocateInput2, fmt::kInput2Field},
                {fmt::kRelocateOutput, fmt::kOutputField},
                {fmt::kRelocateWeights, fmt::kWeightsField}};
  for (uint32_t i = 0; i < image.layers; ++i)
    for (const auto& f : fields) {
      if (!(image.relocations[i] & f.bit)) continue;
      uint8_t* p = t.data() + size_t(i) * image.descriptor_bytes + f.offset;
      uint64_t v = 0;
      for (int b = 0; b < 8; ++b) v |= uint64_t(p[b]) << (8 * b);
      v += base;
      for (int b = 0; b < 8; ++b) p[b] = uint8_t(v >> (8 * b));
    }
  return t;
}

}  // namespace vine::driver
