// Package config resolves the platform defaults the function composes with:
// built-in values, overridden by the Function input a platform team sets in
// its Composition.
package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Built-in defaults. Each is documented in README.md; change both together.
const (
	// DefaultModelServerImage is vLLM's OpenAI-compatible server, the image
	// llm-d's current guides run.
	DefaultModelServerImage = "docker.io/vllm/vllm-openai:v0.27.1"
	// DefaultStorageInitializerImage downloads hf:// and s3:// models; it
	// takes <uri> <dest> pairs, as KServe's controller passes them.
	DefaultStorageInitializerImage = "kserve/storage-initializer:v0.16.0"
	// DefaultPickerImage is llm-d's endpoint picker of the current
	// release train (llm-d-router v0.10): its EndpointPickerConfig is
	// llm-d.ai/v1alpha1 and it reads InferencePool
	// inference.networking.k8s.io/v1.
	DefaultPickerImage = "ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0"
	// DefaultRoutingSidecarImage is llm-d's routing sidecar of the same
	// train as the endpoint picker: decode pods of a disaggregated service
	// run it in front of vLLM. Its flags changed in v0.10; the function
	// emits v0.10's.
	DefaultRoutingSidecarImage = "ghcr.io/llm-d/llm-d-router-disagg-sidecar:v0.10.0"
	// DefaultTokenizerImage is the CPU build of vLLM KServe's tokenizer
	// preset runs "vllm launch render" from.
	DefaultTokenizerImage = "docker.io/vllm/vllm-openai-cpu:v0.23.0"
	// DefaultLatencyTrainingServerImage and
	// DefaultLatencyPredictionServerImage are llm-d's latency predictor,
	// as KServe's latency predictor preset pins them.
	DefaultLatencyTrainingServerImage   = "ghcr.io/llm-d/llm-d-latency-predictor-training-server:0.9.0"
	DefaultLatencyPredictionServerImage = "ghcr.io/llm-d/llm-d-latency-predictor-prediction-server:0.9.0"
	// DefaultGatewayClassName is the class of managed Gateways: Istio is
	// the first provider llm-d documents.
	DefaultGatewayClassName = "istio"
	// DefaultFailureMode keeps serving when the endpoint picker is down,
	// as the current llm-d and GIE charts do.
	DefaultFailureMode = "FailOpen"
	// DefaultPickerMetricsAuth keeps the picker's token reviews on its
	// /metrics, as the picker and the upstream charts do.
	DefaultPickerMetricsAuth = v1beta1.MetricsAuthTokenReview
	// DefaultGPUResource is the extended resource GPUs are counted in.
	DefaultGPUResource corev1.ResourceName = "nvidia.com/gpu"
	// DefaultStartupTimeout bounds model loading before the kubelet
	// restarts vLLM: large models take many minutes to load onto GPUs.
	DefaultStartupTimeout = 30 * time.Minute
	// DefaultReadyTTL is how soon Crossplane calls the function again once
	// everything is ready. Watches on composed resources trigger calls on
	// any change anyway; this is only the safety net.
	DefaultReadyTTL = 10 * time.Minute
	// DefaultUnreadyTTL is the same while something is not ready yet, so
	// status converges promptly even if a watch event is missed.
	DefaultUnreadyTTL = 30 * time.Second
	// DefaultSystemNamespace is the platform's namespace, KServe's default
	// system namespace.
	DefaultSystemNamespace = "kserve"
	// DefaultPlatformGatewayName is the platform's shared Gateway in the
	// system namespace, KServe's default ingress gateway.
	DefaultPlatformGatewayName = "kserve-ingress-gateway"
	// DefaultEmptyGateway keeps spec.router.gateway: {} composing a
	// Gateway for the service, as the function always has; KServe's
	// meaning, the platform's Gateway, is the input's choice.
	DefaultEmptyGateway = v1beta1.EmptyGatewayManaged
	// DefaultModelBasedRoutingHeaderName is the header that names the model
	// on a shared Gateway, as KServe's default configuration has it.
	DefaultModelBasedRoutingHeaderName = "X-Gateway-Model-Name"
)

// DefaultSharedMemory sizes /dev/shm: NCCL and vLLM's multiprocessing need
// far more than the container runtime's 64Mi.
var DefaultSharedMemory = resource.MustParse("8Gi")

// Config is the resolved platform configuration.
type Config struct {
	ModelServerImage            string
	PickerImage                 string
	RoutingSidecarImage         string
	TokenizerImage              string
	LatencyTrainingImage        string
	LatencyPredictionImage      string
	PickerResources             corev1.ResourceRequirements
	PickerExtraArgs             []string
	PickerMetricsAuth           v1beta1.MetricsAuth
	FailureMode                 string
	GatewayClassName            string
	Provider                    v1beta1.Provider
	StorageInitializerImage     string
	GPUResource                 corev1.ResourceName
	ModelServerResources        *corev1.ResourceRequirements
	SharedMemory                resource.Quantity
	StartupTimeout              time.Duration
	ServiceAccountName          string
	RunAsUser                   *int64
	StorageInitializerResources corev1.ResourceRequirements
	HFToken                     *corev1.SecretKeySelector
	S3Credentials               *corev1.LocalObjectReference
	OCI                         v1beta1.OCIMode
	Namespace                   string
	Labels                      map[string]string
	Annotations                 map[string]string
	ReadyTTL                    time.Duration
	UnreadyTTL                  time.Duration
	// SystemNamespace is the platform's namespace (KServe's system
	// namespace).
	SystemNamespace string
	// ServiceConfigs is true when spec.baseRefs names are looked for as
	// LLMInferenceServiceConfigs.
	ServiceConfigs bool
	// PlatformGateway is the platform's shared Gateway (KServe's ingress
	// gateway).
	PlatformGateway GatewayRef
	// EmptyGateway is what spec.router.gateway: {} attaches the route to:
	// a Gateway composed for the service, or the platform's.
	EmptyGateway v1beta1.EmptyGateway
	// ModelBasedRoutingHeaderName is the header that names the model on a
	// shared Gateway.
	ModelBasedRoutingHeaderName string
	// ModelBasedRoutingMode is whether managed routes match the model
	// name header: enabled (unless a Gateway opts out), forced or
	// disabled.
	ModelBasedRoutingMode v1beta1.ModelBasedRoutingMode
	// IgnoreCollisions leaves model-name collisions undetected: only a
	// service in a route group reads the services of its namespace.
	IgnoreCollisions bool
	// Presets are the input's named spec fragments.
	Presets map[string]map[string]any
	// PodMonitors composes prometheus-operator PodMonitors, with
	// MonitoringLabels added to theirs.
	PodMonitors      bool
	MonitoringLabels map[string]string

	// Prometheus is the platform's Prometheus that WVA's KEDA triggers
	// query; nil when the input names none.
	Prometheus *v1beta1.Prometheus

	// Authentication is the input's router.authentication; nil when off.
	Authentication *Authentication
	// PodSecurityLevel is the Pod Security Standard every composed pod
	// must meet; AllowIPCLock allows RDMA's IPC_LOCK capability in it.
	PodSecurityLevel v1beta1.PodSecurityLevel
	AllowIPCLock     bool
	// NetworkPolicies composes NetworkPolicies for the model-server and
	// picker pods. NetworkPolicyGateway is who the gateway's pods are, nil
	// for the pods Istio and Envoy Gateway deploy for the route's
	// Gateways; MonitoringNamespaces may scrape the metrics ports.
	NetworkPolicies      bool
	NetworkPolicyGateway *NetworkPolicyGateway
	MonitoringNamespaces []string
}

// GatewayRef names a Gateway.
type GatewayRef struct {
	Name      string
	Namespace string
}

// Platform is what the input says of the platform that the meaning of a
// service's router spec depends on: its Gateway, and whether
// spec.router.gateway: {} means it.
func (c Config) Platform() spec.Platform {
	return spec.Platform{
		Gateway:                types.NamespacedName{Namespace: c.PlatformGateway.Namespace, Name: c.PlatformGateway.Name},
		EmptyGatewayIsPlatform: c.EmptyGateway == v1beta1.EmptyGatewayPlatform,
		Authentication:         c.Authentication != nil,
		AuthenticationOptOut:   c.Authentication == nil || c.Authentication.OptOut,
	}
}

// Default returns the built-in configuration.
func Default() Config {
	return Config{
		ModelServerImage:    DefaultModelServerImage,
		PickerImage:         DefaultPickerImage,
		RoutingSidecarImage: DefaultRoutingSidecarImage,
		// Precise prefix-cache routing and the latency predictor.
		TokenizerImage:         DefaultTokenizerImage,
		LatencyTrainingImage:   DefaultLatencyTrainingServerImage,
		LatencyPredictionImage: DefaultLatencyPredictionServerImage,
		// The requests GIE's chart sets since v1.5: the picker tokenizes
		// and scores every request, and a CPU-starved picker is the
		// latency floor of the whole service.
		PickerResources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("16Gi")},
		},
		FailureMode:             DefaultFailureMode,
		PickerMetricsAuth:       DefaultPickerMetricsAuth,
		GatewayClassName:        DefaultGatewayClassName,
		Provider:                v1beta1.ProviderNone,
		StorageInitializerImage: DefaultStorageInitializerImage,
		GPUResource:             DefaultGPUResource,
		SharedMemory:            DefaultSharedMemory,
		StartupTimeout:          DefaultStartupTimeout,
		StorageInitializerResources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi")},
		},
		OCI:                         v1beta1.OCIModelcar,
		ReadyTTL:                    DefaultReadyTTL,
		UnreadyTTL:                  DefaultUnreadyTTL,
		SystemNamespace:             DefaultSystemNamespace,
		ServiceConfigs:              true,
		PlatformGateway:             GatewayRef{Name: DefaultPlatformGatewayName, Namespace: DefaultSystemNamespace},
		EmptyGateway:                DefaultEmptyGateway,
		ModelBasedRoutingHeaderName: DefaultModelBasedRoutingHeaderName,
		ModelBasedRoutingMode:       v1beta1.ModelBasedRoutingEnabled,
		PodSecurityLevel:            DefaultPodSecurityLevel,
		NetworkPolicies:             true,
	}
}

// FromInput overlays the Function input on the built-in defaults. Errors name
// the input field, since the input is an opaque object nested in a
// Composition that nothing else validates.
func FromInput(in *v1beta1.Input) (Config, field.ErrorList) {
	c := Default()
	if in == nil {
		return c, nil
	}
	p := field.NewPath("input")
	set(&c.ModelServerImage, in.Images.ModelServer)
	set(&c.StorageInitializerImage, in.Images.StorageInitializer)
	set(&c.PickerImage, in.Images.EndpointPicker)
	set(&c.RoutingSidecarImage, in.Images.RoutingSidecar)
	set(&c.TokenizerImage, in.Images.Tokenizer)
	set(&c.LatencyTrainingImage, in.Images.LatencyTrainingServer)
	set(&c.LatencyPredictionImage, in.Images.LatencyPredictionServer)
	errs := routerFromInput(&c, &in.Router, p.Child("router"))
	errs = append(errs, modelServerFromInput(&c, &in.ModelServer, p.Child("modelServer"))...)
	errs = append(errs, storageFromInput(&c, &in.Storage, p.Child("storage"))...)
	if in.Namespace != "" {
		for _, msg := range validation.IsDNS1123Label(in.Namespace) {
			errs = append(errs, field.Invalid(p.Child("namespace"), in.Namespace, msg))
		}
		c.Namespace = in.Namespace
	}
	c.Labels, c.Annotations = in.Labels, in.Annotations
	for _, k := range slices.Sorted(maps.Keys(in.Labels)) {
		v := in.Labels[k]
		for _, msg := range append(validation.IsQualifiedName(k), validation.IsValidLabelValue(v)...) {
			errs = append(errs, field.Invalid(p.Child("labels").Key(k), v, msg))
		}
	}
	errs = append(errs, platformFromInput(&c, in, p)...)
	errs = append(errs, monitoringFromInput(&c, &in.Monitoring, p.Child("monitoring"))...)
	errs = append(errs, autoscalingFromInput(&c, &in.Autoscaling, p.Child("autoscaling"))...)
	errs = append(errs, authenticationFromInput(&c, &in.Router.Authentication, p.Child("router", "authentication"))...)
	errs = append(errs, podSecurityFromInput(&c, &in.PodSecurity, p.Child("podSecurity"))...)
	errs = append(errs, networkPolicyFromInput(&c, &in.NetworkPolicy, p.Child("networkPolicy"))...)
	c.Presets, errs = presetsFromInput(in.Presets, p.Child("presets"), errs)
	if d := in.ReadyTTL; d != nil {
		c.ReadyTTL = d.Duration
	}
	if d := in.UnreadyTTL; d != nil {
		c.UnreadyTTL = d.Duration
	}
	if c.ReadyTTL <= 0 || c.UnreadyTTL <= 0 {
		errs = append(errs, field.Invalid(p.Child("readyTTL"), c.ReadyTTL.String()+"/"+c.UnreadyTTL.String(), "readyTTL and unreadyTTL must be positive"))
	}
	return c, errs
}

// platformFromInput overlays what the input says of the platform around the
// function: its namespace, its shared Gateway and its model routing header,
// which KServe's templates read as .GlobalConfig.
func platformFromInput(c *Config, in *v1beta1.Input, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if ns := in.SystemNamespace; ns != "" {
		for _, msg := range validation.IsDNS1123Label(ns) {
			errs = append(errs, field.Invalid(p.Child("systemNamespace"), ns, msg))
		}
		c.SystemNamespace = ns
	}
	switch in.ServiceConfigs {
	case "", v1beta1.Enabled:
	case v1beta1.Disabled:
		c.ServiceConfigs = false
	default:
		errs = append(errs, field.NotSupported(p.Child("serviceConfigs"), in.ServiceConfigs, []v1beta1.Switch{v1beta1.Enabled, v1beta1.Disabled}))
	}
	// A Gateway named without a namespace is in the system namespace, as
	// KServe reads a name without one.
	c.PlatformGateway = GatewayRef{Name: DefaultPlatformGatewayName, Namespace: c.SystemNamespace}
	if g := in.Router.Gateway.Platform; g != nil {
		gp := p.Child("router", "gateway", "platform")
		if g.Name == "" {
			errs = append(errs, field.Required(gp.Child("name"), "the name of the platform's Gateway"))
		}
		if g.Name != "" {
			for _, msg := range validation.IsDNS1123Subdomain(g.Name) {
				errs = append(errs, field.Invalid(gp.Child("name"), g.Name, msg))
			}
		}
		c.PlatformGateway.Name = g.Name
		if g.Namespace != "" {
			for _, msg := range validation.IsDNS1123Label(g.Namespace) {
				errs = append(errs, field.Invalid(gp.Child("namespace"), g.Namespace, msg))
			}
			c.PlatformGateway.Namespace = g.Namespace
		}
	}
	errs = append(errs, emptyGatewayFromInput(c, in.Router.Gateway.WhenEmpty, p.Child("router", "gateway", "whenEmpty"))...)
	if h := in.Router.ModelBasedRoutingHeaderName; h != "" {
		for _, msg := range validation.IsHTTPHeaderName(h) {
			errs = append(errs, field.Invalid(p.Child("router", "modelBasedRoutingHeaderName"), h, msg))
		}
		c.ModelBasedRoutingHeaderName = h
	}
	errs = append(errs, modelRoutingFromInput(c, in.Router.ModelBasedRoutingMode, p.Child("router", "modelBasedRoutingMode"))...)
	return append(errs, collisionsFromInput(c, in.Router.ModelNameCollisions, p.Child("router", "modelNameCollisions"))...)
}

// collisionsFromInput takes whether model-name collisions are detected.
func collisionsFromInput(c *Config, m v1beta1.ModelNameCollisions, p *field.Path) field.ErrorList {
	switch m {
	case "", v1beta1.ModelNameCollisionsDetect:
	case v1beta1.ModelNameCollisionsIgnore:
		c.IgnoreCollisions = true
	default:
		return field.ErrorList{field.NotSupported(p, m, []v1beta1.ModelNameCollisions{v1beta1.ModelNameCollisionsDetect, v1beta1.ModelNameCollisionsIgnore})}
	}
	return nil
}

// modelRoutingFromInput takes the model-based routing mode.
func modelRoutingFromInput(c *Config, m v1beta1.ModelBasedRoutingMode, p *field.Path) field.ErrorList {
	switch m {
	case "":
	case v1beta1.ModelBasedRoutingEnabled, v1beta1.ModelBasedRoutingForced, v1beta1.ModelBasedRoutingDisabled:
		c.ModelBasedRoutingMode = m
	default:
		return field.ErrorList{field.NotSupported(p, m,
			[]v1beta1.ModelBasedRoutingMode{v1beta1.ModelBasedRoutingEnabled, v1beta1.ModelBasedRoutingForced, v1beta1.ModelBasedRoutingDisabled})}
	}
	return nil
}

// ModelRouting is true unless the input disables model-based routing:
// vLLM then serves the model under its fully qualified name too, and the
// managed route matches the model name header (unless a Gateway opts out,
// in mode enabled).
func (c Config) ModelRouting() bool {
	return c.ModelBasedRoutingMode != v1beta1.ModelBasedRoutingDisabled && c.ModelBasedRoutingHeaderName != ""
}

// emptyGatewayFromInput takes what spec.router.gateway: {} means.
func emptyGatewayFromInput(c *Config, w v1beta1.EmptyGateway, p *field.Path) field.ErrorList {
	switch w {
	case "":
	case v1beta1.EmptyGatewayManaged, v1beta1.EmptyGatewayPlatform:
		c.EmptyGateway = w
	default:
		return field.ErrorList{field.NotSupported(p, w, []v1beta1.EmptyGateway{v1beta1.EmptyGatewayManaged, v1beta1.EmptyGatewayPlatform})}
	}
	return nil
}

// modelServerFromInput overlays the model-server defaults of the input.
func modelServerFromInput(c *Config, in *v1beta1.ModelServer, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if in.GPUResourceName != "" {
		c.GPUResource = in.GPUResourceName
	}
	c.ModelServerResources = in.Resources
	if q := in.SharedMemorySize; q != nil {
		if q.Sign() <= 0 {
			errs = append(errs, field.Invalid(p.Child("sharedMemorySize"), q.String(), "must be positive"))
		}
		c.SharedMemory = *q
	}
	if d := in.StartupTimeout; d != nil {
		if d.Duration < 10*time.Second {
			errs = append(errs, field.Invalid(p.Child("startupTimeout"), d.Duration.String(), "must be at least 10s"))
		}
		c.StartupTimeout = d.Duration
	}
	set(&c.ServiceAccountName, in.ServiceAccountName)
	if u := in.RunAsUser; u != nil {
		if *u < 1 {
			errs = append(errs, field.Invalid(p.Child("runAsUser"), *u, "must be a non-root user ID, 1 or more"))
		}
		c.RunAsUser = u
	}
	return errs
}

// storageFromInput overlays the model storage defaults of the input.
func storageFromInput(c *Config, in *v1beta1.Storage, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if r := in.StorageInitializerResources; r != nil {
		c.StorageInitializerResources = *r
	}
	c.HFToken = in.HFTokenSecretRef
	if c.HFToken != nil && (c.HFToken.Name == "" || c.HFToken.Key == "") {
		errs = append(errs, field.Required(p.Child("hfTokenSecretRef"), "name and key of the Secret holding the token"))
	}
	c.S3Credentials = in.S3CredentialsSecretRef
	if c.S3Credentials != nil && c.S3Credentials.Name == "" {
		errs = append(errs, field.Required(p.Child("s3CredentialsSecretRef", "name"), "name of the Secret holding the S3 credentials"))
	}
	switch in.OCI {
	case "":
	case v1beta1.OCIModelcar, v1beta1.OCIImageVolume:
		c.OCI = in.OCI
	default:
		errs = append(errs, field.NotSupported(p.Child("oci"), in.OCI, []v1beta1.OCIMode{v1beta1.OCIModelcar, v1beta1.OCIImageVolume}))
	}
	return errs
}

func set(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// routerFromInput overlays the router defaults of the input.
func routerFromInput(c *Config, in *v1beta1.Router, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	set(&c.GatewayClassName, in.Gateway.ClassName)
	if in.Gateway.ClassName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(in.Gateway.ClassName) {
			errs = append(errs, field.Invalid(p.Child("gateway", "className"), in.Gateway.ClassName, msg))
		}
	}
	if r := in.Scheduler.Resources; r != nil {
		c.PickerResources = *r
	}
	switch in.Scheduler.MetricsAuth {
	case "":
	case v1beta1.MetricsAuthTokenReview, v1beta1.MetricsAuthNone:
		c.PickerMetricsAuth = in.Scheduler.MetricsAuth
	default:
		errs = append(errs, field.NotSupported(p.Child("scheduler", "metricsAuth"), in.Scheduler.MetricsAuth, []v1beta1.MetricsAuth{v1beta1.MetricsAuthTokenReview, v1beta1.MetricsAuthNone}))
	}
	switch m := giev1.EndpointPickerFailureMode(in.Scheduler.FailureMode); m {
	case "":
	case giev1.EndpointPickerFailOpen, giev1.EndpointPickerFailClose:
		c.FailureMode = in.Scheduler.FailureMode
	default:
		errs = append(errs, field.NotSupported(p.Child("scheduler", "failureMode"), m, []giev1.EndpointPickerFailureMode{giev1.EndpointPickerFailOpen, giev1.EndpointPickerFailClose}))
	}
	switch in.Provider {
	case "":
	case v1beta1.ProviderNone, v1beta1.ProviderIstio, v1beta1.ProviderGKE:
		c.Provider = in.Provider
	default:
		errs = append(errs, field.NotSupported(p.Child("provider"), in.Provider, []string{string(v1beta1.ProviderNone), string(v1beta1.ProviderIstio), string(v1beta1.ProviderGKE)}))
	}
	// After the provider and metricsAuth, which the flags must agree with.
	return append(errs, pickerArgsFromInput(c, in.Scheduler.ExtraArgs, p.Child("scheduler"))...)
}

// pickerArgsFromInput takes the input's extra picker flags. They apply to
// the picker of every service, so a flag whose value depends on the
// service (the pool) is refused whatever its value, as are flags that break
// the wiring with the input's provider, and a metrics flag that
// contradicts metricsAuth: the input says it once.
func pickerArgsFromInput(c *Config, args []string, p *field.Path) field.ErrorList {
	c.PickerExtraArgs = args
	ap := p.Child("extraArgs")
	var errs field.ErrorList
	for _, r := range wiring.PickerRefusals(args, wiring.PickerWiring{TLS: c.Provider == v1beta1.ProviderIstio}) {
		errs = append(errs, field.Forbidden(ap.Index(r.Index), fmt.Sprintf("%s is set by the function: %s", r.Flag, r.Why)))
	}
	for _, a := range wiring.ParsePickerArgs(args) {
		if a.Flag == wiring.PickerMetricsAuth && a.Bool() != (c.PickerMetricsAuth != v1beta1.MetricsAuthNone) {
			errs = append(errs, field.Forbidden(ap.Index(a.At), fmt.Sprintf("%s contradicts %s (%s): set only %s, TokenReview or None",
				strings.Join(a.Tokens, " "), p.Child("metricsAuth"), c.PickerMetricsAuth, p.Child("metricsAuth"))))
		}
	}
	return errs
}

// presetsFromInput decodes the input's named presets: each must be a spec
// fragment (an object) and must not name base configurations itself, as
// KServe refuses recursive references.
func presetsFromInput(in map[string]runtime.RawExtension, p *field.Path, errs field.ErrorList) (map[string]map[string]any, field.ErrorList) {
	if len(in) == 0 {
		return nil, errs
	}
	out := make(map[string]map[string]any, len(in))
	// In order of name, so that the same input gives the same message.
	for _, name := range slices.Sorted(maps.Keys(in)) {
		raw := in[name]
		var frag map[string]any
		if err := json.Unmarshal(raw.Raw, &frag); err != nil || frag == nil {
			errs = append(errs, field.Invalid(p.Key(name), string(raw.Raw), "must be an LLMInferenceService spec fragment (an object)"))
			continue
		}
		if _, ok := frag["baseRefs"]; ok {
			errs = append(errs, field.Forbidden(p.Key(name).Child("baseRefs"), "a preset cannot name base configurations itself"))
			continue
		}
		out[name] = frag
	}
	return out, errs
}
