//go:build tools

// Package tools pins the programs of the end-to-end test's control plane and
// data plane (test/e2e) that build against Kubernetes v0.34 libraries:
// kube-apiserver, kube-controller-manager, etcd (./etcd) and the Gateway API
// Inference Extension's endpoint picker.
//
// k8s.io/kubernetes can only be required with every k8s.io staging module
// replaced by its published release of the same minor (see go.mod), which
// would clash with anything else that uses client-go, hence a module apart
// from the function's. The four share it so that the libraries they have in
// common (client-go, apiserver, grpc, otel, ...) resolve to one version each
// and compile once: on a cold 2-core machine that is most of the picker's
// build.
//
// The picker is GIE's (cmd/epp), not llm-d's, whose module the Go module
// proxy here does not serve. GIE's picker has since moved into llm-d's
// router; its v1.3.0 takes every flag the function passes and reads the same
// single-profile config (in the inference.networking.x-k8s.io group only).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "sigs.k8s.io/gateway-api-inference-extension/cmd/epp"
)
