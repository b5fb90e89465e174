// Package spec holds the LLMInferenceService API as Go types: the spec a KServe
// user writes (serving.kserve.io/v1alpha2 or v1alpha1), how the function
// decodes it from the observed composite resource, and the rules it must
// satisfy.
//
// The types are also the source of the XRD schemas in example/: controller-gen
// turns them into an OpenAPI schema (see generate.go) so the schema the API
// server enforces and the struct the function decodes cannot drift apart.
// Both API versions are served with that one schema (cmd/xrd-gen).
//
// +kubebuilder:object:generate=false
// +groupName=serving.kserve.io
// +versionName=v1alpha2
package spec
