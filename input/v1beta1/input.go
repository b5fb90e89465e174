package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Input is the Function input a platform team sets in its Composition step.
// Every field is optional: the function has a built-in default for each.
// This CRD is never installed; it documents the schema.
//
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:categories=crossplane
type Input struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Images the function composes.
	// +optional
	Images Images `json:"images,omitempty"`

	// ModelServer holds defaults for the vLLM pods.
	// +optional
	ModelServer ModelServer `json:"modelServer,omitempty"`

	// Storage configures how models are fetched.
	// +optional
	Storage Storage `json:"storage,omitempty"`

	// Router holds defaults for the traffic path: endpoint picker, Gateway,
	// and provider-specific extras.
	// +optional
	Router Router `json:"router,omitempty"`

	// Presets are named LLMInferenceService spec fragments the platform team
	// publishes with its Composition: spec.baseRefs names them, and they are
	// merged under the XR's spec in the order named. A name that is not
	// here is looked up as an LLMInferenceServiceConfig in the XR's
	// namespace, then in the system namespace, then as an EnvironmentConfig.
	// +optional
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	Presets map[string]runtime.RawExtension `json:"presets,omitempty"`

	// Namespace composed resources go to when the XR is cluster scoped and
	// was not made for a claim.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// SystemNamespace is the platform's own namespace, KServe's system
	// namespace: Go templates in the spec read it as
	// .GlobalConfig.SystemNamespace, it is the namespace of the platform's
	// Gateway when router.gateway.platform names none, and spec.baseRefs
	// looks for LLMInferenceServiceConfigs there after the XR's namespace.
	// Defaults to kserve.
	// +optional
	SystemNamespace string `json:"systemNamespace,omitempty"`

	// ServiceConfigs says whether a spec.baseRefs name that is no preset
	// of this input is looked for as an LLMInferenceServiceConfig (in the
	// XR's namespace, then in systemNamespace) before an
	// EnvironmentConfig. Enabled, the default, is KServe's behaviour; it
	// needs the LLMInferenceServiceConfig CRD installed and Crossplane
	// allowed to read those objects, because Crossplane fails the XR's
	// whole reconcile when it cannot read a kind the function asks for.
	// Disabled looks for presets and EnvironmentConfigs only, for a
	// platform that does not install the CRD.
	// +optional
	// +kubebuilder:validation:Enum=Enabled;Disabled
	ServiceConfigs Switch `json:"serviceConfigs,omitempty"`

	// Labels added to every composed resource.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations added to every composed resource.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// TTL of the function's response while something is not ready yet, as a
	// Go duration. Crossplane calls the function again after it.
	// +optional
	UnreadyTTL *metav1.Duration `json:"unreadyTTL,omitempty"`

	// TTL of the function's response once everything is ready.
	// +optional
	ReadyTTL *metav1.Duration `json:"readyTTL,omitempty"`

	// Monitoring composes prometheus-operator PodMonitors for the
	// platform's Prometheus.
	// +optional
	Monitoring Monitoring `json:"monitoring,omitempty"`

	// Autoscaling is what spec.scaling needs of the platform.
	// +optional
	Autoscaling Autoscaling `json:"autoscaling,omitempty"`

	// PodSecurity is the Pod Security Standard the composed pods must
	// meet; baseline unless set.
	// +optional
	PodSecurity PodSecurity `json:"podSecurity,omitempty"`
	// NetworkPolicy restricts who may reach the model-server and endpoint
	// picker pods; on by default.
	// +optional
	NetworkPolicy NetworkPolicy `json:"networkPolicy,omitempty"`
}

// Images the function composes.
type Images struct {
	// ModelServer is the vLLM image, used unless a base configuration or
	// the template sets one.
	// +optional
	ModelServer string `json:"modelServer,omitempty"`

	// StorageInitializer downloads hf:// and s3:// models.
	// +optional
	StorageInitializer string `json:"storageInitializer,omitempty"`

	// EndpointPicker is llm-d's endpoint picker (EPP). Its EndpointPickerConfig
	// apiVersion and flags must match the image's release train.
	// +optional
	EndpointPicker string `json:"endpointPicker,omitempty"`

	// RoutingSidecar is llm-d's routing sidecar on decode pods of a
	// prefill/decode disaggregated service; its flags must match the
	// endpoint picker's release train.
	// +optional
	RoutingSidecar string `json:"routingSidecar,omitempty"`

	// Tokenizer runs vLLM's render server, which tokenizes prompts for the
	// picker's precise prefix-cache plugins; a CPU build of vLLM suffices.
	// +optional
	Tokenizer string `json:"tokenizer,omitempty"`

	// LatencyTrainingServer is llm-d's latency predictor training server,
	// a sidecar of the picker when its configuration uses
	// predicted-latency-producer.
	// +optional
	LatencyTrainingServer string `json:"latencyTrainingServer,omitempty"`

	// LatencyPredictionServer is llm-d's latency predictor prediction
	// server, the training server's companion.
	// +optional
	LatencyPredictionServer string `json:"latencyPredictionServer,omitempty"`
}

// ModelServer holds defaults for the vLLM pods.
type ModelServer struct {
	// GPUResourceName is the extended resource that counts GPUs.
	// +optional
	GPUResourceName corev1.ResourceName `json:"gpuResourceName,omitempty"`

	// Resources of the vLLM container, merged under the template's by
	// resource name: a template that sets only GPUs keeps these CPU and
	// memory values.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// SharedMemorySize is the size limit of the /dev/shm memory volume.
	// +optional
	SharedMemorySize *resource.Quantity `json:"sharedMemorySize,omitempty"`

	// StartupTimeout is how long vLLM may take to load the model before the
	// kubelet restarts it, as a Go duration.
	// +optional
	StartupTimeout *metav1.Duration `json:"startupTimeout,omitempty"`

	// ServiceAccountName of the model-server pods when the template sets
	// none; the storage initializer uses its credentials (IRSA, workload
	// identity).
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// RunAsUser runs the model-server pods (vLLM, the storage initializer,
	// the modelcar) as this non-root user and group ID, so that they pass
	// the Pod Security restricted profile. Unset, the images' own users run:
	// root, for the vLLM images. vLLM must be able to run as this ID; the
	// function gives it a writable $HOME and a USER name.
	// +optional
	// +kubebuilder:validation:Minimum=1
	RunAsUser *int64 `json:"runAsUser,omitempty"`
}

// Storage configures how models are fetched.
type Storage struct {
	// StorageInitializerResources of the download init container.
	// +optional
	StorageInitializerResources *corev1.ResourceRequirements `json:"storageInitializerResources,omitempty"`

	// HFTokenSecretRef is the Secret key holding a Hugging Face token,
	// passed to the download as HF_TOKEN by reference.
	// +optional
	HFTokenSecretRef *corev1.SecretKeySelector `json:"hfTokenSecretRef,omitempty"`

	// S3CredentialsSecretRef names a Secret whose keys (AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, ...) become the download's
	// environment by reference.
	// +optional
	S3CredentialsSecretRef *corev1.LocalObjectReference `json:"s3CredentialsSecretRef,omitempty"`

	// OCI is how oci:// models are mounted: Modelcar (a sidecar sharing the
	// pod's process namespace, works on every Kubernetes) or ImageVolume
	// (Kubernetes image volumes).
	// +optional
	// +kubebuilder:validation:Enum=Modelcar;ImageVolume
	OCI OCIMode `json:"oci,omitempty"`
}

// OCIMode is how oci:// models are mounted.
type OCIMode string

// OCI modes.
const (
	OCIModelcar    OCIMode = "Modelcar"
	OCIImageVolume OCIMode = "ImageVolume"
)

// Router holds defaults for the traffic path.
type Router struct {
	// Gateway holds defaults for Gateways: managed ones and the platform's.
	// +optional
	Gateway Gateway `json:"gateway,omitempty"`

	// Scheduler holds defaults for the InferencePool and endpoint picker.
	// +optional
	Scheduler Scheduler `json:"scheduler,omitempty"`

	// Provider switches on provider-specific extras: Istio composes a
	// DestinationRule so the gateway accepts the endpoint picker's
	// self-signed certificate; GKE composes a HealthCheckPolicy and a
	// GCPBackendPolicy for the pool. None composes nothing extra.
	// +optional
	// +kubebuilder:validation:Enum=None;Istio;GKE
	Provider Provider `json:"provider,omitempty"`

	// ModelBasedRoutingHeaderName is the HTTP header that names the model
	// a request is for on a shared Gateway, KServe's
	// ingress.modelBasedRoutingHeaderName: Go templates in the spec read it
	// as .GlobalConfig.ModelBasedRoutingHeaderName. Defaults to
	// X-Gateway-Model-Name.
	// +optional
	ModelBasedRoutingHeaderName string `json:"modelBasedRoutingHeaderName,omitempty"`

	// ModelBasedRoutingMode says whether managed HTTPRoutes route by the
	// model name header too, KServe's ingress.modelBasedRoutingMode:
	// enabled (the default) unless a Gateway the route attaches to opts
	// out with the annotation serving.kserve.io/model-based-routing-enabled:
	// "false", forced whatever the Gateways say, disabled never. vLLM
	// serves the model under publishers/<namespace>/models/<model> too
	// unless disabled.
	// +optional
	// +kubebuilder:validation:Enum=enabled;forced;disabled
	ModelBasedRoutingMode ModelBasedRoutingMode `json:"modelBasedRoutingMode,omitempty"`

	// ModelNameCollisions says whether a service with a managed route
	// reads every service of its namespace to find the model names
	// another one serves too (the ModelNameCollision condition): detect
	// (the default) or ignore. Reading them makes every such service
	// follow every other of its namespace, since Crossplane watches what a
	// function reads: a change of one service's status calls the function
	// for all of them. A namespace of hundreds of services may prefer
	// ignore. A service in a route group reads its peers either way.
	// +optional
	// +kubebuilder:validation:Enum=detect;ignore
	ModelNameCollisions ModelNameCollisions `json:"modelNameCollisions,omitempty"`

	// Authentication makes the gateway authenticate requests on each
	// service's managed HTTPRoute (JWT or API keys). Off by default.
	// +optional
	Authentication Authentication `json:"authentication,omitempty"`
}

// ModelBasedRoutingMode is whether managed routes match the model name
// header.
type ModelBasedRoutingMode string

// Model-based routing modes, KServe's values.
const (
	ModelBasedRoutingEnabled  ModelBasedRoutingMode = "enabled"
	ModelBasedRoutingForced   ModelBasedRoutingMode = "forced"
	ModelBasedRoutingDisabled ModelBasedRoutingMode = "disabled"
)

// ModelNameCollisions is whether services read their namespace's services
// to detect model names served twice.
type ModelNameCollisions string

// Model-name collision settings.
const (
	ModelNameCollisionsDetect ModelNameCollisions = "detect"
	ModelNameCollisionsIgnore ModelNameCollisions = "ignore"
)

// Gateway holds defaults for Gateways: managed ones and the platform's.
type Gateway struct {
	// ClassName is the GatewayClass of managed Gateways.
	// +optional
	ClassName string `json:"className,omitempty"`

	// Platform is the platform's shared Gateway, KServe's ingress gateway
	// (ingress.kserveIngressGateway): a managed route with no
	// spec.router.gateway attaches to it, and Go templates in the spec
	// read it as .GlobalConfig.IngressGatewayName and
	// IngressGatewayNamespace. Its listeners must admit routes from the
	// services' namespaces (allowedRoutes). Defaults to
	// kserve-ingress-gateway in the system namespace.
	// +optional
	Platform *GatewayReference `json:"platform,omitempty"`

	// WhenEmpty is what a service's spec.router.gateway: {} (a gateway
	// with no refs) attaches its route to. Managed, the default, composes
	// a Gateway for the service. Platform attaches the route to the
	// platform's Gateway (Platform above) and composes none, as KServe
	// does. A route with no spec.router.gateway at all attaches to the
	// platform's Gateway either way.
	// +optional
	// +kubebuilder:validation:Enum=Managed;Platform
	WhenEmpty EmptyGateway `json:"whenEmpty,omitempty"`
}

// EmptyGateway is what spec.router.gateway: {} means.
type EmptyGateway string

// Meanings of spec.router.gateway: {}.
const (
	// EmptyGatewayManaged composes a Gateway for the service.
	EmptyGatewayManaged EmptyGateway = "Managed"
	// EmptyGatewayPlatform attaches to the platform's Gateway, as KServe
	// does.
	EmptyGatewayPlatform EmptyGateway = "Platform"
)

// GatewayReference names a Gateway.
type GatewayReference struct {
	// Name of the Gateway.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Namespace of the Gateway; defaults to the system namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// Scheduler holds defaults for the InferencePool and endpoint picker.
type Scheduler struct {
	// Resources of the endpoint picker container.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// ExtraArgs are added to the endpoint picker's flags, e.g. "--v=2".
	// +optional
	ExtraArgs []string `json:"extraArgs,omitempty"`

	// FailureMode of the pool when the endpoint picker is unreachable:
	// FailOpen routes to any pod, FailClose refuses requests.
	// +optional
	// +kubebuilder:validation:Enum=FailOpen;FailClose
	FailureMode string `json:"failureMode,omitempty"`

	// MetricsAuth is who may read the endpoint picker's /metrics (port
	// 9090). TokenReview, the picker's own default, serves scrapers whose
	// token a TokenReview accepts and a SubjectAccessReview allows to get
	// the /metrics URL: the picker needs the ClusterRole
	// system:auth-delegator for those reviews, which a namespaced XR cannot
	// grant, so the platform binds it to each picker's ServiceAccount
	// (README), or every scrape is refused. None passes
	// --metrics-endpoint-auth=false, for a Prometheus that scrapes without
	// a token: then anyone who reaches port 9090 reads the metrics.
	// +optional
	// +kubebuilder:validation:Enum=TokenReview;None
	MetricsAuth MetricsAuth `json:"metricsAuth,omitempty"`
}

// Switch turns a behaviour of the function on or off.
type Switch string

// Switches.
const (
	Enabled  Switch = "Enabled"
	Disabled Switch = "Disabled"
)

// MetricsAuth is who may read the endpoint picker's metrics.
type MetricsAuth string

// Metrics authorizations.
const (
	MetricsAuthTokenReview MetricsAuth = "TokenReview"
	MetricsAuthNone        MetricsAuth = "None"
)

// Provider is the Gateway implementation provider-specific extras are
// composed for.
type Provider string

// Providers.
const (
	ProviderNone  Provider = "None"
	ProviderIstio Provider = "Istio"
	ProviderGKE   Provider = "GKE"
)

// Autoscaling is what spec.scaling needs of the platform: KServe's
// autoscaling-wva-controller-config.
type Autoscaling struct {
	// Prometheus is where the KEDA ScaledObjects of spec.scaling.wva.keda
	// read the Workload Variant Autoscaler's wva_desired_replicas. Unset,
	// a service asking for WVA with the KEDA actuator is refused.
	// +optional
	Prometheus *Prometheus `json:"prometheus,omitempty"`
}

// Prometheus is the platform's Prometheus as KEDA's prometheus scaler
// reaches it.
type Prometheus struct {
	// URL of the Prometheus API, e.g.
	// https://prometheus.monitoring.svc:9090: the trigger's serverAddress.
	// +kubebuilder:validation:MinLength=1
	URL string `json:"url"`

	// TLSInsecureSkipVerify skips verifying Prometheus's certificate: the
	// trigger's unsafeSsl.
	// +optional
	TLSInsecureSkipVerify bool `json:"tlsInsecureSkipVerify,omitempty"`

	// AuthModes are the prometheus scaler's authModes, comma separated:
	// basic, bearer, tls, custom. Set with triggerAuthName.
	// +optional
	AuthModes string `json:"authModes,omitempty"`

	// TriggerAuthName is the KEDA TriggerAuthentication (or
	// ClusterTriggerAuthentication) holding the credentials for
	// authModes, in each service's namespace for a TriggerAuthentication.
	// Set with authModes.
	// +optional
	TriggerAuthName string `json:"triggerAuthName,omitempty"`

	// TriggerAuthKind is TriggerAuthentication (KEDA's default) or
	// ClusterTriggerAuthentication.
	// +optional
	// +kubebuilder:validation:Enum=TriggerAuthentication;ClusterTriggerAuthentication
	TriggerAuthKind string `json:"triggerAuthKind,omitempty"`
}
