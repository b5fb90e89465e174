package spec

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// LLMInferenceService is the composite resource (or claim) an application team
// submits. Only its metadata and spec are read by the function; the status is
// what the function writes back.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=llmisvc
// +kubebuilder:subresource:status
type LLMInferenceService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   LLMInferenceServiceSpec   `json:"spec,omitempty"`
	Status LLMInferenceServiceStatus `json:"status,omitempty"`
}

// LLMInferenceServiceSpec is KServe's LLMInferenceServiceSpec, both API
// versions in one: the fields of v1alpha2 and those v1alpha1 has that
// v1alpha2 dropped or reshaped (criticality, the pool spec's shape). A
// manifest written for KServe in either version decodes into it unchanged,
// and both versions of the XRDs share its schema (see PoolSpec for why).
//
// +kubebuilder:validation:XValidation:rule="!has(self.worker) || (has(self.parallelism) && (has(self.parallelism.data) || has(self.parallelism.dataLocal) || has(self.parallelism.pipeline)))",message="when worker is specified, parallelism must be configured for either data parallelism or pipeline parallelism"
// +kubebuilder:validation:XValidation:rule="!(has(self.replicas) && has(self.scaling))",message="replicas and scaling are mutually exclusive; use scaling for autoscaled deployments or replicas for static deployments"
type LLMInferenceServiceSpec struct {
	// Model is the model to serve and where to fetch it from.
	Model LLMModelSpec `json:"model"`

	// WorkloadSpec is the main workload. When prefill is set it is the decode
	// workload.
	WorkloadSpec `json:",inline"`

	// Router configures how traffic reaches the model servers. Nil means no
	// routing resources at all.
	// +optional
	Router *RouterSpec `json:"router,omitempty"`

	// Prefill, when set, turns on prefill/decode disaggregation with a
	// separate prefill workload.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.worker) || (has(self.parallelism) && (has(self.parallelism.data) || has(self.parallelism.dataLocal) || has(self.parallelism.pipeline)))",message="when prefill.worker is specified, prefill.parallelism must be configured for either data parallelism or pipeline parallelism"
	// +kubebuilder:validation:XValidation:rule="!(has(self.replicas) && has(self.scaling))",message="replicas and scaling are mutually exclusive; use scaling for autoscaled deployments or replicas for static deployments"
	Prefill *WorkloadSpec `json:"prefill,omitempty"`

	// BaseRefs names configurations merged under this spec, in order; later
	// entries win and this spec wins over all of them.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	BaseRefs []corev1.LocalObjectReference `json:"baseRefs,omitempty"`

	// StorageInitializer controls the model download init container.
	// +optional
	StorageInitializer *StorageInitializerSpec `json:"storageInitializer,omitempty"`

	// Tracing exports OpenTelemetry traces from vLLM and the endpoint
	// picker; {} traces with KServe's defaults.
	// +optional
	Tracing *TracingSpec `json:"tracing,omitempty"`
}

// WorkloadSpec describes one set of model-server pods.
type WorkloadSpec struct {
	// Replicas is the number of pods (single node) or of pod groups (multi
	// node).
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int32 `json:"replicas,omitempty"`

	// Parallelism describes how the model is split across GPUs and nodes.
	// +optional
	Parallelism *ParallelismSpec `json:"parallelism,omitempty"`

	// Template is the model-server pod (the leader pod in multi-node mode).
	// Its container named "main" is the vLLM container.
	// +optional
	Template *corev1.PodSpec `json:"template,omitempty"`

	// Worker, when set, selects multi-node serving: the worker pods of a
	// LeaderWorkerSet.
	// +optional
	Worker *corev1.PodSpec `json:"worker,omitempty"`

	// Labels are added to the pods.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations are added to the pods.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// KVCacheOffloading offloads the KV cache to CPU memory and disk
	// (v1alpha2).
	// +optional
	KVCacheOffloading *KVCacheOffloadingSpec `json:"kvCacheOffloading,omitempty"`

	// RolloutStrategy bounds a rolling update of the workload: the
	// Deployment's rolling update, the LeaderWorkerSet's
	// rollingUpdateConfiguration.
	// +optional
	RolloutStrategy *RolloutStrategySpec `json:"rolloutStrategy,omitempty"`

	// Scaling hands the workload's replicas to an autoscaler (v1alpha2):
	// an HPA or a KEDA ScaledObject. Exclusive with replicas.
	// +optional
	Scaling *ScalingSpec `json:"scaling,omitempty"`
}

// LLMModelSpec is the model to serve.
type LLMModelSpec struct {
	// URI is where the model comes from: hf://org/model, s3://bucket/path,
	// pvc://claim/path or oci://image.
	// +kubebuilder:validation:MinLength=1
	URI string `json:"uri"`

	// Name is the served model name (--served-model-name). Defaults to the
	// service's name.
	// +optional
	Name *string `json:"name,omitempty"`

	// Criticality of the model's traffic for the endpoint picker
	// (v1alpha1; v1alpha2 keeps it in the annotation
	// AnnotationModelCriticality).
	// +optional
	Criticality *Criticality `json:"criticality,omitempty"`

	// LoRA adapters served on top of the base model.
	// +optional
	LoRA *LoRASpec `json:"lora,omitempty"`

	// Confidential serves an encrypted model (v1alpha2).
	// +optional
	Confidential *ConfidentialSpec `json:"confidential,omitempty"`
}

// Criticality is the importance of a model's requests.
// +kubebuilder:validation:Enum=Critical;Standard;Sheddable
type Criticality string

// Criticalities of KServe's v1alpha1 API.
const (
	CriticalityCritical  Criticality = "Critical"
	CriticalityStandard  Criticality = "Standard"
	CriticalitySheddable Criticality = "Sheddable"
)

// Criticalities are every criticality, most important first.
var Criticalities = []Criticality{CriticalityCritical, CriticalityStandard, CriticalitySheddable}

// LoRASpec lists LoRA adapters.
type LoRASpec struct {
	// Adapters to load next to the base model.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:XValidation:rule="self.all(a, self.exists_one(b, b.name == a.name))",message="adapter names must be unique"
	Adapters []LoRAAdapterSpec `json:"adapters,omitempty"`

	// MaxRank is vLLM's --max-lora-rank, one of the ranks vLLM accepts.
	// +optional
	// +kubebuilder:validation:Enum=1;8;16;32;64;128;256;320;512
	MaxRank *int32 `json:"maxRank,omitempty"`

	// MaxAdapters is vLLM's --max-loras, adapters held on the GPU at once.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxAdapters *int32 `json:"maxAdapters,omitempty"`

	// MaxCPUAdapters is vLLM's --max-cpu-loras.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxCPUAdapters *int32 `json:"maxCpuAdapters,omitempty"`
}

// LoRAAdapterSpec is one LoRA adapter. KServe types adapters as a recursive
// LLMModelSpec, which leaves them without a schema; only uri, name and
// criticality mean anything for an adapter, so they are typed here.
type LoRAAdapterSpec struct {
	// URI of the adapter: hf://, s3:// or pvc://.
	// +kubebuilder:validation:MinLength=1
	URI string `json:"uri"`

	// Name the adapter is served under (--lora-modules name=path).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`

	// Criticality of the adapter's traffic (v1alpha1; v1alpha2 keeps it
	// in the annotation AnnotationLoRACriticalities).
	// +optional
	Criticality *Criticality `json:"criticality,omitempty"`
}

// ParallelismSpec describes how a model is split across GPUs and pods.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.pipeline) && (has(self.data) || has(self.dataLocal)))",message="cannot set both pipeline parallelism and data parallelism (data or dataLocal) simultaneously"
// +kubebuilder:validation:XValidation:rule="!has(self.data) || has(self.dataLocal)",message="dataLocal must be set when data is set"
// +kubebuilder:validation:XValidation:rule="!has(self.dataLocal) || has(self.data)",message="data must be set when dataLocal is set"
type ParallelismSpec struct {
	// Tensor is the tensor parallel size (GPUs per model replica in a pod).
	// +optional
	// +kubebuilder:validation:Minimum=1
	Tensor *int32 `json:"tensor,omitempty"`

	// Pipeline is the pipeline parallel size.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Pipeline *int32 `json:"pipeline,omitempty"`

	// Data is the total data parallel size.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Data *int32 `json:"data,omitempty"`

	// DataLocal is the data parallel size within one pod.
	// +optional
	// +kubebuilder:validation:Minimum=1
	DataLocal *int32 `json:"dataLocal,omitempty"`

	// DataRPCPort is the port data parallel ranks coordinate on.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	DataRPCPort *int32 `json:"dataRPCPort,omitempty"`

	// Expert turns on expert parallelism.
	// +optional
	Expert bool `json:"expert,omitempty"`
}

// RouterSpec configures the traffic path.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.route) && has(self.route.http) && has(self.route.http.refs) && size(self.route.http.refs) > 0 && has(self.gateway) && (!has(self.gateway.refs) || size(self.gateway.refs) == 0))",message="unsupported configuration: custom HTTP routes (spec.router.route.http.refs) cannot be used with a managed gateway (spec.router.gateway: {}); either remove spec.router.gateway or set spec.router.gateway.refs to the gateways your routes attach to"
type RouterSpec struct {
	// Route configures the HTTPRoute.
	// +optional
	Route *GatewayRoutesSpec `json:"route,omitempty"`

	// Gateway configures the Gateway.
	// +optional
	Gateway *GatewaySpec `json:"gateway,omitempty"`

	// Ingress is accepted for compatibility; KServe does not implement it
	// either.
	// +optional
	Ingress *IngressSpec `json:"ingress,omitempty"`

	// Scheduler configures the InferencePool and its endpoint picker.
	// +optional
	Scheduler *SchedulerSpec `json:"scheduler,omitempty"`
}

// GatewayRoutesSpec configures routes.
type GatewayRoutesSpec struct {
	// HTTP configures the HTTPRoute.
	// +optional
	HTTP *HTTPRouteSpec `json:"http,omitempty"`

	// Group names the route group the service belongs to: the services of
	// one group in a namespace share their traffic by weight, each
	// member's HTTPRoute sending to every ready member (KServe's canary).
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`
	Group *string `json:"group,omitempty"`

	// Weight is the service's share of its group's traffic, relative to
	// the other members' weights. It requires group, and group requires
	// it.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000000
	Weight *int32 `json:"weight,omitempty"`
}

// HTTPRouteSpec is either references to existing HTTPRoutes or the spec of a
// managed one.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.refs) && size(self.refs) > 0 && has(self.spec))",message="unsupported configuration: cannot use both custom HTTPRoute refs (spec.router.route.http.refs) and an inline route spec (spec.router.route.http.spec); choose one"
type HTTPRouteSpec struct {
	// Refs are existing HTTPRoutes in the service's namespace.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	Refs []corev1.LocalObjectReference `json:"refs,omitempty"`

	// Spec is merged over the managed HTTPRoute's spec.
	// +optional
	Spec *gatewayv1.HTTPRouteSpec `json:"spec,omitempty"`
}

// GatewaySpec configures the Gateway: empty means a managed one.
type GatewaySpec struct {
	// Refs are existing Gateways the route attaches to.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	Refs []UntypedObjectReference `json:"refs,omitempty"`
}

// IngressSpec references Ingresses.
type IngressSpec struct {
	// +optional
	Refs []UntypedObjectReference `json:"refs,omitempty"`
}

// UntypedObjectReference names an object, optionally in another namespace.
type UntypedObjectReference struct {
	// Name of the object.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Namespace of the object; defaults to the service's namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// SectionName is the Gateway listener the route attaches to.
	// +optional
	SectionName string `json:"sectionName,omitempty"`
}

// SchedulerSpec configures the InferencePool and the endpoint picker (llm-d's EPP).
type SchedulerSpec struct {
	// Pool is an inline pool spec or a reference to an existing pool.
	// +optional
	Pool *InferencePoolSpec `json:"pool,omitempty"`

	// Template is merged over the endpoint picker's pod.
	// +optional
	Template *corev1.PodSpec `json:"template,omitempty"`

	// Replicas of the endpoint picker.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Replicas *int32 `json:"replicas,omitempty"`

	// Config replaces the endpoint picker's default EndpointPickerConfig.
	// +optional
	Config *SchedulerConfigSpec `json:"config,omitempty"`

	// Tokenizer configures the tokenizer the picker's precise prefix-cache
	// plugins ask to tokenize prompts: set, or a configuration that uses
	// token-producer or precise-prefix-cache-scorer, composes it.
	// +optional
	Tokenizer *TokenizerSpec `json:"tokenizer,omitempty"`
}

// TokenizerSpec configures the tokenizer Deployment.
type TokenizerSpec struct {
	// Template is merged over the tokenizer's pod. Its schema is left
	// open, as KServe's LLMInferenceServiceConfig CRD leaves it: one more
	// PodSpec schema would take the XRD past etcd's object limit. The
	// function checks it all the same: a field a pod spec does not have
	// is refused (validatePodFields), and each layer's shape is checked
	// against the Go type (config.checkLayer).
	// +optional
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Template *corev1.PodSpec `json:"template,omitempty"`
}

// SchedulerConfigSpec is an EndpointPickerConfig inline or in a ConfigMap.
//
// +kubebuilder:validation:XValidation:rule="has(self.inline) != has(self.ref)",message="either inline or ref is required, not both"
type SchedulerConfigSpec struct {
	// Inline EndpointPickerConfig.
	// +optional
	// +kubebuilder:pruning:PreserveUnknownFields
	Inline *runtime.RawExtension `json:"inline,omitempty"`

	// Ref to a ConfigMap key holding an EndpointPickerConfig; the key
	// defaults to "epp".
	// +optional
	Ref *corev1.ConfigMapKeySelector `json:"ref,omitempty"`
}

// InferencePoolSpec is either an inline pool spec or a reference.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.spec) && has(self.ref))",message="scheduler.pool: spec and ref are mutually exclusive"
type InferencePoolSpec struct {
	// Spec of the managed pool, in the shape of either API version (see
	// PoolSpec); the function composes it as inference.networking.k8s.io/v1.
	// +optional
	Spec *PoolSpec `json:"spec,omitempty"`

	// Ref names an existing InferencePool; no pool or endpoint picker is
	// composed.
	// +optional
	Ref *corev1.LocalObjectReference `json:"ref,omitempty"`
}

// StorageInitializerSpec controls the model download.
type StorageInitializerSpec struct {
	// Enabled false skips attaching the model: the template must bring it.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}
