package compose

import (
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// workloadServiceName is the name of the main workload's Deployment and of the
// workload Service.
func workloadServiceName(svc string) string { return names.Child(svc, "workload") }

func workloadName(svc, stem string) string { return names.Child(svc, stem) }

// Workload is one composed model-server workload, for readiness and status.
type Workload struct {
	// Resource is its composition resource name.
	Resource string
	// Prefill is true for the prefill workload, false for the main one.
	Prefill bool
	// MultiNode is true for a LeaderWorkerSet.
	MultiNode bool
	// GPUs the workload holds once every pod runs: replicas × pods per
	// replica × GPUs per pod.
	GPUs int64
}

// workload composes one role: a Deployment, or a LeaderWorkerSet when the
// role has worker pods.
func (b *builder) workload(r role) (Object, Workload, field.ErrorList) {
	if errs := b.checkPodLabels(r); len(errs) > 0 {
		return Object{}, Workload{}, errs
	}
	replicas := ptr.Deref(r.w.Replicas, 1)
	// With an autoscaler the workload sends no replicas at all: Crossplane
	// applies with server-side apply, and a count in the desired object
	// would take the field back from the HPA on every reconcile.
	var desired *int32
	if r.w.Scaling == nil {
		desired = ptr.To(replicas)
	} else {
		// What the service may hold at most, for the GPU count.
		replicas = r.w.Scaling.MaxReplicas
	}
	wl := Workload{
		Resource:  r.resource(),
		Prefill:   r.name == "prefill",
		MultiNode: r.topology() != singleNode,
	}
	if r.topology() != singleNode {
		lws, errs := b.leaderWorkerSet(r, desired)
		if len(errs) > 0 {
			return Object{}, Workload{}, errs
		}
		t := &lws.Spec.LeaderWorkerTemplate
		perGroup := b.gpusOf(&t.LeaderTemplate.Spec) + int64(*t.Size-1)*b.gpusOf(&t.WorkerTemplate.Spec)
		wl.GPUs = int64(replicas) * perGroup
		return Object{Name: resource.Name(wl.Resource), Object: lws}, wl, nil
	}
	pod, errs := b.servingPod(r, podSingle)
	if len(errs) > 0 {
		return Object{}, Workload{}, errs
	}
	wl.GPUs = int64(replicas) * b.gpusOf(&pod)
	selector := b.workloadSelector(r)
	name := r.objectName(b.svc.Name)
	if b.otherIdentity(r) {
		// Never a new selector for a Deployment that may be running.
		name, wl.Resource = b.identityWorkload(r, selector)
	}
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: appsv1.SchemeGroupVersion.String(), Kind: "Deployment"},
		ObjectMeta: b.objectMeta(name, r.component),
		Spec: appsv1.DeploymentSpec{
			Replicas: desired,
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Strategy: deploymentStrategy(r.w),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: b.podLabels(r, selector), Annotations: b.podAnnotations(r.w)},
				Spec:       pod,
			},
		},
	}
	return Object{Name: resource.Name(wl.Resource), Object: d}, wl, nil
}

// podLabels are the labels of the role's serving pods: propagated ones,
// the user's, the identity and component the workload selects them by
// (workloadSelector), and the labels the InferencePool and the endpoint
// picker select and filter on.
func (b *builder) podLabels(r role, selector map[string]string) map[string]string {
	l := withPrefixes(b.svc.Labels, propagatedLabelPrefixes)
	maps.Copy(l, userPodLabels(r))
	maps.Copy(l, selector)
	l[labelKServe] = "workload"
	l[labelRole] = r.label
	return l
}

// podAnnotations are the user's pod annotations plus propagated ones.
func (b *builder) podAnnotations(w *spec.WorkloadSpec) map[string]string {
	a := withPrefixes(b.svc.Annotations, propagatedAnnotationPrefixes)
	maps.Copy(a, w.Annotations)
	if len(a) == 0 {
		return nil
	}
	return a
}

// objectMeta is the metadata of every composed namespaced object.
func (b *builder) objectMeta(name, component string) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Name: name, Namespace: b.svc.Namespace, Labels: b.commonLabels(component)}
	if len(b.cfg.Annotations) > 0 {
		m.Annotations = maps.Clone(b.cfg.Annotations)
	}
	return m
}

// gpusOf is the GPUs a built pod's main container holds: checkGPUs has
// made sure they are what its ranks need, or none for a CPU server. With
// managed DRA they are the claim's devices (checkServingGPUs).
func (b *builder) gpusOf(pod *corev1.PodSpec) int64 {
	main := wiring.Container(pod, wiring.MainContainer)
	if main == nil {
		return 0
	}
	if n, ok := b.draGPUs(main); ok {
		return n
	}
	q, ok := main.Resources.Limits[b.cfg.GPUResource]
	if !ok {
		q = main.Resources.Requests[b.cfg.GPUResource]
	}
	n, _ := q.AsInt64()
	return n
}
