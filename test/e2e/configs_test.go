//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// serviceConfigGVK is KServe's LLMInferenceServiceConfig at its storage
// version.
var serviceConfigGVK = schema.GroupVersionKind{Group: "serving.kserve.io", Version: "v1alpha2", Kind: "LLMInferenceServiceConfig"}

// systemNamespace is the platform's namespace the default Composition's
// Function input leaves at its default, KServe's.
const systemNamespace = "kserve"

// exampleCRDs are the CRDs of example/ the API server needs beside those of
// the kinds the function composes: the LLMInferenceServiceConfig's, which
// cmd/config-crd-gen generates. Crossplane reads configs for every XR that
// names a base configuration the Function input does not publish, so
// without it those XRs could not be composed.
func exampleCRDs(root string) ([]*unstructured.Unstructured, error) {
	return readObjects(filepath.Join(root, "example", "llminferenceserviceconfig-crd.yaml"))
}

// testServiceConfig composes an XR from an LLMInferenceServiceConfig on the
// real control plane: Crossplane, with the permissions example/rbac.yaml
// gives it, reads the platform's config from the platform's namespace (one
// written at v1alpha1, read at v1alpha2), and the function composes with
// it, a Go template in a quantity included, which the CRD accepts as
// KServe's does. A config of the same name in the XR's namespace then
// shadows the platform's, on the next reconcile, as in KServe.
func (e *env) testServiceConfig(t *testing.T) {
	ctx := context.Background()
	e.waitCrossplaneCan(t, "get", serviceConfigGVK.Group, "llminferenceserviceconfigs")
	const (
		ns     = "service-configs"
		name   = "configured"
		config = "e2e-gpu"
	)
	for _, n := range []string{systemNamespace, ns} {
		o := &unstructured.Unstructured{}
		o.SetGroupVersionKind(namespaceGVK)
		o.SetName(n)
		if _, err := e.apply(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	platform := serviceConfigObject("v1alpha1", systemNamespace, config, "platform-gpu")
	team := serviceConfigObject("v1alpha2", ns, config, "team-gpu")
	for _, c := range []*unstructured.Unstructured{platform, team} {
		t.Cleanup(func() {
			if err := e.remove(context.Background(), serviceConfigGVK, c.GetNamespace(), c.GetName()); err != nil {
				t.Errorf("cannot delete LLMInferenceServiceConfig %s: %v", key(c.GetNamespace(), c.GetName()), err)
			}
		})
	}
	if _, err := e.apply(ctx, platform); err != nil {
		t.Fatalf("the API server refused an LLMInferenceServiceConfig with a Go template in a quantity: %v", err)
	}

	xr := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"baseRefs": []any{map[string]any{"name": config}},
		"model":    map[string]any{"uri": "hf://Qwen/Qwen3-0.6B", "name": "Qwen/Qwen3-0.6B"},
		// Another scenario adds a second Composition for the kind.
		"crossplane": map[string]any{"compositionRef": map[string]any{"name": defaultComposition}},
	}}}
	xr.SetGroupVersionKind(xrGVK)
	xr.SetNamespace(ns)
	xr.SetName(name)
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{"workload-deployment": deploymentGVK})
	d := objs["workload-deployment"]
	if got := priorityClass(d); got != "platform-gpu" {
		t.Errorf("Deployment %s has priorityClassName %q, want the platform config's platform-gpu", d.GetName(), got)
	}
	// The config's template, "{{ .Spec.Parallelism.Tensor }}", rendered
	// against the merged spec: the config's own tensor parallelism.
	if got := mainGPUs(d); got != "2" {
		t.Errorf("Deployment %s asks for %q GPUs, want the rendered template's 2", d.GetName(), got)
	}
	got, err := e.get(ctx, xrGVK, ns, name)
	if err != nil || got == nil {
		t.Fatalf("XR %s: %v", key(ns, name), err)
	}
	layers, _, _ := unstructured.NestedSlice(got.Object, "status", "configurations")
	if !slices.ContainsFunc(layers, func(l any) bool {
		m, _ := l.(map[string]any)
		return m["name"] == config && m["source"] == "LLMInferenceServiceConfig"
	}) {
		t.Errorf("status.configurations %v does not list the LLMInferenceServiceConfig %s", layers, config)
	}

	// The team's config of the same name, in the XR's namespace, shadows
	// the platform's. Crossplane reads required resources again on every
	// reconcile, at the latest after its poll interval.
	if _, err := e.apply(ctx, team); err != nil {
		t.Fatal(err)
	}
	deployment := d.GetName()
	e.eventually(t, 2*time.Minute, fmt.Sprintf("the Deployment of %s composed from the config in its namespace", key(ns, name)), func(ctx context.Context) (bool, string, error) {
		d, err := e.get(ctx, deploymentGVK, ns, deployment)
		if err != nil || d == nil {
			return false, "no Deployment " + key(ns, deployment), err
		}
		pc := priorityClass(d)
		return pc == "team-gpu", "priorityClassName " + pc, nil
	})
}

// serviceConfigObject is an LLMInferenceServiceConfig at version that
// runs the model server on tensor parallel GPUs of a priority class; the
// GPU count is a Go template.
func serviceConfigObject(version, ns, name, priorityClass string) *unstructured.Unstructured {
	c := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"parallelism": map[string]any{"tensor": int64(2)},
		"template": map[string]any{
			"priorityClassName": priorityClass,
			"containers": []any{map[string]any{
				"name":      "main",
				"resources": map[string]any{"limits": map[string]any{"nvidia.com/gpu": "{{ .Spec.Parallelism.Tensor }}"}},
			}},
		},
	}}}
	gvk := serviceConfigGVK
	gvk.Version = version
	c.SetGroupVersionKind(gvk)
	c.SetNamespace(ns)
	c.SetName(name)
	return c
}

// priorityClass is the priority class of a Deployment's pods.
func priorityClass(d *unstructured.Unstructured) string {
	pc, _, _ := unstructured.NestedString(d.Object, "spec", "template", "spec", "priorityClassName")
	return pc
}

// mainGPUs is the GPU limit of a Deployment's model server.
func mainGPUs(d *unstructured.Unstructured) string {
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, c := range cs {
		m, _ := c.(map[string]any)
		if m["name"] != "main" {
			continue
		}
		gpus, _, _ := unstructured.NestedString(m, "resources", "limits", "nvidia.com/gpu")
		return strings.TrimSpace(gpus)
	}
	return ""
}
