package compose

import (
	"slices"
	"strings"

	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// routeModelRules are the rules of KServe's route preset that address the
// model rather than the service, so that every service serving a model in
// a namespace (the members of a route group) can answer them:
//   - the publisher path, /publishers/<namespace>/models/<model>/..., which
//     reaches the model servers as /...;
//   - with model-based routing, requests whose model name header names
//     publishers/<namespace>/models/<name>, for the served model and each
//     LoRA adapter, at any path, as the gateway's body-based router sets
//     the header from the request's model field.
//
// filters are the per-service rule's, so both reach the model servers the
// same way.
func (b *builder) routeModelRules(filters []gatewayv1.HTTPRouteFilter) []gatewayv1.HTTPRouteRule {
	ns, model := b.svc.Namespace, b.svc.ServedModelName()
	rules := []gatewayv1.HTTPRouteRule{{
		Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{
			Type:  ptr.To(gatewayv1.PathMatchPathPrefix),
			Value: ptr.To("/" + wiring.QualifiedModelName(ns, model)),
		}}},
		Filters:     filters,
		BackendRefs: b.routeDefaultBackendRefs(),
		Timeouts:    b.routeDefaultTimeouts(),
	}}
	// The gateway's authentication policies are scoped to the route's
	// paths (authentication.go): a rule matching any path by a header
	// would scope them to every path of a shared Gateway. An
	// authenticated service is reached by its paths only.
	if !b.cfg.ModelRouting() || b.svc.Authenticated() {
		return rules
	}
	header := gatewayv1.HTTPHeaderName(b.cfg.ModelBasedRoutingHeaderName)
	var matches []gatewayv1.HTTPRouteMatch
	for _, name := range b.modelNames() {
		matches = append(matches, gatewayv1.HTTPRouteMatch{
			Path: &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchPathPrefix), Value: ptr.To("/")},
			Headers: []gatewayv1.HTTPHeaderMatch{{
				Type:  ptr.To(gatewayv1.HeaderMatchExact),
				Name:  header,
				Value: wiring.QualifiedModelName(ns, name),
			}},
		})
	}
	// Requests arrive with their own paths (/v1/...): nothing to rewrite.
	var headerFilters []gatewayv1.HTTPRouteFilter
	for _, f := range filters {
		if f.Type != gatewayv1.HTTPRouteFilterURLRewrite {
			headerFilters = append(headerFilters, f)
		}
	}
	// Gateway API allows 64 matches in a rule: a service with more LoRA
	// adapters gets its header matches in rules of 64 (checkRoute bounds
	// the route's matches in all).
	for c := range slices.Chunk(matches, maxRuleMatches) {
		rules = append(rules, gatewayv1.HTTPRouteRule{
			Matches:     c,
			Filters:     headerFilters,
			BackendRefs: b.routeDefaultBackendRefs(),
			Timeouts:    b.routeDefaultTimeouts(),
		})
	}
	return rules
}

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
