package spec

import "strings"

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
		w = append(w, "spec.model.criticality has no effect without spec.router.scheduler: the endpoint picker enforces it")
	}
	if len(svc.Unknown) > 0 {
		w = append(w, "ignored fields that are not part of the LLMInferenceService API: "+strings.Join(svc.Unknown, ", "))
	}
	return w
}
