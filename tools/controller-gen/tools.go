//go:build tools

// Package tools pins controller-gen, which generates the Function input CRD
// and the LLMInferenceService schema the XRDs are built from.
package tools

import _ "sigs.k8s.io/controller-tools/cmd/controller-gen"
