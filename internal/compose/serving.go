package compose

import (
	"fmt"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

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
	rayPort = 6379
	// defaultDataRPCPort is where data parallel ranks coordinate when
	// spec.parallelism.dataRPCPort is unset, as in KServe's presets.
	defaultDataRPCPort = 5555
)

// dataParallelLauncher starts one pod's data parallel ranks: the ranks of
// pod i are i×dataLocal onwards, which only the shell can compute from the
// LWS_WORKER_INDEX the LeaderWorkerSet injects. Shared memory left by a
// crashed engine is removed first (llm-d/llm-d#352).
func dataParallelLauncher(dataLocal int32) string {
	return "find /dev/shm -type f -delete 2>/dev/null; " +
		`exec vllm serve "$@" --data-parallel-start-rank "$$(( ${LWS_WORKER_INDEX:-0} * ` + strconv.Itoa(int(dataLocal)) + ` ))"`
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
	if kind == podWorker {
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
	need, how := r.gpusPerPod()
	if errs := b.checkGPUs(main, need, how, r.path.Child("parallelism"), where); len(errs) > 0 {
		return corev1.PodSpec{}, errs
	}

	switch {
	case r.topology() == singleNode:
		main.Args = append(b.vllmArgs(r, port), userArgs...)
	case r.topology() == dataParallelGroup:
		main.Command = []string{"/bin/sh", "-c", dataParallelLauncher(*r.w.Parallelism.DataLocal), "vllm"}
		main.Args = append(b.vllmArgs(r, port), userArgs...)
	case kind == podLeader:
		main.Command = []string{"/bin/sh", "-c", rayHeadLauncher(), "vllm"}
		main.Args = append(b.vllmArgs(r, port), userArgs...)
		main.Ports = append(main.Ports, corev1.ContainerPort{Name: "ray", ContainerPort: rayPort, Protocol: corev1.ProtocolTCP})
	default:
		// A later pipeline stage: a Ray worker holding its GPUs for the
		// leader's engine. It serves nothing, so it has no HTTP port or
		// probes and takes no vLLM flags: the template's are the leader's,
		// and spec.Validate refuses the worker's own.
		main.Command = []string{"ray", "start", fmt.Sprintf("--address=$(LWS_LEADER_ADDRESS):%d", rayPort), "--block", "--disable-usage-stats"}
		main.Args = nil
		main.Ports = nil
		main.StartupProbe, main.LivenessProbe, main.ReadinessProbe = nil, nil, nil
	}
	if errs := b.attachModel(&pod, where); len(errs) > 0 {
		return corev1.PodSpec{}, errs
	}
	return pod, nil
}
