//go:build tools

// Package tools pins kube-apiserver and kube-controller-manager for the
// end-to-end test (test/e2e). k8s.io/kubernetes can only be required with
// every k8s.io staging module replaced by its published release of the same
// minor (see go.mod), which would clash with anything else that uses
// client-go, hence a module of its own.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
