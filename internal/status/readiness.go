// Package status is the last step before the response: Compute turns what
// the function composes, what Crossplane observed and read, and the layers
// of configuration into the readiness of each composed resource, the XR's
// conditions in KServe's vocabulary, and the status the function owns. It
// reads observed state only, never what the function just asked for, and
// neither reads the request nor writes the response.
package status

import (
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Health is the readiness of one observed resource.
type Health struct {
	Ready   bool
	Reason  string
	Message string
}

// Checker computes the health of an observed resource of one kind.
type Checker interface {
	Check(o *composed.Unstructured) Health
}

// CheckerFn adapts a function to a Checker.
type CheckerFn func(o *composed.Unstructured) Health

// Check calls fn.
func (fn CheckerFn) Check(o *composed.Unstructured) Health { return fn(o) }

// checkers by apiVersion/kind. Kinds without an entry are ready once they
// exist (Services, ServiceAccounts, RBAC, ConfigMaps have no status).
var checkers = map[string]Checker{
	appsv1.SchemeGroupVersion.String() + "/Deployment":         CheckerFn(conditionAtGeneration("Available")),
	gatewayv1.GroupVersion.String() + "/" + wiring.GatewayKind: CheckerFn(gatewayProgrammed),
	gatewayv1.GroupVersion.String() + "/" + wiring.RouteKind:   CheckerFn(routeAccepted),
	giev1.GroupVersion.String() + "/" + wiring.PoolKind:        CheckerFn(poolAccepted),
	lwsv1.GroupVersion.String() + "/LeaderWorkerSet":           CheckerFn(lwsAvailable),
	// The autoscalers (scaling.go).
	autoscalingv2.SchemeGroupVersion.String() + "/HorizontalPodAutoscaler": CheckerFn(hpaHealth),
	kedav1alpha1.SchemeGroupVersion.String() + "/ScaledObject":             CheckerFn(scaledObjectHealth),
}

// lwsAvailable is ready when the LeaderWorkerSet controller reports every
// group available. Its status has no observedGeneration, so a condition
// that records one must be at the current generation.
func lwsAvailable(o *composed.Unstructured) Health {
	var conds []condition
	_ = o.GetValueInto("status.conditions", &conds)
	h := conditionAt(conds, "Available", generation(o))
	if !h.Ready && h.Reason == ReasonPending {
		h.Reason = "Progressing"
	}
	return h
}

// notCreated is the health of a resource Crossplane has not observed.
var notCreated = Health{Reason: "Creating", Message: "not created yet"}

// observe returns the health of the observed resource, or not ready with
// reason "Creating" when Crossplane has not observed it yet.
func observe(obs map[resource.Name]resource.ObservedComposed, name resource.Name) Health {
	o, ok := obs[name]
	if !ok {
		return notCreated
	}
	return Check(o.Resource)
}

// Check returns the health of one observed object by its apiVersion and
// kind, composed or not: referenced Gateways, routes and pools arrive as
// required resources and are checked the same way as composed ones. A nil
// object is not created yet.
func Check(o *composed.Unstructured) Health {
	if o == nil {
		return notCreated
	}
	c, ok := checkers[o.GetAPIVersion()+"/"+o.GetKind()]
	if !ok {
		return Health{Ready: true}
	}
	return c.Check(o)
}

// conditionAtGeneration is ready when the controller has observed the
// current generation and reports condition typ True. A condition from an
// older generation says nothing about the current spec.
func conditionAtGeneration(typ string) func(o *composed.Unstructured) Health {
	return func(o *composed.Unstructured) Health {
		// Observed objects arrive through protobuf Structs, so numbers are
		// float64 and unstructured's GetGeneration (int64 only) reads 0;
		// fieldpath's GetInteger reads both.
		gen, _ := o.GetInteger("metadata.generation")
		observed, err := o.GetInteger("status.observedGeneration")
		if err != nil || observed < gen {
			return Health{Reason: "Progressing", Message: "the controller has not observed the current generation yet"}
		}
		var conds []map[string]any
		if err := o.GetValueInto("status.conditions", &conds); err != nil {
			return Health{Reason: "Progressing", Message: "no " + typ + " condition yet"}
		}
		for _, c := range conds {
			if c["type"] != typ {
				continue
			}
			reason, _ := c["reason"].(string)
			msg, _ := c["message"].(string)
			if c["status"] == "True" {
				return Health{Ready: true, Reason: reason, Message: msg}
			}
			if reason == "" {
				reason = "Progressing"
			}
			return Health{Reason: reason, Message: msg}
		}
		return Health{Reason: "Progressing", Message: "no " + typ + " condition yet"}
	}
}
