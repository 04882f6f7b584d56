#!/usr/bin/env bash
# Kill soak: SIGKILLs distill4j at random moments (train, distill online and from a teacher bank, the bank's build,
# a study's `run`, and `report`), reruns the same command each time, and checks that every run ends with exactly the
# metrics.json and history.csv of an uninterrupted run of the same seed (the columns that time the machine aside),
# that no file is left half-written, and that a second writer on a live directory is refused.
#
#   scripts/kill-soak.sh            the short form (.ci/run): one kill of each command, about 3 minutes
#   scripts/kill-soak.sh --long     seven kills of each, 30 or more in all (about 5 minutes on 2 cores)
#   scripts/kill-soak.sh --kills N  N kills of each command
#   SOAK_SEED=123 scripts/kill-soak.sh   the same kill moments again
#
# Needs jq. Work goes to a temporary directory (kept, and printed, when something fails).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
d4j="$root/distill4j"
kills=1
while [ $# -gt 0 ]; do
  case "$1" in
    --long) kills=7 ;;
    --short) kills=1 ;;
    --kills) kills="$2"; shift ;;
    *) echo "usage: $0 [--short|--long|--kills N]" >&2; exit 2 ;;
  esac
  shift
done
command -v jq >/dev/null || { echo "kill-soak: needs jq (apt-get install jq)" >&2; exit 2; }
seed="${SOAK_SEED:-$((RANDOM * 32768 + RANDOM))}"
RANDOM=$((seed % 32768))
work="$(mktemp -d "${TMPDIR:-/tmp}/distill4j-kill-soak.XXXXXX")"
total_kills=0
compared=0
identical=0
problems=0
# Latency is timed by call counts alone (no 1 s floors): these runs test that nothing is lost, not speed.
export DISTILL4J_JAVA_OPTS="-Xmx2g -Ddistill4j.speed.minSeconds=0"

say() { printf '%s\n' "$*" >&2; }
problem() { say "PROBLEM: $*"; problems=$((problems + 1)); }

"$d4j" models >/dev/null # builds the jar once, outside the timings
say "kill soak: $kills kill(s) per command, kill moments seeded with SOAK_SEED=$seed, work in $work"

OPTIONS=(--width 4 --dataset synthetic --epochs 3 --batch-size 32 --max-batches 10 --train-subset 512
  --test-subset 64 --device cpu --seed 1 --checkpoint-every 3b)
QUICK=(--model resnet18 "${OPTIONS[@]}")     # train
STUDENT=(--student resnet18 "${OPTIONS[@]}") # distill

# A random delay in seconds, uniform in [lo, hi].
delay() { awk -v r="$RANDOM" -v lo="$1" -v hi="$2" 'BEGIN { printf "%.2f", lo + (hi - lo) * r / 32767 }'; }

# killed NAME SECONDS -- CMD...: starts CMD, SIGKILLs it after a random moment within SECONDS (its uninterrupted
# duration), $kills times (fewer if it finishes first), then reruns the very same command to the end.
killed() {
  local name="$1" span="$2"; shift 3
  local k=0 tries=0
  while [ "$k" -lt "$kills" ] && [ "$tries" -lt $((kills * 3)) ]; do
    tries=$((tries + 1))
    "$@" >>"$work/$name.log" 2>&1 &
    local pid=$! at
    # a rerun has less left to do than the first start: each window is shorter than the one before
    at="$(delay 0.3 "$(awk -v s="$span" -v i="$tries" 'BEGIN { w = 0.85 * s * 0.8 ^ (i - 1); print (w < 1.2 ? 1.2 : w) }')")"
    sleep "$at"
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      k=$((k + 1)); total_kills=$((total_kills + 1))
      say "  $name: killed after ${at} s"
    else
      wait "$pid" || { problem "$name exited with an error before its kill; see $work/$name.log"; return; }
      say "  $name: finished before the kill at ${at} s"
      break # nothing left to kill
    fi
  done
  "$@" >>"$work/$name.log" 2>&1 || problem "$name: the rerun after the kills failed; see $work/$name.log"
}

# kill_when NAME GLOB -- CMD...: starts CMD, waits until a file matching GLOB exists (a stage has begun), and
# SIGKILLs it a moment later; the caller reruns it.
kill_when() {
  local name="$1" glob="$2"; shift 3
  "$@" >>"$work/$name.log" 2>&1 &
  local pid=$! waited=0
  while ! compgen -G "$glob" >/dev/null && kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 1200 ]; do
    sleep 0.05; waited=$((waited + 1))
  done
  sleep "$(delay 0 0.2)"
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    total_kills=$((total_kills + 1))
    say "  $name: killed once $(basename "$glob") appeared"
  else
    wait "$pid" || problem "$name exited with an error; see $work/$name.log"
  fi
}

# What must not depend on interruptions: metrics.json without the figures that time the machine, and history.csv
# without its time columns.
stable_metrics() {
  jq -S 'del(.latencyMs, .throughputImagesPerSec, .trainSeconds, .latencyRuns, .onnxLatencyMs, .onnxImagesPerSec)' "$1"
}
stable_history() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = ($i !~ /^(images_per_sec|epoch_seconds|loader_wait_seconds)$/) }
    { line = ""; for (i = 1; i <= NF; i++) if (keep[i]) line = line (line == "" ? "" : ",") $i; print line }' "$1"
}

# same REFERENCE_RUN SOAKED_RUN: the soaked run finished with exactly the reference's results, and nothing half-written.
same() {
  local ref="$1" got="$2"
  compared=$((compared + 1))
  if [ ! -f "$got/metrics.json" ]; then problem "$got did not finish (no metrics.json)"; return; fi
  if ! diff <(stable_metrics "$ref/metrics.json") <(stable_metrics "$got/metrics.json") >"$work/diff" ||
     ! diff <(stable_history "$ref/history.csv") <(stable_history "$got/history.csv") >>"$work/diff"; then
    problem "$got differs from the uninterrupted $ref:"; cat "$work/diff" >&2; return
  fi
  identical=$((identical + 1))
}

no_half_files() {
  [ -d "$1" ] || { problem "$1 does not exist"; return; }
  local left
  left="$(find "$1" \( -name '.*.tmp' -o -name '*.partial' -o -name '*.progress.json' \) -print)"
  [ -z "$left" ] || problem "files left half-written under $1: $left"
}

# timed CMD...: runs CMD (its output to ref.log) and prints its wall time in seconds.
timed() {
  local t0; t0=$(date +%s.%N)
  "$@" >>"$work/ref.log" 2>&1 || { problem "reference run failed: $*; see $work/ref.log"; }
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

# --- uninterrupted references
ref="$work/ref"
t_train=$(timed "$d4j" train "${QUICK[@]}" --out "$ref/train")
t_online=$(timed "$d4j" distill --teacher "$ref/train" --method kd "${STUDENT[@]}" --out "$ref/online")
t_bank=$(timed "$d4j" distill --teacher "$ref/train" --method kd-at --bank-views 3 "${STUDENT[@]}" --out "$ref/bank")
cat >"$work/study.yaml" <<EOF
name: soak
teacher: {model: $ref/train/model}
student: {model: resnet18, width: 4, dataset: synthetic, epochs: 3, batchSize: 32, maxBatches: 10, trainSubset: 512,
  testSubset: 64, device: cpu}
seeds: [1, 2]
variants:
  - {name: student-only, method: student-only}
  - {name: kd, method: kd}
teacherBank: {views: 2}
report: {samples: 1}
EOF
t_study=$(timed "$d4j" run "$work/study.yaml" --checkpoint-every 3b --out "$ref/study")
t_report=$(timed "$d4j" report "$ref/study")
say "uninterrupted: train ${t_train} s, distill online ${t_online} s, from a bank ${t_bank} s, study ${t_study} s," \
  "report ${t_report} s"

# --- the same commands, killed
soak="$work/soak"
say "train"
killed train "$t_train" -- "$d4j" train "${QUICK[@]}" --out "$soak/train"
same "$ref/train" "$soak/train"; no_half_files "$soak/train"
say "distill, online"
killed online "$t_online" -- "$d4j" distill --teacher "$ref/train" --method kd "${STUDENT[@]}" --out "$soak/online"
same "$ref/online" "$soak/online"; no_half_files "$soak/online"
say "distill from a teacher bank: killed while the bank is built, then at random"
bank_cmd=("$d4j" distill --teacher "$ref/train" --method kd-at --bank-views 3 "${STUDENT[@]}" --out "$soak/bank")
kill_when bank-build "$soak/bank/teacher-bank/bank-*.bin.partial" -- "${bank_cmd[@]}"
killed bank "$t_bank" -- "${bank_cmd[@]}"
same "$ref/bank" "$soak/bank"; no_half_files "$soak/bank"
say "run of a study"
# each rerun of a study reuses the runs that finished, so it is shorter: kill sooner to land one kill per rerun
study_span=$(awk -v t="$t_study" -v k="$kills" 'BEGIN { s = 2 * t / k; print (s > t ? t : s) }')
killed study "$study_span" -- "$d4j" run "$work/study.yaml" --checkpoint-every 3b --out "$soak/study"
for v in student-only kd; do
  for s in 1 2; do
    same "$ref/study/students/$v/seed-$s" "$soak/study/students/$v/seed-$s"
  done
done
no_half_files "$soak/study"
say "report"
cp "$soak/study/report.html" "$work/report-before.html"
killed report "$t_report" -- "$d4j" report "$soak/study"
if ! cmp -s "$work/report-before.html" "$soak/study/report.html"; then
  problem "report.html after the killed reports differs from the one before them"
fi
no_half_files "$soak/study"

say "two runs sharing one teacher bank, started together"
shared=("$d4j" distill --teacher "$ref/train" --method kd-at --bank-views 3 "${STUDENT[@]}" --bank-dir "$soak/shared-bank")
"${shared[@]}" --out "$soak/shared-1" >>"$work/shared-1.log" 2>&1 &
one=$!
"${shared[@]}" --out "$soak/shared-2" >>"$work/shared-2.log" 2>&1 || problem "the second run sharing the bank failed"
wait "$one" || problem "the first run sharing the bank failed; see $work/shared-1.log"
builds=$(cat "$work/shared-1.log" "$work/shared-2.log" | grep -c "teacher bank: building" || true)
[ "$builds" -eq 1 ] || problem "the shared bank was built $builds times, not once"
for r in shared-1 shared-2; do
  # the bank's file name is the same wherever it lives: the runs must equal the reference run with its own bank
  same "$ref/bank" "$soak/$r"
done
no_half_files "$soak/shared-bank"
say "  built once, both runs identical to the uninterrupted one"

say "one writer per directory"
LONGER=(train --model resnet18 --width 4 --dataset synthetic --epochs 8 --batch-size 32 --max-batches 10
  --train-subset 512 --test-subset 64 --device cpu --out "$soak/locked")
"$d4j" "${LONGER[@]}" >>"$work/locked.log" 2>&1 &
first=$!
while [ ! -f "$soak/locked/config.yaml" ] && kill -0 "$first" 2>/dev/null; do sleep 0.2; done
if "$d4j" "${LONGER[@]}" >"$work/second.log" 2>&1; then
  problem "a second train on a live run directory was not refused"
elif ! grep -q "is being written by process $first" "$work/second.log"; then
  problem "the refusal does not name the live process $first: $(cat "$work/second.log")"
else
  say "  a second writer was refused: $(grep -o 'is being written by process [0-9]*' "$work/second.log")"
fi
wait "$first" || problem "the first writer failed; see $work/locked.log"

say ""
say "kill soak: $total_kills kills; $identical of $compared runs resumed to results identical to an uninterrupted run"
if [ "$problems" -gt 0 ] || [ "$identical" -ne "$compared" ]; then
  say "kill soak FAILED ($problems problem(s)); work kept in $work"
  exit 1
fi
rm -rf "$work"
