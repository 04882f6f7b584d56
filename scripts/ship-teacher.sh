#!/usr/bin/env bash
# Copies a finished teacher run into teachers/NAME (the files the demo and the report read) and prints the
# SHA-256 to put into the experiment file that loads it (e.g. experiments/fashion-mnist-quick.yaml).
#   scripts/ship-teacher.sh RUN_DIR NAME
#   e.g. after ./distill4j run experiments/fashion-mnist-teacher.yaml --out runs/fashion-mnist-teacher:
#        scripts/ship-teacher.sh runs/fashion-mnist-teacher/teacher fashion-mnist-resnet50-cbam-w16
set -euo pipefail
if [[ $# -ne 2 || ! -f "$1/model/parameters.bin" || ! -f "$1/metrics.json" ]]; then
  echo "usage: $0 RUN_DIR NAME   (RUN_DIR: a finished train run, with model/parameters.bin and metrics.json)" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/teachers/$2"
mkdir -p "$dest"
cp "$1/model/parameters.bin" "$1/model/model.json" "$1/metrics.json" "$1/history.csv" "$1/config.yaml" \
   "$1/provenance.json" "$dest/"
sha=$(sha256sum "$dest/parameters.bin" | cut -d' ' -f1)
echo "$sha  parameters.bin" > "$dest/SHA256SUMS"
echo "shipped $1 to $dest"
echo "sha256: $sha"
