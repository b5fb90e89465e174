package compose

import (
	"strconv"

	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Where the model and its adapters are mounted in model-server pods.
const (
	modelPath = "/mnt/models"
	loraPath  = "/mnt/lora"
)

// servedModelName is spec.model.name, else the service's name, as KServe's
// defaulter does.
func (b *builder) servedModelName() string {
	if n := b.svc.Spec.Model.Name; n != nil && *n != "" {
		return *n
	}
	return b.svc.Name
}

// vllmArgs are the flags generated for a role's vLLM server on port; the
// user's template args are appended after them.
func (b *builder) vllmArgs(r role, port int32) []string {
	args := []string{modelPath, "--served-model-name", b.servedModelName(), "--port", strconv.Itoa(int(port))}
	if p := r.w.Parallelism; p != nil {
		args = append(args, parallelismArgs(p, r.topology())...)
	}
	if r.kv {
		args = append(args, "--kv-transfer-config", kvTransferConfig)
	}
	if l := b.svc.Spec.Model.LoRA; l != nil && len(l.Adapters) > 0 {
		args = append(args, loraArgs(l)...)
	}
	return args
}

// parallelismArgs split the model over GPUs and pods as p asks, for a
// workload of topology t.
func parallelismArgs(p *spec.ParallelismSpec, t spec.Topology) []string {
	var args []string
	if p.Tensor != nil {
		args = append(args, "--tensor-parallel-size", itoa(*p.Tensor))
	}
	if p.Pipeline != nil {
		args = append(args, "--pipeline-parallel-size", itoa(*p.Pipeline))
	}
	rpc := p.DataRPCPort
	switch t {
	case dataParallelGroup:
		// Every pod serves HTTP for its local ranks (hybrid load
		// balancing), so the pool balances over every pod of every
		// group; the leader's address coordinates the engine.
		if rpc == nil {
			rpc = ptr.To[int32](defaultDataRPCPort)
		}
		args = append(args, "--data-parallel-size", itoa(*p.Data),
			"--data-parallel-size-local", itoa(*p.DataLocal),
			"--data-parallel-hybrid-lb",
			"--data-parallel-address", "$(LWS_LEADER_ADDRESS)")
	case pipelineGroup:
		args = append(args, "--distributed-executor-backend", "ray")
	default:
		if p.Data != nil {
			args = append(args, "--data-parallel-size", itoa(*p.Data))
		}
	}
	if rpc != nil && p.Data != nil {
		args = append(args, "--data-parallel-rpc-port", itoa(*rpc))
	}
	if p.Expert {
		args = append(args, "--enable-expert-parallel")
	}
	return args
}

// loraArgs serve the adapters l lists, each from its directory under
// LoRAPath.
func loraArgs(l *spec.LoRASpec) []string {
	args := []string{"--enable-lora", "--lora-modules"}
	for _, a := range l.Adapters {
		args = append(args, a.Name+"="+loraPath+"/"+a.Name)
	}
	if l.MaxRank != nil {
		args = append(args, "--max-lora-rank", itoa(*l.MaxRank))
	}
	if l.MaxAdapters != nil {
		args = append(args, "--max-loras", itoa(*l.MaxAdapters))
	}
	if l.MaxCPUAdapters != nil {
		args = append(args, "--max-cpu-loras", itoa(*l.MaxCPUAdapters))
	}
	return args
}

func itoa(i int32) string { return strconv.FormatInt(int64(i), 10) }
