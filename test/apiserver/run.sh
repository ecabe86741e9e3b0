#!/usr/bin/env bash
# Runs the tests of this module: fn/schema against the API server's own validation, and the
# function's output against the Istio and Oathkeeper CRDs, Oathkeeper's handler schemas and the
# security invariants. A separate module, because its dependencies (k8s.io/apiextensions-apiserver
# and friends) are heavy and must stay out of the function's go.mod.
# Extra arguments go to `go test` (for example -run TestNoTokenless -v).
set -euo pipefail
cd "$(dirname "$0")"
export GOTOOLCHAIN=local
exec go test -count=1 "$@" ./...
