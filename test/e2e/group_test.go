//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// testRouteGroup runs example/canary's two services of one route group
// on the real control plane and checks each member's HTTPRoute on the API
// server as the other's workloads become ready, as it stops, starts again
// and leaves: Crossplane
// watches the services the function reads as peers, so a member's route
// follows its peer without any other trigger. How long each change took to
// reach the other member's route is logged (Crossplane's poll interval
// here is crossplanePollInterval); nothing asserts on it.
func (e *env) testRouteGroup(t *testing.T) {
	ctx := context.Background()
	ex := e.example(t, "canary")
	canary := e.exampleXR(t, "canary")
	// The stable member is the peer required.yaml shows, as a user
	// writes it: its spec, without the status its function writes.
	stable := canary.DeepCopy()
	peer := readObject(t, ex.Required)
	stable.SetName(peer.GetName())
	stable.Object["spec"] = peer.Object["spec"]
	if err := unstructured.SetNestedField(stable.Object, mustString(t, canary, "spec", "crossplane", "compositionRef", "name"), "spec", "crossplane", "compositionRef", "name"); err != nil {
		t.Fatal(err)
	}
	ns := canary.GetNamespace()
	members := []*unstructured.Unstructured{canary, stable}
	for _, m := range members {
		// A Gateway of its own, which playControllers programs: the
		// platform's is another scenario's.
		if err := unstructured.SetNestedMap(m.Object, map[string]any{}, "spec", "router", "gateway"); err != nil {
			t.Fatal(err)
		}
	}
	nsObj := &unstructured.Unstructured{}
	nsObj.SetGroupVersionKind(namespaceGVK)
	nsObj.SetName(ns)
	if _, err := e.apply(ctx, nsObj); err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if _, err := e.apply(ctx, m); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := e.remove(context.Background(), xrGVK, ns, m.GetName()); err != nil {
				t.Errorf("cannot delete %s: %v", key(ns, m.GetName()), err)
			}
		})
	}
	objs := func(name string) []composedObject { return append(servingObjects(name), schedulerObjects(name)...) }
	for _, m := range members {
		e.waitComposed(t, xrGVK, ns, m.GetName(), ns, objs(m.GetName()))
	}
	pool := func(name string) string { return name + "-inference-pool" }
	c, s := canary.GetName(), stable.GetName()

	// The canary's workloads serve; the stable's are not ready yet. Each
	// member's own route reaches itself, so the stable's splits 90/10
	// while the canary's sends everything to the canary.
	e.waitReady(t, xrGVK, ns, c, ns, objs(c), "http://"+gatewayAddress+"/"+ns+"/"+c)
	e.waitWeights(t, ns, c, map[string]int64{pool(c): 10})
	e.waitWeights(t, ns, s, map[string]int64{pool(c): 10, pool(s): 90})

	// The stable's workloads become ready: the canary's route takes it in.
	began := time.Now()
	e.waitReady(t, xrGVK, ns, s, ns, objs(s), "http://"+gatewayAddress+"/"+ns+"/"+s)
	readyAt := e.workloadsReadyAt(t, ns, s, began)
	e.waitWeights(t, ns, c, map[string]int64{pool(c): 10, pool(s): 90})
	t.Logf("the canary's route took in the stable member %s after its workloads were reported ready", time.Since(readyAt).Round(100*time.Millisecond))
	e.assertGroupStatus(t, ns, c, []string{c, s}, nil)

	// The canary stops: its objects go, and the stable's route sends
	// everything to the stable member; the canary stays in its status,
	// stopped.
	if _, err := e.apply(ctx, withStop(canary, "true")); err != nil {
		t.Fatal(err)
	}
	stoppedAt := time.Now()
	e.waitWeights(t, ns, s, map[string]int64{pool(s): 90})
	t.Logf("the stable's route left the stopped canary out %s after the stop was applied", time.Since(stoppedAt).Round(100*time.Millisecond))
	e.assertGroupStatus(t, ns, s, []string{c, s}, []string{c})

	// The canary starts again: once its workloads serve, the stable's
	// route takes it in again.
	if _, err := e.apply(ctx, withStop(canary, "false")); err != nil {
		t.Fatal(err)
	}
	e.waitReady(t, xrGVK, ns, c, ns, objs(c), "http://"+gatewayAddress+"/"+ns+"/"+c)
	e.waitWeights(t, ns, s, map[string]int64{pool(c): 10, pool(s): 90})

	// The canary leaves: the stable's route sends everything to the
	// stable member again, and its status lists itself alone. KServe holds
	// a member's deletion until no peer's route sends to it
	// (FinalizationPending); Crossplane deletes the composed objects
	// without calling the function, so the two happen side by side. The
	// test logs which came first; nothing asserts on it.
	deletedAt := time.Now()
	if err := e.remove(ctx, xrGVK, ns, c); err != nil {
		t.Fatal(err)
	}
	poolGone, dropped := e.waitLeave(t, ns, s, pool(c), map[string]int64{pool(s): 90})
	t.Logf("after the canary's deletion: the stable's route left it out at +%s, its pool was gone at +%s",
		dropped.Sub(deletedAt).Round(100*time.Millisecond), poolGone.Sub(deletedAt).Round(100*time.Millisecond))
	e.assertGroupStatus(t, ns, s, []string{s}, nil)
}

// waitLeave waits, looking ten times a second, until the pool of a member
// that left is gone from the API server and the route of member name sends
// as want says, and returns when it saw each.
func (e *env) waitLeave(t *testing.T, ns, name, pool string, want map[string]int64) (poolGone, dropped time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var state string
	for poolGone.IsZero() || dropped.IsZero() {
		if err := e.alive(); err != nil {
			t.Fatalf("while waiting for %s to leave: %v", pool, err)
		}
		if poolGone.IsZero() {
			if p, err := e.get(ctx, inferencePoolGVK, ns, pool); err == nil && p == nil {
				poolGone = time.Now()
			}
		}
		if dropped.IsZero() {
			ok, st, err := e.routeSends(ctx, ns, name, want)
			if err == nil && ok {
				dropped = time.Now()
			}
			state = st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s to be gone (at %v) and the route of %s to send to %v (at %v)\nlast state:\n%s",
				key(ns, pool), poolGone, key(ns, name), want, dropped, indent(state))
		case <-time.After(100 * time.Millisecond):
		}
	}
	return poolGone, dropped
}

// waitWeights waits until the model rules of the member's HTTPRoute (the
// publisher path's five rules and the model name header's two) send to
// exactly the pools in want with those weights, while the five rules of
// its own /<namespace>/<name> path send to its own backends only: the
// prefix to its workload Service, the inference endpoints to its pool. It plays the member's controllers as its objects
// change, as the Gateway implementation would accept the new route.
func (e *env) waitWeights(t *testing.T, ns, name string, want map[string]int64) {
	t.Helper()
	e.eventually(t, 2*time.Minute, fmt.Sprintf("the route of %s sending to %v", key(ns, name), want), func(ctx context.Context) (bool, string, error) {
		if err := e.playControllers(ctx, ns, append(servingObjects(name), schedulerObjects(name)...)); err != nil {
			return false, "", err
		}
		return e.routeSends(ctx, ns, name, want)
	})
}

// routeSends is true when the member's HTTPRoute sends as waitWeights
// says, with what it sends to if not.
func (e *env) routeSends(ctx context.Context, ns, name string, want map[string]int64) (bool, string, error) {
	rt, err := e.get(ctx, httpRouteGVK, ns, name+"-route")
	if err != nil || rt == nil {
		return false, describe(rt), err
	}
	rules, _, _ := unstructured.NestedSlice(rt.Object, "spec", "rules")
	if len(rules) != 12 {
		return false, describe(rt), nil
	}
	var problems []string
	for i, r := range rules {
		got := weights(r)
		w := want
		// Unweighted as composed; the API server defaults a
		// backend's weight to 1, as Gateway API's schema says.
		switch {
		case i == 0:
			w = map[string]int64{name + "-workload": 1}
		case i < 5:
			w = map[string]int64{name + "-inference-pool": 1}
		}
		if !maps.Equal(got, w) {
			problems = append(problems, fmt.Sprintf("rule %d sends to %v", i, got))
		}
	}
	return len(problems) == 0, strings.Join(problems, "; ") + "\n" + describe(rt), nil
}

// weights are a rule's backends by name, with their weights (-1 for none).
func weights(rule any) map[string]int64 {
	out := map[string]int64{}
	refs, _, _ := unstructured.NestedSlice(rule.(map[string]any), "backendRefs")
	for _, r := range refs {
		m, _ := r.(map[string]any)
		n, _ := m["name"].(string)
		w, ok, _ := unstructured.NestedInt64(m, "weight")
		if !ok {
			w = -1
		}
		out[n] = w
	}
	return out
}

// workloadsReadyAt is when the member's XR said its workloads serve
// (WorkloadsReady True, the condition peers are read by), no earlier than
// since: the moment the change other members follow reached the API
// server.
func (e *env) workloadsReadyAt(t *testing.T, ns, name string, since time.Time) time.Time {
	t.Helper()
	xr, err := e.get(context.Background(), xrGVK, ns, name)
	if err != nil || xr == nil {
		t.Fatalf("cannot read %s: %v", key(ns, name), err)
	}
	at, _ := conditions(xr)["WorkloadsReady"]["lastTransitionTime"].(string)
	ts, err := time.Parse(time.RFC3339, at)
	if err != nil || ts.Before(since.Truncate(time.Second)) {
		return since
	}
	return ts
}

// assertGroupStatus checks status.router.group of a member once it lists
// members (sorted), with stopped marking the stopped ones.
func (e *env) assertGroupStatus(t *testing.T, ns, name string, members, stopped []string) {
	t.Helper()
	e.eventually(t, time.Minute, fmt.Sprintf("status.router.group of %s listing %v", key(ns, name), members), func(ctx context.Context) (bool, string, error) {
		xr, err := e.get(ctx, xrGVK, ns, name)
		if err != nil || xr == nil {
			return false, describe(xr), err
		}
		list, _, _ := unstructured.NestedSlice(xr.Object, "status", "router", "group", "members")
		var got, gotStopped []string
		for _, m := range list {
			mm, _ := m.(map[string]any)
			n, _ := mm["name"].(string)
			got = append(got, n)
			if st, _ := mm["stopped"].(bool); st {
				gotStopped = append(gotStopped, n)
			}
		}
		done := slices.Equal(got, members) && slices.Equal(gotStopped, stopped) && conditionIs(xr, "GroupReady", "True")
		return done, fmt.Sprintf("members %v, stopped %v\n%s", got, gotStopped, describe(xr)), nil
	})
}
