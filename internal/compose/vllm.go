package compose

import (
	"strconv"
	"strings"

	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// Model-server facts. vLLM's OpenAI server listens on 8000 in every llm-d and
// KServe preset.
const (
	MainContainer   = config.MainContainer
	ModelServerPort = 8000
	ModelPath       = "/mnt/models"
	LoRAPath        = "/mnt/lora"
)

// reservedArgs are vLLM flags the function owns: setting them in the template
// would bypass the GPU arithmetic or break the Service and probes. The
// message says which spec field to use instead.
var reservedArgs = map[string]string{
	"--port":                     "the port is fixed at 8000, which the Service, the probes and the pool target",
	"--served-model-name":        "set spec.model.name",
	"--tensor-parallel-size":     "set spec.parallelism.tensor",
	"-tp":                        "set spec.parallelism.tensor",
	"--pipeline-parallel-size":   "set spec.parallelism.pipeline",
	"-pp":                        "set spec.parallelism.pipeline",
	"--data-parallel-size":       "set spec.parallelism.data",
	"-dp":                        "set spec.parallelism.data",
	"--data-parallel-size-local": "set spec.parallelism.dataLocal",
	"-dpl":                       "set spec.parallelism.dataLocal",
	"--data-parallel-rpc-port":   "set spec.parallelism.dataRPCPort",
	"--data-parallel-address":    "the function points every pod of a group at its leader",
	"--data-parallel-start-rank": "the function computes each pod's first rank",
	"--data-parallel-hybrid-lb":  "set by the function for multi-node data parallelism",
	"--headless":                 "every pod of a data parallel group serves its own ranks",
	"--enable-expert-parallel":   "set spec.parallelism.expert",
	"--api-key":                  "a key in args lands in etcd in clear text: set VLLM_API_KEY from a Secret (valueFrom.secretKeyRef)",
}

// reservedArg returns the flag and why it is reserved if arg sets one.
func reservedArg(arg string) (string, string, bool) {
	flag, _, _ := strings.Cut(arg, "=")
	why, ok := reservedArgs[flag]
	return flag, why, ok
}

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
	args := []string{ModelPath, "--served-model-name", b.servedModelName(), "--port", strconv.Itoa(int(port))}
	if p := r.w.Parallelism; p != nil {
		if p.Tensor != nil {
			args = append(args, "--tensor-parallel-size", itoa(*p.Tensor))
		}
		if p.Pipeline != nil {
			args = append(args, "--pipeline-parallel-size", itoa(*p.Pipeline))
		}
		rpc := p.DataRPCPort
		switch r.topology() {
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
	}
	if r.kv {
		args = append(args, "--kv-transfer-config", kvTransferConfig)
	}
	if l := b.svc.Spec.Model.LoRA; l != nil && len(l.Adapters) > 0 {
		args = append(args, "--enable-lora", "--lora-modules")
		for _, a := range l.Adapters {
			args = append(args, a.Name+"="+LoRAPath+"/"+a.Name)
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
	}
	return args
}

func itoa(i int32) string { return strconv.FormatInt(int64(i), 10) }
