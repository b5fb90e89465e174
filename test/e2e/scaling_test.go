//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
)

// The autoscalers spec.scaling composes.
var (
	hpaGVK          = schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}
	scaledObjectGVK = schema.GroupVersionKind{Group: "keda.sh", Version: "v1alpha1", Kind: "ScaledObject"}
)

// hpaManager is the field manager the test writes replicas as, standing
// for the HPA controller (or KEDA's), which writes them through the scale
// subresource.
const hpaManager = "e2e-horizontal-pod-autoscaler"

// touchAnnotation is propagated onto the model-server pods (the kueue.x-k8s.io
// prefix), so its value on the Deployment's pod template proves the
// function composed, and Crossplane applied, after it changed.
const touchAnnotation = "kueue.x-k8s.io/e2e-touch"

// testAutoscaling proves that the autoscaler owns the replicas on a real
// control plane: the HPAs (autoscaling/v2) and the ScaledObject (KEDA's
// CRD) are accepted, the Deployment Crossplane applies has no replicas of
// its own, and a replica count another field manager writes through the
// scale subresource, as the HPA controller does, survives the function's
// next reconcile, as does one another manager applies, which then remains
// the only owner of spec.replicas. (kube-apiserver v1.34.2 was seen to record no
// managed fields entry for a write through the scale subresource to a
// count no manager owned: the count survives, its owner is not shown.)
func (e *env) testAutoscaling(t *testing.T) {
	ctx := context.Background()
	keda := e.applyAndWaitListed(t, e.exampleXR(t, "autoscaling-keda"), map[string]schema.GroupVersionKind{
		"workload-deployment":   deploymentGVK,
		"workload-scaledobject": scaledObjectGVK,
	})
	if got := keda["workload-scaledobject"].GetName(); got != "llama-keda-workload-keda" {
		t.Errorf("the ScaledObject is %s, want llama-keda-workload-keda", got)
	}

	xr := e.exampleXR(t, "autoscaling-hpa")
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"workload-deployment": deploymentGVK,
		"prefill-deployment":  deploymentGVK,
		"workload-hpa":        hpaGVK,
		"prefill-hpa":         hpaGVK,
	})
	d := objs["workload-deployment"]
	ns, name := d.GetNamespace(), d.GetName()
	if owners := replicasOwners(t, d.GetManagedFields()); len(owners) > 0 {
		t.Errorf("Deployment %s: spec.replicas is owned by %v as applied, want no owner: the function must not send replicas", key(ns, name), owners)
	}

	// The HPA controller's write, through the scale subresource: the
	// count must survive the function's next reconcile.
	const scaled = 5
	scale := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: scaled}}
	if _, err := e.kube.AppsV1().Deployments(ns).UpdateScale(ctx, name, scale, metav1.UpdateOptions{FieldManager: hpaManager}); err != nil {
		t.Fatalf("cannot scale Deployment %s: %v", key(ns, name), err)
	}
	got := e.touchAndWaitApplied(t, xr, ns, name)
	if r := replicasOf(got); r != scaled {
		t.Errorf("Deployment %s after the reconcile: spec.replicas is %d, want the %d written through the scale subresource; managed fields %s", key(ns, name), r, scaled, managers(got.GetManagedFields()))
	}
	for _, o := range replicasOwners(t, got.GetManagedFields()) {
		if o != hpaManager+"/scale" {
			t.Errorf("Deployment %s after the reconcile: spec.replicas is owned by %s, want by no one but the autoscaler", key(ns, name), o)
		}
	}

	// The same with server-side apply by the autoscaler's own manager,
	// which records its ownership of spec.replicas in managedFields: after
	// the function's next reconcile it must still be the only owner.
	const applied = 7
	cfg := appsv1ac.Deployment(name, ns).WithSpec(appsv1ac.DeploymentSpec().WithReplicas(applied))
	if _, err := e.kube.AppsV1().Deployments(ns).Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: hpaManager, Force: true}); err != nil {
		t.Fatalf("cannot apply replicas to Deployment %s: %v", key(ns, name), err)
	}
	got = e.touchAndWaitApplied(t, xr, ns, name)
	if r, owners := replicasOf(got), replicasOwners(t, got.GetManagedFields()); r != applied || !slices.Equal(owners, []string{hpaManager}) {
		t.Errorf("Deployment %s after the reconcile: %d replicas owned by %v, want %d owned by %s only; managed fields %s",
			key(ns, name), r, owners, applied, hpaManager, managers(got.GetManagedFields()))
	}
}

// touchAndWaitApplied changes an annotation of the XR that the function
// propagates onto the model-server pods, so that it composes again, and
// waits until Crossplane has applied the Deployment ns/name it composes now.
func (e *env) touchAndWaitApplied(t *testing.T, xr *unstructured.Unstructured, ns, name string) *unstructured.Unstructured {
	t.Helper()
	touched := xr.DeepCopy()
	ann := touched.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	stamp := fmt.Sprint(time.Now().UnixNano())
	ann[touchAnnotation] = stamp
	touched.SetAnnotations(ann)
	if _, err := e.apply(context.Background(), touched); err != nil {
		t.Fatal(err)
	}
	var out *unstructured.Unstructured
	e.eventually(t, 2*time.Minute, "the Deployment re-applied after the XR changed", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, deploymentGVK, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		v, _, _ := unstructured.NestedString(got.Object, "spec", "template", "metadata", "annotations", touchAnnotation)
		out = got
		return v == stamp, fmt.Sprintf("pod template annotation %s: %q, want %q; spec.replicas: %d; managed fields %s", touchAnnotation, v, stamp, replicasOf(got), managers(got.GetManagedFields())), nil
	})
	return out
}

func replicasOf(d *unstructured.Unstructured) int64 {
	r, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
	return r
}

// replicasOwners are the field managers (with their subresource) that own
// spec.replicas, sorted.
func replicasOwners(t *testing.T, mfs []metav1.ManagedFieldsEntry) []string {
	t.Helper()
	var owners []string
	for _, mf := range mfs {
		if mf.FieldsV1 == nil {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(mf.FieldsV1.GetRawBytes(), &fields); err != nil {
			t.Fatalf("managed fields of %s: %v", mf.Manager, err)
		}
		s, _ := fields["f:spec"].(map[string]any)
		if _, ok := s["f:replicas"]; ok {
			owners = append(owners, strings.TrimSuffix(mf.Manager+"/"+mf.Subresource, "/"))
		}
	}
	slices.Sort(owners)
	return owners
}

// managers describes managed fields entries, for messages.
func managers(mfs []metav1.ManagedFieldsEntry) string {
	var out []string
	for _, mf := range mfs {
		raw := ""
		if mf.FieldsV1 != nil {
			raw = mf.FieldsV1.GetRawString()
			if len(raw) > 200 {
				raw = raw[:200] + "…"
			}
		}
		out = append(out, fmt.Sprintf("{%s %s %s %s}", mf.Manager, mf.Operation, mf.Subresource, raw))
	}
	return strings.Join(out, " ")
}
