#!/usr/bin/env bash
# Builds the API docs of core/ and storage/ with docs/Doxyfile (ctest, label
# docs), as the `apidocs` build target does, into a throw-away directory, and
# fails printing Doxygen's warnings when there is any: an undocumented public
# symbol, a doc comment Doxygen cannot read (an unknown command, a stray
# HTML-like tag) or a broken reference.
# Usage: apidocs_test.sh SOURCE_DIR
set -uo pipefail
SRC=$1
if ! command -v doxygen >/dev/null; then
  echo "FAIL: no doxygen on PATH (scripts/deps.sh --test installs it)"
  exit 1
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/tb-apidocs.XXXXXX")
trap 'rm -rf "$out"' EXIT
cd "$SRC" || exit 1
# Doxygen prints its warnings on stderr; WARN_AS_ERROR=FAIL_ON_WARNINGS in
# docs/Doxyfile makes it exit non-zero after printing all of them.
warnings=$( (cat docs/Doxyfile; echo "OUTPUT_DIRECTORY=$out") | doxygen - 2>&1 >/dev/null)
status=$?
if ((status != 0)) || [[ -n $warnings ]]; then
  # (With FAIL_ON_WARNINGS Doxygen labels them "error:"; paths made relative.)
  warnings=${warnings//"$PWD/"/}
  n=$(grep -cE '(warning|error):' <<<"$warnings")
  printf 'FAIL: doxygen exited %d with %d warning(s) (document the symbol, or fix the comment):\n%s\n' \
    "$status" "$n" "$warnings"
  exit 1
fi
if [[ ! -f $out/html/index.html ]]; then
  echo "FAIL: doxygen wrote no html/index.html"
  exit 1
fi
echo "ok   API docs of core/ and storage/: $(find "$out/html" -name '*.html' | wc -l) pages, no warning"
