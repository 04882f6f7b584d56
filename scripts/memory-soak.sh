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
mkdir -p "$(dirname "$out")"
log="$out.log"
echo "memory soak: resnet18 width 8, $dataset, 2,000 images, $epochs epochs -> $out (log $log)" >&2
"$root/distill4j" train --model resnet18 --width 8 --dataset "$dataset" --train-subset 2000 --test-subset 1000 \
  --epochs "$epochs" --batch-size 64 --lr 0.05 --device cpu --checkpoint-every 10b --out "$out" 2>"$log" >/dev/null

# epoch number and RSS (MB) from the progress lines; epoch seconds from history.csv
paste -d' ' \
  <(grep -o 'epoch [0-9]*/[0-9]* .*RSS [0-9]* MB' "$log" | sed -E 's#epoch ([0-9]+)/.*RSS ([0-9]+) MB#\1 \2#') \
  <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "epoch_seconds") c = i; next } { print $c }' "$out/history.csv") |
awk '
  { rss[NR] = $2; t[NR] = $3; n = NR }
  # least-squares slope, min and max of RSS, and the epoch time at both ends, over epochs [a, n]
  function window(a, label,    i, m, sx, sr, st, mx, mr, mt, dx, vx, cr, ct, lo, hi, k, first, last) {
    for (i = a; i <= n; i++) { sx += i; sr += rss[i]; st += t[i]; m++ }
    mx = sx / m; mr = sr / m; mt = st / m
    for (i = a; i <= n; i++) {
      dx = i - mx; vx += dx * dx; cr += dx * (rss[i] - mr); ct += dx * (t[i] - mt)
      if (i == a || rss[i] < lo) lo = rss[i]; if (i == a || rss[i] > hi) hi = rss[i]
    }
    k = m < 10 ? int(m / 2) : 5
    for (i = a; i < a + k; i++) first += t[i]; for (i = n - k + 1; i <= n; i++) last += t[i]
    printf "| %s (%d-%d) | %d / %d MB | %+.2f MB/epoch | %.2f s / %.2f s (ratio %.3f) | %+.4f s/epoch |\n", label, a, n, lo, hi, cr / vx, first / k, last / k, (last / k) / (first / k), ct / vx
  }
  END {
    printf "RSS after epoch 1: %d MB; after the last (%d): %d MB\n\n", rss[1], n, rss[n]
    printf "| epochs | RSS min / max | RSS slope | epoch time, first 5 / last 5 (mean) | epoch time slope |\n"
    printf "|---|---|---|---|---|\n"
    window(2, "after the first")
    window(int(n / 2) + 1, "second half")
    printf "\nRSS by epoch (MB):"; for (i = 1; i <= n; i++) printf " %d", rss[i]; printf "\n"
    printf "epoch seconds:"; for (i = 1; i <= n; i++) printf " %.2f", t[i]; printf "\n"
  }'
