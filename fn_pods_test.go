package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
)

// unavailable is the seed's workload Deployment as its controller reports
// it while no pod is available.
const unavailable = `{"apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "llama-3-8b-workload", "namespace": "default", "generation": 2},
  "status": {"observedGeneration": 2, "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
    "message": "Deployment does not have minimum availability."}]}}`

// seedWith is the healthy seed with some resources observed otherwise.
func seedWith(observed map[string]string) map[string]string {
	o := healthySeed()
	for k, v := range observed {
		o[k] = v
	}
	return o
}

// TestRunFunctionReadsPodsOnlyWhileNotReady proves the function asks
// Crossplane for the pods of a workload while it is not ready, and only
// then, by the labels the workload's pods carry.
func TestRunFunctionReadsPodsOnlyWhileNotReady(t *testing.T) {
	cases := map[string]struct {
		reason   string
		observed map[string]string
		want     []string
	}{
		"Ready": {
			reason:   "A ready service reads no pods: the steady state costs what it did.",
			observed: healthySeed(),
		},
		"NotCreated": {
			reason: "Workloads not created yet have no pods to read.",
		},
		"MainNotReady": {
			reason:   "The pods of the main workload, which is not available.",
			observed: seedWith(map[string]string{"workload-deployment": unavailable}),
			want:     []string{"pods/workload-deployment"},
		},
		"PickerNotReady": {
			reason:   "The picker's pods, when its Deployment is not available.",
			observed: seedWith(map[string]string{"scheduler-deployment": strings.ReplaceAll(unavailable, "llama-3-8b-workload", "llama-3-8b-epp")}),
			want:     []string{"pods/scheduler-deployment"},
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), newRequest(seedXR, tc.observed, ""))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range summarise(rsp).Requirements {
				if !strings.HasPrefix(n, "pods/") {
					continue
				}
				got = append(got, n)
				// The selector must select the pods the workload makes.
				sel := rsp.GetRequirements().GetResources()[n]
				res := strings.TrimPrefix(n, "pods/")
				tmpl := rsp.GetDesired().GetResources()[res].GetResource().AsMap()
				labels := dig(tmpl, "spec", "template", "metadata", "labels")
				pod := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p", "namespace": "default", "labels": labels}}
				if !selects(sel, pod) {
					t.Errorf("%s\n%s selects %v in %s, not the pods of %s, labelled %v", tc.reason, n, sel.GetMatchLabels().GetLabels(), sel.GetNamespace(), res, labels)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\npod requirements: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func dig(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, _ := v.(map[string]any)
		v = mm[p]
	}
	return v
}

// seedPod is a pod of the seed's main workload with the given status.
func seedPod(t *testing.T, name, status string) string {
	t.Helper()
	pod := `{"apiVersion": "v1", "kind": "Pod",
	  "metadata": {"name": "` + name + `", "namespace": "default",
	    "labels": {"app.kubernetes.io/name": "llama-3-8b", "app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/component": "llminferenceservice-workload"}},
	  "spec": {"initContainers": [{"name": "storage-initializer", "image": "kserve/storage-initializer"}],
	    "containers": [{"name": "main", "image": "vllm/vllm-openai", "startupProbe": {"httpGet": {"path": "/health", "port": 8000}}}]},
	  "status": ` + status + `}`
	if !json.Valid([]byte(pod)) {
		t.Fatalf("bad test pod %s", pod)
	}
	return pod
}

// crashing is the status of a pod whose vLLM exits with message.
func crashing(message string) string {
	m, _ := json.Marshal(message)
	return `{"phase": "Running", "containerStatuses": [{"name": "main", "restartCount": 2, "started": false, "ready": false, "image": "vllm/vllm-openai", "imageID": "",
	  "state": {"waiting": {"reason": "CrashLoopBackOff"}},
	  "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": ` + string(m) + `}}}]}`
}

// TestRunFunctionDiagnosesPods proves what the pods say reaches the
// workload's condition and the aggregate, and that the workload stays not
// ready.
func TestRunFunctionDiagnosesPods(t *testing.T) {
	f := &Function{log: logging.NewNopLogger()}
	observed := seedWith(map[string]string{"workload-deployment": unavailable})
	xr := strings.Replace(seedXR, `"image": "vllm/vllm-openai:latest",`, `"image": "vllm/vllm-openai:latest", "args": ["--max-model-lenn", "4096"],`, 1)
	req := withRequired(newRequest(xr, observed, ""), map[string][]string{
		"pods/workload-deployment": {
			seedPod(t, "llama-3-8b-workload-b", `{"phase": "Running", "containerStatuses": [{"name": "main", "ready": true, "started": true, "restartCount": 0, "image": "", "imageID": "", "state": {"running": {}}}]}`),
			seedPod(t, "llama-3-8b-workload-a", crashing("vllm serve: error: unrecognized arguments: --max-model-lenn 4096")),
		},
	})
	rsp, err := f.RunFunction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	s := summarise(rsp)
	if s.Resources["workload-deployment"] != fnv1.Ready_READY_FALSE {
		t.Errorf("the workload is %v, want not ready: a diagnosis changes the message, never the readiness", s.Resources["workload-deployment"])
	}
	want := map[string]string{
		"MainWorkloadReady": "CrashLoopBackOff: pod llama-3-8b-workload-a: container main exited with code 1 (restarted 2 times) and is in CrashLoopBackOff: " +
			"vllm serve: error: unrecognized arguments: --max-model-lenn 4096: vLLM does not know --max-model-lenn, written in spec.template.containers[main].args: " +
			"remove it, or run a vLLM image that has it",
	}
	want["WorkloadsReady"] = strings.Replace(want["MainWorkloadReady"], "pod ", "main workload: pod ", 1)
	got := map[string]string{}
	for _, c := range rsp.GetConditions() {
		if _, ok := want[c.GetType()]; ok {
			got[c.GetType()] = c.GetReason() + ": " + c.GetMessage()
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conditions: -want, +got:\n%s", diff)
	}
	if !slicesContain(s.Requirements, "pods/workload-deployment") {
		t.Errorf("the function stopped asking for the pods it diagnoses: %v", s.Requirements)
	}
}

func slicesContain(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}
