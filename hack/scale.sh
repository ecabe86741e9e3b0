#!/usr/bin/env bash
# scale.sh KUSTOMIZE BIN [N...]: the README's scale table. Renders N generated v2 APIRules
# (default 100 and 1000; each with a Service, a jwt rule and a noAuth rule: 4 objects
# generated per APIRule) every way the README describes, and prints one Markdown row per way
# and N with the median wall time, the CPU time (user + system, of the whole process tree) of
# that run, and the peak memory (max RSS of the tree's largest process), from GNU time, over
# RUNS runs (default 3). On a shared machine read the CPU time: wall time grows with the load.
#   - apirule-fn alone, standalone mode (CONFIG FILE...);
#   - kustomize fn run --enable-exec over the directory (in place, on a fresh copy each run);
#   - kpt fn eval --exec, when kpt is on PATH;
#   - kustomize build --enable-alpha-plugins --enable-exec over a kustomization;
#   - kustomize build (no function) over the standalone output: rendering first and listing the
#     result under resources:.
# WAYS selects some of them (default: "fn fn-run kpt build prerendered"). Every way must produce
# the same objects as apirule-fn alone (which always runs), or the script fails.
# Example: hack/scale.sh bin/kustomize bin/apirule-fn     (after make build kustomize)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 KUSTOMIZE BIN [N...]" >&2; exit 2; }
kustomize=$(realpath "$1")
bin=$(realpath "$2")
shift 2
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)
runs=${RUNS:-3}
ways=" ${WAYS:-fn fn-run kpt build prerendered} "
[ "$(basename "$bin")" = apirule-fn ] || { echo "scale: $bin must be named apirule-fn" >&2; exit 2; }
PATH="$(dirname "$bin"):$PATH"
export PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

config='apiVersion: apirule.krm.dev/v1alpha1
kind: APIRuleTransformer
metadata:
  name: apirule-fn
  annotations:
    config.kubernetes.io/local-config: "true"
    config.kubernetes.io/function: |
      exec:
        path: apirule-fn
spec:
  gateways:
    kyma-system/kyma-gateway: local.kyma.dev'

# generate DIR N: N APIRules in DIR/apirules.yaml and their Services in DIR/services.yaml.
generate() {
  mkdir -p "$1"
  awk -v n="$2" 'BEGIN {
    for (i = 0; i < n; i++) {
      if (i) print "---"
      printf "apiVersion: gateway.kyma-project.io/v2\nkind: APIRule\nmetadata:\n  name: app-%d\n  namespace: team-%d\n", i, i % 10
      printf "spec:\n  hosts:\n  - app-%d\n  gateway: kyma-system/kyma-gateway\n  service:\n    name: app-%d\n    port: 8080\n", i, i
      printf "  rules:\n  - path: /api/{**}\n    methods: [GET, POST]\n    jwt:\n      authentications:\n"
      printf "      - issuer: https://idp.example.com\n        jwksUri: https://idp.example.com/oauth2/certs\n"
      printf "  - path: /healthz\n    methods: [GET]\n    noAuth: true\n"
    }
  }' >"$1/apirules.yaml"
  awk -v n="$2" 'BEGIN {
    for (i = 0; i < n; i++) {
      if (i) print "---"
      printf "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-%d\n  namespace: team-%d\n", i, i % 10
      printf "spec:\n  selector:\n    app: app-%d\n  ports:\n  - port: 8080\n", i
    }
  }' >"$1/services.yaml"
}

# measure NAME CMD...: runs CMD RUNS times (each after prepare, if defined) and prints the
# table cells of the run with the median wall time: "wall | cpu | peak memory".
# CMD's stdout goes to $tmp/out.
measure() {
  local name=$1 i
  shift
  : >"$tmp/runs"
  for ((i = 0; i < runs; i++)); do
    if declare -F prepare >/dev/null; then prepare; fi
    if ! /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err"; then
      echo "scale: $name failed: $(tail -5 "$tmp/err")" >&2
      exit 1
    fi
    cat "$tmp/time" >>"$tmp/runs"
  done
  sort -g "$tmp/runs" | awk '{ a[NR] = $0 } END {
    split(a[int((NR + 1) / 2)], r, " ")
    printf "%.2f s | %.2f s | %d MiB", r[1], r[2] + r[3], r[4] / 1024
  }'
}

# count FILE...: the objects other than APIRules (which some ways print or keep and others drop).
count() { cat "$@" | grep '^kind: ' | grep -vc '^kind: APIRule$'; }

echo "scale: $("$kustomize" version), $(apirule-fn --version), kpt $(command -v kpt >/dev/null && kpt version || echo 'not on PATH'); $runs run(s) each; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| APIRules | how | wall time | CPU time | peak memory |"
echo "|---|---|---|---|---|"
printf '%s\n' "$config" >"$tmp/config.yaml"
mkdir -p "$tmp/fn"
printf '%s\n' "$config" >"$tmp/fn/apirule-fn.yaml"

# check HOW FILE...: FILE... hold the objects apirule-fn alone produced.
check() {
  local how=$1 got
  shift
  got=$(count "$@")
  [ "$got" = "$want" ] || { echo "scale: $how produced $got objects, want $want" >&2; exit 1; }
}
# kustomization DIR RESOURCES [TRANSFORMERS]: a copy of the generated files with a kustomization.
kustomization() {
  rm -rf "$1" && cp -r "$src" "$1" && cp "$tmp/rendered.yaml" "$1/"
  printf 'resources: [%s]\n' "$2" >"$1/kustomization.yaml"
  if [ -n "${3:-}" ]; then
    cp "$tmp/config.yaml" "$1/transformer.yaml"
    printf 'transformers: [%s]\n' "$3" >>"$1/kustomization.yaml"
  fi
}

for n in "${sizes[@]}"; do
  src="$tmp/src-$n"
  generate "$src" "$n"

  # The objects every way must produce: the Services and what the function generates.
  unset -f prepare
  row=$(measure "apirule-fn" apirule-fn "$tmp/config.yaml" "$src/apirules.yaml" "$src/services.yaml")
  want=$(count "$tmp/out")
  cp "$tmp/out" "$tmp/rendered.yaml"
  [[ $ways != *" fn "* ]] || echo "| $n | apirule-fn alone (standalone) | $row |"

  prepare() { rm -rf "$tmp/pkg" && cp -r "$src" "$tmp/pkg"; }
  if [[ $ways == *" fn-run "* ]]; then
    row=$(measure "kustomize fn run" "$kustomize" fn run --enable-exec --fn-path "$tmp/fn" "$tmp/pkg")
    check "kustomize fn run" "$tmp/pkg"/*.yaml
    echo "| $n | \`kustomize fn run\` | $row |"
  fi
  if [[ $ways == *" kpt "* ]] && command -v kpt >/dev/null; then
    row=$(measure "kpt fn eval" kpt fn eval "$tmp/pkg" --exec apirule-fn --fn-config "$tmp/config.yaml")
    check "kpt fn eval" "$tmp/pkg"/*.yaml
    echo "| $n | \`kpt fn eval --exec\` | $row |"
  fi

  prepare() { kustomization "$tmp/kust" "apirules.yaml, services.yaml" transformer.yaml; }
  if [[ $ways == *" build "* ]]; then
    row=$(measure "kustomize build" "$kustomize" build --enable-alpha-plugins --enable-exec "$tmp/kust")
    check "kustomize build" "$tmp/out"
    echo "| $n | \`kustomize build\` | $row |"
  fi

  prepare() { kustomization "$tmp/kust" rendered.yaml; }
  if [[ $ways == *" prerendered "* ]]; then
    row=$(measure "kustomize build of the standalone output" "$kustomize" build "$tmp/kust")
    check "kustomize build of the standalone output" "$tmp/out"
    echo "| $n | standalone output under \`resources:\`, \`kustomize build\` without the function | $row |"
  fi
  unset -f prepare
done
