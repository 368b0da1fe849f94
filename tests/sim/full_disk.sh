#!/bin/sh
# A file that cannot be written whole is an error, and the file already at
# the path is left as it was. A full disk is stood in for by a file-size
# limit (`ulimit -f`): the write fails the same way (EFBIG instead of
# ENOSPC), with SIGXFSZ ignored as a process without a handler would not.
# usage: full_disk.sh VINE TFC_DESIGN
set -eu
vine=$1 design=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for cmd in "run $design --frames 2 --vcd out.vcd" "vp $design --frames 2 --vcd out.vcd" \
           "run $design --frames 2 --json out.vcd"; do
  echo "the old file" > out.vcd
  status=0
  sh -c "trap '' XFSZ; ulimit -f 1; exec \"$vine\" -q $cmd > /dev/null 2> err.txt" || status=$?
  if [ $status -eq 0 ] || ! grep -q "cannot write" err.txt; then
    echo "full_disk: 'vine $cmd' exited $status under a 1 KiB file limit:" >&2
    cat err.txt >&2
    exit 1
  fi
  test "$(cat out.vcd)" = "the old file"
  if ls | grep -q vine-tmp; then echo "full_disk: a temporary file was left behind" >&2; exit 1; fi
done
# Without the limit the same commands write their files.
"$vine" -q run "$design" --frames 2 --vcd out.vcd > /dev/null
test "$(head -c 12 out.vcd)" = '$version vin'
echo "full_disk: ok"
