#!/usr/bin/env bash
# e2e-oathkeeper (issue 7): proves with real components that the Oathkeeper Rules apirule-fn
# renders are enforced as Kyma's "Expose and secure a service with JWT" tutorial promises.
# Works from a fresh clone: compiles this nested module's test, which embeds the zitadel/oidc
# OpenID provider, then runs it; the test itself builds apirule-fn from the repository root and
# Oathkeeper from the Go module proxy (cached in .bin/, keyed by version) and prints how long
# each phase took. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")"
export GOTOOLCHAIN=local # use the installed Go, whatever a go.mod asks for

started=$(date +%s.%N)
since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1fs", e - s }'; }
trap 'echo "e2e-oathkeeper: total $(since "$started")"' EXIT

echo "== e2e-oathkeeper: compile and vet the test (includes the OIDC provider)"
go vet ./...
echo "== e2e-oathkeeper: compiled in $(since "$started")"

echo "== e2e-oathkeeper: go test"
go test -count=1 -v -timeout 10m ./...
