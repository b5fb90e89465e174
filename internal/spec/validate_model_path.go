package spec

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// routePathChars is what Gateway API (v1.6) allows in an Exact or
// PathPrefix path match: the CRD's pattern.
var routePathChars = regexp.MustCompile(`^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$`)

// routePathProblem says why Gateway API's CRD would refuse path as an
// Exact or PathPrefix match, by its CEL rules and pattern, or "".
func routePathProblem(path string) string {
	for _, bad := range []string{"//", "/./", "/../", "%2f", "%2F", "#"} {
		if strings.Contains(path, bad) {
			return fmt.Sprintf("contains %q", bad)
		}
	}
	for _, bad := range []string{"/..", "/."} {
		if strings.HasSuffix(path, bad) {
			return fmt.Sprintf("ends with %q", bad)
		}
	}
	if !routePathChars.MatchString(path) {
		return "has characters a path may not (" + routePathChars.String() + ")"
	}
	return ""
}

// validateModelPath refuses a served model name that the managed route's
// publisher path, /publishers/<namespace>/models/<name>, cannot carry:
// the API server would refuse the route, and Crossplane would keep
// reporting its message on every reconcile while the rest is applied.
// KServe puts the name in the path as it is. Only spec.model.name needs
// the check: a service's own name, the default, is a DNS name, and so is
// every LoRA adapter's (validateLoRA). Without the managed route's rules
// (route refs, or rules of the user's own) there is no such path.
func validateModelPath(svc *Service) field.ErrorList {
	s := &svc.Spec
	if s.Model.Name == nil || !s.ManagedRoute() {
		return nil
	}
	if h := s.Router.Route.HTTP; h != nil && h.Spec != nil && len(h.Spec.Rules) > 0 {
		return nil
	}
	prefix := "/" + wiring.QualifiedModelName(svc.Namespace, *s.Model.Name)
	paths := []string{prefix}
	if s.Router.HasScheduler() {
		// The inference endpoints are rules under the prefix, to the
		// pool; without a scheduler the prefix is the one rule.
		paths = append(paths, prefix+"/v1/completions")
	}
	for _, path := range paths {
		if why := routePathProblem(path); why != "" {
			return field.ErrorList{field.Invalid(field.NewPath("spec", "model", "name"), *s.Model.Name,
				fmt.Sprintf("the managed HTTPRoute matches the publisher path %s, which %s, so Gateway API would refuse the route; serve the model under a name of letters, digits and -._~ (segments may be split by single slashes), or write the route's rules yourself (spec.router.route.http.spec.rules)", path, why))}
		}
	}
	return nil
}
