package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crossplane-contrib/function-llm-inference-service/cmd/loadgen/fixture"
)

// The goals of serving many services (issue 18): with 1,000 distinct
// services, at least 0.8x the calls/s of one, and a peak RSS within
// goalPeakRSSKiB.
const (
	goalScaleServices = 1000
	goalScaleRatio    = 0.8
)

// planBench names the benchmark of what a cached plan costs.
func planBench(pattern string) string { return "PlanMemory/" + pattern }

// manyBenches are BenchmarkManyServices's runs, in the order the report
// compares them: one service, 1,000 under the served binary's collector
// settings, and 1,000 with a raised memory limit.
var manyBenches = []struct{ name, what string }{
	{"ManyServices/services=1", "1 service"},
	{"ManyServices/services=1000", "1,000 services"},
	{"ManyServices/services=1000,limit=256MiB", "1,000 services, memory limit 256 MiB"},
}

// gcUnit is BenchmarkManyServices's share of the process's CPU that the
// garbage collector took.
const gcUnit = "gc-cpu-%"

// scaleRun is the many-services run of n services in state, if it ran.
func (r *report) scaleRun(n int, state string) (ScaleRun, bool) {
	i := slices.IndexFunc(r.load.Scale, func(s ScaleRun) bool { return s.Services == n && s.State == state })
	if i < 0 {
		return ScaleRun{}, false
	}
	return r.load.Scale[i], true
}

// scaleRatio is the calls/s of n services in state over one service's in
// the same state.
func (r *report) scaleRatio(n int, state string) (float64, bool) {
	one, ok1 := r.scaleRun(1, state)
	many, ok2 := r.scaleRun(n, state)
	if !ok1 || !ok2 || one.Calls == 0 {
		return 0, false
	}
	return many.CallsPerSecond() / one.CallsPerSecond(), true
}

// scaleGoals evaluates the many-services goals: the rate ratio in each
// state, and the peak RSS of the server that served that many.
func (r *report) scaleGoals() []goal {
	rate := goal{
		what:   fmt.Sprintf("%s distinct services against one, calls/s", thousands(goalScaleServices)),
		target: fmt.Sprintf("≥ %.1f× in steady state and on create", goalScaleRatio),
		met:    true,
	}
	var parts []string
	for _, state := range []string{stateSteady, stateCreate} {
		q, ok := r.scaleRatio(goalScaleServices, state)
		if !ok {
			parts = append(parts, state+" not measured")
			rate.met = false
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.2f×", state, q))
		rate.met = rate.met && q >= goalScaleRatio
	}
	rate.measured = strings.Join(parts, ", ")

	rss := goal{
		what:     fmt.Sprintf("Peak RSS serving %s services", thousands(goalScaleServices)),
		target:   fmt.Sprintf("≤ %d MiB", goalPeakRSSKiB/1024),
		measured: "not measured",
	}
	if s, ok := r.scaleRun(goalScaleServices, stateCreate); ok {
		rss.measured = kib(s.PeakRSSKiB)
		rss.met = s.PeakRSSKiB > 0 && s.PeakRSSKiB <= goalPeakRSSKiB
	}
	return []goal{rate, rss}
}

// writeScale writes the many-services table and what a plan costs.
func (r *report) writeScale(p func(string, ...any)) {
	if len(r.load.Scale) == 0 {
		return
	}
	p("## Many services")
	p("")
	p("The built binary serving many distinct services of the **%s** pattern: each", r.load.Pattern)
	p("service's XR has a name of its own, so it composes objects of its own, as the XRs of")
	p("one Composition do. Each count ran on a fresh server, which composed every service")
	p("once (Crossplane's first call), then got every service's request in turn from %d", r.load.ScaleConcurrency)
	p("callers, one pass over all of them and %s unmeasured first, then %s measured.", r.load.Warmup, r.load.Duration)
	p("*Steady* is the request once everything composed is observed and healthy, *create*")
	p("the one before anything is observed (Crossplane repeats it until the objects exist).")
	p("The ratio is to one service in the same state; peak RSS is the server's VmHWM, the")
	p("peak since it started, so a count's create row includes its steady run.")
	p("")
	p("| Services | State | Calls/s | Ratio to 1 service | p50 | p99 | Errors | Server CPU/call | Other processes | Peak RSS |")
	p("|---|---|---|---|---|---|---|---|---|---|")
	for _, s := range r.load.Scale {
		q, _ := r.scaleRatio(s.Services, s.State)
		p("| %s | %s | %.0f | %.2f× | %s | %s | %d | %s | %.2f cores | %s |", thousands(float64(s.Services)), s.State, s.CallsPerSecond(), q,
			ms(s.P50), ms(s.P99), s.Errors, ns(float64(s.ServerCPU)/float64(s.Calls)), s.OtherCores(), kib(s.PeakRSSKiB))
	}
	p("")
	r.writeScaleProfile(p)

	p("## What a plan costs")
	p("")
	p("The function keeps a plan per service, so that a call whose spec has not changed")
	p("composes nothing: the composed objects encoded once, as the response carries them,")
	p("and outlines of the service and its objects for the conditions. The cache is")
	p("bounded by memory (`--plan-cache-mib`), charging each plan its encoded bytes times")
	p("a factor measured here. `BenchmarkPlanMemory` caches plans for")
	p("200 services of each pattern and measures the heap they keep alive after a full")
	p("collection. The charge must not be below the heap.")
	p("")
	p("| Pattern | Heap per plan | Charged per plan | Encoded objects | Plans in the default budget |")
	p("|---|---|---|---|---|")
	for _, pat := range fixture.Patterns {
		h, err1 := r.bench.stat(planBench(pat.Name), "heap-bytes/plan")
		c, err2 := r.bench.stat(planBench(pat.Name), "cost-bytes/plan")
		e, err3 := r.bench.stat(planBench(pat.Name), "encoded-bytes/plan")
		n, err4 := r.bench.stat(planBench(pat.Name), "plans/budget")
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			continue
		}
		p("| %s | %s | %s | %s | %s |", pat.Name, bytesIEC(h.median), bytesIEC(c.median), bytesIEC(e.median), thousands(n.median))
	}
	p("")
}

// writeScaleProfile writes what BenchmarkManyServices measured: the cost
// of a steady call in process and the collector's share of it, with one
// service, with 1,000, and with 1,000 under a raised memory limit, which
// is what says what stops the rate goal.
func (r *report) writeScaleProfile(p func(string, ...any)) {
	type row struct {
		what    string
		cpu, gc stat
	}
	var rows []row
	for _, m := range manyBenches {
		cpu, err1 := r.bench.stat(m.name, cpuUnit)
		gc, err2 := r.bench.stat(m.name, gcUnit)
		if err1 != nil || err2 != nil {
			return
		}
		rows = append(rows, row{m.what, cpu, gc})
	}
	p("### What stops 1,000 services")
	p("")
	p("`BenchmarkManyServices` (bench_scale_test.go) is the steady call in process: it")
	p("decodes a service's request, runs RunFunction and encodes the answer, going round")
	p("the services in turn, with the served binary's collector settings (GOGC=400 and a")
	p("96 MiB memory limit, `tuneGC` in main.go). *GC* is the share of the process's CPU")
	p("the garbage collector took (runtime/metrics); medians of %d runs.", rows[0].cpu.n)
	p("")
	p("| In process | CPU/call | Ratio to 1 service | GC share of CPU |")
	p("|---|---|---|---|")
	for _, w := range rows {
		p("| %s | %s | %.2f× | %.0f%% |", w.what, ns(w.cpu.median), rows[0].cpu.median/w.cpu.median, w.gc.median)
	}
	p("")
	limited, raised := rows[1], rows[2]
	p("With 1,000 plans live the collector takes %.0f%% of the CPU against %.0f%% for one", limited.gc.median, rows[0].gc.median)
	p("service. Under a memory limit of 256 MiB the same 1,000 services run at %.2f× of one", rows[0].cpu.median/raised.cpu.median)
	p("service's rate instead of %.2f×, the collector at %.0f%%.", rows[0].cpu.median/limited.cpu.median, raised.gc.median)
	if raised.cpu.median < limited.cpu.median*0.9 {
		p("So what stops the rate goal is the collector marking the live plans again and")
		p("again under the 96 MiB limit, the limit that keeps the RSS goal within reach: the")
		p("two goals pull against each other until a plan holds fewer pointers for the")
		p("collector to walk.")
	} else {
		p("The memory limit is not what stops the rate goal on this run.")
	}
	// A steady call allocates the same for one service as for many as
	// long as every plan is cached; one that composes again allocates
	// about a create call more.
	one, err1 := r.bench.stat(manyBenches[0].name, allocsUnit)
	all, err2 := r.bench.stat(manyBenches[1].name, allocsUnit)
	if err1 == nil && err2 == nil && all.median > 1.5*one.median {
		p("")
		p("**The plans do not all fit the plan cache**: a call at 1,000 services allocates")
		p("%.0f objects against %.0f for one service, so each composes its service again. A plan", all.median, one.median)
		p("is charged more than the default budget allows for 1,000 (see \"What a plan")
		p("costs\"): raise `DefaultPlanCacheMiB` or make plans smaller.")
	}
	p("")
}
