package status

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// xrStatus is the XR status the function owns. Every URL through a
// Gateway is an address, and the in-cluster workload Service's is the
// last; the URL is the one pickURL picks of those through a Gateway, else
// the workload Service's.
func xrStatus(in Input) spec.LLMInferenceServiceStatus {
	routes := observedRoutes(in)
	routed := routedURLsOf(routes, observedGateways(in))
	var namespace, own string
	if in.Service != nil {
		namespace, own = in.Service.Namespace, compose.ServicePath(in.Service.Namespace, in.Service.Name)
	}
	urls := make([]string, 0, len(routed))
	for _, r := range routed {
		urls = append(urls, r.URL)
	}
	s := spec.LLMInferenceServiceStatus{
		URL:            pickURL(slices.Compact(urls), own),
		Addresses:      make([]spec.SourcedAddress, 0, len(routed)+1),
		Router:         routerStatus(in, routes),
		Workloads:      workloadStatus(in),
		AppliedConfigs: appliedConfigs(in.Layers),
		Configurations: configurations(in.Layers),
		GPUs:           gpus(in.Composed.Workloads, in.GPUResource),
	}
	if s.URL == "" {
		s.URL = in.Composed.ServiceURL
	}
	served := addressModels(in.Composed.ModelNames)
	qualified := qualifiedModels(namespace, in.Composed.ModelNames)
	for _, r := range routed {
		models := served
		if r.Kind == headerPathKind {
			models = qualified
		}
		s.Addresses = append(s.Addresses, spec.SourcedAddress{Name: addressName(r.URL, r.Kind), URL: r.URL, Origin: gatewayRef(r.Gateway), Models: models})
	}
	s.Addresses = append(s.Addresses, spec.SourcedAddress{Name: addressWorkload, URL: in.Composed.ServiceURL, Origin: workloadServiceRef(in.Composed), Models: served})
	return s
}

// addressModels are the names an address lists: every name the model
// servers answer to, as KServe lists a path's models.
func addressModels(names []string) []spec.AddressModel {
	out := make([]spec.AddressModel, len(names))
	for i, n := range names {
		out[i] = spec.AddressModel{Name: n}
	}
	return out
}

// qualifiedModels are the names an address reached by the model name
// header lists: the fully qualified ones, which the header carries, as
// KServe lists them; all of them when none is (a user's route matching a
// header of its own while model-based routing is off).
func qualifiedModels(namespace string, names []string) []spec.AddressModel {
	q := slices.DeleteFunc(slices.Clone(names), func(n string) bool {
		_, ok := wiring.ModelNameIn(namespace, n)
		return !ok
	})
	if len(q) == 0 {
		q = names
	}
	return addressModels(q)
}

// observedGateways are the Gateways routes may attach to, managed or
// referenced, as observed, by namespace and name.
func observedGateways(in Input) map[types.NamespacedName]*unstructured.Unstructured {
	gateways := map[types.NamespacedName]*unstructured.Unstructured{}
	if o, ok := in.Observed[compose.ResourceGateway]; ok && o.Resource != nil {
		gw := &o.Resource.Unstructured
		gateways[types.NamespacedName{Namespace: gw.GetNamespace(), Name: gw.GetName()}] = gw
	}
	for _, g := range in.Refs.Gateways {
		if g.Object != nil {
			gateways[g.Key] = g.Object
		}
	}
	return gateways
}

// observedRoutes are the service's HTTPRoutes as observed: the managed one
// and the referenced ones.
func observedRoutes(in Input) []*unstructured.Unstructured {
	var routes []*unstructured.Unstructured
	if o, ok := in.Observed[compose.ResourceRoute]; ok && o.Resource != nil {
		routes = append(routes, &o.Resource.Unstructured)
	}
	for _, r := range in.Refs.Routes {
		if r.Object != nil {
			routes = append(routes, r.Object)
		}
	}
	return routes
}

// routedURLsOf are the addresses the model is served at through its
// routes and the Gateways they attach to, sorted and without duplicates.
func routedURLsOf(routes []*unstructured.Unstructured, gateways map[types.NamespacedName]*unstructured.Unstructured) []routedURL {
	lookup := func(namespace, name string) *unstructured.Unstructured {
		return gateways[types.NamespacedName{Namespace: namespace, Name: name}]
	}
	var out []routedURL
	for _, r := range routes {
		out = append(out, routeURLs(r, lookup)...)
	}
	return sortedURLs(out)
}

// gatewayRef is the origin of an address through a Gateway.
func gatewayRef(k types.NamespacedName) *gatewayv1.ObjectReference {
	return ptr.To(objectRef(gatewayv1.GroupName, wiring.GatewayKind, k))
}

// workloadServiceRef is the origin of the workload Service's address: the
// Service compose made the URL of.
func workloadServiceRef(res *compose.Result) *gatewayv1.ObjectReference {
	for _, o := range res.Objects {
		if o.Name == compose.ResourceWorkloadService {
			return ptr.To(objectRef(corev1.GroupName, "Service", types.NamespacedName{Namespace: o.Object.GetNamespace(), Name: o.Object.GetName()}))
		}
	}
	return nil
}

// modelNames are the names a service serves by its spec, unqualified:
// the served model name and each LoRA adapter's.
func modelNames(svc *spec.Service) []string {
	if svc == nil {
		return nil
	}
	out := []string{svc.ServedModelName()}
	if l := svc.Spec.Model.LoRA; l != nil {
		for _, a := range l.Adapters {
			out = append(out, a.Name)
		}
	}
	return out
}

// configurations are every layer in merge order, lowest first, with where
// it came from.
func configurations(layers []config.Layer) []spec.AppliedConfiguration {
	out := make([]spec.AppliedConfiguration, 0, len(layers))
	for _, l := range layers {
		out = append(out, spec.AppliedConfiguration{Name: l.Name, Source: string(l.Source)})
	}
	return out
}

// appliedConfigs are the layers below the spec in KServe's shape, in merge
// order. What the function applies by itself (the built-in presets, the
// Function input's defaults) is a Preset; every other layer is one
// spec.baseRefs named, a UserRef, whatever it resolved to. The spec itself
// is not listed, as in KServe.
func appliedConfigs(layers []config.Layer) []spec.AppliedConfigRef {
	var out []spec.AppliedConfigRef
	for _, l := range layers {
		src := spec.AppliedConfigUserRef
		switch {
		case l.Source == config.SourceSpec:
			continue
		case l.Source == config.SourceBuiltIn, l.Source == config.SourceFunctionInput && l.Name == config.LayerFunctionInput:
			src = spec.AppliedConfigPreset
		}
		out = append(out, spec.AppliedConfigRef{Name: l.Name, Namespace: l.Namespace, Source: src})
	}
	return out
}

// gpus counts the GPUs of the main and prefill workloads.
func gpus(wls []compose.Workload, resource corev1.ResourceName) *spec.GPUStatus {
	g := &spec.GPUStatus{Resource: string(resource)}
	for _, wl := range wls {
		if wl.Prefill {
			g.Prefill += wl.GPUs
		} else {
			g.Main += wl.GPUs
		}
	}
	g.Total = g.Main + g.Prefill
	return g
}
