#!/usr/bin/env bash
# Runs every Go fuzz target in the module briefly: fuzz.sh COUNT (e.g. 20000x).
#
# The budget is a count of executions, not a duration: with -fuzztime 10s the
# Go toolchain sometimes ends a clean run with "context deadline exceeded"
# when the deadline lands while a worker is mid-call (seen in CI on FuzzRead,
# reproduced 1 run in 6 locally, never with a count in 8 runs). A count ends
# the run without a deadline. Minimizing a new corpus entry also pauses the
# count for seconds, so it is capped: it only tidies the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-10000x}"
case "$t" in
  *x) ;;
  *) echo "fuzz.sh: budget must be a count such as 20000x, got '$t'" >&2; exit 2 ;;
esac
found=0
while IFS= read -r file; do
  pkg="./$(dirname "$file")"
  for fn in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    found=1
    echo "--- fuzz $pkg $fn for $t"
    go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$t" -fuzzminimizetime 2s "$pkg"
  done
done < <(git ls-files '*_test.go' | grep -v '^e2e/')
[ "$found" = 1 ] || { echo "no fuzz targets found"; exit 1; }
