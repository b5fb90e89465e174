package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestOutline(t *testing.T) {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "llama-kserve", Labels: map[string]string{"a": "b"}},
		Spec:       appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "vllm"}}}}},
	}
	d.SetGroupVersionKind(appsv1.SchemeGroupVersion.WithKind("Deployment"))
	in := &Result{
		Objects:     []Object{{Name: "workload-deployment", Object: d}},
		Workloads:   []Workload{{Resource: "workload-deployment", GPUs: 8}},
		ServiceURL:  "http://llama.ns.svc.cluster.local",
		GPUResource: "nvidia.com/gpu",
		PodSets:     []PodSet{{Resource: "workload-deployment", Selector: map[string]string{"a": "b"}}},
	}
	got := in.Outline()

	type id struct {
		GVK             schema.GroupVersionKind
		Namespace, Name string
	}
	o := got.Objects[0].Object
	if diff := cmp.Diff(id{d.GroupVersionKind(), "ns", "llama-kserve"}, id{o.GetObjectKind().GroupVersionKind(), o.GetNamespace(), o.GetName()}); diff != "" {
		t.Errorf("Outline(): the object's identity: -want, +got:\n%s", diff)
	}
	if _, ok := o.(*metav1.PartialObjectMetadata); !ok || len(o.GetLabels()) != 0 {
		t.Errorf("Outline(): object is a %T with labels %v, want only the metadata that names it", o, o.GetLabels())
	}
	if diff := cmp.Diff(in.Workloads, got.Workloads); diff != "" {
		t.Errorf("Outline(): workloads: -want, +got:\n%s", diff)
	}
	if got.ServiceURL != in.ServiceURL || got.GPUResource != in.GPUResource || len(got.PodSets) != 1 {
		t.Errorf("Outline() lost the result's own fields: %+v", got)
	}
	if in.Objects[0].Object != d {
		t.Error("Outline() changed the result it was given")
	}
	if kept := in.Outline("workload-deployment"); kept.Objects[0].Object != d {
		t.Errorf("Outline(%q) outlined the object it was to keep whole: %T", "workload-deployment", kept.Objects[0].Object)
	}
}
