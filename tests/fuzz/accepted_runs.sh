#!/usr/bin/env bash
# What `vine validate` accepts, every command runs; what it refuses, every
# command refuses with the same error. Checked on a corpus the config
# fuzzers found (tests/fuzz/corpus/, docs/fuzzing.md):
#   accepted/design/   designs validate accepts: `estimate`, `reference`,
#                      `run` (bit-exact, outputs checked against the golden
#                      reference) and `run --timing-only` must all exit 0,
#                      and the two runs must agree on every cycle figure;
#   accepted/network/  networks validate accepts: `reference` must exit 0;
#   refused/           designs and networks validate refuses: `reference`,
#                      `estimate` and `run` must exit 1 with validate's
#                      error line, word for word (a command that wants a
#                      design reports a bad network's own error first).
# The inputs name their network and device by relative path, as the fuzz
# targets write them: they run from a scratch copy of configs/ laid out as
# the fuzz harness lays it out (tests/fuzz/fuzz_harness.h).
# usage: accepted_runs.sh VINE SOURCE_DIR
set -uo pipefail
vine=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$src/tests/fuzz/scratch_configs.sh"
scratch_configs "$src" "$tmp"
inputs="$tmp/configs/designs/fuzz"

failures=0
fail() { echo "accepted_runs: $*" >&2; failures=$((failures + 1)); }

# Runs `vine -q ARGS...`; sets status, out and err (stdout and stderr).
vine_q() {
  status=0
  "$vine" -q "$@" > "$tmp/out" 2> "$tmp/err" || status=$?
}
# The error line a refusal prints (the usage text after it is the command's).
error_line() { grep -a -m1 '^error: \|: error: ' "$tmp/err" || true; }
# The cycle figures of a run's summary: latency, interval, steady, batch.
cycle_lines() { grep -a -E '^  (latency|interval|steady|batch) ' "$tmp/out" || true; }

# Puts the corpus file $1 where the inputs run from and validates it; `name`
# is its path in the corpus.
in="$inputs/input.yaml"
validate_input() {
  name="${1#"$src"/tests/fuzz/corpus/}"
  cp "$1" "$in"
  vine_q validate "$in"
}

accepted=0 refused=0
for f in "$src"/tests/fuzz/corpus/accepted/design/*.yaml; do
  validate_input "$f"
  if ((status != 0)); then fail "$name: validate exited $status: $(error_line)"; continue; fi
  for cmd in "estimate" "reference --frames 2"; do
    vine_q $cmd "$in"
    ((status == 0)) || fail "$name: validate accepts it, \`vine $cmd\` exited $status: $(error_line)"
  done
  vine_q run "$in" --frames 2
  ((status == 0)) || fail "$name: validate accepts it, \`vine run\` exited $status: $(error_line)"
  grep -a -q 'outputs  *match' "$tmp/out" ||
    fail "$name: \`vine run\` did not report outputs matching the golden reference"
  bit_exact="$(cycle_lines)"
  vine_q run "$in" --frames 2 --timing-only
  ((status == 0)) || fail "$name: validate accepts it, \`vine run --timing-only\` exited $status: $(error_line)"
  [[ "$(cycle_lines)" == "$bit_exact" ]] ||
    fail "$name: the timing-only run's cycle figures differ from the bit-exact run's"
  accepted=$((accepted + 1))
done

for f in "$src"/tests/fuzz/corpus/accepted/network/*.yaml; do
  validate_input "$f"
  if ((status != 0)); then fail "$name: validate exited $status: $(error_line)"; continue; fi
  vine_q reference "$in" --frames 2
  ((status == 0)) || fail "$name: validate accepts it, \`vine reference\` exited $status: $(error_line)"
  accepted=$((accepted + 1))
done

for f in "$src"/tests/fuzz/corpus/refused/*.yaml; do
  validate_input "$f"
  if ((status != 1)); then fail "$name: validate exited $status, expected 1 (refused)"; continue; fi
  expected="$(error_line)"
  [[ -n "$expected" ]] || { fail "$name: validate refused it without an error line"; continue; }
  # The one refusal validate makes alone: weight memories in BRAM beyond
  # the device's (docs/dataflow.md). The estimate still reports such a
  # design (fits: NO), as it does every design over its device.
  if [[ "$expected" == *"weight memories in BRAM need"* ]]; then
    vine_q estimate "$in"
    ((status == 0)) || fail "$name: validate refuses it for its BRAM, \`vine estimate\` exited $status"
    refused=$((refused + 1))
    continue
  fi
  for cmd in reference estimate run; do
    vine_q $cmd "$in"
    ((status == 1)) || fail "$name: validate refuses it, \`vine $cmd\` exited $status"
    [[ "$(error_line)" == "$expected" ]] ||
      fail "$name: \`vine $cmd\` refuses it with '$(error_line)', validate with '$expected'"
  done
  refused=$((refused + 1))
done

if ((failures)); then
  echo "accepted_runs: $failures failure(s)" >&2
  exit 1
fi
echo "accepted_runs: ok ($accepted accepted inputs ran everywhere, $refused refused inputs refused alike)"
