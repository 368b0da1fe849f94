#!/bin/sh
# The driver application against a compute engine's virtual platform: the
# network image that `vine export engine-image` writes, loaded by
# vine_engine_load, gives the golden reference's per-frame checksums and
# classes, by interrupt and by polling, for dense and generated weights; a
# bad image is refused with what is wrong, never run into wrong results.
# usage: driver_app_engine.sh VINE VINE_CLASSIFY DENSE_DESIGN OVSF_DESIGN
set -eu
vine=$1 classify=$2 dense=$3 ovsf=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
frames=5

check() {  # $1: the program's output; $2: the reference's lines; $3: what ran
  grep -E '^ +[0-9]+ +0x' "$1" > "$1.frames" || true
  if ! diff -u "$2" "$1.frames"; then
    echo "driver_app_engine: $3 differs from vine reference" >&2
    exit 1
  fi
}

for design in "$dense" "$ovsf"; do
  name=$(basename "$design" .yaml)
  "$vine" -q reference "$design" --frames $frames --write-inputs "$tmp/$name.in" \
    | grep -E '^ +[0-9]+ +0x' > "$tmp/$name.want"
  test "$(wc -l < "$tmp/$name.want")" -eq $frames
  "$vine" -q export engine-image "$design" -o "$tmp/$name.img"
  "$classify" --target "vp:$design" --engine-image "$tmp/$name.img" --frames-file "$tmp/$name.in" \
    --batch 2 > "$tmp/$name.irq"
  check "$tmp/$name.irq" "$tmp/$name.want" "$name, jobs of 2 frames, by interrupt"
  grep -q "batch of 1 frame(s)" "$tmp/$name.irq"  # 5 frames in jobs of 2: the last job has 1
  grep -q "DDR bytes" "$tmp/$name.irq"
  if grep -q "DDR waits" "$tmp/$name.irq"; then  # the engine counts none: not printed as 0
    echo "driver_app_engine: $name printed DDR waits the engine does not count" >&2
    exit 1
  fi
  "$classify" --target "vp:$design" --engine-image "$tmp/$name.img" --frames-file "$tmp/$name.in" \
    --batch 5 --wait poll > "$tmp/$name.poll"
  check "$tmp/$name.poll" "$tmp/$name.want" "$name, one job of 5 frames, by polling"
done

dense_name=$(basename "$dense" .yaml)
ovsf_name=$(basename "$ovsf" .yaml)
expect_failure() {  # $1: exit status; $2: what stderr must say; the rest: the command
  want=$1 what=$2; shift 2
  status=0; "$@" > "$tmp/out.txt" 2> "$tmp/err.txt" || status=$?
  if [ $status -ne "$want" ] || ! grep -q "$what" "$tmp/err.txt"; then
    echo "driver_app_engine: '$*' exited $status, expected $want saying '$what':" >&2
    cat "$tmp/err.txt" >&2
    exit 1
  fi
  if grep -qE '^ +[0-9]+ +0x' "$tmp/out.txt"; then
    echo "driver_app_engine: '$*' printed results" >&2
    exit 1
  fi
}
run_dense() {  # vine-classify on the dense engine with image $1
  "$classify" --target "vp:$dense" --engine-image "$1" --frames-file "$tmp/$dense_name.in"
}
# An image made for other thresholds: another network, or another seed.
expect_failure 2 "CONFIG_ID" run_dense "$tmp/$ovsf_name.img"
"$vine" -q export engine-image "$dense" --seed 2 -o "$tmp/seed2.img"
expect_failure 2 "made for thresholds and re-quantisers" run_dense "$tmp/seed2.img"
# ... which the board with that seed runs.
"$classify" --target "vp:$dense,seed=2" --engine-image "$tmp/seed2.img" \
  --frames-file "$tmp/$dense_name.in" > "$tmp/seed2.txt"
test "$(grep -cE '^ +[0-9]+ +0x' "$tmp/seed2.txt")" -eq $frames
# A file cut short, one with bytes after its end, one that is not an image.
head -c 1000 "$tmp/$dense_name.img" > "$tmp/short.img"
expect_failure 2 "truncated at byte" run_dense "$tmp/short.img"
cat "$tmp/$dense_name.img" "$tmp/$dense_name.in" > "$tmp/long.img"
expect_failure 2 "bytes after the last segment" run_dense "$tmp/long.img"
expect_failure 2 "not a compute engine's network image" run_dense "$tmp/$dense_name.in"
# A descriptor the engine does not run: its kind (the table's first word)
# made 12. The driver cannot know; the engine refuses the job at START,
# with the layer.
cp "$tmp/$dense_name.img" "$tmp/kind.img"
layers=$(od -An -tu4 -j16 -N4 "$tmp/kind.img" | tr -d ' ')
printf '\014' | dd of="$tmp/kind.img" bs=1 seek=$((64 + 4 * layers)) conv=notrunc 2> /dev/null
expect_failure 2 "a descriptor's kind is unknown" run_dense "$tmp/kind.img"
# Usage: an engine needs its image; a streaming accelerator takes none.
expect_failure 1 "give its --engine-image" \
  "$classify" --target "vp:$dense" --frames-file "$tmp/$dense_name.in"
expect_failure 1 "is a streaming design" "$vine" -q export engine-image \
  "$(dirname "$0")/../../configs/designs/default.yaml" -o "$tmp/x.img"
expect_failure 2 "option trace_regs=1" \
  "$classify" --target "vp:$dense,trace_regs=1" --engine-image "$tmp/$dense_name.img" \
  --frames-file "$tmp/$dense_name.in"
echo "driver_app_engine: ok"
