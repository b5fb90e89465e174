package status

import (
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
)

// TestCheckScalers reads HPAs and ScaledObjects as KServe does.
func TestCheckScalers(t *testing.T) {
	const hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
	const so = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: s}\n"
	cases := map[string]struct {
		reason string
		o      string
		want   Health
	}{
		"HPANoConditions": {
			reason: "an HPA its controller has not looked at yet is progressing",
			o:      hpa,
			want:   Health{Reason: ReasonHPAProgressing, Message: "the HorizontalPodAutoscaler controller reports no conditions yet"},
		},
		"HPAScaling": {
			reason: "an HPA that can scale and is active is ready; ScalingLimited is no fault",
			o: hpa + `status:
  conditions:
  - {type: AbleToScale, status: "True", reason: ReadyForNewScale}
  - {type: ScalingActive, status: "True", reason: ValidMetricFound}
  - {type: ScalingLimited, status: "True", reason: TooFewReplicas}`,
			want: Health{Ready: true},
		},
		"HPANoMetric": {
			reason: "an HPA that cannot read wva_desired_replicas says why",
			o: hpa + `status:
  conditions:
  - {type: AbleToScale, status: "True", reason: SucceededGetScale}
  - {type: ScalingActive, status: "False", reason: FailedGetExternalMetric, message: "unable to get external metric wva_desired_replicas"}`,
			want: Health{Reason: "FailedGetExternalMetric", Message: "unable to get external metric wva_desired_replicas"},
		},
		"HPAUnableToScale": {
			reason: "AbleToScale False is reported before ScalingActive",
			o: hpa + `status:
  conditions:
  - {type: ScalingActive, status: "False", reason: FailedGetExternalMetric}
  - {type: AbleToScale, status: "False", reason: FailedGetScale, message: "no scale subresource"}`,
			want: Health{Reason: "FailedGetScale", Message: "no scale subresource"},
		},
		"ScaledObjectNoConditions": {
			reason: "a ScaledObject KEDA has not reconciled yet is progressing",
			o:      so,
			want:   Health{Reason: ReasonScaledObjectProgressing, Message: "KEDA reports no Ready condition yet"},
		},
		"ScaledObjectUnknown": {
			reason: "Ready Unknown is still progressing",
			o:      so + "status:\n  conditions: [{type: Ready, status: Unknown, reason: ScaledObjectCheckFailed}]",
			want:   Health{Reason: ReasonScaledObjectProgressing, Message: "KEDA reports no Ready condition yet"},
		},
		"ScaledObjectFailed": {
			reason: "Ready False carries KEDA's reason",
			o:      so + "status:\n  conditions: [{type: Ready, status: \"False\", reason: ScaledObjectCheckFailed, message: \"prometheus unreachable\"}]",
			want:   Health{Reason: "ScaledObjectCheckFailed", Message: "prometheus unreachable"},
		},
		"ScaledObjectReady": {
			reason: "Ready True is ready",
			o:      so + "status:\n  conditions: [{type: Ready, status: \"True\", reason: ScaledObjectReady}, {type: Active, status: \"False\"}]",
			want:   Health{Ready: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Check(observed(t, tc.o))); diff != "" {
				t.Errorf("%s\nCheck(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestScalingConditions: ScalingReady and PrefillScalingReady come from
// the observed autoscalers and roll up into WorkloadsReady after the
// workloads' conditions, as KServe orders them.
func TestScalingConditions(t *testing.T) {
	readyDeployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, generation: 1}\nstatus:\n  observedGeneration: 1\n  conditions: [{type: Available, status: \"True\", reason: MinimumReplicasAvailable}]"
	readyHPA := "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nstatus:\n  conditions: [{type: AbleToScale, status: \"True\"}, {type: ScalingActive, status: \"True\"}]"
	workloads := []compose.Workload{{Resource: compose.ResourceWorkload}, {Resource: compose.ResourcePrefill, Prefill: true}}
	cases := map[string]struct {
		reason   string
		scalers  []compose.Scaler
		observed map[resource.Name]string
		want     []Condition
	}{
		"NoScaling": {
			reason:   "without scaling there is no scaling condition",
			observed: map[resource.Name]string{compose.ResourceWorkload: readyDeployment, compose.ResourcePrefill: readyDeployment},
			want: []Condition{
				{Type: TypeMainWorkloadReady, Status: metav1.ConditionTrue, Reason: ReasonAvailable},
				{Type: TypePrefillWorkloadReady, Status: metav1.ConditionTrue, Reason: ReasonAvailable},
				{Type: TypeWorkloadsReady, Status: metav1.ConditionTrue, Reason: ReasonAvailable},
			},
		},
		"NotCreated": {
			reason:   "an autoscaler not observed yet is progressing in its kind's reason, and holds WorkloadsReady",
			scalers:  []compose.Scaler{{Resource: compose.ResourceWorkloadHPA, HPA: true}, {Resource: compose.ResourcePrefillScaledObject, Prefill: true}},
			observed: map[resource.Name]string{compose.ResourceWorkload: readyDeployment, compose.ResourcePrefill: readyDeployment, compose.ResourceWorkloadHPA: readyHPA},
			want: []Condition{
				{Type: TypeMainWorkloadReady, Status: metav1.ConditionTrue, Reason: ReasonAvailable},
				{Type: TypePrefillWorkloadReady, Status: metav1.ConditionTrue, Reason: ReasonAvailable},
				{Type: TypeScalingReady, Status: metav1.ConditionTrue, Reason: ReasonAvailable},
				{Type: TypePrefillScalingReady, Status: metav1.ConditionFalse, Reason: ReasonScaledObjectProgressing, Message: "not created yet"},
				{Type: TypeWorkloadsReady, Status: metav1.ConditionFalse, Reason: ReasonScaledObjectProgressing, Message: "prefill workload's autoscaler: not created yet"},
			},
		},
		"HPANotCreated": {
			reason:   "an HPA not observed yet is HPAProgressing",
			scalers:  []compose.Scaler{{Resource: compose.ResourceWorkloadHPA, HPA: true}},
			observed: map[resource.Name]string{compose.ResourceWorkload: readyDeployment, compose.ResourcePrefill: readyDeployment},
			want: []Condition{
				{Type: TypeMainWorkloadReady, Status: metav1.ConditionTrue, Reason: ReasonAvailable},
				{Type: TypePrefillWorkloadReady, Status: metav1.ConditionTrue, Reason: ReasonAvailable},
				{Type: TypeScalingReady, Status: metav1.ConditionFalse, Reason: ReasonHPAProgressing, Message: "not created yet"},
				{Type: TypeWorkloadsReady, Status: metav1.ConditionFalse, Reason: ReasonHPAProgressing, Message: "main workload's autoscaler: not created yet"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := &compose.Result{Workloads: workloads, Scalers: tc.scalers}
			obs := map[resource.Name]resource.ObservedComposed{}
			for _, wl := range workloads {
				res.Objects = append(res.Objects, compose.Object{Name: resource.Name(wl.Resource)})
			}
			for _, s := range tc.scalers {
				res.Objects = append(res.Objects, compose.Object{Name: resource.Name(s.Resource)})
			}
			for n, m := range tc.observed {
				obs[n] = resource.ObservedComposed{Resource: observed(t, m)}
			}
			got := Compute(Input{Composed: res, Observed: obs}).Conditions
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
