#!/usr/bin/env bash
# Full disk and read-only storage on a real small file system: mounts a tmpfs (needs root; otherwise says so and
# exits 0, since the same failures are also tested by injection in TrainingRunTest), trains into it, fills it up
# (then, in a second run, makes it read-only) right after the first checkpoint, and checks that the command stops
# with a message naming what could not be written, that the checkpoint and the run's files are intact, and that the
# same command, once space (or write access) is back, finishes with exactly an uninterrupted run's results.
#
#   scripts/disk-full.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
d4j="$root/distill4j"
command -v jq >/dev/null || { echo "disk-full: needs jq (apt-get install jq)" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/distill4j-disk-full.XXXXXX")"
mnt="$work/small"
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=16m tmpfs "$mnt" 2>/dev/null; then
  echo "disk-full: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN); the injected-failure tests in" \
    "TrainingRunTest cover the same ground" >&2
  rm -rf "$work"
  exit 0
fi
trap 'umount "$mnt/read-only/checkpoints" 2>/dev/null || true; umount "$mnt" 2>/dev/null || true' EXIT
# Latency is timed by call counts alone (no 1 s floors): these runs test that nothing is lost, not speed.
export DISTILL4J_JAVA_OPTS="-Xmx2g -Ddistill4j.speed.minSeconds=0"
problems=0
problem() { echo "PROBLEM: $*" >&2; problems=$((problems + 1)); }
"$d4j" models >/dev/null

RUN=(train --model resnet18 --width 4 --dataset synthetic --epochs 3 --batch-size 32 --max-batches 10
  --train-subset 512 --test-subset 64 --device cpu --seed 1 --checkpoint-every 3b)
"$d4j" "${RUN[@]}" --out "$work/reference" >"$work/reference.log" 2>&1 || problem "the reference run failed"

stable() {
  jq -S 'del(.latencyMs, .throughputImagesPerSec, .trainSeconds, .latencyRuns, .onnxLatencyMs, .onnxImagesPerSec)' \
    "$1/metrics.json"
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = ($i !~ /^(images_per_sec|epoch_seconds|loader_wait_seconds)$/) }
    { line = ""; for (i = 1; i <= NF; i++) if (keep[i]) line = line (line == "" ? "" : ",") $i; print line }' \
    "$1/history.csv"
}

# trial NAME BREAK MEND: trains into the tmpfs, runs BREAK once the first checkpoint exists, expects a clean failure,
# runs MEND, reruns the same command and expects the reference's results.
trial() {
  local name="$1" break_it="$2" mend="$3" out="$mnt/$1"
  "$d4j" "${RUN[@]}" --out "$out" >"$work/$name.log" 2>&1 &
  local pid=$!
  while [ ! -f "$out/checkpoints/last.ckpt" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  eval "$break_it"
  local before; before="$(md5sum "$out/checkpoints/last.ckpt" 2>/dev/null || true)"
  if wait "$pid"; then
    problem "$name: the run finished although its storage was broken"
  else
    local msg; msg="$(grep '^error: ' "$work/$name.log" | head -1)"
    echo "$name: $msg" >&2
    [[ "$msg" == *"cannot write $out"* ]] || problem "$name: the message does not name the file it could not write"
    [[ "$msg" == *"run the same command again"* ]] || problem "$name: the message does not say what to do"
    [ -f "$out/checkpoints/last.ckpt" ] || problem "$name: the last checkpoint is gone"
    if find "$out" -name '.*.tmp' | grep -q .; then problem "$name: a temporary file was left behind"; fi
  fi
  eval "$mend"
  "$d4j" "${RUN[@]}" --out "$out" >>"$work/$name.log" 2>&1 || problem "$name: the same command failed once mended"
  if diff <(stable "$work/reference") <(stable "$out") >"$work/$name.diff"; then
    echo "$name: the same command finished with the uninterrupted run's results" >&2
  else
    problem "$name: results differ from the uninterrupted run:"; cat "$work/$name.diff" >&2
  fi
  [ -n "$before" ] || problem "$name: no checkpoint was there when the storage broke"
}

trial full 'dd if=/dev/zero of="$mnt/filler" bs=64k status=none 2>/dev/null || true' 'rm -f "$mnt/filler"'
# read-only: the checkpoints directory becomes a read-only bind mount of itself (files already open stay writable, as
# on a remount; a plain remount is refused while the run holds its lock file open)
trial read-only 'mount --bind "$out/checkpoints" "$out/checkpoints" && mount -o remount,bind,ro "$out/checkpoints"' \
  'umount "$out/checkpoints"'

if [ "$problems" -gt 0 ]; then
  echo "disk-full FAILED ($problems problem(s)); logs in $work" >&2
  exit 1
fi
echo "disk-full: a full disk and a read-only directory each stopped the run cleanly; the same command then finished" \
  "it with the uninterrupted run's results" >&2
umount "$mnt"
trap - EXIT
rm -rf "$work"
