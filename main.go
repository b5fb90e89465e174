// Package main implements a Crossplane composition function that composes an
// LLMInferenceService (KServe's API) into vLLM workloads and the llm-d
// serving path.
package main

import (
	"os"
	"runtime/debug"
	"strconv"

	"github.com/alecthomas/kong"
	"github.com/crossplane/function-sdk-go"
)

// CLI of this Function.
type CLI struct {
	Debug bool `help:"Emit debug logs in addition to info logs." short:"d"`

	Network            string `default:"tcp"                                                                       help:"Network on which to listen for gRPC connections."`
	Address            string `default:":9443"                                                                     help:"Address at which to listen for gRPC connections."`
	TLSCertsDir        string `env:"TLS_SERVER_CERTS_DIR"                                                          help:"Directory holding tls.crt, tls.key and ca.crt for mTLS with Crossplane."`
	Insecure           bool   `help:"Run without mTLS credentials, for local use and crossplane render only. --tls-certs-dir is then ignored."`
	MaxRecvMessageSize int    `default:"8"                                                                         help:"Maximum size of received messages in MB."`
	PlanCacheMiB       int    `default:"${plan_cache_mib}"                                                        help:"Memory the plans of the services served may take, in MiB: a plan is kept for each service, so that a call whose spec has not changed composes nothing."`
	MetricsAddress     string `default:":8080"                                                                     help:"Address at which to serve Prometheus metrics."`
}

// Run this Function.
func (c *CLI) Run() error {
	log, err := function.NewLogger(c.Debug)
	if err != nil {
		return err
	}
	tuneGC()
	return function.Serve(&Function{log: log, plans: newPlanCache(int64(c.PlanCacheMiB) << 20), preEncoded: true},
		function.Listen(c.Network, c.Address),
		function.MTLSCertificates(c.TLSCertsDir),
		function.Insecure(c.Insecure),
		function.MaxRecvMessageSize(c.MaxRecvMessageSize*1024*1024),
		function.WithMetricsServer(c.MetricsAddress))
}

// tuneGC trades memory the function does not need for CPU it does: each
// call allocates about half a megabyte that is garbage at once, and with
// Go's default GOGC=100 collection took a fifth of the CPU under load
// (BENCHMARKS.md). A memory limit keeps the heap bounded all the same. The
// GOGC and GOMEMLIMIT environment variables still win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(96 << 20)
	}
}

func main() {
	ctx := kong.Parse(&CLI{}, kong.Vars{"plan_cache_mib": strconv.Itoa(DefaultPlanCacheMiB)}, kong.Description("A Crossplane composition function that serves LLMs with vLLM, the way KServe's LLMInferenceService and llm-d do."))
	ctx.FatalIfErrorf(ctx.Run())
}
