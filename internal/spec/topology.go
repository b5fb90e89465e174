package spec

// Topology is how one workload spreads over pods. The presets chosen for a
// spec and the objects composed for it both follow from it, so it is
// decided here, once.
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

// ManagedScheduler is true when the function composes the pool and the
// endpoint picker: a scheduler without a referenced pool.
func (s *LLMInferenceServiceSpec) ManagedScheduler() bool {
	r := s.Router
	return r != nil && r.Scheduler != nil && (r.Scheduler.Pool == nil || r.Scheduler.Pool.Ref == nil)
}
