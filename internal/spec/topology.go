package spec

// Topology is how one workload spreads over pods. The presets chosen for a
// spec, the rules it must satisfy and the objects composed for it all
// follow from it, so it is decided here, once, and so are the parts of the
// router the function composes.
type Topology int

// Topologies.
const (
	// SingleNode: every rank in one pod, a Deployment.
	SingleNode Topology = iota
	// DataParallelGroup: a LeaderWorkerSet whose pods each run dataLocal
	// data parallel ranks of one engine.
	DataParallelGroup
	// PipelineGroup: a LeaderWorkerSet with one pipeline stage per pod.
	PipelineGroup
)

// Topology of the workload: worker pods make it multi-node, and pipeline
// parallelism decides between stages and data parallel ranks across them.
func (w *WorkloadSpec) Topology() Topology {
	switch {
	case w.Worker == nil:
		return SingleNode
	case w.Parallelism != nil && w.Parallelism.Pipeline != nil:
		return PipelineGroup
	default:
		return DataParallelGroup
	}
}

// HasRoute is true when traffic reaches the model servers through an
// HTTPRoute, managed or referenced. A nil router has none.
func (r *RouterSpec) HasRoute() bool { return r != nil && r.Route != nil }

// HasScheduler is true when the endpoint picker routes the traffic, through
// a managed or a referenced pool. A nil router has none.
func (r *RouterSpec) HasScheduler() bool { return r != nil && r.Scheduler != nil }

// ManagedScheduler is true when the function composes the pool and the
// endpoint picker: a scheduler without a referenced pool.
func (s *LLMInferenceServiceSpec) ManagedScheduler() bool {
	r := s.Router
	return r.HasScheduler() && (r.Scheduler.Pool == nil || r.Scheduler.Pool.Ref == nil)
}

// ManagedGateway is true when the function composes the Gateway:
// spec.router.gateway without refs.
func (s *LLMInferenceServiceSpec) ManagedGateway() bool {
	r := s.Router
	return r != nil && r.Gateway != nil && len(r.Gateway.Refs) == 0
}

// RouteRefs is true when the user brings the HTTPRoutes
// (spec.router.route.http.refs): the function composes none.
func (s *LLMInferenceServiceSpec) RouteRefs() bool {
	r := s.Router
	return r.HasRoute() && r.Route.HTTP != nil && len(r.Route.HTTP.Refs) > 0
}

// ManagedRoute is true when the function composes the HTTPRoute:
// spec.router.route without refs.
func (s *LLMInferenceServiceSpec) ManagedRoute() bool {
	r := s.Router
	return r.HasRoute() && !s.RouteRefs()
}
