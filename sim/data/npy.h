// NumPy's .npy file format, as far as Vine exchanges integer arrays with
// training tools: input frames, output codes, weights and thresholds
// (docs/data.md). A strict reader and a writer of our own: format versions
// 1.0, 2.0 and 3.0, C order only, little-endian integer dtypes only.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace vine::data {

// A problem with a .npy file; the message starts with the file's path.
class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NpyArray {
  std::string descr;           // as the header gives it: '|i1', '|u1', '<i2', '<i4' or '<i8'
  std::vector<int64_t> shape;  // empty for a 0-d array
  std::vector<int64_t> values; // every element, C order, widened to int64

  int64_t elements() const;
  // "(2, 28, 28, 1)", as Python prints a shape.
  std::string shape_string() const;
  // "int8", "uint8", "int16", "int32" or "int64".
  std::string dtype_name() const;
};

// Whether the file starts with the .npy magic string (\x93NUMPY); false for
// a file that cannot be read.
bool has_npy_magic(const std::string& path);

// Reads a whole .npy file. Throws NpyError naming the file and the problem:
// bad magic, unknown version, malformed header, fortran_order True, a dtype
// other than the integer ones above, a data size that is not the shape's
// (truncated or with trailing bytes).
NpyArray read_npy(const std::string& path);
NpyArray read_npy(std::istream& in, const std::string& name);

// Writes a C-order int32 array as a version 1.0 .npy file.
void write_npy_int32(std::ostream& out, const std::vector<int64_t>& shape, const std::vector<int32_t>& values);
// The same for int64 (thresholds).
void write_npy_int64(std::ostream& out, const std::vector<int64_t>& shape, const std::vector<int64_t>& values);
// The narrowest of int8, int16, int32, int64 that holds every value (weights
// of a few bits take one byte each).
void write_npy_narrowest(std::ostream& out, const std::vector<int64_t>& shape, const std::vector<int64_t>& values);

}  // namespace vine::data
