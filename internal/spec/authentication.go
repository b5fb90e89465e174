package spec

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// AnnotationEnableAuth turns route authentication off for one service with
// the value "false" (in any case), or asks for it with "true". It is the
// annotation OpenShift AI reads on an LLMInferenceService for the same
// purpose, so a manifest from such a cluster means the same here. The
// platform decides how requests are authenticated (the Function input's
// router.authentication): a service only says whether it takes part.
const AnnotationEnableAuth = "security.opendatahub.io/enable-auth"

// authOptOut is true when the annotation turns authentication off.
func authOptOut(annotations map[string]string) bool {
	return strings.EqualFold(annotations[AnnotationEnableAuth], "false")
}

// Authenticated is true when the gateway must authenticate the service's
// requests: the platform has authentication on, the service did not opt
// out, and the function composes the route the policies protect. A
// service without a route is not reachable through a gateway at all.
func (svc *Service) Authenticated() bool {
	return svc.Platform.Authentication && !authOptOut(svc.Annotations) && svc.Spec.ManagedRoute()
}

// validateAuthentication refuses what would leave a service open while
// someone expects it closed: asking for authentication the platform does
// not have, opting out where the platform forbids it, and routes of the
// user's own, which the function cannot attach policies to.
func validateAuthentication(svc *Service) field.ErrorList {
	p := annotationPath(AnnotationEnableAuth)
	v, set := svc.Annotations[AnnotationEnableAuth]
	switch {
	case set && strings.EqualFold(v, "true") && !svc.Platform.Authentication:
		return field.ErrorList{field.Invalid(p, v,
			"the platform authenticates no routes (its Function input has no router.authentication), so this service would be open to anyone who reaches the gateway; ask the platform team to configure it, or remove the annotation")}
	case authOptOut(svc.Annotations) && svc.Platform.Authentication && !svc.Platform.AuthenticationOptOut:
		return field.ErrorList{field.Invalid(p, v,
			"the platform requires authentication on every route (router.authentication.serviceOptOut: Disabled); remove the annotation")}
	case svc.Platform.Authentication && !authOptOut(svc.Annotations) && svc.Spec.RouteRefs():
		return field.ErrorList{field.Invalid(field.NewPath("spec", "router", "route", "http", "refs"), len(svc.Spec.Router.Route.HTTP.Refs),
			fmt.Sprintf("the platform authenticates every service's route, but the function only attaches its policies to the route it composes, not to routes of your own; use a managed route (remove refs), or authenticate your routes yourself and set the annotation %s: \"false\"", AnnotationEnableAuth))}
	}
	return nil
}

// authWarning is the warning for an AnnotationEnableAuth value that is
// neither "true" nor "false": authentication stays as the platform has it,
// which is the safe reading of a typo, so it is not worth a refusal.
func authWarning(annotations map[string]string) string {
	v, ok := annotations[AnnotationEnableAuth]
	if !ok || strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
		return ""
	}
	return fmt.Sprintf("%s: %q is neither \"true\" nor \"false\": route authentication stays as the platform has it; set \"false\" to turn it off for this service",
		annotationPath(AnnotationEnableAuth), v)
}
