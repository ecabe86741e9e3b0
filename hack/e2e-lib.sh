# e2e-lib.sh: what the e2e scripts share; source it from the repository root.
#   fail MSG               count a failed check and say why on stderr
#   timed LABEL CMD...     run CMD, print "ok|FAIL LABEL (Ns)"; CMD's output goes to
#                          $tmp/last.out and $tmp/last.err, shown when it fails; CMD
#                          is stopped after E2E_TIMEOUT seconds (default 300), so a
#                          hung runtime fails the run instead of hanging CI
#   strip_generated DIR    drop every YAML document carrying the ownership annotation
#                          from DIR's files: what a package looks like before rendering
#   e2e_summary NAME       the closing line; exits 1 when a check failed
# The caller sets tmp (a scratch directory) before using timed.

failed=0
e2e_start=$EPOCHREALTIME

fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

# seconds_since START: elapsed wall time, one decimal.
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }

timed() {
  local label=$1 start=$EPOCHREALTIME
  shift
  if timeout "${E2E_TIMEOUT:-300}" "$@" >"$tmp/last.out" 2>"$tmp/last.err"; then
    echo "ok   $label ($(seconds_since "$start"))"
  else
    local rc=$? why
    why="exited $rc"
    [ "$rc" = 124 ] && why="timed out"
    fail "$label $why after $(seconds_since "$start"): $*"
    sed 's/^/  | /' "$tmp/last.err" "$tmp/last.out" >&2
    return "$rc"
  fi
}

strip_generated() {
  local f
  for f in "$1"/*.yaml "$1"/Kptfile; do
    awk '
      function flush() {
        if (doc != "" && doc !~ /apirule\.krm\.dev\/generated-from:/) { if (kept++) printf "---\n"; printf "%s", doc }
        doc = ""
      }
      /^---$/ { flush(); next }
      { doc = doc $0 "\n" }
      END { flush() }' "$f" >"$f.tmp"
    mv "$f.tmp" "$f"
  done
}

e2e_summary() {
  if [ "$failed" -gt 0 ]; then
    echo "$1: $failed check(s) failed after $(seconds_since "$e2e_start")" >&2
    exit 1
  fi
  echo "$1: all checks passed in $(seconds_since "$e2e_start")"
}
