package compose

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Where the model and its adapters are mounted in model-server pods.
const (
	modelPath = wiring.VLLMModelPath
	loraPath  = "/mnt/lora"
)

// vllmArgs are the flags the function gives a role's vLLM server on port
// with parallelism par (the spec's, completed by the pod's flags);
// apiServers passes the container's VLLM_API_SERVER_COUNT on, as KServe's
// launcher does. The user's flags follow (mergeVLLMArgs).
func (b *builder) vllmArgs(r role, port int32, par *spec.ParallelismSpec, apiServers bool) []string {
	args := append([]string{modelPath}, b.servedModelNames(r)...)
	args = append(args, "--port", strconv.Itoa(int(port)))
	if par != nil {
		args = append(args, parallelismArgs(par, r.topology())...)
	}
	if apiServers {
		// Kubernetes expands the reference from the container's env,
		// whether the value is written there or comes from a Secret.
		args = append(args, "--api-server-count", "$("+wiring.EnvAPIServerCount+")")
	}
	if kv := r.kvTransferConfig(); kv != "" {
		args = append(args, wiring.FlagKVTransferConfig, kv)
	}
	args = append(args, b.kvEventsArgs()...)
	if l := b.svc.Spec.Model.LoRA; l != nil && len(l.Adapters) > 0 {
		args = append(args, b.loraArgs(r, l)...)
	}
	return append(args, b.tracingArgs()...)
}

// servedModelNames is --served-model-name with the names a role's vLLM
// answers to (modelAliases). Prefill pods are reached through the decode
// pods only, under the base name, as KServe's prefill preset serves them.
func (b *builder) servedModelNames(r role) []string {
	return append([]string{"--served-model-name"}, b.roleAliases(r, b.svc.ServedModelName())...)
}

func (b *builder) roleAliases(r role, name string) []string {
	if r.label == rolePrefill {
		return []string{name}
	}
	return b.modelAliases(name)
}

// modelAliases are the names vLLM serves the model or an adapter under:
// its own and, with model-based routing, its fully qualified name,
// publishers/<namespace>/models/<name>, which the model name header rule
// matches and so the request's model field carries (the gateway's
// body-based router sets the header from it), as KServe's preset serves
// the model. An adapter gets the same second name, or the header rule
// composed for it would reach pods that do not know the name.
func (b *builder) modelAliases(name string) []string {
	if !b.cfg.ModelRouting() {
		return []string{name}
	}
	return []string{name, wiring.QualifiedModelName(b.svc.Namespace, name)}
}

// servedNames are the names the model servers answer to: the model's
// aliases, then each adapter's, in the spec's order.
func (b *builder) servedNames() []string {
	out := b.modelAliases(b.svc.ServedModelName())
	if l := b.svc.Spec.Model.LoRA; l != nil {
		for _, a := range l.Adapters {
			out = append(out, b.modelAliases(a.Name)...)
		}
	}
	return out
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
		// group; the launcher points them at the leader's address.
		if rpc == nil {
			rpc = ptr.To[int32](defaultDataRPCPort)
		}
		args = append(args, "--data-parallel-size", itoa(*p.Data),
			"--data-parallel-size-local", itoa(*p.DataLocal),
			"--data-parallel-hybrid-lb")
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
// LoRAPath, under each of its names.
func (b *builder) loraArgs(r role, l *spec.LoRASpec) []string {
	args := []string{"--enable-lora", "--lora-modules"}
	for _, a := range l.Adapters {
		for _, n := range b.roleAliases(r, a.Name) {
			args = append(args, n+"="+loraPath+"/"+a.Name)
		}
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

// mergeVLLMArgs follows the function's flags (own) with the user's (srcs,
// in the order vLLM reads them), so that each flag appears once:
//   - the positional model, and flags the function owns, which
//     spec.Validate has found to repeat the function's value (parallelism
//     the user's flags set is in own already), are left out, but for a
//     --served-model-name with aliases, which takes the function's place;
//   - a default the function sets (--kv-transfer-config, LoRA limits, ...)
//     that the user sets too is the user's: the function's is left out;
//   - a flag the user repeats with the same value appears once.
//
// A flag the user gives twice with different values stays twice, as
// written: vLLM takes the last, and the rendered pod shows what was asked.
func mergeVLLMArgs(own []string, srcs []spec.FlagSource) []string {
	var user []wiring.VLLMArg
	for _, s := range srcs {
		user = append(user, wiring.ParseVLLMArgs(s.Tokens)...)
	}
	aliases := func(a wiring.VLLMArg) bool { return a.Flag == "--served-model-name" && len(a.Values) > 1 }
	usersOwn := map[string]bool{} // flags whose user value replaces the function's
	for _, u := range user {
		if u.Default() || aliases(u) {
			usersOwn[u.Flag] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, g := range wiring.ParseVLLMArgs(own) {
		if g.Flag != "" && usersOwn[g.Flag] {
			continue
		}
		seen[argKey(g)] = true
		out = append(out, g.Tokens...)
	}
	for _, u := range user {
		_, _, _, owned := u.Owned()
		if u.Positional() || (owned && !aliases(u)) || seen[argKey(u)] {
			continue
		}
		seen[argKey(u)] = true
		out = append(out, u.Tokens...)
	}
	return out
}

// argKey identifies a flag and its values, however written.
func argKey(a wiring.VLLMArg) string {
	if a.Positional() {
		return "\x00" + a.Tokens[0]
	}
	return fmt.Sprintf("%s\x00%t\x00%s", a.Flag, a.Negated, strings.Join(a.Values, "\x00"))
}

// hasEnv reports whether c sets the variable name.
func hasEnv(c *corev1.Container, name string) bool {
	return slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == name })
}

// removeEnv removes the variable name from c.
func removeEnv(c *corev1.Container, name string) {
	c.Env = slices.DeleteFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == name })
	if len(c.Env) == 0 {
		c.Env = nil
	}
}
