#!/usr/bin/env bash
# Memory and time under a long run: trains for many epochs (50 by default) on a small subset, with checkpoints inside
# every epoch, and reports resident memory after each epoch and the epoch times: both must stay flat after the first
# epoch (no leak, no drift). Fashion-MNIST (2,000 images) when it is installed, else the synthetic set.
#
#   scripts/memory-soak.sh [--epochs N] [--out DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs=50
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: $0 [--epochs N] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
out="${out:-$(mktemp -d "${TMPDIR:-/tmp}/distill4j-memory-soak.XXXXXX")/run}"
dataset=synthetic
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || [ -f "$HOME/.distill4j/data/fashion-mnist/train-images-idx3-ubyte.gz" ]; then
  dataset=fashion-mnist
fi
log="$out.log"
echo "memory soak: resnet18 width 8, $dataset, 2,000 images, $epochs epochs -> $out (log $log)" >&2
"$root/distill4j" train --model resnet18 --width 8 --dataset "$dataset" --train-subset 2000 --test-subset 1000 \
  --epochs "$epochs" --batch-size 64 --lr 0.05 --device cpu --checkpoint-every 10b --out "$out" 2>"$log" >/dev/null

# epoch number and RSS (MB) from the progress lines; epoch seconds from history.csv
paste -d' ' \
  <(grep -o 'epoch [0-9]*/[0-9]* .*RSS [0-9]* MB' "$log" | sed -E 's#epoch ([0-9]+)/.*RSS ([0-9]+) MB#\1 \2#') \
  <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "epoch_seconds") c = i; next } { print $c }' "$out/history.csv") |
awk -v epochs="$epochs" '
  { e[NR] = $1; rss[NR] = $2; t[NR] = $3; n = NR }
  END {
    # after the first epoch: range and least-squares slope of RSS and of the epoch time
    for (i = 2; i <= n; i++) { sx += i; sr += rss[i]; st += t[i]; m++ }
    mx = sx / m; mr = sr / m; mt = st / m
    for (i = 2; i <= n; i++) {
      dx = i - mx; vx += dx * dx; cr += dx * (rss[i] - mr); ct += dx * (t[i] - mt)
      if (i == 2 || rss[i] < lo) lo = rss[i]; if (i == 2 || rss[i] > hi) hi = rss[i]
    }
    k = n < 10 ? int(n / 2) : 5
    for (i = 2; i < 2 + k; i++) first += t[i]; for (i = n - k + 1; i <= n; i++) last += t[i]
    printf "| epochs | RSS after epoch 1 | RSS epochs 2-%d: min / max | RSS slope | epoch time, epochs 2-%d: first %d / last %d (mean) | epoch time slope |\n", n, n, k, k
    printf "|---|---|---|---|---|---|\n"
    printf "| %d | %d MB | %d / %d MB | %+.2f MB/epoch | %.2f s / %.2f s (ratio %.3f) | %+.4f s/epoch |\n", n, rss[1], lo, hi, cr / vx, first / k, last / k, (last / k) / (first / k), ct / vx
    printf "\nRSS by epoch (MB):"; for (i = 1; i <= n; i++) printf " %d", rss[i]; printf "\n"
    printf "epoch seconds:"; for (i = 1; i <= n; i++) printf " %.2f", t[i]; printf "\n"
  }'
