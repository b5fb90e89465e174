//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// testPodSecurity shows on the real API server that the function's pod
// security guardrail refuses what Pod Security admission would refuse,
// and composes what the platform allows. example/rdma, whose Composition
// allows RDMA's IPC_LOCK, composes its LeaderWorkerSet; its pod templates
// are admitted as Pods in a namespace that enforces privileged and refused,
// naming IPC_LOCK, in one that enforces baseline. The same XR under the
// default Composition (baseline, no IPC_LOCK) is refused by the function
// with the field named, and nothing is composed for it.
func (e *env) testPodSecurity(t *testing.T) {
	ctx := context.Background()
	const allowed, enforced = "serving-rdma", "serving-baseline"
	for ns, level := range map[string]string{allowed: "privileged", enforced: "baseline"} {
		o := &unstructured.Unstructured{}
		o.SetGroupVersionKind(namespaceGVK)
		o.SetName(ns)
		o.SetLabels(map[string]string{"pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/enforce-version": "latest"})
		if _, err := e.apply(ctx, o); err != nil {
			t.Fatal(err)
		}
	}

	xr := e.exampleXR(t, "rdma")
	xr.SetNamespace(allowed)
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{"workload-leaderworkerset": leaderWorkerSetGVK})
	lws := objs["workload-leaderworkerset"]
	for _, err := range e.dryRunPods(t, lws) {
		t.Errorf("where the namespace allows IPC_LOCK: %v", err)
	}
	there := lws.DeepCopy()
	there.SetNamespace(enforced)
	errs := e.dryRunPods(t, there)
	if len(errs) != 2 {
		t.Errorf("a namespace enforcing baseline refused %d of the leader and worker templates, want both: %v", len(errs), errs)
	}
	for _, err := range errs {
		if !strings.Contains(err.Error(), "violates PodSecurity") || !strings.Contains(err.Error(), "IPC_LOCK") {
			t.Errorf("want a Pod Security refusal naming IPC_LOCK, got: %v", err)
		}
	}

	bad := xr.DeepCopy()
	bad.SetNamespace(enforced)
	if err := unstructured.SetNestedField(bad.Object, defaultComposition, "spec", "crossplane", "compositionRef", "name"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.apply(ctx, bad); err != nil {
		t.Fatalf("the API server refused the XR, so the function was never asked: %v", err)
	}
	t.Cleanup(func() {
		if err := e.remove(context.Background(), bad.GroupVersionKind(), bad.GetNamespace(), bad.GetName()); err != nil {
			t.Errorf("cannot delete %s: %v", key(bad.GetNamespace(), bad.GetName()), err)
		}
	})
	field := "spec.template.containers[main].securityContext.capabilities.add"
	e.eventually(t, 2*time.Minute, "the XR to report the function's refusal of IPC_LOCK", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, xrGVK, bad.GetNamespace(), bad.GetName())
		if err != nil || got == nil {
			return false, describe(got), err
		}
		msg, _ := conditions(got)["Synced"]["message"].(string)
		done := conditionIs(got, "Synced", "False") && strings.Contains(msg, field) && strings.Contains(msg, "IPC_LOCK")
		return done, describe(got) + e.events(ctx, bad.GetNamespace(), bad.GetName()), nil
	})
	got, err := e.get(ctx, xrGVK, bad.GetNamespace(), bad.GetName())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the XR reports: %s", conditions(got)["Synced"]["message"])
	if refs, _, _ := unstructured.NestedSlice(got.Object, "spec", "crossplane", "resourceRefs"); len(refs) > 0 {
		t.Errorf("the refused XR composed %d resources, want none: %v", len(refs), refs)
	}
}
