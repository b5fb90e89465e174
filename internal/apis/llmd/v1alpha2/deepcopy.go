package v1alpha2

import "k8s.io/apimachinery/pkg/runtime"

// The deep copies are written by hand: controller-gen is not part of this
// build for one small type. Keep them in step with the fields above.

// DeepCopyInto copies in into out.
func (in *InferenceObjective) DeepCopyInto(out *InferenceObjective) {
	*out = *in
	out.TypeMeta = in.TypeMeta
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
}

// DeepCopy returns a copy of in.
func (in *InferenceObjective) DeepCopy() *InferenceObjective {
	if in == nil {
		return nil
	}
	out := new(InferenceObjective)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (in *InferenceObjective) DeepCopyObject() runtime.Object {
	if c := in.DeepCopy(); c != nil {
		return c
	}
	return nil
}

// DeepCopyInto copies in into out.
func (in *InferenceObjectiveSpec) DeepCopyInto(out *InferenceObjectiveSpec) {
	*out = *in
	if in.Priority != nil {
		p := *in.Priority
		out.Priority = &p
	}
}
