// An ONNX model as `vine import` needs it: the graph's nodes with their
// attributes, the initializers as numbers, the graph's inputs and outputs
// with their shapes, and FINN's data-type annotations (the
// `quantization_annotation` entries whose key is `finn_datatype`).
//
// Read with ONNX's own protobuf classes (Debian's libonnx-dev,
// libonnx_proto), which the golden reference's conformance test already
// links; docs/coming-from-finn.md says why.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vine::import {

struct OnnxAttribute {
  enum class Kind { kInt, kInts, kString, kFloat, kFloats, kOther } kind = Kind::kOther;
  int64_t i = 0;
  std::vector<int64_t> ints;
  std::string s;
  double f = 0;
  std::vector<double> floats;
  std::string text() const;  // the value as it reads in an error message
};

struct OnnxNode {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::map<std::string, OnnxAttribute> attributes;
  bool has(const std::string& a) const { return attributes.count(a) != 0; }
};

// An initializer, its elements widened to double (float32 and every integer
// type up to int64 hold their values exactly in a double up to 2^53).
struct OnnxTensor {
  std::vector<int64_t> shape;
  std::vector<double> values;  // C order
  int64_t elements() const;
};

struct OnnxValueInfo {
  std::string name;
  std::vector<int64_t> shape;  // -1 for a dimension without a fixed value
};

struct OnnxModel {
  std::string path;
  std::string graph_name;
  std::vector<OnnxNode> nodes;  // in the file's (topological) order
  std::map<std::string, OnnxTensor> initializers;
  std::vector<OnnxValueInfo> inputs, outputs;   // graph inputs that are not initializers
  std::map<std::string, std::string> finn_datatypes;  // tensor -> "INT2", "BIPOLAR", ...
};

// Throws ImportError naming the file when it cannot be read or parsed, or
// when an initializer has a type or layout it cannot read.
OnnxModel read_onnx_model(const std::string& path);

}  // namespace vine::import
