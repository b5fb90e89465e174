package compose

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Components and roles of the model-server workloads.
const (
	componentPrefill = "llminferenceservice-workload-prefill"

	roleDecode  = "decode"
	rolePrefill = "prefill"
)

// Composition resource names of the workloads. A Deployment and a
// LeaderWorkerSet of the same role have different keys, so turning
// multi-node serving on or off makes Crossplane delete the old kind.
const (
	ResourcePrefill    = "prefill-deployment"
	ResourceWorkloadMN = "workload-leaderworkerset"
	ResourcePrefillMN  = "prefill-leaderworkerset"
)

// The topologies a role can have (see spec.Topology). Data parallel groups
// run vLLM's hybrid load balancing, every pod serving HTTP for its own
// ranks, as llm-d's wide expert parallel deployments do; pipeline groups
// join their stages through Ray, and only the leader serves HTTP.
const (
	singleNode        = spec.SingleNode
	dataParallelGroup = spec.DataParallelGroup
	pipelineGroup     = spec.PipelineGroup
)

// A role is one model-server workload: the main one (decode when prefill
// is disaggregated, both otherwise) or the prefill one.
type role struct {
	// name is "workload" or "prefill": the stem of object names.
	name string
	// w is the role's part of the spec, raw the same as the user wrote it,
	// path where it lives.
	w    *spec.WorkloadSpec
	raw  map[string]any
	path *field.Path
	// component and label select and tell apart the role's pods.
	component string
	label     string
	// sidecar puts llm-d's routing sidecar in front of vLLM (decode pods
	// of a disaggregated service) and kv turns on NIXL KV transfer (both
	// roles of one).
	sidecar bool
	kv      bool
}

// roles are the workloads the spec asks for, main first.
func (b *builder) roles() []role {
	s := &b.svc.Spec
	pd := s.Prefill != nil
	main := role{
		name: "workload", w: &s.WorkloadSpec, raw: b.svc.Raw, path: field.NewPath("spec"),
		component: componentWorkload, label: roleBoth, sidecar: pd, kv: pd,
	}
	if !pd {
		return []role{main}
	}
	main.label = roleDecode
	raw, _ := b.svc.Raw["prefill"].(map[string]any)
	return []role{main, {
		name: "prefill", w: s.Prefill, raw: raw, path: field.NewPath("spec", "prefill"),
		component: componentPrefill, label: rolePrefill, kv: true,
	}}
}

// topology of the role's workload.
func (r role) topology() spec.Topology { return r.w.Topology() }

// resource is the role's composition resource name.
func (r role) resource() string {
	switch {
	case r.name == "workload" && r.topology() == singleNode:
		return ResourceWorkload
	case r.name == "workload":
		return ResourceWorkloadMN
	case r.topology() == singleNode:
		return ResourcePrefill
	default:
		return ResourcePrefillMN
	}
}

// objectName is the role's workload name. A LeaderWorkerSet creates a
// headless Service of its own name, so it must not be the workload
// Service's name.
func (r role) objectName(svc string) string {
	if r.topology() == singleNode {
		return workloadName(svc, r.name)
	}
	return workloadName(svc, r.name+"-mn")
}

// groupSize is how many pods one replica spans.
func (r role) groupSize() int32 {
	p := r.w.Parallelism
	switch r.topology() {
	case pipelineGroup:
		return *p.Pipeline
	case dataParallelGroup:
		return *p.Data / *p.DataLocal
	default:
		return 1
	}
}

// gpusPerPod is how many GPUs each pod of the role needs with parallelism
// p (the spec's, completed by the pod's vLLM flags), and the arithmetic as
// text for messages: every tensor rank and every local data parallel rank
// holds a GPU, and so does every pipeline stage a pod runs.
func (r role) gpusPerPod(p *spec.ParallelismSpec) (int64, string) {
	t, pp, d := int64(1), int64(1), int64(1)
	if p != nil {
		t = int64(ptr.Deref(p.Tensor, 1))
		pp = int64(ptr.Deref(p.Pipeline, 1))
		d = int64(ptr.Deref(p.DataLocal, 1))
	}
	if r.topology() == pipelineGroup {
		// One stage per pod.
		return t, fmt.Sprintf("tensor %d, one of %d pipeline stages per pod", t, pp)
	}
	return t * pp * d, fmt.Sprintf("tensor %d × pipeline %d × dataLocal %d", t, pp, d)
}
