//go:build e2e

package e2e

import (
	"context"
	"maps"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// claimNamespaceLabel is where Crossplane records a legacy XR's claim's
// namespace, which the function composes into.
const claimNamespaceLabel = "crossplane.io/claim-namespace"

// testEveryExample applies every example as its directory describes it (the
// rule of the root module's internal/examples): the objects of its
// required.yaml, which Crossplane reads for the function, then its
// Composition and its XR naming that Composition. Each XR must become
// Synced with every object it lists as composed accepted by the API server,
// schema, CEL rules and admission included: an example that renders but
// could not be applied fails here, not on a user's cluster.
//
// The objects of required.yaml are applied without their status, which only
// their controllers could write: what is checked does not depend on it. The
// XRs are applied at once, so the scenario takes about as long as the
// slowest of them.
func (e *env) testEveryExample(t *testing.T) {
	ctx := context.Background()
	var xrs, required []*unstructured.Unstructured
	namespaces := map[string]bool{}
	for _, ex := range e.examples {
		xr := e.exampleXR(t, ex.Name)
		xrs = append(xrs, xr)
		// Where it composes: its own namespace, or a legacy XR's
		// claim's.
		namespaces[xr.GetNamespace()] = true
		namespaces[xr.GetLabels()[claimNamespaceLabel]] = true
		if ex.Required == "" {
			continue
		}
		objs, err := readObjects(ex.Required)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if o.GetAPIVersion() == "v1" && o.GetKind() == "Pod" {
				// Pods stand for what the scheduler and kubelet report
				// (example/not-ready): without their status, which no
				// kubelet here writes, they would be bare pods the
				// scenario does not check.
				continue
			}
			if o.GroupVersionKind().GroupKind() == xrGVK.GroupKind() {
				// Peers of a route group (example/canary) stand for
				// services the function reads, with the status their
				// own function wrote: applied, they would be services
				// of their own, composing until the run ends. The
				// route group scenario runs them as services.
				continue
			}
			unstructured.RemoveNestedField(o.Object, "status")
			namespaces[o.GetNamespace()] = true
			required = append(required, o)
		}
	}
	delete(namespaces, "")
	for _, name := range slices.Sorted(maps.Keys(namespaces)) {
		ns := &unstructured.Unstructured{}
		ns.SetGroupVersionKind(namespaceGVK)
		ns.SetName(name)
		if _, err := e.apply(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range required {
		if _, err := e.apply(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, xr := range xrs {
		if _, err := e.apply(ctx, xr); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := e.remove(context.Background(), xr.GroupVersionKind(), xr.GetNamespace(), xr.GetName()); err != nil {
				t.Errorf("cannot delete %s: %v", key(xr.GetNamespace(), xr.GetName()), err)
			}
		})
	}
	for i, ex := range e.examples {
		t.Run(ex.Name, func(t *testing.T) {
			if isStopped(xrs[i]) {
				// Composes nothing: what is checked is that it stays so.
				e.waitStopped(t, xrs[i])
				t.Logf("%s: Synced and Stopped, nothing composed", ex.XR)
				return
			}
			objs := e.waitListed(t, xrs[i], nil)
			t.Logf("%s: Synced, %d composed objects accepted", ex.XR, len(objs))
		})
	}
}
