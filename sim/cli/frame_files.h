// The frames `vine reference` and `vine run` read with --inputs FILE and the
// output codes they write with --outputs FILE (docs/data.md).
//
// --inputs takes a .npy file (recognised by its magic) or, for a design, raw
// bytes in the input DMA's beat layout (what --write-inputs writes). A .npy
// array is (N, H, W, C) or one frame (H, W, C) in the network's HWC order
// (channels fastest, the order the input stream carries); a network whose
// input only fc layers read also takes (N, H*W*C) or (H*W*C). Elements are
// int8, uint8, int16, int32 or int64 and must be codes of the network's input
// type. --outputs writes int32 (N, outputs): each frame's output codes.
#pragma once

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/dma/beat_format.h"
#include "sim/golden/tensor.h"
#include "sim/ir/design.h"
#include "sim/ir/network.h"

namespace vine::cli {

// A bad --inputs file; the message names the file and the problem.
class FrameFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The layout of the input DMA's beats in DDR for a design.
models::BeatFormat input_beat_format(const ir::Design& d);

// Every frame the file holds. `raw` is the layout of a raw file (nullptr:
// only .npy files are taken, as for a network, which has no DMA).
std::vector<golden::IntTensor> read_input_frames(const std::string& path, const ir::Network& net,
                                                 const models::BeatFormat* raw);

// The frames a command runs: all the file's, or the first `requested` when
// --frames is given; more than the file holds is an error (empty result,
// message in `problem`).
int frames_to_run(int file_frames, bool frames_given, int requested, const std::string& path, std::string& problem);

// Output codes as an int32 .npy array of shape (frames, outputs per frame).
void write_output_codes(std::ostream& out, const std::vector<std::vector<int32_t>>& frames);

}  // namespace vine::cli
