package main

import (
	"context"
	"fmt"
	"runtime/debug"
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
// time goes. Measured on 2026-12-02 (go test -run '^$' -bench
// BenchmarkManyServices -benchtime 6000x -cpuprofile ...): 1,000 services
// took 3.6x the time of one, with the collector's marking half the CPU
// (gcBgMarkWorker 53%, against 6% for one service); with GOMEMLIMIT=256MiB
// instead of tuneGC's 96 MiB the same run took 1.28x. The memory limit,
// not the compose, is what 1,000 plans run into.
func BenchmarkManyServices(b *testing.B) {
	p, err := fixture.Lookup("seed")
	if err != nil {
		b.Fatal(err)
	}
	create, err := fixture.Creation(".", p)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			gc, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
			defer func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }()
			tuneGC()
			f := newBenchFunction(b, true)
			wire := steadyRequests(b, f, create, n)
			i := 0
			loop(b, func() {
				req := &fnv1.RunFunctionRequest{}
				if err := proto.Unmarshal(wire[i%n], req); err != nil {
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
		})
	}
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
