#!/usr/bin/env bash
# Prints the byte size of the built page (raw and gzip) and fails above the budget.
set -euo pipefail
# The page-weight budget, in gzip bytes for every file the page is served from together
# (html, css, js, and the wasm, which ships LZMA-compressed: scripts/post-build.mjs).
BUDGET_GZIP_BYTES=$((400 * 1024))

dist="${1:-dist}"
total_raw=0
total_gz=0
printf '%-44s %10s %10s\n' "file" "raw" "gzip"
while IFS= read -r -d '' f; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '%-44s %10d %10d\n' "${f#"$dist"/}" "$raw" "$gz"
done < <(find "$dist" -type f -print0 | sort -z)
printf '%-44s %10d %10d\n' "total" "$total_raw" "$total_gz"
echo "page weight: $total_gz bytes gzip of a $BUDGET_GZIP_BYTES byte budget ($((total_gz * 100 / BUDGET_GZIP_BYTES))%)"
if [ "$total_gz" -gt "$BUDGET_GZIP_BYTES" ]; then
  echo "page weight: OVER BUDGET" >&2
  exit 1
fi
