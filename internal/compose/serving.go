package compose

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Which pod of a role a builder makes.
type podKind int

const (
	podSingle podKind = iota
	podLeader
	podWorker
)

// Multi-node launchers. Kubernetes reduces $$ to $ in commands, so $$((
// reaches the shell as arithmetic rather than as a $(VAR) reference.
const (
	// rayPort is the Ray head's port on a pipeline group's leader.
	rayPort = wiring.RayPort
	// defaultDataRPCPort is where data parallel ranks coordinate when
	// spec.parallelism.dataRPCPort is unset.
	defaultDataRPCPort = wiring.DataParallelRPCPort
)

// dataParallelLauncher starts one pod's data parallel ranks: the ranks of
// pod i are i×dataLocal onwards, which only the shell can compute from the
// LWS_WORKER_INDEX the LeaderWorkerSet injects. Shared memory left by a
// crashed engine is removed first (llm-d/llm-d#352).
//
// Every pod points vLLM at its leader's address, resolved to an IP first:
// vLLM's coordinator binds ZMQ to it, and ZMQ does not resolve names on
// bind in every version. The launcher tries DP_ADDRESS_RESOLVE_ATTEMPTS
// times (default 30), a second apart, then uses the name, as KServe's
// launcher does.
func dataParallelLauncher(dataLocal int32) string {
	return "find /dev/shm -type f -delete 2>/dev/null; " +
		`addr="$LWS_LEADER_ADDRESS"; n="${` + wiring.EnvResolveAttempts + `:-30}"; i=0; ` +
		`while [ "$i" -lt "$n" ]; do ` +
		`out="$$(getent hosts "$LWS_LEADER_ADDRESS" 2>/dev/null)"; ` +
		`if [ -n "$out" ]; then addr="${out%%[[:space:]]*}"; break; fi; ` +
		`i=$$((i + 1)); if [ "$i" -lt "$n" ]; then sleep 1; fi; ` +
		`done; ` +
		`exec vllm serve "$@" --data-parallel-address "$addr" --data-parallel-start-rank "$$(( ${LWS_WORKER_INDEX:-0} * ` + strconv.Itoa(int(dataLocal)) + ` ))"`
}

// rayHeadLauncher starts a Ray head for the group's other pipeline stages
// to join, then vLLM, which waits until the group's GPUs have joined.
func rayHeadLauncher() string {
	return "ray start --head --port=" + strconv.Itoa(rayPort) + ` --disable-usage-stats && exec vllm serve "$@"`
}

// servingPod builds one model-server pod of a role: the built-in pod, the
// user's template merged over it (and for worker pods the user's worker
// merged over that, so workers inherit the template's image, resources and
// env), the vLLM flags for its topology, the model, and the P/D parts.
//
// The pod's vLLM flags are the function's followed by the user's, from the
// command when it runs vllm serve, VLLM_ADDITIONAL_ARGS and args, in that
// order (KServe's). The function reads VLLM_ADDITIONAL_ARGS as KServe's
// launcher would and passes its flags as args, so the pod does not carry
// it; parallelism the user's flags set counts as if spec.parallelism said
// it.
func (b *builder) servingPod(r role, kind podKind) (corev1.PodSpec, field.ErrorList) {
	port := int32(wiring.ModelServerPort)
	if r.sidecar {
		port = wiring.VLLMPortBehindSidecar
	}
	rayWorker := kind == podWorker && r.topology() == pipelineGroup
	base := b.modelServerPod(port)
	if r.kv && !rayWorker {
		addKVTransfer(&base)
	}
	if r.sidecar && !rayWorker {
		b.addRoutingSidecar(&base)
	}

	tp := r.path.Child("template")
	tmpl, _ := r.raw["template"].(map[string]any)
	pod, userArgs, errs := mergeTemplate(base, tmpl, tp)
	if len(errs) > 0 {
		return corev1.PodSpec{}, errs
	}
	where := tp
	var leader *spec.ParallelismSpec
	if kind == podWorker {
		// The worker's ranks belong to the leader's engine: the
		// parallelism its flags set must be the leader's.
		if leader, errs = b.podParallelism(r, &pod, userArgs, tp); len(errs) > 0 {
			return corev1.PodSpec{}, errs
		}
		wp := r.path.Child("worker")
		worker, _ := r.raw["worker"].(map[string]any)
		var workerArgs []string
		pod, workerArgs, errs = mergeTemplate(pod, worker, wp)
		if len(errs) > 0 {
			return corev1.PodSpec{}, errs
		}
		userArgs, where = append(slices.Clone(userArgs), workerArgs...), wp
	}
	main := wiring.Container(&pod, wiring.MainContainer)
	if main == nil {
		// The built-in pod has it, and no layer can remove it.
		return corev1.PodSpec{}, field.ErrorList{field.InternalError(where.Child("containers"), errNoMainContainer)}
	}
	mp := where.Child("containers").Key(wiring.MainContainer)
	launch, srcs, errs := spec.VLLMFlagSources(main, userArgs, mp)
	if len(errs) > 0 {
		return corev1.PodSpec{}, errs // spec.Validate refused these.
	}
	b.recordFlags(r, srcs)
	fp, _ := spec.ReadFlagParallelism(srcs)
	par := fp.Fill(r.w.Parallelism)
	if leader != nil && !rayWorker && !sameParallelism(leader, par) {
		return corev1.PodSpec{}, field.ErrorList{field.Forbidden(mp,
			fmt.Sprintf("the worker's vLLM flags set other parallelism (%s) than the leader's (%s): every pod of a group runs one engine; set spec.parallelism", describe(par), describe(leader)))}
	}
	need, how := r.gpusPerPod(par)
	how += flagOrigins(fp, r.w.Parallelism)
	if errs := b.podGPUs(&pod, main, need, how, r.path.Child("parallelism"), where); len(errs) > 0 {
		return corev1.PodSpec{}, errs
	}
	removeEnv(main, wiring.EnvAdditionalArgs)
	attachKVCacheTiers(&pod, main, r.w.Offloading())
	b.addTracingEnv(main, r.tracingServiceName(), true)
	b.addKVEventsEnv(main, rayWorker)
	if r.kv && !rayWorker {
		first, n := nixlRanks(r.topology(), kind, par)
		addNIXLPorts(main, first, n)
	}
	args := mergeVLLMArgs(b.vllmArgs(r, port, par, hasEnv(main, wiring.EnvAPIServerCount)), srcs)
	startVLLM(main, r.topology(), kind, launch, args, par)
	if errs := b.attachModel(&pod, where); len(errs) > 0 {
		return corev1.PodSpec{}, errs
	}
	return pod, nil
}

// startVLLM sets how the main container c of a pod of kind, in a role of
// topology t, starts vLLM with args: the function's command, or on one node
// the user's own program, which gets the flags as its args.
func startVLLM(c *corev1.Container, t spec.Topology, kind podKind, launch wiring.Launch, args []string, par *spec.ParallelismSpec) {
	switch {
	case t == singleNode:
		if launch.Kind != wiring.LaunchOther {
			c.Command = slices.Clone(wiring.VLLMCommand)
		}
		c.Args = args
	case t == dataParallelGroup:
		c.Command = []string{"/bin/sh", "-c", dataParallelLauncher(*par.DataLocal), "vllm"}
		c.Args = args
	case kind == podLeader:
		c.Command = []string{"/bin/sh", "-c", rayHeadLauncher(), "vllm"}
		c.Args = args
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: "ray", ContainerPort: rayPort, Protocol: corev1.ProtocolTCP})
	default:
		// A later pipeline stage: a Ray worker holding its GPUs for the
		// leader's engine. It serves nothing, so it has no HTTP port or
		// probes and takes no vLLM flags: the template's are the leader's,
		// and spec.Validate refuses the worker's own.
		c.Command = []string{"ray", "start", fmt.Sprintf("--address=$(LWS_LEADER_ADDRESS):%d", rayPort), "--block", "--disable-usage-stats"}
		c.Args = nil
		c.Ports = nil
		c.StartupProbe, c.LivenessProbe, c.ReadinessProbe = nil, nil, nil
	}
}

// podParallelism is the parallelism of the pod merged so far, at p: the
// spec's, completed by the flags of its main container.
func (b *builder) podParallelism(r role, pod *corev1.PodSpec, args []string, p *field.Path) (*spec.ParallelismSpec, field.ErrorList) {
	main := wiring.Container(pod, wiring.MainContainer)
	if main == nil {
		return nil, field.ErrorList{field.InternalError(p.Child("containers"), errNoMainContainer)}
	}
	_, srcs, errs := spec.VLLMFlagSources(main, args, p.Child("containers").Key(wiring.MainContainer))
	if len(errs) > 0 {
		return nil, errs
	}
	fp, _ := spec.ReadFlagParallelism(srcs)
	return fp.Fill(r.w.Parallelism), nil
}

// sameParallelism compares the parallelism two pods of a group run with.
func sameParallelism(a, b *spec.ParallelismSpec) bool { return describe(a) == describe(b) }

// describe writes parallelism p for messages and comparison.
func describe(p *spec.ParallelismSpec) string {
	if p == nil {
		p = &spec.ParallelismSpec{}
	}
	return fmt.Sprintf("tensor %d, pipeline %d, data %d, dataLocal %d, expert %t",
		ptr.Deref(p.Tensor, 1), ptr.Deref(p.Pipeline, 1), ptr.Deref(p.Data, 1), ptr.Deref(p.DataLocal, 1), p.Expert)
}

// flagOrigins names, for the GPU arithmetic's message, the parallelism the
// pod's vLLM flags set where spec.parallelism p does not.
func flagOrigins(fp spec.FlagParallelism, p *spec.ParallelismSpec) string {
	var from []string
	for _, par := range []wiring.ParallelismField{wiring.ParTensor, wiring.ParPipeline, wiring.ParData, wiring.ParDataLocal} {
		if f := fp.From(par, p); f != "" {
			from = append(from, string(par)+" from "+f)
		}
	}
	if len(from) == 0 {
		return ""
	}
	return "; " + strings.Join(from, ", ")
}

// nixlRanks are the data parallel ranks a pod of the role runs, each with
// its own NIXL side channel: the first rank and how many.
func nixlRanks(t spec.Topology, kind podKind, p *spec.ParallelismSpec) (first, n int32) {
	if p == nil || p.Data == nil {
		return 0, 1
	}
	switch {
	case t == dataParallelGroup && kind == podWorker:
		// The worker template is every worker's: they run the ranks
		// after the leader's.
		return *p.DataLocal, *p.Data - *p.DataLocal
	case t == dataParallelGroup:
		return 0, *p.DataLocal
	default:
		return 0, *p.Data
	}
}
