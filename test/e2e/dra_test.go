//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	resourceClaimTemplateGVK = schema.GroupVersionKind{Group: "resource.k8s.io", Version: "v1", Kind: "ResourceClaimTemplate"}
	podMonitorGVK            = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "PodMonitor"}
	secretGVK                = schema.GroupVersionKind{Version: "v1", Kind: "Secret"}
)

// draAnnotationSelector is the managed DRA example's CEL selector
// annotation.
const draAnnotationSelector = "serving.kserve.io/exp-dra-cel-selector"

// draTemplate returns the ResourceClaimTemplate among what an XR composes,
// and its composition resource name (managed-dra-<digest of its spec>).
func draTemplate(t *testing.T, objs map[string]*unstructured.Unstructured) (string, *unstructured.Unstructured) {
	t.Helper()
	for res, o := range objs {
		if strings.HasPrefix(res, "managed-dra-") && o.GroupVersionKind() == resourceClaimTemplateGVK {
			return res, o
		}
	}
	t.Fatalf("no ResourceClaimTemplate among %d composed objects", len(objs))
	return "", nil
}

// claimedTemplates are the ResourceClaimTemplates a Deployment's pods
// claim from, and whether its vLLM container uses the managed claim.
func claimedTemplates(d *unstructured.Unstructured) ([]string, bool) {
	claims, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "resourceClaims")
	var out []string
	for _, c := range claims {
		m, _ := c.(map[string]any)
		out = append(out, fmt.Sprint(m["resourceClaimTemplateName"]))
	}
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, c := range containers {
		m, _ := c.(map[string]any)
		if m["name"] != "main" {
			continue
		}
		used, _, _ := unstructured.NestedSlice(m, "resources", "claims")
		for _, u := range used {
			if um, _ := u.(map[string]any); um["name"] == "managed-device" {
				return out, true
			}
		}
	}
	return out, false
}

// testManagedDRA applies the managed DRA example: the API server accepts
// its ResourceClaimTemplate and the Deployments whose pods claim from it.
// A changed annotation makes a new template, since the API server refuses
// any change to a template's spec: the pods move to it and Crossplane
// deletes the old one.
func (e *env) testManagedDRA(t *testing.T) {
	ctx := context.Background()
	xr := e.exampleXR(t, "managed-dra")
	e.ensureNamespace(t, xr.GetNamespace())
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"workload-deployment": deploymentGVK,
		"prefill-deployment":  deploymentGVK,
	})
	oldRes, old := draTemplate(t, objs)
	for _, d := range []string{"workload-deployment", "prefill-deployment"} {
		names, vllm := claimedTemplates(objs[d])
		if len(names) != 1 || names[0] != old.GetName() || !vllm {
			t.Errorf("%s %s claims from %v (vLLM's container uses the claim: %t), want %s used by vLLM", d, objs[d].GetName(), names, vllm, old.GetName())
		}
	}

	ann := xr.GetAnnotations()
	first, _, _ := strings.Cut(ann[draAnnotationSelector], "\n")
	ann[draAnnotationSelector] = first
	xr.SetAnnotations(ann)
	if _, err := e.apply(ctx, xr); err != nil {
		t.Fatal(err)
	}
	e.eventually(t, 3*time.Minute, "a new ResourceClaimTemplate for the changed selector, claimed by the Deployment, and the old one deleted", func(ctx context.Context) (bool, string, error) {
		objs := e.waitListed(t, xr, nil)
		res, tmpl := draTemplate(t, objs)
		if res == oldRes {
			return false, "still " + res, nil
		}
		gone, err := e.get(ctx, resourceClaimTemplateGVK, old.GetNamespace(), old.GetName())
		if err != nil {
			return false, "", err
		}
		names, _ := claimedTemplates(objs["workload-deployment"])
		sel, _, _ := unstructured.NestedSlice(tmpl.Object, "spec", "spec", "devices", "requests")
		state := fmt.Sprintf("template %s (requests %v), old %s exists: %t, Deployment claims %v", tmpl.GetName(), sel, old.GetName(), gone != nil, names)
		return gone == nil && len(names) == 1 && names[0] == tmpl.GetName(), state, nil
	})
}

// testPodMonitors applies the monitoring example, whose Composition
// switches PodMonitors on: the API server accepts them with
// prometheus-operator's CRD, and the token controller fills the picker
// ServiceAccount's token into the Secret the picker's PodMonitor
// authenticates with (metricsAuth TokenReview), so the Secret names a
// ServiceAccount that exists.
func (e *env) testPodMonitors(t *testing.T) {
	xr := e.exampleXR(t, "monitoring")
	e.ensureNamespace(t, xr.GetNamespace())
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"workload-podmonitor":     podMonitorGVK,
		"prefill-podmonitor":      podMonitorGVK,
		"scheduler-podmonitor":    podMonitorGVK,
		"scheduler-metrics-token": secretGVK,
	})
	secret := objs["scheduler-metrics-token"]
	e.eventually(t, 2*time.Minute, "the picker's metrics token", func(ctx context.Context) (bool, string, error) {
		s, err := e.get(ctx, secretGVK, secret.GetNamespace(), secret.GetName())
		if err != nil || s == nil {
			return false, "not there (the token controller deletes a token Secret whose ServiceAccount does not exist yet; Crossplane makes it again)", err
		}
		tok, _, _ := unstructured.NestedString(s.Object, "data", "token")
		return tok != "", fmt.Sprintf("Secret %s for ServiceAccount %s, token set: %t", s.GetName(), s.GetAnnotations()["kubernetes.io/service-account.name"], tok != ""), nil
	})
}
