package compose

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// ObjectiveHeader is the request header llm-d's endpoint picker reads to
// pick the InferenceObjective a request belongs to. The managed route sets
// it, so model.criticality takes effect without clients knowing about it.
const ObjectiveHeader = "x-llm-d-inference-objective"

// API groups and kinds the route refers to.
const (
	routeGroupPool   = "inference.networking.k8s.io"
	routeKindPool    = "InferencePool"
	routeKindGateway = "Gateway"
)

// Refusals of route configurations, in KServe's words where it has them.
const (
	errRouteRefsAndSpec = "unsupported configuration: cannot use both custom HTTPRoute refs (spec.router.route.http.refs) and an inline route spec (spec.router.route.http.spec); choose one"
	errRouteRefsManaged = "unsupported configuration: custom HTTP routes (spec.router.route.http.refs) cannot be used with a managed gateway (spec.router.gateway: {}); either remove spec.router.gateway or set spec.router.gateway.refs to the gateways your routes attach to"
	errRouteNoGateway   = "a managed HTTPRoute (spec.router.route) needs a Gateway to attach to: set spec.router.gateway: {} for a managed Gateway, spec.router.gateway.refs to attach to existing Gateways, or spec.router.route.http.spec.parentRefs"
	errRouteParentsMgd  = "unsupported configuration: the managed HTTPRoute attaches to the managed Gateway (spec.router.gateway: {}); remove spec.router.route.http.spec.parentRefs, or list the Gateways to attach to in spec.router.gateway.refs instead"
	errRouteParentsRefs = "unsupported configuration: spec.router.route.http.spec.parentRefs conflict with the custom gateway refs (spec.router.gateway.refs); remove parentRefs (the route then attaches to the gateway refs) or make them name the same Gateways and listeners"
)

// route composes the managed HTTPRoute. With route.http.refs it composes
// nothing: the user's routes carry the traffic and are only read.
func (b *builder) route() ([]Object, field.ErrorList) {
	r := b.svc.Spec.Router
	if r == nil || r.Route == nil {
		return nil, nil
	}
	var user *gatewayv1.HTTPRouteSpec
	if h := r.Route.HTTP; h != nil {
		if len(h.Refs) > 0 {
			return nil, b.routeCheckRefs()
		}
		user = h.Spec
	}
	if errs := b.routeCheckSpec(user); len(errs) > 0 {
		return nil, errs
	}
	rt := &gatewayv1.HTTPRoute{
		TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "HTTPRoute"},
		ObjectMeta: b.objectMeta(RouteName(b.svc.Name), ComponentRouter),
		Spec:       b.routeMergeSpec(b.routeDefaultSpec(), user),
	}
	return []Object{{Name: ResourceRoute, Object: rt}}, nil
}

// Field paths of the router configuration.
var (
	routeFieldRouter  = field.NewPath("spec", "router")
	routeFieldGateway = routeFieldRouter.Child("gateway")
	routeFieldHTTP    = routeFieldRouter.Child("route", "http")
	routeFieldParents = routeFieldHTTP.Child("spec", "parentRefs")
)

// routeGatewayRefs and routeManagedGateway tell the two forms of
// spec.router.gateway apart.
func (b *builder) routeGatewayRefs() bool {
	g := b.svc.Spec.Router.Gateway
	return g != nil && len(g.Refs) > 0
}

func (b *builder) routeManagedGateway() bool {
	return b.svc.Spec.Router.Gateway != nil && !b.routeGatewayRefs()
}

// routeCheckRefs repeats the XRD's CEL rules on route.http.refs: the
// function must not trust that its XRD is the one enforcing them.
func (b *builder) routeCheckRefs() field.ErrorList {
	var errs field.ErrorList
	if b.svc.Spec.Router.Route.HTTP.Spec != nil {
		errs = append(errs, field.Forbidden(routeFieldHTTP, errRouteRefsAndSpec))
	}
	if b.routeManagedGateway() {
		errs = append(errs, field.Forbidden(routeFieldGateway, errRouteRefsManaged))
	}
	return errs
}

// routeCheckSpec refuses managed routes whose parents are missing or
// ambiguous. The user's parentRefs may repeat spec.router.gateway.refs (the
// same parents said twice) but not contradict them, and may not replace the
// managed Gateway: that Gateway would then serve nothing.
func (b *builder) routeCheckSpec(user *gatewayv1.HTTPRouteSpec) field.ErrorList {
	userParents := user != nil && len(user.ParentRefs) > 0
	// useDefaultGateways attaches the route to the cluster's default
	// Gateways, which is somewhere to attach to as well.
	userDefaults := user != nil && user.UseDefaultGateways != ""
	switch {
	case b.svc.Spec.Router.Gateway == nil && !userParents && !userDefaults:
		return field.ErrorList{field.Required(routeFieldGateway, errRouteNoGateway)}
	case userParents && b.routeManagedGateway():
		return field.ErrorList{field.Forbidden(routeFieldParents, errRouteParentsMgd)}
	case userParents && b.routeGatewayRefs() && !b.routeSameParents(user.ParentRefs, b.routeDefaultParentRefs()):
		return field.ErrorList{field.Forbidden(routeFieldParents, errRouteParentsRefs)}
	}
	return nil
}

// routeMergeSpec lays the user's route.http.spec over the default spec.
// The merge is deliberately shallow, so what the user wrote is what they
// get: every top-level field the user set (parentRefs, hostnames, rules,
// useDefaultGateways) replaces the default one, in the user's order. Two
// things are filled into the user's rules because a rule cannot work
// without them and the user cannot name them ahead of time: a rule without
// backendRefs gets the default backends (the pool or the workload Service),
// unless it redirects (Gateway API forbids backends next to a
// RequestRedirect), and a rule without timeouts gets the default timeouts
// (none on GKE). The default rule's path rewrite and objective header are
// not added to user rules: rules the user writes are theirs, and rules that
// need the objective header set it themselves.
func (b *builder) routeMergeSpec(def gatewayv1.HTTPRouteSpec, user *gatewayv1.HTTPRouteSpec) gatewayv1.HTTPRouteSpec {
	if user == nil {
		return def
	}
	u := user.DeepCopy()
	out := def
	if len(u.ParentRefs) > 0 {
		out.ParentRefs = u.ParentRefs
	}
	if u.UseDefaultGateways != "" {
		out.UseDefaultGateways = u.UseDefaultGateways
	}
	if len(u.Hostnames) > 0 {
		out.Hostnames = u.Hostnames
	}
	if len(u.Rules) > 0 {
		for i := range u.Rules {
			rule := &u.Rules[i]
			if len(rule.BackendRefs) == 0 && !routeRedirects(rule) {
				rule.BackendRefs = b.routeDefaultBackendRefs()
			}
			if rule.Timeouts == nil {
				rule.Timeouts = b.routeDefaultTimeouts()
			}
		}
		out.Rules = u.Rules
	}
	return out
}

func routeRedirects(r *gatewayv1.HTTPRouteRule) bool {
	for _, f := range r.Filters {
		if f.Type == gatewayv1.HTTPRouteFilterRequestRedirect {
			return true
		}
	}
	return false
}

// routeDefaultSpec is KServe's route: requests to /<namespace>/<name>/...
// reach the model servers as /..., so one Gateway can serve many models and
// vLLM still sees its own /v1/... paths.
func (b *builder) routeDefaultSpec() gatewayv1.HTTPRouteSpec {
	filters := []gatewayv1.HTTPRouteFilter{{
		Type: gatewayv1.HTTPRouteFilterURLRewrite,
		URLRewrite: &gatewayv1.HTTPURLRewriteFilter{Path: &gatewayv1.HTTPPathModifier{
			Type:               gatewayv1.PrefixMatchHTTPPathModifier,
			ReplacePrefixMatch: ptr.To("/"),
		}},
	}}
	// The objective exists only next to a pool: without a scheduler no
	// endpoint picker would read the header.
	if b.svc.Spec.Model.Criticality != nil && b.poolName() != "" {
		filters = append(filters, gatewayv1.HTTPRouteFilter{
			Type: gatewayv1.HTTPRouteFilterRequestHeaderModifier,
			RequestHeaderModifier: &gatewayv1.HTTPHeaderFilter{Set: []gatewayv1.HTTPHeader{{
				Name:  ObjectiveHeader,
				Value: ObjectiveName(b.svc.Name),
			}}},
		})
	}
	return gatewayv1.HTTPRouteSpec{
		CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: b.routeDefaultParentRefs()},
		Rules: []gatewayv1.HTTPRouteRule{{
			Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{
				Type:  ptr.To(gatewayv1.PathMatchPathPrefix),
				Value: ptr.To("/" + b.svc.Namespace + "/" + b.svc.Name),
			}}},
			Filters:     filters,
			BackendRefs: b.routeDefaultBackendRefs(),
			Timeouts:    b.routeDefaultTimeouts(),
		}},
	}
}

// routeDefaultParentRefs are the Gateways spec.router.gateway names: the
// managed one, or one parent per ref. Nil without spec.router.gateway.
func (b *builder) routeDefaultParentRefs() []gatewayv1.ParentReference {
	g := b.svc.Spec.Router.Gateway
	if g == nil {
		return nil
	}
	if len(g.Refs) == 0 {
		return []gatewayv1.ParentReference{routeGatewayParent(GatewayName(b.svc.Name))}
	}
	refs := make([]gatewayv1.ParentReference, 0, len(g.Refs))
	for _, r := range g.Refs {
		p := routeGatewayParent(r.Name)
		if r.Namespace != "" {
			p.Namespace = ptr.To(gatewayv1.Namespace(r.Namespace))
		}
		if r.SectionName != "" {
			p.SectionName = ptr.To(gatewayv1.SectionName(r.SectionName))
		}
		refs = append(refs, p)
	}
	return refs
}

func routeGatewayParent(name string) gatewayv1.ParentReference {
	return gatewayv1.ParentReference{
		Group: ptr.To(gatewayv1.Group(gatewayv1.GroupName)),
		Kind:  ptr.To(gatewayv1.Kind(routeKindGateway)),
		Name:  gatewayv1.ObjectName(name),
	}
}

// routeDefaultBackendRefs send traffic to the pool, where the endpoint picker
// chooses the pod, or straight to the workload Service without a scheduler.
func (b *builder) routeDefaultBackendRefs() []gatewayv1.HTTPBackendRef {
	ref := gatewayv1.BackendObjectReference{
		Name: gatewayv1.ObjectName(WorkloadName(b.svc.Name)),
		Port: ptr.To(gatewayv1.PortNumber(ModelServerPort)),
	}
	if pool := b.poolName(); pool != "" {
		ref = gatewayv1.BackendObjectReference{
			Group: ptr.To(gatewayv1.Group(routeGroupPool)),
			Kind:  ptr.To(gatewayv1.Kind(routeKindPool)),
			Name:  gatewayv1.ObjectName(pool),
			Port:  ptr.To(gatewayv1.PortNumber(PoolTargetPort)),
		}
	}
	return []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{BackendObjectReference: ref}}}
}

// routeDefaultTimeouts turn the gateway's timeouts off: a long generation or a
// stream may take many minutes, and a cut one is wasted GPU time. GKE's
// Gateway refuses route timeouts; its GCPBackendPolicy sets them instead.
func (b *builder) routeDefaultTimeouts() *gatewayv1.HTTPRouteTimeouts {
	if b.cfg.Provider == v1beta1.ProviderGKE {
		return nil
	}
	off := gatewayv1.Duration("0s")
	return &gatewayv1.HTTPRouteTimeouts{Request: ptr.To(off), BackendRequest: ptr.To(off)}
}

// routeParentKey is a parent reference with Gateway API's defaults filled in,
// so two spellings of the same parent compare equal.
type routeParentKey struct {
	group, kind, namespace, name, section string
	port                                  int32
}

func (b *builder) routeParentKeyOf(p gatewayv1.ParentReference) routeParentKey {
	return routeParentKey{
		group:     string(ptr.Deref(p.Group, gatewayv1.GroupName)),
		kind:      string(ptr.Deref(p.Kind, routeKindGateway)),
		namespace: string(ptr.Deref(p.Namespace, gatewayv1.Namespace(b.svc.Namespace))),
		name:      string(p.Name),
		section:   string(ptr.Deref(p.SectionName, "")),
		port:      ptr.Deref(p.Port, 0),
	}
}

// routeSameParents is true when a and c name the same parents, in any order.
func (b *builder) routeSameParents(a, c []gatewayv1.ParentReference) bool {
	if len(a) != len(c) {
		return false
	}
	count := make(map[routeParentKey]int, len(a))
	for _, p := range a {
		count[b.routeParentKeyOf(p)]++
	}
	for _, p := range c {
		k := b.routeParentKeyOf(p)
		if count[k] == 0 {
			return false
		}
		count[k]--
	}
	return true
}
