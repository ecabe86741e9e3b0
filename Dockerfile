# apirule-fn as a container KRM function for kustomize (container: {image: ...}) and
# kpt (Kptfile pipeline image:). Multi-arch: make image
# (docker buildx build --platform linux/amd64,linux/arm64). The go build flags are the
# Makefile's GO_BUILD_FLAGS; build_test.go checks that they match. make e2e-container
# builds the final stage as it is, on a local base, and runs it (image_test.go).

# The builder runs on the build machine's platform and cross-compiles.
FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
ARG TARGETOS TARGETARCH
ARG VERSION=dev
ENV GOTOOLCHAIN=local
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w -X github.com/apirule-krm/apirule-fn/fn/cmd.Version=${VERSION}" -o /out/apirule-fn .

# Static and shell-less; it has the users nonroot (65532, the default here) and
# nobody (65534), as which kustomize and kpt run functions (docker run --user nobody).
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="apirule-fn" \
      org.opencontainers.image.description="KRM function rendering Kyma APIRules into Istio and Oathkeeper objects" \
      org.opencontainers.image.source="https://github.com/apirule-krm/apirule-fn" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/apirule-fn /apirule-fn
ENTRYPOINT ["/apirule-fn"]
