// Vine's own stage kinds: one line each. A kind's registration function
// lives in its own file next to its model (<model>_kind.cpp) and adds its
// entries to the registry; adding a kind is its files and one line here
// (docs/stage-kinds.md). Called once, when the process's registry is first
// used (stage_kinds.h).
#include "models/layers/stage_kinds.h"

// The RTL variants (<model>_rtl_kind.cpp) copy their HLS kind's entry:
// they come after it.
// X(name): the function register_<name>_kinds(StageKindRegistry&) in <name>_kind.cpp.
#define VINE_BUILTIN_STAGE_KINDS(X) \
  X(fm_padding)                     \
  X(sliding_window)                 \
  X(mvau)                           \
  X(vvau)                           \
  X(thresholding)                   \
  X(pool)                           \
  X(add_streams)                    \
  X(concat)                         \
  X(duplicate_streams)              \
  X(width_converter)                \
  X(dma)                            \
  X(weight_streamer)                \
  X(link)                           \
  X(fm_padding_rtl)                 \
  X(sliding_window_rtl)             \
  X(mvau_rtl)                       \
  X(vvau_rtl)                       \
  X(thresholding_rtl)               \
  X(width_converter_rtl)           \
  X(down_sampler)                   \
  X(channelwise_op)

namespace vine::kinds {

#define VINE_DECLARE_KIND(name) void register_##name##_kinds(StageKindRegistry& r);
VINE_BUILTIN_STAGE_KINDS(VINE_DECLARE_KIND)
#undef VINE_DECLARE_KIND

void register_builtin_stage_kinds(StageKindRegistry& r) {
#define VINE_REGISTER_KIND(name) register_##name##_kinds(r);
  VINE_BUILTIN_STAGE_KINDS(VINE_REGISTER_KIND)
#undef VINE_REGISTER_KIND
}

}  // namespace vine::kinds
