package v1alpha2

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The function hands objectives to Crossplane as client.Objects.
var _ client.Object = &InferenceObjective{}

func TestDeepCopyIsIndependent(t *testing.T) {
	p := int32(1)
	in := &InferenceObjective{
		TypeMeta:   metav1.TypeMeta{APIVersion: GroupVersion.String(), Kind: InferenceObjectiveKind},
		ObjectMeta: metav1.ObjectMeta{Name: "o", Labels: map[string]string{"a": "b"}},
		Spec:       InferenceObjectiveSpec{Priority: &p, PoolRef: PoolObjectReference{Name: "pool"}},
	}
	out, ok := in.DeepCopyObject().(*InferenceObjective)
	if !ok {
		t.Fatalf("DeepCopyObject returned %T", in.DeepCopyObject())
	}
	*out.Spec.Priority = -1
	out.Labels["a"] = "c"
	out.Spec.PoolRef.Name = "other"
	if *in.Spec.Priority != 1 || in.Labels["a"] != "b" || in.Spec.PoolRef.Name != "pool" {
		t.Errorf("the copy shares state with the original: %+v", in)
	}
	if out.GetObjectKind().GroupVersionKind().GroupVersion() != GroupVersion {
		t.Errorf("copy lost its type: %v", out.GetObjectKind().GroupVersionKind())
	}
	var nilObj *InferenceObjective
	if nilObj.DeepCopy() != nil {
		t.Error("DeepCopy of nil is not nil")
	}
}
