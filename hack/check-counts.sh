#!/usr/bin/env bash
# check-counts.sh BIN: how often each check fires on the conformance cases and the
# examples, one line per check ID, then the findings themselves (with -v).
# The function runs standalone with --verbose (every result on stderr, one line each).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1")
verbose=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in testdata/conformance/*/; do
  "$bin" --verbose "$dir/config.yaml" "$dir/resources.yaml" >/dev/null 2>"$tmp/err" || true
  sed "s|^|conformance/$(basename "$dir"): |" "$tmp/err" >>"$tmp/all"
done
for k in examples/*/kustomization.yaml examples/*/*/kustomization.yaml; do
  dir=$(dirname "$k")
  cfg=$(grep -l 'kind: APIRuleTransformer' "$dir"/*.yaml 2>/dev/null | head -1) || continue
  [ -n "$cfg" ] || continue
  files=$(grep -L 'kind: APIRuleTransformer\|kind: Kustomization\|^# expected' "$dir"/*.yaml | grep -v expected-output || true)
  [ -n "$files" ] || continue
  # shellcheck disable=SC2086
  "$bin" --verbose "$cfg" $files >/dev/null 2>"$tmp/err" || true
  sed "s|^|$dir: |" "$tmp/err" >>"$tmp/all"
done
touch "$tmp/all"
echo "findings per check (conformance cases and examples):"
grep -oE ': (warning|error|info): .* (AF[0-9]{3}) \(' "$tmp/all" | grep -oE 'AF[0-9]{3}' | sort | uniq -c | sort -k2
if [ "$verbose" = -v ]; then grep -E 'AF[0-9]{3} \(' "$tmp/all"; fi
