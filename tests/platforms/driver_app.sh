#!/bin/sh
# The driver application against the virtual platform gives the golden
# reference's per-frame checksums and classes, by interrupt and by polling,
# run directly (--target) and through `vine vp --app` (VINE_TARGET).
# usage: driver_app.sh VINE VINE_CLASSIFY DESIGN CLASSES
set -eu
vine=$1 classify=$2 design=$3 classes=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
frames=5
"$vine" -q reference "$design" --frames $frames --write-inputs "$tmp/in.bin" \
  | grep -E '^ +[0-9]+ +0x' > "$tmp/want.txt"
test "$(wc -l < "$tmp/want.txt")" -eq $frames

check() {  # the frame lines of $1 equal the reference's
  grep -E '^ +[0-9]+ +0x' "$1" > "$1.frames" || true
  if ! diff -u "$tmp/want.txt" "$1.frames"; then
    echo "driver_app: $2 differs from vine reference" >&2
    exit 1
  fi
}

"$classify" --target "vp:$design" --frames-file "$tmp/in.bin" --batch 2 --classes "$classes" \
  > "$tmp/irq.txt" 2> "$tmp/irq.err"
check "$tmp/irq.txt" "vine-classify --wait irq"
grep -q "batch of 1 frame(s)" "$tmp/irq.txt"  # 5 frames in jobs of 2: the last job has 1

"$classify" --target "vp:$design" --frames-file "$tmp/in.bin" --batch 5 --classes "$classes" \
  --wait poll > "$tmp/poll.txt" 2> "$tmp/poll.err"
check "$tmp/poll.txt" "vine-classify --wait poll"

"$vine" -q vp "$design" --trace-regs "$tmp/regs.txt" --app "$classify" -- \
  --frames-file "$tmp/in.bin" --batch 3 --classes "$classes" > "$tmp/app.txt"
check "$tmp/app.txt" "vine vp --app vine-classify"
grep -q "^virtual platform: " "$tmp/app.txt"  # the session's report follows the program's output
grep -q " write 0x008  0x00000005  ok" "$tmp/regs.txt"  # CTRL: START with IRQ_GLOBAL_ENABLE

# A bad target is the program's error, not a crash; vine vp passes it on.
if "$classify" --target "vp:$tmp/missing.yaml" --frames-file "$tmp/in.bin" 2> "$tmp/bad.err"; then
  echo "driver_app: a missing design was accepted" >&2
  exit 1
fi
grep -q "missing.yaml" "$tmp/bad.err"
# vine vp's own job is checked frame by frame; bad options are usage errors.
"$vine" -q vp "$design" --frames 3 --batch 2 --wait poll --vcd "$tmp/vp.vcd" > "$tmp/builtin.txt"
test "$(grep -c "bit-exact" "$tmp/builtin.txt")" -eq 2
# Its VCD has the tracks, the interrupt rising once per job (polling acknowledges too).
grep -q 'var wire 1 ! irq' "$tmp/vp.vcd"
grep -q 'var wire 8 % ddr_dma_transactions_outstanding' "$tmp/vp.vcd"
test "$(grep -cx '1!' "$tmp/vp.vcd")" -eq 2
# Its time unit is SystemC's resolution, 1 ps, and its header states the clock
# period in it (the design runs at 100 MHz); a job starts and ends on a cycle.
grep -qx '\$timescale 1ps \$end' "$tmp/vp.vcd"
grep -q 'clock period is 10000 units (100 MHz): cycle c starts at time c \* 10000\.' "$tmp/vp.vcd"
awk '/^#/ { t = substr($0, 2) } $0 == "1\"" || $0 == "0\"" { if (t % 10000 != 0) bad = 1 } END { exit bad }' "$tmp/vp.vcd"
expect_usage_error() {  # $1: what stderr must say; the rest: the command
  what=$1; shift
  status=0; "$@" > /dev/null 2> "$tmp/usage.err" || status=$?
  if [ $status -ne 1 ] || ! grep -q "$what" "$tmp/usage.err"; then
    echo "driver_app: '$*' exited $status, expected 1 saying '$what':" >&2
    cat "$tmp/usage.err" >&2
    exit 1
  fi
}
expect_usage_error "colour=blue: unknown" "$vine" -q vp "$design" --set colour=blue
expect_usage_error "cannot run" "$vine" -q vp "$design" --app "$tmp/no-such-program"
expect_usage_error "\-\-wait must be irq or poll" "$vine" -q vp "$design" --wait soon
echo "driver_app: ok"
