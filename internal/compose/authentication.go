package compose

import (
	"fmt"
	"slices"
	"strings"

	egv1a1 "github.com/envoyproxy/gateway/api/v1alpha1"
	istiosecurity "istio.io/api/security/v1beta1"
	istiotype "istio.io/api/type/v1beta1"
	istiosecurityv1 "istio.io/client-go/pkg/apis/security/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Composition resource names of route authentication.
const (
	resourceRequestAuthentication = "route-requestauthentication"
	resourceAuthorizationPolicy   = "route-authorizationpolicy"
	resourceSecurityPolicy        = "route-securitypolicy"
)

// Kinds of the authentication policies.
const (
	kindRequestAuthentication = "RequestAuthentication"
	kindAuthorizationPolicy   = "AuthorizationPolicy"
	kindSecurityPolicy        = "SecurityPolicy"
)

// jwtProviderName names the one JWT provider of a SecurityPolicy.
const jwtProviderName = "platform"

// authName is the name of every authentication policy of the service.
func authName(svc string) string { return names.Child(svc, "auth") }

// authentication composes the policies that make the gateway authenticate
// requests on the managed route rt, as the input's router.authentication
// says, unless the service is not authenticated (spec.Authenticated).
func (b *builder) authentication(rt *gatewayv1.HTTPRoute) ([]Object, field.ErrorList) {
	a := b.cfg.Authentication
	if a == nil || rt == nil || !b.svc.Authenticated() {
		return nil, nil
	}
	if a.Gateway == v1beta1.AuthenticationEnvoyGateway {
		return []Object{{Name: resourceSecurityPolicy, Object: b.securityPolicy(rt)}}, nil
	}
	return b.istioAuthentication(rt)
}

// securityPolicy is Envoy Gateway's policy on the managed HTTPRoute
// itself: it applies to this route's requests only, whichever Gateway the
// route is attached to, the platform's shared one included.
func (b *builder) securityPolicy(rt *gatewayv1.HTTPRoute) *egv1a1.SecurityPolicy {
	a := b.cfg.Authentication
	sp := &egv1a1.SecurityPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: egv1a1.GroupVersion.String(), Kind: kindSecurityPolicy},
		ObjectMeta: b.objectMeta(authName(b.svc.Name), componentRouter),
		Spec: egv1a1.SecurityPolicySpec{
			PolicyTargetReferences: egv1a1.PolicyTargetReferences{
				TargetRefs: []gatewayv1.LocalPolicyTargetReferenceWithSectionName{{
					LocalPolicyTargetReference: gatewayv1.LocalPolicyTargetReference{
						Group: gatewayv1.GroupName,
						Kind:  wiring.RouteKind,
						Name:  gatewayv1.ObjectName(rt.Name),
					},
				}},
			},
		},
	}
	if j := a.JWT; j != nil {
		sp.Spec.JWT = &egv1a1.JWT{Providers: []egv1a1.JWTProvider{{
			Name:       jwtProviderName,
			Issuer:     j.Issuer,
			Audiences:  j.Audiences,
			RemoteJWKS: &egv1a1.RemoteJWKS{URI: j.JWKSURI},
		}}}
	}
	if k := a.APIKey; k != nil {
		refs := make([]gatewayv1.SecretObjectReference, 0, len(k.SecretRefs))
		for _, r := range k.SecretRefs {
			refs = append(refs, gatewayv1.SecretObjectReference{Name: gatewayv1.ObjectName(r.Name)})
		}
		sp.Spec.APIKeyAuth = &egv1a1.APIKeyAuth{
			CredentialRefs: refs,
			ExtractFrom:    []*egv1a1.ExtractFrom{{Headers: []string{a.APIKeyHeader}}},
			// The model server has no use for the key: it is not passed
			// on, so it cannot leak into vLLM's logs.
			Sanitize: ptr.To(true),
		}
	}
	return sp
}

// istioAuthentication composes Istio's two policies. Istio attaches them
// to a Gateway, not to a route, so they sit beside the route's Gateways
// (which must therefore be in the service's namespace) and the
// AuthorizationPolicy that refuses requests without a valid token is
// scoped to the route's paths and hostnames: on a Gateway that other
// routes share, their requests are not refused. The RequestAuthentication
// only checks the tokens requests carry, and refuses a token the issuer's
// keys do not verify.
func (b *builder) istioAuthentication(rt *gatewayv1.HTTPRoute) ([]Object, field.ErrorList) {
	targets, errs := b.istioTargets(rt)
	ops, e := b.istioOperations(rt)
	errs = append(errs, e...)
	if len(errs) > 0 {
		return nil, errs
	}
	j := b.cfg.Authentication.JWT
	name := authName(b.svc.Name)
	ra := &istiosecurityv1.RequestAuthentication{
		TypeMeta:   metav1.TypeMeta{APIVersion: istiosecurityv1.SchemeGroupVersion.String(), Kind: kindRequestAuthentication},
		ObjectMeta: b.objectMeta(name, componentRouter),
		Spec: istiosecurity.RequestAuthentication{
			TargetRefs: targets,
			JwtRules: []*istiosecurity.JWTRule{{
				Issuer:    j.Issuer,
				Audiences: j.Audiences,
				JwksUri:   j.JWKSURI,
			}},
		},
	}
	ap := &istiosecurityv1.AuthorizationPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: istiosecurityv1.SchemeGroupVersion.String(), Kind: kindAuthorizationPolicy},
		ObjectMeta: b.objectMeta(name, componentRouter),
		Spec: istiosecurity.AuthorizationPolicy{
			TargetRefs: targets,
			Action:     istiosecurity.AuthorizationPolicy_DENY,
			Rules: []*istiosecurity.Rule{{
				From: []*istiosecurity.Rule_From{{Source: &istiosecurity.Source{NotRequestPrincipals: []string{"*"}}}},
				To:   ops,
			}},
		},
	}
	return []Object{
		{Name: resourceRequestAuthentication, Object: ra},
		{Name: resourceAuthorizationPolicy, Object: ap},
	}, nil
}

// istioTargets are the route's Gateways as Istio policy targets. A parent
// in another namespace, the platform's Gateway most often, is refused: a
// namespaced XR composes only in its own namespace, and Istio only applies
// a policy to a Gateway of the policy's namespace.
func (b *builder) istioTargets(rt *gatewayv1.HTTPRoute) ([]*istiotype.PolicyTargetReference, field.ErrorList) {
	var errs field.ErrorList
	var out []*istiotype.PolicyTargetReference
	seen := map[string]bool{}
	for i, pr := range rt.Spec.ParentRefs {
		k := wiring.KeyOf(pr, b.svc.Namespace)
		switch {
		case !k.IsGateway():
			errs = append(errs, field.Invalid(b.parentPath(i), k.String(),
				"router.authentication with Istio attaches its policies to the route's Gateways, and this parent is no Gateway; attach the route to a Gateway, or opt the service out with the annotation "+spec.AnnotationEnableAuth+": \"false\""))
		case k.Namespace != b.svc.Namespace:
			errs = append(errs, field.Invalid(b.parentPath(i), k.String(),
				fmt.Sprintf("router.authentication with Istio needs the route's Gateways in the service's namespace %s, where its policies are composed: Istio applies a policy only to Gateways of its own namespace. Use a Gateway of this namespace (spec.router.gateway: {} composes one), or have the platform authenticate its Gateway and opt the service out with the annotation %s: \"false\"", b.svc.Namespace, spec.AnnotationEnableAuth)))
		case !seen[k.Name]:
			seen[k.Name] = true
			out = append(out, &istiotype.PolicyTargetReference{Group: gatewayv1.GroupName, Kind: wiring.GatewayKind, Name: k.Name})
		}
	}
	if len(rt.Spec.ParentRefs) == 0 {
		errs = append(errs, field.Invalid(field.NewPath("spec", "router", "route", "http", "spec", "useDefaultGateways"), string(rt.Spec.UseDefaultGateways),
			"router.authentication with Istio attaches its policies to the route's Gateways, and the route names none; name them in parentRefs or spec.router.gateway"))
	}
	return out, errs
}

// parentPath is where parent i of the managed route comes from, for
// messages: the route spec's parentRefs, spec.router.gateway.refs, or the
// platform's Gateway.
func (b *builder) parentPath(i int) *field.Path {
	r := b.svc.Spec.Router
	if h := r.Route.HTTP; h != nil && h.Spec != nil && len(h.Spec.ParentRefs) > 0 {
		return field.NewPath("spec", "router", "route", "http", "spec", "parentRefs").Index(i)
	}
	if g := r.Gateway; g != nil && len(g.Refs) > 0 {
		return field.NewPath("spec", "router", "gateway", "refs").Index(i)
	}
	return field.NewPath("spec", "router", "gateway")
}

// istioOperations are the requests of the route as Istio operations: its
// hostnames (with and without a port, as the Host header may carry one)
// and the paths its rules match. A regular expression has no Istio form,
// so it is refused rather than widened to every path.
func (b *builder) istioOperations(rt *gatewayv1.HTTPRoute) ([]*istiosecurity.Rule_To, field.ErrorList) {
	var errs field.ErrorList
	var paths []string
	for i, r := range rt.Spec.Rules {
		if len(r.Matches) == 0 {
			paths = append(paths, "/*")
		}
		for j, m := range r.Matches {
			p, err := istioPaths(m.Path)
			if err != "" {
				errs = append(errs, field.Invalid(field.NewPath("spec", "router", "route", "http", "spec", "rules").Index(i).Child("matches").Index(j).Child("path"),
					ptr.Deref(m.Path.Value, ""), err))
			}
			paths = append(paths, p...)
		}
	}
	var hosts []string
	for _, h := range rt.Spec.Hostnames {
		hosts = append(hosts, string(h))
		// Istio matches a host either by prefix or by suffix, so a
		// wildcard hostname cannot also take a port.
		if !strings.HasPrefix(string(h), "*") {
			hosts = append(hosts, string(h)+":*")
		}
	}
	slices.Sort(paths)
	slices.Sort(hosts)
	op := &istiosecurity.Operation{Paths: uncovered(slices.Compact(paths)), Hosts: slices.Compact(hosts)}
	return []*istiosecurity.Rule_To{{Operation: op}}, errs
}

// uncovered is paths, sorted, without those a prefix path among them
// (/a/*) already matches: the route's inference endpoints lie under its
// prefixes, and the policy says each path once.
func uncovered(paths []string) []string {
	var prefixes []string
	for _, p := range paths {
		if strings.HasSuffix(p, "*") {
			prefixes = append(prefixes, strings.TrimSuffix(p, "*"))
		}
	}
	return slices.DeleteFunc(paths, func(p string) bool {
		return slices.ContainsFunc(prefixes, func(pre string) bool { return p != pre+"*" && strings.HasPrefix(p, pre) })
	})
}

// istioPaths are the Istio paths a Gateway API path match matches, or a
// message when it has no Istio form. Gateway API's prefix matches whole
// path segments: /a matches /a and /a/b, not /ab.
func istioPaths(m *gatewayv1.HTTPPathMatch) ([]string, string) {
	if m == nil {
		return []string{"/*"}, ""
	}
	v := ptr.Deref(m.Value, "/")
	switch ptr.Deref(m.Type, gatewayv1.PathMatchPathPrefix) {
	case gatewayv1.PathMatchExact:
		return []string{v}, ""
	case gatewayv1.PathMatchPathPrefix:
		v = strings.TrimSuffix(v, "/")
		if v == "" {
			return []string{"/*"}, ""
		}
		return []string{v, v + "/*"}, ""
	default:
		return nil, "router.authentication with Istio scopes its policy to the route's paths, and Istio cannot match a regular expression; use PathPrefix or Exact matches"
	}
}
