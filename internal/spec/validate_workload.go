package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// validateWorkload checks one model-server workload, the main one at
// spec or the prefill one at spec.prefill: its counts, its parallelism for
// its topology, and its pod templates.
func validateWorkload(w *WorkloadSpec, own vllmOwner, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if w.Replicas != nil && *w.Replicas < 0 {
		errs = append(errs, field.Invalid(p.Child("replicas"), *w.Replicas, "must be 0 or more"))
	}
	errs = append(errs, validateParallelism(w, p)...)
	errs = append(errs, validateTopology(w, p)...)
	errs = append(errs, validateLabels(w.Labels, p.Child("labels"))...)
	errs = append(errs, validateRolloutStrategy(w, p)...)
	if w.Template != nil {
		errs = append(errs, validateModelServerPod(w, own, false, p)...)
	}
	if w.Worker != nil {
		errs = append(errs, validateModelServerPod(w, own, true, p)...)
	}
	return errs
}

// validateParallelism checks the sizes and KServe's rules on how they
// combine.
func validateParallelism(w *WorkloadSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	pp := p.Child("parallelism")
	par := w.Parallelism
	if w.Worker != nil && (par == nil || (par.Data == nil && par.DataLocal == nil && par.Pipeline == nil)) {
		errs = append(errs, field.Required(pp, "when worker is specified, parallelism must be configured for either data parallelism or pipeline parallelism"))
	}
	if par == nil {
		return errs
	}
	for _, f := range []struct {
		name string
		v    *int32
	}{{"tensor", par.Tensor}, {"pipeline", par.Pipeline}, {"data", par.Data}, {"dataLocal", par.DataLocal}} {
		if f.v != nil && *f.v < 1 {
			errs = append(errs, field.Invalid(pp.Child(f.name), *f.v, "must be greater than 0"))
		}
	}
	errs = append(errs, validatePort(par.DataRPCPort, pp.Child("dataRPCPort"), "")...)
	if par.Pipeline != nil && (par.Data != nil || par.DataLocal != nil) {
		errs = append(errs, field.Forbidden(pp, "cannot set both pipeline parallelism and data parallelism (data or dataLocal) simultaneously"))
	}
	if par.Data != nil && par.DataLocal == nil {
		errs = append(errs, field.Required(pp.Child("dataLocal"), "dataLocal must be set when data is set"))
	}
	if par.DataLocal != nil && par.Data == nil {
		errs = append(errs, field.Required(pp.Child("data"), "data must be set when dataLocal is set"))
	}
	return errs
}

// validateTopology refuses parallelism the workload's topology cannot
// honour, instead of silently serving something else than asked for
// (KServe #4946, #5773, #6044). Sizes below 1 are validateParallelism's.
func validateTopology(w *WorkloadSpec, p *field.Path) field.ErrorList {
	par := w.Parallelism
	pp := p.Child("parallelism")
	worker := p.Child("worker")
	positive := func(v *int32) bool { return v != nil && *v > 0 }
	var errs field.ErrorList
	switch w.Topology() {
	case SingleNode:
		if par != nil && positive(par.Data) && positive(par.DataLocal) && *par.Data != *par.DataLocal {
			errs = append(errs, field.Invalid(pp.Child("data"), *par.Data,
				fmt.Sprintf("without %s all data parallel ranks run in one pod: data must equal dataLocal; add %s to spread ranks over several pods", worker, worker)))
		}
	case DataParallelGroup:
		if par == nil || !positive(par.Data) || !positive(par.DataLocal) {
			break // validateParallelism reports what is missing.
		}
		if *par.Data%*par.DataLocal != 0 {
			errs = append(errs, field.Invalid(pp.Child("data"), *par.Data,
				fmt.Sprintf("must be a multiple of dataLocal (%d): each pod of a group runs dataLocal ranks", *par.DataLocal)))
		} else if *par.Data == *par.DataLocal {
			errs = append(errs, field.Invalid(pp.Child("data"), *par.Data,
				fmt.Sprintf("equals dataLocal, so a group would be one pod and %s has nothing to run; set data to a multiple of dataLocal above it, or remove the worker", worker)))
		}
	case PipelineGroup:
		if *par.Pipeline == 1 {
			errs = append(errs, field.Invalid(pp.Child("pipeline"), *par.Pipeline,
				fmt.Sprintf("with %s each pod runs one pipeline stage: pipeline must be at least 2", worker)))
		}
	}
	if par != nil && par.DataRPCPort != nil && par.Data == nil {
		errs = append(errs, field.Invalid(pp.Child("dataRPCPort"), *par.DataRPCPort, "has no effect without data parallelism (data and dataLocal)"))
	}
	return errs
}

// validateModelServerPod checks the pod template (worker false) or the
// worker template (worker true) of the workload at wp: how it starts vLLM,
// the vLLM flags it gives (in its command, VLLM_ADDITIONAL_ARGS and args),
// the variables of KServe's launcher the function reads, and credentials,
// which are never written inline.
func validateModelServerPod(w *WorkloadSpec, own vllmOwner, worker bool, wp *field.Path) field.ErrorList {
	pod, p, t := w.Template, wp.Child("template"), w.Topology()
	if worker {
		pod, p = w.Worker, wp.Child("worker")
	}
	errs := validateCredentials(pod, p)
	main := wiring.Container(pod, wiring.MainContainer)
	if main == nil {
		return errs
	}
	mp := p.Child("containers").Key(wiring.MainContainer)
	launch, srcs, serrs := VLLMFlagSources(main, main.Args, mp)
	errs = append(errs, serrs...)
	errs = append(errs, validateLaunch(launch, t, mp.Child("command"))...)
	errs = append(errs, validateLauncherEnv(main, mp)...)
	if t == PipelineGroup && worker {
		// A later pipeline stage is a Ray worker holding its GPUs for the
		// leader's engine: it runs no vLLM server to take flags.
		leader := wp.Child("template", "containers").Key(wiring.MainContainer)
		for _, src := range srcs {
			if len(src.Tokens) > 0 {
				errs = append(errs, field.Forbidden(src.At(0),
					"pipeline parallel workers run a Ray worker for the leader's vLLM engine: vLLM flags belong in "+leader.String()))
			}
		}
		return errs
	}
	errs = append(errs, validateKVTransferFlag(w, srcs, wp)...)
	own.apiServerCount = literalEnv(main, wiring.EnvAPIServerCount)
	for i := range srcs {
		for _, a := range wiring.ParseVLLMArgs(srcs[i].Tokens) {
			if msg := own.refuse(a, t); msg != "" {
				errs = append(errs, field.Forbidden(srcs[i].At(a.At), msg))
			}
		}
	}
	fp, perrs := ReadFlagParallelism(srcs)
	errs = append(errs, perrs...)
	return append(errs, validateFlagParallelism(fp, w, wp.Child("parallelism"))...)
}

// validateLaunch checks how the container's command starts vLLM. The
// function composes the command itself when it runs vllm serve; another
// program on one node gets the function's flags as args; multi-node pods
// start vLLM through the function's launcher, which computes each pod's
// ranks, so they take no other program.
func validateLaunch(l wiring.Launch, t Topology, cp *field.Path) field.ErrorList {
	switch {
	case l.Kind != wiring.LaunchOther:
		return nil
	case t != SingleNode:
		return field.ErrorList{field.Forbidden(cp,
			"multi-node pods start vLLM through a launcher that computes each pod's ranks: leave command unset, or make it vllm serve [flags] (exec form, or a shell's -c script of that one command), and put other flags in args")}
	case l.Shell && !l.PassesArgs:
		return field.ErrorList{field.Forbidden(cp,
			`the script never passes its arguments on ("$@"), so the flags the function gives vLLM (the model, --port, --served-model-name, parallelism) would be lost: end it in vllm serve "$@", or leave command unset`)}
	}
	return nil
}

// validateLauncherEnv checks the values of KServe's launcher variables the
// function passes to vLLM, where it can read them.
func validateLauncherEnv(c *corev1.Container, mp *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, v := range []struct {
		name string
		min  int
	}{{wiring.EnvAPIServerCount, 1}, {wiring.EnvResolveAttempts, 0}} {
		val := literalEnv(c, v.name)
		if val == "" {
			continue
		}
		if n, err := strconv.Atoi(val); err != nil || n < v.min {
			errs = append(errs, field.Invalid(mp.Child("env").Key(v.name).Child("value"), val, fmt.Sprintf("must be a whole number of at least %d", v.min)))
		}
	}
	return errs
}

// literalEnv is the literal value of the variable name in c, "" if unset
// or set by reference.
func literalEnv(c *corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom == nil {
			return e.Value
		}
	}
	return ""
}

// vllmOwner is what the function passes vLLM for the flags it owns, so
// that a flag repeating it is accepted and one contradicting it refused.
type vllmOwner struct {
	servedName string
	port       int32
	// apiServerCount is the container's VLLM_API_SERVER_COUNT.
	apiServerCount string
}

// ownerOf is the function's view of the vLLM flags of workload w of svc.
func ownerOf(svc *Service, w *WorkloadSpec) vllmOwner {
	o := vllmOwner{servedName: svc.ServedModelName(), port: wiring.ModelServerPort}
	if w == &svc.Spec.WorkloadSpec && svc.Spec.Prefill != nil {
		// Decode pods: the routing sidecar holds the pool's port.
		o.port = wiring.VLLMPortBehindSidecar
	}
	return o
}

// refuse says why a, a vLLM argument of a pod of topology t, is refused:
// a flag the function owns with a value other than its own, or a
// positional model other than the function's; "" when a is accepted.
// Parallelism flags are validateFlagParallelism's.
func (o vllmOwner) refuse(a wiring.VLLMArg, t Topology) string {
	if a.Positional() {
		if v := a.Tokens[0]; v != wiring.VLLMModelPath {
			return fmt.Sprintf("%s would be vLLM's model: the model is spec.model.uri, mounted at %s, which the function passes", v, wiring.VLLMModelPath)
		}
		return ""
	}
	flag, why, par, owned := a.Owned()
	switch {
	case !owned:
		return ""
	case len(a.Ambiguous) > 0:
		return fmt.Sprintf("%s abbreviates several vLLM flags (%s), which vLLM refuses; %s among them is set by the function: %s",
			a.Tokens[0], strings.Join(a.Ambiguous, ", "), flag, why)
	case par != "":
		return ""
	}
	value := strings.Join(a.Values, " ")
	var own string // the function's value, when it passes one
	agrees := false
	switch flag {
	case "--model":
		own, agrees = wiring.VLLMModelPath, value == wiring.VLLMModelPath
	case "--port":
		own = strconv.Itoa(int(o.port))
		agrees = value == own
	case "--served-model-name":
		// Further names are aliases vLLM also answers to, as KServe's
		// own launcher adds publishers/<namespace>/models/<name>.
		own, agrees = o.servedName, len(a.Values) > 0 && a.Values[0] == o.servedName
	case "--data-parallel-hybrid-lb":
		agrees = t == DataParallelGroup && a.Bool()
	case "--api-server-count":
		own, agrees = o.apiServerCount, o.apiServerCount != "" && value == o.apiServerCount
	}
	switch {
	case agrees:
		return ""
	case own != "":
		return fmt.Sprintf("%s contradicts the function's %s %s: %s", a.Written(), flag, own, why)
	default:
		return fmt.Sprintf("%s is set by the function: %s", a.Written(), why)
	}
}

// validateFlagParallelism checks the parallelism that vLLM flags set
// against spec.parallelism at pp: a flag may set a field the spec leaves
// unset (KServe's samples put --tensor-parallel-size in
// VLLM_ADDITIONAL_ARGS) and it then counts in the GPU arithmetic, but it
// may not contradict the spec, nor change what the workload's topology is
// built from.
func validateFlagParallelism(fp FlagParallelism, w *WorkloadSpec, pp *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, par := range []wiring.ParallelismField{wiring.ParTensor, wiring.ParPipeline, wiring.ParData, wiring.ParDataLocal, wiring.ParDataRPCPort, wiring.ParExpert} {
		if s, ok := fp.set[par]; ok {
			if msg := flagFieldRefusal(s, par, w, pp); msg != "" {
				errs = append(errs, field.Forbidden(s.src.At(s.arg.At), msg))
			}
		}
	}
	if w.Topology() == SingleNode {
		errs = append(errs, validateFlagCombination(fp, w.Parallelism, pp)...)
	}
	return errs
}

// flagFieldRefusal says why the flag setting s of field par is refused, ""
// when it is accepted.
func flagFieldRefusal(s flagSetting, par wiring.ParallelismField, w *WorkloadSpec, pp *field.Path) string {
	t, p := w.Topology(), w.Parallelism
	if specSets(p, par) {
		n, on := specValue(p, par)
		if par == wiring.ParExpert && on != s.on {
			return fmt.Sprintf("%s contradicts %s (%t): set one of them", s.arg.Written(), pp.Child(string(par)), on)
		}
		if par != wiring.ParExpert && n != s.n {
			return fmt.Sprintf("%s contradicts %s (%d): set one of them", s.arg.Written(), pp.Child(string(par)), n)
		}
		return ""
	}
	switch {
	case par == wiring.ParDataRPCPort && t == DataParallelGroup && s.n != defaultDataRPCPort:
		// The function always passes the group's RPC port.
		return fmt.Sprintf("%s contradicts the data parallel RPC port the function passes (%d): set %s", s.arg.Written(), defaultDataRPCPort, pp.Child(string(par)))
	case par == wiring.ParDataRPCPort:
		return ""
	case t != SingleNode && par != wiring.ParTensor && par != wiring.ParExpert:
		return fmt.Sprintf("%s: set %s instead: the function builds the LeaderWorkerSet's groups from spec.parallelism", s.arg.Written(), pp.Child(string(par)))
	}
	return ""
}

// validateFlagCombination applies the rules of how parallelism combines
// to what the flags of a one-node pod make of spec.parallelism p.
func validateFlagCombination(fp FlagParallelism, p *ParallelismSpec, pp *field.Path) field.ErrorList {
	eff := fp.Fill(p)
	if eff == nil {
		return nil
	}
	fromFlags := func(pars ...wiring.ParallelismField) bool {
		return slices.ContainsFunc(pars, func(par wiring.ParallelismField) bool { return fp.From(par, p) != "" })
	}
	var errs field.ErrorList
	if eff.Pipeline != nil && eff.Data != nil && fromFlags(wiring.ParPipeline, wiring.ParData) {
		errs = append(errs, field.Forbidden(pp, fmt.Sprintf("vLLM's flags set pipeline %d and data %d parallelism: cannot set both pipeline parallelism and data parallelism (data or dataLocal) simultaneously", *eff.Pipeline, *eff.Data)))
	}
	if eff.Data != nil && eff.DataLocal != nil && *eff.Data != *eff.DataLocal && fromFlags(wiring.ParData, wiring.ParDataLocal) {
		errs = append(errs, field.Forbidden(pp, fmt.Sprintf("vLLM's flags set data %d and dataLocal %d: without a worker all data parallel ranks run in one pod, so they must be equal", *eff.Data, *eff.DataLocal)))
	}
	return errs
}

// defaultDataRPCPort is where data parallel ranks coordinate when
// spec.parallelism.dataRPCPort is unset.
const defaultDataRPCPort = wiring.DataParallelRPCPort
