// Command loadgen measures the function the way Crossplane uses it, and
// writes BENCHMARKS.md from what `make bench` measured.
//
//	loadgen run    --function=bin/function --out=_output/bench/load.json
//	loadgen report --bench=_output/bench/go-bench.txt --load=_output/bench/load.json --out=BENCHMARKS.md
//
// run starts the built function binary with throwaway mTLS certificates,
// times it from process start to its first successful RunFunction, then
// drives it with the seed pattern's steady-state request at each
// concurrency for a fixed time, and records calls per second, latency
// percentiles, CPU used and the server's peak RSS as JSON.
//
// report combines that JSON with `go test -bench` output (bench_test.go)
// and the machine's description into BENCHMARKS.md, and marks each goal of
// the issue met or not. Every number in it comes from the measurements.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/crossplane-contrib/function-llm-inference-service/cmd/loadgen/fixture"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCmd(os.Args[2:])
	case "report":
		err = reportCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadgen run|report [flags]; loadgen run -h for the flags")
	os.Exit(2)
}

func runCmd(args []string) error { //nolint:gocognit // The run's steps in the order they happen; each is a call, the rest is error handling.
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	bin := fs.String("function", "bin/function", "the built function binary")
	root := fs.String("root", ".", "the repository root, which holds example/")
	pattern := fs.String("pattern", fixture.Seed, "the pattern whose steady-state request is sent")
	duration := fs.Duration("duration", 10*time.Second, "how long each concurrency level runs")
	warmup := fs.Duration("warmup", 2*time.Second, "how long each level runs unmeasured first")
	levels := fs.String("concurrency", "1,16,64", "comma-separated concurrency levels")
	starts := fs.Int("starts", 5, "how many times to start the server to time it to serving")
	services := fs.String("services", "1,100,1000", "comma-separated counts of distinct services for the many-services run (empty for none)")
	scaleConc := fs.Int("scale-concurrency", goalConcurrency, "the concurrency of the many-services run")
	out := fs.String("out", "", "where to write the results as JSON (default stdout)")
	_ = fs.Parse(args)

	conc, err := parseLevels(*levels)
	if err != nil {
		return err
	}
	var counts []int
	if *services != "" {
		if counts, err = parseLevels(*services); err != nil {
			return err
		}
	}
	p, err := fixture.Lookup(*pattern)
	if err != nil {
		return err
	}
	if *starts < 1 {
		return errors.New("--starts must be at least 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	certs, err := os.MkdirTemp("", "loadgen-certs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(certs) //nolint:errcheck // best effort.
	tlsc, err := writePKI(certs)
	if err != nil {
		return fmt.Errorf("cannot create certificates: %w", err)
	}
	create, err := fixture.Creation(*root, p)
	if err != nil {
		return err
	}

	res := LoadResult{Command: os.Args, Pattern: p.Name, Duration: *duration, Warmup: *warmup}
	// Time to serving is short and noisy: start the server several times
	// and keep the last one for the load.
	var (
		s    *server
		conn *grpc.ClientConn
		rsp  *fnv1.RunFunctionResponse
	)
	for i := range *starts {
		srv, c, r, took, err := serve(ctx, *bin, certs, tlsc, create)
		if err != nil {
			return err
		}
		res.TimeToServing = append(res.TimeToServing, took)
		fmt.Fprintf(os.Stderr, "start %d: serving after %s\n", i+1, took.Round(time.Millisecond))
		if i < *starts-1 {
			_ = c.Close()
			srv.stop()
			continue
		}
		s, conn, rsp = srv, c, r
	}
	defer s.stop()
	defer conn.Close() //nolint:errcheck // the server stops next.

	steady, err := fixture.Steady(create, rsp)
	if err != nil {
		return err
	}
	srsp, err := fnv1.NewFunctionRunnerServiceClient(conn).RunFunction(ctx, steady)
	if err != nil {
		return fmt.Errorf("steady-state RunFunction: %w", err)
	}
	if err := fixture.Check(srsp, true); err != nil {
		return fmt.Errorf("steady state: %w", err)
	}
	enc, err := proto.Marshal(steady)
	if err != nil {
		return err
	}
	res.RequestSize, res.ResponseSize = len(enc), proto.Size(srsp)

	pid := s.cmd.Process.Pid
	for _, c := range conc {
		drive(ctx, conn, [][]byte{enc}, c, *warmup)
		lvl, err := measure(ctx, s, pid, func() Level { return drive(ctx, conn, [][]byte{enc}, c, *duration) })
		if err != nil {
			return err
		}
		if lvl.Calls == 0 {
			return fmt.Errorf("no call succeeded at concurrency %d: %s", c, lvl.FirstError)
		}
		fmt.Fprintf(os.Stderr, "concurrency %d: %.0f calls/s, p50 %s, p99 %s, %d errors, other processes %.2f cores\n",
			c, lvl.CallsPerSecond(), lvl.P50.Round(time.Microsecond), lvl.P99.Round(time.Microsecond), lvl.Errors, lvl.OtherCores())
		res.Levels = append(res.Levels, lvl)
	}
	if res.PeakRSSKiB, err = peakRSS(pid); err != nil {
		return err
	}
	if len(counts) > 0 {
		res.ScaleConcurrency = *scaleConc
		if res.Scale, err = runScale(ctx, *bin, certs, tlsc, create, counts, *scaleConc, *warmup, *duration); err != nil {
			return err
		}
	}
	return writeJSON(*out, res)
}

func parseLevels(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("invalid concurrency %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644) //nolint:gosec // a results file, not a secret.
}
