//go:build tools

// Package tools pins Crossplane core (the controller, not the CLI: that is
// tools/crossplane, whose last release with the CLI is older) for the
// end-to-end test (test/e2e). Crossplane v2.4.0 needs Kubernetes v0.35
// libraries while kube-apiserver v1.34.2 pins v0.34, so it has a module of
// its own.
package tools

import _ "github.com/crossplane/crossplane/v2/cmd/crossplane"
