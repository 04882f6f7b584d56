#!/usr/bin/env bash
# Does each family of the model zoo learn? One member per family trained from scratch on real data
# (Fashion-MNIST, 1x28x28, 9,600 class-balanced training images, 2 epochs of 150 steps at batch 64, SGD 0.05
# cosine, pad-and-crop), evaluated on 2,000 test images after each epoch. Prints test top-1 after epochs 1 and 2
# and the training images/s. Chance is 10%.
# Usage: scripts/zoo-learns.sh [OUT_DIR]  (MODELS="a b c" to choose the models)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-runs/zoo-learns}"
models="${MODELS:-resnet20 resnet8x4 wrn-16-2 vgg8 mobile_half shufflenetv1 shufflenetv2-0.5x resnet101}"
d4j="${D4J:-$root/distill4j}"
mkdir -p "$out"
for m in $models; do
  width=()
  [[ "$m" =~ ^resnet(18|34|50|101|152) ]] && width=(--width 16)
  [ -f "$out/$m/metrics.json" ] || "$d4j" train --model "$m" "${width[@]}" --dataset fashion-mnist --epochs 2 \
    --train-subset 9600 --test-subset 2000 --batch-size 64 --lr 0.05 --out "$out/$m" >/dev/null
done
printf '%-20s %10s %14s %14s %10s\n' model params "top-1 ep 1 %" "top-1 ep 2 %" images/s
for m in $models; do
  params=$(sed -n 's/.*"params" *: *\([0-9]*\).*/\1/p' "$out/$m/metrics.json")
  awk -F, -v name="$m" -v params="$params" 'NR==1 {for (i = 1; i <= NF; i++) {if ($i == "test_top1") t = i; if ($i == "images_per_sec") s = i}}
    NR==2 {e1 = $t} NR==3 {printf "%-20s %10s %14.2f %14.2f %10.1f\n", name, params, 100 * e1, 100 * $t, $s}' "$out/$m/history.csv"
done
