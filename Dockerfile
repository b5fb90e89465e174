# syntax=docker/dockerfile:1

# Builds the function's runtime image. `make image` assembles the same layout
# (/function, nonroot, port 9443) without Docker; see tools/xpkg.

# Keep in step with the go directive in go.mod.
ARG GO_VERSION=1.26

# Build on the builder's own platform and cross-compile for the target: Go
# needs no emulator to do that, so multi-arch builds stay fast.
FROM --platform=${BUILDPLATFORM} golang:${GO_VERSION} AS build

WORKDIR /fn

# A static binary runs on distroless/static, which has no libc.
ENV CGO_ENABLED=0

# Fetch modules in a step keyed only on go.mod and go.sum, so a source change
# reuses the downloaded modules instead of fetching them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

# Set by BuildKit from --platform, e.g. linux/arm64.
ARG TARGETOS
ARG TARGETARCH

# Bind-mount the source rather than COPY it: it is only needed while
# compiling. -trimpath drops build paths and -s -w drops the symbol table and
# DWARF, for a smaller, reproducible binary.
RUN --mount=target=. \
    --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags="-s -w" -o /function .

# distroless/static has no shell or package manager, only CA certificates,
# tzdata and a nonroot user, so the image carries almost nothing to patch.
FROM gcr.io/distroless/static-debian12:nonroot AS image

COPY --from=build /function /function

# function-sdk-go serves gRPC on 9443 by default.
EXPOSE 9443

# Run as distroless' nonroot user (65532) rather than root.
USER nonroot:nonroot

ENTRYPOINT ["/function"]
