//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// assertSeedStatus checks the status the function wrote on the Ready seed
// XR, in KServe's v1alpha2 shape, as the real API server holds it: every
// field survives Crossplane's server-side apply of the XR's status (a field
// the XRD's schema lacked would fail it), and reads the same at v1alpha1,
// whose schema is the same. It waits, since Crossplane writes the status
// of the call that saw the controllers' reports a little after the XR
// turned Ready.
func (e *env) assertSeedStatus(t *testing.T, xr *unstructured.Unstructured) {
	t.Helper()
	ns, name := xr.GetNamespace(), xr.GetName()
	model, _, _ := unstructured.NestedString(xr.Object, "spec", "model", "name")
	// With model-based routing vLLM answers to the model's qualified name
	// too, and the address the model name header reaches lists that one
	// only; the composed route's three families of paths are three
	// addresses, sorted by URL, and the URL is the service's own path.
	qualified := "publishers/" + ns + "/models/" + model
	models := []any{map[string]any{"name": model}, map[string]any{"name": qualified}}
	gateway := map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": name + "-gateway", "namespace": ns}
	want := map[string]any{
		"url": "http://" + gatewayAddress + "/" + ns + "/" + name,
		"addresses": []any{
			map[string]any{"name": "gateway-external-model-routing", "url": "http://" + gatewayAddress + "/", "origin": gateway, "models": []any{map[string]any{"name": qualified}}},
			map[string]any{"name": "gateway-external", "url": "http://" + gatewayAddress + "/" + ns + "/" + name, "origin": gateway, "models": models},
			map[string]any{"name": "gateway-external", "url": "http://" + gatewayAddress + "/" + qualified, "origin": gateway, "models": models},
			map[string]any{
				"name": "workload", "url": "http://" + name + "-workload." + ns + ".svc.cluster.local:8000",
				"origin": map[string]any{"group": "", "kind": "Service", "name": name + "-workload", "namespace": ns}, "models": models,
			},
		},
		"router": map[string]any{
			"gateways": []any{map[string]any{
				"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": name + "-gateway", "namespace": ns,
				"httpRoutes": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": name + "-route", "namespace": ns}},
			}},
			"scheduler": map[string]any{
				"inferencePool": map[string]any{"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": name + "-inference-pool", "namespace": ns},
				"service":       map[string]any{"group": "", "kind": "Service", "name": name + "-epp", "namespace": ns},
			},
		},
		// The seed runs 3 replicas; the picker 1. The test's Deployment
		// "controller" reports every replica available.
		"workloads": map[string]any{
			"primary":   map[string]any{"apiGroup": "apps", "kind": "Deployment", "name": name + "-workload", "readyReplicas": 3},
			"service":   map[string]any{"kind": "Service", "name": name + "-workload"},
			"scheduler": map[string]any{"apiGroup": "apps", "kind": "Deployment", "name": name + "-epp", "readyReplicas": 1},
		},
		"appliedConfigs": []any{
			map[string]any{"name": "single-node", "source": "Preset"},
			map[string]any{"name": "scheduler", "source": "Preset"},
			map[string]any{"name": "function-input", "source": "Preset"},
		},
	}
	e.eventually(t, time.Minute, "the seed XR's status in KServe's v1alpha2 shape at both versions", func(ctx context.Context) (bool, string, error) {
		var problems []string
		for _, v := range []string{referenceableVersion, otherVersion} {
			gvk := xrGVK
			gvk.Version = v
			got, err := e.get(ctx, gvk, ns, name)
			if err != nil || got == nil {
				return false, describe(got), err
			}
			status, _, _ := unstructured.NestedMap(got.Object, "status")
			part := map[string]any{}
			for k := range want {
				if val, ok := status[k]; ok {
					part[k] = val
				}
			}
			if diff := cmp.Diff(asJSON(t, want), asJSON(t, part)); diff != "" {
				problems = append(problems, fmt.Sprintf("read at %s (-want +got):\n%s", v, diff))
			}
		}
		return len(problems) == 0, strings.Join(problems, "\n"), nil
	})
}

// testPrinterColumns checks the columns kubectl shows for the XRs and the
// claim, in the CRDs Crossplane derived from the XRDs: KServe's (URL,
// Ready, Reason, Age, and URLs at priority 1) first, then Crossplane's own,
// at every version.
func (e *env) testPrinterColumns(t *testing.T) {
	ctx := context.Background()
	kserve := []string{"URL", "Ready", "Reason", "Age", "URLs:1"}
	cases := map[string][]string{
		"llminferenceservices.serving.kserve.io":    append(slices.Clone(kserve), "SYNCED", "READY", "COMPOSITION", "COMPOSITIONREVISION:1", "AGE"),
		"xllminferenceservices.serving.example.org": append(slices.Clone(kserve), "SYNCED", "READY", "COMPOSITION", "COMPOSITIONREVISION:1", "AGE"),
		"llminferenceservices.serving.example.org":  append(slices.Clone(kserve), "SYNCED", "READY", "CONNECTION-SECRET", "AGE"),
	}
	for crdName, want := range cases {
		crd, err := e.get(ctx, crdGVK, "", crdName)
		if err != nil || crd == nil {
			t.Fatalf("CRD %s: %v", crdName, err)
		}
		versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
		if len(versions) != 2 {
			t.Errorf("CRD %s: want 2 versions, got %d", crdName, len(versions))
		}
		for _, v := range versions {
			vm, _ := v.(map[string]any)
			cols, _, _ := unstructured.NestedSlice(vm, "additionalPrinterColumns")
			var got []string
			for _, c := range cols {
				cm, _ := c.(map[string]any)
				col := fmt.Sprint(cm["name"])
				if p, ok := cm["priority"]; ok && fmt.Sprint(p) != "0" {
					col += ":" + fmt.Sprint(p)
				}
				got = append(got, col)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CRD %s version %v printer columns (name:priority), -want +got:\n%s", crdName, vm["name"], diff)
			}
		}
	}
}
