//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// testPlatformGateway applies example/platform-gateway, a manifest whose
// route names no Gateway, as most of KServe's samples do. KServe attaches
// such a route to the platform's Gateway, kserve/kserve-ingress-gateway by
// default, and so must the function, with the example Composition, which
// sets nothing: the route's parent is that Gateway in its own namespace,
// no Gateway is composed, and the platform's Gateway, which the test
// creates in the platform's namespace as a platform team would, is read as
// a required resource. Until its controller programs it the XR is not
// ready, for that reason; once it does, and the route and the pool are
// accepted by it, the XR is Ready at the Gateway's address.
func (e *env) testPlatformGateway(t *testing.T) {
	ctx := context.Background()
	ex := e.example(t, "platform-gateway")
	gw := readObject(t, ex.Required)
	if gw.GetKind() != gatewayGVK.Kind {
		t.Fatalf("%s holds a %s, want the platform's Gateway", ex.Required, gw.GetKind())
	}
	// What the platform team applies: its controller writes the status.
	unstructured.RemoveNestedField(gw.Object, "status")
	unstructured.RemoveNestedField(gw.Object, "metadata", "generation")
	e.ensureNamespace(t, gw.GetNamespace())
	if _, err := e.apply(ctx, gw); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.remove(context.Background(), gatewayGVK, gw.GetNamespace(), gw.GetName()); err != nil {
			t.Errorf("cannot delete the platform's Gateway: %v", err)
		}
	})

	xr := e.exampleXR(t, ex.Name)
	ns, name := xr.GetNamespace(), xr.GetName()
	e.ensureNamespace(t, ns)
	if _, err := e.apply(ctx, xr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.remove(context.Background(), xrGVK, ns, name); err != nil {
			t.Errorf("cannot delete %s: %v", key(ns, name), err)
		}
	})

	// Exactly these, so no Gateway of the service's own.
	objs := append([]composedObject{
		{"workload-deployment", deploymentGVK, name + "-workload"},
		{"workload-service", serviceGVK, name + "-workload"},
		{"route", httpRouteGVK, name + "-route"},
		{"workload-networkpolicy", networkPolicyGVK, name + "-workload-netpol"},
	}, schedulerObjects(name)...)
	e.waitComposed(t, xrGVK, ns, name, ns, objs)

	route, err := e.get(ctx, httpRouteGVK, ns, name+"-route")
	if err != nil || route == nil {
		t.Fatalf("HTTPRoute %s: %v", key(ns, name+"-route"), err)
	}
	parents, _, _ := unstructured.NestedSlice(route.Object, "spec", "parentRefs")
	want := []any{map[string]any{"group": gatewayGVK.Group, "kind": gatewayGVK.Kind, "name": gw.GetName(), "namespace": gw.GetNamespace()}}
	if diff := cmp.Diff(want, parents); diff != "" {
		t.Errorf("the route's parentRefs: -want, +got:\n%s", diff)
	}

	// Every composed object healthy, the platform's Gateway not programmed
	// yet: the function has read it (its status is the CRD's default,
	// Programmed Unknown) and holds the XR back on its account.
	e.eventually(t, 3*time.Minute, "the XR waiting for the platform's Gateway "+key(gw.GetNamespace(), gw.GetName()), func(ctx context.Context) (bool, string, error) {
		if err := e.playPlatformControllers(ctx, ns, objs, gw, false); err != nil {
			return false, "", err
		}
		got, err := e.get(ctx, xrGVK, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		c := conditions(got)["GatewaysReady"]
		msg, _ := c["message"].(string)
		done := conditionIs(got, "GatewaysReady", "False") && c["reason"] == "Pending" &&
			strings.Contains(msg, "Gateway "+key(gw.GetNamespace(), gw.GetName())) && !strings.Contains(msg, "waiting for Crossplane to read it") &&
			conditionIs(got, "HTTPRoutesReady", "True") && conditionIs(got, "Ready", "False")
		return done, describe(got), nil
	})

	url := "http://" + gatewayAddress + "/" + ns + "/" + name
	e.eventually(t, 3*time.Minute, "XR "+key(ns, name)+" Ready at "+url, func(ctx context.Context) (bool, string, error) {
		if err := e.playPlatformControllers(ctx, ns, objs, gw, true); err != nil {
			return false, "", err
		}
		got, err := e.get(ctx, xrGVK, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		gotURL, _, _ := unstructured.NestedString(got.Object, "status", "url")
		done := conditionIs(got, "Synced", "True") && conditionIs(got, "Ready", "True") && gotURL == url
		return done, describe(got), nil
	})
}

// playPlatformControllers writes what the controllers would of objs, whose
// route and pool are accepted by the platform's Gateway gw rather than by
// a composed one, and, when programmed, that gw is programmed.
func (e *env) playPlatformControllers(ctx context.Context, ns string, objs []composedObject, gw *unstructured.Unstructured, programmed bool) error {
	var others []composedObject
	for _, o := range objs {
		if o.gvk == inferencePoolGVK {
			pool, err := e.get(ctx, o.gvk, ns, o.name)
			if err != nil {
				return err
			}
			if pool == nil {
				continue
			}
			st := statusOf(pool, map[string]any{"parents": []any{map[string]any{
				"parentRef":      map[string]any{"group": gatewayGVK.Group, "kind": gatewayGVK.Kind, "name": gw.GetName(), "namespace": gw.GetNamespace()},
				"controllerName": gatewayControllerName,
				"conditions":     []any{condition(pool, "Accepted", "Accepted"), condition(pool, "ResolvedRefs", "ResolvedRefs")},
			}}})
			if err := e.applyStatus(ctx, poolController, st); err != nil {
				return err
			}
			continue
		}
		others = append(others, o)
	}
	if err := e.playControllers(ctx, ns, others); err != nil {
		return err
	}
	if !programmed {
		return nil
	}
	got, err := e.get(ctx, gatewayGVK, gw.GetNamespace(), gw.GetName())
	if err != nil || got == nil {
		return err
	}
	return e.applyStatus(ctx, gatewayController, gatewayProgrammed(got))
}
