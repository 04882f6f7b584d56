#!/usr/bin/env bash
# Carries a long study's finished runs across machines through git: `save` copies what a rerun needs to reuse each
# finished run (its config.yaml, teacher.sha256, metrics.json, history.csv, provenance.json) and the study's own
# records (experiment.yaml, status.json, teacher-metrics.json, speed.json) into a directory that can be committed;
# `restore` puts them back into a study directory, after which `distill4j run` reuses those runs and trains only
# the rest. Saved models, checkpoints and teacher banks stay behind (megabytes per run, gigabytes per bank): a
# restored study rebuilds its bank if a distilled run is still missing, and its report shows sample predictions
# only for runs whose models are present.
#   scripts/keep_study.sh save runs/fashion-mnist-study results/fashion-mnist-study
#   scripts/keep_study.sh restore results/fashion-mnist-study runs/fashion-mnist-study
set -euo pipefail
usage() { echo "usage: $0 save STUDY_DIR KEEP_DIR | restore KEEP_DIR STUDY_DIR" >&2; exit 2; }
[ $# -eq 3 ] || usage
mode=$1 from=$2 to=$3
[ -d "$from" ] || { echo "$0: $from is not a directory" >&2; exit 1; }
case "$mode" in
  save)
    [ -f "$from/experiment.yaml" ] || { echo "$0: $from holds no study (no experiment.yaml)" >&2; exit 1; }
    mkdir -p "$to"
    for f in experiment.yaml status.json teacher-metrics.json speed.json; do
      [ -f "$from/$f" ] && cp "$from/$f" "$to/$f"
    done
    kept=0
    for run in "$from"/students/*/seed-*; do
      [ -f "$run/metrics.json" ] || continue # unfinished: a rerun trains it again
      rel=${run#"$from"/}
      mkdir -p "$to/$rel"
      for f in config.yaml teacher.sha256 metrics.json history.csv provenance.json; do
        [ -f "$run/$f" ] && cp "$run/$f" "$to/$rel/$f"
      done
      kept=$((kept + 1))
    done
    echo "kept $kept finished runs of $from in $to"
    ;;
  restore)
    mkdir -p "$to"
    # -n: never overwrite what the study directory already holds (a newer run, a model)
    cp -rn "$from"/. "$to"/
    echo "restored $(find "$from" -name metrics.json -path '*/seed-*' | wc -l) finished runs into $to"
    ;;
  *) usage ;;
esac
