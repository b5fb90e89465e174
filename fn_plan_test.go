package main

import (
	"context"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"
)

// TestPlanCache checks the cache changes nothing a caller can see: with
// and without it, every call gives the same bytes, for repeated requests,
// for a changed spec, a changed label (it reaches pod labels) and a changed
// Function input, and as observed state changes.
func TestPlanCache(t *testing.T) {
	observedHealthy := healthySeed()
	requests := []*fnv1.RunFunctionRequest{
		newRequest(seedXR, nil, ""),
		newRequest(seedXR, nil, ""),
		newRequest(seedXR, observedHealthy, ""),
		newRequest(seedXR, nil, `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "images": {"modelServer": "example.com/vllm:1"}}`),
		newRequest(plainXR, nil, ""),
		newRequest(`{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
		  "metadata": {"name": "llama-3-8b", "namespace": "default", "labels": {"kueue.x-k8s.io/queue-name": "q"}},
		  "spec": {"model": {"uri": "hf://meta-llama/Llama-3.1-8B-Instruct"}}}`, nil, ""),
		newRequest(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"}, "spec": {"model": {"uri": "gs://b/m"}}}`, nil, ""),
		newRequest(seedXR, nil, ""),
	}
	uncached := &Function{log: logging.NewNopLogger()}
	cached := &Function{log: logging.NewNopLogger(), plans: newPlanCache(2)}
	marshal := proto.MarshalOptions{Deterministic: true}
	for round := range 3 {
		for i, req := range requests {
			want, err := uncached.RunFunction(context.Background(), proto.Clone(req).(*fnv1.RunFunctionRequest))
			if err != nil {
				t.Fatal(err)
			}
			got, err := cached.RunFunction(context.Background(), proto.Clone(req).(*fnv1.RunFunctionRequest))
			if err != nil {
				t.Fatal(err)
			}
			wb, _ := marshal.Marshal(want)
			gb, _ := marshal.Marshal(got)
			if string(wb) != string(gb) {
				t.Errorf("round %d, request %d: the cached function answered differently", round, i)
			}
		}
	}
	if n := cached.plans.order.Len(); n != 2 {
		t.Errorf("cache holds %d plans, want its bound of 2", n)
	}
}

// TestPlanCacheConcurrent has many calls share cached plans at once, as the
// gRPC server does; run with -race it proves nothing shared is written.
func TestPlanCacheConcurrent(t *testing.T) {
	f := &Function{log: logging.NewNopLogger(), plans: newPlanCache(4)}
	reqs := []*fnv1.RunFunctionRequest{newRequest(seedXR, nil, ""), newRequest(seedXR, healthySeed(), ""), newRequest(plainXR, nil, "")}
	done := make(chan error)
	for i := range 24 {
		go func() {
			req := proto.Clone(reqs[i%len(reqs)]).(*fnv1.RunFunctionRequest)
			rsp, err := f.RunFunction(context.Background(), req)
			if err == nil {
				_, err = proto.Marshal(rsp)
			}
			done <- err
		}()
	}
	for range 24 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
