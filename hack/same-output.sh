#!/usr/bin/env bash
# same-output.sh [REF] — prove a change leaves the output alone: build the function at REF
# (default: main) and at the working tree, render every conformance case (testdata/conformance,
# and ../shared/conformance when it is there) and every example with both, and compare stdout,
# stderr and exit code byte for byte. For refactors, which must not change a byte.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
ref=${1:-main}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
git archive "$ref" | tar -x -C "$tmp/src"
(cd "$tmp/src" && go build -o "$tmp/before" .)
go build -o "$tmp/after" .

render() { # render BIN OUTDIR
  local bin=$1 out=$2 d n files
  mkdir -p "$out"
  for d in testdata/conformance/*/ ../shared/conformance/*/; do
    [ -f "$d/config.yaml" ] || continue
    n=$(echo "$d" | tr '/.' '__')
    "$bin" "$d/config.yaml" "$d/resources.yaml" >"$out/$n.out" 2>"$out/$n.err" && echo 0 >>"$out/$n.out" || echo $? >>"$out/$n.out"
  done
  for d in examples/*/; do
    [ -f "$d/transformer.yaml" ] || continue
    n=$(echo "$d" | tr '/.' '__')
    files=$(ls "$d"*.yaml | grep -v -e transformer.yaml -e expected-output.yaml -e kustomization.yaml)
    # shellcheck disable=SC2086
    "$bin" "$d/transformer.yaml" $files >"$out/$n.out" 2>"$out/$n.err" && echo 0 >>"$out/$n.out" || echo $? >>"$out/$n.out"
  done
}
render "$tmp/before" "$tmp/out-before"
render "$tmp/after" "$tmp/out-after"
if diff -r "$tmp/out-before" "$tmp/out-after"; then
  echo "same-output: $(ls "$tmp/out-after" | wc -l) outputs identical to $ref"
else
  echo "same-output: the output differs from $ref (above)"; exit 1
fi
