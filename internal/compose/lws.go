package compose

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"
)

// lwsAnnotationPrefix marks XR annotations that configure a
// LeaderWorkerSet (exclusive topology, subgroup placement): they are carried
// onto the LeaderWorkerSet, as KServe does.
const lwsAnnotationPrefix = "leaderworkerset.sigs.k8s.io"

// leaderWorkerSet composes a multi-node role: replicas groups (nil when an
// autoscaler owns them) of
// groupSize pods, the leader from the template and the others from the
// worker merged over it.
//
// A group is recreated whenever one of its pods restarts: the ranks of one
// vLLM engine cannot rejoin a running engine. Workers are created as soon as
// the leader exists, not once it is ready: the leader's vLLM becomes ready
// only after the workers joined.
func (b *builder) leaderWorkerSet(r role, replicas *int32) (*lwsv1.LeaderWorkerSet, field.ErrorList) {
	leader, errs := b.servingPod(r, podLeader)
	if len(errs) > 0 {
		return nil, errs
	}
	worker, errs := b.servingPod(r, podWorker)
	if len(errs) > 0 {
		return nil, errs
	}
	// The LeaderWorkerSet's controller selects its pods by its own labels,
	// so these may change with spec.labels: the groups roll.
	identity := b.workloadSelector(r)
	leaderLabels := b.podLabels(r, identity)
	workerLabels := leaderLabels
	if r.topology() == pipelineGroup {
		// Only the leader serves HTTP: the other stages must stay out of
		// the pool and the workload Service, which select on
		// kserve.io/component.
		workerLabels = withPrefixes(b.svc.Labels, propagatedLabelPrefixes)
		maps.Copy(workerLabels, userPodLabels(r))
		maps.Copy(workerLabels, identity)
	}
	annotations := b.podAnnotations(r.w)
	meta := b.objectMeta(r.objectName(b.svc.Name), r.component)
	if a := withPrefixes(b.svc.Annotations, []string{lwsAnnotationPrefix}); len(a) > 0 {
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		maps.Copy(meta.Annotations, a)
	}
	return &lwsv1.LeaderWorkerSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: lwsv1.GroupVersion.String(), Kind: "LeaderWorkerSet"},
		ObjectMeta: meta,
		Spec: lwsv1.LeaderWorkerSetSpec{
			Replicas: replicas,
			LeaderWorkerTemplate: lwsv1.LeaderWorkerTemplate{
				Size: ptr.To(r.groupSize()),
				LeaderTemplate: &corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: leaderLabels, Annotations: annotations},
					Spec:       leader,
				},
				WorkerTemplate: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: maps.Clone(workerLabels), Annotations: maps.Clone(annotations)},
					Spec:       worker,
				},
				RestartPolicy: lwsv1.RecreateGroupOnPodRestart,
			},
			StartupPolicy:   lwsv1.LeaderCreatedStartupPolicy,
			RolloutStrategy: lwsRolloutStrategy(r.w),
		},
	}, nil
}
