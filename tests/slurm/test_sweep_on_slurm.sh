#!/usr/bin/env bash
# `vine sweep --slurm` (docs/sweeps.md) on a real single-node Slurm cluster
# started for the test in a temporary folder (single_node_cluster.sh): a
# sweep of TFC and the deadlocking residual block through one job array,
# its table and its failed points; then `--resume --slurm`, which must
# submit only the unfinished points; and a point whose task Slurm cancels.
# Every daemon is stopped at the end, whatever happens.
# Usage: test_sweep_on_slurm.sh VINE SOURCE_DIR
set -euo pipefail
vine=$1
src=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=single_node_cluster.sh
source "$here/single_node_cluster.sh"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/vine-slurm.XXXXXX")"
cleanup() { slurm_cluster_stop; rm -rf "$tmp"; }
trap cleanup EXIT

failures=0
check() {  # description command...
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what" >&2; failures=$((failures + 1)); fi
}
contains() { grep -qF -- "$2" <<<"$1"; }

start=$SECONDS
slurm_cluster_start "$tmp/cluster"
echo "cluster up in $((SECONDS - start)) s: $(sinfo -h -o '%P %D %t %c' | tr '\n' ' ')"

cat >"$tmp/s.yaml" <<YAML
sweep: s
command: run
designs: [$src/configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml, $src/tests/sim/data/residual-shallow-skip.yaml]
options:
  frames: [2, 6]
  timing-only: true
YAML
out="$tmp/out"

# The sweep: four points, one job array; the residual block deadlocks, so its
# two points (p0003, p0004) fail with exit 2.
set +e
output="$("$vine" sweep "$tmp/s.yaml" -o "$out" --slurm 2>&1)"
code=$?
set -e
echo "$output"
check "the sweep exits 2 (failed points)" test "$code" = 2
check "it ran as a Slurm job array" contains "$output" "as Slurm job array"
check "2 ok, 2 failed" contains "$output" "ok 2, failed 2"
check "p0003's failure is reported with its command line" contains "$output" "failed p0003 (exit 2): vine run"
check "the resume hint keeps --slurm" contains "$output" "--resume --slurm\` runs the failed points again"
job="$(grep -oE 'as Slurm job array [0-9]+' <<<"$output" | awk '{print $NF}' || true)"
check "the array's job id is printed" test -n "$job"
# Each task's own output (Slurm's file) shows it ran its one point.
for k in 1 2 3 4; do
  check "Slurm's output of task $k names point p000$k" grep -q "p000$k exit" "$out/slurm/${job}_$k.out"
done
check "the job array is in slurmctld's log" grep -q "JobId=${job}_" "$tmp/cluster/slurmctld.log"
check "p0003's log shows the deadlock" grep -q DEADLOCK "$out/points/p0003.log"
check "p0003's exit code is recorded" test "$(cat "$out/points/p0003.exit")" = 2
header="$(head -1 "$out/points.csv")"
check "the CSV's header" contains "$header" "point,design_file,--frames,--timing-only,exit,"
check "the CSV has a JSON figure (interval_cycles)" contains "$header" ",interval_cycles,"
check "the CSV has 4 rows" test "$(tail -n +2 "$out/points.csv" | wc -l)" = 4
check "2 rows passed" test "$(grep -c ',true,0,' "$out/points.csv")" = 2
csv="$(cat "$out/points.csv")"

# A point whose task never ended (here: its exit code removed) is not lost:
# --resume --slurm submits it with the failed ones, and only them.
rm "$out/points/p0002.exit"
kept_time="$(stat -c %Y.%y "$out/points/p0001.json")"
set +e
output="$("$vine" sweep "$tmp/s.yaml" -o "$out" --resume --slurm 2>&1)"
code=$?
set -e
echo "$output"
check "the resumed sweep exits 2" test "$code" = 2
check "1 point kept" contains "$output" "(1 kept from the last run)"
check "3 tasks submitted" contains "$output" "(3 tasks)"
job2="$(grep -oE 'as Slurm job array [0-9]+' <<<"$output" | awk '{print $NF}' || true)"
check "a new job array" test -n "$job2" -a "$job2" != "$job"
check "task 1 was not submitted again" test ! -e "$out/slurm/${job2}_1.out"
for k in 2 3 4; do
  check "task $k was submitted again" grep -q "p000$k exit" "$out/slurm/${job2}_$k.out"
done
check "the kept point's JSON is untouched" test "$(stat -c %Y.%y "$out/points/p0001.json")" = "$kept_time"
check "p0002 passed again" test "$(cat "$out/points/p0002.exit")" = 0
check "the same table again" test "$(cat "$out/points.csv" | wc -c)" = "$(wc -c <<<"$csv")"
check "still 2 ok, 2 failed" contains "$output" "ok 2, failed 2"

# A task Slurm kills (scancel here; a time limit or a lost node alike) leaves
# no exit code: the point is reported as never ended, its exit cell empty,
# and it is kept for --resume. Its point runs long enough (a million frames
# of TFC, timing only) to be cancelled while it runs.
cat >"$tmp/k.yaml" <<YAML
sweep: k
command: run
designs: [$src/configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml]
options:
  frames: 1000000
  timing-only: true
YAML
"$vine" sweep "$tmp/k.yaml" -o "$tmp/killed" --slurm >"$tmp/killed.txt" 2>&1 &
sweep_pid=$!
for _ in $(seq 200); do [[ -s "$tmp/killed/points/p0001.log" ]] && break; sleep 0.1; done
check "the long point started" test -s "$tmp/killed/points/p0001.log"
scancel --name=vine-sweep-k
set +e
wait "$sweep_pid"
code=$?
set -e
output="$(cat "$tmp/killed.txt")"
echo "$output"
check "the cancelled sweep exits 2" test "$code" = 2
check "the cancelled point is reported as never ended" contains "$output" "failed p0001 (no exit code: it never ended)"
check "with Slurm's output of its task" contains "$output" "Slurm's output: $tmp/killed/slurm/"
check "it has no exit file" test ! -e "$tmp/killed/points/p0001.exit"
check "its exit cell is empty" test "$(tail -1 "$tmp/killed/points.csv" | cut -d, -f5)" = ""
check "its row is there" grep -q "^p0001," "$tmp/killed/points.csv"

echo "test run in $((SECONDS - start)) s"
if ((failures)); then
  slurm_cluster_logs
  exit 1
fi
