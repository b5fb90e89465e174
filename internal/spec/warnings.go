package spec

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Warnings lists what is accepted but not acted on: fields of the spec that
// do not change the workload and whose resources a later version composes,
// fields that are not part of the API at all, and environment variables
// that no program in the pod reads. They depend on the spec only, so a spec
// gives the same warnings on every call.
func Warnings(svc *Service) []string {
	var w []string
	s := &svc.Spec
	if r := s.Router; r != nil {
		if r.Ingress != nil {
			w = append(w, "spec.router.ingress is accepted but ignored: KServe does not implement it either; use spec.router.gateway and spec.router.route")
		}
		if svc.ComposesGateway() && !r.HasRoute() {
			w = append(w, "spec.router.gateway composes a Gateway, but without spec.router.route nothing routes to the model through it; add spec.router.route: {}")
		}
	}
	if s.Prefill != nil && !s.Router.HasScheduler() {
		w = append(w, "spec.prefill without spec.router.scheduler: only the endpoint picker sends work to prefill pods, so they will sit idle; add spec.router.scheduler: {}")
	}
	if s.Model.Criticality != nil && !s.Router.HasScheduler() {
		w = append(w, svc.modelCriticalityField()+" has no effect without spec.router.scheduler: the endpoint picker enforces it")
	}
	for _, t := range modelServerTemplates(s) {
		w = append(w, envWarnings(t)...)
	}
	w = append(w, adapterCriticalityWarnings(svc)...)
	w = append(w, v1alpha2Warnings(s)...)
	if sw := stopWarning(svc.Annotations); sw != "" {
		w = append(w, sw)
	}
	if aw := authWarning(svc.Annotations); aw != "" {
		w = append(w, aw)
	}
	if len(svc.Unknown) > 0 {
		w = append(w, "ignored fields that are not part of the LLMInferenceService API: "+strings.Join(svc.Unknown, ", "))
	}
	return w
}

// A replacedEnv is an environment variable vLLM read once and no longer
// does, and the flag that took its place.
type replacedEnv struct {
	flag string
	// since says when vLLM stopped reading it and where that is said.
	since string
}

// replacedVLLMEnv are the vLLM environment variables vLLM removed or renamed.
// Only entries read in vLLM's own sources (or real-binaries.md, which read
// them) are listed; the comment on each says where.
var replacedVLLMEnv = map[string]replacedEnv{
	// vllm/config/parallel.py warns "VLLM_ALL2ALL_BACKEND environment
	// variable is deprecated and will be removed in v0.15.0. Please use the
	// --all2all-backend command-line argument instead."; real-binaries.md
	// (mismatch 2): current envs.py no longer reads it.
	"VLLM_ALL2ALL_BACKEND": {flag: "--all2all-backend", since: "removed in vLLM v0.15"},
	// vllm/engine/arg_utils.py (create_model_config) warns
	// "VLLM_MM_INPUT_CACHE_GIB is deprecated and will be removed in v0.13.
	// Please use --mm-processor-cache-gb instead."
	"VLLM_MM_INPUT_CACHE_GIB": {flag: "--mm-processor-cache-gb", since: "removed in vLLM v0.13"},
}

// A podTemplate is one model-server pod template of the spec and where it
// is.
type podTemplate struct {
	pod  *corev1.PodSpec
	path *field.Path
	w    *WorkloadSpec
	// worker is true for spec.worker or spec.prefill.worker.
	worker bool
}

// modelServerTemplates are the spec's model-server pod templates that are
// set, main workload first.
func modelServerTemplates(s *LLMInferenceServiceSpec) []podTemplate {
	var out []podTemplate
	add := func(w *WorkloadSpec, p *field.Path) {
		if w.Template != nil {
			out = append(out, podTemplate{pod: w.Template, path: p.Child("template"), w: w})
		}
		if w.Worker != nil {
			out = append(out, podTemplate{pod: w.Worker, path: p.Child("worker"), w: w, worker: true})
		}
	}
	root := field.NewPath("spec")
	add(&s.WorkloadSpec, root)
	if s.Prefill != nil {
		add(s.Prefill, root.Child("prefill"))
	}
	return out
}

// envWarnings are the warnings about the vLLM container's environment in
// t: variables vLLM no longer reads, and variables of KServe's launcher
// that the function does not act on.
func envWarnings(t podTemplate) []string {
	main := wiring.Container(t.pod, wiring.MainContainer)
	if main == nil {
		return nil
	}
	ep := t.path.Child("containers").Key(wiring.MainContainer).Child("env")
	var w []string
	for _, e := range main.Env {
		at := ep.Key(e.Name)
		if r, ok := replacedVLLMEnv[e.Name]; ok {
			use := r.flag
			if e.Value != "" {
				use = r.flag + "=" + e.Value
			}
			w = append(w, fmt.Sprintf("%s: vLLM no longer reads %s (%s): pass %s in %s instead",
				at, e.Name, r.since, use, t.path.Child("containers").Key(wiring.MainContainer).Child("args")))
		}
		if msg := launcherEnvWarning(e, t); msg != "" {
			w = append(w, fmt.Sprintf("%s: %s", at, msg))
		}
	}
	return w
}

// Variables KServe's launcher scripts read, which the function's pods have
// no script to read (see README, "Flags the function owns").
const (
	envRoCE          = "KSERVE_INFER_ROCE"
	envRoCEGIDGrep   = "KSERVE_INFER_IB_GID_INDEX_GREP"
	envResolveLeader = "DP_ADDRESS_RESOLVE_ATTEMPTS"
)

// launcherEnvWarning says what becomes of a variable KServe's launcher
// reads, when the function does not act on it as KServe does; "" otherwise.
func launcherEnvWarning(e corev1.EnvVar, t podTemplate) string {
	switch e.Name {
	case envRoCE:
		if e.Value != "true" {
			return "" // KServe acts on "true" only.
		}
		return "is not honoured: the function does not run KServe's RoCE detection; set NCCL_IB_HCA, NVSHMEM_HCA_LIST, UCX_NET_DEVICES and NCCL_IB_GID_INDEX, NVSHMEM_IB_GID_INDEX, UCX_IB_GID_INDEX for your RDMA devices in the same env"
	case envRoCEGIDGrep:
		return "is not honoured: it tunes KServe's RoCE detection (" + envRoCE + "), which the function does not run"
	case envResolveLeader:
		if t.w.Topology() != DataParallelGroup {
			return "has no effect: only the pods of a multi-node data parallel group (spec.worker with parallelism.data) resolve their leader's address"
		}
	case wiring.EnvAPIServerCount:
		if t.worker && t.w.Topology() == PipelineGroup {
			return "has no effect: pipeline parallel workers run no vLLM API server; set it in the template, for the leader"
		}
	}
	return ""
}

// modelCriticalityField names where the model's criticality was set: the
// spec's field, or the annotation v1alpha2 keeps it in.
func (svc *Service) modelCriticalityField() string {
	if m, _ := svc.Raw["model"].(map[string]any); m["criticality"] == nil && svc.Annotations[AnnotationModelCriticality] != "" {
		return annotationPath(AnnotationModelCriticality).String()
	}
	return "spec.model.criticality"
}

// adapterCriticalityWarnings: an adapter's criticality is accepted but
// changes nothing. llm-d's endpoint picker picks a request's
// InferenceObjective by a header the route sets, not by the model the
// request names, so every request to the service, an adapter's too, gets
// the model's objective.
func adapterCriticalityWarnings(svc *Service) []string {
	l := svc.Spec.Model.LoRA
	if l == nil {
		return nil
	}
	var names []string
	for _, a := range l.Adapters {
		if a.Criticality != nil {
			names = append(names, a.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("the criticality of LoRA adapters %s (spec.model.lora.adapters[].criticality, or the annotation %s) has no effect: "+
		"the endpoint picker chooses an InferenceObjective per request by header, not per model, so requests to an adapter get the model's (spec.model.criticality)",
		strings.Join(names, ", "), AnnotationLoRACriticalities)}
}

// v1alpha2Warnings name the fields v1alpha2 added where they have no
// effect.
func v1alpha2Warnings(s *LLMInferenceServiceSpec) []string {
	return append(kvCacheWarnings(s), confidentialWarnings(s)...)
}
