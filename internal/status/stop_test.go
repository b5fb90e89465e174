package status

import (
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// TestComputeStopped checks the conditions and status of a stopped
// service: each condition of what it would compose, and each of KServe's
// the XR still carries, False with reason Stopped; nothing of what serves
// it in the status; the XR held not ready however healthy what Crossplane
// still observes.
func TestComputeStopped(t *testing.T) {
	stopped := func(msg string, types ...string) []Condition {
		out := make([]Condition, 0, len(types))
		for _, typ := range types {
			out = append(out, cond(typ, false, ReasonStopped, msg))
		}
		return out
	}
	cases := map[string]struct {
		reason   string
		composed *compose.Result
		router   *spec.RouterSpec
		observed map[resource.Name]string
		previous []string
		warning  string
		want     []Condition
	}{
		"Healthy": {
			reason:   "A workload still observed Available reads Stopped: it is on its way out.",
			composed: singleNode(),
			observed: map[resource.Name]string{compose.ResourceWorkload: availableDeployment, compose.ResourceWorkloadService: existingService},
			want:     stopped(MessageStopped, TypeMainWorkloadReady, TypeWorkloadsReady),
		},
		"Router": {
			reason:   "Every router condition the service has is stopped, and the rollup.",
			composed: singleNode(gateway, route, pool, picker),
			router:   &spec.RouterSpec{Gateway: &spec.GatewaySpec{}, Route: &spec.GatewayRoutesSpec{}, Scheduler: &spec.SchedulerSpec{}},
			want: stopped(MessageStopped, TypeMainWorkloadReady, TypeWorkloadsReady,
				TypeGatewaysReady, TypeHTTPRoutesReady, TypeInferencePoolReady, TypeSchedulerWorkloadReady, TypeRouterReady),
		},
		"PrefillMultiNode": {
			reason: "Both workloads of a multi-node disaggregated service, leaders and workers.",
			composed: result([]compose.Workload{{Resource: compose.ResourceWorkloadMN, MultiNode: true}, {Resource: compose.ResourcePrefillMN, Prefill: true, MultiNode: true}},
				mainLWS, prefillLWS, workloadSvc),
			want: stopped(MessageStopped, TypeMainWorkloadReady, TypeWorkerWorkloadReady, TypePrefillWorkloadReady, TypePrefillWorkerWorkloadReady, TypeWorkloadsReady),
		},
		"Previous": {
			reason:   "A condition of KServe's an earlier call left is stopped too, not left True; Crossplane's and other steps' are not touched.",
			composed: singleNode(),
			previous: []string{"Ready", "Synced", TypePrefillWorkloadReady, "SomeoneElsesCondition", TypeMainWorkloadReady},
			want:     stopped(MessageStopped, TypeMainWorkloadReady, TypeWorkloadsReady, TypePrefillWorkloadReady),
		},
		"InvalidConfiguration": {
			reason:   "Without a plan nothing is composed: the workloads rollup and what the XR carries are stopped, with the error.",
			composed: &compose.Result{},
			previous: []string{TypeMainWorkloadReady, TypeRouterReady},
			warning:  "invalid LLMInferenceService: spec.replicas: Invalid value: -1",
			want:     stopped("Service is stopped with warning: invalid LLMInferenceService: spec.replicas: Invalid value: -1", TypeWorkloadsReady, TypeMainWorkloadReady, TypeRouterReady),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := Input{Composed: tc.composed, Observed: observedSet(t, tc.observed), Stopped: true, StopWarning: tc.warning, Previous: tc.previous, GPUResource: "nvidia.com/gpu"}
			if tc.router != nil {
				in.Service = service(tc.router)
			}
			out := Compute(in)
			if diff := cmp.Diff(tc.want, out.Conditions); diff != "" {
				t.Errorf("%s\nconditions: -want +got:\n%s", tc.reason, diff)
			}
			if out.Ready || !out.Stopped {
				t.Errorf("%s\nReady %t, Stopped %t: want not ready and stopped", tc.reason, out.Ready, out.Stopped)
			}
			want := spec.LLMInferenceServiceStatus{GPUs: &spec.GPUStatus{Resource: "nvidia.com/gpu"}}
			if diff := cmp.Diff(want, out.Status, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nstatus: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
