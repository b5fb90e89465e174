package status

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Names of status.addresses entries.
const (
	addressGateway  = "gateway"
	addressWorkload = "workload"
)

// xrStatus is the XR status the function owns. The URL is the first
// external address through a Gateway, else the first Gateway address, else
// the in-cluster workload Service; every one of them is an address.
func xrStatus(in Input) spec.LLMInferenceServiceStatus {
	routed := urls(in)
	s := spec.LLMInferenceServiceStatus{
		URL:            pickURL(routed),
		Addresses:      make([]spec.Addressable, 0, len(routed)+1),
		Configurations: configurations(in.Layers),
		GPUs:           gpus(in.Composed.Workloads, in.GPUResource),
	}
	if s.URL == "" {
		s.URL = in.Composed.ServiceURL
	}
	for _, u := range routed {
		s.Addresses = append(s.Addresses, spec.Addressable{Name: addressGateway, URL: u})
	}
	s.Addresses = append(s.Addresses, spec.Addressable{Name: addressWorkload, URL: in.Composed.ServiceURL})
	return s
}

// urls are the addresses the model is served at through its routes: the
// managed route and the referenced ones, through the Gateways they attach
// to (managed or referenced), sorted and without duplicates.
func urls(in Input) []string {
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
	lookup := func(namespace, name string) *unstructured.Unstructured {
		return gateways[types.NamespacedName{Namespace: namespace, Name: name}]
	}
	var routes []*unstructured.Unstructured
	if o, ok := in.Observed[compose.ResourceRoute]; ok && o.Resource != nil {
		routes = append(routes, &o.Resource.Unstructured)
	}
	for _, r := range in.Refs.Routes {
		if r.Object != nil {
			routes = append(routes, r.Object)
		}
	}
	var out []string
	for _, r := range routes {
		out = append(out, routeURLs(r, lookup)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
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
