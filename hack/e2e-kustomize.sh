#!/usr/bin/env bash
# e2e-kustomize.sh KUSTOMIZE BIN: the examples through the real kustomize CLI.
#   1. kustomize build --enable-alpha-plugins --enable-exec over every example with
#      an expected-output.yaml, diffed against it;
#   1b. a check's warning reaches the user: kustomize shows only the function's stderr;
#   2. the silent skip without --enable-exec (kustomize#4399) looks as the docs say;
#   3. the container example, with a docker stand-in that runs the binary;
#   4. kustomize fn run on a copy of kpt-package without its generated objects:
#      it writes them back into the files as committed, and a second run changes
#      nothing.
# apirule-fn is found on PATH, as the examples declare it (exec: {path: apirule-fn}).
set -euo pipefail
cd "$(dirname "$0")/.."

kustomize=$(realpath "$1")
bin=$(realpath "$2")
[ "$(basename "$bin")" = apirule-fn ] || { echo "e2e: $bin must be named apirule-fn" >&2; exit 2; }
PATH="$(dirname "$bin"):$PATH"
export PATH
. hack/e2e-lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "e2e: $("$kustomize" version), $(apirule-fn --version)"

# 1. Every example against its golden file.
n=0
while IFS= read -r golden; do
  dir=$(dirname "$golden")
  n=$((n + 1))
  if ! "$kustomize" build --enable-alpha-plugins --enable-exec "$dir" >"$tmp/out.yaml" 2>"$tmp/err"; then
    fail "kustomize build $dir: $(cat "$tmp/err")"
  elif ! diff -u "$golden" "$tmp/out.yaml"; then
    fail "kustomize build $dir differs from $golden"
  else
    echo "ok   kustomize build $dir"
  fi
done < <(find examples -name expected-output.yaml | sort)
[ "$n" -ge 6 ] || fail "only $n examples with expected-output.yaml"

# 1b. Warnings are seen where users run kustomize: the seed's Oathkeeper jwt rule
#     requires no audience (check AF504), and kustomize shows the function's stderr.
warning='apirule-fn: warning: APIRule default/httpbin spec.rules[0].accessStrategies[0].config: AF504 (medium): '
if ! "$kustomize" build --enable-alpha-plugins --enable-exec examples/seed-httpbin >/dev/null 2>"$tmp/err"; then
  fail "kustomize build examples/seed-httpbin: $(cat "$tmp/err")"
elif ! grep -qF "$warning" "$tmp/err"; then
  fail "kustomize build examples/seed-httpbin does not show the AF504 warning line; stderr: $(cat "$tmp/err")"
else
  echo "ok   kustomize build shows the check warning: $(grep -F "$warning" "$tmp/err" | cut -c1-110)..."
fi

# 2. Without --enable-exec the function is skipped and the build still succeeds:
#    the APIRule comes out as it is and no VirtualService appears.
if ! "$kustomize" build --enable-alpha-plugins examples/seed-httpbin >"$tmp/skip.yaml" 2>"$tmp/err"; then
  fail "kustomize build without --enable-exec now fails ($(cat "$tmp/err")): update the silent-skip docs"
elif grep -q '^kind: VirtualService' "$tmp/skip.yaml" || ! grep -q '^kind: APIRule' "$tmp/skip.yaml"; then
  fail "kustomize build without --enable-exec no longer shows the documented tell-tale"
else
  echo "ok   without --enable-exec: exit 0, APIRule emitted unrendered, no VirtualService (kustomize#4399)"
fi

# 3. The container example: kustomize builds the docker command line, the stand-in
#    checks it and runs the binary; the result is seed-httpbin's.
image=$(sed -n 's/^ *image: *//p' examples/container/transformer.yaml)
mkdir -p "$tmp/docker"
cat >"$tmp/docker/docker" <<EOF
#!/bin/sh
args="\$*"
for want in "run " " -i " "--network none" "--user nobody" "--security-opt=no-new-privileges"; do
  case "\$args" in *"\$want"*) ;; *) echo "docker stand-in: missing \$want in: \$args" >&2; exit 125;; esac
done
for last; do :; done
[ "\$last" = "$image" ] || { echo "docker stand-in: unexpected image \$last" >&2; exit 125; }
exec "$bin"
EOF
chmod +x "$tmp/docker/docker"
if ! PATH="$tmp/docker:$PATH" "$kustomize" build --enable-alpha-plugins examples/container >"$tmp/out.yaml" 2>"$tmp/err"; then
  fail "kustomize build examples/container: $(cat "$tmp/err")"
elif ! diff -u examples/seed-httpbin/expected-output.yaml "$tmp/out.yaml"; then
  fail "examples/container (docker stand-in) differs from seed-httpbin"
else
  echo "ok   kustomize build examples/container (docker stand-in for $image)"
fi

# 4. kustomize fn run on the kpt package, as kpt fn render would run it.
pkg="$tmp/kpt-package"
cp -r examples/kpt-package "$pkg"
strip_generated "$pkg"
if diff -r -q examples/kpt-package "$pkg" >/dev/null; then
  fail "examples/kpt-package holds no generated objects"
fi
# The function declaration for fn run: the package's config plus the exec annotation.
mkdir -p "$tmp/fn"
awk '{ print } /^  annotations:$/ { print "    config.kubernetes.io/function: |\n      exec:\n        path: apirule-fn" }' \
  examples/kpt-package/apirule-fn-config.yaml >"$tmp/fn/apirule-fn.yaml"
grep -q 'path: apirule-fn' "$tmp/fn/apirule-fn.yaml" || fail "could not declare the function for kustomize fn run"
for run in 1 2; do
  if ! "$kustomize" fn run --enable-exec --fn-path "$tmp/fn" "$pkg" 2>"$tmp/err"; then
    fail "kustomize fn run #$run: $(cat "$tmp/err")"
  elif ! diff -r -u examples/kpt-package "$pkg"; then
    fail "kustomize fn run #$run: the package differs from examples/kpt-package"
  else
    echo "ok   kustomize fn run #$run: package as committed"
  fi
done

e2e_summary e2e
