#!/usr/bin/env bash
# Images/s of a training step for each part of the seed's loss, at full size: ResNet50+CBAM teacher,
# ResNet18 student, width 64, batch 64, 3x32x32 synthetic data, CPU. Each row adds one part:
# CE only, +KD, +attention transfer, +causal IG masks (m = 16), +alignment (= the seed's full loss).
# The figure is history.csv's images_per_sec: images over the wall time of the run's training batches
# (the first, warm-up batch included). Usage: scripts/step-costs.sh [OUT_DIR]  (BATCHES=N to change N).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/distill4j-step-costs}"
batches="${BATCHES:-4}"
d4j="$root/distill4j"
common=(--width 64 --dataset synthetic --epochs 1 --batch-size 64 --test-subset 64 --device cpu)
rm -rf "$out"
mkdir -p "$out"
# The teacher only needs weights of the right shape for timing: one batch of training.
"$d4j" train --model resnet50-cbam "${common[@]}" --max-batches 1 --out "$out/teacher" >/dev/null
"$d4j" train --model resnet18 "${common[@]}" --max-batches "$batches" --out "$out/ce" >/dev/null
for method in kd kd-at kd-causal-at seed; do
  "$d4j" distill --teacher "$out/teacher" --student resnet18 "${common[@]}" --max-batches "$batches" \
    --method "$method" --ig-steps 16 --out "$out/$method" >/dev/null
done
printf '%-14s %12s\n' step images/s
for run in ce kd kd-at kd-causal-at seed; do
  awk -F, -v name="$run" 'NR==1 {for (i = 1; i <= NF; i++) if ($i == "images_per_sec") c = i}
    NR==2 {printf "%-14s %12.2f\n", name, $c}' "$out/$run/history.csv"
done
