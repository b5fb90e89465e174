package compose

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// A WeightedBackend is one route group member's share of the group's
// traffic.
type WeightedBackend struct {
	Backend gatewayv1.BackendObjectReference
	Weight  int32
}

// GroupRoute is the managed route rt of svc with its group's weighted
// backends: every rule that sends to svc's own backend, but for svc's own
// rule (its /<namespace>/<name> path, which addresses this service only),
// sends to every backend in members instead, each with its weight, as
// KServe rewrites a group member's route. Rules the user wrote that send
// elsewhere are left alone. rt itself is not modified.
func GroupRoute(rt *gatewayv1.HTTPRoute, svc *spec.Service, members []WeightedBackend) *gatewayv1.HTTPRoute {
	own := []gatewayv1.BackendObjectReference{Backend(svc), workloadBackend(svc)}
	refs := make([]gatewayv1.HTTPBackendRef, 0, len(members))
	for _, m := range members {
		refs = append(refs, gatewayv1.HTTPBackendRef{BackendRef: gatewayv1.BackendRef{BackendObjectReference: m.Backend, Weight: ptr.To(m.Weight)}})
	}
	out := rt.DeepCopy()
	for i := range out.Spec.Rules {
		r := &out.Spec.Rules[i]
		if ownRule(r, ServicePath(svc.Namespace, svc.Name)) || !sendsTo(r, own) {
			continue
		}
		r.BackendRefs = slices.Clone(refs)
	}
	return out
}

// ownRule is true for a rule with a path match at the service's own path
// or under it.
func ownRule(r *gatewayv1.HTTPRouteRule, path string) bool {
	return slices.ContainsFunc(r.Matches, func(m gatewayv1.HTTPRouteMatch) bool {
		if m.Path == nil || m.Path.Value == nil {
			return false
		}
		v := *m.Path.Value
		return v == path || strings.HasPrefix(v, path+"/")
	})
}

// sendsTo is true for a rule whose only backend is one of own, the
// backends the function fills in: the service's pool, or its workload
// Service (the model name header's catch-all rule), as KServe weighs every
// rule that sends to a backend it manages.
func sendsTo(r *gatewayv1.HTTPRouteRule, own []gatewayv1.BackendObjectReference) bool {
	return len(r.BackendRefs) == 1 && len(r.BackendRefs[0].Filters) == 0 &&
		slices.ContainsFunc(own, func(o gatewayv1.BackendObjectReference) bool {
			return equality.Semantic.DeepEqual(r.BackendRefs[0].BackendObjectReference, o)
		})
}
