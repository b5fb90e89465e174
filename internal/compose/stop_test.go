package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// TestStop checks that a stopped service composes nothing, whatever its
// topology and traffic path: every object Build returns is filtered, so
// every one of them is deleted.
func TestStop(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	router := map[string]any{"scheduler": map[string]any{}, "gateway": map[string]any{}, "route": map[string]any{}}
	cases := map[string]struct {
		reason string
		spec   map[string]any
	}{
		"Minimal": {
			reason: "The workload and its Service go.",
			spec:   map[string]any{"model": model},
		},
		"FullTrafficPath": {
			reason: "The pool, the picker with its RBAC and config, the Gateway and the route go too.",
			spec:   map[string]any{"model": model, "router": router},
		},
		"PrefillMultiNode": {
			reason: "Both workloads of a disaggregated service go, LeaderWorkerSets too.",
			spec: map[string]any{
				"model": model, "router": router,
				"worker": map[string]any{}, "parallelism": map[string]any{"data": 2, "dataLocal": 1},
				"prefill": map[string]any{"replicas": 2},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			full := buildWith(t, config.Default(), tc.spec)
			if len(full.Objects) == 0 || len(full.Workloads) == 0 {
				t.Fatalf("%s\nBuild composed nothing to stop", tc.reason)
			}
			got := Stop(full)
			if diff := cmp.Diff(&Result{}, got); diff != "" {
				t.Errorf("%s\nStop(%v): -want +got:\n%s", tc.reason, keysOf(full.Objects), diff)
			}
		})
	}
}
