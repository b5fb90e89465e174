//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	requestAuthenticationGVK = schema.GroupVersionKind{Group: "security.istio.io", Version: "v1", Kind: "RequestAuthentication"}
	authorizationPolicyGVK   = schema.GroupVersionKind{Group: "security.istio.io", Version: "v1", Kind: "AuthorizationPolicy"}
	securityPolicyGVK        = schema.GroupVersionKind{Group: "gateway.envoyproxy.io", Version: "v1alpha1", Kind: "SecurityPolicy"}
)

// testRouteAuthentication composes the route authentication examples on
// the real API server, with Istio's and Envoy Gateway's own CRDs (schema
// and CEL rules): the policies are accepted as composed and point at the
// objects composed beside them. A service that opts out with the
// annotation loses its policies, and Crossplane deletes them.
func (e *env) testRouteAuthentication(t *testing.T) {
	t.Run("Istio", func(t *testing.T) {
		xr := e.exampleXR(t, "auth-istio")
		e.ensureNamespace(t, xr.GetNamespace())
		objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
			"gateway":                     gatewayGVK,
			"route":                       httpRouteGVK,
			"route-requestauthentication": requestAuthenticationGVK,
			"route-authorizationpolicy":   authorizationPolicyGVK,
		})
		gw := objs["gateway"].GetName()
		for _, res := range []string{"route-requestauthentication", "route-authorizationpolicy"} {
			if got := targetNames(objs[res]); !slices.Equal(got, []string{gw}) {
				t.Errorf("%s targets %v, want the composed Gateway %s", res, got, gw)
			}
		}
		ap := objs["route-authorizationpolicy"]
		if a, _, _ := unstructured.NestedString(ap.Object, "spec", "action"); a != "DENY" {
			t.Errorf("AuthorizationPolicy action %q, want DENY", a)
		}
		// Scoped to the paths of the route as the API server holds it
		// (with its schema's defaults).
		rules, _, _ := unstructured.NestedSlice(ap.Object, "spec", "rules")
		if want := istioRoutePaths(objs["route"]); len(rules) != 1 || !slices.Equal(operationValues(rules[0], "paths"), want) {
			t.Errorf("AuthorizationPolicy rules %v do not scope to the route's paths %v", rules, want)
		}

		// Opting out removes both policies.
		ann := xr.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann["security.opendatahub.io/enable-auth"] = "false"
		xr.SetAnnotations(ann)
		if _, err := e.apply(context.Background(), xr); err != nil {
			t.Fatal(err)
		}
		for res, gvk := range map[string]schema.GroupVersionKind{"route-requestauthentication": requestAuthenticationGVK, "route-authorizationpolicy": authorizationPolicyGVK} {
			o := objs[res]
			e.eventually(t, 2*time.Minute, fmt.Sprintf("%s %s deleted after opting out", gvk.Kind, key(o.GetNamespace(), o.GetName())), func(ctx context.Context) (bool, string, error) {
				got, err := e.get(ctx, gvk, o.GetNamespace(), o.GetName())
				return got == nil, describe(got), err
			})
		}
	})
	t.Run("EnvoyGateway", func(t *testing.T) {
		xr := e.exampleXR(t, "auth-envoy-gateway")
		e.ensureNamespace(t, xr.GetNamespace())
		objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
			"route":                httpRouteGVK,
			"route-securitypolicy": securityPolicyGVK,
		})
		sp := objs["route-securitypolicy"]
		if got, want := targetNames(sp), []string{objs["route"].GetName()}; !slices.Equal(got, want) {
			t.Errorf("SecurityPolicy targets %v, want the composed HTTPRoute %v", got, want)
		}
		refs, _, _ := unstructured.NestedSlice(sp.Object, "spec", "apiKeyAuth", "credentialRefs")
		var names []string
		for _, r := range refs {
			m, _ := r.(map[string]any)
			n, _ := m["name"].(string)
			names = append(names, n)
		}
		if !slices.Equal(names, []string{"llm-api-keys"}) {
			t.Errorf("SecurityPolicy reads API keys from Secrets %v, want [llm-api-keys]", names)
		}
	})
}

// targetNames are the names in a policy's spec.targetRefs.
func targetNames(o *unstructured.Unstructured) []string {
	refs, _, _ := unstructured.NestedSlice(o.Object, "spec", "targetRefs")
	var out []string
	for _, r := range refs {
		m, _ := r.(map[string]any)
		n, _ := m["name"].(string)
		out = append(out, n)
	}
	return out
}

// operationValues are the values of field (paths, hosts) in the "to"
// operations of an AuthorizationPolicy rule.
func operationValues(rule any, field string) []string {
	r, _ := rule.(map[string]any)
	to, _ := r["to"].([]any)
	var out []string
	for _, t := range to {
		m, _ := t.(map[string]any)
		op, _ := m["operation"].(map[string]any)
		vs, _ := op[field].([]any)
		for _, v := range vs {
			s, _ := v.(string)
			out = append(out, s)
		}
	}
	return out
}

// istioRoutePaths are the Istio paths of an HTTPRoute's PathPrefix
// matches, sorted: /a as /a and /a/*, / as /*; a match under another
// (/a/v1/completions under /a) is already matched by its /a/*.
func istioRoutePaths(route *unstructured.Unstructured) []string {
	rules, _, _ := unstructured.NestedSlice(route.Object, "spec", "rules")
	var prefixes []string
	for _, r := range rules {
		m, _ := r.(map[string]any)
		matches, _ := m["matches"].([]any)
		for _, mt := range matches {
			v, _, _ := unstructured.NestedString(mt.(map[string]any), "path", "value")
			prefixes = append(prefixes, strings.TrimSuffix(v, "/"))
		}
	}
	var out []string
	for _, v := range prefixes {
		if slices.ContainsFunc(prefixes, func(u string) bool { return strings.HasPrefix(v, u+"/") }) {
			continue
		}
		if v == "" {
			out = append(out, "/*")
			continue
		}
		out = append(out, v, v+"/*")
	}
	slices.Sort(out)
	return slices.Compact(out)
}
