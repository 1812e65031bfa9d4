#!/usr/bin/env bash
# Runs every Go fuzz target in the module briefly: fuzz.sh DURATION (e.g. 10s).
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-10s}"
found=0
while IFS= read -r file; do
  pkg="./$(dirname "$file")"
  for fn in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    found=1
    echo "--- fuzz $pkg $fn for $t"
    go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$t" "$pkg"
  done
done < <(git ls-files '*_test.go' | grep -v '^e2e/')
[ "$found" = 1 ] || { echo "no fuzz targets found"; exit 1; }
