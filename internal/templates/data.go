package templates

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// dot is what a template's dot is: KServe's templates see the
// LLMInferenceService itself (its ObjectMeta embedded, so .Name works as
// well as .ObjectMeta.Name) and .GlobalConfig. KServe's .Status is not
// here: the function composes from the spec alone, never from observed
// state.
type dot struct {
	metav1.ObjectMeta
	// Spec is the merged spec, before rendering, in internal/spec's types,
	// whose Go field names are KServe's (WorkloadSpec embedded as KServe
	// embeds it, so .Spec.Parallelism.Tensor, .Spec.Template and
	// .Spec.KVCacheOffloading resolve).
	Spec         spec.LLMInferenceServiceSpec
	GlobalConfig GlobalConfig
}

// GlobalConfig is .GlobalConfig: the fields of the platform's configuration
// KServe exposes to templates, under KServe's names.
type GlobalConfig struct {
	// SystemNamespace is the platform's namespace (input systemNamespace).
	SystemNamespace string
	// IngressGatewayName and IngressGatewayNamespace are the platform's
	// shared Gateway (input router.gateway.platform).
	IngressGatewayName      string
	IngressGatewayNamespace string
	// EnableTLS is whether model servers serve TLS. The function's model
	// servers serve plain HTTP, so it is false.
	EnableTLS bool
	// ModelBasedRoutingHeaderName is the header that names the model on a
	// shared Gateway (input router.modelBasedRoutingHeaderName).
	ModelBasedRoutingHeaderName string
	// InferencePoolNamespacedName is <namespace>/<pool>: the pool the
	// service's traffic goes through, the referenced one or the one the
	// function composes (named even when there is no scheduler, as KServe
	// names it).
	InferencePoolNamespacedName string
}

// Input is what the templates of a spec read besides the spec.
type Input struct {
	// Name, Namespace, Labels and Annotations of the service as the
	// function sees it: for a legacy XR made for a claim, the claim's
	// name and namespace (internal/spec.Decode decides).
	Name        string
	Namespace   string
	Labels      map[string]string
	Annotations map[string]string
	// ManagedPoolName is the name of the InferencePool the function
	// composes for the service.
	ManagedPoolName string
	// Global holds .GlobalConfig's fields from the Function input;
	// InferencePoolNamespacedName is computed from the spec.
	Global GlobalConfig
}
