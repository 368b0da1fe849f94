#include "sim/cli/frame_files.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "sim/data/npy.h"
#include "sim/engine/engine_tiling.h"
#include "sim/ir/stage_plan.h"

namespace vine::cli {

namespace {

// Whether only fc layers read the network input: they take a frame as one
// vector, so a flat (features) layout is unambiguous.
bool fc_only_input(const ir::Network& net) {
  for (const auto& l : net.layers)
    for (int idx : l.input_index)
      if (idx < 0 && l.kind != ir::LayerKind::kFc) return false;
  return true;
}

std::string shape_text(const ir::Shape& s) {
  return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ", " + std::to_string(s.c) + ")";
}

std::string type_text(const ir::ActivationType& t) {
  return std::string(t.kind == ir::ActivationKind::kBipolar ? "bipolar"
                     : t.kind == ir::ActivationKind::kSigned ? std::to_string(t.bits) + "-bit signed"
                                                             : std::to_string(t.bits) + "-bit unsigned");
}

std::vector<golden::IntTensor> frames_of_npy(const std::string& path, const ir::Network& net) {
  data::NpyArray a;
  try {
    a = data::read_npy(path);
  } catch (const data::NpyError& e) {
    throw FrameFileError(e.what());
  }
  const ir::Shape& in = net.input_shape;
  const int64_t per_frame = in.elements();
  const bool flat = fc_only_input(net);
  int64_t frames = -1;
  const auto& s = a.shape;
  if (s.size() == 4 && s[1] == in.h && s[2] == in.w && s[3] == in.c) frames = s[0];
  else if (s.size() == 3 && s[0] == in.h && s[1] == in.w && s[2] == in.c) frames = 1;
  else if (flat && s.size() == 2 && s[1] == per_frame) frames = s[0];
  else if (flat && s.size() == 1 && s[0] == per_frame) frames = 1;
  if (frames < 0) {
    const std::string h = std::to_string(in.h), w = std::to_string(in.w), c = std::to_string(in.c);
    std::string want = "(N, " + h + ", " + w + ", " + c + ") or (" + h + ", " + w + ", " + c + ")";
    if (flat) want += " or (N, " + std::to_string(per_frame) + ") or (" + std::to_string(per_frame) + ",)";
    throw FrameFileError(path + ": shape " + a.shape_string() + " does not hold frames of network '" + net.name +
                         "', whose input is " + shape_text(in) + " (H, W, C); expected " + want);
  }
  if (frames == 0) throw FrameFileError(path + ": shape " + a.shape_string() + " holds no frame");
  const int64_t lo = net.input_type.min_code(), hi = net.input_type.max_code();
  for (size_t i = 0; i < a.values.size(); ++i)
    if (a.values[i] < lo || a.values[i] > hi) {
      const int64_t f = int64_t(i) / per_frame, e = int64_t(i) % per_frame;
      const int64_t y = e / (int64_t{in.w} * in.c), x = e / in.c % in.w, ch = e % in.c;
      throw FrameFileError(path + ": value " + std::to_string(a.values[i]) + " at element " + std::to_string(i) +
                           " (frame " + std::to_string(f) + ", y " + std::to_string(y) + ", x " + std::to_string(x) +
                           ", c " + std::to_string(ch) + ") is not a code of the " + type_text(net.input_type) +
                           " input: expected [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
  std::vector<golden::IntTensor> out;
  for (int64_t f = 0; f < frames; ++f) {
    golden::IntTensor t(in.h, in.w, in.c);
    for (int64_t e = 0; e < per_frame; ++e) t.data[size_t(e)] = int32_t(a.values[size_t(f * per_frame + e)]);
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<golden::IntTensor> frames_of_raw(const std::string& path, const ir::Network& net,
                                             const models::BeatFormat& fmt) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw FrameFileError(path + ": cannot open the file");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const ir::Shape& in = net.input_shape;
  const int64_t beats = in.elements() / fmt.lanes;
  const int64_t frame_bytes = beats * fmt.beat_bytes();
  if (bytes.empty() || int64_t(bytes.size()) % frame_bytes != 0)
    throw FrameFileError(path + ": " + std::to_string(bytes.size()) +
                         " bytes is not a whole number of frames: a raw frame is " + std::to_string(frame_bytes) +
                         " bytes (" + std::to_string(beats) + " beats of " + std::to_string(fmt.beat_bytes()) +
                         " bytes, the input DMA's layout); a .npy file must start with \\x93NUMPY");
  const int64_t frames = int64_t(bytes.size()) / frame_bytes;
  const int64_t lo = net.input_type.min_code(), hi = net.input_type.max_code();
  std::vector<golden::IntTensor> out;
  for (int64_t fr = 0; fr < frames; ++fr) {
    golden::IntTensor t(in.h, in.w, in.c);
    for (int64_t b = 0; b < beats; ++b)
      fmt.unpack(reinterpret_cast<const uint8_t*>(&bytes[size_t(fr * frame_bytes + b * fmt.beat_bytes())]),
                 &t.data[size_t(b * fmt.lanes)]);
    // A packed field can hold a code the type has not (a 2-bit field's 3 for a ternary-like range).
    for (size_t e = 0; e < t.data.size(); ++e)
      if (t.data[e] < lo || t.data[e] > hi)
        throw FrameFileError(path + ": value " + std::to_string(t.data[e]) + " at element " +
                             std::to_string(fr * in.elements() + int64_t(e)) + " is not a code of the " +
                             type_text(net.input_type) + " input: expected [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "]");
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

models::BeatFormat input_beat_format(const ir::Design& d) {
  // A compute engine reads its input frame from DDR one element in whole
  // bytes (models/engine/engine_ddr_image.h): one element a "beat".
  if (d.hw_template == ir::Template::kEngine)
    return {1, int(8 * engine::element_bytes(d.network.input_type.bits)), d.network.input_type.min_code() < 0};
  // The input DMA's stream: its beats are what a raw frames file holds.
  const ir::StreamingPlan plan = ir::plan_process_network(d);
  const ir::StreamPlan& s = plan.streams[size_t(plan.stages.front().outputs.at(0))];
  return {s.bits / s.elem_bits, s.elem_bits, d.network.input_type.min_code() < 0};
}

std::vector<golden::IntTensor> read_input_frames(const std::string& path, const ir::Network& net,
                                                 const models::BeatFormat* raw) {
  // A regular file only: a directory cannot be read, and a named pipe or a
  // device could block for ever or never end.
  {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(st))
      throw FrameFileError(path + ": no such file (expected a .npy file or raw frames)");
    if (!std::filesystem::is_regular_file(st))
      throw FrameFileError(path + ": not a regular file (expected a .npy file or raw frames)");
  }
  if (data::has_npy_magic(path)) return frames_of_npy(path, net);
  {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw FrameFileError(path + ": cannot open the file");
  }
  if (!raw)
    throw FrameFileError(path + ": not a .npy file (no \\x93NUMPY magic); raw frames need a DESIGN, "
                         "whose input DMA gives their layout");
  return frames_of_raw(path, net, *raw);
}

int frames_to_run(int file_frames, bool frames_given, int requested, const std::string& path, std::string& problem) {
  if (!frames_given) return file_frames;
  if (requested > file_frames) {
    problem = "--frames " + std::to_string(requested) + " is more than the " + std::to_string(file_frames) +
              " frame(s) '" + path + "' holds";
    return 0;
  }
  return requested;
}

void write_output_codes(std::ostream& out, const std::vector<std::vector<int32_t>>& frames) {
  const size_t per = frames.empty() ? 0 : frames.front().size();
  std::vector<int32_t> all;
  all.reserve(frames.size() * per);
  for (const auto& f : frames) all.insert(all.end(), f.begin(), f.end());
  data::write_npy_int32(out, {int64_t(frames.size()), int64_t(per)}, all);
}

}  // namespace vine::cli
