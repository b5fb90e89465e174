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

// annotationStop is KServe's stop annotation.
const annotationStop = "serving.kserve.io/stop"

// stoppedConditions are the conditions a stopped seed says Stopped in:
// those it reports running.
var stoppedConditions = []string{
	"MainWorkloadReady", "WorkloadsReady",
	"GatewaysReady", "HTTPRoutesReady", "InferencePoolReady", "SchedulerWorkloadReady", "RouterReady",
}

// withStop is xr with the stop annotation set to value.
func withStop(xr *unstructured.Unstructured, value string) *unstructured.Unstructured {
	out := xr.DeepCopy()
	ann := out.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[annotationStop] = value
	out.SetAnnotations(ann)
	return out
}

// isStopped is true for an XR the stop annotation stops, read as the
// function reads it.
func isStopped(xr *unstructured.Unstructured) bool {
	return strings.EqualFold(xr.GetAnnotations()[annotationStop], "true")
}

// testStopStart stops the running seed XR and starts it again, on the real
// control plane. A typo of "true" changes nothing. "true" makes Crossplane
// delete every object the XR composed while the XR stays, Synced, not
// Ready, saying Stopped, its spec untouched. Removing the annotation brings
// every object back, new, and the XR Ready at its URL again.
func (e *env) testStopStart(t *testing.T) {
	ctx := context.Background()
	xr := e.seed(t)
	ns, name := xr.GetNamespace(), xr.GetName()
	objs := append(servingObjects(name), schedulerObjects(name)...)
	before := e.snapshot(t, ns, objs)

	// A typo: the warning arrives after the reconcile that read it, which
	// is when anything would have been deleted.
	if _, err := e.apply(ctx, withStop(xr, "ture")); err != nil {
		t.Fatal(err)
	}
	e.eventually(t, 2*time.Minute, "a warning that \"ture\" does not stop the service", func(ctx context.Context) (bool, string, error) {
		events := e.events(ctx, ns, name)
		return strings.Contains(events, `"ture" does not stop the service`), events, nil
	})
	for o, after := range e.snapshot(t, ns, objs) {
		switch b := before[o]; {
		case after == nil:
			t.Errorf("%s was deleted for a stop annotation that is not \"true\"", o)
		case after.GetUID() != b.GetUID():
			t.Errorf("%s was replaced for a stop annotation that is not \"true\"", o)
		}
	}

	if _, err := e.apply(ctx, withStop(xr, "true")); err != nil {
		t.Fatal(err)
	}
	e.eventually(t, 3*time.Minute, "every object of the stopped XR deleted, the XR Stopped", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, xrGVK, ns, name)
		if err != nil || got == nil {
			return false, "the XR is gone: " + describe(got), err
		}
		problems := stoppedProblems(got)
		for _, o := range objs {
			obj, err := e.get(ctx, o.gvk, ns, o.name)
			if err != nil {
				return false, "", err
			}
			if obj != nil {
				problems = append(problems, o.String()+" still exists")
			}
		}
		return len(problems) == 0, strings.Join(problems, "; ") + "\n" + describe(got), nil
	})
	got, err := e.get(ctx, xrGVK, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if uri, _, _ := unstructured.NestedString(got.Object, "spec", "model", "uri"); uri != mustString(t, xr, "spec", "model", "uri") {
		t.Errorf("the stopped XR's spec.model.uri is %q, want it unchanged", uri)
	}

	// Start: applied without the annotation, which the test's field
	// manager then no longer owns, so it goes.
	if _, err := e.apply(ctx, xr); err != nil {
		t.Fatal(err)
	}
	e.waitComposed(t, xrGVK, ns, name, ns, objs)
	e.waitReady(t, xrGVK, ns, name, ns, objs, "http://"+gatewayAddress+"/"+ns+"/"+name)
	for o, after := range e.snapshot(t, ns, objs) {
		if after.GetUID() == before[o].GetUID() {
			t.Errorf("%s has the UID it had before the stop: it was not deleted", o)
		}
	}
	e.eventually(t, time.Minute, "the started XR's conditions True again", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, xrGVK, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		var notTrue []string
		for _, typ := range stoppedConditions {
			if !conditionIs(got, typ, "True") {
				notTrue = append(notTrue, typ)
			}
		}
		return len(notTrue) == 0, "not True: " + strings.Join(notTrue, ", ") + "\n" + describe(got), nil
	})
	e.assertSeedStatus(t, xr)
}

// stoppedProblems says what of a stopped XR is not as it must be: Synced,
// Ready False, the conditions Stopped, nothing composed, no URL and no
// addresses.
func stoppedProblems(xr *unstructured.Unstructured) []string {
	var problems []string
	if !conditionIs(xr, "Synced", "True") {
		problems = append(problems, "not Synced")
	}
	if !conditionIs(xr, "Ready", "False") {
		problems = append(problems, "not Ready False")
	}
	conds := conditions(xr)
	for _, typ := range stoppedConditions {
		if r, _ := conds[typ]["reason"].(string); r != "Stopped" || !conditionIs(xr, typ, "False") {
			problems = append(problems, fmt.Sprintf("%s is %v/%v, want False/Stopped", typ, conds[typ]["status"], conds[typ]["reason"]))
		}
	}
	if refs := resourceRefs(xr); len(refs) > 0 {
		problems = append(problems, "still lists composed objects: "+strings.Join(refs, ", "))
	}
	for _, f := range []string{"url", "addresses", "workloads", "router"} {
		if v, ok, _ := unstructured.NestedFieldNoCopy(xr.Object, "status", f); ok {
			problems = append(problems, fmt.Sprintf("status.%s is still %v", f, v))
		}
	}
	return problems
}

// waitStopped waits until an XR applied stopped is Synced and composes
// nothing, saying Stopped.
func (e *env) waitStopped(t *testing.T, xr *unstructured.Unstructured) {
	t.Helper()
	gvk, ns, name := xr.GroupVersionKind(), xr.GetNamespace(), xr.GetName()
	e.eventually(t, 3*time.Minute, fmt.Sprintf("%s %s Synced and Stopped", gvk.Kind, key(ns, name)), func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, gvk, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		done := conditionIs(got, "Synced", "True") && conditionIs(got, "WorkloadsReady", "False") &&
			conditions(got)["WorkloadsReady"]["reason"] == "Stopped" && len(resourceRefs(got)) == 0
		return done, describe(got) + e.events(ctx, ns, name), nil
	})
}

// testRolloutStrategy applies example/rollout-strategy: the API server
// holds the rollout strategy on the LeaderWorkerSet, maxUnavailable 0
// kept (its CRD would default a missing one to 1), and on the prefill
// Deployment, whose maxSurge the API server defaults as Kubernetes does.
func (e *env) testRolloutStrategy(t *testing.T) {
	xr := e.exampleXR(t, "rollout-strategy")
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"workload-leaderworkerset": leaderWorkerSetGVK,
		"prefill-deployment":       deploymentGVK,
	})
	cases := []struct {
		resource string
		path     []string
		want     string
	}{
		{"workload-leaderworkerset", []string{"spec", "rolloutStrategy", "type"}, "RollingUpdate"},
		{"workload-leaderworkerset", []string{"spec", "rolloutStrategy", "rollingUpdateConfiguration", "maxUnavailable"}, "0"},
		{"workload-leaderworkerset", []string{"spec", "rolloutStrategy", "rollingUpdateConfiguration", "maxSurge"}, "1"},
		{"prefill-deployment", []string{"spec", "strategy", "type"}, "RollingUpdate"},
		{"prefill-deployment", []string{"spec", "strategy", "rollingUpdate", "maxUnavailable"}, "50%"},
		{"prefill-deployment", []string{"spec", "strategy", "rollingUpdate", "maxSurge"}, "25%"},
	}
	for _, c := range cases {
		v, ok, _ := unstructured.NestedFieldNoCopy(objs[c.resource].Object, c.path...)
		if got := fmt.Sprint(v); !ok || got != c.want {
			t.Errorf("%s %s: %s is %q (set: %t), want %q", c.resource, objs[c.resource].GetName(), strings.Join(c.path, "."), got, ok, c.want)
		}
	}
}

// mustString is the string at path in obj, or fails.
func mustString(t *testing.T, obj *unstructured.Unstructured, path ...string) string {
	t.Helper()
	s, ok, err := unstructured.NestedString(obj.Object, path...)
	if err != nil || !ok {
		t.Fatalf("%s has no string at %s: %v", obj.GetName(), strings.Join(path, "."), err)
	}
	return s
}
