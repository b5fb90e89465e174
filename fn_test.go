package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"k8s.io/utils/ptr"
)

func TestRunFunction(t *testing.T) {
	notReady := map[string]fnv1.Ready{"workload-deployment": fnv1.Ready_READY_FALSE, "workload-service": fnv1.Ready_READY_FALSE, "workload-networkpolicy": fnv1.Ready_READY_FALSE}
	creating := map[string]string{"MainWorkloadReady": "STATUS_CONDITION_FALSE/Creating", "WorkloadsReady": "STATUS_CONDITION_FALSE/Creating"}
	seedNotReady := map[string]fnv1.Ready{}
	seedReady := map[string]fnv1.Ready{}
	for k := range healthySeed() {
		seedNotReady[k] = fnv1.Ready_READY_FALSE
		seedReady[k] = fnv1.Ready_READY_TRUE
	}
	seedCreating := map[string]string{
		"MainWorkloadReady": "STATUS_CONDITION_FALSE/Creating", "WorkloadsReady": "STATUS_CONDITION_FALSE/Creating",
		"GatewaysReady": "STATUS_CONDITION_FALSE/Creating", "HTTPRoutesReady": "STATUS_CONDITION_FALSE/Creating",
		"InferencePoolReady": "STATUS_CONDITION_FALSE/Creating", "SchedulerWorkloadReady": "STATUS_CONDITION_FALSE/Creating",
		"RouterReady": "STATUS_CONDITION_FALSE/Creating",
	}
	allTrue := map[string]string{}
	for k := range seedCreating {
		allTrue[k] = "STATUS_CONDITION_TRUE/Ready"
	}
	allTrue["MainWorkloadReady"], allTrue["WorkloadsReady"] = "STATUS_CONDITION_TRUE/Available", "STATUS_CONDITION_TRUE/Available"

	cases := map[string]struct {
		reason    string
		req       *fnv1.RunFunctionRequest
		want      summary
		wantFatal []string
	}{
		"SeedNothingObserved": {
			reason: "The seed with no Function input composes the workload and the whole traffic path, not ready yet, with a short TTL.",
			req:    newRequest(seedXR, nil, ""),
			want: summary{
				Resources: seedNotReady, Namespace: "default",
				Conditions: seedCreating,
				URL:        "http://llama-3-8b-workload.default.svc.cluster.local:8000",
				TTL:        30 * time.Second,
				// A managed route reads the namespace's services.
				Requirements: []string{requirementPeers},
			},
		},
		"SeedHealthy": {
			reason: "Every composed object healthy: all ready, the URL is the managed Gateway's address and the route's path, the TTL relaxes.",
			req:    newRequest(seedXR, healthySeed(), ""),
			want: summary{
				Namespace: "default", Resources: seedReady, Conditions: allTrue,
				URL: "http://198.51.100.7/default/llama-3-8b",
				TTL: 10 * time.Minute, Requirements: []string{requirementPeers},
			},
		},
		"WorkloadOnlyHealthy": {
			reason: "Without a router, an Available Deployment at the current generation and an existing Service are all there is.",
			req: newRequest(plainXR, map[string]string{
				"workload-deployment":    availableDeployment(2, 2),
				"workload-service":       `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "llama-3-8b-workload"}}`,
				"workload-networkpolicy": observedNetworkPolicy("llama-3-8b"),
			}, ""),
			want: summary{
				Namespace:  "default",
				Resources:  map[string]fnv1.Ready{"workload-deployment": fnv1.Ready_READY_TRUE, "workload-service": fnv1.Ready_READY_TRUE, "workload-networkpolicy": fnv1.Ready_READY_TRUE},
				Conditions: map[string]string{"MainWorkloadReady": "STATUS_CONDITION_TRUE/Available", "WorkloadsReady": "STATUS_CONDITION_TRUE/Available"},
				URL:        "http://llama-3-8b-workload.default.svc.cluster.local:8000",
				TTL:        10 * time.Minute,
			},
		},
		"InputTTLs": {
			reason: "The Function input's TTL applies.",
			req:    newRequest(plainXR, nil, `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "unreadyTTL": "45s"}`),
			want: summary{
				Resources: notReady, Namespace: "default",
				Conditions: creating,
				URL:        "http://llama-3-8b-workload.default.svc.cluster.local:8000",
				TTL:        45 * time.Second,
			},
		},
		"ClaimNamespace": {
			reason: "A legacy XR made for a claim composes into the claim's namespace, named after the claim.",
			req: newRequest(`{"apiVersion": "serving.example.org/v1alpha1", "kind": "XLLMInferenceService",
			  "metadata": {"name": "qwen-x7k2p", "labels": {"crossplane.io/claim-name": "qwen", "crossplane.io/claim-namespace": "team-a"}},
			  "spec": {"model": {"uri": "hf://Qwen/Qwen2.5-7B-Instruct"}, "claimRef": {"name": "qwen"}, "compositionRef": {"name": "x"}}}`, nil, ""),
			want: summary{
				Resources: notReady, Namespace: "team-a",
				Conditions: creating,
				URL:        "http://qwen-workload.team-a.svc.cluster.local:8000",
				TTL:        30 * time.Second,
			},
		},
		"UnknownFieldWarns": {
			reason: "A field outside the API is reported, not silently dropped; Crossplane's own spec fields are not.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m", "revision": "main"}, "crossplane": {"compositionRef": {"name": "c"}}}}`, nil, ""),
			want: summary{
				Warnings: 1, Resources: notReady, Namespace: "ns",
				Conditions: creating,
				URL:        "http://m-workload.ns.svc.cluster.local:8000",
				TTL:        30 * time.Second,
			},
		},
		"ClusterScopedNoNamespace": {
			reason:    "A cluster scoped XR without a claim and no input namespace cannot be composed.",
			req:       newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m"}, "spec": {"model": {"uri": "hf://o/m"}}}`, nil, ""),
			wantFatal: []string{"cannot determine the namespace"},
		},
		"UnknownScheme": {
			reason:    "An unsupported URI scheme is named in a fatal result.",
			req:       newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"}, "spec": {"model": {"uri": "gs://b/m"}}}`, nil, ""),
			wantFatal: []string{"spec.model.uri", `unsupported scheme "gs"`},
		},
		"GPUMismatch": {
			reason: "Tensor parallelism 2 with 1 GPU names both numbers.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"tensor": 2},
			    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}}`, nil, ""),
			wantFatal: []string{"resources.limits[nvidia.com/gpu]", "asks for 1", "needs 2 per pod"},
		},
		"GPUResourceFromInput": {
			reason: "The input's GPU resource name is the one counted.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"tensor": 2},
			    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "2"}}}]}}}`, nil,
				`{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "modelServer": {"gpuResourceName": "amd.com/gpu"}}`),
			wantFatal: []string{"asks for no amd.com/gpu"},
		},
		"WorkerDataNotMultiple": {
			reason: "A group's pods each run dataLocal ranks: data must divide evenly.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"data": 10, "dataLocal": 4}, "worker": {},
			    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "4"}}}]}}}`, nil, ""),
			wantFatal: []string{"spec.parallelism.data", "multiple of dataLocal (4)"},
		},
		"WorkerDataEqualsLocal": {
			reason: "A worker with one pod per group has nothing to run.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"data": 2, "dataLocal": 2}, "worker": {}}}`, nil, ""),
			wantFatal: []string{"spec.parallelism.data", "equals dataLocal"},
		},
		"WorkerGPUMismatch": {
			reason: "Worker pods are checked too, and the message names the worker's field.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"data": 16, "dataLocal": 8},
			    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "8"}}}]},
			    "worker": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "4"}}}]}}}`, nil, ""),
			wantFatal: []string{"spec.worker.containers[main].resources.limits[nvidia.com/gpu]", "asks for 4", "needs 8 per pod"},
		},
		"PrefillGPUMismatch": {
			reason: "The prefill workload's own parallelism and template are checked, naming spec.prefill.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "prefill": {"parallelism": {"tensor": 2},
			    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}}}`, nil, ""),
			wantFatal: []string{"spec.prefill.template.containers[main].resources.limits[nvidia.com/gpu]", "spec.prefill.parallelism needs 2"},
		},
		"PipelineWorkerArgs": {
			reason: "Later pipeline stages run Ray workers: vLLM flags given to them would be silently ignored.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"pipeline": 2, "tensor": 8},
			    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "8"}}}]},
			    "worker": {"containers": [{"name": "main", "args": ["--max-model-len=8192"]}]}}}`, nil, ""),
			wantFatal: []string{"spec.worker.containers[main].args", "Ray worker"},
		},
		"DataRPCPortWithoutData": {
			reason: "A setting that would be silently ignored is refused.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"dataRPCPort": 6000}}}`, nil, ""),
			wantFatal: []string{"spec.parallelism.dataRPCPort", "no effect without data parallelism"},
		},
		"MultiNodeCommand": {
			reason: "A multi-node pod's command is the rank launcher; the user's would drop the ranks.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"data": 4, "dataLocal": 2}, "worker": {},
			    "template": {"containers": [{"name": "main", "command": ["python3", "-m", "vllm.entrypoints.openai.api_server"],
			      "resources": {"limits": {"nvidia.com/gpu": "2"}}}]}}}`, nil, ""),
			wantFatal: []string{"spec.template.containers[main].command", "launcher"},
		},
		"ReservedRankFlag": {
			reason: "The function computes ranks: a user start rank is refused.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "template": {"containers": [{"name": "main", "args": ["--data-parallel-start-rank=3"]}]}}}`, nil, ""),
			wantFatal: []string{"spec.template.containers[main].args[0]", "--data-parallel-start-rank"},
		},
		"DataWithoutDataLocal": {
			reason:    "KServe's webhook rule: data needs dataLocal.",
			req:       newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"}, "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"data": 2}}}`, nil, ""),
			wantFatal: []string{"spec.parallelism.dataLocal", "dataLocal must be set when data is set"},
		},
		"InvalidInput": {
			reason:    "An unknown Function input field is refused.",
			req:       newRequest(seedXR, nil, `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "imagez": {}}`),
			wantFatal: []string{"cannot get Function input"},
		},
		"DuplicateAdapters": {
			reason: "Adapter names must be unique.",
			req: newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "hf://o/a"}, {"name": "a", "uri": "hf://o/b"}]}}}}`, nil, ""),
			wantFatal: []string{"spec.model.lora.adapters[1].name", "Duplicate value"},
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), tc.req)
			if err != nil {
				t.Fatalf("%s\nRunFunction returned an error, want results: %v", tc.reason, err)
			}
			got := summarise(rsp)
			if len(tc.wantFatal) > 0 {
				if got.Fatal == "" {
					t.Fatalf("%s\nwant a fatal result, got %+v", tc.reason, got)
				}
				for _, w := range tc.wantFatal {
					if !strings.Contains(got.Fatal, w) {
						t.Errorf("%s\nfatal result %q does not mention %q", tc.reason, got.Fatal, w)
					}
				}
				if n := len(rsp.GetDesired().GetResources()); n != 0 {
					t.Errorf("%s\na fatal response desired %d resources, want none added", tc.reason, n)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nf.RunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestRunFunctionConditions checks the conditions status computes reach
// the response in order, for the XR and its claim, with a message only when
// they are not True.
func TestRunFunctionConditions(t *testing.T) {
	type c struct{ typ, reason, msg string }
	conds := func(status fnv1.Status, cs ...c) []*fnv1.Condition {
		out := make([]*fnv1.Condition, 0, len(cs))
		for _, x := range cs {
			cond := &fnv1.Condition{Type: x.typ, Status: status, Reason: x.reason, Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()}
			if status != fnv1.Status_STATUS_CONDITION_TRUE {
				cond.Message = ptr.To(x.msg)
			}
			out = append(out, cond)
		}
		return out
	}
	cases := map[string]struct {
		reason string
		req    *fnv1.RunFunctionRequest
		want   []*fnv1.Condition
	}{
		"SeedNothingObserved": {
			reason: "Workloads first, then each part of the traffic path, then RouterReady naming the first part not ready.",
			req:    newRequest(seedXR, nil, ""),
			want: conds(fnv1.Status_STATUS_CONDITION_FALSE,
				c{"MainWorkloadReady", "Creating", "not created yet"},
				c{"WorkloadsReady", "Creating", "main workload: not created yet"},
				c{"GatewaysReady", "Creating", "Gateway default/llama-3-8b-gateway: not created yet"},
				c{"HTTPRoutesReady", "Creating", "HTTPRoute default/llama-3-8b-route: not created yet"},
				c{"InferencePoolReady", "Creating", "InferencePool default/llama-3-8b-inference-pool: not created yet"},
				c{"SchedulerWorkloadReady", "Creating", "Deployment default/llama-3-8b-epp: not created yet"},
				c{"RouterReady", "Creating", "GatewaysReady: Gateway default/llama-3-8b-gateway: not created yet"},
			),
		},
		"SeedHealthy": {
			reason: "True conditions carry no message.",
			req:    newRequest(seedXR, healthySeed(), ""),
			want: conds(fnv1.Status_STATUS_CONDITION_TRUE,
				c{"MainWorkloadReady", "Available", ""}, c{"WorkloadsReady", "Available", ""},
				c{"GatewaysReady", "Ready", ""}, c{"HTTPRoutesReady", "Ready", ""}, c{"InferencePoolReady", "Ready", ""},
				c{"SchedulerWorkloadReady", "Ready", ""}, c{"RouterReady", "Ready", ""},
			),
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rsp.GetConditions(), protocmp.Transform()); diff != "" {
				t.Errorf("%s\nconditions: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestRunFunctionStatus checks the typed status is written whole, in
// KServe's v1alpha2 shape, next to what an earlier pipeline step put in the
// XR's status, and without the nulls of unset references.
func TestRunFunctionStatus(t *testing.T) {
	observed := healthySeed()
	// What the controllers count once the pods serve, and the picker the
	// composed pool names.
	observed["workload-deployment"] = strings.Replace(observed["workload-deployment"], `"observedGeneration": 2,`, `"observedGeneration": 2, "availableReplicas": 3,`, 1)
	observed["scheduler-deployment"] = strings.Replace(observed["scheduler-deployment"], `"observedGeneration": 1,`, `"observedGeneration": 1, "availableReplicas": 1,`, 1)
	observed["scheduler-pool"] = strings.Replace(observed["scheduler-pool"], `"status":`, `"spec": {"endpointPickerRef": {"name": "llama-3-8b-epp", "port": {"number": 9002}}}, "status":`, 1)
	req := newRequest(seedXR, observed, "")
	req.Desired = &fnv1.State{Composite: &fnv1.Resource{Resource: resource.MustStructJSON(`{
	  "apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
	  "metadata": {"name": "llama-3-8b", "namespace": "default"},
	  "status": {"earlierStep": "kept"}}`)}}
	rsp, err := (&Function{log: logging.NewNopLogger()}).RunFunction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := resource.MustStructJSON(`{
	  "earlierStep": "kept",
	  "url": "http://198.51.100.7/default/llama-3-8b",
	  "addresses": [
	    {"name": "gateway-external", "url": "http://198.51.100.7/default/llama-3-8b",
	     "origin": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "llama-3-8b-gateway", "namespace": "default"},
	     "models": [{"name": "meta-llama/Llama-3.1-8B-Instruct"}, {"name": "publishers/default/models/meta-llama/Llama-3.1-8B-Instruct"}]},
	    {"name": "workload", "url": "http://llama-3-8b-workload.default.svc.cluster.local:8000",
	     "origin": {"group": "", "kind": "Service", "name": "llama-3-8b-workload", "namespace": "default"},
	     "models": [{"name": "meta-llama/Llama-3.1-8B-Instruct"}, {"name": "publishers/default/models/meta-llama/Llama-3.1-8B-Instruct"}]}
	  ],
	  "router": {
	    "gateways": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "llama-3-8b-gateway", "namespace": "default",
	                  "httpRoutes": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "llama-3-8b-route", "namespace": "default"}]}],
	    "scheduler": {
	      "inferencePool": {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "llama-3-8b-inference-pool", "namespace": "default"},
	      "service": {"group": "", "kind": "Service", "name": "llama-3-8b-epp", "namespace": "default"}
	    }
	  },
	  "workloads": {
	    "primary": {"apiGroup": "apps", "kind": "Deployment", "name": "llama-3-8b-workload", "readyReplicas": 3},
	    "service": {"kind": "Service", "name": "llama-3-8b-workload"},
	    "scheduler": {"apiGroup": "apps", "kind": "Deployment", "name": "llama-3-8b-epp", "readyReplicas": 1}
	  },
	  "appliedConfigs": [
	    {"name": "single-node", "source": "Preset"},
	    {"name": "scheduler", "source": "Preset"},
	    {"name": "function-input", "source": "Preset"}
	  ],
	  "configurations": [
	    {"name": "single-node", "source": "BuiltIn"},
	    {"name": "scheduler", "source": "BuiltIn"},
	    {"name": "function-input", "source": "FunctionInput"},
	    {"name": "llama-3-8b", "source": "Spec"}
	  ],
	  "gpus": {"resource": "nvidia.com/gpu", "total": 3, "main": 3}
	}`).AsMap()
	got := rsp.GetDesired().GetComposite().GetResource().GetFields()["status"].GetStructValue().AsMap()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status: -want, +got:\n%s", diff)
	}
}

func TestRunFunctionPassesThroughDesired(t *testing.T) {
	req := newRequest(seedXR, nil, "")
	req.Desired = &fnv1.State{Resources: map[string]*fnv1.Resource{
		"earlier-step": {Resource: resource.MustStructJSON(`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}`)},
	}}
	rsp, err := (&Function{log: logging.NewNopLogger()}).RunFunction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rsp.GetDesired().GetResources()["earlier-step"]; !ok {
		t.Errorf("a resource an earlier pipeline step desired was dropped: Crossplane would delete it")
	}
}

func TestRunFunctionDeterministic(t *testing.T) {
	f := &Function{log: logging.NewNopLogger()}
	var first []byte
	for i := range 50 {
		rsp, err := f.RunFunction(context.Background(), newRequest(seedXR, map[string]string{"workload-deployment": availableDeployment(1, 1)}, ""))
		if err != nil {
			t.Fatal(err)
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(rsp)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b
			continue
		}
		if string(b) != string(first) {
			t.Fatalf("call %d gave different bytes than call 0", i)
		}
	}
}
