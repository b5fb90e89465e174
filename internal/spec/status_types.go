package spec

import (
	corev1 "k8s.io/api/core/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// The status the function writes on the XR, in the shape of KServe's
// v1alpha2 status plus two fields of the function's own (configurations and
// gpus). Both API versions of the XRDs share this schema, like the spec's:
// a v1alpha1 reader sees v1alpha2's fields too, and each field keeps its
// meaning at both versions.

// LLMInferenceServiceStatus is what the function reports on the XR, next to
// the conditions Crossplane manages.
type LLMInferenceServiceStatus struct {
	// URL the model is served at: the first address reachable from outside
	// the cluster, else the first address.
	// +optional
	URL string `json:"url,omitempty"`

	// Addresses are every URL the model is reachable at, each with the
	// object it is reached through and the model names it serves.
	// +optional
	// +listType=atomic
	Addresses []SourcedAddress `json:"addresses,omitempty"`

	// Router is the traffic path as observed: the Gateways the service's
	// routes attach to, and its InferencePool and endpoint picker.
	// +optional
	Router *RouterStatus `json:"router,omitempty"`

	// Workloads are the model-server workloads, the workload Service and
	// the endpoint picker as observed, with their ready replicas.
	// +optional
	Workloads *WorkloadStatus `json:"workloads,omitempty"`

	// AppliedConfigs are the configurations merged under the spec, lowest
	// precedence first, in KServe's shape: presets the function applies
	// itself, then what spec.baseRefs names. The spec itself is not listed.
	// +optional
	// +listType=atomic
	AppliedConfigs []AppliedConfigRef `json:"appliedConfigs,omitempty"`

	// Configurations are every layer merged into the spec the function
	// composed, the spec included, lowest precedence first, with where
	// each came from.
	// +optional
	Configurations []AppliedConfiguration `json:"configurations,omitempty"`

	// GPUs the service holds once every pod runs, so the cost is visible
	// before the scheduler places anything.
	// +optional
	GPUs *GPUStatus `json:"gpus,omitempty"`
}

// SourcedAddress is one address of the service: KServe's v1alpha2
// SourcedAddress, v1alpha1's Addressable (name and url) with what it is
// reached through and what it serves.
type SourcedAddress struct {
	// Name says what kind of address it is: gateway-external,
	// gateway-internal or internal for one through a Gateway (KServe's
	// names), workload for the in-cluster workload Service.
	// +optional
	Name string `json:"name,omitempty"`

	// URL of the address.
	// +optional
	URL string `json:"url,omitempty"`

	// Origin is the object the address is reached through: a Gateway, or
	// the workload Service.
	// +optional
	Origin *gatewayv1.ObjectReference `json:"origin,omitempty"`

	// Models are the model names a request to the address may ask for:
	// the served model name, then the LoRA adapters'.
	// +optional
	// +listType=atomic
	Models []AddressModel `json:"models,omitempty"`
}

// AddressModel is one model name served at an address.
type AddressModel struct {
	// Name as a request's model field gives it.
	Name string `json:"name"`
}

// RouterStatus is the observed traffic path.
type RouterStatus struct {
	// Gateways the service's HTTPRoutes attach to, by namespace and name.
	// +optional
	// +listType=atomic
	Gateways []ObservedGateway `json:"gateways,omitempty"`

	// Scheduler is the InferencePool the routes send traffic to and the
	// endpoint picker's Service, once the pool is observed.
	// +optional
	Scheduler *ObservedScheduler `json:"scheduler,omitempty"`

	// Group is the route group the service belongs to, with the members
	// whose model names match its own.
	// +optional
	Group *RouteGroupStatus `json:"group,omitempty"`
}

// RouteGroupStatus is a route group as the service's HTTPRoute splits it.
type RouteGroupStatus struct {
	// Name of the group (spec.router.route.group).
	Name string `json:"name"`

	// Members of the group serving the same models, sorted by name: the
	// service itself, and the peers that are ready or stopped.
	// +optional
	// +listType=atomic
	Members []RouteGroupMember `json:"members,omitempty"`
}

// RouteGroupMember is one member of a route group.
type RouteGroupMember struct {
	// Name of the member service.
	Name string `json:"name"`

	// Weight the member declares (spec.router.route.weight); a stopped
	// member keeps it but receives no traffic.
	Weight int32 `json:"weight"`

	// Stopped is true for a member the stop annotation stops: it is left
	// out of the routes' backends.
	// +optional
	Stopped bool `json:"stopped,omitempty"`

	// BackendRef is what the routes send the member's share to: its
	// InferencePool, or its workload Service without a scheduler.
	BackendRef gatewayv1.BackendObjectReference `json:"backendRef"`
}

// ObservedGateway is a Gateway the service's routes attach to.
type ObservedGateway struct {
	gatewayv1.ObjectReference `json:",inline"`

	// Listeners are the sectionNames the routes attach to, sorted; none
	// means every listener that allows the route.
	// +optional
	// +listType=atomic
	Listeners []gatewayv1.SectionName `json:"listeners,omitempty"`

	// HTTPRoutes of the service attached to the Gateway, sorted.
	// +optional
	// +listType=atomic
	HTTPRoutes []gatewayv1.ObjectReference `json:"httpRoutes,omitempty"`
}

// ObservedScheduler is the service's InferencePool and its endpoint picker.
type ObservedScheduler struct {
	// InferencePool the routes send traffic to, managed or referenced.
	// +optional
	InferencePool *gatewayv1.ObjectReference `json:"inferencePool,omitempty"`

	// Service is the endpoint picker the pool names.
	// +optional
	Service *gatewayv1.ObjectReference `json:"service,omitempty"`
}

// WorkloadStatus is the observed workloads of the service. A part that is
// not observed yet is left out.
type WorkloadStatus struct {
	// Primary is the main (with prefill, the decode) workload: a
	// Deployment, or a LeaderWorkerSet.
	// +optional
	Primary *ObservedWorkload `json:"primary,omitempty"`

	// Prefill is the prefill workload.
	// +optional
	Prefill *ObservedWorkload `json:"prefill,omitempty"`

	// Service is the workload Service in front of the main workload.
	// +optional
	Service *corev1.TypedLocalObjectReference `json:"service,omitempty"`

	// Scheduler is the endpoint picker's Deployment, when the function
	// composes one.
	// +optional
	Scheduler *ObservedWorkload `json:"scheduler,omitempty"`
}

// ObservedWorkload is one workload object and its ready replicas.
type ObservedWorkload struct {
	corev1.TypedLocalObjectReference `json:",inline"`

	// ReadyReplicas are the replicas available to serve: a Deployment's
	// availableReplicas, a LeaderWorkerSet's readyReplicas (groups whose
	// leader and workers are all ready).
	// +optional
	ReadyReplicas *int32 `json:"readyReplicas,omitempty"`
}

// AppliedConfigSource is how a configuration was chosen, in KServe's words.
// +kubebuilder:validation:Enum=Preset;UserRef
type AppliedConfigSource string

// Sources of applied configurations.
const (
	// AppliedConfigPreset is a configuration the function applies by
	// itself: a built-in preset for the topology, the Function input's
	// defaults.
	AppliedConfigPreset AppliedConfigSource = "Preset"
	// AppliedConfigUserRef is a configuration spec.baseRefs names.
	AppliedConfigUserRef AppliedConfigSource = "UserRef"
)

// AppliedConfigRef is one applied configuration, KServe's AppliedConfigRef.
type AppliedConfigRef struct {
	// Name of the configuration.
	Name string `json:"name"`
	// Namespace the configuration was found in; empty for one that lives
	// in no namespace (built in, in the Function input, an
	// EnvironmentConfig).
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// Source says how it was chosen.
	Source AppliedConfigSource `json:"source"`
}

// AppliedConfiguration is one layer of configuration.
type AppliedConfiguration struct {
	// Name of the preset, LLMInferenceServiceConfig, EnvironmentConfig or XR.
	// +optional
	Name string `json:"name,omitempty"`
	// Source is BuiltIn, FunctionInput, LLMInferenceServiceConfig,
	// EnvironmentConfig or Spec.
	// +optional
	Source string `json:"source,omitempty"`
}

// GPUStatus counts GPUs: replicas × pods per replica × GPUs per pod.
type GPUStatus struct {
	// Resource is what is counted: the extended resource, e.g.
	// nvidia.com/gpu, or the managed DRA DeviceClass when vLLM gets its
	// GPUs from the claim.
	// +optional
	Resource string `json:"resource,omitempty"`
	// Total of the main and prefill workloads, written even when 0.
	// +optional
	Total int64 `json:"total"`
	// Main is the main (decode) workload's share, written even when 0.
	// +optional
	Main int64 `json:"main"`
	// Prefill is the prefill workload's share.
	// +optional
	Prefill int64 `json:"prefill,omitempty"`
}
