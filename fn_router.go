package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/crossplane/function-sdk-go/response"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/status"
)

// Kinds the function reads but does not compose: the objects a spec
// references by name.
var (
	refGateway = refKind{APIVersion: "gateway.networking.k8s.io/v1", Kind: "Gateway"}
	refRoute   = refKind{APIVersion: "gateway.networking.k8s.io/v1", Kind: "HTTPRoute"}
	refPool    = refKind{APIVersion: "inference.networking.k8s.io/v1", Kind: "InferencePool"}
)

type refKind struct{ APIVersion, Kind string }

// A reference is an object the spec names, as Crossplane resolved it.
type reference struct {
	kind refKind
	key  types.NamespacedName
	// resolved is false until Crossplane has read the object for us.
	resolved bool
	// object is nil when Crossplane found no such object.
	object *unstructured.Unstructured
}

// String names the object the way a user would look for it.
func (r *reference) String() string { return r.kind.Kind + " " + r.key.String() }

// health of a referenced object: it must exist and be healthy, like a
// composed one, but its absence is the user's to fix.
func (r *reference) health() status.Health {
	switch {
	case !r.resolved:
		return status.Health{Reason: "Pending", Message: "waiting for Crossplane to read it"}
	case r.object == nil:
		return status.Health{Reason: "RefsInvalid", Message: "does not exist"}
	default:
		return status.Check(&composed.Unstructured{Unstructured: *r.object})
	}
}

// references are the objects the router spec names: Gateways, HTTPRoutes,
// an InferencePool, and the Gateways referenced routes attach to. Crossplane
// fetches them as required resources and calls the function again; the
// selectors depend only on the spec and on what was fetched, so they settle
// within Crossplane's iteration limit (at most two rounds).
type references struct {
	selectors map[string]*fnv1.ResourceSelector
	gateways  []*reference
	routes    []*reference
	pool      *reference
	seen      map[string]*reference
}

func readReferences(req *fnv1.RunFunctionRequest, svc *spec.Service) (*references, error) {
	refs := &references{selectors: map[string]*fnv1.ResourceSelector{}, seen: map[string]*reference{}}
	r := svc.Spec.Router
	if r == nil {
		return refs, nil
	}
	ns := func(n string) string {
		if n == "" {
			return svc.Namespace
		}
		return n
	}
	if r.Gateway != nil {
		for _, g := range r.Gateway.Refs {
			ref, err := refs.require(req, refGateway, types.NamespacedName{Namespace: ns(g.Namespace), Name: g.Name})
			if err != nil {
				return nil, err
			}
			refs.gateways = appendUnique(refs.gateways, ref)
		}
	}
	if r.Route != nil && r.Route.HTTP != nil {
		for _, rt := range r.Route.HTTP.Refs {
			ref, err := refs.require(req, refRoute, types.NamespacedName{Namespace: svc.Namespace, Name: rt.Name})
			if err != nil {
				return nil, err
			}
			refs.routes = appendUnique(refs.routes, ref)
		}
		// The Gateways a referenced route attaches to are only known once
		// the route is read: their readiness and addresses make the URL.
		for _, rt := range refs.routes {
			if rt.object == nil {
				continue
			}
			for _, g := range status.ParentGateways(rt.object) {
				ref, err := refs.require(req, refGateway, g)
				if err != nil {
					return nil, err
				}
				refs.gateways = appendUnique(refs.gateways, ref)
			}
		}
	}
	if s := r.Scheduler; s != nil && s.Pool != nil && s.Pool.Ref != nil {
		ref, err := refs.require(req, refPool, types.NamespacedName{Namespace: svc.Namespace, Name: s.Pool.Ref.Name})
		if err != nil {
			return nil, err
		}
		refs.pool = ref
	}
	return refs, nil
}

// require asks Crossplane for one object by name and returns what it has
// resolved so far.
func (refs *references) require(req *fnv1.RunFunctionRequest, k refKind, key types.NamespacedName) (*reference, error) {
	name := strings.ToLower(k.Kind) + "/" + key.Namespace + "/" + key.Name
	if r, ok := refs.seen[name]; ok {
		return r, nil
	}
	refs.selectors[name] = &fnv1.ResourceSelector{
		ApiVersion: k.APIVersion,
		Kind:       k.Kind,
		Match:      &fnv1.ResourceSelector_MatchName{MatchName: key.Name},
		Namespace:  ptr.To(key.Namespace),
	}
	r := &reference{kind: k, key: key}
	got, ok, err := request.GetRequiredResource(req, name)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read required resource %s", r)
	}
	r.resolved = ok
	if ok && len(got) > 0 {
		r.object = got[0].Resource
	}
	refs.seen[name] = r
	return r, nil
}

// requirements is what the response asks Crossplane to fetch, nil when the
// spec references nothing.
func (refs *references) requirements() *fnv1.Requirements {
	if len(refs.selectors) == 0 {
		return nil
	}
	return &fnv1.Requirements{Resources: refs.selectors}
}

func appendUnique(rs []*reference, r *reference) []*reference {
	for _, e := range rs {
		if e == r {
			return rs
		}
	}
	return append(rs, r)
}

// item is one thing a condition waits for.
type item struct {
	what   string
	health status.Health
}

// Router condition types, in KServe's vocabulary.
const (
	condRouterReady            = "RouterReady"
	condGatewaysReady          = "GatewaysReady"
	condHTTPRoutesReady        = "HTTPRoutesReady"
	condInferencePoolReady     = "InferencePoolReady"
	condSchedulerWorkloadReady = "SchedulerWorkloadReady"
)

// routerParts gathers, per router condition, the composed and referenced
// objects it covers. Parts the spec does not configure are left out.
func routerParts(svc *spec.Service, health map[resource.Name]status.Health, refs *references) []part {
	r := svc.Spec.Router
	if r == nil {
		return nil
	}
	composedItem := func(name resource.Name, kind, objName string) []item {
		h, ok := health[name]
		if !ok {
			return nil
		}
		return []item{{what: kind + " " + svc.Namespace + "/" + objName, health: h}}
	}
	refItems := func(rs ...*reference) []item {
		var out []item
		for _, ref := range rs {
			if ref != nil {
				out = append(out, item{what: ref.String(), health: ref.health()})
			}
		}
		return out
	}
	return []part{
		{cond: condGatewaysReady, items: append(composedItem(compose.ResourceGateway, "Gateway", compose.GatewayName(svc.Name)), refItems(refs.gateways...)...)},
		{cond: condHTTPRoutesReady, items: append(composedItem(compose.ResourceRoute, "HTTPRoute", compose.RouteName(svc.Name)), refItems(refs.routes...)...)},
		{cond: condInferencePoolReady, items: append(composedItem(compose.ResourcePool, "InferencePool", compose.PoolName(svc.Name)), refItems(refs.pool)...)},
		{cond: condSchedulerWorkloadReady, items: composedItem(compose.ResourcePickerDeployment, "Deployment", compose.PickerName(svc.Name))},
	}
}

// A part is the objects behind one condition.
type part struct {
	cond  string
	items []item
}

// verdict is the part's condition: the first object not ready decides the
// reason; the message names every object that is not ready.
func (p part) verdict() (ready bool, reason, msg string) {
	var msgs []string
	for _, it := range p.items {
		if it.health.Ready {
			continue
		}
		if reason == "" {
			reason = it.health.Reason
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", it.what, it.health.Message))
	}
	if len(msgs) == 0 {
		return true, "Ready", ""
	}
	return false, reason, strings.Join(msgs, "; ")
}

// setRouterConditions reports each configured part of the traffic path and
// RouterReady, the first of them that is not ready, as KServe does.
func setRouterConditions(rsp *fnv1.RunFunctionResponse, parts []part) bool {
	var first *part
	for i := range parts {
		p := parts[i]
		if len(p.items) == 0 {
			continue
		}
		ok, reason, msg := p.verdict()
		if ok {
			response.ConditionTrue(rsp, p.cond, reason).TargetCompositeAndClaim()
			continue
		}
		response.ConditionFalse(rsp, p.cond, reason).WithMessage(msg).TargetCompositeAndClaim()
		if first == nil {
			first = &parts[i]
		}
	}
	if len(parts) == 0 {
		return true
	}
	if first == nil {
		response.ConditionTrue(rsp, condRouterReady, "Ready").TargetCompositeAndClaim()
		return true
	}
	_, reason, msg := first.verdict()
	response.ConditionFalse(rsp, condRouterReady, reason).WithMessage(first.cond + ": " + msg).TargetCompositeAndClaim()
	return false
}

// refsReady is false while any referenced object is missing or unhealthy:
// Crossplane only knows the readiness of what it composes, so the function
// holds the XR not Ready itself.
func (refs *references) ready() bool {
	for _, r := range refs.seen {
		if !r.health().Ready {
			return false
		}
	}
	return true
}

// urls are the addresses the model is served at through its routes: the
// managed route and the referenced ones, through the Gateways they attach
// to, sorted; status.url is the first external one.
func routeURLs(svc *spec.Service, observed map[resource.Name]resource.ObservedComposed, refs *references) []string {
	gateways := map[types.NamespacedName]*unstructured.Unstructured{}
	if o, ok := observed[compose.ResourceGateway]; ok && o.Resource != nil {
		gateways[types.NamespacedName{Namespace: svc.Namespace, Name: compose.GatewayName(svc.Name)}] = &o.Resource.Unstructured
	}
	for _, g := range refs.gateways {
		if g.object != nil {
			gateways[g.key] = g.object
		}
	}
	lookup := func(namespace, name string) *unstructured.Unstructured {
		return gateways[types.NamespacedName{Namespace: namespace, Name: name}]
	}
	var routes []*unstructured.Unstructured
	if o, ok := observed[compose.ResourceRoute]; ok && o.Resource != nil {
		routes = append(routes, &o.Resource.Unstructured)
	}
	for _, r := range refs.routes {
		if r.object != nil {
			routes = append(routes, r.object)
		}
	}
	set := map[string]bool{}
	for _, r := range routes {
		for _, u := range status.RouteURLs(r, lookup) {
			set[u] = true
		}
	}
	urls := make([]string, 0, len(set))
	for u := range set {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	return urls
}
