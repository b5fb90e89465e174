package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/crossplane-contrib/function-llm-inference-service/cmd/loadgen/cputime"
	"github.com/crossplane-contrib/function-llm-inference-service/cmd/loadgen/fixture"
)

// The states a scale run sends each service in.
const (
	stateSteady = "steady"
	stateCreate = "create"
)

// ScaleRun is one level of the many-services run: Services distinct
// services, each sent in State, one after another round the list, by
// Concurrency callers. A fresh server serves each count of services, so
// the peak RSS of its levels is that count's.
type ScaleRun struct {
	Services int    `json:"services"`
	State    string `json:"state"`
	Level
}

// scaleSetup is what a count of services is driven with: each service's
// encoded requests in both states.
type scaleSetup struct {
	create, steady [][]byte
}

// setUpServices composes each of n services of the pattern once over
// conn, as Crossplane's first call does, and derives its steady-state
// request from the answer.
func setUpServices(ctx context.Context, conn *grpc.ClientConn, create *fnv1.RunFunctionRequest, n int) (scaleSetup, error) {
	reqs, err := fixture.Services(create, n)
	if err != nil {
		return scaleSetup{}, err
	}
	client := fnv1.NewFunctionRunnerServiceClient(conn)
	var s scaleSetup
	for _, r := range reqs {
		rsp, err := client.RunFunction(ctx, r)
		if err != nil {
			return scaleSetup{}, fmt.Errorf("creating service %d of %d: %w", len(s.create)+1, n, err)
		}
		steady, err := fixture.Steady(r, rsp)
		if err != nil {
			return scaleSetup{}, err
		}
		c, err := proto.Marshal(r)
		if err != nil {
			return scaleSetup{}, err
		}
		st, err := proto.Marshal(steady)
		if err != nil {
			return scaleSetup{}, err
		}
		s.create, s.steady = append(s.create, c), append(s.steady, st)
	}
	return s, nil
}

// runScale measures each count of services on a server of its own: first
// in steady state, then on create. Every service is called once in the
// state before the clock starts, so that what is measured is the function
// serving that many services, not it meeting them for the first time.
func runScale(ctx context.Context, bin, certs string, tlsc *tls.Config, create *fnv1.RunFunctionRequest, counts []int, conc int, warmup, d time.Duration) ([]ScaleRun, error) { //nolint:gocognit // The run's steps in the order they happen; the rest is error handling.
	var out []ScaleRun
	for _, n := range counts {
		s, conn, _, _, err := serve(ctx, bin, certs, tlsc, create)
		if err != nil {
			return nil, err
		}
		runs, err := func() ([]ScaleRun, error) {
			defer s.stop()
			defer conn.Close() //nolint:errcheck // the server stops next.
			setup, err := setUpServices(ctx, conn, create, n)
			if err != nil {
				return nil, err
			}
			pid := s.cmd.Process.Pid
			var runs []ScaleRun
			for _, state := range []string{stateSteady, stateCreate} {
				reqs := setup.steady
				if state == stateCreate {
					reqs = setup.create
				}
				onePass(ctx, conn, reqs)
				drive(ctx, conn, reqs, conc, warmup)
				lvl, err := measure(ctx, s, pid, func() Level { return drive(ctx, conn, reqs, conc, d) })
				if err != nil {
					return nil, err
				}
				if lvl.Calls == 0 {
					return nil, fmt.Errorf("%d services, %s: no call succeeded: %s", n, state, lvl.FirstError)
				}
				fmt.Fprintf(os.Stderr, "%d services, %s, concurrency %d: %.0f calls/s, p99 %s, %d errors, peak RSS %s, other processes %.2f cores\n",
					n, state, conc, lvl.CallsPerSecond(), lvl.P99.Round(time.Microsecond), lvl.Errors, kib(lvl.PeakRSSKiB), lvl.OtherCores())
				runs = append(runs, ScaleRun{Services: n, State: state, Level: lvl})
			}
			return runs, nil
		}()
		if err != nil {
			return nil, err
		}
		out = append(out, runs...)
	}
	return out, nil
}

// onePass calls once with each request, in order.
func onePass(ctx context.Context, conn *grpc.ClientConn, reqs [][]byte) {
	for _, r := range reqs {
		m := &rawMessage{in: r}
		_ = conn.Invoke(ctx, fnv1.FunctionRunnerService_RunFunction_FullMethodName, m, m, grpc.ForceCodec(rawCodec{}))
	}
}

// measure runs level and records the CPU the server, this process and the
// rest of the machine used meanwhile, and the server's peak RSS after it.
func measure(ctx context.Context, s *server, pid int, level func() Level) (Level, error) {
	sc0, ok := cputime.Of(pid)
	if !ok {
		return Level{}, fmt.Errorf("cannot read the server's CPU time")
	}
	cc0, _ := cputime.Process()
	mc0, _ := cputime.Machine()
	lvl := level()
	if err := ctx.Err(); err != nil {
		return Level{}, err
	}
	sc1, ok := cputime.Of(pid)
	if !ok {
		return Level{}, fmt.Errorf("the server is gone\nserver output:\n%s", s.stderr.String())
	}
	cc1, _ := cputime.Process()
	mc1, _ := cputime.Machine()
	lvl.ServerCPU, lvl.ClientCPU = sc1-sc0, cc1-cc0
	lvl.OtherCPU = max(mc1-mc0-lvl.ServerCPU-lvl.ClientCPU, 0)
	var err error
	lvl.PeakRSSKiB, err = peakRSS(pid)
	return lvl, err
}
