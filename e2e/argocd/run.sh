#!/usr/bin/env bash
# e2e-argocd: the README's two Argo CD recipes against Argo CD's own repo-server and CMP server.
# Usage: run.sh APIRULE_FN KUSTOMIZE (the function and the kustomize the README's sidecar image
# installs, as `make build kustomize` leave them in bin/). Works from a fresh clone, as root:
#   - installs redis-server (Debian package) when missing: the repo-server needs its cache;
#   - builds the Argo CD release this module requires from the Go module proxy (cached in .bin/,
#     keyed by version; about 7.5 minutes cold on 2 cores) and the kustomize version that
#     release's image bundles (read from its hack/tool-versions.sh);
#   - runs the Go tests, which print each recipe and case with its result and duration.
# Extra arguments go to `go test` (e.g. -run TestRecipeBuildOptions).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 APIRULE_FN KUSTOMIZE [go test flags]" >&2; exit 2; }
fn=$(realpath "$1")
kustomize_sidecar=$(realpath "$2")
shift 2
cd "$(dirname "$0")"
export GOTOOLCHAIN=local
# One setting for the binary and the test: they share most packages in the build cache.
export CGO_ENABLED=0

started=$(date +%s.%N)
since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1fs", e - s }'; }
trap 'echo "e2e-argocd: total $(since "$started")"' EXIT
phase() { echo "== e2e-argocd: $*"; }

if ! command -v redis-server >/dev/null; then
  phase "installing redis-server (Debian package)"
  t=$(date +%s.%N)
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  phase "redis-server installed in $(since "$t")"
fi

argocd_version=$(go list -m -f '{{.Version}}' github.com/argoproj/argo-cd/v3)
mkdir -p .bin
argocd=$PWD/.bin/argocd-$argocd_version
if [ ! -x "$argocd" ]; then
  phase "building Argo CD $argocd_version (cold: several minutes)"
  t=$(date +%s.%N)
  go build -o "$argocd.partial" github.com/argoproj/argo-cd/v3/cmd
  mv "$argocd.partial" "$argocd"
  phase "Argo CD built in $(since "$t")"
fi

# The kustomize Argo CD's image ships (its Dockerfile installs hack/tool-versions.sh's version).
tool_versions=$(go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)/hack/tool-versions.sh
kustomize_bundled_version=v$(sed -n 's/^kustomize5_version=//p' "$tool_versions")
[ "$kustomize_bundled_version" != v ] || { echo "no kustomize5_version in $tool_versions" >&2; exit 1; }
kustomize_bundled=$PWD/.bin/kustomize-$kustomize_bundled_version/kustomize
if [ ! -x "$kustomize_bundled" ]; then
  phase "building kustomize $kustomize_bundled_version (the version Argo CD $argocd_version bundles)"
  t=$(date +%s.%N)
  GOBIN=$(dirname "$kustomize_bundled") go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_bundled_version"
  phase "kustomize built in $(since "$t")"
fi

phase "Argo CD $argocd_version; repo-server kustomize $("$kustomize_bundled" version); sidecar kustomize $("$kustomize_sidecar" version); $("$fn" --version)"
phase "compiling and vetting the test"
t=$(date +%s.%N)
go vet ./...
phase "compiled in $(since "$t")"

E2E_ARGOCD=$argocd \
E2E_KUSTOMIZE_BUNDLED=$kustomize_bundled \
E2E_KUSTOMIZE_SIDECAR=$kustomize_sidecar \
E2E_APIRULE_FN=$fn \
E2E_REDIS_SERVER=$(command -v redis-server) \
  go test -count=1 -v -timeout 30m "$@" ./...
