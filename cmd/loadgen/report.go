package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crossplane-contrib/function-llm-inference-service/cmd/loadgen/fixture"
)

// The goals for this function on a 2-core machine.
const (
	goalFloorRatio  = 3.0
	goalCallsPerSec = 4000.0
	goalConcurrency = 16
	goalP99         = 25 * time.Millisecond
	goalPeakRSSKiB  = 100 * 1024
	goalRspBytes    = 256 * 1024
)

func reportCmd(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	benchFile := fs.String("bench", "", "output of go test -bench over bench_test.go")
	loadFile := fs.String("load", "", "JSON written by loadgen run")
	profileFile := fs.String("profile", "", "optional go tool pprof -top output of the steady state to include")
	profileCmd := fs.String("profile-command", "", "the command that produced --profile")
	createProfileFile := fs.String("create-profile", "", "optional go tool pprof -top output of the create call to include")
	createProfileCmd := fs.String("create-profile-command", "", "the command that produced --create-profile")
	loadavgFile := fs.String("loadavg-start", "", "a copy of /proc/loadavg taken when the run started")
	goTest := fs.String("go-test", "", "the go test command that produced --bench, as run")
	command := fs.String("command", "make bench", "the command that runs everything")
	out := fs.String("out", "BENCHMARKS.md", "the report to write")
	_ = fs.Parse(args)

	bf, err := os.Open(*benchFile)
	if err != nil {
		return err
	}
	defer bf.Close() //nolint:errcheck // read only.
	bench, err := parseBench(bf)
	if err != nil {
		return err
	}
	lb, err := os.ReadFile(*loadFile)
	if err != nil {
		return err
	}
	var load LoadResult
	if err := json.Unmarshal(lb, &load); err != nil {
		return fmt.Errorf("%s: %w", *loadFile, err)
	}
	r := &report{bench: bench, load: load, goTest: *goTest, command: *command}
	for _, pf := range []struct {
		state, file, cmd string
	}{{stateSteady, *profileFile, *profileCmd}, {stateCreate, *createProfileFile, *createProfileCmd}} {
		if pf.file == "" {
			continue
		}
		b, err := os.ReadFile(pf.file)
		if err != nil {
			return err
		}
		r.profiles = append(r.profiles, cpuProfile{state: pf.state, top: profileText(b), command: pf.cmd})
	}
	if *loadavgFile != "" {
		b, err := os.ReadFile(*loadavgFile)
		if err != nil {
			return err
		}
		r.loadStart = loadavg(b)
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.loadEnd = loadavg(b)
	}
	r.machine = describeMachine()
	var buf bytes.Buffer
	if err := r.write(&buf, time.Now().UTC()); err != nil {
		return err
	}
	// Commands name files by absolute paths; the report should read the
	// same wherever the repository is checked out.
	b := buf.Bytes()
	if wd, err := os.Getwd(); err == nil {
		b = bytes.ReplaceAll(b, []byte(wd+string(os.PathSeparator)), nil)
	}
	return os.WriteFile(*out, b, 0o644) //nolint:gosec // a document.
}

// A cpuProfile is go tool pprof -top output of one state's call, and the
// command that made it.
type cpuProfile struct {
	state, command string
	top            []byte
}

// profileText is go tool pprof -top output without the lines that name
// the binary, which change on every build and say nothing about the code.
func profileText(b []byte) []byte {
	var out []byte
	for line := range bytes.Lines(b) {
		if bytes.HasPrefix(line, []byte("File: ")) || bytes.HasPrefix(line, []byte("Build ID: ")) {
			continue
		}
		out = append(out, line...)
	}
	return out
}

// benchResults holds every sample of every metric of every benchmark, by
// benchmark name (without the Benchmark prefix and GOMAXPROCS suffix) and
// unit.
type benchResults map[string]map[string][]float64

var procsSuffix = regexp.MustCompile(`-\d+$`)

// parseBench reads go test -bench output: lines of a name, an iteration
// count and value-unit pairs. Everything else is ignored.
func parseBench(r io.Reader) (benchResults, error) {
	out := benchResults{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procsSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		if out[name] == nil {
			out[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("cannot parse %q: %w", sc.Text(), err)
			}
			out[name][f[i+1]] = append(out[name][f[i+1]], v)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no benchmark results")
	}
	return out, sc.Err()
}

// stat is the median, min and max of one metric of one benchmark.
type stat struct {
	median, min, max float64
	n                int
}

// The benchmark names bench_test.go gives a pattern in a state.
func fnBench(pattern, state string) string {
	return "RunFunction/" + pattern + "/" + state + "/function"
}
func floorBench(pattern, state string) string {
	return "RunFunction/" + pattern + "/" + state + "/wire-floor"
}

func (b benchResults) stat(name, unit string) (stat, error) {
	v := b[name][unit]
	if len(v) == 0 {
		return stat{}, fmt.Errorf("no %s for benchmark %s", unit, name)
	}
	return statOf(v), nil
}

// cpuUnit is bench_test.go's metric of the CPU time per call the whole
// process used. Costs are compared in it rather than in wall time: it
// counts the garbage collector's work on the other core, and does not
// count waiting while other processes hold the cores.
const cpuUnit = "cpu-ns/op"

// allocsUnit is go test's allocations per op.
const allocsUnit = "allocs/op"

// ratio is RunFunction's CPU time over the wire floor's for a pattern in a
// state, run by run: each repetition runs the two back to back, so each
// ratio compares them under the same conditions, which the ratio of two
// medians taken minutes apart would not.
func (b benchResults) ratio(pattern, state string) (stat, error) {
	fn, fl := b[fnBench(pattern, state)][cpuUnit], b[floorBench(pattern, state)][cpuUnit]
	if len(fn) == 0 || len(fn) != len(fl) {
		return stat{}, fmt.Errorf("no matching runs of %s and %s", fnBench(pattern, state), floorBench(pattern, state))
	}
	q := make([]float64, len(fn))
	for i := range fn {
		q[i] = fn[i] / fl[i]
	}
	return statOf(q), nil
}

func statOf(samples []float64) stat {
	v := slices.Clone(samples)
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return stat{median: m, min: v[0], max: v[len(v)-1], n: len(v)}
}

type machine struct {
	cpu, kernel, memory string
	cores               int
}

func describeMachine() machine {
	m := machine{cpu: "unknown", kernel: "unknown", memory: "unknown", cores: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if kib, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64); err == nil {
					m.memory = fmt.Sprintf("%.1f GiB", kib/1024/1024)
				}
			}
		}
	}
	return m
}

// loadavg is the 1, 5 and 15 minute load averages of a /proc/loadavg.
func loadavg(b []byte) string {
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

type report struct {
	bench              benchResults
	load               LoadResult
	machine            machine
	goTest, command    string
	profiles           []cpuProfile
	loadStart, loadEnd string
}

// goal is one line of the goals table.
type goal struct {
	what, target, measured string
	met                    bool
}

func (r *report) write(w io.Writer, now time.Time) error {
	goals, err := r.goals()
	if err != nil {
		return err
	}
	// p writes one line; after the first failed write it writes nothing
	// more, and write returns that error.
	var werr error
	p := func(format string, a ...any) {
		if werr == nil {
			_, werr = fmt.Fprintf(w, format+"\n", a...)
		}
	}

	p("# Benchmarks")
	p("")
	p("<!-- Generated by `%s` (cmd/loadgen report). Do not edit by hand: run it again. -->", r.command)
	p("")
	p("Measured on %s by `%s`, which ran:", now.Format("2006-01-02 15:04 MST"), r.command)
	p("")
	p("- `%s` — the in-process benchmarks in `bench_test.go`;", r.goTest)
	p("- `%s` — the gRPC load run against the built binary (`cmd/loadgen`).", strings.Join(r.load.Command, " "))
	p("")
	p("| Machine | |")
	p("|---|---|")
	p("| CPU | %s |", r.machine.cpu)
	p("| Cores | %d |", r.machine.cores)
	p("| Memory | %s |", r.machine.memory)
	p("| Go | %s %s/%s |", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	p("| Kernel | %s |", r.machine.kernel)
	if r.loadStart != "" || r.loadEnd != "" {
		p("| Load average (1, 5, 15 min) | %s at the start, %s at the end |", or(r.loadStart, "?"), or(r.loadEnd, "?"))
	}
	p("")
	p("The load generator runs on the same cores as the server, and other work on the")
	p("machine shares them too. Other processes kept up to %.2f cores busy during the", r.maxOtherBench())
	p("benchmarks and up to %.2f during the load run (medians per benchmark, averages", r.maxOtherLoad())
	p("per load level; see the tables).")
	p("")

	p("## Goals")
	p("")
	p("| Goal | Target | Measured | Met |")
	p("|---|---|---|---|")
	for _, g := range goals {
		met := "**not met**"
		if g.met {
			met = "met"
		}
		p("| %s | %s | %s | %s |", g.what, g.target, g.measured, met)
	}
	p("")
	r.ceilings(p)

	p("## RunFunction in process")
	p("")
	p("`BenchmarkRunFunction`: the function's own work on a request gRPC has already")
	p("decoded, with the served binary's logger. *Create* is the first call, with nothing")
	p("observed; *steady* is every later one, with everything composed observed and")
	p("healthy. *Time* is the wall time of one caller, with GOMAXPROCS at the core count")
	p("as served; *CPU* is the CPU time the whole process used per call, the garbage")
	p("collector's work on the other core included. Medians of %d runs; the range is the", r.runs())
	p("fastest and slowest run.")
	p("")
	p("*Other processes* is how many cores the rest of the machine kept busy while the")
	p("benchmark ran (median of the runs): what they took, the benchmark did not get.")
	p("")
	p("| Pattern | State | Time/op | Range | CPU/op | B/op | Allocs/op | Request | Response | Other processes |")
	p("|---|---|---|---|---|---|---|---|---|---|")
	for _, pat := range fixture.Patterns {
		for _, state := range []string{"create", "steady"} {
			name := fnBench(pat.Name, state)
			t, _ := r.bench.stat(name, "ns/op")
			c, _ := r.bench.stat(name, cpuUnit)
			by, _ := r.bench.stat(name, "B/op")
			al, _ := r.bench.stat(name, allocsUnit)
			rq, _ := r.bench.stat(name, "req-bytes")
			rs, _ := r.bench.stat(name, "rsp-bytes")
			oc, _ := r.bench.stat(name, "other-cores")
			p("| %s | %s | %s | %s – %s | %s | %s | %.0f | %s | %s | %.2f cores |", pat.Name, state,
				ns(t.median), ns(t.min), ns(t.max), ns(c.median), bytesIEC(by.median), al.median, bytesIEC(rq.median), bytesIEC(rs.median), oc.median)
		}
	}
	p("")
	p("Patterns:")
	p("")
	for _, pat := range fixture.Patterns {
		p("- **%s** (`example/%s/xr.yaml`): %s.", pat.Name, pat.Example, pat.Description)
	}
	p("")

	p("## Against the wire floor")
	p("")
	p("The wire floor is decoding the same request and encoding the same response,")
	p("which the gRPC server does on every call whatever the function does. Both are")
	p("CPU per call. Each repetition runs RunFunction and the floor back to back; the")
	p("ratio is the median of the repetitions' ratios, the range their lowest and highest.")
	p("")
	p("| Pattern | State | RunFunction CPU | Wire floor CPU | Ratio | Ratio range | Floor B/op | Floor allocs/op |")
	p("|---|---|---|---|---|---|---|---|")
	for _, pat := range fixture.Patterns {
		for _, state := range []string{"create", "steady"} {
			fn, _ := r.bench.stat(fnBench(pat.Name, state), cpuUnit)
			fl, _ := r.bench.stat(floorBench(pat.Name, state), cpuUnit)
			by, _ := r.bench.stat(floorBench(pat.Name, state), "B/op")
			al, _ := r.bench.stat(floorBench(pat.Name, state), allocsUnit)
			q, _ := r.bench.ratio(pat.Name, state)
			p("| %s | %s | %s | %s | %.1f× | %.1f× – %.1f× | %s | %.0f |", pat.Name, state, ns(fn.median), ns(fl.median), q.median, q.min, q.max, bytesIEC(by.median), al.median)
		}
	}
	p("")

	l := r.load
	p("## Served over gRPC with mTLS")
	p("")
	p("The built binary, started with throwaway certificates in `TLS_SERVER_CERTS_DIR`,")
	p("called with the **%s** pattern's steady-state request (%s; response %s) over", l.Pattern, bytesIEC(float64(l.RequestSize)), bytesIEC(float64(l.ResponseSize)))
	p("one connection, as Crossplane shares one per function. Each level ran %s after", l.Duration)
	p("%s unmeasured; each caller sends its next call when the last returns. CPU per", l.Warmup)
	p("call is the CPU time used during the level over the calls made, for the server")
	p("and for the load generator, which encodes nothing per call but still runs gRPC")
	p("and TLS on the same cores. *Other processes* is the CPU the rest of the machine")
	p("used meanwhile, in cores: whatever it took, the server did not get.")
	p("")
	tts := slices.Clone(l.TimeToServing)
	slices.Sort(tts)
	p("Time from process start to the first successful RunFunction: **%s** (median of %d starts; %s – %s).",
		ms(tts[len(tts)/2]), len(tts), ms(tts[0]), ms(tts[len(tts)-1]))
	p("")
	p("| Concurrency | Calls/s | p50 | p99 | Max | Errors | Server CPU/call | Client CPU/call | Other processes | Peak RSS so far |")
	p("|---|---|---|---|---|---|---|---|---|---|")
	for _, lv := range l.Levels {
		p("| %d | %.0f | %s | %s | %s | %d | %s | %s | %.2f cores | %s |", lv.Concurrency, lv.CallsPerSecond(), ms(lv.P50), ms(lv.P99), ms(lv.Max), lv.Errors,
			ns(float64(lv.ServerCPU)/float64(lv.Calls)), ns(float64(lv.ClientCPU)/float64(lv.Calls)), lv.OtherCores(), kib(lv.PeakRSSKiB))
	}
	p("")
	p("Peak RSS of the server over the whole run (VmHWM): **%s**.", kib(l.PeakRSSKiB))
	p("")

	r.writeScale(p)

	r.writeProfiles(p)
	return werr
}

// writeProfiles writes a section per CPU profile: the command that made it
// and its top functions.
func (r *report) writeProfiles(p func(string, ...any)) {
	for i, pr := range r.profiles {
		if i > 0 {
			p("")
		}
		p("## Where the time goes: %s", pr.state)
		p("")
		p("CPU profile of RunFunction's %s call for the seed pattern. Time spent in", pr.state)
		p("libraries counts towards the function's own code or SDK call that called them;")
		p("*cum* is time in a function and everything it called. Made with:")
		p("")
		p("```")
		p("%s", strings.ReplaceAll(pr.command, " && ", "\n"))
		p("```")
		p("")
		p("```")
		p("%s", bytes.TrimSpace(pr.top))
		p("```")
	}
}

// goals evaluates each goal of the issue against the measurements.
func (r *report) goals() ([]goal, error) {
	var out []goal

	ratio := goal{what: "Steady-state RunFunction within 3× the wire floor", target: fmt.Sprintf("≤ %.0f× for every pattern", goalFloorRatio), met: true}
	var parts []string
	for _, pat := range fixture.Patterns {
		q, err := r.bench.ratio(pat.Name, "steady")
		if err != nil {
			return nil, err
		}
		parts = append(parts, fmt.Sprintf("%s %.1f×", pat.Name, q.median))
		ratio.met = ratio.met && q.median <= goalFloorRatio
	}
	ratio.measured = strings.Join(parts, ", ")
	out = append(out, ratio)

	tp := goal{
		what:   fmt.Sprintf("Seed pattern at concurrency %d", goalConcurrency),
		target: fmt.Sprintf("> %s calls/s, p99 < %d ms", thousands(goalCallsPerSec), goalP99.Milliseconds()),
	}
	i := slices.IndexFunc(r.load.Levels, func(l Level) bool { return l.Concurrency == goalConcurrency })
	switch {
	case r.load.Pattern != fixture.Seed:
		tp.measured = "the load run used pattern " + r.load.Pattern
	case i < 0:
		tp.measured = fmt.Sprintf("the load run had no concurrency %d", goalConcurrency)
	default:
		l := r.load.Levels[i]
		tp.measured = fmt.Sprintf("%s calls/s, p99 %s", thousands(l.CallsPerSecond()), ms(l.P99))
		tp.met = l.CallsPerSecond() > goalCallsPerSec && l.P99 < goalP99 && l.Errors == 0
		if l.Errors > 0 {
			tp.measured += fmt.Sprintf(", %d errors", l.Errors)
		}
	}
	out = append(out, tp)

	out = append(out, r.scaleGoals()...)
	out = append(out, goal{
		what:     "Peak RSS of the served function",
		target:   fmt.Sprintf("< %d MiB", goalPeakRSSKiB/1024),
		measured: kib(r.load.PeakRSSKiB),
		met:      r.load.PeakRSSKiB > 0 && r.load.PeakRSSKiB < goalPeakRSSKiB,
	})

	var largest float64
	var which string
	for name, m := range r.bench {
		if !strings.HasSuffix(name, "/function") {
			continue
		}
		for _, v := range m["rsp-bytes"] {
			if v > largest {
				largest, which = v, strings.TrimSuffix(strings.TrimPrefix(name, "RunFunction/"), "/function")
			}
		}
	}
	out = append(out, goal{
		what:     "Largest pattern's response",
		target:   fmt.Sprintf("< %d KiB", goalRspBytes/1024),
		measured: fmt.Sprintf("%s (%s)", bytesIEC(largest), which),
		met:      largest > 0 && largest < goalRspBytes,
	})
	return out, nil
}

// ceilings says what throughput the measured CPU costs allow on these
// cores, whatever the concurrency: the wire floor alone, and the server's
// CPU per call under load.
func (r *report) ceilings(p func(string, ...any)) {
	cores := float64(r.machine.cores)
	floor, err := r.bench.stat(floorBench(fixture.Seed, "steady"), cpuUnit)
	if err != nil || floor.median == 0 {
		return
	}
	p("Throughput ceilings on %d cores, from the measurements: decoding the seed's", r.machine.cores)
	p("steady-state request and encoding its response alone takes %s of CPU, which caps the", ns(floor.median))
	p("served function at %s calls/s even if RunFunction, gRPC, TLS and the load", thousands(cores*1e9/floor.median))
	if i := slices.IndexFunc(r.load.Levels, func(l Level) bool { return l.Concurrency == goalConcurrency }); i >= 0 && r.load.Levels[i].Calls > 0 {
		l := r.load.Levels[i]
		perCall := float64(l.ServerCPU) / float64(l.Calls)
		p("generator cost nothing. At concurrency %d the server used %s of CPU per call,", goalConcurrency, ns(perCall))
		p("a ceiling of %s calls/s with both cores to itself.", thousands(cores*1e9/perCall))
	} else {
		p("generator cost nothing.")
	}
	p("")
}

// maxOtherBench is the most cores other processes kept busy during any one
// benchmark, by its median over the runs.
func (r *report) maxOtherBench() float64 {
	var m float64
	for name := range r.bench {
		if st, err := r.bench.stat(name, "other-cores"); err == nil {
			m = max(m, st.median)
		}
	}
	return m
}

// maxOtherLoad is the most cores other processes kept busy during any one
// load level.
func (r *report) maxOtherLoad() float64 {
	var m float64
	for _, l := range r.load.Levels {
		m = max(m, l.OtherCores())
	}
	return m
}

// runs is how many samples each benchmark has.
func (r *report) runs() int {
	n := 0
	for _, m := range r.bench {
		n = max(n, len(m["ns/op"]))
	}
	return n
}

func ns(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2f s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0f µs", v/1e3)
	default:
		return fmt.Sprintf("%.0f ns", v)
	}
}

func ms(d time.Duration) string { return ns(float64(d)) }

func bytesIEC(v float64) string {
	if v >= 1024 {
		return fmt.Sprintf("%.1f KiB", v/1024)
	}
	return fmt.Sprintf("%.0f B", v)
}

func kib(v int64) string { return fmt.Sprintf("%.1f MiB", float64(v)/1024) }

// thousands formats n without decimals and with thousands separators.
func thousands(n float64) string {
	s := strconv.FormatInt(int64(n+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
