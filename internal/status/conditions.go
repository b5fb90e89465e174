package status

import (
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
)

// Condition types on the XR, in KServe's vocabulary.
const (
	TypeWorkloadsReady             = "WorkloadsReady"
	TypeMainWorkloadReady          = "MainWorkloadReady"
	TypeWorkerWorkloadReady        = "WorkerWorkloadReady"
	TypePrefillWorkloadReady       = "PrefillWorkloadReady"
	TypePrefillWorkerWorkloadReady = "PrefillWorkerWorkloadReady"

	TypeRouterReady            = "RouterReady"
	TypeGatewaysReady          = "GatewaysReady"
	TypeHTTPRoutesReady        = "HTTPRoutesReady"
	TypeInferencePoolReady     = "InferencePoolReady"
	TypeSchedulerWorkloadReady = "SchedulerWorkloadReady"
	// TypeTokenizerReady covers the tokenizer of precise prefix-cache
	// routing, which rolls into RouterReady as in KServe.
	TypeTokenizerReady = "TokenizerReady"
)

// Reasons of True conditions: KServe's, which differ between workloads and
// the router.
const (
	ReasonAvailable = "Available"
	ReasonReady     = "Ready"
)

// A Condition is one condition the function reports on the XR and its
// claim.
type Condition struct {
	Type   string
	Status metav1.ConditionStatus
	Reason string
	// Message says what is not ready; a True condition has none.
	Message string
}

// item is one object a condition waits for.
type item struct {
	// what names the object in the condition's message; empty when the
	// condition covers this object only and its type names it.
	what   string
	health Health
}

// A part is the objects behind one condition.
type part struct {
	typ string
	// label names the part in the message of the condition it adds up to.
	label string
	items []item
}

// verdict is the part's condition: the first object not ready decides the
// reason; the message names every object that is not ready.
func (p part) verdict(readyReason string) Condition {
	var reason string
	var msgs []string
	for _, it := range p.items {
		if it.health.Ready {
			continue
		}
		if reason == "" {
			reason = it.health.Reason
		}
		msg := it.health.Message
		if it.what != "" {
			msg = it.what + ": " + msg
		}
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		return Condition{Type: p.typ, Status: metav1.ConditionTrue, Reason: readyReason}
	}
	return Condition{Type: p.typ, Status: metav1.ConditionFalse, Reason: reason, Message: strings.Join(msgs, "; ")}
}

// aggregate reports each part that has objects, then condition typ: True
// when every part is, else the first part that is not ready decides, as
// KServe does. Its result is false when a part is not ready.
func aggregate(typ, readyReason string, parts []part) ([]Condition, bool) {
	conds := make([]Condition, 0, len(parts)+1)
	var first *Condition
	var label string
	for _, p := range parts {
		if len(p.items) == 0 {
			continue
		}
		c := p.verdict(readyReason)
		if c.Status != metav1.ConditionTrue && first == nil {
			first, label = &c, p.label
		}
		conds = append(conds, c)
	}
	if first == nil {
		return append(conds, Condition{Type: typ, Status: metav1.ConditionTrue, Reason: readyReason}), true
	}
	return append(conds, Condition{Type: typ, Status: metav1.ConditionFalse, Reason: first.Reason, Message: label + ": " + first.Message}), false
}

// workloadParts are the model-server workloads in KServe's vocabulary. A
// LeaderWorkerSet is available only when its leader and workers are, so its
// worker condition shares its health.
func workloadParts(wls []compose.Workload, health map[resource.Name]Health) []part {
	var parts []part
	add := func(typ, label string, h Health) {
		parts = append(parts, part{typ: typ, label: label, items: []item{{health: h}}})
	}
	for _, wl := range wls {
		h := health[resource.Name(wl.Resource)]
		switch {
		case !wl.Prefill:
			add(TypeMainWorkloadReady, "main workload", h)
			if wl.MultiNode {
				add(TypeWorkerWorkloadReady, "worker pods", h)
			}
		default:
			add(TypePrefillWorkloadReady, "prefill workload", h)
			if wl.MultiNode {
				add(TypePrefillWorkerWorkloadReady, "prefill worker pods", h)
			}
		}
	}
	return parts
}

// routerParts gathers, per router condition, the composed and referenced
// objects it covers. A part the spec does not configure has none and is
// left out.
func routerParts(objs []compose.Object, health map[resource.Name]Health, refs References) []part {
	composed := func(name resource.Name) []item {
		for _, o := range objs {
			if o.Name == name {
				return []item{{what: describe(o), health: health[name]}}
			}
		}
		return nil
	}
	referenced := func(rs ...Reference) []item {
		out := make([]item, 0, len(rs))
		for _, r := range rs {
			out = append(out, item{what: r.String(), health: r.health()})
		}
		return out
	}
	parts := []part{
		{typ: TypeGatewaysReady, items: append(composed(compose.ResourceGateway), referenced(refs.Gateways...)...)},
		{typ: TypeHTTPRoutesReady, items: append(composed(compose.ResourceRoute), referenced(refs.Routes...)...)},
		{typ: TypeInferencePoolReady, items: append(composed(compose.ResourcePool), referenced(refs.pools()...)...)},
		{typ: TypeSchedulerWorkloadReady, items: composed(compose.ResourcePickerDeployment)},
		{typ: TypeTokenizerReady, items: composed(compose.ResourceTokenizerDeployment)},
	}
	for i := range parts {
		parts[i].label = parts[i].typ
	}
	return parts
}

// describe names a composed object the way a user would look for it: kind,
// namespace and name, as composed.
func describe(o compose.Object) string {
	return o.Object.GetObjectKind().GroupVersionKind().Kind + " " + o.Object.GetNamespace() + "/" + o.Object.GetName()
}
