package compose

import (
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// WorkloadName is the name of the main workload and its Service.
func WorkloadName(svc string) string { return names.Child(svc, "workload") }

// mainWorkload composes the single-node Deployment.
func (b *builder) mainWorkload() (*appsv1.Deployment, field.ErrorList) {
	s := &b.svc.Spec
	p := field.NewPath("spec", "template")
	raw, _ := b.svc.Raw["template"].(map[string]any)
	pod, userArgs, errs := mergeTemplate(b.modelServerPod(), raw, p)
	if len(errs) > 0 {
		return nil, errs
	}
	errs = append(errs, checkArgs(userArgs, p)...)
	main := container(&pod, MainContainer)
	if main == nil {
		return nil, field.ErrorList{field.Required(p.Child("containers"), `a container named "main" runs vLLM`)}
	}
	if par := s.Parallelism; par != nil && par.Data != nil && par.DataLocal != nil && *par.Data != *par.DataLocal && s.Worker == nil {
		errs = append(errs, field.Invalid(field.NewPath("spec", "parallelism", "data"), *par.Data,
			"without spec.worker all data parallel ranks run in one pod: data must equal dataLocal; add spec.worker to spread ranks over several pods"))
	}
	errs = append(errs, b.checkGPUs(main, s.Parallelism, p)...)
	if len(errs) > 0 {
		return nil, errs
	}
	main.Args = append(b.vllmArgs(s.Parallelism), userArgs...)
	if errs := b.attachModel(&pod, p); len(errs) > 0 {
		return nil, errs
	}
	if errs := checkCredentials(&pod, p); len(errs) > 0 {
		return nil, errs
	}

	name := WorkloadName(b.svc.Name)
	selector := b.selectorLabels(ComponentWorkload)
	podLabels := b.podLabels(selector, RoleBoth, &s.WorkloadSpec)
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: appsv1.SchemeGroupVersion.String(), Kind: "Deployment"},
		ObjectMeta: b.objectMeta(name, ComponentWorkload),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(ptr.Deref(s.Replicas, 1)),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: b.podAnnotations(&s.WorkloadSpec)},
				Spec:       pod,
			},
		},
	}
	return d, nil
}

// podLabels are the selector labels plus the labels the InferencePool and
// the endpoint picker select on, the user's labels, and propagated ones.
func (b *builder) podLabels(selector map[string]string, role string, w *spec.WorkloadSpec) map[string]string {
	l := withPrefixes(b.svc.Labels, propagatedLabelPrefixes)
	maps.Copy(l, w.Labels)
	maps.Copy(l, selector)
	l[LabelKServe] = "workload"
	l[LabelRole] = role
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
