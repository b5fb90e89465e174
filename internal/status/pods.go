package status

import (
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/diagnose"
)

// Unready are the composed workloads whose pods are worth reading: those
// observed and not ready, by the health Compute gives them. A ready
// workload's pods are never read, so a serving service costs no more than
// it did; one not created yet has none.
func Unready(composed *compose.Result, observed map[resource.Name]resource.ObservedComposed) []compose.PodSet {
	var out []compose.PodSet
	for _, ps := range composed.PodSets {
		if _, ok := observed[ps.Resource]; !ok {
			continue
		}
		if !observe(observed, ps.Resource).Ready {
			out = append(out, ps)
		}
	}
	return out
}

// diagnosed replaces the health of each workload that is not ready with
// what its pods say: the workload's own status ("does not have minimum
// availability") says only that it is not ready.
func diagnosed(health map[resource.Name]Health, ds map[resource.Name]diagnose.Diagnosis) {
	for name, d := range ds {
		if h, ok := health[name]; ok && !h.Ready {
			health[name] = Health{Reason: d.Reason, Message: d.Message}
		}
	}
}
