# function-llm-inference-service
#
# Everything builds from pinned Go modules: the crossplane CLI, controller-gen
# and golangci-lint come from the tool modules under tools/, so a fresh machine
# needs only Go.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
BIN       := $(CURDIR)/bin
OUTPUT    := $(CURDIR)/_output
CROSSPLANE := $(BIN)/crossplane
CONTROLLER_GEN := $(BIN)/controller-gen
GOLANGCI_LINT := $(BIN)/golangci-lint
FUNCTION  := $(BIN)/function
# Port the function listens on while `make render` runs it.
RENDER_PORT ?= 9443
# The example rendered by `make render`: its directory under example/.
EXAMPLE   ?= single-node

# One build configuration for every go command run from here: tests, the
# function's static binary, the tools and the control plane. Go's build cache
# keys each package on CGO_ENABLED and -trimpath, so a static -trimpath
# build of the function beside cgo-enabled tests would compile every
# dependency twice on a cold machine. CGO is off because the function ships
# as a static binary; -trimpath keeps this checkout's paths out of it.
export CGO_ENABLED := 0
export GOFLAGS     := -trimpath $(GOFLAGS)

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(CROSSPLANE): tools/crossplane/go.mod tools/crossplane/go.sum
	cd tools/crossplane && $(GO) build -o $(CROSSPLANE) github.com/crossplane/crossplane/v2/cmd/crank

$(CONTROLLER_GEN): tools/controller-gen/go.mod tools/controller-gen/go.sum
	cd tools/controller-gen && $(GO) build -o $(CONTROLLER_GEN) sigs.k8s.io/controller-tools/cmd/controller-gen

$(GOLANGCI_LINT): tools/golangci-lint/go.mod tools/golangci-lint/go.sum
	cd tools/golangci-lint && $(GO) build -o $(GOLANGCI_LINT) github.com/golangci/golangci-lint/v2/cmd/golangci-lint

.PHONY: tools
tools: $(CROSSPLANE) $(CONTROLLER_GEN) $(GOLANGCI_LINT) ## Build the pinned crossplane CLI, controller-gen and golangci-lint.

.PHONY: build
build: ## Build the function binary (static).
	CGO_ENABLED=0 $(GO) build -trimpath -o $(FUNCTION) .

# `make render` renders example/$(EXAMPLE) with the files the one rule in
# internal/examples finds for it (cmd/examples prints them): its Composition
# (composition.yaml beside the XR, else example/composition.yaml) and, as
# flags, the observed.yaml and required.yaml beside it. OBSERVED=file and
# REQUIRED=file replace those; given empty (OBSERVED=), they render without,
# as on the first reconcile when nothing exists yet.
RENDER_OVERRIDES = $(if $(filter-out undefined,$(origin OBSERVED)),-observed='$(OBSERVED)') \
	$(if $(filter-out undefined,$(origin REQUIRED)),-required='$(REQUIRED)')

.PHONY: render
render: build $(CROSSPLANE) ## Render an example with crossplane render, no cluster (EXAMPLE=<dir under example/>; OBSERVED=/REQUIRED= replace the observed.yaml/required.yaml beside it, empty for none).
	@args=$$($(GO) run ./cmd/examples args $(RENDER_OVERRIDES) '$(EXAMPLE)'); \
	$(FUNCTION) --insecure --address=127.0.0.1:$(RENDER_PORT) --metrics-address=127.0.0.1:0 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true' EXIT; \
	for i in $$(seq 50); do (echo > /dev/tcp/127.0.0.1/$(RENDER_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	kill -0 $$pid 2>/dev/null || { echo "the function did not start; is port $(RENDER_PORT) in use? set RENDER_PORT" >&2; exit 1; }; \
	$(CROSSPLANE) render $$args \
		--include-function-results \
		--function-annotations=render.crossplane.io/runtime-development-target=127.0.0.1:$(RENDER_PORT)

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Regenerate the input CRD, deepcopy methods, the example XRDs, the LLMInferenceServiceConfig CRD and the PodMonitor CRD test/validate checks against.
	$(GO) generate -tags generate ./...

.PHONY: check-generated
check-generated: generate ## Fail if generated files differ from what is committed.
	@git diff --exit-code -- example/xrd.yaml example/legacy/xrd.yaml example/llminferenceserviceconfig-crd.yaml package/input input/v1beta1 test/validate/crds || \
		{ echo "generated files are stale: run make generate and commit" >&2; exit 1; }

.PHONY: lint
lint: $(GOLANGCI_LINT) ## gofmt, go vet and golangci-lint (.golangci.yml) every module.
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt would change: $$out" >&2; exit 1; }
	$(GO) vet ./...
	cd test && $(GO) vet ./...
	cd tools/xpkg && $(GO) vet ./...
	$(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...
	cd test && $(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...
	cd tools/xpkg && $(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...

.PHONY: test
test: lint check-generated ## Run every test: unit, render goldens with the real CLI, schema validation, packaging.
	$(GO) test -count=1 ./...
	cd test && $(GO) test -count=1 ./...
	cd tools/xpkg && $(GO) test -count=1 ./...
	$(MAKE) xpkg-check
	$(MAKE) fuzz FUZZTIME=45s

# How long `make fuzz` mutates inputs; new crashers are written to
# testdata/fuzz/FuzzRunFunction and replayed by every `go test` after. A new
# interesting input is minimised for at most 5s, not Go's default 60s, which
# would spend a short run minimising instead of fuzzing.
FUZZTIME ?= 60s

.PHONY: fuzz
fuzz: ## Fuzz RunFunction with mutated XRs, inputs and observed resources (FUZZTIME=60s).
	$(GO) test -run '^$$' -fuzz '^FuzzRunFunction$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s .

# ---- Benchmarks --------------------------------------------------------------
# `make bench` measures RunFunction in process (bench_test.go) and the built
# binary served over mTLS (cmd/loadgen), profiles the seed pattern's steady
# state, and writes BENCHMARKS.md from those measurements only. It loads both
# cores for a few minutes: run it on a quiet machine.

BENCH_DIR      := $(OUTPUT)/bench
LOADGEN        := $(BENCH_DIR)/loadgen
# How many times each Go benchmark runs; the report shows the medians.
BENCH_COUNT    ?= 5
# How long each concurrency level of the load run lasts.
BENCH_DURATION ?= 10s
BENCH_GO_TEST  = $(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) .
BENCH_PROFILE  = $(GO) test -run '^$$' -bench 'BenchmarkRunFunction/seed/steady/function$$' -benchtime 5s -o $(BENCH_DIR)/function.test -cpuprofile $(BENCH_DIR)/cpu.pprof .
BENCH_PROFILE_CREATE = $(GO) test -run '^$$' -bench 'BenchmarkRunFunction/seed/create/function$$' -benchtime 5s -o $(BENCH_DIR)/function.test -cpuprofile $(BENCH_DIR)/cpu-create.pprof .
# Only the function's own code, the SDK calls it makes and the garbage
# collector: library frames are folded into whichever of those called them.
BENCH_PPROF_SHOW = -top -cum -nodecount=30 -show='function-llm-inference-service/internal|function-sdk-go/(request|response|resource)|\(\*Function\)|gcBgMarkWorker$$'
BENCH_PPROF    = $(GO) tool pprof $(BENCH_PPROF_SHOW) $(BENCH_DIR)/function.test $(BENCH_DIR)/cpu.pprof
BENCH_PPROF_CREATE = $(GO) tool pprof $(BENCH_PPROF_SHOW) $(BENCH_DIR)/function.test $(BENCH_DIR)/cpu-create.pprof

.PHONY: bench
bench: build ## Benchmark RunFunction in process and served over mTLS; writes BENCHMARKS.md.
	@mkdir -p $(BENCH_DIR)
	cp /proc/loadavg $(BENCH_DIR)/loadavg-start
	$(GO) build -o $(LOADGEN) ./cmd/loadgen
	$(BENCH_GO_TEST) | tee $(BENCH_DIR)/go-bench.txt
	$(LOADGEN) run --function=$(FUNCTION) --duration=$(BENCH_DURATION) --out=$(BENCH_DIR)/load.json
	$(BENCH_PROFILE) > $(BENCH_DIR)/profile-bench.txt
	$(BENCH_PPROF) > $(BENCH_DIR)/cpu-top.txt
	$(BENCH_PROFILE_CREATE) > $(BENCH_DIR)/profile-bench-create.txt
	$(BENCH_PPROF_CREATE) > $(BENCH_DIR)/cpu-top-create.txt
	$(LOADGEN) report --bench=$(BENCH_DIR)/go-bench.txt --load=$(BENCH_DIR)/load.json \
		--profile=$(BENCH_DIR)/cpu-top.txt --profile-command="$(BENCH_PROFILE) && $(BENCH_PPROF)" \
		--create-profile=$(BENCH_DIR)/cpu-top-create.txt --create-profile-command="$(BENCH_PROFILE_CREATE) && $(BENCH_PPROF_CREATE)" \
		--go-test="$(BENCH_GO_TEST)" --loadavg-start=$(BENCH_DIR)/loadavg-start --out=BENCHMARKS.md

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
xpkg: xpkg-function xpkg-configuration ## Build the Function package (runtime image embedded) and the Configuration package (the catalog).

.PHONY: xpkg-function
xpkg-function: image $(CROSSPLANE) ## Build the Function package with the runtime image embedded.
	@test ! -e $(XPKG_EXAMPLES) || { echo "$(XPKG_EXAMPLES) must not exist: xpkg build would embed it as examples" >&2; exit 1; }
	$(CROSSPLANE) xpkg build --package-root=package --examples-root=$(XPKG_EXAMPLES) \
		--embed-runtime-image-tarball=$(RUNTIME_TARBALL) --package-file=$(XPKG_FILE)
	@ls -l $(XPKG_FILE)

# The Configuration package is the catalog a platform installs: the XRDs and
# the Compositions that ship, depending on this function at VERSION. VERSION
# is the one place the release is named: the Configuration's dependency on
# the function, and the tag both packages are pushed at (README). The
# package is built from a directory assembled here, so that the generated
# XRDs stay single files under example/: package-configuration/crossplane.yaml
# with @VERSION@ replaced, and CONFIGURATION_OBJECTS, each
# <path in the package>=<source>. Only the default Composition of each XRD
# ships; the other Compositions under example/ are render fixtures of
# platform choices (a cloud, a GPU vendor, a Prometheus URL), which make e2e
# applies by hand beside the package's. The e2e test builds the package into
# its own directory with CONFIGURATION_ROOT= and CONFIGURATION_FILE=.
VERSION              := v0.1.0
CONFIGURATION_ROOT   ?= $(OUTPUT)/configuration
CONFIGURATION_FILE   ?= $(OUTPUT)/configuration-llm-inference-service.xpkg
CONFIGURATION_OBJECTS := \
	namespaced/xrd.yaml=example/xrd.yaml \
	namespaced/composition.yaml=example/composition.yaml \
	legacy/xrd.yaml=example/legacy/xrd.yaml \
	legacy/composition.yaml=example/legacy/composition.yaml

.PHONY: xpkg-configuration
xpkg-configuration: $(CROSSPLANE) ## Build the Configuration package: the XRDs and their Compositions, depending on this function at VERSION.
	@test ! -e $(XPKG_EXAMPLES) || { echo "$(XPKG_EXAMPLES) must not exist: xpkg build would embed it as examples" >&2; exit 1; }
	rm -rf '$(CONFIGURATION_ROOT)'
	mkdir -p '$(CONFIGURATION_ROOT)'
	sed 's/@VERSION@/$(VERSION)/g' package-configuration/crossplane.yaml > '$(CONFIGURATION_ROOT)/crossplane.yaml'
	@for o in $(CONFIGURATION_OBJECTS); do \
		dst='$(CONFIGURATION_ROOT)'/$${o%%=*}; mkdir -p "$$(dirname "$$dst")"; cp "$${o#*=}" "$$dst"; \
	done
	$(CROSSPLANE) xpkg build --package-root='$(CONFIGURATION_ROOT)' --examples-root=$(XPKG_EXAMPLES) \
		--package-file='$(CONFIGURATION_FILE)'
	@ls -l '$(CONFIGURATION_FILE)'

.PHONY: xpkg-check
xpkg-check: xpkg ## Open the built packages and check their metadata, contents and embedded runtime.
	cd tools/xpkg && XPKG_FILE=$(XPKG_FILE) FUNCTION_BINARY=$(FUNCTION) $(GO) test -count=1 -run '^TestPackage$$' -v .
	cd tools/xpkg && CONFIGURATION_FILE='$(CONFIGURATION_FILE)' CONFIGURATION_VERSION=$(VERSION) \
		CONFIGURATION_SOURCES='$(foreach o,$(CONFIGURATION_OBJECTS),$(CURDIR)/$(lastword $(subst =, ,$(o))))' \
		$(GO) test -count=1 -run '^TestConfigurationPackage$$' -v .

# ---- End-to-end test ---------------------------------------------------------
# A real control plane on this machine, without Docker: etcd, kube-apiserver,
# kube-controller-manager and Crossplane core, and the Gateway API Inference
# Extension's endpoint picker for the data-plane scenario (llm-d's module is
# not served here), built from the pinned modules under tools/controlplane.
# Two modules, not one: Crossplane needs newer Kubernetes libraries than
# kube-apiserver v1.34 builds with. tools/controlplane/kubernetes holds the
# four programs on v0.34 libraries, so that what they share compiles once,
# and tools/controlplane/crossplane keeps its shared dependencies at the
# versions tools/crossplane (the CLI) resolves, for the same reason. Each
# binary is rebuilt only when its module changes.

ETCD                    := $(BIN)/etcd
KUBE_APISERVER          := $(BIN)/kube-apiserver
KUBE_CONTROLLER_MANAGER := $(BIN)/kube-controller-manager
CROSSPLANE_CORE         := $(BIN)/crossplane-core
GIE_PICKER              := $(BIN)/gie-picker
CONTROLPLANE            := $(ETCD) $(KUBE_APISERVER) $(KUBE_CONTROLLER_MANAGER) $(CROSSPLANE_CORE) $(GIE_PICKER)
KUBERNETES_MOD          := tools/controlplane/kubernetes/go.mod tools/controlplane/kubernetes/go.sum

$(ETCD): $(KUBERNETES_MOD) tools/controlplane/kubernetes/etcd/main.go
	cd tools/controlplane/kubernetes && $(GO) build -o $@ ./etcd

$(KUBE_APISERVER): $(KUBERNETES_MOD)
	cd tools/controlplane/kubernetes && $(GO) build -o $@ k8s.io/kubernetes/cmd/kube-apiserver

$(KUBE_CONTROLLER_MANAGER): $(KUBERNETES_MOD)
	cd tools/controlplane/kubernetes && $(GO) build -o $@ k8s.io/kubernetes/cmd/kube-controller-manager

$(GIE_PICKER): $(KUBERNETES_MOD)
	cd tools/controlplane/kubernetes && $(GO) build -o $@ sigs.k8s.io/gateway-api-inference-extension/cmd/epp

$(CROSSPLANE_CORE): tools/controlplane/crossplane/go.mod tools/controlplane/crossplane/go.sum
	cd tools/controlplane/crossplane && $(GO) build -o $@ github.com/crossplane/crossplane/v2/cmd/crossplane

.PHONY: controlplane
controlplane: $(CONTROLPLANE) ## Build etcd, kube-apiserver, kube-controller-manager, Crossplane core and GIE's endpoint picker for e2e.

# `make e2e-prepare` builds what `make e2e` needs without running it, so that
# .ci/run can build it while `make test` runs. Not the crossplane CLI: `make
# test` builds and runs it, and two builds writing bin/crossplane while a test
# executes it could fail with "text file busy". The e2e test builds the
# Configuration package itself (make xpkg-configuration into its own
# directory) with that CLI.
.PHONY: e2e-prepare
e2e-prepare: $(CONTROLPLANE) ## Build the control plane and vet (so compile) the e2e test's packages.
	cd test && $(GO) vet -tags e2e ./e2e/

.PHONY: e2e
e2e: e2e-prepare $(CROSSPLANE) ## End-to-end test: Crossplane installs the Configuration package and composes the examples on a local control plane.
	cd test && E2E_BIN_DIR=$(BIN) $(GO) test -tags e2e -count=1 -timeout 40m ./e2e/ -v

# ---- Soak --------------------------------------------------------------------
# `make soak` runs TestSoak (test/e2e/soak_test.go) on a control plane of its
# own: 200 services of mixed patterns applied at once, then faults injected
# while they exist (the function killed, stopped, serving an untrusted
# certificate; kube-apiserver, etcd and Crossplane restarted; base
# configurations deleted; concurrent updates; 50 invalid updates at once).
# `make e2e` skips it: it needs E2E_SOAK=1.
.PHONY: soak
soak: e2e-prepare $(CROSSPLANE) ## Soak: 200 services and faults on a local control plane of their own (test/e2e TestSoak).
	cd test && E2E_SOAK=1 E2E_BIN_DIR=$(BIN) $(GO) test -tags e2e -count=1 -timeout 40m ./e2e/ -run '^TestSoak$$' -v
