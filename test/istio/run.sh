#!/usr/bin/env bash
# Runs this module's tests: the function's output against istiod's validating webhook and
# Istio's analyzers (see README.md). A separate module, because istio.io/istio is heavy and
# unreleased (a pseudo-version) and must stay out of the function's go.mod.
# Extra arguments go to `go test` (for example -run TestAnalyzer -v). The long property run:
#   APIRULE_ISTIO_PROPERTY_DURATION=10m test/istio/run.sh -run TestPropertyIstiodAgreement -v -timeout 0
set -euo pipefail
cd "$(dirname "$0")"
export GOTOOLCHAIN=local
# -mod=mod: the function's go.mod may gain a requirement before this go.sum follows.
exec go test -mod=mod -count=1 "$@" ./...
