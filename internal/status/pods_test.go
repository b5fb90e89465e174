package status

import (
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/diagnose"
)

// TestUnready proves which workloads' pods are read: those observed and
// not ready, by the same health the conditions report.
func TestUnready(t *testing.T) {
	sets := []compose.PodSet{{Resource: compose.ResourceWorkload}, {Resource: compose.ResourcePrefill}, {Resource: compose.ResourcePickerDeployment}}
	cases := map[string]struct {
		reason   string
		observed map[resource.Name]string
		want     []resource.Name
	}{
		"AllReady": {
			reason: "Ready workloads' pods are never read.",
			observed: map[resource.Name]string{
				compose.ResourceWorkload: availableDeployment, compose.ResourcePrefill: availableDeployment, compose.ResourcePickerDeployment: availablePicker,
			},
		},
		"NotObserved": {
			reason:   "A workload not created yet has no pods.",
			observed: map[resource.Name]string{compose.ResourceWorkload: availableDeployment},
		},
		"OneDownOneStale": {
			reason: "A workload reporting unavailable, and one whose controller has not observed its generation, are not ready.",
			observed: map[resource.Name]string{
				compose.ResourceWorkload: staleDeployment, compose.ResourcePrefill: downDeployment, compose.ResourcePickerDeployment: availablePicker,
			},
			want: []resource.Name{compose.ResourceWorkload, compose.ResourcePrefill},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []resource.Name
			for _, ps := range Unready(&compose.Result{PodSets: sets}, observedSet(t, tc.observed)) {
				got = append(got, ps.Resource)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nUnready: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestComputeDiagnoses proves a diagnosis becomes the reason and message
// of the workload's condition, and of the aggregate, but only while the
// workload is not ready: a diagnosis computed from pods read before it
// became ready says nothing of it now.
func TestComputeDiagnoses(t *testing.T) {
	d := diagnose.Diagnosis{Reason: diagnose.ReasonUnschedulable, Message: "pod m-workload-a: cannot be scheduled"}
	cases := map[string]struct {
		reason   string
		observed string
		want     []Condition
	}{
		"NotReady": {
			reason:   "The pods' cause replaces the Deployment's 'minimum availability'.",
			observed: observedDeployment("m-workload", 1, 1, `status: "False", reason: MinimumReplicasUnavailable, message: no`),
			want: []Condition{
				cond(TypeMainWorkloadReady, false, diagnose.ReasonUnschedulable, "pod m-workload-a: cannot be scheduled"),
				cond(TypeWorkloadsReady, false, diagnose.ReasonUnschedulable, "main workload: pod m-workload-a: cannot be scheduled"),
			},
		},
		"Ready": {
			reason:   "A ready workload is ready, whatever was diagnosed.",
			observed: availableDeployment,
			want:     available(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out := Compute(Input{
				Composed:  singleNode(),
				Observed:  observedSet(t, map[resource.Name]string{compose.ResourceWorkload: tc.observed, compose.ResourceWorkloadService: existingService}),
				Diagnoses: map[resource.Name]diagnose.Diagnosis{compose.ResourceWorkload: d},
			})
			if diff := cmp.Diff(tc.want, out.Conditions); diff != "" {
				t.Errorf("%s\nconditions: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
