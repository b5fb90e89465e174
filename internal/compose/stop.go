package compose

import "github.com/crossplane/function-sdk-go/resource"

// keptWhenStopped are the composition resource names a stopped service
// still composes, each with why. There are none, and the list is here so
// that keeping one is a decision written down, not an accident of where a
// builder appends its objects.
//
// Everything the function composes runs the model (the workloads and what
// scales or schedules them: autoscalers, device claims), reaches it (the
// workload Service, the InferencePool, the endpoint picker with its
// ServiceAccount, RBAC and config, the provider's policies, the Gateway,
// the HTTPRoute, the InferenceObjective), watches it (monitors, and the
// picker's metrics token Secret, which the token controller fills again)
// or guards it (the NetworkPolicies, whose pods are gone).
// None of them holds data: the function composes no PersistentVolumeClaim
// (a kvCacheOffloading pvc.spec tier is a per-pod ephemeral volume that
// goes with its pod), and every name and selector is derived from the XR,
// so all of them come back the same when the service starts again. A managed
// Gateway is deleted too, as a LoadBalancer that costs while nothing
// answers behind it: its address may change when the service starts
// again.
var keptWhenStopped = map[resource.Name]string{}

// Stop is what a stopped service composes: the objects of res that
// keptWhenStopped keeps, and nothing that serves, so no workloads and no
// service URL. It filters whatever Build composed, whatever its kind, so a
// builder added later is stopped too without knowing about it.
func Stop(res *Result) *Result {
	out := &Result{}
	for _, o := range res.Objects {
		if _, ok := keptWhenStopped[o.Name]; ok {
			out.Objects = append(out.Objects, o)
		}
	}
	return out
}
