# apirule-fn — see README.md. Every target works on a fresh clone with Go installed.
SHELL := /bin/bash
export GOTOOLCHAIN := local

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The one build command: the Dockerfile runs the same flags (a test checks it).
GO_BUILD_FLAGS := -trimpath -ldflags "-s -w -X github.com/apirule-krm/apirule-fn/fn/cmd.Version=$(VERSION)"
BIN := bin/apirule-fn

.PHONY: build test lint demo bench
build:
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(BIN) .

## test: the whole suite (unit, conformance, determinism, output validity).
test: lint
	go test ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	go vet ./...

## demo: render the seed example (httpbin secured with JWT) and print the result.
demo: build
	$(BIN) examples/seed-httpbin/fn-config.yaml examples/seed-httpbin/apirule.yaml examples/seed-httpbin/service.yaml

## bench: benchmarks at 1,000 and 10,000 APIRules against a kyaml pass-through.
bench:
	go test -run '^$$' -bench VsPassThrough -benchtime 3x ./fn/cmd/
