//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/test/validate"
)

// Crossplane runs as the service account its Helm chart creates, with the
// permissions the chart gives it: a ClusterRole that aggregates every
// ClusterRole labelled rbac.crossplane.io/aggregate-to-crossplane. Those are
// the chart's own system rules, the roles Crossplane's RBAC manager makes
// for each XRD, and example/rbac.yaml. So the scenarios also prove that
// example/rbac.yaml grants what composing an LLMInferenceService needs,
// including the endpoint picker's Role, which Kubernetes lets Crossplane
// create only if Crossplane holds every permission it grants.
const (
	crossplaneSA   = "crossplane"
	crossplaneUser = "system:serviceaccount:" + crossplaneNS + ":" + crossplaneSA
)

// chartRBACTemplates are the templates of Crossplane's Helm chart that make
// Crossplane's ClusterRole and bind it to its service account.
var chartRBACTemplates = []string{"clusterrole.yaml", "clusterrolebinding.yaml"}

// crossplaneRBAC renders the chart's RBAC templates from the pinned
// Crossplane module with the chart's default values, for a release in
// crossplane-system. There is no Helm here; these templates use only a few
// of its features, stubbed below. missingkey=error makes a template that
// starts using another value fail loudly rather than render wrong.
func crossplaneRBAC(ctx context.Context) ([]*unstructured.Unstructured, error) {
	mod := validate.CrossplaneModule + "@" + validate.CrossplaneVersion
	dirs, err := moduleDirs(ctx, []string{mod})
	if err != nil {
		return nil, err
	}
	chart := filepath.Join(dirs[mod], "cluster", "charts", "crossplane", "templates")
	values := map[string]any{
		"Values": map[string]any{
			"rbacManager":    map[string]any{"deploy": true},
			"serviceAccount": map[string]any{"create": true},
		},
		"Release": map[string]any{"Namespace": crossplaneNS},
	}
	funcs := template.FuncMap{
		// The chart includes only its common labels, which RBAC doesn't
		// depend on.
		"include": func(string, any) string { return "" },
		"indent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
	}
	var out []*unstructured.Unstructured
	for _, name := range chartRBACTemplates {
		src, err := os.ReadFile(filepath.Join(chart, name)) //nolint:gosec // the chart in the module cache.
		if err != nil {
			return nil, err
		}
		t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(`{{ define "crossplane.name" }}crossplane{{ end }}`)
		if err == nil {
			t, err = t.Parse(string(src))
		}
		if err != nil {
			return nil, fmt.Errorf("chart template %s: %w", name, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, values); err != nil {
			return nil, fmt.Errorf("chart template %s: %w", name, err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(&buf, 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("chart template %s rendered invalid YAML: %w", name, err)
			}
			if len(u.Object) > 0 {
				out = append(out, u)
			}
		}
	}
	if len(out) < 3 {
		return nil, fmt.Errorf("the chart's RBAC templates rendered %d objects; want the ClusterRole, its system rules and the binding", len(out))
	}
	return out, nil
}

// serviceAccountToken returns a token for the service account, issued by the
// API server's TokenRequest API as for a pod.
func (c *cluster) serviceAccountToken(ctx context.Context, namespace, name string) (string, error) {
	sa := &unstructured.Unstructured{}
	sa.SetGroupVersionKind(schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"})
	sa.SetNamespace(namespace)
	sa.SetName(name)
	if _, err := c.apply(ctx, sa); err != nil {
		return "", err
	}
	return c.requestToken(ctx, namespace, name)
}

// requestToken returns a token for an existing service account, issued by
// the API server's TokenRequest API as the kubelet requests one for a pod's
// projected service account token.
func (c *cluster) requestToken(ctx context.Context, namespace, name string) (string, error) {
	req := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "authentication.k8s.io/v1",
		"kind":       "TokenRequest",
		// Longer than the test's own timeout.
		"metadata": map[string]any{"name": name},
		"spec":     map[string]any{"expirationSeconds": int64(2 * 60 * 60)},
	}}
	rsp, err := c.dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}).Namespace(namespace).
		Create(ctx, req, metav1.CreateOptions{}, "token")
	if err != nil {
		return "", fmt.Errorf("cannot request a token for service account %s: %w", key(namespace, name), err)
	}
	token, _, _ := unstructured.NestedString(rsp.Object, "status", "token")
	if token == "" {
		return "", fmt.Errorf("the API server issued no token for service account %s", key(namespace, name))
	}
	return token, nil
}

// crossplaneCan asks the API server whether Crossplane's service account may
// verb the resource of group, in any namespace.
func (c *cluster) crossplaneCan(ctx context.Context, verb, group, resource string) (bool, error) {
	sar := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "authorization.k8s.io/v1",
		"kind":       "SubjectAccessReview",
		"spec": map[string]any{
			"user":   crossplaneUser,
			"groups": []any{"system:serviceaccounts", "system:serviceaccounts:" + crossplaneNS, "system:authenticated"},
			"resourceAttributes": map[string]any{
				"verb": verb, "group": group, "resource": resource,
			},
		},
	}}
	rsp, err := c.dyn.Resource(schema.GroupVersionResource{Group: "authorization.k8s.io", Version: "v1", Resource: "subjectaccessreviews"}).
		Create(ctx, sar, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	allowed, _, _ := unstructured.NestedBool(rsp.Object, "status", "allowed")
	return allowed, nil
}
