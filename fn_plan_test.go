package main

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
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
	// A budget of two seed plans: later requests evict earlier ones, so
	// the rounds compare plans made again as well as plans kept.
	cached := &Function{log: logging.NewNopLogger(), plans: newPlanCache(2 * seedPlanCost(t))}
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
	if c := cached.plans; c.used > c.budget {
		t.Errorf("cache holds %d bytes of plans, over its budget of %d", c.used, c.budget)
	}
}

// seedPlanCost is what the seed's plan costs the cache.
func seedPlanCost(t *testing.T) int64 {
	t.Helper()
	c := newPlanCache(1 << 30)
	f := &Function{log: logging.NewNopLogger(), plans: c}
	if _, err := f.RunFunction(context.Background(), newRequest(seedXR, nil, "")); err != nil {
		t.Fatal(err)
	}
	return c.used
}

// TestPlanCacheBudget checks the cache keeps the most recent plans whose
// costs fit its budget, evicting the least recently used first, and keeps
// the newest plan even when it alone is over the budget.
func TestPlanCacheBudget(t *testing.T) {
	// A plan whose encoded objects take n bytes costs n × the factor.
	planOf := func(n int) *plan { return &plan{encoded: map[resource.Name][]byte{"o": make([]byte, n)}} }
	unit := planCost(planOf(1000))
	type add struct {
		key   byte
		bytes int
		// use is a key looked up before the add, which makes it the
		// most recently used.
		use *byte
	}
	key := func(b byte) *byte { return &b }
	cases := map[string]struct {
		reason string
		budget int64
		adds   []add
		want   []byte // kept, most recent first
	}{
		"WithinBudget": {
			reason: "Plans that fit are all kept.",
			budget: 3 * unit,
			adds:   []add{{key: 1, bytes: 1000}, {key: 2, bytes: 1000}, {key: 3, bytes: 1000}},
			want:   []byte{3, 2, 1},
		},
		"EvictsLeastRecentlyUsed": {
			reason: "Over budget, the plan used longest ago goes first.",
			budget: 2 * unit,
			adds:   []add{{key: 1, bytes: 1000}, {key: 2, bytes: 1000}, {key: 3, bytes: 1000, use: key(1)}},
			want:   []byte{3, 1},
		},
		"LargePlanEvictsSeveral": {
			reason: "A plan three times the size of the others takes the place of three.",
			budget: 4 * unit,
			adds:   []add{{key: 1, bytes: 1000}, {key: 2, bytes: 1000}, {key: 3, bytes: 1000}, {key: 4, bytes: 3000}},
			want:   []byte{4, 3},
		},
		"NewestOverBudgetKept": {
			reason: "A plan over the whole budget is still kept, alone: the next call for it needs it.",
			budget: unit,
			adds:   []add{{key: 1, bytes: 1000}, {key: 2, bytes: 5000}},
			want:   []byte{2},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := newPlanCache(tc.budget)
			for _, a := range tc.adds {
				if a.use != nil {
					if e, ok := c.entries[[sha256.Size]byte{*a.use}]; ok {
						c.order.MoveToFront(e)
					}
				}
				c.add([sha256.Size]byte{a.key}, planOf(a.bytes))
			}
			var got []byte
			var used int64
			for e := c.order.Front(); e != nil; e = e.Next() {
				pe := e.Value.(*planEntry)
				got = append(got, pe.key[0])
				used += pe.cost
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nkept plans, most recent first: -want, +got:\n%s", tc.reason, diff)
			}
			if used != c.used || len(c.entries) != c.order.Len() {
				t.Errorf("%s\nthe cache counts %d bytes in %d entries, its list holds %d bytes in %d", tc.reason, c.used, len(c.entries), used, c.order.Len())
			}
		})
	}
}

// TestPlanCacheConcurrent has many calls share cached plans at once, as the
// gRPC server does; run with -race it proves nothing shared is written.
func TestPlanCacheConcurrent(t *testing.T) {
	f := &Function{log: logging.NewNopLogger(), plans: newPlanCache(DefaultPlanCacheMiB << 20), preEncoded: true}
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
