package spec

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// validateWorkload checks one model-server workload, the main one at
// spec or the prefill one at spec.prefill: its counts, its parallelism for
// its topology, and its pod templates.
func validateWorkload(w *WorkloadSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if w.Replicas != nil && *w.Replicas < 0 {
		errs = append(errs, field.Invalid(p.Child("replicas"), *w.Replicas, "must be 0 or more"))
	}
	errs = append(errs, validateParallelism(w, p)...)
	errs = append(errs, validateTopology(w, p)...)
	errs = append(errs, validateLabels(w.Labels, p.Child("labels"))...)
	if w.Template != nil {
		errs = append(errs, validateModelServerPod(w, false, p)...)
	}
	if w.Worker != nil {
		errs = append(errs, validateModelServerPod(w, true, p)...)
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
// worker template (worker true) of the workload at wp: the vLLM flags and
// command the function owns, and credentials, which are never written
// inline.
func validateModelServerPod(w *WorkloadSpec, worker bool, wp *field.Path) field.ErrorList {
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
	for i, a := range main.Args {
		if flag, why, ok := wiring.ReservedVLLMFlag(a); ok {
			errs = append(errs, field.Forbidden(mp.Child("args").Index(i), fmt.Sprintf("%s is set by the function: %s", flag, why)))
		}
	}
	if t != SingleNode && len(main.Command) > 0 && !slices.Equal(main.Command, wiring.VLLMCommand) {
		errs = append(errs, field.Forbidden(mp.Child("command"),
			"multi-node pods start vLLM through a launcher that computes each pod's ranks; leave command unset and put flags in args"))
	}
	if t == PipelineGroup && worker && len(main.Args) > 0 {
		// A later pipeline stage is a Ray worker holding its GPUs for the
		// leader's engine: it runs no vLLM server to take flags.
		leader := wp.Child("template", "containers").Key(wiring.MainContainer).Child("args")
		errs = append(errs, field.Forbidden(mp.Child("args"),
			"pipeline parallel workers run a Ray worker for the leader's vLLM engine: vLLM flags belong in "+leader.String()))
	}
	return errs
}
