//go:build tools

// Package tools pins the Gateway API Inference Extension's endpoint picker
// (cmd/epp) for the end-to-end test's data-plane scenario (test/e2e). The
// function deploys llm-d's picker, whose module the Go module proxy here
// does not serve. GIE's picker has since moved into llm-d's router; its
// v1.3.0 takes every flag the function passes and reads the same
// single-profile config (in the inference.networking.x-k8s.io group only). It needs Kubernetes
// v0.34 libraries and an older controller-runtime than Crossplane core,
// hence a module of its own.
package tools

import _ "sigs.k8s.io/gateway-api-inference-extension/cmd/epp"
