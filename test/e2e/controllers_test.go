//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kinds the function composes.
var (
	deploymentGVK      = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	serviceGVK         = schema.GroupVersionKind{Version: "v1", Kind: "Service"}
	serviceAccountGVK  = schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}
	configMapGVK       = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	roleGVK            = schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}
	roleBindingGVK     = schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}
	inferencePoolGVK   = schema.GroupVersionKind{Group: "inference.networking.k8s.io", Version: "v1", Kind: "InferencePool"}
	gatewayGVK         = schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "Gateway"}
	httpRouteGVK       = schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"}
	destinationRuleGVK = schema.GroupVersionKind{Group: "networking.istio.io", Version: "v1", Kind: "DestinationRule"}
	leaderWorkerSetGVK = schema.GroupVersionKind{Group: "leaderworkerset.x-k8s.io", Version: "v1", Kind: "LeaderWorkerSet"}
)

// The identities the test writes status as, one per controller it plays.
const (
	deploymentController = "e2e-deployment-controller"
	gatewayController    = "e2e-gateway-controller"
	poolController       = "e2e-inference-pool-controller"
	// gatewayControllerName is what a Gateway implementation writes into
	// status.parents[].controllerName: a domain-prefixed path.
	gatewayControllerName = "e2e.example.com/gateway-controller"
)

// gatewayAddress is the address the test's Gateway "controller" reports. It
// is a documentation address (TEST-NET-3), not a private one: the function
// prefers an address reachable from outside the cluster for status.url, and
// the test must see that choice.
const gatewayAddress = "203.0.113.10"

// since is the lastTransitionTime of every condition the test writes. A
// constant time makes writing the same status again a no-op for the API
// server: no new resourceVersion, no watch event, no extra reconcile.
var since = time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)

// A composedObject is one object the function is expected to compose: the
// name Crossplane knows it by (the crossplane.io/composition-resource-name
// annotation), its kind, and its name.
type composedObject struct {
	resource string
	gvk      schema.GroupVersionKind
	name     string
}

func (o composedObject) String() string { return o.gvk.Kind + " " + o.name }

// servingObjects are what the seed manifest's topology composes whatever the
// router does: the vLLM Deployment and its Service, and the managed Gateway
// and HTTPRoute. Names derive from the LLMInferenceService's name (the
// claim's, for a claim).
func servingObjects(name string) []composedObject {
	return []composedObject{
		{"workload-deployment", deploymentGVK, name + "-workload"},
		{"workload-service", serviceGVK, name + "-workload"},
		{"gateway", gatewayGVK, name + "-gateway"},
		{"route", httpRouteGVK, name + "-route"},
		{"workload-networkpolicy", networkPolicyGVK, name + "-workload-netpol"},
	}
}

// schedulerObjects are what spec.router.scheduler: {} adds: the
// InferencePool and llm-d's endpoint picker with its RBAC and configuration.
func schedulerObjects(name string) []composedObject {
	return []composedObject{
		{"scheduler-pool", inferencePoolGVK, name + "-inference-pool"},
		{"scheduler-deployment", deploymentGVK, name + "-epp"},
		{"scheduler-service", serviceGVK, name + "-epp"},
		{"scheduler-serviceaccount", serviceAccountGVK, name + "-epp"},
		{"scheduler-role", roleGVK, name + "-epp"},
		{"scheduler-rolebinding", roleBindingGVK, name + "-epp"},
		{"scheduler-config", configMapGVK, name + "-epp"},
		{"scheduler-networkpolicy", networkPolicyGVK, name + "-epp-netpol"},
	}
}

// playControllers writes the status each composed object's controller would
// write once it works, at the object's current generation: Deployments are
// Available, the Gateway is Programmed with an address, the HTTPRoute and
// the InferencePool are accepted by that Gateway. Objects without a
// controller that reports status (Services, RBAC, ConfigMaps) are left
// alone, and so are objects not created yet. It is idempotent, so a wait can
// call it on every poll and catch up with a new generation.
func (c *cluster) playControllers(ctx context.Context, namespace string, objs []composedObject) error {
	for _, o := range objs {
		got, err := c.get(ctx, o.gvk, namespace, o.name)
		if err != nil {
			return err
		}
		if got == nil {
			continue
		}
		var st *unstructured.Unstructured
		var manager string
		switch o.gvk {
		case deploymentGVK:
			st, manager = deploymentAvailable(got), deploymentController
		case gatewayGVK:
			st, manager = gatewayProgrammed(got), gatewayController
		case httpRouteGVK:
			st, manager = routeAccepted(got), gatewayController
		case inferencePoolGVK:
			st, manager = poolAccepted(got, gatewayOf(objs)), poolController
		default:
			continue
		}
		if err := c.applyStatus(ctx, manager, st); err != nil {
			return err
		}
	}
	return nil
}

// statusOf returns the skeleton of a status apply for obj.
func statusOf(obj *unstructured.Unstructured, status map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"status": status}}
	u.SetGroupVersionKind(obj.GroupVersionKind())
	u.SetNamespace(obj.GetNamespace())
	u.SetName(obj.GetName())
	return u
}

// condition is a metav1.Condition at obj's generation.
func condition(obj *unstructured.Unstructured, typ, reason string) map[string]any {
	return map[string]any{
		"type":               typ,
		"status":             "True",
		"reason":             reason,
		"message":            "reported by the e2e test standing in for the controller",
		"observedGeneration": obj.GetGeneration(),
		"lastTransitionTime": since,
	}
}

// deploymentAvailable is what the Deployment controller reports once every
// replica is up.
func deploymentAvailable(d *unstructured.Unstructured) *unstructured.Unstructured {
	replicas, ok, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
	if !ok {
		replicas = 1
	}
	return statusOf(d, map[string]any{
		"observedGeneration": d.GetGeneration(),
		"replicas":           replicas,
		"updatedReplicas":    replicas,
		"readyReplicas":      replicas,
		"availableReplicas":  replicas,
		"conditions": []any{map[string]any{
			"type":               "Available",
			"status":             "True",
			"reason":             "MinimumReplicasAvailable",
			"message":            "reported by the e2e test standing in for the Deployment controller",
			"lastUpdateTime":     since,
			"lastTransitionTime": since,
		}},
	})
}

// gatewayProgrammed is what a Gateway implementation reports once its data
// plane serves the Gateway at an address.
func gatewayProgrammed(gw *unstructured.Unstructured) *unstructured.Unstructured {
	return statusOf(gw, map[string]any{
		"addresses": []any{map[string]any{"type": "IPAddress", "value": gatewayAddress}},
		"conditions": []any{
			condition(gw, "Accepted", "Accepted"),
			condition(gw, "Programmed", "Programmed"),
		},
	})
}

// routeAccepted is what the Gateway implementation reports on an HTTPRoute
// attached to its Gateways: one parent status for each parentRef.
func routeAccepted(route *unstructured.Unstructured) *unstructured.Unstructured {
	refs, _, _ := unstructured.NestedSlice(route.Object, "spec", "parentRefs")
	parents := make([]any, 0, len(refs))
	for _, r := range refs {
		parents = append(parents, map[string]any{
			"parentRef":      r,
			"controllerName": gatewayControllerName,
			"conditions": []any{
				condition(route, "Accepted", "Accepted"),
				condition(route, "ResolvedRefs", "ResolvedRefs"),
			},
		})
	}
	return statusOf(route, map[string]any{"parents": parents})
}

// poolAccepted is what the Inference Extension reports on a pool a Gateway
// routes to and whose endpoint picker it resolved.
func poolAccepted(pool *unstructured.Unstructured, gateway string) *unstructured.Unstructured {
	return statusOf(pool, map[string]any{"parents": []any{map[string]any{
		"parentRef":      map[string]any{"group": gatewayGVK.Group, "kind": gatewayGVK.Kind, "name": gateway},
		"controllerName": gatewayControllerName,
		"conditions": []any{
			condition(pool, "Accepted", "Accepted"),
			condition(pool, "ResolvedRefs", "ResolvedRefs"),
		},
	}}})
}

// gatewayOf returns the name of the composed Gateway among objs.
func gatewayOf(objs []composedObject) string {
	for _, o := range objs {
		if o.gvk == gatewayGVK {
			return o.name
		}
	}
	panic(fmt.Sprintf("no Gateway among %v", objs))
}
