package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// LoadResult is what `loadgen run` measures, written as JSON for `loadgen
// report`.
type LoadResult struct {
	Command     []string `json:"command"`
	Pattern     string   `json:"pattern"`
	RequestSize int      `json:"requestBytes"`
	// ResponseSize is the steady-state response as the server sent it.
	ResponseSize int           `json:"responseBytes"`
	Duration     time.Duration `json:"duration"`
	Warmup       time.Duration `json:"warmup"`
	// TimeToServing is, for each start, the time from starting the
	// process to the first successful RunFunction over mTLS.
	TimeToServing []time.Duration `json:"timeToServing"`
	Levels        []Level         `json:"levels"`
	// PeakRSSKiB is the server's VmHWM after the last level.
	PeakRSSKiB int64 `json:"peakRSSKiB"`
	// Scale is the many-services run, on servers of its own, at
	// ScaleConcurrency.
	Scale            []ScaleRun `json:"scale,omitempty"`
	ScaleConcurrency int        `json:"scaleConcurrency,omitempty"`
}

// Level is one fixed-duration run at a fixed concurrency.
type Level struct {
	Concurrency int           `json:"concurrency"`
	Calls       int           `json:"calls"`
	Errors      int           `json:"errors"`
	FirstError  string        `json:"firstError,omitempty"`
	Elapsed     time.Duration `json:"elapsed"`
	P50         time.Duration `json:"p50"`
	P99         time.Duration `json:"p99"`
	Max         time.Duration `json:"max"`
	// ServerCPU and ClientCPU are the CPU time the server process and this
	// load generator used during the level. They share the machine's
	// cores, so the client's share is taken from the server.
	ServerCPU time.Duration `json:"serverCPU"`
	ClientCPU time.Duration `json:"clientCPU"`
	// OtherCPU is what the rest of the machine used meanwhile: the
	// measurement is only as good as this is small.
	OtherCPU time.Duration `json:"otherCPU"`
	// PeakRSSKiB is the server's VmHWM at the end of the level: the peak
	// so far, since the process started.
	PeakRSSKiB int64 `json:"peakRSSKiB"`
}

// CallsPerSecond is the level's throughput.
func (l Level) CallsPerSecond() float64 {
	return float64(l.Calls) / l.Elapsed.Seconds()
}

// OtherCores is how many cores other processes kept busy on average.
func (l Level) OtherCores() float64 {
	return l.OtherCPU.Seconds() / l.Elapsed.Seconds()
}

// server is the function binary running as its own process, serving mTLS.
type server struct {
	cmd    *exec.Cmd
	addr   string
	stderr bytes.Buffer
	exited chan struct{}
}

// start runs the function binary on a free loopback port with the
// certificates in certs, as the function's Deployment runs it.
func start(bin, certs string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{addr: addr, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "--address="+addr, "--metrics-address=127.0.0.1:0") //nolint:gosec // the binary under test.
	s.cmd.Env = append(os.Environ(), "TLS_SERVER_CERTS_DIR="+certs)
	s.cmd.Stdout, s.cmd.Stderr = &s.stderr, &s.stderr
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// stop ends the server and waits for it to exit.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// freeAddr picks a free loopback port. Another process could take it
// before the server binds it; then the server fails and says so.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close() //nolint:errcheck // only used to pick a port.
	return l.Addr().String(), nil
}

// serve starts the server and returns it with a client connection once a
// RunFunction call with req has succeeded, and how long that took from
// starting the process. It polls the port every millisecond rather than
// relying on gRPC's reconnect backoff, whose first retry alone is a
// second.
func serve(ctx context.Context, bin, certs string, tlsc *tls.Config, req *fnv1.RunFunctionRequest) (*server, *grpc.ClientConn, *fnv1.RunFunctionResponse, time.Duration, error) {
	t0 := time.Now()
	s, err := start(bin, certs)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	fail := func(err error) (*server, *grpc.ClientConn, *fnv1.RunFunctionResponse, time.Duration, error) {
		s.stop()
		return nil, nil, nil, 0, fmt.Errorf("%w\nserver output:\n%s", err, s.stderr.String())
	}
	deadline := t0.Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-s.exited:
			return fail(errors.New("the function exited before serving"))
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("the function did not listen on %s within 30s", s.addr))
		}
	}
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(credentials.NewTLS(tlsc)))
	if err != nil {
		return fail(err)
	}
	cctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	rsp, err := fnv1.NewFunctionRunnerServiceClient(conn).RunFunction(cctx, req, grpc.WaitForReady(true))
	elapsed := time.Since(t0)
	if err != nil {
		_ = conn.Close()
		return fail(fmt.Errorf("first RunFunction: %w", err))
	}
	return s, conn, rsp, elapsed, nil
}

// rawCodec sends a request encoded once up front and leaves responses
// encoded, counting their bytes. The load generator shares the machine's
// cores with the server; encoding and decoding tens of kilobytes per call
// here would take CPU from the server under test, work Crossplane does on
// its own nodes. The name makes the server decode with its proto codec.
type rawCodec struct{}

// rawMessage is a message rawCodec carries: in holds the encoded request
// to send, out the size of the response received.
type rawMessage struct {
	in  []byte
	out int
}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(*rawMessage)
	if !ok {
		return nil, fmt.Errorf("rawCodec cannot marshal %T", v)
	}
	return m.in, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	m, ok := v.(*rawMessage)
	if !ok {
		return fmt.Errorf("rawCodec cannot unmarshal into %T", v)
	}
	m.out = len(data)
	return nil
}

// drive calls RunFunction from c goroutines, each calling again as soon as
// its previous call returns, for d, with the encoded requests in turn (one
// service after another, as Crossplane reconciles many XRs). All share one
// connection, as Crossplane shares one per function.
func drive(ctx context.Context, conn *grpc.ClientConn, reqs [][]byte, c int, d time.Duration) Level {
	lvl := Level{Concurrency: c}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		wg        sync.WaitGroup
	)
	var next atomic.Uint64
	t0 := time.Now()
	end := t0.Add(d)
	for range c {
		wg.Go(func() {
			// Each goroutine keeps its own samples and hands them
			// over once, so a lock is not on the measured path.
			var (
				own        []time.Duration
				errs       int
				firstError string
			)
			for time.Now().Before(end) && ctx.Err() == nil {
				m := &rawMessage{in: reqs[(next.Add(1)-1)%uint64(len(reqs))]}
				s := time.Now()
				err := conn.Invoke(ctx, fnv1.FunctionRunnerService_RunFunction_FullMethodName, m, m, grpc.ForceCodec(rawCodec{}))
				if err != nil {
					if errs == 0 {
						firstError = err.Error()
					}
					errs++
					continue
				}
				own = append(own, time.Since(s))
			}
			mu.Lock()
			defer mu.Unlock()
			latencies = append(latencies, own...)
			lvl.Errors += errs
			if lvl.FirstError == "" {
				lvl.FirstError = firstError
			}
		})
	}
	wg.Wait()
	lvl.Elapsed = time.Since(t0)
	lvl.Calls = len(latencies)
	if len(latencies) > 0 {
		slices.Sort(latencies)
		lvl.P50 = percentile(latencies, 50)
		lvl.P99 = percentile(latencies, 99)
		lvl.Max = latencies[len(latencies)-1]
	}
	return lvl
}

// percentile is the nearest-rank percentile p of sorted samples.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}
