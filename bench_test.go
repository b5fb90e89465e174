package main

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"

	"github.com/crossplane-contrib/function-llm-inference-service/cmd/loadgen/cputime"
	"github.com/crossplane-contrib/function-llm-inference-service/cmd/loadgen/fixture"
)

// benchCase is one message RunFunction is measured on: a pattern in one
// state, the request Crossplane sends, and what the function answers.
type benchCase struct {
	name string // pattern/state, as the benchmarks name it.
	req  *fnv1.RunFunctionRequest
	rsp  *fnv1.RunFunctionResponse
}

// newBenchFunction returns the function as the served binary runs it: with
// its logger, not a no-op one (RunFunction builds a logger with values on
// every call, and that cost is part of what Crossplane waits for), its
// composed resources pre-encoded, and with its plan cache when cached is
// true.
func newBenchFunction(tb testing.TB, cached bool) *Function {
	tb.Helper()
	log, err := function.NewLogger(false)
	if err != nil {
		tb.Fatal(err)
	}
	f := &Function{log: log, preEncoded: true}
	if cached {
		f.plans = newPlanCache(DefaultPlanCacheMiB << 20)
	}
	return f
}

// benchCases builds, for every pattern, the creation request and the
// steady-state one derived from the function's answer to it, and checks
// that steady state really is healthy.
func benchCases(tb testing.TB) []benchCase {
	tb.Helper()
	// The fixtures read the composed resources of the answers: they are
	// built with a function that answers with messages, and each case
	// keeps the answer as served, which is what the wire floor encodes.
	f := newBenchFunction(tb, false)
	f.preEncoded = false
	served := newBenchFunction(tb, false)
	var cases []benchCase
	for _, p := range fixture.Patterns {
		create, err := fixture.Creation(".", p)
		if err != nil {
			tb.Fatal(err)
		}
		crsp, err := f.RunFunction(context.Background(), create)
		if err != nil {
			tb.Fatal(err)
		}
		if err := fixture.Check(crsp, false); err != nil {
			tb.Fatalf("%s on creation: %v", p.Name, err)
		}
		steady, err := fixture.Steady(create, crsp)
		if err != nil {
			tb.Fatalf("%s: %v", p.Name, err)
		}
		srsp, err := f.RunFunction(context.Background(), steady)
		if err != nil {
			tb.Fatal(err)
		}
		if err := fixture.Check(srsp, true); err != nil {
			tb.Fatalf("%s in steady state: %v", p.Name, err)
		}
		scrsp, err := served.RunFunction(context.Background(), create)
		if err != nil {
			tb.Fatal(err)
		}
		ssrsp, err := served.RunFunction(context.Background(), steady)
		if err != nil {
			tb.Fatal(err)
		}
		cases = append(cases,
			benchCase{name: p.Name + "/create", req: create, rsp: scrsp},
			benchCase{name: p.Name + "/steady", req: steady, rsp: ssrsp})
	}
	return cases
}

// TestBenchmarkFixtures keeps the benchmarks honest as the function
// changes: every pattern composes without a Fatal result, and the
// steady-state request leaves every composed resource ready.
func TestBenchmarkFixtures(t *testing.T) {
	benchCases(t)
}

// BenchmarkRunFunction measures, for each pattern and state, the
// function's own work on a request gRPC has already decoded ("function"),
// and what serving the same messages costs before the function does
// anything ("wire-floor"): decoding the request and encoding the response,
// as the gRPC server must on every call. They run back to back, so that
// with -count each repetition gives a ratio measured under the same
// conditions. rsp-bytes is the response's size on the wire, req-bytes the
// request's.
//
// Creation is measured without the plan cache, since Crossplane's first
// call for an XR finds nothing cached; steady state with it, as the served
// binary runs: every later call repeats the same spec.
func BenchmarkRunFunction(b *testing.B) {
	uncached, cached := newBenchFunction(b, false), newBenchFunction(b, true)
	for _, c := range benchCases(b) {
		f := uncached
		if strings.HasSuffix(c.name, "/steady") {
			f = cached
		}
		b.Run(c.name+"/function", func(b *testing.B) {
			var rsp *fnv1.RunFunctionResponse
			loop(b, func() {
				var err error
				if rsp, err = f.RunFunction(context.Background(), c.req); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(proto.Size(rsp)), "rsp-bytes")
			b.ReportMetric(float64(proto.Size(c.req)), "req-bytes")
		})
		b.Run(c.name+"/wire-floor", func(b *testing.B) {
			in, err := proto.Marshal(c.req)
			if err != nil {
				b.Fatal(err)
			}
			var out []byte
			loop(b, func() {
				req := &fnv1.RunFunctionRequest{}
				if err := proto.Unmarshal(in, req); err != nil {
					b.Fatal(err)
				}
				if out, err = proto.Marshal(c.rsp); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(len(out)), "rsp-bytes")
			b.ReportMetric(float64(len(in)), "req-bytes")
		})
	}
}

// loop runs op until the benchmark has timed enough calls, and reports
// beside the wall time the CPU time the whole process used per call
// (cpu-ns/op): the garbage collector's work on other cores included, time
// spent waiting for cores other processes hold left out. other-cores is how
// many cores other processes on the machine kept busy meanwhile: numbers
// taken while it is high are not to be trusted.
func loop(b *testing.B, op func()) {
	b.ReportAllocs()
	c0, okc0 := cputime.Process()
	m0, okm0 := cputime.Machine()
	t0 := time.Now()
	for b.Loop() {
		op()
	}
	wall := time.Since(t0)
	c1, okc1 := cputime.Process()
	m1, okm1 := cputime.Machine()
	if !okc0 || !okc1 {
		return
	}
	b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
	if okm0 && okm1 {
		b.ReportMetric(max(float64(m1-m0-(c1-c0)), 0)/float64(wall), "other-cores")
	}
}

// planMemoryServices is how many distinct services BenchmarkPlanMemory
// caches plans for: enough that one plan's share of the heap stands out
// of the garbage collector's noise.
const planMemoryServices = 200

// BenchmarkPlanMemory measures what a cached plan costs, for each pattern:
// the heap it keeps alive (heap-bytes/plan, after a full collection), what
// the cache charges for it against its budget (cost-bytes/plan, see
// planCost), and the encoded objects that cost is computed from
// (encoded-bytes/plan), and how many such plans the served binary's
// default budget holds (plans/budget). The cache's budget is honest as long
// as the charge is not below the heap. Its time per op is meaningless.
func BenchmarkPlanMemory(b *testing.B) {
	for _, p := range fixture.Patterns {
		create, err := fixture.Creation(".", p)
		if err != nil {
			b.Fatal(err)
		}
		reqs, err := fixture.Services(create, planMemoryServices)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(p.Name, func(b *testing.B) {
			var heap, cost, encoded float64
			for b.Loop() {
				f := newBenchFunction(b, true)
				f.plans = newPlanCache(1 << 40)
				before := liveHeap()
				for _, r := range reqs {
					if _, err := f.RunFunction(context.Background(), r); err != nil {
						b.Fatal(err)
					}
				}
				heap = float64(liveHeap()-before) / planMemoryServices
				cost = float64(f.plans.used) / planMemoryServices
				var n int
				for _, e := range f.plans.entries {
					for _, o := range e.Value.(*planEntry).plan.encoded {
						n += len(o)
					}
				}
				encoded = float64(n) / planMemoryServices
				runtime.KeepAlive(f)
			}
			b.ReportMetric(heap, "heap-bytes/plan")
			b.ReportMetric(cost, "cost-bytes/plan")
			b.ReportMetric(encoded, "encoded-bytes/plan")
			b.ReportMetric(float64(DefaultPlanCacheMiB<<20)/cost, "plans/budget")
		})
	}
}

// liveHeap is the heap in use once everything unreachable is collected.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
