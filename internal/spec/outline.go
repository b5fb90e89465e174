package spec

// Outline returns what is read of a service once it is composed: its name
// and namespace, its model (the names the status lists), its router (the
// objects it references, the traffic path the status follows) and the
// platform's Gateway. The function keeps a plan for every service it
// serves; the workloads' pod templates, the merged spec as written and the
// labels are in the composed objects already and need not be kept twice.
func (svc *Service) Outline() *Service {
	if svc == nil {
		return nil
	}
	return &Service{
		Name:      svc.Name,
		Namespace: svc.Namespace,
		Spec:      LLMInferenceServiceSpec{Model: svc.Spec.Model, Router: svc.Spec.Router},
		Platform:  svc.Platform,
	}
}
