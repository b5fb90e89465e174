package compose

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// objectiveHeader is the request header llm-d's endpoint picker reads to
// pick the InferenceObjective a request belongs to. The managed route sets
// it, so model.criticality takes effect without clients knowing about it.
const objectiveHeader = "x-llm-d-inference-objective"

// route composes the managed HTTPRoute. With route.http.refs it composes
// nothing: the user's routes carry the traffic and are only read.
func (b *builder) route() []Object {
	if !b.svc.Spec.ManagedRoute() {
		return nil
	}
	var user *gatewayv1.HTTPRouteSpec
	if h := b.svc.Spec.Router.Route.HTTP; h != nil {
		user = h.Spec
	}
	rt := &gatewayv1.HTTPRoute{
		TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: wiring.RouteKind},
		ObjectMeta: b.objectMeta(routeName(b.svc.Name), componentRouter),
		Spec:       b.routeMergeSpec(b.routeDefaultSpec(), user),
	}
	if g := b.svc.Spec.RouteGroup(); g != "" {
		// KServe's label: what a user lists a group's routes by.
		rt.Labels[wiring.LabelRoutingGroup] = g
	}
	return []Object{{Name: ResourceRoute, Object: rt}}
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
// vLLM still sees its own /v1/... paths. The inference endpoints go through
// the pool, where the endpoint picker chooses the pod; any other path under
// the prefix (/v1/models, /health, /metrics) goes to the workload Service,
// as KServe's preset sends it: the picker picks for inference requests
// only.
func (b *builder) routeDefaultSpec() gatewayv1.HTTPRouteSpec {
	return gatewayv1.HTTPRouteSpec{
		CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: b.routeDefaultParentRefs()},
		Rules: append(b.routePathRules(ServicePath(b.svc.Namespace, b.svc.Name), servicePathRules),
			b.routeModelRules()...),
	}
}

// pathRuleNames name the rules of one path family as KServe's route preset
// does, so that a policy written for KServe's route (a BackendTLSPolicy or
// a timeout policy whose targetRef carries a sectionName) attaches to the
// same rule here: the prefix's own rule, and each inference endpoint's,
// v1-chat-completions-<endpoint suffix> for /v1/chat/completions.
type pathRuleNames struct {
	prefix   string
	endpoint string
}

var (
	servicePathRules   = pathRuleNames{prefix: "v1-catch-all-path", endpoint: "path"}
	publisherPathRules = pathRuleNames{prefix: "v1-publisher-path-catch-all", endpoint: "publisher-path"}
)

// of is the name of the rule of inference endpoint p.
func (n pathRuleNames) of(p string) string {
	return strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", "-") + "-" + n.endpoint
}

// routePathRules are the rules of one path prefix, the service's own or
// the model's publisher path: the prefix itself first, to the workload
// Service, then each inference endpoint under it to the service's
// backend, each rewritten to the path vLLM serves. Without a scheduler
// both backends are the workload Service and the prefix is one rule.
func (b *builder) routePathRules(prefix string, names pathRuleNames) []gatewayv1.HTTPRouteRule {
	rule := func(name, path, to string, filters []gatewayv1.HTTPRouteFilter, backends []gatewayv1.HTTPBackendRef) gatewayv1.HTTPRouteRule {
		return gatewayv1.HTTPRouteRule{
			Name: ptr.To(gatewayv1.SectionName(name)),
			Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{
				Type:  ptr.To(gatewayv1.PathMatchPathPrefix),
				Value: ptr.To(path),
			}}},
			Filters: append([]gatewayv1.HTTPRouteFilter{{
				Type: gatewayv1.HTTPRouteFilterURLRewrite,
				URLRewrite: &gatewayv1.HTTPURLRewriteFilter{Path: &gatewayv1.HTTPPathModifier{
					Type:               gatewayv1.PrefixMatchHTTPPathModifier,
					ReplacePrefixMatch: ptr.To(to),
				}},
			}}, filters...),
			BackendRefs: backends,
			Timeouts:    b.routeDefaultTimeouts(),
		}
	}
	if b.poolName() == "" {
		return []gatewayv1.HTTPRouteRule{rule(names.prefix, prefix, "/", nil, b.routeDefaultBackendRefs())}
	}
	rules := []gatewayv1.HTTPRouteRule{rule(names.prefix, prefix, "/", nil, b.routeWorkloadBackendRefs())}
	for _, p := range inferencePaths {
		rules = append(rules, rule(names.of(p), prefix+p, p, b.routeObjectiveFilters(), b.routeDefaultBackendRefs()))
	}
	return rules
}

// inferencePaths are the inference endpoints KServe's route preset sends
// through the endpoint picker: OpenAI's completions, chat completions and
// responses, and Anthropic's messages.
var inferencePaths = []string{"/v1/completions", "/v1/chat/completions", "/v1/responses", "/v1/messages"}

// routeObjectiveFilters set the objective header on requests to the pool.
// The objective exists only next to a pool: without a scheduler no
// endpoint picker would read the header.
func (b *builder) routeObjectiveFilters() []gatewayv1.HTTPRouteFilter {
	if b.svc.Spec.Model.Criticality == nil || b.poolName() == "" {
		return nil
	}
	return []gatewayv1.HTTPRouteFilter{{
		Type: gatewayv1.HTTPRouteFilterRequestHeaderModifier,
		RequestHeaderModifier: &gatewayv1.HTTPHeaderFilter{Set: []gatewayv1.HTTPHeader{{
			Name:  objectiveHeader,
			Value: objectiveName(b.svc.Name),
		}}},
	}}
}

// ServicePath is the path prefix of the service's own rules: requests to
// it reach this service only, in a route group too.
func ServicePath(namespace, name string) string { return "/" + namespace + "/" + name }

// routeDefaultParentRefs are the Gateways the route attaches to unless its
// spec names its own: the Gateway composed for the service, one parent per
// spec.router.gateway.refs, or else the platform's Gateway, in its own
// namespace, as KServe's route preset attaches to its ingress gateway. Nil
// when the route's own spec says where it attaches (useDefaultGateways).
func (b *builder) routeDefaultParentRefs() []gatewayv1.ParentReference {
	g := b.svc.Spec.Router.Gateway
	switch {
	case b.svc.ComposesGateway():
		return []gatewayv1.ParentReference{wiring.GatewayParent(gatewayName(b.svc.Name), "", "")}
	case g != nil && len(g.Refs) > 0:
		return spec.GatewayRefParents(g)
	case b.svc.OnPlatformGateway():
		pg := b.svc.Platform.Gateway
		return []gatewayv1.ParentReference{wiring.GatewayParent(pg.Name, pg.Namespace, "")}
	default:
		return nil
	}
}

// routeDefaultBackendRefs send traffic to the pool, where the endpoint picker
// chooses the pod, or straight to the workload Service without a scheduler.
func (b *builder) routeDefaultBackendRefs() []gatewayv1.HTTPBackendRef {
	return []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{BackendObjectReference: Backend(b.svc)}}}
}

// Backend is what a route sends a service's traffic to: its pool (the
// referenced one, else the managed one), or its workload Service without a
// scheduler. It reads only the service's name and router spec, so it is
// also a route group peer's backend.
func Backend(svc *spec.Service) gatewayv1.BackendObjectReference {
	if pool := poolNameOf(svc); pool != "" {
		return gatewayv1.BackendObjectReference{
			Group: ptr.To(gatewayv1.Group(giev1.GroupName)),
			Kind:  ptr.To(gatewayv1.Kind(wiring.PoolKind)),
			Name:  gatewayv1.ObjectName(pool),
			Port:  ptr.To(gatewayv1.PortNumber(wiring.ModelServerPort)),
		}
	}
	return workloadBackend(svc)
}

// routeWorkloadBackendRefs send traffic to the workload Service, past the
// endpoint picker.
func (b *builder) routeWorkloadBackendRefs() []gatewayv1.HTTPBackendRef {
	return []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{BackendObjectReference: workloadBackend(b.svc)}}}
}

// workloadBackend is the service's workload Service as a route backend:
// the model servers without the endpoint picker.
func workloadBackend(svc *spec.Service) gatewayv1.BackendObjectReference {
	return gatewayv1.BackendObjectReference{
		Name: gatewayv1.ObjectName(workloadServiceName(svc.Name)),
		Port: ptr.To(gatewayv1.PortNumber(wiring.ModelServerPort)),
	}
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
