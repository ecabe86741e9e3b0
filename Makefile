# apirule-fn — see README.md. Every target works on a fresh clone with Go installed.
SHELL := /bin/bash
export GOTOOLCHAIN := local

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The one build command: the Dockerfile runs the same flags (a test checks it).
GO_BUILD_FLAGS := -trimpath -ldflags "-s -w -X github.com/apirule-krm/apirule-fn/fn/cmd.Version=$(VERSION)"
BIN := bin/apirule-fn

IMAGE ?= ghcr.io/apirule-krm/apirule-fn
# Extra docker buildx flags, e.g. BUILDX_FLAGS=--push.
BUILDX_FLAGS ?=
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
KUSTOMIZE_VERSION := v5.8.1
KUSTOMIZE := bin/kustomize
STATICCHECK_VERSION := v0.8.2
STATICCHECK := bin/staticcheck

.PHONY: build test test-short lint staticcheck demo migrate-report bench e2e e2e-container kustomize image dist e2e-oathkeeper test-istio e2e-argocd scale
build:
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(BIN) .

## test: the whole suite: unit, conformance, determinism, examples, and (a separate module, for
## its heavy dependencies) output validity against the Istio/Oathkeeper CRDs and the CRD verdicts.
test: lint
	go test ./...
	test/apiserver/run.sh

## lint: gofmt, go vet and staticcheck over the function's module, test/apiserver and
## e2e/oathkeeper (test/istio only gets go vet, in test-istio: istio.io/istio is heavy). The
## deliberate exceptions are //lint:ignore comments with their reason, listed in CONTRIBUTING.md.
lint: staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	go vet ./...
	$(STATICCHECK) ./...
	cd test/apiserver && go vet ./... && ../../$(STATICCHECK) ./...
	cd e2e/oathkeeper && go vet ./... && ../../$(STATICCHECK) ./...

## test-short: the inner loop: every test but the slow suites (they skip under -short).
test-short:
	go test -short ./...

## staticcheck: the pinned staticcheck in bin/ (installed only when missing or another version;
## 0.8.x is the first line that reads Go 1.26 code).
staticcheck:
	@if ! $(STATICCHECK) -version 2>/dev/null | grep -qF '($(STATICCHECK_VERSION:v%=%))'; then \
	  echo "installing staticcheck $(STATICCHECK_VERSION) into bin/"; \
	  GOBIN=$(CURDIR)/bin go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); fi

## test-istio: the output against istiod's validating webhook and Istio's analyzers, and the
## generated-APIRule property test (test/istio, a separate module: istio.io/istio is heavy;
## cold build about 4 minutes). The long property run: make test-istio ISTIO_PROPERTY=10m.
ISTIO_PROPERTY ?=
test-istio:
	cd test/istio && go vet -mod=mod ./...
	APIRULE_ISTIO_PROPERTY_DURATION=$(ISTIO_PROPERTY) test/istio/run.sh -timeout 0

## demo: render the seed example (httpbin secured with JWT) and print the result.
demo: build
	$(BIN) examples/seed-httpbin/transformer.yaml examples/seed-httpbin/apirule.yaml examples/seed-httpbin/service.yaml

## migrate-report: mode migrate over every v1alpha1/v1beta1 APIRule of the conformance cases:
## how many migrate, and the blocking fields by reason (the test also checks each outcome).
migrate-report:
	set -o pipefail; go test -count=1 -run '^TestMigrateConformance$$' -v ./fn/cmd/ | sed -n '/migrated [0-9]/,/^--- /p' | grep -v '^--- '

## bench: benchmarks at 1,000 and 10,000 APIRules against a kyaml pass-through.
bench:
	go test -run '^$$' -bench VsPassThrough -benchtime 3x ./fn/cmd/

## scale: the README's scale table: the function alone, kustomize fn run, kpt (when on PATH) and
## kustomize build at 100 and 1,000 APIRules (kustomize build at 1,000 takes minutes).
scale: build kustomize
	hack/scale.sh $(KUSTOMIZE) $(BIN)

## e2e: every example through the real kustomize CLI, kustomize fn run on the kpt package, and
## (when kpt is on PATH; it says so when not) kpt fn render --allow-exec and kpt fn eval --exec.
e2e: build kustomize
	hack/e2e-kustomize.sh $(KUSTOMIZE) $(BIN)
	hack/e2e-kpt.sh exec $(BIN)

## e2e-container: the image (the Dockerfile's final stage on a local base) built with podman
## and run: its contract, kustomize's container: and kpt's image: paths. Installs podman and
## runc with apt-get when missing (needs root); fails when the runtime cannot start.
e2e-container: build kustomize
	hack/e2e-container.sh $(KUSTOMIZE) $(BIN) $(VERSION)

## kustomize: the pinned kustomize CLI in bin/ (installed only when missing or another version).
kustomize:
	@if [ "$$($(KUSTOMIZE) version 2>/dev/null)" != "$(KUSTOMIZE_VERSION)" ]; then \
	  echo "installing kustomize $(KUSTOMIZE_VERSION) into bin/"; \
	  GOBIN=$(CURDIR)/bin go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION); fi

## image: multi-arch container image (needs a Docker engine with buildx).
image:
	docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=$(VERSION) \
	  -t $(IMAGE):$(VERSION) $(BUILDX_FLAGS) .

## dist: static release binaries for linux/darwin x amd64/arm64, with SHA256SUMS.
dist:
	rm -rf dist && mkdir -p dist
	set -e; for p in $(PLATFORMS); do os=$${p%/*}; arch=$${p#*/}; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build $(GO_BUILD_FLAGS) -o dist/apirule-fn-$$os-$$arch . ; done
	cd dist && sha256sum apirule-fn-* > SHA256SUMS && cat SHA256SUMS

## e2e-oathkeeper: the seed's flow end to end: a real OIDC provider, a real Oathkeeper, rendered rules.
e2e-oathkeeper:
	./e2e/oathkeeper/run.sh

## e2e-argocd: the README's two Argo CD recipes through Argo CD's own repo-server and CMP server
## (Argo CD built from the Go module proxy, cached in e2e/argocd/.bin; redis-server installed when missing).
e2e-argocd: build kustomize
	e2e/argocd/run.sh $(BIN) $(KUSTOMIZE)

## fuzz: every fuzz target for FUZZTIME each (default 10s; e.g. make fuzz FUZZTIME=10m).
FUZZTIME ?= 10s
FUZZ_TARGETS := FuzzResourceList:./fn/cmd/ FuzzAPIRule:./fn/processor/ FuzzDecode:./fn/yamlsafe/ FuzzPaths:./fn/urlpath/ FuzzScan:./fn/krmio/
.PHONY: fuzz
fuzz:
	set -e; for t in $(FUZZ_TARGETS); do \
	  go test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s "$${t#*:}"; done
