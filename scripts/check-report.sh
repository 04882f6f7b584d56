#!/usr/bin/env bash
# Opens a report.html in headless Chromium and checks that every image loaded (all are data: URIs, so this
# also proves the page needs no network). Prints "N/N images loaded"; exits non-zero if any image failed.
#   scripts/check-report.sh REPORT.html [SCREENSHOT.png]   (the screenshot is 1280 px wide, 4000 px tall)
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || ! -f "$1" ]]; then
  echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2
  exit 2
fi
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [[ -z "$CHROMIUM" ]]; then
  echo "no chromium found (set CHROMIUM=/path/to/chromium)" >&2
  exit 2
fi
FLAGS=(--headless=new --no-sandbox --disable-gpu --virtual-time-budget=10000)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The probe runs after every image has loaded or failed, and writes its count where --dump-dom can see it.
probe='<script>window.onload=function(){var im=document.images,ok=0;for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)ok++;}document.body.setAttribute("data-images",im.length+"/"+ok);};</script>'
html=$(<"$1")
if [[ "$html" != *"</body>"* ]]; then
  echo "no </body> in $1" >&2
  exit 2
fi
printf '%s%s</body>%s\n' "${html%</body>*}" "$probe" "${html##*</body>}" >"$work/page.html"

dom=$(timeout 60 "$CHROMIUM" "${FLAGS[@]}" --dump-dom "file://$work/page.html" 2>/dev/null)
counts=$(grep -o 'data-images="[0-9]*/[0-9]*"' <<<"$dom" | head -1 | tr -dc '0-9/')
if [[ -z "$counts" ]]; then
  echo "the page did not finish loading in Chromium" >&2
  exit 1
fi
total=${counts%/*}
loaded=${counts#*/}
echo "$loaded/$total images loaded"

if [[ $# -eq 2 ]]; then
  out=$(realpath -m "$2")
  timeout 60 "$CHROMIUM" "${FLAGS[@]}" --hide-scrollbars --window-size=1280,4000 --screenshot="$out" \
      "file://$(realpath "$1")" >/dev/null 2>&1
  echo "screenshot: $out"
fi
[[ "$total" -gt 0 && "$loaded" -eq "$total" ]]
