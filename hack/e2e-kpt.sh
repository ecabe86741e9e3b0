#!/usr/bin/env bash
# e2e-kpt.sh MODE ARG: examples/kpt-package through the real kpt CLI.
#   exec BIN     the binary (named apirule-fn, put first on PATH): kpt fn render
#                --allow-exec with the Kptfile's mutator as "exec: apirule-fn", and
#                kpt fn eval --exec apirule-fn                          (make e2e)
#   image IMAGE  a local image, through the container runtime the caller set up
#                (KPT_FN_RUNTIME, PATH): kpt fn render with the mutator as
#                "image: IMAGE", and kpt fn eval -i IMAGE, never pulling (make e2e-container)
# Each starts from a copy of the package without its generated objects, must write
# the files as committed, and runs a second time, which must change nothing. Then
# kpt fn eval -- mode=migrate over a copy of the seed: v2 in place, twice.
# Without kpt on PATH ($KPT, if set, names another) it says so and runs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/e2e-lib.sh

mode=${1:-}
case "$mode" in
exec)
  bin=$(realpath "$2")
  [ "$(basename "$bin")" = apirule-fn ] || { echo "e2e-kpt: $bin must be named apirule-fn" >&2; exit 2; }
  PATH="$(dirname "$bin"):$PATH"
  mutator="exec: apirule-fn"
  render_flags=(--allow-exec)
  eval_flags=(--exec apirule-fn)
  ;;
image)
  image=$2
  mutator="image: $image"
  render_flags=(--image-pull-policy never)
  eval_flags=(-i "$image" --image-pull-policy never)
  ;;
*)
  echo "usage: $0 exec BIN | image IMAGE" >&2
  exit 2
  ;;
esac

kpt=${KPT:-kpt}
if ! command -v "$kpt" >/dev/null; then
  echo "e2e-kpt: NOT RUN: $kpt is not on PATH, so kpt fn render and kpt fn eval ($mode) were not tested."
  echo "e2e-kpt: install kpt 1.0.0-beta.56 or later (e.g. the google-cloud-cli package's kpt) to run them."
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "e2e-kpt: kpt $("$kpt" version 2>&1), $mode ${2:-}"

# unrendered DEST: a copy of the package without its generated objects.
unrendered() {
  cp -r examples/kpt-package "$1"
  strip_generated "$1"
  if diff -r -q examples/kpt-package "$1" >/dev/null; then
    fail "examples/kpt-package holds no generated objects"
  fi
}

# twice LABEL WANT PKG CMD...: run CMD twice; after each run PKG must equal WANT.
twice() {
  local label=$1 want=$2 pkg=$3 run
  shift 3
  for run in 1 2; do
    timed "$label #$run" "$@" || continue
    if diff -r -u "$want" "$pkg"; then
      echo "ok   $label #$run: package as committed"
    else
      fail "$label #$run: the package differs from examples/kpt-package"
    fi
  done
}

# kpt fn render: the Kptfile's mutator switched to this mode's function.
unrendered "$tmp/render"
sed -i "s|^\(  - \)image: .*|\1$mutator|" "$tmp/render/Kptfile"
grep -q "^  - $mutator\$" "$tmp/render/Kptfile" || fail "could not set the Kptfile's mutator to $mutator"
cp -r examples/kpt-package "$tmp/want-render"
cp "$tmp/render/Kptfile" "$tmp/want-render/Kptfile"
twice "kpt fn render ${render_flags[*]} ($mutator)" "$tmp/want-render" "$tmp/render" \
  "$kpt" fn render "${render_flags[@]}" "$tmp/render"

# kpt fn eval: the package's own config, the Kptfile untouched.
unrendered "$tmp/eval"
twice "kpt fn eval ${eval_flags[*]} --fn-config apirule-fn-config.yaml" examples/kpt-package "$tmp/eval" \
  "$kpt" fn eval "$tmp/eval" "${eval_flags[@]}" --fn-config "$tmp/eval/apirule-fn-config.yaml"

# kpt fn eval -- mode=migrate: the seed's v1alpha1 APIRule becomes v2 in its own file,
# keeping its comment; the Service's file stays as it is; a second run changes nothing.
mkdir -p "$tmp/migrate"
cp examples/seed-httpbin/apirule.yaml examples/seed-httpbin/service.yaml "$tmp/migrate/"
migrate=("$kpt" fn eval "$tmp/migrate" "${eval_flags[@]}" -- mode=migrate defaultDomain=local.kyma.dev
  'issuers={"https://idp.example.com/oauth2/certs": "https://idp.example.com"}')
if timed "kpt fn eval ${eval_flags[*]} -- mode=migrate #1" "${migrate[@]}"; then
  grep -q '^apiVersion: gateway.kyma-project.io/v2$' "$tmp/migrate/apirule.yaml" || fail "mode=migrate: apirule.yaml is not v2"
  grep -q '^# Kyma tutorial' "$tmp/migrate/apirule.yaml" || fail "mode=migrate: the APIRule's comment is gone"
  grep -q 'issuer: https://idp.example.com$' "$tmp/migrate/apirule.yaml" || fail "mode=migrate: no jwt issuer"
  cmp -s examples/seed-httpbin/service.yaml "$tmp/migrate/service.yaml" || fail "mode=migrate: service.yaml changed"
  cp -r "$tmp/migrate" "$tmp/migrated"
  if timed "kpt fn eval ${eval_flags[*]} -- mode=migrate #2" "${migrate[@]}"; then
    diff -r -u "$tmp/migrated" "$tmp/migrate" && echo "ok   mode=migrate #2: nothing changed" || fail "mode=migrate #2 changed the package"
  fi
fi

e2e_summary "e2e-kpt ($mode)"
