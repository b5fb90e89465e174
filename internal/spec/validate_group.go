package spec

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// MaxRouteWeight is the largest spec.router.route.weight, KServe's bound.
const MaxRouteWeight = 1000000

// RouteGroup is the route group the service belongs to, empty when none.
func (s *LLMInferenceServiceSpec) RouteGroup() string {
	if r := s.Router; r.HasRoute() && r.Route.Group != nil {
		return *r.Route.Group
	}
	return ""
}

// RouteWeight is the service's declared weight in its group, 0 when none.
func (s *LLMInferenceServiceSpec) RouteWeight() int32 {
	if r := s.Router; r.HasRoute() && r.Route.Weight != nil {
		return *r.Route.Weight
	}
	return 0
}

// validateRouteGroup checks spec.router.route.group and .weight, with
// KServe's rules: a group and a weight go together, a group needs the
// managed HTTPRoute (the weighted backends are written into it; the user's
// own routes are theirs), and neither goes with spec.router.ingress.
func validateRouteGroup(r *RouterSpec, p *field.Path) field.ErrorList {
	rt := r.Route
	if rt.Group == nil && rt.Weight == nil {
		return nil
	}
	rp := p.Child("route")
	var errs field.ErrorList
	switch {
	case rt.Group == nil:
		errs = append(errs, field.Required(rp.Child("group"), fmt.Sprintf(
			"weight requires group: spec.router.route.weight is %d but names no group to share traffic in; set spec.router.route.group, or remove the weight", *rt.Weight)))
	case rt.Weight == nil:
		errs = append(errs, field.Required(rp.Child("weight"), fmt.Sprintf(
			"group requires weight: spec.router.route.group is %q; set spec.router.route.weight to the service's share of the group's traffic (0 to %d)", *rt.Group, MaxRouteWeight)))
	}
	if g := rt.Group; g != nil {
		for _, msg := range validation.IsDNS1123Label(*g) {
			errs = append(errs, field.Invalid(rp.Child("group"), *g, "must be a DNS label (lower-case letters, digits and '-', at most 63 characters): "+msg))
		}
		if rt.HTTP != nil && len(rt.HTTP.Refs) > 0 {
			errs = append(errs, field.Forbidden(rp.Child("group"), fmt.Sprintf(
				"group %q needs the managed HTTPRoute, which carries the group's weighted backends; the routes in spec.router.route.http.refs are yours: remove them, or remove the group", *g)))
		}
	}
	if w := rt.Weight; w != nil && (*w < 0 || *w > MaxRouteWeight) {
		errs = append(errs, field.Invalid(rp.Child("weight"), *w, fmt.Sprintf("must be between 0 and %d", MaxRouteWeight)))
	}
	if r.Ingress != nil {
		errs = append(errs, field.Forbidden(p.Child("ingress"),
			"a route group (spec.router.route.group and weight) splits traffic in the managed HTTPRoute, which spec.router.ingress does not use: remove spec.router.ingress, or the group and weight"))
	}
	return errs
}
