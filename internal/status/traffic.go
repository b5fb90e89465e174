package status

import (
	"cmp"
	"maps"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/fieldpath"
	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// routerStatus is the traffic path as observed: the Gateways the observed
// routes attach to and the observed pool with its picker. Nil when none of
// it is observed, as KServe leaves it nil without routing.
func routerStatus(in Input, routes []*unstructured.Unstructured) *spec.RouterStatus {
	r := &spec.RouterStatus{Gateways: attachedGateways(routes), Scheduler: observedScheduler(in)}
	if len(r.Gateways) == 0 && r.Scheduler == nil {
		return nil
	}
	return r
}

// attachment is what the routes say about one Gateway they attach to.
type attachment struct {
	// all is true when a route attaches to every listener (no
	// sectionName); sections are the listeners named otherwise.
	all      bool
	sections []gatewayv1.SectionName
	routes   []types.NamespacedName
}

// attachedGateways are the Gateways the routes' parentRefs name, sorted by
// namespace and name, each with the listeners and routes attached to it.
// Parents of other kinds (a mesh's Services) are left out.
func attachedGateways(routes []*unstructured.Unstructured) []spec.ObservedGateway {
	byGateway := map[types.NamespacedName]*attachment{}
	for _, rt := range routes {
		route := types.NamespacedName{Namespace: rt.GetNamespace(), Name: rt.GetName()}
		for _, ref := range parentRefs(rt) {
			k := wiring.KeyOf(ref, rt.GetNamespace())
			if !k.IsGateway() {
				continue
			}
			gw := types.NamespacedName{Namespace: k.Namespace, Name: k.Name}
			a, ok := byGateway[gw]
			if !ok {
				a = &attachment{}
				byGateway[gw] = a
			}
			if k.Section == "" {
				a.all = true
			} else {
				a.sections = append(a.sections, gatewayv1.SectionName(k.Section))
			}
			a.routes = append(a.routes, route)
		}
	}
	keys := slices.SortedFunc(maps.Keys(byGateway), compareKeys)
	var out []spec.ObservedGateway
	for _, k := range keys {
		a := byGateway[k]
		g := spec.ObservedGateway{ObjectReference: *gatewayRef(k)}
		if !a.all {
			slices.Sort(a.sections)
			g.Listeners = slices.Compact(a.sections)
		}
		slices.SortFunc(a.routes, compareKeys)
		for _, r := range slices.Compact(a.routes) {
			g.HTTPRoutes = append(g.HTTPRoutes, objectRef(gatewayv1.GroupName, wiring.RouteKind, r))
		}
		out = append(out, g)
	}
	return out
}

func compareKeys(a, b types.NamespacedName) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}

// observedScheduler is the pool the service uses, the managed one or the
// referenced one, as observed, and the endpoint picker the pool's spec
// names. Nil until the pool is observed.
func observedScheduler(in Input) *spec.ObservedScheduler {
	var pool *unstructured.Unstructured
	switch {
	case in.Refs.Pool != nil:
		pool = in.Refs.Pool.Object
	case composes(in.Composed, compose.ResourcePool):
		if o, ok := in.Observed[compose.ResourcePool]; ok && o.Resource != nil {
			pool = &o.Resource.Unstructured
		}
	}
	if pool == nil {
		return nil
	}
	key := types.NamespacedName{Namespace: pool.GetNamespace(), Name: pool.GetName()}
	s := &spec.ObservedScheduler{InferencePool: ptr.To(objectRef(pool.GroupVersionKind().Group, pool.GetKind(), key))}
	p := fieldpath.Pave(pool.Object)
	if name, _ := p.GetString("spec.endpointPickerRef.name"); name != "" {
		// The Inference Extension's defaults: a Service of the core group.
		group, _ := p.GetString("spec.endpointPickerRef.group")
		kind, _ := p.GetString("spec.endpointPickerRef.kind")
		if kind == "" {
			kind = "Service"
		}
		s.Service = ptr.To(objectRef(group, kind, types.NamespacedName{Namespace: key.Namespace, Name: name}))
	}
	return s
}

// objectRef is a Gateway API reference to the object k of group and kind.
func objectRef(group, kind string, k types.NamespacedName) gatewayv1.ObjectReference {
	return gatewayv1.ObjectReference{
		Group:     gatewayv1.Group(group),
		Kind:      gatewayv1.Kind(kind),
		Name:      gatewayv1.ObjectName(k.Name),
		Namespace: ptr.To(gatewayv1.Namespace(k.Namespace)),
	}
}

// composes is true when the result composes the resource name.
func composes(res *compose.Result, name resource.Name) bool {
	return slices.ContainsFunc(res.Objects, func(o compose.Object) bool { return o.Name == name })
}
