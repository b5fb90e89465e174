package compose

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Gateway API's limits on an HTTPRoute, as its CRD's schema and CEL rules
// (v1.6) enforce them: the API server refuses a route past any of them, and
// Crossplane would then keep the route it had, reporting only the API
// server's message on the XR's Synced condition.
const (
	maxRouteRules   = 16
	maxRuleMatches  = 64
	maxRouteMatches = 128
	// MaxRuleBackends is how many backends a rule of the route can send
	// to: a route group's share of the traffic goes to at most this many
	// members.
	MaxRuleBackends = 16
)

// routeLimits says the limits in messages.
var routeLimits = fmt.Sprintf("Gateway API allows %d rules, %d matches in a rule and %d in all, and %d backendRefs in a rule",
	maxRouteRules, maxRuleMatches, maxRouteMatches, MaxRuleBackends)

// checkRoute refuses a composed route the API server would refuse for its
// size, naming what made it so large: the user's rules
// (spec.router.route.http.spec.rules), or else the model name header's
// matches, one per LoRA adapter (spec.model.lora.adapters).
func (b *builder) checkRoute(rt *gatewayv1.HTTPRoute) field.ErrorList {
	rules := rt.Spec.Rules
	matches := 0
	var over string
	for i, r := range rules {
		matches += len(r.Matches)
		switch {
		case len(r.Matches) > maxRuleMatches && over == "":
			over = fmt.Sprintf("rule %d has %d matches", i, len(r.Matches))
		case len(r.BackendRefs) > MaxRuleBackends && over == "":
			over = fmt.Sprintf("rule %d has %d backendRefs", i, len(r.BackendRefs))
		}
	}
	switch {
	case over != "":
	case len(rules) > maxRouteRules:
		over = fmt.Sprintf("it has %d rules", len(rules))
	case matches > maxRouteMatches:
		over = fmt.Sprintf("it has %d matches in all", matches)
	default:
		return nil
	}
	if h := b.svc.Spec.Router.Route.HTTP; h != nil && h.Spec != nil && len(h.Spec.Rules) > 0 {
		return field.ErrorList{field.Invalid(field.NewPath("spec", "router", "route", "http", "spec", "rules"), len(h.Spec.Rules),
			fmt.Sprintf("the composed HTTPRoute %s would be refused by the API server: %s, and %s; split the rules over HTTPRoutes of your own (spec.router.route.http.refs)",
				rt.Name, over, routeLimits))}
	}
	n := 0
	if l := b.svc.Spec.Model.LoRA; l != nil {
		n = len(l.Adapters)
	}
	// The header matches are modelRouteMatches for the model and for each
	// adapter; the rest of the route's matches are its paths.
	names := len(b.modelNames())
	most := (maxRouteMatches-(matches-names*modelRouteMatches))/modelRouteMatches - 1
	return field.ErrorList{field.Invalid(field.NewPath("spec", "model", "lora", "adapters"), fmt.Sprintf("%d adapters", n),
		fmt.Sprintf("the composed HTTPRoute %s would be refused by the API server: %s, and %s; model-based routing matches the model name header on each of KServe's inference paths and on any other path, for the model and for each adapter, so serve at most %d adapters, or turn model-based routing off (Function input router.modelBasedRoutingMode: disabled)",
			rt.Name, over, routeLimits, most))}
}
