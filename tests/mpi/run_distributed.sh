#!/bin/bash
# A distributed `vine run` (docs/parallel.md) against the one-process run of
# the same design: the --json reports (and --outputs) byte for byte, and the
# exit codes. Usage: run_distributed.sh VINE SOURCE_DIR CASE, CASE one of
#   bit-exact    tfc-w1a1-zcu104-x4 (4 boards), in 2 and 4 ranks
#   timing-only  the same, --timing-only
#   errors       cnv-w1a1-pynq-z1-x2-errors (bit errors, go-back-N resends) in 2 ranks
#   deadlock     cnv-w1a1-pynq-z1-x2-lossy (words lost, fpga1 starves) in 2 ranks
#   refusals     what cannot run distributed is refused with exit 1 and its reason
set -u
vine=$1 src=$2 case=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# As root in a container OpenMPI wants both confirmations; two cores take four
# ranks only oversubscribed. The shared-memory and self transports: one machine.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi() { local n=$1; shift; mpirun --oversubscribe --mca btl self,vader -n "$n" "$@"; }
examples=$src/examples/multi-fpga
command -v mpirun > /dev/null || fail "mpirun not found: install openmpi-bin (scripts/setup)"

# Runs DESIGN once in one process and once in each rank count of RANKS, with
# ARGS; the reports must be identical and the exit codes EXPECTED.
same_both_ways() {
  local design=$1 ranks=$2 expected=$3; shift 3
  "$vine" -q run "$examples/$design" "$@" --json "$tmp/one.json" > "$tmp/one.txt"
  local rc=$?
  [ "$rc" = "$expected" ] || fail "$design in one process: exit $rc, expected $expected"
  for n in $ranks; do
    mpi "$n" "$vine" -q run "$examples/$design" "$@" --json "$tmp/k$n.json" > "$tmp/k$n.txt"
    rc=$?
    [ "$rc" = "$expected" ] || fail "$design in $n ranks: exit $rc, expected $expected"
    cmp "$tmp/one.json" "$tmp/k$n.json" || { diff "$tmp/one.json" "$tmp/k$n.json" | head -20; fail "$design: the --json of $n ranks differs"; }
    cmp "$tmp/one.txt" "$tmp/k$n.txt" || { diff "$tmp/one.txt" "$tmp/k$n.txt" | head -20; fail "$design: the report of $n ranks differs"; }
    echo "$design $*: $n ranks, the same report"
  done
}
# field FILE KEY...: the JSON value at that path (a number: an array index).
field() {
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    r = r[int(k)] if k.isdigit() else r[k]
print(r)' "$@"
}

case $case in
  bit-exact)
    same_both_ways tfc-w1a1-zcu104-x4.yaml "2 4" 0 -n 6 --outputs "$tmp/out.npy"
    [ "$(field "$tmp/one.json" outputs_match_reference)" = True ] || fail "the outputs were not checked"
    [ "$(field "$tmp/one.json" frames)" = 6 ] || fail "not 6 frames"
    # --outputs: the codes written by the last rank's output DMA, gathered.
    "$vine" -q run "$examples/tfc-w1a1-zcu104-x4.yaml" -n 6 --outputs "$tmp/one.npy" > /dev/null || fail "one process, --outputs"
    mpi 4 "$vine" -q run "$examples/tfc-w1a1-zcu104-x4.yaml" -n 6 --outputs "$tmp/four.npy" > /dev/null || fail "4 ranks, --outputs"
    cmp "$tmp/one.npy" "$tmp/four.npy" || fail "--outputs of 4 ranks differs"
    ;;
  timing-only)
    same_both_ways tfc-w1a1-zcu104-x4.yaml "2 4" 0 -n 20 --timing-only
    [ "$(field "$tmp/one.json" timing_only)" = True ] || fail "not a timing-only report"
    ;;
  errors)
    same_both_ways cnv-w1a1-pynq-z1-x2-errors.yaml 2 0 -n 2
    resent=$(field "$tmp/one.json" links 0 frames_resent)
    [ "$resent" -gt 0 ] || fail "no frame was resent: the case does not exercise retransmission"
    echo "frames resent: $resent"
    # The lookahead is the link's latency (46 logic cycles plus the cable's
    # here): a round moves the two ends that many link cycles, not one beat
    # (a cut at a FIFO of 2 beats took a round per beat: 1569 rounds).
    rounds=$(mpi 2 "$vine" run "$examples/cnv-w1a1-pynq-z1-x2-errors.yaml" -n 2 2>&1 |
             sed -n 's/.*distributed over 2 ranks: \([0-9]*\) rounds.*/\1/p')
    cycles=$(field "$tmp/one.json" links 0 user_cycles)
    [ -n "$rounds" ] || fail "no rounds in rank 0's log"
    [ $((rounds * 20)) -le "$cycles" ] || fail "$rounds rounds for $cycles link cycles: under 20 link cycles a round"
    echo "$rounds rounds for $cycles link cycles"
    ;;
  deadlock)
    same_both_ways cnv-w1a1-pynq-z1-x2-lossy.yaml 2 2 -n 2 --timing-only
    grep -q "DEADLOCK: deadlock at cycle" "$tmp/k2.txt" || fail "2 ranks: no deadlock reported"
    lost=$(field "$tmp/one.json" links 0 words_lost)
    [ "$lost" -gt 0 ] || fail "no word was lost: the case does not starve fpga1"
    ;;
  refusals)
    refused() {  # ranks, expected message part, vine run arguments
      local n=$1 what=$2; shift 2
      mpi "$n" "$vine" -q run "$@" > "$tmp/out.txt" 2> "$tmp/err.txt"
      local rc=$?
      [ "$rc" = 1 ] || fail "'$*' in $n ranks: exit $rc, expected 1"
      grep -q -- "$what" "$tmp/err.txt" || { cat "$tmp/err.txt"; fail "'$*': no '$what' in the error"; }
      echo "refused: $*"
    }
    refused 3 "3 ranks for the 2 boards" "$examples/cnv-w1a1-pynq-z1-x2-errors.yaml" -n 1
    refused 2 "is not a streaming design placed on a cluster" "$src/configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml" -n 1
    refused 2 "--vcd needs every stage in one process" "$examples/tfc-w1a1-zcu104-x4.yaml" -n 1 --vcd "$tmp/t.vcd"
    ;;
  *) fail "unknown case '$case'" ;;
esac
