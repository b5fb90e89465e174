package status

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// ReasonStopped is the reason of every condition of a stopped service, and
// MessageStopped their message: KServe's.
const (
	ReasonStopped  = "Stopped"
	MessageStopped = "Service is stopped"
)

// stoppable are the conditions KServe reports as stopped, and their
// rollups. A stopped service reports the ones it reports when it runs and
// those the XR still carries; not the others, as KServe does: Crossplane
// keeps a condition the function no longer reports, so one the service
// never has again would read Stopped long after it started.
var stoppable = map[string]bool{
	TypeWorkloadsReady:             true,
	TypeMainWorkloadReady:          true,
	TypeWorkerWorkloadReady:        true,
	TypePrefillWorkloadReady:       true,
	TypePrefillWorkerWorkloadReady: true,
	TypeRouterReady:                true,
	TypeGatewaysReady:              true,
	TypeHTTPRoutesReady:            true,
	TypeInferencePoolReady:         true,
	TypeSchedulerWorkloadReady:     true,
	TypeTokenizerReady:             true,
	// A stopped service is in no route group and serves no model names.
	TypeGroupReady:         true,
	TypeGroupDegraded:      true,
	TypeModelNameCollision: true,
}

// stopped is the output for a stopped service, from the one computed for
// what it would compose (in.Composed): every condition False with reason
// Stopped, whatever computed it, so a condition a later feature adds is
// stopped too, and the XR held not ready. The status keeps what the
// service is made of and nothing of what serves it, as KServe clears
// addresses, router and workloads. Unlike KServe, the URL goes too: every
// URL the status names is one of its addresses, and nothing answers at any
// of them while the route and the workloads are gone.
func stopped(in Input, out Output) Output {
	msg := MessageStopped
	if in.StopWarning != "" {
		msg += " with warning: " + in.StopWarning
	}
	seen := map[string]bool{}
	conds := make([]Condition, 0, len(out.Conditions)+len(in.Previous)+1)
	add := func(typ string) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		conds = append(conds, Condition{Type: typ, Status: metav1.ConditionFalse, Reason: ReasonStopped, Message: msg})
	}
	for _, c := range out.Conditions {
		add(c.Type)
	}
	for _, typ := range in.Previous {
		if stoppable[typ] {
			add(typ)
		}
	}
	add(TypeWorkloadsReady)
	return Output{
		Resources:  out.Resources,
		Conditions: conds,
		RefsReady:  out.RefsReady,
		Stopped:    true,
		Status: spec.LLMInferenceServiceStatus{
			AppliedConfigs: appliedConfigs(in.Layers),
			Configurations: configurations(in.Layers),
			GPUs:           gpus(nil, in.GPUResource),
		},
	}
}
