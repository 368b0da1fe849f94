# Sourced by tests/fuzz/accepted_runs.sh and scripts/fuzz-corpus: the
# scratch layout the fuzz targets run their inputs in (tests/fuzz/fuzz_harness.h),
# so that an input's `../networks/x` and `../../networks/x` resolve.
# scratch_configs SOURCE_DIR DIR: copies SOURCE_DIR/configs to DIR/configs,
# links designs/networks and designs/devices, makes designs/fuzz/ (where the
# inputs go).
scratch_configs() {
  cp -r "$1/configs" "$2/configs"
  ln -s ../networks "$2/configs/designs/networks"
  ln -s ../devices "$2/configs/designs/devices"
  mkdir -p "$2/configs/designs/fuzz"
}
