// Package spec holds the LLMInferenceService API as Go types: the spec a KServe
// user writes (serving.kserve.io/v1alpha1), how the function decodes it from the
// observed composite resource, and the rules it must satisfy.
//
// The types are also the source of the XRD schemas in example/: controller-gen
// turns them into an OpenAPI schema (see generate.go) so the schema the API
// server enforces and the struct the function decodes cannot drift apart.
//
// +kubebuilder:object:generate=false
// +groupName=serving.kserve.io
// +versionName=v1alpha1
package spec
