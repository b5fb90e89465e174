package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestRunFunctionStop runs whole RunFunction calls for the stop
// annotation: a stopped service desires nothing, so Crossplane deletes
// every object it composed, and says Stopped; a value that does not stop
// composes as before, with a warning; a stopped service with a broken
// configuration stops all the same.
func TestRunFunctionStop(t *testing.T) {
	// stoppedXR is the seed with the stop annotation set to value, and
	// the conditions an earlier call left on it.
	stoppedXR := func(value, spec string) string {
		return `{"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceService",
		  "metadata": {"name": "llama-3-8b", "namespace": "default", "annotations": {"serving.kserve.io/stop": "` + value + `"}},
		  "spec": ` + spec + `,
		  "status": {"conditions": [
		    {"type": "Ready", "status": "True", "reason": "Available"},
		    {"type": "MainWorkloadReady", "status": "True", "reason": "Available"},
		    {"type": "PrefillWorkloadReady", "status": "True", "reason": "Available"},
		    {"type": "SomeoneElsesCondition", "status": "True", "reason": "Fine"}
		  ]}}`
	}
	const seedSpec = `{
	    "model": {"uri": "hf://meta-llama/Llama-3.1-8B-Instruct", "name": "meta-llama/Llama-3.1-8B-Instruct"},
	    "replicas": 3,
	    "template": {"containers": [{"name": "main", "image": "vllm/vllm-openai:latest",
	      "resources": {"limits": {"nvidia.com/gpu": "1", "cpu": "8", "memory": "32Gi"}}}]},
	    "router": {"gateway": {}, "route": {}, "scheduler": {}}
	  }`
	const stopped = "STATUS_CONDITION_FALSE/Stopped"
	seedStopped := map[string]string{
		"MainWorkloadReady": stopped, "WorkloadsReady": stopped,
		"GatewaysReady": stopped, "HTTPRoutesReady": stopped, "InferencePoolReady": stopped, "SchedulerWorkloadReady": stopped,
		"RouterReady": stopped,
		// Left by an earlier call: it must not read True while nothing
		// runs.
		"PrefillWorkloadReady": stopped,
	}
	seedNotReady := map[string]fnv1.Ready{}
	for k := range healthySeed() {
		seedNotReady[k] = fnv1.Ready_READY_FALSE
	}

	cases := map[string]struct {
		reason string
		req    *fnv1.RunFunctionRequest
		want   summary
		// wantMessage is in the message of every condition.
		wantMessage string
		// wantStatus, when set, is the whole status written.
		wantStatus map[string]any
	}{
		"Stopped": {
			reason: "A stopped service that runs healthy desires nothing: every object goes, the conditions say Stopped, the XR is held not ready and waits for nothing.",
			req:    newRequest(stoppedXR("true", seedSpec), healthySeed(), ""),
			want: summary{
				Resources: map[string]fnv1.Ready{}, Conditions: seedStopped,
				TTL: 10 * time.Minute, XRReady: fnv1.Ready_READY_FALSE,
			},
			wantMessage: "Service is stopped",
			wantStatus: map[string]any{
				"appliedConfigs": []any{
					map[string]any{"name": "single-node", "source": "Preset"},
					map[string]any{"name": "scheduler", "source": "Preset"},
					map[string]any{"name": "function-input", "source": "Preset"},
				},
				"configurations": []any{
					map[string]any{"name": "single-node", "source": "BuiltIn"},
					map[string]any{"name": "scheduler", "source": "BuiltIn"},
					map[string]any{"name": "function-input", "source": "FunctionInput"},
					map[string]any{"name": "llama-3-8b", "source": "Spec"},
				},
				"gpus": map[string]any{"resource": "nvidia.com/gpu", "total": float64(0), "main": float64(0)},
			},
		},
		"StoppedAnyCase": {
			reason: "KServe compares the value case-insensitively.",
			req:    newRequest(stoppedXR("True", seedSpec), nil, ""),
			want: summary{
				Resources: map[string]fnv1.Ready{}, Conditions: seedStopped,
				TTL: 10 * time.Minute, XRReady: fnv1.Ready_READY_FALSE,
			},
		},
		"StoppedInvalid": {
			reason: "A configuration error does not hold a stop back: nothing is composed, the error is a warning and in the conditions.",
			req:    newRequest(stoppedXR("true", `{"model": {"uri": "gs://bucket/model"}}`), nil, ""),
			want: summary{
				Warnings: 1, Resources: map[string]fnv1.Ready{},
				Conditions: map[string]string{"WorkloadsReady": stopped, "MainWorkloadReady": stopped, "PrefillWorkloadReady": stopped},
				TTL:        10 * time.Minute, XRReady: fnv1.Ready_READY_FALSE,
			},
			wantMessage: `Service is stopped with warning: invalid LLMInferenceService: spec.model.uri: Invalid value: "gs://bucket/model"`,
		},
		"Typo": {
			reason: "A value other than true or false stops nothing: the service composes as before, with a warning.",
			req:    newRequest(stoppedXR("ture", seedSpec), nil, ""),
			want: summary{
				Warnings: 1, Resources: seedNotReady, Namespace: "default",
				URL: "http://llama-3-8b-workload.default.svc.cluster.local:8000",
				TTL: 30 * time.Second, Requirements: []string{requirementPeers},
			},
		},
		"StartedInvalid": {
			reason: "Without the stop, the same configuration error is Fatal: Crossplane applies and deletes nothing.",
			req:    newRequest(stoppedXR("false", `{"model": {"uri": "gs://bucket/model"}}`), nil, ""),
			want:   summary{Fatal: `invalid LLMInferenceService: spec.model.uri: Invalid value: "gs://bucket/model"`},
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			got := summarise(rsp)
			if name == "Typo" {
				// The running service's conditions are TestRunFunction's.
				got.Conditions = nil
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b string) bool {
				// A Fatal result is matched by what it must say.
				return a == b || (strings.HasPrefix(b, "invalid") && strings.Contains(b, a))
			})); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
			if tc.wantMessage != "" {
				for _, c := range rsp.GetConditions() {
					if !strings.Contains(c.GetMessage(), tc.wantMessage) {
						t.Errorf("%s\ncondition %s: message %q does not say %q", tc.reason, c.GetType(), c.GetMessage(), tc.wantMessage)
					}
				}
			}
			if tc.wantStatus != nil {
				status := rsp.GetDesired().GetComposite().GetResource().GetFields()["status"].GetStructValue().AsMap()
				if diff := cmp.Diff(tc.wantStatus, status); diff != "" {
					t.Errorf("%s\nstatus: -want +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}
