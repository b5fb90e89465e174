package compose

import (
	"slices"
	"strconv"
	"strings"

	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// routeModelRules are the rules of KServe's route preset that address the
// model rather than the service, so that every service serving a model in
// a namespace (the members of a route group) can answer them:
//   - the publisher path, /publishers/<namespace>/models/<model>/..., which
//     reaches the model servers as /..., as the service's own path does;
//   - with model-based routing, requests whose model name header names
//     publishers/<namespace>/models/<name>, for the served model and each
//     LoRA adapter, as the gateway's body-based router sets the header
//     from the request's model field: at the inference paths through the
//     service's backend (the pool), at any other path to the workload
//     Service.
func (b *builder) routeModelRules() []gatewayv1.HTTPRouteRule {
	ns, model := b.svc.Namespace, b.svc.ServedModelName()
	rules := b.routePathRules("/"+wiring.QualifiedModelName(ns, model), publisherPathRules)
	// The gateway's authentication policies are scoped to the route's
	// paths (authentication.go): a rule matching any path by a header
	// would scope them to every path of a shared Gateway. An
	// authenticated service is reached by its paths only.
	if !b.cfg.ModelRouting() || b.svc.Authenticated() {
		return rules
	}
	header := gatewayv1.HTTPHeaderName(b.cfg.ModelBasedRoutingHeaderName)
	names := b.modelNames()
	headerMatch := func(name string, path *gatewayv1.HTTPPathMatch) gatewayv1.HTTPRouteMatch {
		return gatewayv1.HTTPRouteMatch{Path: path, Headers: []gatewayv1.HTTPHeaderMatch{{
			Type:  ptr.To(gatewayv1.HeaderMatchExact),
			Name:  header,
			Value: wiring.QualifiedModelName(ns, name),
		}}}
	}
	var inference, rest []gatewayv1.HTTPRouteMatch
	for _, name := range names {
		for _, p := range modelRoutingPaths {
			inference = append(inference, headerMatch(name, &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchExact), Value: ptr.To(p)}))
		}
		rest = append(rest, headerMatch(name, &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchPathPrefix), Value: ptr.To("/")}))
	}
	// Requests arrive with their own paths (/v1/...): nothing to rewrite.
	// Gateway API allows 64 matches in a rule: the matches go in rules of
	// 64 (checkRoute bounds the route's matches in all).
	for n, c := range slices.Collect(slices.Chunk(inference, maxRuleMatches)) {
		rules = append(rules, gatewayv1.HTTPRouteRule{
			Name:        chunkName("v1-model-routing", n),
			Matches:     c,
			Filters:     b.routeObjectiveFilters(),
			BackendRefs: b.routeDefaultBackendRefs(),
			Timeouts:    b.routeDefaultTimeouts(),
		})
	}
	// Any other path, as KServe's catch-all model routing rule, goes to
	// the model servers without the endpoint picker, which picks for
	// inference requests only.
	for n, c := range slices.Collect(slices.Chunk(rest, maxRuleMatches)) {
		rules = append(rules, gatewayv1.HTTPRouteRule{
			Name:        chunkName("v1-catch-all-model-routing", n),
			Matches:     c,
			BackendRefs: b.routeWorkloadBackendRefs(),
			Timeouts:    b.routeDefaultTimeouts(),
		})
	}
	return rules
}

// chunkName names the n-th rule of a header rule's matches: KServe's name
// for the first, and a suffix from the second on, since rule names are
// unique in a route and KServe's single rule would exceed the 64 matches
// Gateway API allows a rule past seven model names.
func chunkName(name string, n int) *gatewayv1.SectionName {
	if n > 0 {
		name += "-" + strconv.Itoa(n+1)
	}
	return ptr.To(gatewayv1.SectionName(name))
}

// modelRoutingPaths are the inference endpoints the model name header
// rule sends through the endpoint picker, each matched exactly, with and
// without a trailing slash, as KServe's route preset lists them.
var modelRoutingPaths = func() []string {
	var out []string
	for _, p := range inferencePaths {
		out = append(out, p, p+"/")
	}
	return out
}()

// modelRouteMatches is how many matches the model name header takes per
// model name: one per inference endpoint, and the catch-all.
var modelRouteMatches = len(modelRoutingPaths) + 1

// modelNames are the names the model-name header may carry for the
// service: the served model's, then each LoRA adapter's, sorted, as KServe
// duplicates its header match per adapter.
func (b *builder) modelNames() []string {
	var adapters []string
	if l := b.svc.Spec.Model.LoRA; l != nil {
		for _, a := range l.Adapters {
			adapters = append(adapters, a.Name)
		}
	}
	slices.Sort(adapters)
	return append([]string{b.svc.ServedModelName()}, slices.Compact(adapters)...)
}

// WithoutModelHeader is rt without model-based routing on header: the
// matches on that header are removed, and the rules left without matches
// with them, as KServe does when the route's Gateway opts out. rt itself
// is not modified; it is returned as is when nothing matches the header.
func WithoutModelHeader(rt *gatewayv1.HTTPRoute, header string) *gatewayv1.HTTPRoute {
	usesHeader := func(m gatewayv1.HTTPRouteMatch) bool {
		return slices.ContainsFunc(m.Headers, func(h gatewayv1.HTTPHeaderMatch) bool {
			return strings.EqualFold(string(h.Name), header)
		})
	}
	if !slices.ContainsFunc(rt.Spec.Rules, func(r gatewayv1.HTTPRouteRule) bool { return slices.ContainsFunc(r.Matches, usesHeader) }) {
		return rt
	}
	out := rt.DeepCopy()
	rules := out.Spec.Rules[:0]
	for _, r := range out.Spec.Rules {
		if !slices.ContainsFunc(r.Matches, usesHeader) {
			rules = append(rules, r)
			continue
		}
		if r.Matches = slices.DeleteFunc(r.Matches, usesHeader); len(r.Matches) > 0 {
			rules = append(rules, r)
		}
	}
	out.Spec.Rules = rules
	return out
}
