package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// TestRolloutStrategy checks what rolloutStrategy becomes on each kind of
// workload, main and prefill, as Crossplane applies it (ToComposed): a
// zero that Kubernetes would default to something else must be sent.
func TestRolloutStrategy(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	multiNode := func(w map[string]any) map[string]any {
		w["worker"] = map[string]any{}
		w["parallelism"] = map[string]any{"data": 2, "dataLocal": 1}
		return w
	}
	cases := map[string]struct {
		reason string
		spec   map[string]any
		// resource is the workload's composition resource name.
		resource string
		// path to the strategy in the composed object.
		path []string
		want any
	}{
		"DeploymentUnset": {
			reason:   "Without rolloutStrategy the Deployment keeps Kubernetes' default strategy.",
			spec:     map[string]any{"model": model},
			resource: ResourceWorkload,
			path:     []string{"spec", "strategy"},
		},
		"DeploymentEmpty": {
			reason:   "An empty rolloutStrategy sets nothing, as in KServe.",
			spec:     map[string]any{"model": model, "rolloutStrategy": map[string]any{}},
			resource: ResourceWorkload,
			path:     []string{"spec", "strategy"},
		},
		"DeploymentBoth": {
			reason:   "Both values go onto the rolling update; a zero is sent, since Kubernetes would default it to 25%.",
			spec:     map[string]any{"model": model, "rolloutStrategy": map[string]any{"maxUnavailable": 0, "maxSurge": "50%"}},
			resource: ResourceWorkload,
			path:     []string{"spec", "strategy"},
			want:     map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"maxUnavailable": int64(0), "maxSurge": "50%"}},
		},
		"DeploymentOne": {
			reason:   "The value left out is Kubernetes' default, not KServe's LeaderWorkerSet one.",
			spec:     map[string]any{"model": model, "rolloutStrategy": map[string]any{"maxSurge": 1}},
			resource: ResourceWorkload,
			path:     []string{"spec", "strategy"},
			want:     map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"maxSurge": int64(1)}},
		},
		"PrefillDeployment": {
			reason: "The prefill workload takes spec.prefill.rolloutStrategy, not the main one's.",
			spec: map[string]any{
				"model": model, "rolloutStrategy": map[string]any{"maxSurge": 1},
				"prefill": map[string]any{"rolloutStrategy": map[string]any{"maxUnavailable": "10%"}},
			},
			resource: ResourcePrefill,
			path:     []string{"spec", "strategy"},
			want:     map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"maxUnavailable": "10%"}},
		},
		"LeaderWorkerSetUnset": {
			reason:   "A LeaderWorkerSet always rolls, with its own defaults when rolloutStrategy is unset.",
			spec:     multiNode(map[string]any{"model": model}),
			resource: ResourceWorkloadMN,
			path:     []string{"spec", "rolloutStrategy"},
			want:     map[string]any{"type": "RollingUpdate"},
		},
		"LeaderWorkerSetSurge": {
			reason:   "The missing maxUnavailable is KServe's 1.",
			spec:     multiNode(map[string]any{"model": model, "rolloutStrategy": map[string]any{"maxSurge": 2}}),
			resource: ResourceWorkloadMN,
			path:     []string{"spec", "rolloutStrategy"},
			want:     map[string]any{"type": "RollingUpdate", "rollingUpdateConfiguration": map[string]any{"maxUnavailable": int64(1), "maxSurge": int64(2)}},
		},
		"LeaderWorkerSetUnavailable": {
			reason:   "The missing maxSurge is KServe's 0, sent explicitly.",
			spec:     multiNode(map[string]any{"model": model, "rolloutStrategy": map[string]any{"maxUnavailable": "50%"}}),
			resource: ResourceWorkloadMN,
			path:     []string{"spec", "rolloutStrategy"},
			want:     map[string]any{"type": "RollingUpdate", "rollingUpdateConfiguration": map[string]any{"maxUnavailable": "50%", "maxSurge": int64(0)}},
		},
		"LeaderWorkerSetZeroUnavailable": {
			reason:   "maxUnavailable 0 is sent: the LeaderWorkerSet CRD would default a missing one to 1.",
			spec:     multiNode(map[string]any{"model": model, "rolloutStrategy": map[string]any{"maxUnavailable": 0, "maxSurge": 1}}),
			resource: ResourceWorkloadMN,
			path:     []string{"spec", "rolloutStrategy"},
			want:     map[string]any{"type": "RollingUpdate", "rollingUpdateConfiguration": map[string]any{"maxUnavailable": int64(0), "maxSurge": int64(1)}},
		},
		"PrefillLeaderWorkerSet": {
			reason: "A multi-node prefill workload takes spec.prefill.rolloutStrategy.",
			spec: map[string]any{
				"model":   model,
				"prefill": multiNode(map[string]any{"rolloutStrategy": map[string]any{"maxSurge": "20%"}}),
			},
			resource: ResourcePrefillMN,
			path:     []string{"spec", "rolloutStrategy"},
			want:     map[string]any{"type": "RollingUpdate", "rollingUpdateConfiguration": map[string]any{"maxUnavailable": int64(1), "maxSurge": "20%"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, config.Default(), tc.spec)
			var obj Object
			for _, o := range res.Objects {
				if string(o.Name) == tc.resource {
					obj = o
				}
			}
			if obj.Object == nil {
				t.Fatalf("%s\nno %s among %v", tc.reason, tc.resource, keysOf(res.Objects))
			}
			cd, err := ToComposed(obj.Object)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := unstructured.NestedFieldNoCopy(cd.Object, tc.path...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n%s %v: -want +got:\n%s", tc.reason, tc.resource, tc.path, diff)
			}
		})
	}
}
