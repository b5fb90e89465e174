package status

import (
	"fmt"

	"github.com/crossplane/function-sdk-go/resource/composed"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
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
		k := keyOf(ref, ns)
		h := Health{Reason: ReasonPending, Message: k.String() + " has not reported on the HTTPRoute yet"}
		// Several controllers may report on one parent; one that accepts
		// the route is enough.
		for _, p := range parents {
			if keyOf(p.ParentRef, ns) != k {
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
			h.Message = fmt.Sprintf("%s: %s: %s", keyOf(p.ParentRef, ns), typ, h.Message)
			return h
		}
	}
	return Health{Ready: true}
}

// parentKey is a parent reference with Gateway API's defaults filled in, so
// a spec.parentRefs entry and the status.parents entry for it compare equal
// however each was spelled.
type parentKey struct {
	Group, Kind, Namespace, Name, Section string
	Port                                  int32
}

func keyOf(r gatewayv1.ParentReference, ns string) parentKey {
	// An empty kind or namespace is none at all (the Inference
	// Extension's parentRef fields are not pointers); an empty group is
	// the core group.
	kind := string(ptr.Deref(r.Kind, ""))
	if kind == "" {
		kind = "Gateway"
	}
	if n := string(ptr.Deref(r.Namespace, "")); n != "" {
		ns = n
	}
	return parentKey{
		Group:     string(ptr.Deref(r.Group, gatewayv1.GroupName)),
		Kind:      kind,
		Namespace: ns,
		Name:      string(r.Name),
		Section:   string(ptr.Deref(r.SectionName, "")),
		Port:      ptr.Deref(r.Port, 0),
	}
}

// isGateway is true for a parent that is a Gateway API Gateway.
func (k parentKey) isGateway() bool {
	return k.Group == gatewayv1.GroupName && k.Kind == "Gateway"
}

// String names the parent for messages: Gateway ns/name, listener and port
// when the reference names them.
func (k parentKey) String() string {
	s := k.Kind + " " + k.Namespace + "/" + k.Name
	if k.Section != "" {
		s += " listener " + k.Section
	}
	if k.Port != 0 {
		s += fmt.Sprintf(" port %d", k.Port)
	}
	return s
}
