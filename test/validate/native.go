package validate

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Built-in kinds are validated by hand-written Go in k8s.io/kubernetes, not
// by their OpenAPI schema, and that code can't be imported here. We copy the
// one rule a composition function most easily breaks; everything else that
// native validation checks beyond the schema is out of scope.

// selectorWorkloads are the kinds whose pod template labels must match their
// selector (apps ValidateDeploymentSpec, ValidateReplicaSetSpec,
// ValidateStatefulSetSpec, ValidateDaemonSetSpec).
var selectorWorkloads = map[schema.GroupKind]bool{
	{Group: "apps", Kind: "Deployment"}:  true,
	{Group: "apps", Kind: "ReplicaSet"}:  true,
	{Group: "apps", Kind: "StatefulSet"}: true,
	{Group: "apps", Kind: "DaemonSet"}:   true,
}

// workload is the part of an apps/v1 workload the selector rule reads.
type workload struct {
	Spec struct {
		Selector *metav1.LabelSelector `json:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
		} `json:"template"`
	} `json:"spec"`
}

// validateNative applies the copied native rules. They only run on objects
// that passed schema validation (prior holds the errors so far), since they
// decode the object into Go types.
func validateNative(gk schema.GroupKind, obj map[string]any, prior field.ErrorList) field.ErrorList {
	if !selectorWorkloads[gk] || len(prior) > 0 {
		return nil
	}
	w := workload{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &w); err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("spec"), err)}
	}
	pth := field.NewPath("spec", "selector")
	if w.Spec.Selector == nil {
		return field.ErrorList{field.Required(pth, "")}
	}
	errs := metav1validation.ValidateLabelSelector(w.Spec.Selector, metav1validation.LabelSelectorValidationOptions{}, pth)
	if len(w.Spec.Selector.MatchLabels)+len(w.Spec.Selector.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(pth, w.Spec.Selector, "empty selector is invalid for "+gk.Kind))
	}
	selector, err := metav1.LabelSelectorAsSelector(w.Spec.Selector)
	if err != nil {
		return append(errs, field.Invalid(pth, w.Spec.Selector, "invalid label selector"))
	}
	if !selector.Empty() && !selector.Matches(labels.Set(w.Spec.Template.Metadata.Labels)) {
		errs = append(errs, field.Invalid(field.NewPath("spec", "template", "metadata", "labels"), w.Spec.Template.Metadata.Labels, "`selector` does not match template `labels`"))
	}
	return errs
}
