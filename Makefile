# function-llm-inference-service
#
# Everything builds from pinned Go modules: the crossplane CLI and controller-gen
# come from the tool modules under tools/, so a fresh machine needs only Go.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
BIN       := $(CURDIR)/bin
OUTPUT    := $(CURDIR)/_output
CROSSPLANE := $(BIN)/crossplane
CONTROLLER_GEN := $(BIN)/controller-gen
FUNCTION  := $(BIN)/function
# Port the function listens on while `make render` runs it.
RENDER_PORT ?= 9443
# The example rendered by `make render`.
EXAMPLE   ?= single-node

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(CROSSPLANE): tools/crossplane/go.mod tools/crossplane/go.sum
	cd tools/crossplane && $(GO) build -o $(CROSSPLANE) github.com/crossplane/crossplane/v2/cmd/crank

$(CONTROLLER_GEN): tools/controller-gen/go.mod tools/controller-gen/go.sum
	cd tools/controller-gen && $(GO) build -o $(CONTROLLER_GEN) sigs.k8s.io/controller-tools/cmd/controller-gen

.PHONY: tools
tools: $(CROSSPLANE) $(CONTROLLER_GEN) ## Build the pinned crossplane CLI and controller-gen.

.PHONY: build
build: ## Build the function binary (static).
	CGO_ENABLED=0 $(GO) build -trimpath -o $(FUNCTION) .

# The examples `make render` knows, and the Composition each uses.
COMPOSITION_single-node      := example/composition.yaml
COMPOSITION_pvc-lora         := example/composition.yaml
COMPOSITION_oci              := example/composition.yaml
COMPOSITION_tensor-parallel  := example/composition.yaml
COMPOSITION_legacy           := example/legacy/composition.yaml
COMPOSITION_no-scheduler     := example/composition.yaml
COMPOSITION_custom-scheduler := example/composition.yaml
COMPOSITION_shared-gateway   := example/composition.yaml
COMPOSITION_bring-your-own   := example/composition.yaml
COMPOSITION_gke              := example/gke/composition.yaml
COMPOSITION_base-configs     := example/base-configs/composition.yaml
COMPOSITION_pd               := example/composition.yaml
COMPOSITION_wide-ep          := example/composition.yaml
COMPOSITION_multi-node-pd    := example/composition.yaml
COMPOSITION_pipeline-parallel := example/composition.yaml

.PHONY: render
render: build $(CROSSPLANE) ## Render an example with crossplane render, no cluster (EXAMPLE=<dir under example/>; OBSERVED=file; REQUIRED=file).
	@test -n "$(COMPOSITION_$(EXAMPLE))" || { echo "unknown EXAMPLE=$(EXAMPLE)" >&2; exit 1; }
	@$(FUNCTION) --insecure --address=127.0.0.1:$(RENDER_PORT) --metrics-address=127.0.0.1:0 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true' EXIT; \
	for i in $$(seq 50); do (echo > /dev/tcp/127.0.0.1/$(RENDER_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	kill -0 $$pid 2>/dev/null || { echo "the function did not start; is port $(RENDER_PORT) in use? set RENDER_PORT" >&2; exit 1; }; \
	$(CROSSPLANE) render example/$(EXAMPLE)/xr.yaml $(COMPOSITION_$(EXAMPLE)) example/functions.yaml \
		--include-function-results \
		--function-annotations=render.crossplane.io/runtime-development-target=127.0.0.1:$(RENDER_PORT) \
		$(if $(OBSERVED),--observed-resources=$(OBSERVED)) \
		$(if $(REQUIRED),--required-resources=$(REQUIRED))

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Regenerate the input CRD, deepcopy methods and the example XRDs.
	$(GO) generate -tags generate ./...

.PHONY: check-generated
check-generated: generate ## Fail if generated files differ from what is committed.
	@git diff --exit-code -- example/xrd.yaml example/legacy/xrd.yaml package/input input/v1beta1 || \
		{ echo "generated files are stale: run make generate and commit" >&2; exit 1; }

.PHONY: lint
lint: ## gofmt and go vet every module.
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt would change: $$out" >&2; exit 1; }
	$(GO) vet ./...
	cd test && $(GO) vet ./...
	cd tools/xpkg && $(GO) vet ./...

.PHONY: test
test: lint check-generated ## Run every test: unit, render goldens with the real CLI, schema validation, packaging.
	$(GO) test -count=1 ./...
	cd test && $(GO) test -count=1 ./...
	cd tools/xpkg && $(GO) test -count=1 ./...
	$(MAKE) xpkg-check

# ---- Packaging ---------------------------------------------------------------
# No Docker engine is needed: tools/xpkg assembles the runtime image from the
# static binary, and the pinned crossplane CLI wraps it into the package. The
# Dockerfile builds the same runtime layout where Docker is available.

XPKG_IMAGE      := $(BIN)/xpkg-image
RUNTIME_TARBALL := $(OUTPUT)/runtime-amd64.tar
XPKG_FILE       := $(OUTPUT)/function-llm-inference-service-amd64.xpkg
# Where xpkg build looks for examples to embed. It must not exist: example/
# holds render fixtures (Development-runtime Functions) that must not ship in
# the package, and the CLI only skips the examples layer when the directory is
# missing. Its default, ./examples, would embed any examples/ directory someone
# creates later, and an empty value would make it scan the whole repository.
XPKG_EXAMPLES   := $(OUTPUT)/no-examples

$(XPKG_IMAGE): tools/xpkg/go.mod tools/xpkg/go.sum $(filter-out %_test.go,$(wildcard tools/xpkg/*.go)) ## Build the runtime image assembler.
	cd tools/xpkg && $(GO) build -o $(XPKG_IMAGE) .

.PHONY: image
image: build $(XPKG_IMAGE) ## Assemble the linux/amd64 runtime image tarball (no Docker).
	$(XPKG_IMAGE) --binary=$(FUNCTION) --arch=amd64 --tag=function-llm-inference-service:dev --output=$(RUNTIME_TARBALL)

.PHONY: xpkg
xpkg: image $(CROSSPLANE) ## Build the Function package with the runtime image embedded.
	@test ! -e $(XPKG_EXAMPLES) || { echo "$(XPKG_EXAMPLES) must not exist: xpkg build would embed it as examples" >&2; exit 1; }
	$(CROSSPLANE) xpkg build --package-root=package --examples-root=$(XPKG_EXAMPLES) \
		--embed-runtime-image-tarball=$(RUNTIME_TARBALL) --package-file=$(XPKG_FILE)
	@ls -l $(XPKG_FILE)

.PHONY: xpkg-check
xpkg-check: xpkg ## Open the built package and check its metadata and embedded runtime.
	cd tools/xpkg && XPKG_FILE=$(XPKG_FILE) FUNCTION_BINARY=$(FUNCTION) $(GO) test -count=1 -run '^TestPackage$$' -v .
