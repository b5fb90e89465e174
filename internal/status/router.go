package status

import (
	"fmt"

	"github.com/crossplane/function-sdk-go/resource/composed"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Reasons of the traffic path's health.
const (
	// ReasonPending is used when a controller has not reported on the
	// current generation yet.
	ReasonPending = "Pending"
	// ReasonInferencePoolNotReady is used for a pool no Gateway has
	// accepted: KServe's word for it.
	ReasonInferencePoolNotReady = "InferencePoolNotReady"
)

// Condition types the Gateway API and the Inference Extension report.
const (
	condProgrammed   = "Programmed"
	condAccepted     = "Accepted"
	condResolvedRefs = "ResolvedRefs"
)

// condition is the part of a metav1.Condition readiness reads. Decoding
// into metav1.Condition itself would fail on a malformed or missing
// lastTransitionTime, which readiness has no use for. ObservedGeneration is
// a pointer because it is optional: a controller that never sets it must
// not leave the object unready forever.
type condition struct {
	Type               string `json:"type"`
	Status             string `json:"status"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
	ObservedGeneration *int64 `json:"observedGeneration,omitempty"`
}

// parentStatus is one status.parents entry of an HTTPRoute or an
// InferencePool: both use the same parentRef and conditions shape.
type parentStatus struct {
	ParentRef  gatewayv1.ParentReference `json:"parentRef"`
	Conditions []condition               `json:"conditions,omitempty"`
}

// conditionAt is the health of condition typ at generation gen: ready when
// it is True and its observedGeneration is not older than gen.
func conditionAt(conds []condition, typ string, gen int64) Health {
	for _, c := range conds {
		if c.Type != typ {
			continue
		}
		if c.ObservedGeneration != nil && *c.ObservedGeneration < gen {
			return Health{Reason: ReasonPending, Message: fmt.Sprintf("%s was reported for generation %d, not the current generation %d yet", typ, *c.ObservedGeneration, gen)}
		}
		if c.Status != "True" {
			h := Health{Reason: c.Reason, Message: c.Message}
			if h.Reason == "" {
				h.Reason = ReasonPending
			}
			if h.Message == "" {
				h.Message = fmt.Sprintf("%s is %q", typ, c.Status)
			}
			return h
		}
		return Health{Ready: true, Reason: c.Reason, Message: c.Message}
	}
	return Health{Reason: ReasonPending, Message: "no " + typ + " condition yet"}
}

// generation reads metadata.generation. Observed numbers arrive as float64,
// which unstructured's GetGeneration cannot read.
func generation(o *composed.Unstructured) int64 {
	g, _ := o.GetInteger("metadata.generation")
	return g
}

// gatewayProgrammed is ready when the Gateway is Programmed: its data plane
// is configured and has an address. Accepted alone is not enough.
func gatewayProgrammed(o *composed.Unstructured) Health {
	var conds []condition
	_ = o.GetValueInto("status.conditions", &conds)
	return conditionAt(conds, condProgrammed, generation(o))
}

// routeAccepted is ready when every parent the route names has accepted it
// and resolved its backends at the current generation. A route without
// parentRefs (attached to default Gateways) needs every parent that reports
// on it to do so, and at least one.
func routeAccepted(o *composed.Unstructured) Health {
	gen, ns := generation(o), o.GetNamespace()
	var refs []gatewayv1.ParentReference
	_ = o.GetValueInto("spec.parentRefs", &refs)
	var parents []parentStatus
	_ = o.GetValueInto("status.parents", &parents)
	if len(refs) == 0 {
		if len(parents) == 0 {
			return Health{Reason: ReasonPending, Message: "no Gateway has accepted the HTTPRoute yet"}
		}
		return allParentsAccepted(parents, ns, gen)
	}
	for _, ref := range refs {
		k := wiring.KeyOf(ref, ns)
		h := Health{Reason: ReasonPending, Message: k.String() + " has not reported on the HTTPRoute yet"}
		// Several controllers may report on one parent; one that accepts
		// the route is enough.
		for _, p := range parents {
			if wiring.KeyOf(p.ParentRef, ns) != k {
				continue
			}
			if h = parentAccepted(p, ns, gen); h.Ready {
				break
			}
		}
		if !h.Ready {
			return h
		}
	}
	return Health{Ready: true}
}

// poolAccepted is ready when at least one Gateway reports on the pool and
// every one that does accepts it and resolves its endpoint picker. A pool no
// Gateway has accepted receives no traffic, whatever its picker's health.
func poolAccepted(o *composed.Unstructured) Health {
	var all []parentStatus
	_ = o.GetValueInto("status.parents", &all)
	// The Inference Extension reports a pool no Gateway uses with a
	// placeholder parent of kind Status.
	parents := make([]parentStatus, 0, len(all))
	for _, p := range all {
		if ptr.Deref(p.ParentRef.Kind, "") != "Status" {
			parents = append(parents, p)
		}
	}
	if len(parents) == 0 {
		return Health{Reason: ReasonInferencePoolNotReady, Message: "no Gateway has accepted the InferencePool yet: an HTTPRoute must send traffic to it through a Gateway whose implementation supports InferencePool"}
	}
	return allParentsAccepted(parents, o.GetNamespace(), generation(o))
}

func allParentsAccepted(parents []parentStatus, ns string, gen int64) Health {
	for _, p := range parents {
		if h := parentAccepted(p, ns, gen); !h.Ready {
			return h
		}
	}
	return Health{Ready: true}
}

// parentAccepted is the health of one parent's report: Accepted and
// ResolvedRefs, both current. The message names the parent.
func parentAccepted(p parentStatus, ns string, gen int64) Health {
	for _, typ := range []string{condAccepted, condResolvedRefs} {
		if h := conditionAt(p.Conditions, typ, gen); !h.Ready {
			h.Message = fmt.Sprintf("%s: %s: %s", wiring.KeyOf(p.ParentRef, ns), typ, h.Message)
			return h
		}
	}
	return Health{Ready: true}
}
