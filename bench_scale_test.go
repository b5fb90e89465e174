package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"

	"github.com/crossplane-contrib/function-llm-inference-service/cmd/loadgen/fixture"
)

// BenchmarkManyServices is the in-process counterpart of make bench's
// many-services run, for profiling what a steady call costs more when the
// function serves many services: each op decodes one service's steady
// request from its bytes, as gRPC does, runs RunFunction on it and encodes
// the answer, going round all the services in turn, with the served
// binary's collector settings (tuneGC). It is the seed pattern, as in make
// bench.
//
// Its heap holds every service's request bytes besides the plans, so it
// overstates the served binary's live heap; what it shows is where the
// time goes. Besides ns/op it reports gc-cpu-%, the share of the process's
// CPU the collector took (runtime/metrics), and it runs 1,000 services a
// second time with a memory limit of scaleMemoryLimit instead of tuneGC's:
// make bench's "What stops 1,000 services" compares the three.
func BenchmarkManyServices(b *testing.B) {
	p, err := fixture.Lookup("seed")
	if err != nil {
		b.Fatal(err)
	}
	create, err := fixture.Creation(".", p)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		n     int
		limit int64
	}{
		{name: "services=1", n: 1},
		{name: "services=1000", n: 1000},
		{name: fmt.Sprintf("services=1000,limit=%dMiB", scaleMemoryLimit>>20), n: 1000, limit: scaleMemoryLimit},
	} {
		b.Run(c.name, func(b *testing.B) {
			gc, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
			defer func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }()
			tuneGC()
			if c.limit > 0 {
				debug.SetMemoryLimit(c.limit)
			}
			f := newBenchFunction(b, true)
			wire := steadyRequests(b, f, create, c.n)
			runtime.GC()
			gc0, used0 := gcCPU()
			i := 0
			loop(b, func() {
				req := &fnv1.RunFunctionRequest{}
				if err := proto.Unmarshal(wire[i%c.n], req); err != nil {
					b.Fatal(err)
				}
				rsp, err := f.RunFunction(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := proto.Marshal(rsp); err != nil {
					b.Fatal(err)
				}
				i++
			})
			gc1, used1 := gcCPU()
			if used1 > used0 {
				b.ReportMetric(100*(gc1-gc0)/(used1-used0), "gc-cpu-%")
			}
		})
	}
}

// scaleMemoryLimit is the memory limit BenchmarkManyServices tries against
// tuneGC's, to show what the collector costs 1,000 plans under it.
const scaleMemoryLimit = 256 << 20

// gcCPU is the CPU time the collector has spent and the CPU time the
// process has used (available, GOMAXPROCS over the wall clock, less idle),
// in seconds, as the runtime estimates them. The runtime brings them up to
// date at each collection, so a benchmark's difference is exact to within
// one cycle.
func gcCPU() (gc, used float64) {
	s := []metrics.Sample{
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/cpu/classes/idle:cpu-seconds"},
	}
	metrics.Read(s)
	return s[0].Value.Float64(), s[1].Value.Float64() - s[2].Value.Float64()
}

// steadyRequests composes n distinct services with f, as Crossplane's
// first calls would, and returns each one's steady-state request encoded.
func steadyRequests(b *testing.B, f *Function, create *fnv1.RunFunctionRequest, n int) [][]byte {
	b.Helper()
	reqs, err := fixture.Services(create, n)
	if err != nil {
		b.Fatal(err)
	}
	// The steady requests read the composed objects as messages.
	composer := newBenchFunction(b, false)
	composer.preEncoded = false
	wire := make([][]byte, n)
	for i, r := range reqs {
		rsp, err := composer.RunFunction(context.Background(), r)
		if err != nil {
			b.Fatal(err)
		}
		steady, err := fixture.Steady(r, rsp)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.RunFunction(context.Background(), steady); err != nil {
			b.Fatal(err)
		}
		if wire[i], err = proto.Marshal(steady); err != nil {
			b.Fatal(err)
		}
	}
	return wire
}
