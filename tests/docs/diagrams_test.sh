#!/usr/bin/env bash
# Renders every Graphviz source of docs/diagrams/ to SVG (ctest, label docs),
# as the `diagrams` build target does, and fails naming the file when dot
# reports an error or a warning, so a broken diagram cannot stay.
# Usage: diagrams_test.sh SOURCE_DIR
set -uo pipefail
SRC=$1
if ! command -v dot >/dev/null; then
  echo "FAIL: no dot on PATH (Graphviz; scripts/deps.sh --test installs it)"
  exit 1
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/tb-diagrams.XXXXXX")
trap 'rm -rf "$out"' EXIT
n=0
failed=0
for f in "$SRC"/docs/diagrams/*.dot; do
  [[ -e $f ]] || continue
  n=$((n + 1))
  name=$(basename "$f" .dot)
  if ! err=$(dot -Tsvg "$f" -o "$out/$name.svg" 2>&1) || [[ -n $err ]]; then
    printf 'FAIL docs/diagrams/%s.dot:\n%s\n' "$name" "$err"
    failed=$((failed + 1))
  elif ! grep -q '<svg' "$out/$name.svg"; then
    echo "FAIL docs/diagrams/$name.dot: dot wrote no SVG"
    failed=$((failed + 1))
  else
    echo "ok   docs/diagrams/$name.dot ($(wc -c <"$out/$name.svg") bytes of SVG)"
  fi
done
if ((n < 2)); then
  echo "FAIL: expected the module and event-path diagrams in docs/diagrams/, found $n file(s)"
  failed=$((failed + 1))
fi
((failed == 0))
