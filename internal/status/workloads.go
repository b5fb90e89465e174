package status

import (
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// readyReplicasField is where each kind of workload counts the replicas
// that serve: a Deployment's available replicas (ready for minReadySeconds)
// and a LeaderWorkerSet's ready groups, as KServe reads them.
var readyReplicasField = map[string]string{
	"Deployment":      "status.availableReplicas",
	"LeaderWorkerSet": "status.readyReplicas",
}

// workloadStatus is the observed model-server workloads, the workload
// Service and the endpoint picker's Deployment: those composed now and
// observed, so one Crossplane is deleting after a topology change is not
// reported. Nil while none is observed.
func workloadStatus(in Input) *spec.WorkloadStatus {
	w := &spec.WorkloadStatus{}
	for _, wl := range in.Composed.Workloads {
		o := observedWorkload(in.Observed, resource.Name(wl.Resource))
		if wl.Prefill {
			w.Prefill = o
		} else {
			w.Primary = o
		}
	}
	if o := observedObject(in, compose.ResourceWorkloadService); o != nil {
		w.Service = ptr.To(typedRef(o))
	}
	if composes(in.Composed, compose.ResourcePickerDeployment) {
		w.Scheduler = observedWorkload(in.Observed, compose.ResourcePickerDeployment)
	}
	if *w == (spec.WorkloadStatus{}) {
		return nil
	}
	return w
}

// observedObject is the composed resource name as observed, nil unless it
// is composed now and observed.
func observedObject(in Input, name resource.Name) *composed.Unstructured {
	if !composes(in.Composed, name) {
		return nil
	}
	o, ok := in.Observed[name]
	if !ok {
		return nil
	}
	return o.Resource
}

// observedWorkload is a workload as observed, with the replicas its
// controller counts as serving: 0 until it counts any (a Deployment leaves
// availableReplicas out while it is 0). Nil when it is not observed.
func observedWorkload(obs map[resource.Name]resource.ObservedComposed, name resource.Name) *spec.ObservedWorkload {
	o, ok := obs[name]
	if !ok || o.Resource == nil {
		return nil
	}
	w := &spec.ObservedWorkload{TypedLocalObjectReference: typedRef(o.Resource)}
	if path, ok := readyReplicasField[o.Resource.GetKind()]; ok {
		// Observed numbers arrive as float64; GetInteger reads them.
		n, _ := o.Resource.GetInteger(path)
		w.ReadyReplicas = ptr.To(int32(n)) //nolint:gosec // A replica count fits in int32: the API types it so.
	}
	return w
}

// typedRef is the reference to an observed object by its group, kind and
// name. The core group has no apiGroup.
func typedRef(o *composed.Unstructured) corev1.TypedLocalObjectReference {
	ref := corev1.TypedLocalObjectReference{Kind: o.GetKind(), Name: o.GetName()}
	if g := o.GroupVersionKind().Group; g != "" {
		ref.APIGroup = ptr.To(g)
	}
	return ref
}
