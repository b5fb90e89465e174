package spec

import (
	"fmt"
	"strings"
)

// Warnings lists what is accepted but not acted on: fields of the spec that
// do not change the workload and whose resources a later version composes,
// and fields that are not part of the API at all. They depend on the spec
// only, so a spec gives the same warnings on every call.
func Warnings(svc *Service) []string {
	var w []string
	s := &svc.Spec
	if r := s.Router; r != nil {
		if r.Ingress != nil {
			w = append(w, "spec.router.ingress is accepted but ignored: KServe does not implement it either; use spec.router.gateway and spec.router.route")
		}
		if s.ManagedGateway() && !r.HasRoute() {
			w = append(w, "spec.router.gateway composes a Gateway, but without spec.router.route nothing routes to the model through it; add spec.router.route: {}")
		}
	}
	if s.Prefill != nil && !s.Router.HasScheduler() {
		w = append(w, "spec.prefill without spec.router.scheduler: only the endpoint picker sends work to prefill pods, so they will sit idle; add spec.router.scheduler: {}")
	}
	if s.Model.Criticality != nil && !s.Router.HasScheduler() {
		w = append(w, svc.modelCriticalityField()+" has no effect without spec.router.scheduler: the endpoint picker enforces it")
	}
	w = append(w, adapterCriticalityWarnings(svc)...)
	w = append(w, v1alpha2Warnings(s)...)
	if len(svc.Unknown) > 0 {
		w = append(w, "ignored fields that are not part of the LLMInferenceService API: "+strings.Join(svc.Unknown, ", "))
	}
	return w
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

// v1alpha2Warnings name the fields v1alpha2 added that are accepted and
// checked, but whose resources the function does not compose yet.
func v1alpha2Warnings(s *LLMInferenceServiceSpec) []string {
	const kv = " is accepted but not composed yet: vLLM runs without KV cache offloading (no OffloadingConnector --kv-transfer-config, no secondary tier volumes)"
	var w []string
	if s.KVCacheOffloading != nil {
		w = append(w, "spec.kvCacheOffloading"+kv)
	}
	if s.Prefill != nil && s.Prefill.KVCacheOffloading != nil {
		w = append(w, "spec.prefill.kvCacheOffloading"+kv)
	}
	if c := s.Model.Confidential; c != nil && c.Enabled {
		w = append(w, "spec.model.confidential is accepted but not composed yet: the model is downloaded as it is, without decrypting it, so an encrypted model will not load")
	}
	return w
}
