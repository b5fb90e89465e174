// Package v1alpha2 holds the one llm-d API type the function composes: the
// InferenceObjective of group llm-d.ai, version v1alpha2.
//
// The type mirrors llm-d-router's apix/v1alpha2 InferenceObjective, which has
// the same shape as Gateway API Inference Extension v1.5.0's apix/v1alpha2
// InferenceObjective; only the group moved, from
// inference.networking.x-k8s.io to llm-d.ai, when the endpoint picker and its
// APIs left the Inference Extension for llm-d-router. It is defined here
// rather than imported because the llm-d-router Go module cannot be fetched
// through the module proxy this project builds with, and because the function
// needs only the fields it writes: status and validation markers are left to
// the CRD that ships with llm-d-router.
package v1alpha2

import "k8s.io/apimachinery/pkg/runtime/schema"

// Group and version of llm-d's objective API.
const (
	Group   = "llm-d.ai"
	Version = "v1alpha2"
)

// GroupVersion is llm-d.ai/v1alpha2.
var GroupVersion = schema.GroupVersion{Group: Group, Version: Version}

// InferenceObjectiveKind is the kind of InferenceObjective.
const InferenceObjectiveKind = "InferenceObjective"
