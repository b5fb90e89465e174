package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// templatedInput publishes a preset with templates and the platform's
// namespace.
func templatedInput(systemNamespace string) string {
	return `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "systemNamespace": "` + systemNamespace + `",
	  "presets": {"kv-events": {"parallelism": {"tensor": 2},
	    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "{{ .Spec.Parallelism.Tensor }}"}}, "env": [
	      {"name": "KV_EVENTS_ENDPOINT", "value": "tcp://{{ ChildName .ObjectMeta.Name ` + "`-epp`" + ` }}.{{ .ObjectMeta.Namespace }}.svc:5557"},
	      {"name": "KV_EVENTS_CONFIG", "value": "{\"endpoint\":\"$(KV_EVENTS_ENDPOINT)\",\"topic\":\"kv@$(POD_IP)@{{ .Spec.Model.Name }}\"}"},
	      {"name": "PLATFORM", "value": "{{ .GlobalConfig.SystemNamespace }}"}]}]}}}}`
}

// TestRunFunctionTemplates runs whole calls with Go templates in an input
// preset and in the XR: what they render reaches the composed Deployment,
// a value from the preset is seen by the XR's template, and the plan cache
// tells two inputs apart that differ only in what templates read.
func TestRunFunctionTemplates(t *testing.T) {
	xr := `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
	  "metadata": {"name": "qwen", "namespace": "team"},
	  "spec": {"baseRefs": [{"name": "kv-events"}], "model": {"uri": "hf://Qwen/Qwen3-8B", "name": "Qwen/Qwen3-8B"},
	    "router": {"scheduler": {}, "route": {}, "gateway": {}},
	    "template": {"containers": [{"name": "main", "args": ["--kv-events-config=$(KV_EVENTS_CONFIG)"],
	      "env": [{"name": "TENSOR_PARALLEL", "value": "{{ .Spec.Parallelism.Tensor }}"}]}]}}}`
	f := &Function{log: logging.NewNopLogger(), plans: newPlanCache(DefaultPlanCacheMiB << 20)}
	for _, ns := range []string{"kserve", "platform", "kserve"} {
		rsp, err := f.RunFunction(context.Background(), newRequest(xr, nil, templatedInput(ns)))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rsp.GetResults() {
			if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
				t.Fatalf("Fatal result: %s", r.GetMessage())
			}
		}
		b, err := json.Marshal(rsp.GetDesired().GetResources()["workload-deployment"].GetResource())
		if err != nil {
			t.Fatal(err)
		}
		d := &appsv1.Deployment{}
		if err := json.Unmarshal(b, d); err != nil {
			t.Fatal(err)
		}
		c := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
		if c == nil {
			t.Fatal("no main container")
		}
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		want := map[string]string{
			"KV_EVENTS_ENDPOINT": "tcp://qwen-epp.team.svc:5557",
			"KV_EVENTS_CONFIG":   `{"endpoint":"$(KV_EVENTS_ENDPOINT)","topic":"kv@$(POD_IP)@Qwen/Qwen3-8B"}`,
			"PLATFORM":           ns,
			"TENSOR_PARALLEL":    "2",
		}
		for k, v := range want {
			if env[k] != v {
				t.Errorf("systemNamespace %s: env %s = %q, want %q", ns, k, env[k], v)
			}
		}
		if diff := cmp.Diff([]string{"--kv-events-config=$(KV_EVENTS_CONFIG)"}, c.Args[len(c.Args)-1:]); diff != "" {
			t.Errorf("the XR's args, after the generated flags: -want, +got:\n%s", diff)
		}
		if got := c.Resources.Limits.Name("nvidia.com/gpu", "").String(); got != "2" {
			t.Errorf("a template in a quantity: nvidia.com/gpu %s, want 2", got)
		}
	}
}
