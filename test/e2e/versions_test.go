//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/retry"
)

// The XRDs' versions: the referenceable one Crossplane reads and writes
// XRs and claims at, and the other one they serve.
const (
	referenceableVersion = "v1alpha2"
	otherVersion         = "v1alpha1"
)

// defaultComposition is example/composition.yaml's, for v1alpha2 XRs.
const defaultComposition = "llminferenceservices.serving.kserve.io"

// objectiveGVK is llm-d's InferenceObjective, which a model criticality
// composes.
var objectiveGVK = schema.GroupVersionKind{Group: "llm-d.ai", Version: "v1alpha2", Kind: "InferenceObjective"}

// etcdMaxRequestBytes is etcd's default limit on a request, and so on an
// object the API server stores.
const etcdMaxRequestBytes = 1536 * 1024

// testVersions proves that nothing is lost between the XRDs' two versions
// on the real API server, which prunes what the version an object is read
// at does not declare. Crossplane converts nothing: it reads and writes
// every XR and claim at the referenceable version, v1alpha2. A manifest
// written at v1alpha1 with v1alpha1's fields (criticality, the x-k8s.io
// pool shape) and one written at v1alpha2 with v1alpha2's kvCacheOffloading
// must both be accepted, keep every field they set when read at either
// version (after Crossplane has written them at v1alpha2), and compose what
// those fields ask for. The cases wait on Crossplane side by side.
func (e *env) testVersions(t *testing.T) {
	t.Run("XRD sizes", e.testXRDSizes)
	t.Run("v1alpha1 XR read at v1alpha2", func(t *testing.T) {
		t.Parallel()
		e.testV1alpha1XR(t)
	})
	t.Run("v1alpha2 XR read at v1alpha1", func(t *testing.T) {
		t.Parallel()
		e.testV1alpha2XR(t)
	})
	t.Run("v1alpha1 claim", func(t *testing.T) {
		t.Parallel()
		e.testV1alpha1Claim(t)
	})
}

// testXRDSizes checks that the XRDs, and the CRDs Crossplane made for them,
// as the API server holds them (managed fields included), fit in what etcd
// stores: two versions of one schema double their size. The API server
// stores custom resources such as XRDs as JSON; CRDs it stores as protobuf,
// which is smaller than the JSON measured here.
func (e *env) testXRDSizes(t *testing.T) {
	ctx := context.Background()
	for _, f := range []string{"xrd.yaml", "legacy/xrd.yaml"} {
		xrd := readObject(t, filepath.Join(e.root, "example", f))
		got, err := e.get(ctx, xrdGVK, "", xrd.GetName())
		if err != nil || got == nil {
			t.Fatalf("XRD %s: %v", xrd.GetName(), err)
		}
		objs := []*unstructured.Unstructured{got}
		crds := []string{xrd.GetName()}
		if n, ok, _ := unstructured.NestedString(xrd.Object, "spec", "claimNames", "plural"); ok {
			g, _, _ := unstructured.NestedString(xrd.Object, "spec", "group")
			crds = append(crds, n+"."+g)
		}
		for _, name := range crds {
			crd, err := e.get(ctx, crdGVK, "", name)
			if err != nil || crd == nil {
				t.Fatalf("CRD %s: %v", name, err)
			}
			objs = append(objs, crd)
		}
		for _, o := range objs {
			b, err := json.Marshal(o.Object)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s: %d bytes as JSON, managed fields included", o.GetKind(), o.GetName(), len(b))
			if len(b) > etcdMaxRequestBytes {
				t.Errorf("%s %s is %d bytes as JSON, more than etcd's %d", o.GetKind(), o.GetName(), len(b), etcdMaxRequestBytes)
			}
		}
	}
}

// testV1alpha1XR applies example/v1alpha1 as a user would on a cluster:
// at v1alpha1, composed with the default Composition for v1alpha2.
func (e *env) testV1alpha1XR(t *testing.T) {
	ctx := context.Background()
	xr := e.versionsXR(t, "v1alpha1", "llama-support-versions")
	if v := xr.GroupVersionKind().Version; v != otherVersion {
		t.Fatalf("example/v1alpha1 is at %s, want %s", v, otherVersion)
	}
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"scheduler-objective": objectiveGVK,
		"scheduler-pool":      inferencePoolGVK,
	})
	e.assertKept(ctx, t, xr)

	// The fields reached the function through Crossplane's v1alpha2 read:
	// the model's Critical is the objective's priority 1, and the pool
	// spec in the v1alpha1 shape is the v1 pool's.
	if p, _, _ := unstructured.NestedInt64(objs["scheduler-objective"].Object, "spec", "priority"); p != 1 {
		t.Errorf("InferenceObjective priority: want 1 (Critical), got %d", p)
	}
	pool := objs["scheduler-pool"]
	if m, _, _ := unstructured.NestedString(pool.Object, "spec", "endpointPickerRef", "failureMode"); m != "FailClose" {
		t.Errorf("InferencePool endpointPickerRef.failureMode: want FailClose (extensionRef's), got %q", m)
	}
	want := map[string]string{"serving.example.com/pool": "llama-support"}
	if sel, _, _ := unstructured.NestedStringMap(pool.Object, "spec", "selector", "matchLabels"); !cmp.Equal(sel, want) {
		t.Errorf("InferencePool selector.matchLabels: want %v (the flat selector's), got %v", want, sel)
	}
}

// testV1alpha2XR applies example/kv-cache-offloading at v1alpha2, reads it
// at v1alpha1, and updates it through v1alpha1 the way a v1alpha1 client
// does (read, change, write the whole object back): kvCacheOffloading must
// survive both, and the function must compose it.
func (e *env) testV1alpha2XR(t *testing.T) {
	ctx := context.Background()
	xr := e.versionsXR(t, "kv-cache-offloading", "qwen-long-context-versions")
	if v := xr.GroupVersionKind().Version; v != referenceableVersion {
		t.Fatalf("example/kv-cache-offloading is at %s, want %s", v, referenceableVersion)
	}
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{"workload-deployment": deploymentGVK})
	e.assertKept(ctx, t, xr)
	assertOffloading(t, objs["workload-deployment"])

	// A read-modify-write through v1alpha1, again if Crossplane wrote the
	// XR in between.
	at := xr.GroupVersionKind()
	at.Version = otherVersion
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := e.get(ctx, at, xr.GetNamespace(), xr.GetName())
		if err != nil {
			return fmt.Errorf("cannot read it at %s: %w", otherVersion, err)
		}
		if got == nil {
			return fmt.Errorf("not found at %s", otherVersion)
		}
		labels := got.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels["e2e.example.com/written-at"] = otherVersion
		got.SetLabels(labels)
		r, err := e.resource(got)
		if err != nil {
			return err
		}
		_, err = r.Update(ctx, got, metav1.UpdateOptions{FieldManager: "v1alpha1-client"})
		return err
	})
	if err != nil {
		t.Fatalf("cannot update %s through %s: %v", key(xr.GetNamespace(), xr.GetName()), otherVersion, err)
	}
	e.assertKept(ctx, t, xr)

}

// assertOffloading checks the Deployment the API server holds for
// example/kv-cache-offloading: its kvCacheOffloading composed as KServe
// does, vLLM's OffloadingConnector and the emptyDir tier counted in the
// container's ephemeral storage.
func assertOffloading(t *testing.T, d *unstructured.Unstructured) {
	t.Helper()
	var dep appsv1.Deployment
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(d.Object, &dep); err != nil {
		t.Fatalf("the workload Deployment: %v", err)
	}
	pod := dep.Spec.Template.Spec
	i := slices.IndexFunc(pod.Containers, func(c corev1.Container) bool { return c.Name == "main" })
	if i < 0 {
		t.Fatalf("the workload Deployment has no main container")
	}
	main := pod.Containers[i]
	const flag = `{"kv_connector":"OffloadingConnector","kv_connector_extra_config":{"cpu_bytes_to_use":42949672960,"eviction_policy":"lru","secondary_tiers":[{"root_dir":"/mnt/kv-cache-0","type":"fs"}],"spec_name":"TieringOffloadingSpec"},"kv_role":"kv_both"}`
	if j := slices.Index(main.Args, "--kv-transfer-config"); j < 0 || j+1 >= len(main.Args) || main.Args[j+1] != flag {
		t.Errorf("vLLM's args: want --kv-transfer-config %s, got %v", flag, main.Args)
	}
	if q := main.Resources.Requests[corev1.ResourceEphemeralStorage]; q.String() != "200Gi" {
		t.Errorf("ephemeral-storage request: want 200Gi (the emptyDir tier), got %q", q.String())
	}
	v := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == "kv-cache-secondary-0" })
	if v < 0 || pod.Volumes[v].EmptyDir == nil || pod.Volumes[v].EmptyDir.SizeLimit == nil || pod.Volumes[v].EmptyDir.SizeLimit.String() != "200Gi" {
		t.Errorf("volume kv-cache-secondary-0: want an emptyDir of 200Gi, got %v", pod.Volumes)
	}
	if !slices.ContainsFunc(main.VolumeMounts, func(m corev1.VolumeMount) bool {
		return m.Name == "kv-cache-secondary-0" && m.MountPath == "/mnt/kv-cache-0"
	}) {
		t.Errorf("main mounts: want kv-cache-secondary-0 at /mnt/kv-cache-0, got %v", main.VolumeMounts)
	}
}

// testV1alpha1Claim applies the legacy example's claim at v1alpha1 with a
// criticality: Crossplane reads it at v1alpha2 and copies its spec into the
// cluster-scoped XR it makes, which must keep the criticality and compose
// the objective.
func (e *env) testV1alpha1Claim(t *testing.T) {
	ctx := context.Background()
	claim := readObject(t, filepath.Join(e.example(t, "legacy").Dir, "claim.yaml"))
	claim.SetAPIVersion(claimGVK.Group + "/" + otherVersion)
	claim.SetName("qwen-versions")
	if err := unstructured.SetNestedField(claim.Object, "Sheddable", "spec", "model", "criticality"); err != nil {
		t.Fatal(err)
	}
	ns, name := claim.GetNamespace(), claim.GetName()
	e.ensureNamespace(t, ns)
	if _, err := e.apply(ctx, claim); err != nil {
		t.Fatalf("the API server refused a v1alpha1 claim: %v", err)
	}
	t.Cleanup(func() {
		if err := e.remove(context.Background(), claim.GroupVersionKind(), ns, name); err != nil {
			t.Errorf("cannot delete the claim %s: %v", key(ns, name), err)
		}
	})
	var xrName string
	e.eventually(t, 2*time.Minute, "claim "+key(ns, name)+" bound to an XR", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, claimGVK, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		xrName, _, _ = unstructured.NestedString(got.Object, "spec", "resourceRef", "name")
		return xrName != "", describe(got), nil
	})
	xr := &unstructured.Unstructured{}
	xr.SetGroupVersionKind(legacyXRGVK)
	xr.SetName(xrName)
	objs := e.waitListed(t, xr, map[string]schema.GroupVersionKind{"scheduler-objective": objectiveGVK})
	if p, _, _ := unstructured.NestedInt64(objs["scheduler-objective"].Object, "spec", "priority"); p != -1 {
		t.Errorf("InferenceObjective priority: want -1 (Sheddable), got %d", p)
	}
	e.assertKept(ctx, t, claim)
	got, err := e.get(ctx, legacyXRGVK, "", xrName)
	if err != nil || got == nil {
		t.Fatalf("XR %s: %v", xrName, err)
	}
	if c, _, _ := unstructured.NestedString(got.Object, "spec", "model", "criticality"); c != "Sheddable" {
		t.Errorf("XR %s spec.model.criticality: want Sheddable, the v1alpha1 claim's, got %q", xrName, c)
	}
}

// versionsXR is the XR of the example called name, renamed so it does not
// meet the one testEveryExample applies, and composed with the default
// Composition as a cluster composes it whatever version it was written
// at.
func (e *env) versionsXR(t *testing.T, example, name string) *unstructured.Unstructured {
	t.Helper()
	xr := readObject(t, e.example(t, example).XR)
	xr.SetName(name)
	if err := unstructured.SetNestedField(xr.Object, defaultComposition, "spec", "crossplane", "compositionRef", "name"); err != nil {
		t.Fatal(err)
	}
	e.ensureNamespace(t, xr.GetNamespace())
	return xr
}

// assertKept checks that obj as the API server holds it, read at each
// version the XRDs serve, has every spec field the manifest wrote, with the
// value it wrote, and the manifest's labels and annotations.
func (e *env) assertKept(ctx context.Context, t *testing.T, manifest *unstructured.Unstructured) {
	t.Helper()
	want, _, _ := unstructured.NestedMap(manifest.Object, "spec")
	delete(want, "crossplane")
	for _, v := range []string{referenceableVersion, otherVersion} {
		gvk := manifest.GroupVersionKind()
		gvk.Version = v
		got, err := e.get(ctx, gvk, manifest.GetNamespace(), manifest.GetName())
		if err != nil || got == nil {
			t.Fatalf("cannot read %s at %s: %v", key(manifest.GetNamespace(), manifest.GetName()), v, err)
		}
		spec, _, _ := unstructured.NestedMap(got.Object, "spec")
		// Only the fields the manifest set: Crossplane adds its own.
		kept := map[string]any{}
		for k := range want {
			if val, ok := spec[k]; ok {
				kept[k] = val
			}
		}
		// As JSON: numbers decode from a file as float64 and from the
		// API server as int64.
		if diff := cmp.Diff(asJSON(t, want), asJSON(t, kept)); diff != "" {
			t.Errorf("%s %s read at %s lost or changed spec fields written at %s (-written +read):\n%s",
				manifest.GetKind(), key(manifest.GetNamespace(), manifest.GetName()), v, manifest.GroupVersionKind().Version, diff)
		}
		for k, val := range manifest.GetAnnotations() {
			if got.GetAnnotations()[k] != val {
				t.Errorf("%s read at %s lost annotation %s", key(manifest.GetNamespace(), manifest.GetName()), v, k)
			}
		}
	}
}

// ensureNamespace creates namespace ns if it does not exist.
func (e *env) ensureNamespace(t *testing.T, ns string) {
	t.Helper()
	o := &unstructured.Unstructured{}
	o.SetGroupVersionKind(namespaceGVK)
	o.SetName(ns)
	if _, err := e.apply(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}

// asJSON is v as a JSON value, so that values equal as JSON compare equal.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
